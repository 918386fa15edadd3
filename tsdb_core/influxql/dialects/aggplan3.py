"""InfluxDB 3's planner plan of an aggregate SELECT of one measurement, as EXPLAIN prints it.

The shape drawn: ``SELECT <aggregate>(<field> | *) [AS alias], ... FROM <one measurement>
[WHERE <time range> [AND tag = 'value' ...]] [GROUP BY time(<d>[, <offset>])] [, <tags>]
[fill(...)] [ORDER BY time DESC] [LIMIT n] [OFFSET n]``: aggregates count, mean, sum, median,
stddev, spread, mode, percentile, count(DISTINCT f) (no GROUP BY) and the selectors first, last,
min, max (not under GROUP BY time with
fill(linear); under fill(<value>) numeric ones, their struct coalesced: aggcalls3.struct_default),
alone or in arithmetic (aggexpr3.py); no SLIMIT (v3: not implemented); tz() with GROUP BY time over aggregates alone (the planner's plan: tzplan3.py);
fill(<value>) only with GROUP BY time and no tags. A LIMIT or OFFSET (or a value fill) puts
v3's SeriesLimit between the fields' projection and the measurement's (planner.rs limit). It follows ``planner.rs`` of
``iox_query_influxql`` (project_select_aggregate): the raw SELECT's filters (a GROUP BY time
bounds time by now() when the WHERE clause does not), an Aggregate on
``date_bin_wallclock(<interval>, time, <offset>) AS time`` and the GROUP BY tags (names
sorted), without a GROUP BY the ``__aggr_count`` guard; without GROUP BY time, the time
column is a lone selector's row time, else the range's start (or 0); a GapFill (``iox_query``
exec/gapfill: ``fill=[...]`` each aggregate's strategy: fill(null) or none written: the
aggregate as it is, count's ``COALESCE(.., 0)``; previous: ``LOCF``; linear: ``INTERPOLATE``;
a value: ``COALESCE(.., v)`` cast to the aggregate's type (util.rs number_to_scalar) with a
``coalesce_struct`` projection and a SeriesLimit above it), then the measurement's projection
and the Sort. DataFusion's optimizer hands the filters to the scan and narrows it (filtered_scans),
not under a SeriesLimit (optimize_projections stops at it);
the physical plan is drawn for aggregates alone (count, mean, sum, median, stddev): without
GROUP BY here (nor LIMIT/OFFSET), with it in aggexec3.py (and the selectors first, last, min, max).
"""
from __future__ import annotations

import dataclasses
import functools

import numpy as np

from ..ast import expr as A
from . import aggcalls3 as C
from . import aggexpr3 as X
from . import cse3
from .aggcalls3 import NUMERIC, PHYSICAL, SELECTORS, TIMED
from .aggexec3 import grouped_exec
from .scanplan3 import scan_tests, table_scan
from .showplan3 import Plans, Table, dict_literal, plan_block, scan_filters
from .tzplan3 import full_filters, ts, tz_projection, tz_scan


def aggregate_select(stmt, table: Table | None, types: dict[str, str], lower: int | None, upper: int | None,
                     tags: list[tuple[str, str]] | None, now: int, chunks=None) -> Plans | None:
    """The planner's plan of ``stmt`` over ``table`` (``types``: its fields' InfluxQL types),
    the WHERE clause's time range ``lower``..``upper`` (ends inclusive) and tag comparisons
    ``tags`` (None: a condition not drawn), or None when the shape is not drawn; ``chunks``:
    the table's rows in the range (scanplan3.py), for the physical plan of an aggregate
    without GROUP BY."""
    missing = missing_dimensions(stmt, table)
    if missing:
        if stmt.location is not None or _limited(stmt) or any(isinstance(d.expr, A.Call) for d in stmt.dimensions):
            return None  # (a missing GROUP BY column under GROUP BY time, tz(), a LIMIT: not drawn)
        stmt = dataclasses.replace(stmt, dimensions=tuple(d for d in stmt.dimensions
                                                          if not (isinstance(d.expr, A.VarRef) and d.expr.name in missing)))
    shape = _shape(stmt, table, types, tags)
    if shape is None:
        return None
    interval, group_tags, outs = shape
    plan_of = functools.partial(_plan, missing=missing)
    if interval is not None and upper is None:
        upper = now  # GROUP BY time: the range ends at now()
    if lower is not None and upper is not None and lower > upper:
        return None
    calls = _calls(outs)
    args = (stmt, table, lower, upper, interval, group_tags, outs, calls)
    texts = [_project(table.name, node, stmt, "simplified") for node, _ in outs if not isinstance(node, X.Agg)]
    commons = cse3.ordered(_commons(table.name, outs, stmt), texts)
    if commons:
        texts = [cse3.replaced(t, commons) for t in texts] + commons
    operations = [op for n, _ in outs for op in X.operations(n)]
    if len(set(operations)) < len(operations) or cse3.nested(commons) or (texts and X.repeated(texts)):
        return None
    if stmt.location is not None:  # tzplan3.py
        return _tz_plans(args, table, calls, tags, lower, upper, stmt.location, chunks)
    filtered, pushed, narrowed = filtered_scans(table, lower, upper, tags, interval, group_tags, calls)
    physical = None
    bare = all(isinstance(node, X.Agg) and node.fn in PHYSICAL for node, _ in outs)
    if missing:
        pass  # (v3's projects the NULL columns: its physical plan not drawn)
    elif _scanned(chunks, outs) and interval is None and not group_tags and bare and not (stmt.limit or stmt.offset):
        physical = _ungrouped_exec(table, lower, upper, tags, [(n.fn, n.field, name) for n, name in outs], chunks)
    else:
        physical = _grouped_exec(args, tags, chunks)
    coerced, simplified = plan_of(*args, filtered, "coerced"), plan_of(*args, filtered, "simplified")
    initial = plan_of(*args, filtered)
    # optimize_projections stops at v3's SeriesLimit (no necessary_children_exprs: "Requirements from parent
    # cannot be routed down to user defined logical plan safely"): the scan under one keeps its columns
    narrow = () if _limited(stmt) else (("optimize_projections", plan_of(*args, narrowed, "simplified")),)
    pushed_plan = plan_of(*args, pushed, "simplified")
    if commons:  # cse3.py (not under a SeriesLimit: not drawn there)
        columns = _columns(table.name, group_tags, calls)
        narrow = (("common_sub_expression_eliminate", cse3.eliminated(pushed_plan, commons, columns, False)),
                  ("optimize_projections", cse3.eliminated(narrow[0][1], commons, columns, True)))
    steps = ((("simplify_expressions", simplified),) if simplified != coerced else ()) + (
        ("push_down_filter", pushed_plan),) + narrow
    return Plans(initial, steps, physical,
                 analyzer_steps=(("type_coercion", coerced),) if coerced != initial else ())


def _grouped_exec(args, tags, chunks, zone: str | None = None) -> str | None:
    """aggexec3.py's physical plan of a GROUP BY of aggregates and selectors alone (None: not drawn)."""
    stmt, table, lower, upper, interval, group_tags, outs, _ = args
    if chunks is None or not (interval is not None or group_tags) or not all(
            isinstance(n, X.Agg) and n.fn in (*PHYSICAL, *SELECTORS) and not n.param for n, _ in outs):
        return None
    defaults = tuple(fill_scalar(stmt.fill_value, n.kind) for n, _ in outs) if stmt.fill == "value" else ()
    fills = tuple(C.struct_default(stmt.fill_value, n.kind) if n.fn in SELECTORS else d for (n, _), d in zip(outs, defaults))
    return grouped_exec(table, lower, upper, tags, interval, group_tags, stmt.fill, stmt.time_ascending,
                        [(n.fn, n.field, name) for n, name in outs], chunks, stmt.offset, stmt.limit, defaults, zone,
                        fills)


def _tz_plans(args, table: Table, calls, tags, lower, upper, zone: str, chunks=None) -> Plans:
    """The plans under tz() (tzplan3.py): the planner's, DataFusion's rules (the tz projection
    kept under the Aggregate, narrowed to the columns it reads; a tag test pushed into the scan
    after the time tests) and the physical plan (aggexec3.py: a tag test among the scan's tests
    after the time ones, as without tz(), the one derived from the other; ``chunks``:
    the table's, not pruned by a tz() range)."""
    m, columns = table.name, tuple(sorted({*table.tags, *table.fields, "time"}))
    fields = sorted({a.field for a in calls})
    initial = _plan(*args, tz_scan(m, columns, fields, tags, lower, upper, zone))
    full = full_filters(m, fields, lower, upper, zone, tags)
    keep = {*fields, *args[5], "time"}  # the fields, the GROUP BY tags, time
    read = ", ".join(c for c in columns if c in keep)
    steps = (("push_down_filter", _plan(*args, plan_block(tz_projection(m, columns, zone), f"TableScan: {m}, {full}"))),)
    if not _limited(args[0]):
        steps += (("optimize_projections", _plan(*args, plan_block(tz_projection(m, columns, zone, keep),
                                                              f"TableScan: {m} projection=[{read}], {full}"))),)
    return Plans(initial, steps, _grouped_exec(args, tags, chunks, zone))


def _calls(outs) -> list[X.Agg]:
    """The distinct aggregate calls of the fields, in the order they first appear."""
    return list(dict.fromkeys(a for node, _ in outs for a in X.aggregates(node)))


def _scanned(chunks, outs) -> bool:
    """Whether the ungrouped AggregateExec stays over IOx's scan: its chunks known, and when there
    are none (an EmptyExec, whose statistics are exact: 0 rows) an aggregate DataFusion's
    aggregate_statistics cannot answer from them (count can: it makes the plan a projection of
    zeros over a PlaceholderRowExec, not drawn; DataFusion 50.1 printed both over an empty table,
    once, by hand)."""
    return chunks is not None and (bool(chunks) or any(n.fn != "count" for n, _ in outs))


def _ungrouped_exec(table: Table, lower, upper, tags, calls, chunks) -> str | None:
    """An aggregate without GROUP BY over IOx's scan (scanplan3.py), as DataFusion 50.1 printed
    it for the same builder calls over a one-partition table (once, by hand): the projection
    over the __aggr_count guard over one AggregateExec (no Sort: time is a constant). None
    over several partitions (not drawn)."""
    fields = tuple(sorted({f for _, f, _ in calls}))
    tests = scan_tests(lower, upper, tags, fields)
    found = table_scan(tuple(sorted({*table.tags, *table.fields, "time"})), table.tags, fields, tests, chunks)
    if found.partitions > 1:
        return None
    aggrs = list(dict.fromkeys(C.aggr(table.name, fn, f, spaced=True) for fn, f, _ in calls))
    outs = ", ".join(f"{C.aggr(table.name, fn, f, spaced=True)}@{aggrs.index(C.aggr(table.name, fn, f, spaced=True))} "
                     f"as {name}" for fn, f, name in calls)
    lines = [f"ProjectionExec: expr=[{table.name} as iox::measurement, {lower or 0} as time, {outs}]",
             "  CoalesceBatchesExec: target_batch_size=8192", f"    FilterExec: __aggr_count@{len(aggrs)} > 0",
             f"      AggregateExec: mode=Single, gby=[], aggr=[{', '.join([*aggrs, '__aggr_count'])}]",
             *("        " + line for line in found.lines)]
    return "\n".join(lines) + "\n"


def _shape(stmt, table, types, tags):
    """(interval and offset or None, GROUP BY tags sorted, [(expression tree, column name)])."""
    if table is None or tags is None or len(stmt.sources) != 1 or not isinstance(stmt.sources[0], A.Measurement):
        return None
    src = stmt.sources[0]
    if src.regex is not None or src.name != table.name or src.database is not None or src.retention_policy is not None:
        return None
    if stmt.into is not None or stmt.slimit or stmt.soffset:
        return None
    dims = drawn_dimensions(stmt, table)
    if dims is None:
        return None
    interval, group_tags = dims
    outs = C.fields(stmt, table, types, interval is not None)
    if not outs:
        return None
    if stmt.location is not None and (interval is None or any(not isinstance(n, X.Agg) or n.fn in TIMED
                                                              for n, _ in outs)):
        return None  # (tz() drawn with GROUP BY time over aggregates alone: a selector's time not followed)
    if stmt.fill == "value" and (group_tags or interval is None):
        return None  # (a value fill over tags, a fill without GROUP BY time: not drawn)
    if stmt.fill == "value" and any(a.fn in SELECTORS and C.struct_default(stmt.fill_value, a.kind) is None
                                    for n, _ in outs for a in X.aggregates(n)):
        return None  # (a selector's struct default whose time ``as i64`` saturates: not drawn)
    every = [a for n, _ in outs for a in X.aggregates(n)]
    if group_tags and any(a.param == "DISTINCT" for a in every):
        return None  # (a distinct count under groups: DataFusion's single_distinct_aggregation_to_group_by, not drawn)
    if interval is None and len(every) == 1 and every[0].fn == "percentile":
        return None  # (a lone percentile is v3's selector: winselect3.py)
    if interval is None and any(not isinstance(n, X.Agg) and any(a.fn in SELECTORS for a in X.aggregates(n))
                                for n, _ in outs):
        return None  # (a selector inside an expression without GROUP BY time: its time column not drawn)
    column = _column(stmt)
    left = [d for n, _ in outs for d in X.divisions(n) if not X.drawn_division(d, column, interval is not None)]
    outer = [d for n, _ in outs for d in X.outer_divisions(n)]
    if left and not (all(X.extracted(d, column) and any(d is o for o in outer) for d in left) and interval is None
                     and not _limited(stmt) and stmt.location is None and stmt.fill != "value"):
        return None  # (divisors DataFusion extracts, drawn where no division holds them: cse3.py; a count after GapFill)
    if interval is not None and any(X.zero_count_product(n) for n, _ in outs):
        return None  # (count * 0 folds to 0 where the count is never null: after GapFill, not followed)
    return interval, sorted(group_tags), outs


def missing_dimensions(stmt, table) -> tuple[str, ...]:
    """The GROUP BY names that are no column of the table: projected as NULL after time among the
    tags, in name order, grouping nothing, no Sort key (planner.rs select_query_to_plan's sorted
    group_by_tags; plan_with_sort leaves out the Null columns; planner tests
    select_aggregate__single_measurement__group_by_non_existent, group_by_foo_non_existent)."""
    if table is None:
        return ()
    return tuple(sorted({d.expr.name for d in stmt.dimensions if isinstance(d.expr, A.VarRef)
                         and d.expr.type is None and d.expr.name not in (*table.tags, *table.fields, "time")}))


def drawn_dimensions(stmt, table):
    """(interval and offset or None, the GROUP BY tags) or None for a GROUP BY not drawn."""
    interval, group_tags = None, set()
    for d in stmt.dimensions:
        e = d.expr
        if isinstance(e, A.Call) and e.name == "time" and interval is None and 1 <= len(e.args) <= 2 \
                and all(isinstance(a, A.DurationLiteral) for a in e.args) and e.args[0].val > 0 \
                and (len(e.args) == 1 or e.args[1].val >= 0):
            interval = (e.args[0].val, e.args[1].val if len(e.args) == 2 else 0)
        elif isinstance(e, A.VarRef) and e.type in (None, "tag") and e.name in table.tags:
            group_tags.add(e.name)
        else:
            return None
    return interval, group_tags


def filtered_scans(table: Table, lower, upper, tags, interval, group_tags, calls) -> tuple[str, str, str]:
    """The filtered scan as the planner builds it, after push_down_filter (every conjunct in
    the scan: IOx's table takes them all) and after optimize_projections (the columns the
    aggregates and groups read, in the table's order; DataFusion 50.1 printed both for the
    same builder calls over a table taking every filter, once, by hand)."""
    m = table.name
    fields = sorted({a.field for a in calls})
    plan, pushed = scan_filters(m, fields, tags, lower, upper)
    read = {*fields, *group_tags, *(("time",) if interval is not None or any(a.fn in TIMED for a in calls) else ())}
    columns = ", ".join(sorted(read))
    return plan, f"TableScan: {m}, {pushed}", f"TableScan: {m} projection=[{columns}], {pushed}"


def _project(m: str, node, stmt, stage: str) -> str:
    """A field's expression over the aggregates' columns (coalesced with a fill value)."""
    return X.render(node, _leaf(m, stmt), stage)


def _leaf(m: str, stmt):
    """An aggregate's value as the fields' Projection reads it."""
    def leaf(a: X.Agg) -> str:
        col = C.aggr(m, a.fn, a.field, spaced=False, param=a.param)
        if stmt.fill == "value" and a.fn in SELECTORS:  # rebase_expr: the struct coalesced, then its value
            return f'get_field(coalesce_struct({col}, Struct({C.struct_default(stmt.fill_value, a.kind)})), Utf8("value"))'
        if stmt.fill == "value":
            return f"coalesce_struct({col}, {a.kind}({fill_scalar(stmt.fill_value, a.kind)}))"
        return f'get_field({col}, Utf8("value"))' if a.fn in SELECTORS else col
    return leaf


def _column(stmt):
    """Whether an aggregate's value is its plain column (not a selector's field, not coalesced)."""
    return lambda a: a.fn not in SELECTORS and stmt.fill != "value"


def _commons(m: str, outs, stmt) -> list[str]:
    """The divisors DataFusion extracts (cse3.py), in the order the fields read them."""
    column = _column(stmt)
    found = [d for n, _ in outs for d in X.divisions(n) if X.extracted(d, column)]
    return [X.divisor(d, _leaf(m, stmt), "simplified") for d in found]


def _columns(m: str, group_tags, calls) -> list[str]:
    """The Aggregate's output columns, in order: the GROUP BY tags, the aggregates, the
    ``__aggr_count`` guard without GROUP BY."""
    aggrs = dict.fromkeys(C.aggr(m, a.fn, a.field, spaced=False, param=a.param) for a in calls)
    return [f"{m}.{t}" for t in group_tags] + list(aggrs) + ([] if group_tags else ["__aggr_count"])


def _plan(stmt, table: Table, lower, upper, interval, group_tags, outs, calls, plan: str, stage="planner",
          missing: tuple[str, ...] = ()) -> str:
    """The plan over ``plan`` (one of filtered_scans'), its expressions as at ``stage`` (aggexpr3.py);
    ``missing``: the GROUP BY columns not in the table (missing_dimensions)."""
    m = table.name
    plan = aggregated(stmt, table, lower, upper, interval, group_tags, calls, plan, coerced=stage != "planner")
    if interval is not None:
        time_col = "time"
    elif len(outs) == 1 and isinstance(outs[0][0], X.Agg) and outs[0][0].fn in SELECTORS:  # its row's time
        time_col = f"get_field({C.aggr(m, outs[0][0].fn, outs[0][0].field, spaced=False)}, Utf8(\"time\")) AS time"
    else:
        time_col = f"TimestampNanosecond({lower or 0}, None) AS time"
    head = f"Projection: {dict_literal(m)} AS iox::measurement"
    exprs = [f"{_project(m, node, stmt, stage)} AS {name}" for node, name in outs]
    tag_cols = [f"{m}.{t} AS {t}" if t in group_tags else f"NULL AS {t}" for t in sorted({*group_tags, *missing})]
    if _limited(stmt):
        plan = plan_block(", ".join([f"Projection: {time_col}", *tag_cols, *exprs]), plan)
        plan = plan_block(_series_limit(stmt, group_tags, outs), plan)
        plan = plan_block(", ".join([head, "time", *group_tags, *(n for _, n in outs)]), plan)
    else:
        plan = plan_block(", ".join([head, time_col, *tag_cols, *exprs]), plan)
    order = "ASC" if stmt.time_ascending else "DESC"
    sort = ", ".join([*(f"{c} ASC NULLS LAST" for c in group_tags), f"time {order} NULLS LAST"])
    return plan_block(f"Sort: {sort}", plan)


def aggregated(stmt, table: Table, lower, upper, interval, group_tags, calls, plan: str, coerced=False) -> str:
    """The Aggregate of ``calls`` over ``plan`` (its groups: the time bins and ``group_tags``;
    without, the ``__aggr_count`` guard) and the GapFill above it (GROUP BY time, not fill(none)):
    the plan under the fields' projection (winfunc3.py puts a WindowAggr between them);
    ``coerced``: as after DataFusion's type_coercion (aggcalls3.coerced)."""
    m = table.name
    aggrs = list(dict.fromkeys(C.coerced(m, a) if coerced else C.aggr(m, a.fn, a.field, spaced=True, param=a.param)
                               for a in calls))
    groups = [f"{m}.{t}" for t in group_tags]
    if interval is not None:
        stride = interval_literal(interval[0])
        source = "time" if stmt.location is not None else f"{m}.time"  # tz(): the projected time column
        groups.insert(0, f"date_bin_wallclock({stride}, {source}, TimestampNanosecond({interval[1]}, None)) AS time")
    if not groups:
        plan = plan_block("Filter: __aggr_count > Int64(0)",
                      plan_block(f"Aggregate: groupBy=[[]], aggr=[[{', '.join([*aggrs, 'count(Int64(1)) AS __aggr_count'])}]]",
                             plan))
    else:
        plan = plan_block(f"Aggregate: groupBy=[[{', '.join(groups)}]], aggr=[[{', '.join(aggrs)}]]", plan)
    if interval is not None and stmt.fill != "none":
        value = stmt.fill_value if stmt.fill == "value" else None
        fills = ", ".join(_fill(stmt.fill, C.aggr(m, a.fn, a.field, spaced=False, param=a.param), a.kind, a.fn, value)
                          for a in calls)
        zone = stmt.location
        rng = (f"Included(Literal({ts(lower, zone)}, None))" if lower is not None else "Unbounded") + \
              f"..Included(Literal({ts(upper, zone)}, None))"
        series = ", ".join(f"{m}.{t}" for t in group_tags)
        plan = plan_block(f"GapFill: series=[{series}], time=date_bin_wallclock({stride}, time, "
                      f"TimestampNanosecond({interval[1]}, None)), fill=[{fills}], range={rng}", plan)
    return plan


def _limited(stmt) -> bool:
    """True when the planner puts a SeriesLimit in the plan (planner.rs limit)."""
    return bool(stmt.fill == "value" or stmt.limit or stmt.offset)


def _series_limit(stmt, group_tags, outs) -> str:
    """planner.rs limit: a SeriesLimit over the GROUP BY tags, each field kept with its nulls
    (an aggregate's column is InfluxQL-filled), its default the fill value cast to the field's
    type (util.rs number_to_scalar) or a null; iox_query series_limit fmt_for_explain prints no
    skip for OFFSET 0 and no fetch without LIMIT."""
    value = stmt.fill_value if stmt.fill == "value" else None
    exprs = ", ".join(f"{n} RESPECT NULLS (default: {node.kind}("
                      f"{fill_scalar(value, node.kind) if value is not None and node.kind in NUMERIC else 'NULL'}))"
                      for node, n in outs)
    order = "ASC" if stmt.time_ascending else "DESC"
    return (f"SeriesLimit: series=[{', '.join(group_tags)}], order=[time {order} NULLS LAST], limit_expr=[{exprs}]"
            + (f", skip=UInt64({stmt.offset})" if stmt.offset else "") + (f", fetch=UInt64({stmt.limit})" if stmt.limit else ""))


def interval_literal(ns: int) -> str:
    """A GROUP BY time interval as DataFusion prints its IntervalMonthDayNano literal."""
    return f'IntervalMonthDayNano("IntervalMonthDayNano {{ months: 0, days: 0, nanoseconds: {ns} }}")'


def _fill(fill: str | None, col: str, kind: str, fn: str, value) -> str:
    """gapfill/mod.rs FillStrategy::display_with_expr of one aggregate's strategy."""
    if fill == "previous":
        return f"LOCF({col})"
    if fn == "integral":  # planner.rs: an integral beside other aggregates is filled with nulls, even under linear
        return col
    if fill == "linear":
        return f"INTERPOLATE({col})"
    if fill == "value":
        return f"COALESCE({col}, {C.struct_default(value, kind) if fn in SELECTORS else fill_scalar(value, kind)})"
    return f"COALESCE({col}, 0)" if fn == "count" else col  # fill(null): count's default value is 0


def fill_scalar(value: int | float, kind: str) -> str:
    """A fill(<value>) ``value`` cast to ``kind`` (util.rs number_to_scalar), printed as DataFusion
    prints the ScalarValue (Rust's f64 Display: no exponent, no trailing ``.0``)."""
    if kind in ("Int64", "UInt64"):
        return str(int(value) % 2**64 if kind == "UInt64" else int(value))  # Rust's ``as``: truncate, wrap
    return np.format_float_positional(float(value), trim="-")
