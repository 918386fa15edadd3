"""Tag predicates of SHOW/DROP SERIES/DELETE WHERE clauses, as Polars expressions.

Meta statements filter *series* (tag sets), never points: a WHERE clause here
compares tag keys with strings or regexes (``= != =~ !~ <> ``), combined with
AND/OR and parentheses. A tag a series lacks compares as the empty string, as
in InfluxDB (``host != 'a'`` matches a series without ``host``). Time
comparisons are split off by the caller (:func:`.time_range.split_where`).
"""
from __future__ import annotations

import polars as pl

from ...base.errors import QueryError
from ...influxql.ast import expr as A
from ...influxql.ast.visit import find
from ..exec.expressions import cond_expr

_COMPARISONS = ("=", "!=", "<>", "<", "<=", ">", ">=")
_TEXT_LITERALS = (A.StringLiteral, A.IntegerLiteral, A.NumberLiteral, A.BooleanLiteral)


def tag_predicate(cond, tag_keys, *, fields=(), what: str = "") -> pl.Expr:
    """The Polars expression of ``cond`` over a series frame with String columns ``tag_keys``.

    A reference to a key the measurement does not have is the empty string.
    ``fields`` are the measurement's field keys: comparing one raises the
    error InfluxDB gives for deletes (``fields not supported in WHERE clause
    during deletion``) when ``what == 'delete'``, and matches nothing otherwise.
    The condition is checked and rewritten here; the executor's condition
    compiler turns it into Polars.
    """
    keys = set(tag_keys)
    schema = {k: pl.String for k in keys}
    return cond_expr(_tag_condition(cond, keys, set(fields), what), schema)


def _tag_condition(e, keys: set, fields: set, what: str):
    """``e`` with every comparison in the form :func:`_comparison` gives (errors left to right)."""
    if isinstance(e, A.ParenExpr):
        return _tag_condition(e.expr, keys, fields, what)
    if isinstance(e, A.BooleanLiteral):
        return e
    if not isinstance(e, A.BinaryExpr):
        raise QueryError(f"invalid condition: {e}")
    op = e.op.upper()
    if op in ("AND", "OR"):
        lhs = _tag_condition(e.lhs, keys, fields, what)
        return A.BinaryExpr(op, lhs, _tag_condition(e.rhs, keys, fields, what))
    return _comparison(e, keys, fields, what)


def _comparison(e: A.BinaryExpr, keys: set, fields: set, what: str):
    """A tag compared with a string, a regex or another tag (names untyped, numbers and
    booleans as their text); a comparison on a field is false (an error in a delete)."""
    lhs, rhs = e.lhs, e.rhs
    if not isinstance(lhs, A.VarRef) and isinstance(rhs, A.VarRef):
        lhs, rhs = rhs, lhs
    if not isinstance(lhs, A.VarRef):
        raise QueryError(f"invalid condition: {e}")
    if lhs.name in fields and (lhs.name not in keys or what == "delete" and lhs.type != "tag"):
        # (a key both tag and field: a delete reads the field unless ``::tag`` says, as influxd)
        if what == "delete":
            raise QueryError("fields not supported in WHERE clause during deletion")
        return A.BooleanLiteral(False)
    if isinstance(rhs, A.RegexLiteral):
        if e.op not in ("=~", "!~"):
            raise QueryError(f"invalid operator {e.op} for a regex")
        return A.BinaryExpr(e.op, A.VarRef(lhs.name), rhs)
    if isinstance(rhs, A.VarRef):
        rhs = A.VarRef(rhs.name)
    elif isinstance(rhs, _TEXT_LITERALS):
        rhs = A.StringLiteral(_text(rhs.val))
    else:
        raise QueryError(f"invalid condition: {e}")
    if e.op not in _COMPARISONS:
        raise QueryError(f"invalid operator {e.op} in a tag condition")
    return A.BinaryExpr(e.op, A.VarRef(lhs.name), rhs)


_SERIES_OPS = ("=", "!=", "<>", "=~", "!~", "AND", "OR")


def check_series_condition(cond) -> None:
    """influxd's series filters (SHOW SERIES, TAG KEYS, TAG VALUES) take (in)equalities,
    regex matches, AND and OR only: ``usage > 1`` is an error, not a filter that is false."""
    if cond is not None and any(n.op.upper() not in _SERIES_OPS for n in find(cond, A.BinaryExpr)):
        raise QueryError("invalid tag comparison operator")


def check_measurement_condition(e) -> None:
    """influxd's checks of SHOW MEASUREMENTS WHERE (its ``measurementNamesByExpr``), left
    to right: a tag key on the left, a string or regex on the right, no other operator."""
    if e is None or isinstance(e, A.BooleanLiteral):
        return
    if isinstance(e, A.ParenExpr):
        return check_measurement_condition(e.expr)
    if not isinstance(e, A.BinaryExpr):
        raise QueryError(f"invalid condition: {e}")
    op = e.op.upper()
    if op in ("AND", "OR"):
        check_measurement_condition(e.lhs)
        return check_measurement_condition(e.rhs)
    if op not in ("=", "!=", "<>", "=~", "!~"):
        raise QueryError("invalid tag comparison operator")
    shown = "!=" if op == "<>" else op
    if not isinstance(e.lhs, A.VarRef):
        raise QueryError(f"left side of '{shown}' must be a tag key")
    if op in ("=~", "!~") and not isinstance(e.rhs, A.RegexLiteral):
        raise QueryError(f"right side of '{shown}' must be a regular expression")
    if op not in ("=~", "!~") and not isinstance(e.rhs, A.StringLiteral):
        raise QueryError(f"right side of '{shown}' must be a tag value string")


def _text(v) -> str:
    if isinstance(v, bool):
        return "true" if v else "false"
    return str(v)


def filter_series(frame: pl.DataFrame, cond, tag_keys, fields=()) -> pl.DataFrame:
    """Rows (series) of ``frame`` matching ``cond`` (all when None)."""
    if cond is None or frame.height == 0:
        return frame
    return frame.filter(tag_predicate(cond, tag_keys, fields=fields))


def refs(cond) -> set[str]:
    """Every variable name the condition's comparisons mention (not those inside calls)."""
    flat = lambda n: not isinstance(n, (A.BinaryExpr, A.ParenExpr))  # noqa: E731
    return {r.name for r in find(cond, A.VarRef, prune=flat)}
