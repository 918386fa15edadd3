"""influxd 1.x's reading of a SELECT's WHERE beyond its comparisons.

Two things its compiler and storage engine do to the condition as a whole: influxql's
ConditionExpr accepts only comparisons, AND/OR and boolean literals as its operands
(:func:`check_leaves`), and the tsm1 engine reads each field the condition names through one
cursor, whatever types the condition casts it to (:func:`one_type_per_field`).
"""
from __future__ import annotations

from ...base.errors import QueryError
from ...influxql import ast
from ...influxql.ast.visit import find, transform
from .types_v1 import go_text

# influxql.DataType numbers: the engine's condition cursors sort by name, then by these
_RANK = {"float": 1, "integer": 2, "string": 3, "boolean": 4, "tag": 7, "unsigned": 9}


def check_leaves(cond) -> None:
    """``invalid condition expression: <leaf>`` for an operand of the AND/OR tree (parentheses
    looked through) that is neither a binary expression nor a boolean literal: ``WHERE b``,
    ``WHERE f > 1 OR (b)``, ``WHERE 4`` (influxql ConditionExpr's default case)."""
    e = ast.unparen(cond)
    if isinstance(e, ast.BinaryExpr):
        if e.op in ("AND", "OR"):
            check_leaves(e.lhs)
            check_leaves(e.rhs)
    elif not isinstance(e, ast.BooleanLiteral):
        raise QueryError(f"invalid condition expression: {go_text(e)}")


def one_type_per_field(cond, fields: dict[str, str], tags) -> ast.Expr:
    """``cond`` with every reference to a field it reads under several types reading the one the
    engine reads: RewriteFields types a bare or ``::field`` reference as the field's own type;
    tsm1's createVarRefSeriesIterator opens a cursor per (name, type) of ExprNames, sorted by
    name then type, and sets each into one map by name, so the last type wins for every
    reference (``f::integer = 0 AND f > 0`` compares the integer both times; ``f::string``
    beside ``f`` makes both nil). A ``::tag`` compared with a string or regex is the index's
    (a series filter), no cursor."""
    types: dict[str, set[str]] = {}
    for ref in find(cond, ast.VarRef, prune=_series_filter):
        if ref.name in fields and ref.name not in tags:
            own = fields[ref.name]
            types.setdefault(ref.name, set()).add(own if ref.type in (None, "field") else ref.type)
    read = {name: max(ts, key=lambda t: _RANK.get(t, 0)) for name, ts in types.items() if len(ts) > 1}
    if not read:
        return cond

    def retyped(n):
        if type(n) is ast.VarRef and n.name in read:
            t = read[n.name]
            return ast.VarRef(n.name, None if t == fields[n.name] else t)
        return n
    return transform(cond, retyped, prune=_series_filter)


def _series_filter(e) -> bool:
    """A comparison of a ``::tag`` with a string or regex literal (tsdb/index/inmem idsForExpr)."""
    if type(e) is not ast.BinaryExpr:
        return False
    sides = (e.lhs, e.rhs)
    return any(type(s) is ast.VarRef and s.type == "tag" for s in sides) \
        and any(isinstance(s, (ast.StringLiteral, ast.RegexLiteral)) for s in sides)


_ARITHMETIC = frozenset({"+", "-", "*", "/", "%", "&", "|", "^"})
_CASTS = frozenset({"float", "integer", "unsigned", "string", "boolean", "field"})


def arithmetic_leaves(cond, fields):
    """``cond`` (over measurements only) with each arithmetic operand of its AND/OR tree
    (``WHERE f * 0``, ``b & false OR f > 1``) the literal the inmem index makes of it: its
    WalkWhereForSeriesIds keeps the series idsForExpr finds for an operator that is no
    comparison and drops the filter, so every point of them passes (:func:`_all_series`)."""
    if isinstance(cond, ast.ParenExpr):
        inner = arithmetic_leaves(cond.expr, fields)
        return cond if inner is cond.expr else ast.ParenExpr(inner)
    if not isinstance(cond, ast.BinaryExpr):
        return cond
    if cond.op in ("AND", "OR"):
        lhs, rhs = arithmetic_leaves(cond.lhs, fields), arithmetic_leaves(cond.rhs, fields)
        return cond if lhs is cond.lhs and rhs is cond.rhs else ast.BinaryExpr(cond.op, lhs, rhs)
    if cond.op in _ARITHMETIC and not (_is_time(cond.lhs) or _is_time(cond.rhs)):
        return ast.BooleanLiteral(_all_series(cond, fields))
    return cond


def _all_series(e: ast.BinaryExpr, fields) -> bool:
    """Whether idsForExpr (tsdb/index/inmem/meta.go) finds every series for ``e``: nested
    arithmetic, no name, or a field (a cast) on one side; else a tag or unknown name beside a
    string, a regex or a name that is no field finds none (only = and != compare tags)."""
    if isinstance(e.lhs, ast.BinaryExpr) or isinstance(e.rhs, ast.BinaryExpr):
        return True
    ref, value = (e.lhs, e.rhs) if isinstance(e.lhs, ast.VarRef) else (e.rhs, e.lhs)
    if not isinstance(ref, ast.VarRef) or _field_side(ref, fields):
        return True
    if isinstance(value, ast.VarRef):
        return _field_side(value, fields)
    return not isinstance(value, (ast.StringLiteral, ast.RegexLiteral))


def _field_side(ref: ast.VarRef, fields) -> bool:
    return ref.type in _CASTS or (ref.type is None and ref.name in fields)


def _is_time(e) -> bool:
    return isinstance(e, ast.VarRef) and e.name.lower() == "time"
