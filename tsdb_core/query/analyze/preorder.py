"""The nodes of an expression, pre-order, as :func:`..influxql.ast.visit.walk` gives them.

The analyses that run on every new statement text (time literals, ``now()``, aggregates
in fields, calls in WHERE) walk conditions made of comparisons, ANDs and ORs of names
and literals; this walk steps through those node kinds directly and asks
:func:`~..influxql.ast.visit.children` only about the others.
"""
from __future__ import annotations

from collections.abc import Callable, Iterator

from ...influxql import ast
from ...influxql.ast.visit import children

_LEAVES = frozenset((ast.VarRef, ast.StringLiteral, ast.IntegerLiteral, ast.NumberLiteral,
                     ast.UnsignedLiteral, ast.BooleanLiteral, ast.DurationLiteral, ast.TimeLiteral,
                     ast.RegexLiteral, ast.ListLiteral, ast.NilLiteral, ast.BoundParameter,
                     ast.Distinct, ast.Wildcard))


def preorder(node, prune: Callable[[object], bool] | None = None) -> Iterator:
    """``node`` and every node below it, parents before children, left to right;
    ``prune(n)`` true stops below ``n``."""
    stack = [node]
    pop, push = stack.pop, stack.append
    while stack:
        n = pop()
        yield n
        kind = type(n)
        if kind in _LEAVES or (prune is not None and prune(n)):
            continue
        if kind is ast.BinaryExpr:
            push(n.rhs)
            push(n.lhs)
        elif kind is ast.ParenExpr:
            push(n.expr)
        elif kind is ast.Call:
            stack.extend(reversed(n.args))
        else:
            stack.extend(reversed(list(children(n))))


def find(node, kind, prune: Callable[[object], bool] | None = None) -> Iterator:
    """The nodes of :func:`preorder` that are instances of ``kind``."""
    return (n for n in preorder(node, prune) if isinstance(n, kind))
