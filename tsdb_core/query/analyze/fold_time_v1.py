"""influxql's Reduce (influxd 1.6.7) of a binary expression with a time side: the cases of
reduceBinaryExpr{Duration,Integer,String,Time}LHS that involve a duration, a time or a string
read as a time, as ConditionExpr reduces a WHERE (``now() - 1h`` a time literal, ``1s * 2`` a
duration, ``'2020-01-01T00:00:00Z' < '2021-01-01'`` true). Go's int64 arithmetic wraps.
"""
from __future__ import annotations

import re

from ...base.errors import QueryError
from ...influxql import ast
from .time_range import parse_time_string

I64 = 1 << 64  # Go's int64 arithmetic wraps modulo this
_TIME_LIKE = re.compile(r"\d{4}-\d{2}-\d{2}(?:.+)?\Z", re.S)  # influxql IsTimeLiteral's two patterns
COMPARE = {"=": lambda a, b: a == b, "!=": lambda a, b: a != b, ">": lambda a, b: a > b,
          ">=": lambda a, b: a >= b, "<": lambda a, b: a < b, "<=": lambda a, b: a <= b}
_TIMEISH = (ast.DurationLiteral, ast.TimeLiteral)


def wrap64(v: int) -> int:
    """``v`` as Go's int64 arithmetic leaves it (wrapped)."""
    v %= I64
    return v - I64 if v >= I64 // 2 else v


def is_time_string(s: str) -> bool:
    """influxql StringLiteral.IsTimeLiteral."""
    return _TIME_LIKE.match(s) is not None


def as_time(lit: ast.StringLiteral, tz: str | None) -> ast.TimeLiteral | None:
    """StringLiteral.ToTimeLiteral, None where it fails."""
    if not is_time_string(lit.val):
        return None
    try:
        return ast.TimeLiteral(parse_time_string(lit.val, tz))
    except QueryError:
        return None


def fold_time(op: str, lhs, rhs, tz: str | None):
    """The literal Reduce makes of ``lhs op rhs`` where a time or duration takes part, or None
    (the other cases, or none applies: influxql leaves the expression)."""
    lt, rt = type(lhs), type(rhs)
    if lt is ast.DurationLiteral:
        return _duration_lhs(op, lhs.val, rhs, tz)
    if lt is ast.TimeLiteral:
        return _time_lhs(op, lhs.val, rhs, tz)
    if lt is ast.IntegerLiteral:
        if rt is ast.DurationLiteral and op in ("+", "-"):  # the integer a timestamp
            return ast.TimeLiteral(wrap64(lhs.val + (rhs.val if op == "+" else -rhs.val)))
        if rt is ast.TimeLiteral or rt is ast.StringLiteral:  # the integer a duration
            return _duration_lhs(op, lhs.val, rhs, tz)
        return None
    if lt is not ast.StringLiteral:
        return None
    if rt is ast.NilLiteral:
        return ast.BooleanLiteral(False) if op in ("=", "!=") else None
    if rt is ast.StringLiteral:
        if op == "+":
            return None
        if op in ("=", "!="):  # two time strings compare as times
            if not (is_time_string(lhs.val) and is_time_string(rhs.val)):
                return None
            a, b = as_time(lhs, tz), as_time(rhs, tz)
            return None if a is None or b is None else ast.BooleanLiteral(COMPARE[op](a.val, b.val))
    if rt in (ast.StringLiteral, ast.DurationLiteral, ast.TimeLiteral, ast.IntegerLiteral):
        t = as_time(lhs, tz)
        return None if t is None else _time_lhs(op, t.val, rhs, tz)
    return None


def _duration_lhs(op: str, d: int, rhs, tz):
    rt = type(rhs)
    if rt is ast.DurationLiteral:
        if op in ("+", "-"):
            return ast.DurationLiteral(wrap64(d + rhs.val if op == "+" else d - rhs.val))
        return ast.BooleanLiteral(COMPARE[op](d, rhs.val)) if op in COMPARE else None
    if rt is ast.NumberLiteral or rt is ast.IntegerLiteral:
        n = int(rhs.val) if rhs.val == rhs.val and abs(rhs.val) < 2**63 else 0
        if op == "*":
            return ast.DurationLiteral(wrap64(d * n))
        if op == "/" and (rhs.val == 0 or n):  # (a fraction of 1 divides by zero: Go panics)
            return ast.DurationLiteral(0 if rhs.val == 0 else wrap64(_go_div(d, n)))
        return None
    if rt is ast.TimeLiteral:
        return ast.TimeLiteral(wrap64(rhs.val + d)) if op == "+" else None
    if rt is ast.StringLiteral:
        t = as_time(rhs, tz)
        return None if t is None else _duration_lhs(op, d, t, tz)
    return ast.BooleanLiteral(False) if rt is ast.NilLiteral else None


def _time_lhs(op: str, t: int, rhs, tz):
    rt = type(rhs)
    if rt is ast.DurationLiteral or rt is ast.IntegerLiteral:
        if op in ("+", "-"):
            return ast.TimeLiteral(wrap64(t + rhs.val if op == "+" else t - rhs.val))
        return None
    if rt is ast.TimeLiteral:
        if op == "-":
            return ast.DurationLiteral(wrap64(t - rhs.val))
        return ast.BooleanLiteral(COMPARE[op](t, rhs.val)) if op in COMPARE else None
    if rt is ast.StringLiteral:
        other = as_time(rhs, tz)
        return None if other is None else _time_lhs(op, t, other, tz)
    return ast.BooleanLiteral(False) if rt is ast.NilLiteral else None


def _go_div(a: int, b: int) -> int:
    """Go's integer division: truncated toward zero."""
    q = abs(a) // abs(b)
    return q if (a < 0) == (b < 0) else -q
