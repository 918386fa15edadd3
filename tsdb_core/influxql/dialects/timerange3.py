"""InfluxDB 3's reading of a WHERE clause's time comparisons, for its error messages.

Follows ``time_range.rs`` of the crate ``influxdb_influxql_parser`` (split_cond,
reduce_time_expr and the reduce_binary_lhs_* functions): the expression compared with
``time`` is folded to a timestamp, and what cannot be folded is refused in v3's words, the
expression printed as v3's ``Display`` prints it (``display``: durations in their largest
units below themselves, ``1s`` as ``1000ms``; strings single-quoted; floats as Rust prints
them). Only the messages matter here: the 1.x engine computes the range itself.
"""
from __future__ import annotations

import dataclasses
import datetime as _dt
import math
import re
from decimal import Decimal
from zoneinfo import ZoneInfo

from ..ast import expr as A
from .select3 import KEYWORDS

I64 = 2**63 - 1
_DIVISORS = ((7 * 86400 * 10**9, "w"), (86400 * 10**9, "d"), (3600 * 10**9, "h"), (60 * 10**9, "m"),
             (10**9, "s"), (10**6, "ms"), (10**3, "u"), (1, "ns"))  # literal.rs DIVISORS
_COMPARE = frozenset(("=", ">", ">=", "<", "<="))
_SPACE_TIME = re.compile(r"(\d{4})-(\d{1,2})-(\d{1,2}) (\d{1,2}):(\d{1,2}):(\d{1,2})(\.\d{1,9})?")
_RFC3339 = re.compile(r"(\d{4})-(\d{1,2})-(\d{1,2})T(\d{1,2}):(\d{1,2}):(\d{1,2})(\.\d{1,9})?(Z|[+-]\d\d:\d\d)")
_DATE = re.compile(r"(\d{4})-(\d{1,2})-(\d{1,2})")
_IDENT = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
_EPOCH = _dt.datetime(1970, 1, 1)


class ExprError(Exception):
    """time_range.rs ExprError::Expression (and Internal, which a binary expression rewraps)."""


# A timestamp is (ns since the epoch, its UTC offset in seconds), as chrono's DateTime<FixedOffset>:
# one read in a tz('...') zone keeps that zone's offset, which v3's messages print.


def fold_error(other, now: int, tz: str | None = None) -> str | None:
    """v3's message when the expression compared with ``time`` does not fold to a timestamp
    in range (split_cond: reduce_time_expr, then timestamp_nanos_opt), else None; ``tz``: the
    statement's ``tz('...')`` zone, in which timestamp strings are read."""
    try:
        ts, offset = _reduce_time(other, now, tz)
    except ExprError as e:
        return str(e)
    if not -I64 - 1 <= ts <= I64:
        return f"timestamp out of range: {_chrono(ts, offset)}"
    return None


def reduce_time(e, now: int, tz: str | None = None) -> int:
    """reduce_time_expr: the timestamp (ns) ``e`` folds to."""
    return _reduce_time(e, now, tz)[0]


def _reduce_time(e, now: int, tz: str | None):
    kind, v = _reduce(e, now, tz)
    if kind == "str":
        try:
            return parse_timestamp(v, tz)
        except ExprError as err:
            raise ExprError(f'invalid expression "{display(e)}": {err}') from None
    return v if kind == "ts" else (as_i64(v) if kind == "float" else v, 0)


def _reduce(e, now: int, tz: str | None):
    if isinstance(e, A.BinaryExpr) and e.op.upper() not in ("AND", "OR") and e.op not in _COMPARE:
        try:
            return _binary(_reduce(e.lhs, now, tz), e.op, _reduce(e.rhs, now, tz), tz)
        except ExprError as err:
            raise ExprError(f'invalid expression "{display(e)}": {err}') from None
    if isinstance(e, A.Call):
        if e.name.lower() == "now":
            return "ts", (now, 0)
        raise ExprError(f"invalid function call '{e.name}'")
    if isinstance(e, A.ParenExpr):
        return _reduce(e.expr, now, tz)
    if isinstance(e, A.TimeLiteral):
        return "ts", (e.val, 0)
    kind = {A.IntegerLiteral: "int", A.NumberLiteral: "float", A.StringLiteral: "str",
            A.DurationLiteral: "dur"}.get(type(e))
    if kind is not None:
        return kind, e.val
    if isinstance(e, A.Literal):
        raise ExprError(f"found literal '{display(e)}', expected duration, float, integer, or timestamp string")
    raise ExprError(f"found symbol '{display(e)}', expected now() or a literal duration, float, integer and "
                    "timestamp string")


def _binary(lhs, op: str, rhs, tz: str | None):
    kind, v = lhs
    if kind == "dur":
        return _lhs_duration(v, op, rhs, tz)
    if kind == "int":
        if rhs[0] == "float":
            return _lhs_float(float(v), op, rhs)
        if rhs[0] == "int":
            return "int", _int_op(v, op, rhs[1])
        if rhs[0] == "dur":
            return _lhs_timestamp((v, 0), op, rhs, tz)  # nanos_to_timestamp: UTC
        if rhs[0] == "str":
            return _lhs_duration(v, op, ("ts", parse_timestamp(rhs[1], tz)), tz)
        raise ExprError("invalid integer expression")
    if kind == "float":
        return _lhs_float(v, op, rhs)
    if kind == "ts":
        return _lhs_timestamp(v, op, rhs, tz)
    if rhs[0] == "str" and op == "+":
        return "str", v + rhs[1]
    if rhs[0] in ("str", "dur", "ts", "int"):
        return _lhs_timestamp(parse_timestamp(v, tz), op, rhs, tz)
    raise ExprError(f"found '{_show(rhs)}', expected duration, integer or timestamp string")


def _lhs_duration(v: int, op: str, rhs, tz: str | None):
    kind, r = rhs
    if kind == "dur":
        if op not in "+-":
            raise ExprError(f"found operator '{op}', expected +, -")
        out = v + r if op == "+" else v - r
        if not -I64 - 1 <= out <= I64:
            raise ExprError("overflow")
        return "dur", out
    if kind == "float":
        return _lhs_duration(v, op, ("int", as_i64(r)), tz)
    if kind == "int":
        if op not in "*/":
            raise ExprError(f"found operator '{op}', expected *, /")
        return "dur", v * r if op == "*" else _int_op(v, "/", r)
    if kind == "ts" and op == "+":
        return "ts", (r[0] + v, r[1])
    if kind == "str":
        return _lhs_duration(v, op, ("ts", parse_timestamp(r, tz)), tz)
    raise ExprError(f"unexpected literal '{_show(rhs)}' for duration expression")


def _lhs_float(v: float, op: str, rhs):
    """reduce_binary_lhs_float: BinaryOperator::try_reduce takes + - * / % (reduce_number: a
    division by zero is zero, ``%`` is Rust's remainder, NaN by zero), not the bitwise ones."""
    if rhs[0] not in ("float", "int"):
        raise ExprError("invalid float expression")
    r = float(rhs[1])
    if op not in "+-*/%":
        raise ExprError("invalid operator for float expression")
    if op in "/%" and r == 0:
        return "float", 0.0 if op == "/" else math.nan
    return "float", {"+": v + r, "-": v - r, "*": v * r, "/": v / r if r else 0.0, "%": math.fmod(v, r)}[op]


def as_i64(v: float) -> int:
    """Rust's ``f64 as i64``: truncated towards zero, saturated at i64's bounds, NaN as 0."""
    if math.isnan(v):
        return 0
    if math.isinf(v):
        return I64 if v > 0 else -I64 - 1
    return max(-I64 - 1, min(I64, int(v)))


def _lhs_timestamp(v: tuple[int, int], op: str, rhs, tz: str | None):
    kind, r = rhs
    if kind == "dur":
        if op not in "+-":
            raise ExprError(f"invalid operator '{op}' for timestamp and duration: expected +, -")
        return "ts", (v[0] + r if op == "+" else v[0] - r, v[1])
    if kind == "int":
        return _lhs_timestamp(v, op, ("dur", int(r)), tz)
    if kind == "ts":
        return _lhs_timestamp(v, op, ("dur", _nanos(r[0])), tz)
    if kind == "str":
        return _lhs_timestamp(v, op, ("dur", _nanos(parse_timestamp(r, tz)[0])), tz)
    raise ExprError(f"invalid expression '{_show(rhs)}': expected duration, integer or timestamp string")


def _nanos(ns: int) -> int:
    """expr_to_duration: a timestamp as nanoseconds, refused past i64 (chrono's timestamp_nanos_opt)."""
    if not -I64 - 1 <= ns <= I64:
        raise ExprError("timestamp out of range")
    return ns


def _int_op(a: int, op: str, b: int) -> int:
    """BinaryOperator::reduce on i64 (division truncates towards zero)."""
    if op in "/%" and b == 0:
        return 0
    if op == "/":
        q = abs(a) // abs(b)
        return q if (a >= 0) == (b >= 0) else -q
    if op == "%":
        return a - b * _int_op(a, "/", b)
    return {"+": a + b, "-": a - b, "*": a * b, "&": a & b, "|": a | b, "^": a ^ b}.get(op, 0)


def parse_timestamp(s: str, tz: str | None = None) -> tuple[int, int]:
    """timestamp.rs parse_timestamp: ``Y-m-d H:M:S[.f]``, RFC 3339, ``Y-m-d``; (ns, offset s).
    Without ``tz`` a time without offset is UTC and the result is UTC; with it such a time is
    read in the zone (the earliest reading where clocks went back, none where they skipped
    it: not a valid timestamp) and the result keeps the zone's offset at that instant."""
    m = _SPACE_TIME.fullmatch(s) or _RFC3339.fullmatch(s) or _DATE.fullmatch(s)
    try:
        if m is None:
            raise ValueError
        parts = [int(x) for x in m.groups()[:6] if x is not None]
        when = _dt.datetime(*parts)
    except ValueError:
        raise ExprError(f"'{s}' is not a valid timestamp") from None
    groups = m.groups()
    frac = int(groups[6][1:].ljust(9, "0")) if len(groups) > 6 and groups[6] else 0
    zone = groups[7] if len(groups) > 7 else None
    if zone is None:
        seconds, offset = _local(when, tz, s)
    else:
        offset = 0 if zone == "Z" else (1 if zone[0] == "+" else -1) * (int(zone[1:3]) * 3600 + int(zone[4:6]) * 60)
        seconds = (when - _EPOCH) // _dt.timedelta(seconds=1) - offset
        offset = _offset_at(seconds, tz)
    return seconds * 10**9 + frac, offset


def _local(when: _dt.datetime, tz: str | None, s: str) -> tuple[int, int]:
    """A wall-clock time read in ``tz`` (UTC without one): chrono's from_local_datetime(...).earliest()."""
    if tz is None:
        return (when - _EPOCH) // _dt.timedelta(seconds=1), 0
    zone = ZoneInfo(tz)
    first = when.replace(tzinfo=zone, fold=0)
    if first.astimezone(_dt.timezone.utc).astimezone(zone).replace(tzinfo=None) != when:
        raise ExprError(f"'{s}' is not a valid timestamp")  # skipped by a clock change
    offset = int(first.utcoffset().total_seconds())
    return (when - _EPOCH) // _dt.timedelta(seconds=1) - offset, offset


def _offset_at(seconds: int, tz: str | None) -> int:
    """The zone's UTC offset at an instant (0 without a zone)."""
    if tz is None:
        return 0
    instant = _dt.datetime(1970, 1, 1, tzinfo=_dt.timezone.utc) + _dt.timedelta(seconds=seconds)
    return int(instant.astimezone(ZoneInfo(tz)).utcoffset().total_seconds())


def _chrono(ns: int, offset: int = 0) -> str:
    """chrono's Display of a DateTime<FixedOffset> (``0001-01-01 00:00:00 +00:00``): local time, offset."""
    secs, frac = divmod(ns + offset * 10**9, 10**9)
    when = _EPOCH + _dt.timedelta(seconds=secs)
    return f"{when.year:04d}-{when:%m-%d %H:%M:%S}{_fraction(frac)} {_offset(offset)}"


def _fraction(frac: int) -> str:
    """chrono's automatic fraction (AutoSi): none, 3, 6 or 9 digits, as few as hold it."""
    if not frac:
        return ""
    digits = f"{frac:09d}"
    return "." + (digits[:3] if frac % 10**6 == 0 else digits[:6] if frac % 1000 == 0 else digits)


def _offset(offset: int) -> str:
    sign = "-" if offset < 0 else "+"
    hours, minutes = divmod(abs(offset) // 60, 60)
    return f"{sign}{hours:02d}:{minutes:02d}"


def _show(value) -> str:
    """Display of a folded literal (a timestamp: chrono's to_rfc3339, AutoSi)."""
    kind, v = value
    if kind == "ts":
        secs, frac = divmod(v[0] + v[1] * 10**9, 10**9)
        when = _EPOCH + _dt.timedelta(seconds=secs)
        return f"{when.year:04d}-{when:%m-%dT%H:%M:%S}{_fraction(frac)}{_offset(v[1])}"
    return display({"int": A.IntegerLiteral, "float": A.NumberLiteral, "str": A.StringLiteral,
                    "dur": A.DurationLiteral}[kind](v))


def display(e) -> str:
    """An expression as v3's ``Display`` prints it (expression/arithmetic.rs, literal.rs)."""
    if isinstance(e, A.BinaryExpr):
        return f"{display(e.lhs)} {e.op} {display(e.rhs)}"
    if isinstance(e, A.ParenExpr):
        return f"({display(e.expr)})"
    if isinstance(e, A.Call):
        return f"{e.name}({', '.join(display(a) for a in e.args)})"
    if isinstance(e, A.VarRef):
        return _identifier(e.name) + (f"::{e.type}" if e.type else "")
    if isinstance(e, A.StringLiteral):
        escaped = e.val.replace("\\", "\\\\").replace("\n", "\\n").replace("'", "\\'").replace('"', '\\"')
        return f"'{escaped}'"
    if isinstance(e, A.DurationLiteral):
        return _duration(e.val)
    if isinstance(e, A.NumberLiteral):
        return _float(e.val)
    if isinstance(e, A.BooleanLiteral):
        return "true" if e.val else "false"
    if isinstance(e, A.RegexLiteral):
        return "/" + e.val.replace("/", "\\/") + "/"
    if isinstance(e, A.BoundParameter):
        return "$" + e.name
    return str(e)


def _identifier(name: str) -> str:
    """identifier.rs Display for Identifier: bare unless a keyword of keywords.rs (``TRUE``,
    ``FALSE`` are not) or not an unquoted identifier; ``\\``, ``"`` and newline escaped."""
    if _IDENT.fullmatch(name) and name.upper() not in KEYWORDS:
        return name
    return '"' + name.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n") + '"'


identifier = _identifier  # the public name (aggexpr3.py)


def _duration(v: int) -> str:
    """literal.rs Display for Duration: the units strictly below the value, largest first."""
    if v == 0:
        return "0s"
    sign, v = ("-", -v) if v < 0 else ("", v)
    out, rest = [], v
    for div, unit in _DIVISORS:
        if v > div and rest // div:
            out.append(f"{rest // div}{unit}")
            rest -= rest // div * div
    return sign + "".join(out)


def _float(v: float) -> str:
    """Rust's ``{}`` of an f64: shortest round trip, no exponent, no ``.0``."""
    if math.isnan(v):
        return "NaN"
    if v in (float("inf"), float("-inf")):
        return "inf" if v > 0 else "-inf"
    text = repr(v)
    if "e" in text:
        text = format(Decimal(text), "f")
    return text.removesuffix(".0")


def interval_offset(stmt, now: int) -> tuple[int, int | None] | str | None:
    """rewriter.rs find_interval_offset: the GROUP BY time(...) interval and offset as
    nanoseconds (each argument folded by duration_expr_to_nanoseconds, timestamp strings read
    in the statement's zone), v3's message when one does not fold, None without GROUP BY time.
    The interval's integers are unsigned literals in v3's grammar (select.rs
    TimeCallIntervalArgument), which reduce_expr refuses."""
    call = next((d.expr for d in stmt.dimensions if _is_time_call(d.expr)), None)
    if call is None or not call.args or not all(_operands(a, i == 1) for i, a in enumerate(call.args[:2])):
        return None
    out = []
    for i, arg in enumerate(call.args[:2]):
        try:
            out.append(_duration_ns(_unsigned(arg) if i == 0 else arg, now, stmt.location))
        except ExprError as e:
            return str(e)
    return out[0], out[1] if len(out) > 1 else None


def _operands(e, offset: bool) -> bool:
    """Whether v3's grammar takes ``e`` as a time(...) argument (select.rs: an interval's
    operands are durations and unsigned integers, an offset's durations, strings and now());
    what it does not take is left to the grammar's words."""
    if isinstance(e, A.BinaryExpr):
        return _operands(e.lhs, offset) and _operands(e.rhs, offset)
    if isinstance(e, A.ParenExpr):
        return _operands(e.expr, offset)
    if offset:
        return isinstance(e, (A.DurationLiteral, A.StringLiteral)) or (
            isinstance(e, A.Call) and e.name.lower() == "now" and not e.args)
    return isinstance(e, A.DurationLiteral) or (isinstance(e, A.IntegerLiteral) and e.val >= 0)


def _unsigned(e):
    if isinstance(e, A.IntegerLiteral):
        return A.UnsignedLiteral(e.val)
    if isinstance(e, A.BinaryExpr):
        return A.BinaryExpr(e.op, _unsigned(e.lhs), _unsigned(e.rhs))
    if isinstance(e, A.ParenExpr):
        return A.ParenExpr(_unsigned(e.expr))
    return e


def _duration_ns(e, now: int, tz: str | None) -> int:
    """time_range.rs duration_expr_to_nanoseconds."""
    return _nanos(_reduce_time(e, now, tz)[0])


def fold_time_call(stmt, now: int):
    """``stmt`` with its GROUP BY time(...) arguments that are expressions or timestamp strings
    (v3 folds them) as duration literals, in it and its subqueries; as it is otherwise (also
    when the interval is not positive: left to the engine's words)."""
    sources = tuple(_fold_subquery(s, now) if isinstance(s, A.SubQuery) else s for s in stmt.sources)
    found = interval_offset(stmt, now)
    dims = stmt.dimensions
    if isinstance(found, tuple) and found[0] > 0:
        dims = tuple(A.Dimension(A.Call(d.expr.name, tuple(map(_folded, d.expr.args, found))))
                     if _is_time_call(d.expr) else d for d in dims)
    if dims == stmt.dimensions and all(a is b for a, b in zip(sources, stmt.sources)):
        return stmt  # the parse cache's object itself: the plan cache knows it by its id
    return dataclasses.replace(stmt, sources=sources, dimensions=dims)


def _fold_subquery(src, now: int):
    inner = fold_time_call(src.statement, now)
    return src if inner is src.statement else dataclasses.replace(src, statement=inner)


def _folded(arg, ns: int):
    kept = isinstance(arg, A.DurationLiteral) or (isinstance(arg, A.Call) and arg.name.lower() == "now")
    return arg if kept else A.DurationLiteral(ns)


def _is_time_call(e) -> bool:
    return isinstance(e, A.Call) and e.name.lower() == "time"
