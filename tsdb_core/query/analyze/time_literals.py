"""InfluxDB 1.x's range check of time literals in WHERE clauses (the influxdb1 dialect).

1.x reads a time string or ``now()`` (with any ``+``/``-`` of durations) compared with
``time`` as a time literal, and refuses one after the maximum time or at or before the
minimum time, which it keeps as a sentinel: ``time 1677-09-21T00:12:43Z underflows time
literal`` (influxql ``ConditionExpr``/``TimeRange``). Integers and durations are not checked.
InfluxDB 3 takes the minimum as a bound, so this check is the influxdb1 dialect's alone.
"""
from __future__ import annotations

from datetime import datetime, timedelta, timezone

from ...base.errors import QueryError
from ...base.time import MAX_TIME, MIN_TIME
from ...influxql import ast
from ...influxql.ast import meta as M
from ...influxql.ast.visit import walk
from .time_range import is_time_ref, time_value

_COMPARE = frozenset((">", ">=", "<", "<=", "=", "!=", "<>"))
_EPOCH = datetime(1970, 1, 1, tzinfo=timezone.utc)
# statements whose WHERE goes through 1.x's condition parsing (SHOW MEASUREMENTS and the
# cardinalities refuse any time first, in their own words)
_CHECKED = (ast.SelectStatement, ast.DeleteSeriesStatement, ast.DropSeriesStatement,
            M.ShowSeriesStatement, M.ShowTagKeysStatement, M.ShowTagValuesStatement)


def check_time_literals(stmt, now: int) -> None:
    """Raise 1.x's ``overflows``/``underflows time literal`` error for ``stmt`` (and its subqueries)."""
    if not isinstance(stmt, _CHECKED):
        return
    cond = getattr(stmt, "condition", None)
    if cond is not None:
        for node in walk(cond):
            if isinstance(node, ast.BinaryExpr) and node.op in _COMPARE:
                _check_side(node.lhs, node.rhs, now, getattr(stmt, "location", None))
                _check_side(node.rhs, node.lhs, now, getattr(stmt, "location", None))
    for src in getattr(stmt, "sources", ()) or ():
        if isinstance(src, ast.SubQuery):
            check_time_literals(src.statement, now)


def passes_like(stmt, src, sites) -> bool:
    """Whether :func:`check_time_literals` surely passes ``stmt``, given it passed ``src`` (at
    every instant: no ``now()``) and the two differ only in the string literals at ``sites``
    ((paths from the statement, values): parser/templates.py's ``literal_sites``).

    The check reads no literal outside the value side of a comparison with ``time`` in WHERE
    (or in ``tz()``, a subquery): a site elsewhere cannot change its answer. A site that *is*
    such a value side (``time >= '...'``) is read by :func:`_surely_in_range` first: a value
    that passes it passes the check. Any other site (inside ``'...' + 1h``, in a subquery)
    says nothing: False, and the caller checks in full."""
    paths, values = sites
    hit = _kinds.get(id(src))
    if hit is not None and hit[0] is src and hit[1] is paths:
        kinds = hit[2]
    else:
        kinds = tuple(_site_kind(src, path) for path in paths)
        if len(_kinds) >= _MAX_KINDS:
            _kinds.clear()
        _kinds[id(src)] = (src, paths, kinds)
    return all(kind is None or (kind and _year_in_range(v)) for kind, v in zip(kinds, values))


_kinds: dict[int, tuple] = {}  # id(src) -> (src, paths, their kinds): once per template
_MAX_KINDS = 2048


def _site_kind(stmt, path: tuple) -> bool | None:
    """None: the check never reads the literal at ``path``; True: it is the whole value side
    of a comparison with ``time``; False: anything else (read some other way, or unsure)."""
    if not path or path[0] != "condition":
        return False if path and path[0] in ("location", "sources") else None
    node = stmt.condition
    last = len(path) - 1
    for k in range(1, len(path)):
        step = path[k]
        if type(node) is ast.BinaryExpr and node.op in _COMPARE and step in ("lhs", "rhs"):
            if is_time_ref(node.rhs if step == "lhs" else node.lhs):
                return k == last  # (the outermost such comparison on the way decides)
        node = node[step] if step.__class__ is int else getattr(node, step)
    return None


def _year_in_range(text: str) -> bool:
    return len(text) > 4 and text[:4].isdigit() and text[4] == "-" and 1679 <= int(text[:4]) <= 2261


def _check_side(ref, value, now: int, tz) -> None:
    if not (isinstance(ref, ast.VarRef) and ref.name.lower() == "time"):
        return
    _refuse_time_sums(value)
    if isinstance(value, ast.ParenExpr) and isinstance(ast.unparen(value), ast.StringLiteral):
        # a string is read as a time where it stands beside ``time``; Reduce then drops the
        # parentheses, leaving a string the time check refuses
        raise QueryError("invalid operation: time and *influxql.StringLiteral are not compatible")
    if not _is_time_literal(value) or _surely_in_range(value):
        return
    try:
        ns = time_value(value, now, tz)
    except QueryError:
        return  # not a time: the condition's own checks word it
    if ns > MAX_TIME:
        raise QueryError(f"time {_rfc3339(ns)} overflows time literal")
    if ns < MIN_TIME + 1:
        raise QueryError(f"time {_rfc3339(ns)} underflows time literal")


def _refuse_time_sums(e) -> None:
    """influxql's Reduce adds no two times (only ``time - time`` makes a duration): the sum stays
    a BinaryExpr, or, of two strings, becomes their concatenation, which the time check refuses."""
    if isinstance(e, ast.ParenExpr):
        _refuse_time_sums(e.expr)
    elif isinstance(e, ast.BinaryExpr) and e.op in ("+", "-"):
        _refuse_time_sums(e.lhs)
        _refuse_time_sums(e.rhs)
        if e.op == "+" and _is_time_literal(e.lhs) and _is_time_literal(e.rhs):
            both_strings = isinstance(e.lhs, ast.StringLiteral) and isinstance(e.rhs, ast.StringLiteral)
            kind = "StringLiteral" if both_strings else "BinaryExpr"
            raise QueryError(f"invalid operation: time and *influxql.{kind} are not compatible")


def _surely_in_range(e) -> bool:
    """A lone now(), or a time string of a year well inside 1678-2261: no need to read it."""
    if isinstance(e, ast.Call):
        return True
    return _year_in_range(e.val if isinstance(e, ast.StringLiteral) else "")


def _is_time_literal(e) -> bool:
    """Whether influxql's Reduce makes ``e`` a TimeLiteral: a time string or now(), plus or
    minus other values."""
    if isinstance(e, ast.ParenExpr):
        return _is_time_literal(e.expr)
    if isinstance(e, ast.StringLiteral):
        return True
    if isinstance(e, ast.Call):
        return e.name.lower() == "now" and not e.args
    if isinstance(e, ast.BinaryExpr) and e.op in ("+", "-"):
        return _is_time_literal(e.lhs) != _is_time_literal(e.rhs)  # time - time is a duration
    return False


_CYCLE_DAYS = 146_097  # days in 400 Gregorian years: the calendar repeats
_DAYS_TO_1 = (datetime(1, 1, 1, tzinfo=timezone.utc) - _EPOCH).days
_DAYS_TO_9999 = (datetime(9999, 12, 31, tzinfo=timezone.utc) - _EPOCH).days


def _rfc3339(ns: int) -> str:
    """Go's ``time.RFC3339`` in UTC: whole seconds, rounded down; years past datetime's 1-9999
    (a literal plus a long duration) shifted by whole 400-year cycles and written as Go writes them."""
    days, secs = divmod(ns // 1_000_000_000, 86_400)
    cycles = 0
    if days > _DAYS_TO_9999:
        cycles = -(-(days - _DAYS_TO_9999) // _CYCLE_DAYS)
    elif days < _DAYS_TO_1:
        cycles = -(-(days - _DAYS_TO_1) // _CYCLE_DAYS) - 1
    t = _EPOCH + timedelta(days=days - cycles * _CYCLE_DAYS, seconds=secs)
    year = t.year + 400 * cycles
    return ("-" if year < 0 else "") + f"{abs(year):04d}" + t.strftime("-%m-%dT%H:%M:%SZ")
