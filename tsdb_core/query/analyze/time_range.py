"""Split a WHERE clause into (TimeRange, residual predicate), with ``now`` injected.

InfluxQL puts the time bounds inside the condition; the storage scan wants them
apart (they drive partition pruning). Every ``time <op> <expr>`` comparison is
folded into one inclusive [start, end] range in ns; the rest of the condition
is returned unchanged. As in InfluxDB 1.6, time comparisons under OR are
intersected like AND (1.x ignores the OR for time).
"""
from __future__ import annotations

import math
import re
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from zoneinfo import ZoneInfo

from ...base.errors import QueryError
from ...influxql import ast
from ...influxql.ast.visit import find
from ...base.time import MAX_TIME, MIN_TIME


@dataclass(frozen=True, slots=True)
class TimeRange:
    """Inclusive bounds in ns; MIN_TIME/MAX_TIME mean "unbounded"."""

    start: int = MIN_TIME
    end: int = MAX_TIME

    @property
    def empty(self) -> bool:
        return self.start > self.end

    @property
    def has_start(self) -> bool:
        return self.start != MIN_TIME

    @property
    def has_end(self) -> bool:
        return self.end != MAX_TIME

    def intersect(self, other: "TimeRange") -> "TimeRange":
        return TimeRange(max(self.start, other.start), min(self.end, other.end))

    def __str__(self) -> str:
        return f"[{self.start}, {self.end}]"


_TIME_RE = re.compile(
    r"(\d{4})-(\d\d)-(\d\d)(?:[T ](\d\d):(\d\d):(\d\d)(?:\.(\d{1,9}))?)?(Z|[+-]\d\d:\d\d)?\Z")
_EPOCH = datetime(1970, 1, 1, tzinfo=timezone.utc)


def parse_time_string(text: str, tz: str | None = None) -> int:
    """InfluxQL time strings (RFC3339Nano, ``2006-01-02 15:04:05.999``, ``2006-01-02``) → ns.

    Strings without an offset are read in the ``tz()`` zone when one is given.
    """
    m = _TIME_RE.match(text.strip())
    if not m:
        raise QueryError("invalid operation: time and *influxql.StringLiteral are not compatible")
    y, mo, d, hh, mm, ss, frac, off = m.groups()
    try:
        naive = datetime(int(y), int(mo), int(d), int(hh or 0), int(mm or 0), int(ss or 0))
    except ValueError:
        raise QueryError("invalid operation: time and *influxql.StringLiteral are not compatible") from None
    if off is None or (off != "Z" and hh is None):
        zone = ZoneInfo(tz) if tz else timezone.utc
        aware = naive.replace(tzinfo=zone)
    elif off == "Z":
        aware = naive.replace(tzinfo=timezone.utc)
    else:
        sign = 1 if off[0] == "+" else -1
        delta = timedelta(hours=int(off[1:3]), minutes=int(off[4:6]))
        aware = naive.replace(tzinfo=timezone(sign * delta))
    delta = aware - _EPOCH
    ns = (delta.days * 86400 + delta.seconds) * 1_000_000_000
    return ns + (int(frac.ljust(9, "0")) if frac else 0)


def time_value(expr: ast.Expr, now: int, tz: str | None = None) -> int:
    """Evaluate the right-hand side of a time comparison to ns."""
    if isinstance(expr, ast.ParenExpr):
        return time_value(expr.expr, now, tz)
    if isinstance(expr, ast.StringLiteral):
        return parse_time_string(expr.val, tz)
    if isinstance(expr, (ast.IntegerLiteral, ast.DurationLiteral, ast.TimeLiteral, ast.UnsignedLiteral)):
        return int(expr.val)
    if isinstance(expr, ast.NumberLiteral):
        return _saturated(expr.val)
    if isinstance(expr, ast.Call) and expr.name.lower() == "now" and not expr.args:
        return now
    if isinstance(expr, ast.BinaryExpr) and expr.op in ("+", "-"):
        if _unfoldable(expr):  # influxql's Reduce leaves it a BinaryExpr
            raise QueryError("invalid operation: time and *influxql.BinaryExpr are not compatible")
        lhs = time_value(expr.lhs, now, tz)
        rhs = time_value(expr.rhs, now, tz)
        return lhs + rhs if expr.op == "+" else lhs - rhs
    raise QueryError(f"invalid operation: time and {_go_type(expr)} are not compatible")


def _unfoldable(expr: ast.BinaryExpr) -> bool:
    """Whether a sum holds a name or a call other than now() (``now() - f``, ``time - 1``)."""
    return any(isinstance(n, ast.VarRef) or n.name.lower() != "now" for n in find(expr, (ast.VarRef, ast.Call)))


def _saturated(val: float) -> int:
    """A float as ns the way Rust's ``f64 as i64`` makes it (held at int64's bounds, NaN
    as 0): only v3 lets infinity through the parser."""
    if math.isnan(val):
        return 0
    if math.isinf(val):
        return _I64_MAX if val > 0 else -_I64_MAX - 1
    return max(-_I64_MAX - 1, min(_I64_MAX, int(val)))


_I64_MAX = 2**63 - 1


def _go_type(expr: ast.Expr) -> str:
    return f"*influxql.{type(expr).__name__}"


_FLIP = {">": "<", ">=": "<=", "<": ">", "<=": ">=", "=": "=", "!=": "!="}


def is_time_ref(expr: ast.Expr) -> bool:
    """Whether ``expr`` names the time column (any case, as influxql reads it)."""
    return isinstance(expr, ast.VarRef) and expr.name.lower() == "time"


def range_of(op: str, t: int) -> TimeRange:
    """The range of ``time <op> t`` (``invalid time comparison operator`` for another op)."""
    return TimeRange(*_bounds(op, t))


def _bounds(op: str, t: int) -> tuple[int, int]:
    if op == ">":
        return t + 1, MAX_TIME
    if op == ">=":
        return t, MAX_TIME
    if op == "<":
        return MIN_TIME, t - 1
    if op == "<=":
        return MIN_TIME, t
    if op == "=":
        return t, t
    raise QueryError(f"invalid time comparison operator: {op}")


def split_range(cond: ast.Expr | None, now: int, tz: str | None = None) -> TimeRange:
    """``split_where(cond, now, tz)[0]``, the residual not built (a plan family's members
    differ in their time strings only: query/plan/cache.py)."""
    if cond is None:
        return TimeRange()
    if isinstance(cond, ast.ParenExpr):
        return split_range(cond.expr, now, tz)
    if isinstance(cond, ast.BinaryExpr):
        if cond.op in ("AND", "OR"):
            return split_range(cond.lhs, now, tz).intersect(split_range(cond.rhs, now, tz))
        if is_time_ref(cond.lhs) and cond.op in _FLIP:
            return range_of(cond.op, time_value(cond.rhs, now, tz))
        if is_time_ref(cond.rhs) and cond.op in _FLIP:
            return range_of(_FLIP[cond.op], time_value(cond.lhs, now, tz))
    return TimeRange()


def time_operands(cond: ast.Expr | None, path: tuple = ()):
    """The paths (field names from ``cond``) of the operands :func:`split_where` reads as times."""
    for operand, op in time_comparisons(cond, path):
        if op is not None:
            yield operand


def time_comparisons(cond: ast.Expr | None, path: tuple = ()):
    """(:func:`time_operands`' path, the operator with time on its left) of each time
    comparison, in the order :func:`split_range` reads them; (path, None) of each other
    operand of AND and OR (its range is every time)."""
    if isinstance(cond, ast.ParenExpr):
        yield from time_comparisons(cond.expr, path + ("expr",))
    elif isinstance(cond, ast.BinaryExpr) and cond.op in ("AND", "OR"):
        yield from time_comparisons(cond.lhs, path + ("lhs",))
        yield from time_comparisons(cond.rhs, path + ("rhs",))
    elif isinstance(cond, ast.BinaryExpr) and is_time_ref(cond.lhs) and cond.op in _FLIP:
        yield path + ("rhs",), cond.op
    elif isinstance(cond, ast.BinaryExpr) and is_time_ref(cond.rhs) and cond.op in _FLIP:
        yield path + ("lhs",), _FLIP[cond.op]
    elif cond is not None:
        yield path, None


def time_sites(cond: ast.Expr | None) -> tuple:
    """:func:`time_comparisons` for :func:`range_at`: the time comparisons, and one other
    operand if there are any (one stands for all: each ranges over every time)."""
    found = tuple(time_comparisons(cond))
    times = tuple(c for c in found if c[1] is not None)
    other = next((c for c in found if c[1] is None), None)
    return times if other is None else (*times, other)


def range_at(cond: ast.Expr, comparisons: tuple, now: int, tz: str | None = None) -> TimeRange:
    """:func:`split_range` of a condition whose operands are ``comparisons``
    (:func:`time_sites` of any condition of its shape: a plan family's members differ in
    their literals only), without walking it: only the time operands are read. (Bounds are
    intersected as split_range does: a lone comparison's bound past int64 is kept.)"""
    if not comparisons:
        return TimeRange()
    start, end = [], []
    for path, op in comparisons:
        if op is None:
            lo, hi = MIN_TIME, MAX_TIME
        else:
            node = cond
            for name in path:
                node = getattr(node, name)
            lo, hi = _bounds(op, time_value(node, now, tz))
        start.append(lo)
        end.append(hi)
    return TimeRange(max(start), min(end))


_BOUND_CODE = {">": ("{t} + 1", "_MAX"), ">=": ("{t}", "_MAX"), "<": ("_MIN", "{t} - 1"), "<=": ("_MIN", "{t}"),
               "=": ("{t}", "{t}")}  # (_bounds as code; another operator calls it, which raises)


def range_reader(comparisons: tuple):
    """``lambda cond, now, tz=None: range_at(cond, comparisons, now, tz)`` as generated
    straight-line code (the plan cache reads each new text's range with it: no walk, no
    lists, a time string parsed without time_value's dispatch)."""
    lines, starts, ends = ["def read(cond, now, tz=None):"], [], []
    for k, (path, op) in enumerate(comparisons):
        if op is None:
            starts.append("_MIN")
            ends.append("_MAX")
            continue
        if not all(step.isidentifier() for step in path):
            return lambda cond, now, tz=None: range_at(cond, comparisons, now, tz)
        lines += [f"    v{k} = cond{''.join('.' + step for step in path)}",
                  f"    t{k} = _parse(v{k}.val, tz) if v{k}.__class__ is _S else _value(v{k}, now, tz)"]
        if op in _BOUND_CODE:
            lo, hi = (code.format(t=f"t{k}") for code in _BOUND_CODE[op])
        else:
            lines.append(f"    lo{k}, hi{k} = _bounds({op!r}, t{k})")
            lo, hi = f"lo{k}", f"hi{k}"
        starts.append(lo)
        ends.append(hi)
    lines.append(f"    return _TR({_fold('max', starts)}, {_fold('min', ends)})" if starts else "    return _TR()")
    scope = {"_TR": TimeRange, "_MIN": MIN_TIME, "_MAX": MAX_TIME, "_S": ast.StringLiteral,
             "_parse": parse_time_string, "_value": time_value, "_bounds": _bounds}
    exec("\n".join(lines), scope)  # noqa: S102 - made of field names and operators from _FLIP
    return scope["read"]


def _fold(fn: str, parts: list[str]) -> str:
    return parts[0] if len(parts) == 1 else f"{fn}({', '.join(parts)})"


def split_where(cond: ast.Expr | None, now: int, tz: str | None = None
                ) -> tuple[TimeRange, ast.Expr | None]:
    """(time range, condition without its time comparisons)."""
    if cond is None:
        return TimeRange(), None
    if isinstance(cond, ast.ParenExpr):
        tr, rest = split_where(cond.expr, now, tz)
        return tr, (ast.ParenExpr(rest) if rest is not None else None)
    if isinstance(cond, ast.BinaryExpr):
        if cond.op in ("AND", "OR"):
            ltr, lrest = split_where(cond.lhs, now, tz)
            rtr, rrest = split_where(cond.rhs, now, tz)
            tr = ltr.intersect(rtr)
            if lrest is None:
                return tr, rrest
            if rrest is None:
                return tr, lrest
            return tr, ast.BinaryExpr(cond.op, lrest, rrest)
        if is_time_ref(cond.lhs) and cond.op in _FLIP:
            return range_of(cond.op, time_value(cond.rhs, now, tz)), None
        if is_time_ref(cond.rhs) and cond.op in _FLIP:
            return range_of(_FLIP[cond.op], time_value(cond.lhs, now, tz)), None
    return TimeRange(), cond
