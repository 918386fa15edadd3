"""InfluxDB 3's plan of a SELECT of integral(): an aggregate over a window function.

``planner.rs`` select_integral_window (called by select_aggregate): each ``integral(<field>[,
<unit>])`` becomes IOx's ``integral_window`` over the raw SELECT's filters (the unit, 1s when
none is written, the time column, the GROUP BY interval and offset as durations, 0 without;
partitioned by the GROUP BY tags, ordered by time, over every row: winfunc3.py's frame), and the
Aggregate sums its column (``sum(integral(..))``: aggcalls3.aggr) beside the other aggregates.
"""
from __future__ import annotations

from dataclasses import dataclass, replace

from ..ast import expr as A
from . import aggcalls3 as C
from . import aggexpr3 as X
from .aggplan3 import aggregated, fill_scalar, interval_literal
from .showplan3 import Plans, Table, dict_literal, plan_block, scan_filters
from .winfunc3 import FRAME, NUMBERS, agg_struct, dimensions


def integral_select(stmt, table: Table | None, types: dict[str, str], lower: int | None, upper: int | None,
                    tags: list[tuple[str, str]] | None, now: int) -> Plans | None:
    """The plans of ``SELECT integral(<field>[, <unit>]) [, <aggregate>] ... FROM <one
    measurement> [WHERE ...] [GROUP BY time(..)] [, <tags>] [fill(...)]``: planner.rs
    select_integral_window puts an ``integral_window`` WindowAggr (the unit, 1s when none is
    written; the GROUP BY interval and offset, 0 without) over the raw filters and sums its column
    in the Aggregate. Integrals alone under GROUP BY time: no GapFill, whatever the fill, and a
    filter that one sum is not null; beside other aggregates the GapFill fills an integral with
    nulls (LOCF under fill(previous)). The optimizer narrows the scan and, as its Aggregate case
    does for an input with more columns than needed, projects the WindowAggr's output under it."""
    if stmt.fill == "value":
        return _value_filled(stmt, table, types, lower, upper, tags, now)
    shape = _integral_shape(stmt, table, types, tags)
    if shape is None:
        return None
    interval, group, outs = shape
    m = table.name
    upper = now if interval is not None and upper is None else upper
    if lower is not None and upper is not None and lower > upper:
        return None  # (an empty range: not drawn, as aggplan3.py)
    calls = list(dict.fromkeys(node for node, _ in outs))
    integrals = [a for a in calls if a.fn == "integral"]
    alone = len(integrals) == len(calls)
    fields = sorted({a.field for a in calls})
    filtered, pushed = scan_filters(m, fields, tags, lower, upper)
    scanned = sorted({*fields, *group, "time"})
    part = f"PARTITION BY [{', '.join(f'{m}.{g}' for g in group)}] " if group else ""
    every, offset = interval or (0, 0)
    names = [agg_struct(m, a)[4:-1] for a in integrals]  # integral(m.f[,unit]): the window's column
    windows = ", ".join(
        f"integral_window({m}.{a.field}, {interval_literal(a.unit)}, {m}.time, DurationNanosecond(\"{every}\"), "
        f"DurationNanosecond(\"{offset}\")) {part}ORDER BY [{m}.time ASC NULLS LAST] {FRAME} AS {n}"
        for a, n in zip(integrals, names))
    filled = stmt if not (alone and interval) else _none(stmt)
    need = {*group, *(a.field for a in calls if a.fn != "integral"),
            *(("time",) if interval or any(a.fn in C.TIMED for a in calls) else ())}
    kept = [c for c in scanned if c in need]

    def over(scan: str, narrowed: bool = False) -> str:
        plan = plan_block(f"WindowAggr: windowExpr=[[{windows}]]", scan)
        if narrowed and len(kept) < len(scanned):
            plan = plan_block(f"Projection: {', '.join([*(f'{m}.{c}' for c in kept), *names])}", plan)
        plan = aggregated(filled, table, lower, upper, interval, group, calls, plan)
        if alone and interval:
            plan = plan_block(f"Filter: {' OR '.join(f'{agg_struct(m, a)} IS NOT NULL' for a in integrals)}", plan)
        time_col = "time" if interval else f"TimestampNanosecond({lower or 0}, None) AS time"
        exprs = [f"{agg_struct(m, a)} AS {name}" for a, name in outs]
        plan = plan_block(", ".join([f"Projection: {dict_literal(m)} AS iox::measurement", time_col,
                                 *(f"{m}.{g} AS {g}" for g in group), *exprs]), plan)
        return plan_block(f"Sort: {', '.join([*(f'{g} ASC NULLS LAST' for g in group), 'time ASC NULLS LAST'])}", plan)
    narrowed = over(f"TableScan: {m} projection=[{', '.join(scanned)}], {pushed}", True)
    return Plans(over(filtered), (("push_down_filter", over(f"TableScan: {m}, {pushed}")),
                                  ("optimize_projections", narrowed)))


def _value_filled(stmt, table: Table | None, types, lower, upper, tags, now: int) -> Plans | None:
    """Integrals alone under GROUP BY time (no tags) and fill(<value>): the fill(none) plan (no
    GapFill) with planner.rs limit's SeriesLimit and its ``coalesce_struct`` projection above the
    sums' filter (planner test select_aggregate::single_measurement::integral-5); the optimizer's
    push_down_filter alone (optimize_projections stops at a SeriesLimit: aggplan3.py)."""
    if stmt.limit or stmt.offset or stmt.location is not None or not stmt.time_ascending:
        return None
    plain = replace(stmt, fill=None, fill_value=None)
    shape = _integral_shape(plain, table, types, tags)
    if shape is None or shape[0] is None or shape[1] or not all(isinstance(n, Integral) for n, _ in shape[2]):
        return None
    base = integral_select(plain, table, types, lower, upper, tags, now)
    if base is None:
        return None
    m, outs, value = table.name, shape[2], fill_scalar(stmt.fill_value, "Float64")
    names = ", ".join(n for _, n in outs)
    limit_exprs = ", ".join(f"{n} RESPECT NULLS (default: Float64({value}))" for _, n in outs)
    coalesced = ", ".join(f"coalesce_struct({agg_struct(m, a)}, Float64({value})) AS {n}" for a, n in outs)

    def filled(text: str) -> str:
        sort, _, *rest = text.split("\n")
        return "\n".join([sort, f"  Projection: {dict_literal(m)} AS iox::measurement, time, {names}",
                          f"    SeriesLimit: series=[], order=[time ASC NULLS LAST], limit_expr=[{limit_exprs}]",
                          f"      Projection: time, {coalesced}", *("    " + line for line in rest)])
    return Plans(filled(base.initial), ((base.steps[0][0], filled(base.steps[0][1])),))


@dataclass(frozen=True, slots=True)
class Integral(X.Agg):
    """An integral call as an aggregate column (aggcalls3.aggr prints ``sum(integral(..))``):
    ``param`` its unit as written, ``unit`` the unit given to integral_window."""

    unit: int = 10**9


def _none(stmt):
    """``stmt`` under fill(none): integrals alone are never gap-filled (planner.rs select_aggregate)."""
    return replace(stmt, fill="none")


def _integral_shape(stmt, table, types, tags):
    """(interval or None, GROUP BY tags sorted, [(aggregate or Integral, name)]) or None."""
    dims = dimensions(stmt, table, tags)
    if dims is None:
        return None
    interval, group = dims
    outs = []
    for f in stmt.fields:
        e = f.expr
        if not isinstance(e, A.Call):
            return None
        if e.name == "integral":
            ref, rest = (e.args[0] if e.args else None), e.args[1:]
            if not isinstance(ref, A.VarRef) or ref.type not in (None, "field") or ref.name not in table.fields \
                    or types.get(ref.name) not in NUMBERS or len(rest) > 1 \
                    or (rest and not (isinstance(rest[0], A.DurationLiteral) and rest[0].val > 0)):
                return None
            unit = rest[0].val if rest else 10**9
            outs.append((Integral("integral", ref.name, "Float64", interval_literal(unit) if rest else "", unit), f.alias or "integral"))
            continue
        agg = C.call(e, table, types, interval is not None, stmt.fill)
        if not isinstance(agg, X.Agg) or agg.param or agg.fn in C.SELECTORS:
            return None
        outs.append((agg, f.alias or e.name))
    if not any(isinstance(n, Integral) for n, _ in outs):
        return None
    unique = C.unique_names(outs)
    return (interval, sorted(group), unique) if unique else None
