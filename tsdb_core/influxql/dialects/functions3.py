"""InfluxDB 3's checks of the function calls in a SELECT's fields (iox_query_influxql
``plan/rewriter.rs``, FieldChecker): unknown functions and argument counts, in its words.

v3 makes these checks while rewriting the statement, before planning, so they come before
the planner's ``Invalid function`` for the functions it knows but does not run.
"""
from __future__ import annotations

from ..ast import expr as A
from ..ast import select as S
from ..ast.visit import find

# rewriter.rs check_exp_args!(name, n, args): exactly n arguments
_EXACT = {
    **dict.fromkeys(("max", "min", "first", "last", "count", "sum", "mean", "median", "mode", "stddev",
                     "spread", "sum_hll", "distinct", "difference", "non_negative_difference",
                     "cumulative_sum"), 1),
    "percentile": 2, "sample": 2, "moving_average": 2, "holt_winters": 3, "holt_winters_with_fit": 3,
}
# rewriter.rs check_exp_args!(name, lo, hi, args)
_RANGE = {
    **dict.fromkeys(("derivative", "non_negative_derivative", "elapsed", "integral"), (1, 2)),
    **dict.fromkeys(("exponential_moving_average", "double_exponential_moving_average",
                     "triple_exponential_moving_average", "relative_strength_index",
                     "triple_exponential_derivative", "chande_momentum_oscillator"), (2, 4)),
    **dict.fromkeys(("kaufmans_efficiency_ratio", "kaufmans_adaptive_moving_average"), (2, 3)),
}
# influxdb_influxql_parser/src/functions.rs is_scalar_math_function; rewriter.rs check_math_function
_MATH = {"abs", "sin", "cos", "tan", "asin", "acos", "atan", "atan2", "exp", "log", "ln", "log2", "log10",
         "sqrt", "pow", "floor", "ceil", "round"}
_MATH_TWO = {"atan2", "pow", "log"}


def call_error(call: A.Call) -> str | None:
    """What v3's field checker says of one call, or None when it passes (``count_hll`` aside:
    the caller words that one as not implemented)."""
    name, got = call.name.lower(), len(call.args)
    if name in _MATH:
        want = 2 if name in _MATH_TWO else 1
        return None if got == want else _count(name, want, got)
    if name in _EXACT:
        return None if got == _EXACT[name] else _count(name, _EXACT[name], got)
    if name in _RANGE:
        lo, hi = _RANGE[name]
        if lo <= got <= hi:
            return None
        return f"invalid number of arguments for {name}, expected at least {lo} but no more than {hi}, got {got}"
    if name in ("top", "bottom"):
        return None if got >= 2 else f"invalid number of arguments for {name}, expected at least 2, got {got}"
    if name == "count_hll":
        return None
    return f"unsupported function {name}()"


def _count(name: str, want: int, got: int) -> str:
    return f"invalid number of arguments for {name}, expected {want}, got {got}"


def fields_error(stmt: S.SelectStatement) -> tuple[str, bool] | None:
    """(v3's message, whether it is ``count_hll``'s not-implemented) for the first call in
    ``stmt``'s fields v3 refuses; subqueries are rewritten, so checked, before their outer query."""
    for src in stmt.sources:
        if isinstance(src, A.SubQuery):
            found = fields_error(src.statement)
            if found is not None:
                return found
    for field in stmt.fields:
        for call in find(field, A.Call):
            if call.name.lower() == "count_hll":
                return "count_hll", True
            found = call_error(call)
            if found is not None:
                return found, False
    return None
