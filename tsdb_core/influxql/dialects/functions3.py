"""InfluxDB 3's checks of a SELECT's fields (iox_query_influxql ``plan/rewriter.rs``,
``FieldChecker`` and ``select_statement_info``), in its words.

v3 makes these checks while rewriting the statement, before planning, so they come before
the planner's ``Invalid function`` for the functions it knows but does not run. The order of
the checks, and the counts they keep, follow rewriter.rs; arguments it prints with Rust's
``{:?}`` are printed as Rust prints v3's expression tree (rust_debug.py).
"""
from __future__ import annotations

import time

from ..ast import expr as A
from ..ast import select as S
from . import topstar3
from .rust_debug import debug, duration
from .splitcond3 import split_cond_error
from .timerange3 import interval_offset

_MATH = {"abs", "sin", "cos", "tan", "asin", "acos", "atan", "atan2", "exp", "log", "ln", "log2", "log10",
         "sqrt", "pow", "floor", "ceil", "round"}  # functions.rs is_scalar_math_function
_MATH_TWO = {"atan2", "pow", "log"}
_SELECTORS = {"max", "min", "first", "last"}
_AGGREGATES = {"count", "sum", "mean", "median", "mode", "stddev", "spread", "sum_hll"}
_EMA = {"exponential_moving_average", "double_exponential_moving_average", "triple_exponential_moving_average",
        "relative_strength_index", "triple_exponential_derivative"}


class Refused(Exception):
    """error::query (a planning error), or error::not_implemented when ``not_implemented``."""

    def __init__(self, message: str, not_implemented: bool = False):
        self.message, self.not_implemented = message, not_implemented


def _count(name: str, args, want: int) -> None:
    if len(args) != want:
        raise Refused(f"invalid number of arguments for {name}, expected {want}, got {len(args)}")


def _range(name: str, args, lo: int, hi: int) -> None:
    if not lo <= len(args) <= hi:
        raise Refused(f"invalid number of arguments for {name}, expected at least {lo} but no more than {hi}, "
                      f"got {len(args)}")


def _integer(name: str, args, pos: int, optional: bool = False) -> int | None:
    """rewriter.rs lit_integer!: an integer literal argument."""
    if optional and pos >= len(args):
        return None
    arg = args[pos]
    if isinstance(arg, A.IntegerLiteral):
        return arg.val
    raise Refused(f"expected integer argument in {name}()")


def _string(name: str, args, pos: int) -> str | None:
    """rewriter.rs lit_string!: an optional string literal argument."""
    if pos >= len(args):
        return None
    if isinstance(args[pos], A.StringLiteral):
        return args[pos].val
    raise Refused(f"expected string argument in {name}()")


def _symbol(expr) -> bool:
    """A field or tag reference once v3 has expanded wildcards and regexes."""
    return isinstance(expr, (A.VarRef, A.Wildcard, A.RegexLiteral))


class FieldChecker:
    """rewriter.rs FieldChecker: one per SELECT; ``check_fields`` raises :class:`Refused`."""

    def __init__(self, stmt: S.SelectStatement):
        self.has_group_by_time = any(isinstance(d.expr, A.Call) and d.expr.name.lower() == "time"
                                     for d in stmt.dimensions)
        self.fill = stmt.fill
        self.has_top_bottom = self.has_non_aggregate_fields = self.has_distinct = False
        self.aggregates = self.windows = self.selectors = 0

    def check_fields(self, fields) -> None:
        for f in fields:
            self.check_expr(f.expr)
        functions = self.aggregates + self.windows + self.selectors
        if functions == 0:
            # See: influxdb query/compile.go: FILL(none) and FILL(linear) want a function
            if self.fill in ("none", "linear"):
                raise Refused(f"FILL({self.fill}) must be used with an aggregate or selector function")
            if self.has_group_by_time:
                raise Refused("GROUP BY requires at least one aggregate function")
        elif functions >= 2 and self.has_top_bottom:
            raise Refused("selector functions top and bottom cannot be combined with other functions")
        if self.has_distinct and (functions != 1 or self.has_non_aggregate_fields):
            raise Refused("aggregate function distinct() cannot be combined with other functions or fields")
        if self.has_non_aggregate_fields:
            if self.aggregates + self.windows > 0:
                raise Refused("mixing aggregate and non-aggregate columns is not supported")
            if self.selectors > 1:
                raise Refused("mixing multiple selector functions with tags or fields is not supported")

    def check_expr(self, e) -> None:
        if isinstance(e, A.VarRef):
            if e.name != "time":
                self.has_non_aggregate_fields = True
        elif isinstance(e, (A.Wildcard, A.RegexLiteral)):
            self.has_non_aggregate_fields = True  # expanded to the measurement's columns
        elif isinstance(e, A.Distinct):
            self.check_call(A.Call("distinct", (A.VarRef(e.val),)))  # rewritten to distinct(field)
        elif isinstance(e, A.Call):
            if e.name.lower() in _MATH:
                self.check_math(e)
            else:
                self.check_call(e)
        elif isinstance(e, A.BinaryExpr):
            lhs_lit, rhs_lit = isinstance(e.lhs, A.Literal), isinstance(e.rhs, A.Literal)
            if not (lhs_lit and rhs_lit):
                for side in ((e.rhs,) if lhs_lit else (e.lhs,) if rhs_lit else (e.lhs, e.rhs)):
                    self.check_expr(side)
        elif isinstance(e, A.ParenExpr):
            self.check_expr(e.expr)
        elif isinstance(e, A.Literal):
            raise Refused("field must contain at least one variable")

    def check_math(self, c: A.Call) -> None:
        name = c.name.lower()
        _count(name, c.args, 2 if name in _MATH_TWO else 1)
        for arg in c.args:
            if not isinstance(arg, (A.IntegerLiteral, A.NumberLiteral)):
                self.check_expr(arg)

    def check_call(self, c: A.Call) -> None:
        """rewriter.rs check_aggregate_function."""
        name, args = c.name.lower(), c.args
        check = _CHECKS.get(name)
        if name in ("top", "bottom") and self.has_top_bottom:
            raise Refused(f"selector function {name}() cannot be combined with other functions")
        if check is not None:
            check(self, name, args)
        elif name in _SELECTORS or name in _AGGREGATES:
            if name in _SELECTORS:
                self.selectors += 1
            else:
                self.aggregates += 1
            _count(name, args, 1)
            if name == "count" and isinstance(args[0], A.Distinct):  # rewriter.rs: DISTINCT f is distinct(f)
                args = (A.Call("distinct", (A.VarRef(args[0].val),)),)
            if name == "count" and isinstance(args[0], A.Call) and args[0].name.lower() == "distinct":
                self.check_distinct(args[0].args, nested=True)
                return
            self.check_symbol(name, args[0])
        else:
            raise Refused(f"unsupported function {name}()")

    def check_symbol(self, name: str, expr) -> None:
        if not _symbol(expr):
            raise Refused(f"expected field argument in {name}(), got {debug(expr)}")

    def check_nested_symbol(self, name: str, expr) -> None:
        if isinstance(expr, A.Call):
            if not self.has_group_by_time:
                raise Refused(f"{name} aggregate requires a GROUP BY interval")
            self.check_nested_expr(expr)
        elif self.has_group_by_time:
            raise Refused(f"aggregate function required inside the call to {name}")
        else:
            self.check_symbol(name, expr)

    def check_nested_expr(self, expr) -> None:
        if isinstance(expr, A.Call) and expr.name.lower() == "distinct":
            self.check_distinct(expr.args, nested=True)
        else:
            self.check_expr(expr)

    def check_distinct(self, args, nested: bool = False) -> None:
        self.aggregates += 1
        _count("distinct", args, 1)
        if not isinstance(args[0], A.VarRef):
            raise Refused("expected field argument in distinct()")
        self.has_distinct = self.has_distinct or not nested

    def check_duration(self, name: str, args, index: int) -> None:
        if index >= len(args):
            return
        got = args[index]
        if not isinstance(got, A.DurationLiteral):
            raise Refused(f"argument {index + 1} to {name} must be a duration, got {debug(got)}")
        if got.val <= 0:
            raise Refused(f"duration argument must be positive, got {duration(got.val)}")


def _percentile(fc: FieldChecker, name: str, args) -> None:
    fc.selectors += 1
    _count(name, args, 2)
    if not isinstance(args[1], (A.IntegerLiteral, A.NumberLiteral)):
        raise Refused(f"expected number for percentile(), got {debug(args[1])}")
    fc.check_symbol(name, args[0])


def _sample(fc: FieldChecker, name: str, args) -> None:
    fc.selectors += 1
    _count(name, args, 2)
    v = _integer(name, args, 1)
    if v <= 1:
        raise Refused(f"sample window must be greater than 1, got {v}")
    fc.check_symbol(name, args[0])


def _distinct(fc: FieldChecker, name: str, args) -> None:
    fc.check_distinct(args)


def _top_bottom(fc: FieldChecker, name: str, args) -> None:
    fc.selectors += 1
    fc.has_top_bottom = True
    if len(args) < 2:
        raise Refused(f"invalid number of arguments for {name}, expected at least 2, got {len(args)}")
    last = args[-1]
    if not isinstance(last, A.IntegerLiteral):
        raise Refused(f"expected integer as last argument for {name}, got {debug(last)}")
    if last.val <= 0:
        raise Refused(f"limit ({last.val}) for {name} must be greater than 0")
    if not isinstance(args[0], A.VarRef) and not topstar3.wild_arg(args[0]):  # expanded first (topstar3)
        raise Refused(f"expected first argument to be a field for {name}")
    for expr in args[1:-1]:
        if not isinstance(expr, A.VarRef):
            raise Refused(f"only fields or tags are allow for {name}(), got {debug(expr)}")
    if len(args) > 2:
        fc.has_non_aggregate_fields = True


def _derivative(fc: FieldChecker, name: str, args) -> None:  # derivative, non_negative_derivative, elapsed
    fc.windows += 1
    _range(name, args, 1, 2)
    fc.check_duration(name, args, 1)
    fc.check_nested_symbol(name, args[0])


def _difference(fc: FieldChecker, name: str, args) -> None:  # difference, non_negative_difference, cumulative_sum
    fc.windows += 1
    _count(name, args, 1)
    fc.check_nested_symbol(name, args[0])


def _moving_average(fc: FieldChecker, name: str, args) -> None:
    fc.windows += 1
    _count(name, args, 2)
    v = _integer(name, args, 1)
    if v <= 1:
        raise Refused(f"moving_average window must be greater than 1, got {v}")
    fc.check_nested_symbol(name, args[0])


def _period(fc: FieldChecker, name: str, args, hi: int) -> None:
    fc.windows += 1
    _range(name, args, 2, hi)
    v = _integer(name, args, 1)
    if v < 1:
        raise Refused(f"{name} period must be greater than 1, got {v}")


def _ema(fc: FieldChecker, name: str, args) -> None:
    _period(fc, name, args, 4)
    hold = _integer(name, args, 2, optional=True)
    if hold is not None and name == "triple_exponential_derivative" and hold < 1 and hold != -1:
        raise Refused(f"{name} hold period must be greater than or equal to 1")
    if hold is not None and hold < 0 and hold != -1:
        raise Refused(f"{name} hold period must be greater than or equal to 0")
    warmup = _string(name, args, 3)
    if warmup is not None and warmup not in ("exponential", "simple"):
        raise Refused(f"{name} warmup type must be one of: 'exponential', 'simple', got {warmup}")
    fc.check_nested_symbol(name, args[0])


def _kaufmans(fc: FieldChecker, name: str, args) -> None:
    _period(fc, name, args, 3)
    hold = _integer(name, args, 2, optional=True)
    if hold is not None and hold <= -2:
        raise Refused(f"{name} hold period must be greater than or equal to 0")
    fc.check_nested_symbol(name, args[0])


def _chande(fc: FieldChecker, name: str, args) -> None:
    _period(fc, name, args, 4)
    hold = _integer(name, args, 2, optional=True)
    if hold is not None and hold <= -2:
        raise Refused(f"{name} hold period must be greater than or equal to 0")
    warmup = _string(name, args, 3)
    if warmup is not None and warmup not in ("none", "exponential", "simple"):
        raise Refused(f"{name} warmup type must be one of: 'none', 'exponential' or 'simple', got {warmup}")
    fc.check_nested_symbol(name, args[0])


def _integral(fc: FieldChecker, name: str, args) -> None:
    fc.aggregates += 1
    _range(name, args, 1, 2)
    fc.check_duration(name, args, 1)
    fc.check_symbol(name, args[0])


def _count_hll(fc: FieldChecker, name: str, args) -> None:
    fc.aggregates += 1
    raise Refused("count_hll", not_implemented=True)


def _holt_winters(fc: FieldChecker, name: str, args) -> None:
    fc.aggregates += 1
    _count(name, args, 3)
    v = _integer(name, args, 1)
    if v < 1:
        raise Refused(f"{name} N argument must be greater than 0, got {v}")
    v = _integer(name, args, 2)
    if v < 0:
        raise Refused(f"{name} S argument cannot be negative, got {v}")
    if not isinstance(args[0], A.Call):
        raise Refused(f"must use aggregate function with {name}")
    if not fc.has_group_by_time:
        raise Refused(f"{name} aggregate requires a GROUP BY interval")
    fc.check_nested_expr(args[0])


_CHECKS = {
    "percentile": _percentile, "sample": _sample, "distinct": _distinct, "top": _top_bottom,
    "bottom": _top_bottom, "derivative": _derivative, "non_negative_derivative": _derivative,
    "elapsed": _derivative, "difference": _difference, "non_negative_difference": _difference,
    "cumulative_sum": _difference, "moving_average": _moving_average, **dict.fromkeys(_EMA, _ema),
    "kaufmans_efficiency_ratio": _kaufmans, "kaufmans_adaptive_moving_average": _kaufmans,
    "chande_momentum_oscillator": _chande, "integral": _integral, "count_hll": _count_hll,
    "holt_winters": _holt_winters, "holt_winters_with_fit": _holt_winters,
}


INTERVAL = "find interval offset\ncaused by\n"  # rewriter.rs: find_interval_offset(...) .context(...)
SPLIT = "split condition\ncaused by\n"  # rewriter.rs: split_cond(...).map_err(|e| e.context("split condition"))
GATHER = "gather information about select statement\ncaused by\n"  # rewriter.rs select_statement_info


def fields_error(stmt: S.SelectStatement, now: int | None = None) -> tuple[str, bool] | None:
    """(v3's message with its context, whether it is a not-implemented one) for the first
    check v3's rewriter fails on ``stmt``: the GROUP BY time(...) arguments (find interval
    offset), the WHERE clause's time comparisons (split condition), then the fields
    (select_statement_info). Subqueries are rewritten, so
    checked, before their outer query."""
    for src in stmt.sources:
        if isinstance(src, A.SubQuery):
            found = fields_error(src.statement, now)
            if found is not None:
                return found
    folded = interval_offset(stmt, time.time_ns() if now is None else now)
    if isinstance(folded, str):
        return INTERVAL + "Error during planning: " + folded, False
    refused = time_condition_error(stmt.condition, now, stmt.location) if stmt.condition is not None else None
    if refused is not None:
        return SPLIT + refused, False
    try:
        FieldChecker(stmt).check_fields(stmt.fields)
    except Refused as e:
        return GATHER + ("This feature is not implemented: " if e.not_implemented else "Error during planning: ") \
            + e.message, e.not_implemented
    return None


def time_condition_error(cond, now: int | None, tz: str | None = None) -> str | None:
    """split_cond's error (splitcond3.py) as DataFusion displays it, None when it splits the
    condition; a SELECT reads its timestamp strings in its ``tz('...')`` zone (rewriter.rs:
    ReduceContext tz), a SHOW in UTC."""
    found = split_cond_error(cond, time.time_ns() if now is None else now, tz)
    return None if found is None else str(found)
