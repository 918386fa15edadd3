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


def tag_predicate(cond, tag_keys, *, fields=(), what: str = "") -> pl.Expr:
    """The Polars expression of ``cond`` over a series frame with String columns ``tag_keys``.

    A reference to a key the measurement does not have is the empty string.
    ``fields`` are the measurement's field keys: comparing one raises the
    error InfluxDB gives for deletes (``fields not supported in WHERE clause
    during deletion``) when ``what == 'delete'``, and matches nothing otherwise.
    """
    keys = set(tag_keys)

    def ref(name: str) -> pl.Expr:
        if name in keys:
            return pl.col(name).fill_null("")
        return pl.lit("", dtype=pl.String)

    def go(e) -> pl.Expr:
        if isinstance(e, A.ParenExpr):
            return go(e.expr)
        if isinstance(e, A.BooleanLiteral):
            return pl.lit(bool(e.val))
        if not isinstance(e, A.BinaryExpr):
            raise QueryError(f"invalid condition: {e}")
        op = e.op.upper() if isinstance(e.op, str) else e.op
        if op in ("AND", "OR"):
            lhs, rhs = go(e.lhs), go(e.rhs)
            return (lhs & rhs) if op == "AND" else (lhs | rhs)
        lhs, rhs = e.lhs, e.rhs
        if not isinstance(lhs, A.VarRef) and isinstance(rhs, A.VarRef):
            lhs, rhs = rhs, lhs
        if not isinstance(lhs, A.VarRef):
            raise QueryError(f"invalid condition: {e}")
        name = lhs.name
        if name in fields and name not in keys:
            if what == "delete":
                raise QueryError("fields not supported in WHERE clause during deletion")
            return pl.lit(False)
        col = ref(name)
        if isinstance(rhs, A.RegexLiteral):
            m = col.str.contains(rhs.val)
            if op == "=~":
                return m
            if op == "!~":
                return ~m
            raise QueryError(f"invalid operator {op} for a regex")
        if isinstance(rhs, A.VarRef):
            other = ref(rhs.name)
        elif isinstance(rhs, (A.StringLiteral, A.IntegerLiteral, A.NumberLiteral, A.BooleanLiteral)):
            other = pl.lit(_text(rhs.val), dtype=pl.String)
        else:
            raise QueryError(f"invalid condition: {e}")
        if op == "=":
            return col == other
        if op in ("!=", "<>"):
            return col != other
        if op == "<":
            return col < other
        if op == "<=":
            return col <= other
        if op == ">":
            return col > other
        if op == ">=":
            return col >= other
        raise QueryError(f"invalid operator {op} in a tag condition")

    return go(cond)


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
    """Every variable name the condition mentions."""
    out: set[str] = set()

    def go(e):
        if isinstance(e, A.VarRef):
            out.add(e.name)
        elif isinstance(e, A.BinaryExpr):
            go(e.lhs)
            go(e.rhs)
        elif isinstance(e, A.ParenExpr):
            go(e.expr)

    go(cond)
    return out
