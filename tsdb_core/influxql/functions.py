"""The InfluxQL functions influxd 1.6.7 knows: one row each, read by every stage.

A :class:`FunctionSpec` says what the validator, the planner and both executors
need to know about a function: its kind, its arity and argument checks (with
influxd's words, from ``query/compile.go``), how its result type follows from its
input, which field types it reads (what ``mean(*)`` expands to), whether a
GROUP BY time query reads one interval more for it, and whether the fast
executor can compute it. The implementations live in ``query/functions``, keyed
by name: adding a function is one row here plus its implementation there.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Callable, Optional

from ..base.errors import QueryError
from .ast import expr as A

AGGREGATE = "aggregate"
SELECTOR = "selector"
TRANSFORM = "transform"
TECHNICAL = "technical analysis"
MATH = "math"

# How the first argument is read (the compiler's branch for the call).
FIELD = "field"            # a field, a wildcard or a regex: mean(v)
COUNTED = "counted"        # like FIELD, or distinct(field): count(distinct(v))
DISTINCT = "distinct"      # exactly one field: distinct(v)
SELECTED = "selected"      # a field, tags (output as columns too), a count: top(v, host, 3)
SERIES = "series"          # a field (raw) or an aggregate (GROUP BY time): derivative(v)
AGGREGATED = "aggregated"  # an aggregate only: holt_winters(mean(v), 4, 0)
EXPRESSION = "expression"  # any expression, row by row: abs(v + 1)

ALL_TYPES = ("float", "integer", "unsigned", "string", "boolean")
NUMERIC = ("float", "integer", "unsigned")

Check = Callable[[str, tuple, int], None]


@dataclass(frozen=True, slots=True)
class FunctionSpec:
    """One InfluxQL function, as the rest of the engine sees it.

    ``result``: ``"float"``, ``"integer"`` or ``"input"`` (the first argument's type).
    ``input_types``: the field types influxd has an iterator for; ``mean(*)`` expands
    to the fields of these types. ``extends_range``: with an aggregate argument under
    GROUP BY time, the input is read one interval beyond the query range.
    ``fast``: the fast executor's windowed aggregation computes it; ``exact_in_numpy``:
    numpy's result equals the general path's whatever the summation order.
    ``many_rows``: a selector or aggregate giving several rows per window (top, distinct).
    ``predicts``: adds windows beyond the data (holt_winters: its second argument).
    ``check(name, args, statement_limit)``: the argument checks after the arity.
    """

    name: str
    kind: str
    min_args: int
    max_args: Optional[int]
    first_arg: str
    result: str = "input"
    input_types: tuple[str, ...] = NUMERIC
    extends_range: bool = False
    fast: bool = False
    exact_in_numpy: bool = False
    many_rows: bool = False
    predicts: bool = False
    check: Optional[Check] = None
    arity_words: Optional[tuple[str, str]] = None  # (too few, too many) when not the usual words

    @property
    def picks_point(self) -> bool:
        """A selector returning one of its input points (with that point's time)."""
        return self.kind == SELECTOR and not self.many_rows

    def check_arity(self, got: int) -> None:
        """influxd's words for a wrong number of arguments."""
        lo, hi = self.min_args, self.max_args
        if lo <= got and (hi is None or got <= hi):
            return
        if self.arity_words is not None:
            raise QueryError(self.arity_words[0] if got < lo else self.arity_words[1])
        prefix = f"invalid number of arguments for {self.name}, expected"
        if hi is None:
            raise QueryError(f"{prefix} at least {lo}, got {got}")
        if lo == hi:
            raise QueryError(f"{prefix} {lo}, got {got}")
        raise QueryError(f"{prefix} at least {lo} but no more than {hi}, got {got}")

    def check_call(self, args: tuple, statement_limit: int = 0) -> None:
        """Arity, then the row's own argument checks (influxd's order and words)."""
        self.check_arity(len(args))
        if self.check is not None:
            self.check(self.name, args, statement_limit)


# -- argument checks (query/compile.go, its words) ------------------------------------------

def _go_type(node) -> str:
    """Go's ``%T`` of an influxql node, as influxd prints it in errors."""
    return f"*influxql.{type(node).__name__}"


def _duration_unit(name: str, args: tuple, _limit: int) -> None:
    if len(args) == 2:
        if not isinstance(args[1], A.DurationLiteral):
            raise QueryError(f"second argument to {name} must be a duration, got {_go_type(args[1])}")
        _positive_duration(args[1])


def _integral_unit(_name: str, args: tuple, _limit: int) -> None:
    if len(args) == 2:
        if not isinstance(args[1], A.DurationLiteral):
            raise QueryError("second argument must be a duration")
        _positive_duration(args[1])


def _positive_duration(arg) -> None:
    if arg.val <= 0:
        raise QueryError(f"duration argument must be positive, got {arg}")


def _percentile(_name: str, args: tuple, _limit: int) -> None:
    if not isinstance(args[1], (A.IntegerLiteral, A.NumberLiteral)):
        raise QueryError("expected float argument in percentile()")


def _sample(_name: str, args: tuple, _limit: int) -> None:
    if not isinstance(args[1], A.IntegerLiteral):
        raise QueryError("expected integer argument in sample()")
    if args[1].val <= 0:
        raise QueryError(f"sample window must be greater than 1, got {args[1].val}")


def _distinct(_name: str, args: tuple, _limit: int) -> None:
    if not isinstance(args[0], A.VarRef):
        raise QueryError("expected field argument in distinct()")


def _top_bottom(name: str, args: tuple, statement_limit: int) -> None:
    limit = args[-1]
    if not isinstance(limit, A.IntegerLiteral):
        found = f"{limit.val:.3f}" if isinstance(limit, A.NumberLiteral) else limit
        raise QueryError(f"expected integer as last argument in {name}(), found {found}")
    if limit.val <= 0:
        raise QueryError(f"limit ({limit.val}) in {name} function must be at least 1")
    if statement_limit > 0 and limit.val > statement_limit:
        raise QueryError(f"limit ({limit.val}) in {name} function can not be larger than the "
                         f"LIMIT ({statement_limit}) in the select statement")
    if not isinstance(args[0], A.VarRef):
        raise QueryError(f"expected first argument to be a field in {name}(), found {args[0]}")
    for a in args[1:-1]:
        if not isinstance(a, A.VarRef):
            raise QueryError(f"only fields or tags are allowed in {name}(), found {a}")


def _moving_average(_name: str, args: tuple, _limit: int) -> None:
    if not isinstance(args[1], A.IntegerLiteral):
        raise QueryError(f"second argument for moving_average must be an integer, got {_go_type(args[1])}")
    if args[1].val <= 1:
        raise QueryError(f"moving_average window must be greater than 1, got {args[1].val}")


def _holt_winters(name: str, args: tuple, _limit: int) -> None:
    n, season = args[1], args[2]
    if not isinstance(n, A.IntegerLiteral):
        raise QueryError(f"expected integer argument as second arg in {name}")
    if n.val <= 0:
        raise QueryError(f"second arg to {name} must be greater than 0, got {n.val}")
    if not isinstance(season, A.IntegerLiteral):
        raise QueryError(f"expected integer argument as third arg in {name}")
    if season.val < 0:
        raise QueryError(f"third arg to {name} cannot be negative, got {season.val}")


def _technical(warmups: tuple[str, ...], least_hold: int = 0) -> Check:
    """period, then hold period (-1 means the default), then warmup type."""
    def check(name: str, args: tuple, _limit: int) -> None:
        if not isinstance(args[1], A.IntegerLiteral):
            raise QueryError(f"{name} period must be an integer")
        if args[1].val < 1:
            raise QueryError(f"{name} period must be greater than or equal to 1")
        if len(args) >= 3:
            hold = args[2]
            if not isinstance(hold, A.IntegerLiteral):
                raise QueryError(f"{name} hold period must be an integer")
            if hold.val < least_hold and hold.val != -1:
                raise QueryError(f"{name} hold period must be greater than or equal to {least_hold}")
        if len(args) >= 4:
            if not isinstance(args[3], A.StringLiteral):
                raise QueryError(f"{name} warmup type must be a string")
            if args[3].val not in warmups:
                raise QueryError(f"{name} warmup type must be one of: " + " ".join(f"'{w}'" for w in warmups))
    return check



# -- the rows -------------------------------------------------------------------------------

def _rows() -> list[FunctionSpec]:
    return _aggregates() + _selectors() + _transforms() + _technical_rows() + _math()


def _aggregates() -> list[FunctionSpec]:
    agg = lambda name, **kw: FunctionSpec(name, AGGREGATE, 1, 1, FIELD, **kw)  # noqa: E731
    return [
        FunctionSpec("count", AGGREGATE, 1, 1, COUNTED, result="integer", input_types=ALL_TYPES,
                     fast=True, exact_in_numpy=True),
        agg("sum", fast=True),
        agg("mean", result="float", fast=True),
        agg("median", result="float"),
        agg("mode", input_types=ALL_TYPES),
        agg("stddev", result="float"),
        agg("spread"),
        FunctionSpec("integral", AGGREGATE, 1, 2, FIELD, result="float", check=_integral_unit),
        FunctionSpec("distinct", AGGREGATE, 1, 1, DISTINCT, input_types=ALL_TYPES, many_rows=True,
                     check=_distinct,
                     arity_words=("distinct function requires at least one argument",
                                  "distinct function can only have one argument")),
    ]


def _selectors() -> list[FunctionSpec]:
    sel = lambda name, **kw: FunctionSpec(name, SELECTOR, 1, 1, FIELD, **kw)  # noqa: E731
    return [
        sel("max", input_types=NUMERIC + ("boolean",), fast=True, exact_in_numpy=True),
        sel("min", input_types=NUMERIC + ("boolean",), fast=True, exact_in_numpy=True),
        sel("first", input_types=ALL_TYPES),
        sel("last", input_types=ALL_TYPES),
        FunctionSpec("percentile", SELECTOR, 2, 2, FIELD, check=_percentile, fast=True, exact_in_numpy=True),
        FunctionSpec("sample", SELECTOR, 2, 2, FIELD, input_types=ALL_TYPES, many_rows=True, check=_sample),
        FunctionSpec("top", SELECTOR, 2, None, SELECTED, many_rows=True, check=_top_bottom),
        FunctionSpec("bottom", SELECTOR, 2, None, SELECTED, many_rows=True, check=_top_bottom),
    ]


def _transforms() -> list[FunctionSpec]:
    def row(name, lo, hi, **kw):
        return FunctionSpec(name, TRANSFORM, lo, hi, SERIES, **kw)
    return [
        row("derivative", 1, 2, result="float", extends_range=True, check=_duration_unit),
        row("non_negative_derivative", 1, 2, result="float", extends_range=True, check=_duration_unit),
        row("difference", 1, 1, extends_range=True),
        row("non_negative_difference", 1, 1, extends_range=True),
        row("cumulative_sum", 1, 1),
        row("moving_average", 2, 2, result="float", extends_range=True, check=_moving_average),
        row("elapsed", 1, 2, result="integer", input_types=ALL_TYPES, extends_range=True,
            check=_duration_unit),
        FunctionSpec("holt_winters", TRANSFORM, 3, 3, AGGREGATED, predicts=True, check=_holt_winters),
        FunctionSpec("holt_winters_with_fit", TRANSFORM, 3, 3, AGGREGATED, predicts=True,
                     check=_holt_winters),
    ]


def _technical_rows() -> list[FunctionSpec]:
    warm = ("exponential", "simple")

    def row(name, hi, check):
        return FunctionSpec(name, TECHNICAL, 2, hi, SERIES, extends_range=True, check=check)
    return [
        row("exponential_moving_average", 4, _technical(warm)),
        row("double_exponential_moving_average", 4, _technical(warm)),
        row("triple_exponential_moving_average", 4, _technical(warm)),
        row("triple_exponential_derivative", 4, _technical(warm, least_hold=1)),
        row("relative_strength_index", 4, _technical(warm)),
        row("chande_momentum_oscillator", 4, _technical(("none",) + warm)),
        row("kaufmans_efficiency_ratio", 3, _technical(warm)),
        row("kaufmans_adaptive_moving_average", 3, _technical(warm)),
    ]


def _math() -> list[FunctionSpec]:
    one = ("abs", "sin", "cos", "tan", "asin", "acos", "atan", "exp", "ln", "log2", "log10",
           "sqrt", "floor", "ceil", "round")
    two = ("atan2", "pow", "log")
    return ([FunctionSpec(n, MATH, 1, 1, EXPRESSION, result="float") for n in one]
            + [FunctionSpec(n, MATH, 2, 2, EXPRESSION, result="float") for n in two])


FUNCTIONS: dict[str, FunctionSpec] = {s.name: s for s in _rows()}


def spec(name: str) -> FunctionSpec:
    """The row of ``name``; influxd's words when there is none."""
    try:
        return FUNCTIONS[name]
    except KeyError:
        raise QueryError(f"undefined function {name}()") from None


def lookup(name: str) -> Optional[FunctionSpec]:
    """The row of ``name``, or None."""
    return FUNCTIONS.get(name)


def names(*kinds: str) -> frozenset[str]:
    """The functions of the given kinds."""
    return frozenset(s.name for s in FUNCTIONS.values() if s.kind in kinds)


def names_where(test: Callable[[FunctionSpec], bool]) -> frozenset[str]:
    """The functions whose row passes ``test``."""
    return frozenset(s.name for s in FUNCTIONS.values() if test(s))
