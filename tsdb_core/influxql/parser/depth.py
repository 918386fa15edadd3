"""How deeply a query nests, checked while it is parsed.

The passes after the parser (validation, planning, printing, hashing the frozen nodes) and
Polars' expression optimiser recurse once per level, so a query nested thousands of levels
deep (``((((v))))``, ``v + v + ... + v``, subqueries in subqueries) would end in a
RecursionError or a native stack overflow. influxd has no such limit; the query engine
asks ``parse(..., limit_depth=True)`` and a statement nested deeper than :data:`MAX_DEPTH`
is then a parse error with its position (the parser itself builds any depth). Queries of
fewer tokens than that cannot reach it, so they skip the measuring.
"""
from __future__ import annotations

from ..ast import expr as E
from ...base.errors import ParseError

MAX_DEPTH = 200


def check(state, node):
    """``node``; the first node found deeper than :data:`MAX_DEPTH` is recorded as
    ``state.too_deep`` (a ParseError with the position of the token being read)."""
    if state.depths is None:
        return node
    if _depth(node, state.depths) > MAX_DEPTH:
        toks = state.tokens
        tok = toks[min(max(state.consumed - 1, 0), len(toks) - 1)] if toks else None
        line, col = (tok.line or 1, tok.column or 1) if tok is not None else (1, 1)
        state.too_deep = ParseError(f"query is nested too deeply: more than {MAX_DEPTH} levels "
                                    f"at line {line}, char {col}", line, col)
        state.depths = None  # one is enough
    return node


def _children(node) -> tuple:
    cls = node.__class__
    if cls is E.BinaryExpr:
        return (node.lhs, node.rhs)
    if cls is E.ParenExpr:
        return (node.expr,)
    if cls is E.Call:
        return node.args
    if cls is E.SubQuery:
        s = node.statement
        return (*(f.expr for f in s.fields), *(d.expr for d in s.dimensions), *s.sources,
                *((s.condition,) if s.condition is not None else ()))
    return ()


def _depth(root, memo: dict) -> int:
    """Levels below and including ``root``; ``memo`` (id -> (node, depth)) keeps each node's
    depth for the nodes built on it, and the node itself alive so that its id stays unique."""
    hit = memo.get(id(root))
    if hit is not None:
        return hit[1]
    stack = [(root, False)]
    while stack:
        node, ready = stack.pop()
        kids = _children(node)
        if ready:
            d = 1 + max((memo[id(k)][1] for k in kids), default=0)
            memo[id(node)] = (node, d)
            continue
        if id(node) in memo:
            continue
        stack.append((node, True))
        stack.extend((k, False) for k in kids if id(k) not in memo)
    return memo[id(root)][1]
