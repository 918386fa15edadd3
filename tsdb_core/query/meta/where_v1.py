"""How InfluxDB 1.x's index reads the WHERE clause of SHOW SERIES, TAG KEYS, TAG VALUES and
MEASUREMENTS (its ``tsdb/index.go``), for the influxdb1 dialect.

Series filters (``seriesByExprIterator``) work per measurement on series sets: a comparison
of one of its *fields*, or with a number, a boolean or arithmetic, selects every series of
the measurement (the index cannot judge it, and SHOW lists what remains); ``_name`` compares
the measurement's name; ``tag = other_tag`` means both are present (``!=``: the first is,
the second not); strings and regexes compare tag values, a missing tag reading as ''.

SHOW MEASUREMENTS (``measurementNamesByTagFilter``) judges measurements, not series: one
without the tag key never matches; ``=``/``=~`` need some value of the key to match,
``!=``/``!~`` need none to (so ``host != 'a'`` skips every measurement with a series
``host=a``).
"""
from __future__ import annotations

from dataclasses import dataclass

from ...base import regex as linear_regex
from ...base.errors import QueryError
from ...influxql.ast import expr as A

_EQ = ("=", "=~")
_TAG_COMPARISONS = ("=", "!=", "<>", "=~", "!~")
# influxql.IsSystemName
SYSTEM_NAMES = frozenset(("_fieldKey", "_field", "_measurement", "_name", "_series", "_seriesKey",
                          "_tagKey", "_tags"))
_ALL = A.BooleanLiteral(True)


def _combine(op: str, lhs, rhs):
    """AND/OR of two parts, a dropped part (None) leaving the other (influxql.RewriteExpr)."""
    if lhs is None or rhs is None:
        return lhs if rhs is None else rhs
    return A.BinaryExpr(op, lhs, rhs)


def drop_comparisons(cond, keep):
    """``cond`` without the tag comparisons ``keep(comparison)`` refuses (None: nothing left);
    booleans reduced away as influxql.Reduce does."""
    e = A.unparen(cond)
    if isinstance(e, A.BinaryExpr) and e.op.upper() in ("AND", "OR"):
        kept = _combine(e.op.upper(), drop_comparisons(e.lhs, keep), drop_comparisons(e.rhs, keep))
        return None if kept is None else reduce_booleans(kept)
    if isinstance(e, A.BinaryExpr) and e.op in _TAG_COMPARISONS and not keep(e):
        return None
    return e


def is_name_filter(e) -> bool:
    """Whether the comparison ``e`` is on ``_name`` (the measurement name, not a tag)."""
    return isinstance(e.lhs, A.VarRef) and e.lhs.name == "_name"


def is_tag_filter(e) -> bool:
    """What TagKeys/TagValues filter series by: comparisons led by a key that is no system name."""
    return isinstance(e.lhs, A.VarRef) and e.lhs.name not in SYSTEM_NAMES


@dataclass(frozen=True, slots=True)
class SeriesRules:
    """A condition to read by :func:`series_condition` once a measurement's fields are known."""

    expr: A.Expr


def series_condition(cond, measurement: str, fields) -> A.Expr:
    """``cond`` for one measurement as a tag-only condition (``where.tag_predicate`` reads it)."""
    e = A.unparen(cond)
    if isinstance(e, A.BinaryExpr) and e.op.upper() in ("AND", "OR"):
        return A.BinaryExpr(e.op.upper(), series_condition(e.lhs, measurement, fields),
                            series_condition(e.rhs, measurement, fields))
    if isinstance(e, A.BooleanLiteral):
        return e
    if not isinstance(e, A.BinaryExpr):
        raise QueryError(f"invalid condition expression: {e}")
    return _comparison(e, measurement, fields)


def _is_field(ref, fields) -> bool:
    return ref.name != "_name" and ref.type != "tag" and ref.name in fields


def _comparison(e: A.BinaryExpr, measurement: str, fields) -> A.Expr:
    if isinstance(A.unparen(e.lhs), A.BinaryExpr) or isinstance(A.unparen(e.rhs), A.BinaryExpr):
        return _ALL
    key, value = (e.lhs, e.rhs) if isinstance(e.lhs, A.VarRef) else (e.rhs, e.lhs)
    if not isinstance(key, A.VarRef) or _is_field(key, fields) \
            or (isinstance(value, A.VarRef) and _is_field(value, fields)):
        return _ALL
    if key.name == "_name" and isinstance(value, (A.StringLiteral, A.RegexLiteral)):
        return A.BooleanLiteral(_name_matches(e.op, measurement, value))
    if isinstance(value, A.VarRef):  # tag against tag: presence, not values
        first = A.BinaryExpr("!=", A.VarRef(key.name), A.StringLiteral(""))
        second = A.BinaryExpr("!=" if e.op == "=" else "=", A.VarRef(value.name), A.StringLiteral(""))
        return A.BinaryExpr("AND", first, second)
    if isinstance(value, A.StringLiteral):
        return A.BinaryExpr("=" if e.op == "=" else "!=", A.VarRef(key.name), value)
    if isinstance(value, A.RegexLiteral):
        return A.BinaryExpr("=~" if e.op == "=~" else "!~", A.VarRef(key.name), value)
    return _ALL  # numbers, booleans, durations: left to a query engine SHOW has not


def _name_matches(op: str, name: str, value) -> bool:
    if isinstance(value, A.RegexLiteral):
        hit = linear_regex.compile(value.val).search(name)
        return hit if op == "=~" else not hit
    return (name == value.val) if op == "=" else (name != value.val)


def measurement_matches(cond, measurement: str, tag_keys, values_of) -> bool:
    """Whether SHOW MEASUREMENTS' condition keeps ``measurement`` (checked beforehand by
    ``where.check_measurement_condition``). ``values_of(key)`` lists a tag key's values."""
    e = A.unparen(cond)
    if isinstance(e, A.BinaryExpr) and e.op.upper() in ("AND", "OR"):
        lhs = measurement_matches(e.lhs, measurement, tag_keys, values_of)
        rhs = measurement_matches(e.rhs, measurement, tag_keys, values_of)
        return (lhs or rhs) if e.op.upper() == "OR" else (lhs and rhs)
    key = e.lhs.name
    if key == "_name":
        return _name_matches(e.op, measurement, e.rhs)
    if key in SYSTEM_NAMES or key not in tag_keys:
        return False
    if isinstance(e.rhs, A.RegexLiteral):
        rx = linear_regex.compile(e.rhs.val)
        hit = any(rx.search(v) for v in values_of(key))
    else:
        hit = e.rhs.val in values_of(key)
    return hit == (e.op in _EQ)


def check_measurement_condition(cond, check_comparison) -> None:
    """SHOW MEASUREMENTS' checks, left to right (``measurementNamesByExpr``): each comparison
    by ``check_comparison``; a boolean is printed with Go's ``%#v`` as the error."""
    for e in _nodes(cond):
        if isinstance(e, A.BooleanLiteral):
            raise QueryError(f"&influxql.BooleanLiteral{{Val:{'true' if e.val else 'false'}}}")
        check_comparison(e)


def reduce_booleans(e):
    """influxql.Reduce of AND/OR with a boolean literal (``x OR false`` is ``x``)."""
    e = A.unparen(e)
    if not (isinstance(e, A.BinaryExpr) and e.op.upper() in ("AND", "OR")):
        return e
    lhs, rhs, op = reduce_booleans(e.lhs), reduce_booleans(e.rhs), e.op.upper()
    for a, b in ((lhs, rhs), (rhs, lhs)):
        if isinstance(a, A.BooleanLiteral):
            if op == "AND":
                return b if a.val else a
            return a if a.val else b
    return A.BinaryExpr(op, lhs, rhs)


def check_tag_values_condition(cond) -> None:
    """1.x's checks of SHOW TAG VALUES WHERE, in its order: the condition's leaves, the
    measurement filter (an operator outside the tag comparisons), every comparison's left side."""
    check_outside_comparisons(cond)
    for e in _nodes(cond):
        if isinstance(e, A.BinaryExpr) and e.op in _TAG_COMPARISONS and not isinstance(e.lhs, A.VarRef):
            raise QueryError(f"left side of '{'!=' if e.op == '<>' else e.op}' must be a tag key")


def check_outside_comparisons(cond) -> None:
    """A leaf that is no comparison: ``invalid condition expression`` (influxql.ConditionExpr);
    then ``invalid tag comparison operator`` for an operator neither AND/OR nor inside a tag
    comparison (1.x drops the comparisons and judges what is left as measurement names)."""
    nodes = list(_nodes(cond))
    for e in nodes:
        if not isinstance(e, (A.BinaryExpr, A.BooleanLiteral)):
            raise QueryError(f"invalid condition expression: {e}")
    for e in nodes:
        if isinstance(e, A.BinaryExpr) and e.op.upper() not in ("AND", "OR") \
                and e.op not in _TAG_COMPARISONS:
            raise QueryError("invalid tag comparison operator")


def _nodes(cond):
    """The AND/OR tree's nodes, left to right, not looking inside tag comparisons."""
    e = A.unparen(cond)
    if isinstance(e, A.BinaryExpr) and e.op.upper() in ("AND", "OR"):
        yield from _nodes(e.lhs)
        yield from _nodes(e.rhs)
        return
    yield e
