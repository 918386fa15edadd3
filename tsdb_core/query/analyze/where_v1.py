"""influxd 1.6.7's ConditionExpr over a SELECT's WHERE, run twice as its compiler runs it.

Compile (preprocess) splits the time comparisons off (getTimeRange: the value side reduced,
then the operator checked: ``time + 1`` is ``invalid time comparison operator: +``) and reduces
every other operand with now() substituted (``1 + 2`` is ``3``, ``now() - 1h`` a time literal);
validateCondition then checks its calls. Prepare runs ConditionExpr again over what is left,
once the fields' types pass: only then is an operand left a literal other than a boolean refused
(``invalid condition expression: 3``), and a time comparison that reducing laid bare
(``(time) > 5``) taken off without its range (the first pass's stands). A subquery's condition
is kept reduced with the MathValuer too, and its second pass narrows its range.
"""
from __future__ import annotations

import math
from dataclasses import dataclass

from ...base.errors import QueryError
from ...influxql import ast
from .compile import validate_condition
from .fold_time_v1 import is_time_string
from .reduce_v1 import reduce_binary, reduce_condition
from .time_range import TimeRange, is_time_ref, parse_time_string, range_of
from .types_v1 import go_text

_SWAP = {">": "<", "<": ">", ">=": "<=", "<=": ">="}
_TIME_VALUES = (ast.TimeLiteral, ast.DurationLiteral, ast.IntegerLiteral)


@dataclass(frozen=True, slots=True)
class Where:
    """A WHERE as influxd compiles it: the time range, the rest (None: no condition) and the
    refusal Prepare words, which the planner raises once the fields pass (None: none)."""

    time_range: TimeRange
    condition: ast.Expr | None
    refusal: QueryError | None = None


def read_where(stmt, now: int, subquery: bool) -> Where:
    """``stmt``'s WHERE read by both passes (``subquery``: the statement is one)."""
    time_range, cond = _top(*_split(stmt.condition, now, stmt.location, False))
    validate_condition(cond, influxd=True)
    if subquery:
        cond = reduce_condition(stmt.condition, now, stmt.location, math=True)
    try:
        later_range, cond = _top(*_split(ast.unparen(cond), None, stmt.location, True))
    except QueryError as e:
        return Where(time_range, None, e)
    return Where(time_range.intersect(later_range) if subquery else time_range, cond)


def _top(time_range: TimeRange, cond):
    """ConditionExpr's result: top-level parentheses off, ``true`` no condition."""
    if type(cond) is ast.ParenExpr:
        cond = cond.expr
    return time_range, None if type(cond) is ast.BooleanLiteral and cond.val else cond


def _split(e, now: int | None, tz: str | None, reduced: bool) -> tuple[TimeRange, ast.Expr | None]:
    """influxql conditionExpr: (time range, the rest reduced) of ``e`` (``reduced``: its
    operands are already: Reduce leaves them as they are)."""
    kind = type(e)
    if kind is ast.BinaryExpr:
        if e.op == "AND" or e.op == "OR":
            ltr, lhs = _split(e.lhs, now, tz, reduced)
            rtr, rhs = _split(e.rhs, now, tz, reduced)
            tr = ltr.intersect(rtr)
            if lhs is None or rhs is None:
                return tr, rhs if lhs is None else lhs
            if lhs is e.lhs and rhs is e.rhs and not (type(lhs) is ast.BooleanLiteral or type(rhs) is ast.BooleanLiteral):
                return tr, e
            return tr, reduce_binary(e.op, lhs, rhs, None)
        if is_time_ref(e.lhs):
            return _time_range(e.op, e.rhs, now, tz), None
        if is_time_ref(e.rhs):
            return _time_range(_SWAP.get(e.op, e.op), e.lhs, now, tz), None
        return TimeRange(), e if reduced else reduce_condition(e, now, tz)
    if kind is ast.ParenExpr:
        tr, inner = _split(e.expr, now, tz, reduced)
        if type(inner) is ast.BinaryExpr:
            return tr, e if inner is e.expr else ast.ParenExpr(inner)
        return tr, inner
    if kind is ast.BooleanLiteral or e is None:
        return TimeRange(), e
    raise QueryError(f"invalid condition expression: {go_text(e)}")


def _time_range(op: str, value, now: int | None, tz: str | None) -> TimeRange:
    """influxql getTimeRange: the value first (a time string parsed, else reduced to a time,
    a duration or a number), then the operator."""
    if type(value) is ast.StringLiteral and is_time_string(value.val):
        try:
            t = parse_time_string(value.val, tz)
        except QueryError:
            raise QueryError("invalid timestamp string") from None
        return range_of(op, t)
    lit = ast.unparen(reduce_condition(value, now, tz))
    if isinstance(lit, _TIME_VALUES):
        return range_of(op, lit.val)
    if type(lit) is ast.NumberLiteral:  # Go's int64(float) (amd64: out of range is MinInt64)
        v = lit.val
        return range_of(op, int(v) if math.isfinite(v) and abs(v) < 2.0**63 else -(1 << 63))
    raise QueryError(f"invalid operation: time and *influxql.{type(lit).__name__} are not compatible")
