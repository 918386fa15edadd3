"""Time literals in the parsed SQL tree: read them (ns, strides) and make them (Polars-exact SQL).

Shared by :mod:`.translate` and :mod:`.gapfill`; what they accept is what DataFusion accepts
where it asks for a literal (``date_bin``'s stride and origin, a gap-filling time bound).
"""
from __future__ import annotations

from sqlglot import exp

from ...base.errors import QueryError
from .temporal import parse_interval, parse_timestamp

__all__ = ["ts_literal", "literal_ns", "interval_text", "stride_of", "origin_of", "date_bin_sql", "constant_ns"]


_TIMESTAMP_NS = exp.DataType.build("TIMESTAMP(9)")
_BIGINT = exp.DataType.build("BIGINT")


def ts_literal(ns: int) -> exp.Expression:
    """A Datetime('ns') literal Polars reads exactly: ``CAST(<ns> AS TIMESTAMP(9))``."""
    return exp.Cast(this=exp.Literal.number(ns), to=_TIMESTAMP_NS.copy())


def literal_ns(node: exp.Expression) -> int | None:
    """The nanoseconds of a time literal: an RFC 3339 string, ``TIMESTAMP '...'``, or a literal cast."""
    if isinstance(node, exp.Literal) and node.is_string:
        return parse_timestamp(node.this)
    if not isinstance(node, exp.Cast) or not node.to.is_type(exp.DataType.Type.TIMESTAMP):
        return None
    value, sign = node.this, 1
    if isinstance(value, exp.Neg):
        value, sign = value.this, -1
    if not isinstance(value, exp.Literal):
        return None
    if value.is_string:
        return parse_timestamp(value.this) if sign == 1 else None
    try:
        return sign * int(value.this)
    except ValueError:
        return None


def interval_text(node: exp.Interval) -> str:
    unit = node.args.get("unit")
    return f"{node.this.name} {unit.name.lower() if unit else ''}".strip()


def _interval_ns(node: exp.Expression) -> int | None:
    if isinstance(node, exp.Interval) and isinstance(node.this, exp.Literal):
        months, nanos = parse_interval(interval_text(node))
        return None if months else nanos
    return None


def constant_ns(node: exp.Expression) -> int | None:
    """A constant time: a literal, or a literal plus or minus fixed intervals (``now() - INTERVAL '1 hour'``
    once ``now()`` is a literal); None for anything else."""
    while isinstance(node, exp.Paren):
        node = node.this
    ns = literal_ns(node)
    if ns is not None or not isinstance(node, (exp.Add, exp.Sub)):
        return ns
    left, right = constant_ns(node.this), _interval_ns(node.expression)
    if left is not None and right is not None:
        return left + right if isinstance(node, exp.Add) else left - right
    if isinstance(node, exp.Add):
        left, right = _interval_ns(node.this), constant_ns(node.expression)
        if left is not None and right is not None:
            return left + right
    return None


def stride_of(node: exp.Expression, fn: str = "DATE_BIN") -> int:
    """The stride (ns) of ``date_bin``'s first argument: an INTERVAL or an interval string."""
    if isinstance(node, exp.Interval) and isinstance(node.this, exp.Literal):
        months, nanos = parse_interval(interval_text(node))
    elif isinstance(node, exp.Literal) and node.is_string:
        months, nanos = parse_interval(node.this)
    else:
        raise QueryError(f"SQL error: This feature is not implemented: {fn} only supports literal values "
                         "for the stride argument, not arrays")
    if months:
        raise QueryError(f"SQL error: This feature is not implemented: {fn} with a stride in months or "
                         "years (date_trunc('month', time) bins by calendar month)")
    if nanos == 0:
        raise QueryError(f"SQL error: Execution error: {fn} stride must be non-zero")
    return nanos


def origin_of(node: exp.Expression | None, fn: str = "DATE_BIN") -> int:
    """The origin (ns) of ``date_bin``'s third argument; the Unix epoch when absent."""
    if node is None:
        return 0
    ns = literal_ns(node)
    if ns is None:
        raise QueryError(f"SQL error: This feature is not implemented: {fn} only supports literal values "
                         "for the origin argument, not arrays")
    return ns


def date_bin_sql(source: exp.Expression, stride: int, origin: int) -> exp.Expression:
    """``source`` floored onto ``origin + k*stride`` (DataFusion's ``date_bin``), as SQL on integers."""
    t = exp.Cast(this=source, to=_BIGINT.copy())
    rem = exp.Mod(this=exp.Paren(this=exp.Sub(this=t.copy(), expression=exp.Literal.number(origin))),
                  expression=exp.Literal.number(stride))
    out: exp.Expression = exp.Sub(this=t, expression=exp.Paren(this=rem))
    if stride > 1:  # a negative remainder is a bin before the origin: one stride further down
        below = exp.Case(ifs=[exp.If(this=exp.LT(this=rem.copy(), expression=exp.Literal.number(0)),
                                     true=exp.Literal.number(stride))],
                         default=exp.Literal.number(0))
        out = exp.Sub(this=out, expression=exp.Paren(this=below))
    return exp.Cast(this=exp.Paren(this=out), to=_TIMESTAMP_NS.copy())
