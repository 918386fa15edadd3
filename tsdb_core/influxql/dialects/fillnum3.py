"""fill(<number>) over a text, boolean or tag aggregate: the error InfluxDB 3's planner raises.

iox_query_influxql/src/plan/planner.rs ``select_aggregate`` computes the GapFill defaults
before anything runs, for every statement it plans this way (with or without GROUP BY time)::

    Some(FillClause::Value(val)) => Some(
        aggr_exprs
            .iter()
            .map(|expr| {
                expr_as_column_expr(expr, &plan)
                    .and_then(|expr| expr.get_type(plan.schema()))
                    .and_then(|ty| number_to_scalar(&val, &ty))
                    .map(FillStrategy::Default)
            })
            .collect::<Result<Vec<_>>>()?,
    ),

and util.rs ``number_to_scalar`` has no conversion to Utf8, Boolean or a tag's
Dictionary(Int32, Utf8): ``error::internal(format!("no conversion from {n} to {data_type}"))``.
A selector's type is a struct (query_functions/src/selectors/type_handling.rs: ``value``,
``time``, ``other_{1..}``) converted field by field, so a lone first/last/min/max carrying
other fields fails on the first of them that is text, boolean or a tag. The error names the
first failing aggregate of ``aggr_exprs`` (``find_aggregate_exprs``: unique, in the order of
the projection, depth first) of the first table planned; an empty range fails all the same.
"""
from __future__ import annotations

from typing import Callable, Iterable

import numpy as np

from ..ast import expr as A
from ..ast.visit import find
from .splitcond3 import INTERNAL
# planner.rs select_aggregate: first/last/min/max are ``selector_*`` aggregates (a struct)
STRUCT_SELECTORS = frozenset(("first", "last", "min", "max"))
_SELECTORS = STRUCT_SELECTORS | {"percentile", "sample"}
_AGGREGATES = frozenset(("count", "mean", "median", "mode", "spread", "stddev", "sum", "integral"))
# the aggregates whose type is their argument's (others answer numbers: count Int64, ...)
_TYPED = STRUCT_SELECTORS | {"mode"}
ARROW = {"string": "Utf8", "boolean": "Boolean", "tag": "Dictionary(Int32, Utf8)"}  # the types with no conversion

TypeOf = Callable[[A.VarRef], "str | None"]  # a reference's type in one table: "string", "tag", ...


def rust_number(value: int | float) -> str:
    """``value`` as Rust's Display prints the fill Number (an f64 never in exponent form: 1e20 is
    100000000000000000000, 1.0 is 1)."""
    if isinstance(value, int):
        return str(value)
    return np.format_float_positional(value, trim="-")


def no_conversion(value: int | float, arrow: str) -> str:
    """number_to_scalar's error for a column of Arrow type ``arrow``."""
    return f"{INTERNAL}no conversion from {rust_number(value)} to {arrow}"


def fill_number_error(columns: Iterable[tuple[str, A.Expr]], tables: Iterable[TypeOf], dims,
                      value: int | float, interval: int) -> str | None:
    """The planning error of fill(``value``) over the statement's columns (name, expression; time
    left out), planned once per table (``tables``: each one's type lookup, in plan order); ``dims``
    the GROUP BY tags. None where every default converts or the statement is not planned by
    ``select_aggregate``."""
    columns = list(columns)
    aggs = _aggregate_path(columns, interval)
    if aggs is None:
        return None
    unique = list(dict.fromkeys(aggs))
    aux = _selector_others(columns, unique, len(aggs), set(dims))
    for type_of in tables:
        for call in unique:
            refs = [call.args[0]] if call.name in _TYPED and call.args else []
            refs += aux if call.name in STRUCT_SELECTORS else []
            for ref in refs:
                arrow = ARROW.get(type_of(ref)) if isinstance(ref, A.VarRef) else None
                if arrow is not None:
                    return no_conversion(value, arrow)
    return None


def _aggregate_path(columns, interval: int) -> list[A.Call] | None:
    """The aggregate calls, depth first (an aggregate's own arguments not entered: count(distinct(x))
    is one), when rewriter.rs's projection type plans the statement through ``select_aggregate``
    (Aggregate, WindowAggregate(Mixed), or a lone first/last/min/max Selector); None otherwise."""
    names = _AGGREGATES | _SELECTORS | {"distinct", "top", "bottom"}
    calls = [c for _, e in columns
             for c in find(e, A.Call, prune=lambda n: isinstance(n, A.Call) and n.name in names)
             if c.name in names]
    if not calls or any(c.name in ("top", "bottom", "distinct") for c in calls):
        return None  # Raw / Window, TopBottomSelector, RawDistinct
    selectors = [c for c in calls if c.name in _SELECTORS]
    if not interval and len(selectors) == 1 and len(calls) == 1 and selectors[0].name not in STRUCT_SELECTORS:
        return None  # a lone percentile() or sample() Selector: planned apart
    return calls


def _selector_others(columns, unique: list[A.Call], count: int, tags: set) -> list[A.Expr]:
    """The other fields a lone selector carries (planner.rs: ``if let [selector] = aggr_exprs`` and
    ``aggr_count == 1``): every column but the selector's and the GROUP BY tags named as such."""
    if len(unique) != 1 or count != 1 or unique[0].name not in STRUCT_SELECTORS:
        return []
    selector = unique[0]
    at = next(i for i, (_, e) in enumerate(columns) if any(c == selector for c in find(e, A.Call)))
    return [e for i, (name, e) in enumerate(columns) if i != at and name not in tags]
