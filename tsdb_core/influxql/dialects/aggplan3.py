"""InfluxDB 3's planner plan of an aggregate SELECT of one measurement, as EXPLAIN prints it.

The shape drawn: ``SELECT <aggregate>(<field>) [AS alias], ... FROM <one measurement>
[WHERE <time range> [AND tag = 'value' ...]] [GROUP BY time(<d>[, <offset>])] [, <tags>]
[fill(...)] [ORDER BY time DESC]``: aggregates count, mean, sum, median, stddev and the
selectors first, last, min, max (not under GROUP BY time with fill(<value>) or fill(linear));
no LIMIT, OFFSET or tz(); fill(<value>) only with GROUP BY time and no tags. It follows ``planner.rs`` of
``iox_query_influxql`` (project_select_aggregate): the raw SELECT's filters (a GROUP BY time
bounds time by now() when the WHERE clause does not), an Aggregate on
``date_bin_wallclock(<interval>, time, <offset>) AS time`` and the GROUP BY tags (names
sorted), without a GROUP BY the ``__aggr_count`` guard; without GROUP BY time, the time
column is a lone selector's row time, else the range's start (or 0); a GapFill (``iox_query``
exec/gapfill: ``fill=[...]`` each aggregate's strategy: fill(null) or none written: the
aggregate as it is, count's ``COALESCE(.., 0)``; previous: ``LOCF``; linear: ``INTERPOLATE``;
a value: ``COALESCE(.., v)`` cast to the aggregate's type (util.rs number_to_scalar) with a
``coalesce_struct`` projection and a SeriesLimit above it), then the measurement's projection
and the Sort. DataFusion's optimizer hands the filters to the scan and narrows it (_scans);
the physical plan is drawn without GROUP BY only (with it: GapFillExec, and an AggregateExec
whose input order depends on IOx's date_bin_wallclock, are not).
"""
from __future__ import annotations

import numpy as np

from ..ast import expr as A
from .scanplan3 import scan_tests, table_scan
from .showplan3 import Plans, Table, _block, _lit, scan_filters

# InfluxQL name -> (DataFusion's name, result type: None = the field's type)
AGGREGATES = {"count": ("count", "Int64"), "mean": ("avg", "Float64"), "sum": ("sum", None),
              "median": ("median", None), "stddev": ("stddev", "Float64")}
SELECTORS = ("first", "last", "min", "max")
ARROW = {"float": "Float64", "integer": "Int64", "unsigned": "UInt64", "string": "Utf8", "boolean": "Boolean"}
NUMERIC = ("Float64", "Int64", "UInt64")


def aggregate_select(stmt, table: Table | None, types: dict[str, str], lower: int | None, upper: int | None,
                     tags: list[tuple[str, str]] | None, now: int, chunks=None) -> Plans | None:
    """The planner's plan of ``stmt`` over ``table`` (``types``: its fields' InfluxQL types),
    the WHERE clause's time range ``lower``..``upper`` (ends inclusive) and tag comparisons
    ``tags`` (None: a condition not drawn), or None when the shape is not drawn; ``chunks``:
    the table's rows in the range (scanplan3.py), for the physical plan of an aggregate
    without GROUP BY."""
    shape = _shape(stmt, table, types, tags)
    if shape is None:
        return None
    interval, group_tags, calls = shape
    if interval is not None and upper is None:
        upper = now  # GROUP BY time: the range ends at now()
    if lower is not None and upper is not None and lower > upper:
        return None
    args = (stmt, table, types, lower, upper, tags, interval, group_tags, calls)
    filtered, pushed, narrowed = _scans(table, lower, upper, tags, interval, group_tags, calls)
    physical = None
    if chunks and interval is None and not group_tags and not any(fn in SELECTORS for fn, *_ in calls):
        physical = _ungrouped_exec(table, lower, upper, tags, calls, chunks)
    return Plans(_plan(*args, filtered), (("push_down_filter", _plan(*args, pushed)),
                                          ("optimize_projections", _plan(*args, narrowed))), physical)


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
    aggrs = list(dict.fromkeys(_aggr(table.name, fn, f, spaced=True) for fn, f, _ in calls))
    outs = ", ".join(f"{_aggr(table.name, fn, f, spaced=True)}@{aggrs.index(_aggr(table.name, fn, f, spaced=True))} "
                     f"as {name}" for fn, f, name in calls)
    lines = [f"ProjectionExec: expr=[{table.name} as iox::measurement, {lower or 0} as time, {outs}]",
             "  CoalesceBatchesExec: target_batch_size=8192", f"    FilterExec: __aggr_count@{len(aggrs)} > 0",
             f"      AggregateExec: mode=Single, gby=[], aggr=[{', '.join([*aggrs, '__aggr_count'])}]",
             *("        " + line for line in found.lines)]
    return "\n".join(lines) + "\n"


def _shape(stmt, table, types, tags):
    """(interval and offset or None, GROUP BY tags sorted, [(InfluxQL fn, field, column name)])."""
    if table is None or tags is None or len(stmt.sources) != 1 or not isinstance(stmt.sources[0], A.Measurement):
        return None
    src = stmt.sources[0]
    if src.regex is not None or src.name != table.name or src.database is not None or src.retention_policy is not None:
        return None
    if stmt.into is not None or stmt.limit or stmt.offset or stmt.slimit or stmt.soffset or stmt.location is not None:
        return None
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
    calls, names = [], {}
    for f in stmt.fields:
        call = _call(f.expr, table, types, interval is not None, stmt.fill)
        if call is None:
            return None
        name = f.alias if f.alias is not None else call[0]
        n = names.get(name, 0)
        names[name] = n + 1
        calls.append((*call, name if n == 0 else f"{name}_{n}"))
    if len({c for *_, c in calls}) != len(calls) or not calls:
        return None
    if stmt.fill == "value" and (group_tags or interval is None):
        return None  # (a SeriesLimit over the tags, a fill without GROUP BY time: not drawn)
    return interval, sorted(group_tags), calls


def _call(e, table: Table, types, by_time: bool, fill) -> tuple[str, str] | None:
    if not isinstance(e, A.Call) or len(e.args) != 1 or not isinstance(e.args[0], A.VarRef):
        return None
    ref = e.args[0]
    if ref.type not in (None, "field") or ref.name not in table.fields or ref.name not in types:
        return None
    arrow = ARROW[types[ref.name]]
    if e.name in AGGREGATES:
        return (e.name, ref.name) if e.name == "count" or arrow in NUMERIC else None
    if e.name in SELECTORS and not (by_time and fill in ("value", "linear")):
        return (e.name, ref.name) if e.name in ("first", "last") or arrow in NUMERIC else None
    return None


def _aggr(m: str, fn: str, field: str, *, spaced: bool) -> str:
    """The aggregate as the Aggregate node prints it (``spaced``) or as its column's name."""
    if fn in SELECTORS:
        return f"selector_{fn}({m}.{field},{' ' if spaced else ''}{m}.time)"
    return f"{AGGREGATES[fn][0]}({m}.{field})"


def _type(fn: str, field_type: str) -> str:
    if fn in SELECTORS:
        return ARROW[field_type]
    kind = AGGREGATES[fn][1]
    return kind if kind is not None else ARROW[field_type]


def _scans(table: Table, lower, upper, tags, interval, group_tags, calls) -> tuple[str, str, str]:
    """The filtered scan as the planner builds it, after push_down_filter (every conjunct in
    the scan: IOx's table takes them all) and after optimize_projections (the columns the
    aggregates and groups read, in the table's order; DataFusion 50.1 printed both for the
    same builder calls over a table taking every filter, once, by hand)."""
    m = table.name
    fields = sorted({f for _, f, _ in calls})
    plan, pushed = scan_filters(m, fields, tags, lower, upper)
    read = {*fields, *group_tags, *(("time",) if interval is not None or any(fn in SELECTORS for fn, *_ in calls) else ())}
    columns = ", ".join(sorted(read))
    return plan, f"TableScan: {m}, {pushed}", f"TableScan: {m} projection=[{columns}], {pushed}"


def _plan(stmt, table: Table, types, lower, upper, tags, interval, group_tags, calls, plan: str) -> str:
    """The plan over ``plan`` (one of _scans')."""
    m = table.name
    aggrs = list(dict.fromkeys(_aggr(m, fn, f, spaced=True) for fn, f, _ in calls))
    groups = [f"{m}.{t}" for t in group_tags]
    if interval is not None:
        stride = _bin(interval[0])
        groups.insert(0, f"date_bin_wallclock({stride}, {m}.time, TimestampNanosecond({interval[1]}, None)) AS time")
    if not groups:
        plan = _block("Filter: __aggr_count > Int64(0)",
                      _block(f"Aggregate: groupBy=[[]], aggr=[[{', '.join([*aggrs, 'count(Int64(1)) AS __aggr_count'])}]]",
                             plan))
    else:
        plan = _block(f"Aggregate: groupBy=[[{', '.join(groups)}]], aggr=[[{', '.join(aggrs)}]]", plan)
    columns = [(_aggr(m, fn, f, spaced=False), _type(fn, types[f]), name, fn) for fn, f, name in calls]
    if interval is not None:
        time_col = "time"
    elif len(columns) == 1 and columns[0][3] in SELECTORS:  # one selector: the time of its row
        time_col = f"get_field({columns[0][0]}, Utf8(\"time\")) AS time"
    else:
        time_col = f"TimestampNanosecond({lower or 0}, None) AS time"
    tag_cols = [f"{m}.{t} AS {t}" for t in group_tags]
    value = stmt.fill_value if stmt.fill == "value" else None
    if interval is not None and stmt.fill != "none":
        fills = ", ".join(_fill(stmt.fill, col, kind, fn, value) for col, kind, _, fn in columns)
        rng = (f"Included(Literal(TimestampNanosecond({lower}, None), None))" if lower is not None else "Unbounded") + \
              f"..Included(Literal(TimestampNanosecond({upper}, None), None))"
        series = ", ".join(f"{m}.{t}" for t in group_tags)
        plan = _block(f"GapFill: series=[{series}], time=date_bin_wallclock({stride}, time, "
                      f"TimestampNanosecond({interval[1]}, None)), fill=[{fills}], range={rng}", plan)
    head = f"Projection: {_lit(m)} AS iox::measurement, {time_col}"
    if value is not None:
        inner = ", ".join(f"coalesce_struct({c}, {kind}({_scalar(value, kind)})) AS {n}" for c, kind, n, _ in columns)
        defaults = ", ".join(f"{n} RESPECT NULLS (default: {kind}({_scalar(value, kind)}))" for _, kind, n, _ in columns)
        plan = _block(f"Projection: {time_col}, {inner}", plan)
        plan = _block(f"SeriesLimit: series=[], order=[time ASC NULLS LAST], limit_expr=[{defaults}]", plan)
        plan = _block(", ".join([head, *(n for _, _, n, _ in columns)]), plan)
    else:
        outs = [f"get_field({c}, Utf8(\"value\")) AS {n}" if fn in SELECTORS else f"{c} AS {n}"
                for c, _, n, fn in columns]
        plan = _block(", ".join([head, *tag_cols, *outs]), plan)
    order = "ASC" if stmt.time_ascending else "DESC"
    sort = ", ".join([*(f"{c} ASC NULLS LAST" for c in group_tags), f"time {order} NULLS LAST"])
    return _block(f"Sort: {sort}", plan)


def _bin(ns: int) -> str:
    return f'IntervalMonthDayNano("IntervalMonthDayNano {{ months: 0, days: 0, nanoseconds: {ns} }}")'


def _fill(fill: str | None, col: str, kind: str, fn: str, value) -> str:
    """gapfill/mod.rs FillStrategy::display_with_expr of one aggregate's strategy."""
    if fill == "previous":
        return f"LOCF({col})"
    if fill == "linear":
        return f"INTERPOLATE({col})"
    if fill == "value":
        return f"COALESCE({col}, {_scalar(value, kind)})"
    return f"COALESCE({col}, 0)" if fn == "count" else col  # fill(null): count's default value is 0


def _scalar(value: int | float, kind: str) -> str:
    """util.rs number_to_scalar, printed as DataFusion prints the ScalarValue (Rust's f64
    Display: no exponent, no trailing ``.0``)."""
    if kind in ("Int64", "UInt64"):
        return str(int(value) % 2**64 if kind == "UInt64" else int(value))  # Rust's ``as``: truncate, wrap
    return np.format_float_positional(float(value), trim="-")
