"""InfluxDB 3's plan of a SELECT of window functions (derivative, difference, moving_average, ...).

``planner.rs`` (rewriter.rs picks the projection type): over a raw SELECT's filters (``Window``)
or over the Aggregate and GapFill of a GROUP BY time (``WindowAggregate``: every field a window
function of an aggregate; ``WindowAggregateMixed``: plain aggregates too), select_window plans
each window function as IOx's user-defined window function (udf_to_expr): its arguments (the
unit and the time column for derivative and elapsed), partitioned by the GROUP BY tags, ordered
by time, over ``ROWS BETWEEN UNBOUNDED PRECEDING AND UNBOUNDED FOLLOWING``, named as the
placeholder call it replaces. Above it, filter_window_nulls keeps the rows where one window
column is not null; a mixed projection keeps the requested time range instead
(filter_requested_time_range). A window function of an aggregate reads one more interval before
the range (Context extended_time_range; under ORDER BY time DESC, after it, and every window
orders time DESC: time_sort_expr). cumulative_sum's window function is named
``cumumlative_sum`` (sic: window/cumulative_sum.rs).

DataFusion's optimizer (push_down_filter, then optimize_projections) hands the scan's filters to
IOx's table and narrows it; the Filter above the WindowAggr cannot pass it (its columns are not
partition keys), and optimize_projections puts a Projection of the columns above between them
when the WindowAggr outputs more (Filter's children: add_projection_on_top_if_helpful). The next
pass, push_down_filter moves the Filter under that Projection, and optimize_projections merges it
into the measurement's and puts it back: the plan of the first pass, where the optimizer stops
(DataFusion 50.1 printed these four steps for a Filter over a WindowAggr of the same frame, once,
by hand). Over GapFill the WindowAggr reads the series first, then time (GapFill::try_new).

A LIMIT, an OFFSET or a value fill puts v3's SeriesLimit between the fields' projection and the
measurement's (planner.rs limit; a window's column is not InfluxQL-filled: ``IGNORE NULLS``),
where optimize_projections stops; a value fill coalesces each aggregate with the value
(rebase_expr), inside the window call too. tz() over aggregates: the scan under
project_timezone's projection (tzplan3.py), the ranges in the zone's timestamps. The physical
plan: over fields here (_physical), over aggregates in winexec3.py.
"""
from __future__ import annotations

from dataclasses import dataclass

from ...base import regex as linear_regex
from ...base.errors import QueryError
from ..ast import expr as A
from . import aggcalls3 as C
from . import aggexpr3 as X
from .aggcalls3 import ARROW, NUMERIC
from .aggexec3 import zoned_scan
from .aggplan3 import (
    aggregated,
    drawn_dimensions,
    fill_scalar,
    filtered_scans,
    interval_literal,
)
from .rust_debug import string
from .scanplan3 import BATCH, scan_tests, table_scan
from .showplan3 import Plans, Table, dict_literal, plan_block, scan_filters
from .tzplan3 import full_filters, ts, tz_projection, tz_scan
from .winexec3 import aggregate_window_exec, limited_exec

FUNCTIONS = ("derivative", "non_negative_derivative", "difference", "non_negative_difference", "moving_average",
             "cumulative_sum", "elapsed")
UNIT = ("derivative", "non_negative_derivative", "elapsed")  # a unit argument, the time column appended
NAMED = {"cumulative_sum": "cumumlative_sum"}  # the window function's own name, where it differs
FRAME = "ROWS BETWEEN UNBOUNDED PRECEDING AND UNBOUNDED FOLLOWING"
NUMBERS = ("float", "integer", "unsigned")


@dataclass(frozen=True, slots=True)
class Win:
    """One window function call: its name, its input (a field's name, or an aggregate), the
    literal argument as written (moving_average's n, a unit; empty when none) and the unit the
    window function is given (derivative and elapsed, in nanoseconds)."""

    fn: str
    arg: str | X.Agg
    written: str = ""
    unit: int | None = None


def window_function_select(stmt, table: Table | None, types: dict[str, str], lower: int | None, upper: int | None,
                           tags: list[tuple[str, str]] | None, now: int, chunks=None) -> Plans | None:
    """The plans of ``stmt`` when its fields are window functions (over fields, or over
    aggregates under GROUP BY time, with plain aggregates beside them) of one measurement;
    ``tags``: the WHERE clause's tag tests (None: not drawn); ``chunks``: the table's rows in
    the range (scanplan3.py), for the physical plan. None for other shapes."""
    shape = _shape(stmt, table, types, tags)
    if shape is None:
        return None
    interval, group, outs = shape
    m = table.name
    wins = list(dict.fromkeys(node for node, _ in outs if isinstance(node, Win)))
    d = Drawn(m, interval, group, outs, wins, stmt.fill_value if stmt.fill == "value" else None,
              _series_limit(stmt, group, outs, types), stmt.location, stmt.offset, stmt.limit,
              _limit_defaults(stmt, outs, types), "ASC" if stmt.time_ascending else "DESC")
    if interval is None:
        below, inputs = _field_scans(d, table, lower, upper, tags)
    else:
        upper = now if upper is None else upper
        wide, top = _extended(lower, upper, interval[0], stmt.time_ascending)
        if wide is not None and wide > top:
            return None
        calls = list(dict.fromkeys(a for node, _ in outs for a in _aggs(node)))
        below = [aggregated(stmt, table, wide, top, interval, group, calls, s)
                 for s in _aggregate_scans(stmt, table, wide, top, tags, interval, group, calls)]
        inputs = _window_inputs(m, group, calls, stmt.fill != "none")
    mixed = any(isinstance(node, X.Agg) for node, _ in outs)
    used = {*(f"{m}.{g}" for g in group), "time" if interval or stmt.location else f"{m}.time",
            *(agg_struct(m, n) for n, _ in outs if isinstance(n, X.Agg))}
    kept = [c for c in inputs if c in used]  # the WindowAggr's input columns needed above it
    cond = _result_range(lower, upper, interval, stmt.location) if mixed else " OR ".join(f"{d.name(w)} IS NOT NULL" for w in wins)
    def over(plan: str, narrowed: bool, swapped: bool = False) -> str:
        plan = plan_block(f"WindowAggr: windowExpr=[[{', '.join(d.window(w) for w in wins)}]]", plan)
        projection = f"Projection: {', '.join([*kept, *map(d.name, wins)])}"
        if swapped:  # push_down_filter's next pass: the Filter under the Projection above it
            return _top(d, plan_block(projection, plan_block(f"Filter: {cond}", plan)))
        if narrowed and len(kept) < len(inputs):  # optimize_projections
            plan = plan_block(projection, plan)
        return _top(d, plan_block(f"Filter: {cond}", plan))
    initial, pushed, narrowed = over(below[0], False), over(below[1], False), over(below[2], True)
    steps = (("push_down_filter", pushed),)
    if d.limit is None:  # optimize_projections stops at v3's SeriesLimit (aggplan3.py): the plan pushed is the last
        steps += (("optimize_projections", narrowed),)
    if d.limit is None and len(kept) < len(inputs):  # the next pass pushes the Filter under that Projection, the next puts it back
        steps += (("push_down_filter", over(below[2], True, True)), ("optimize_projections", narrowed))
    physical = None
    if chunks and interval is None:
        physical = _physical(d, table, types, lower, upper, tags, chunks)
    elif chunks and interval is not None:  # winexec3.py
        physical = aggregate_window_exec(d, table, _window_exec(d, types), (wide, top, lower, upper), tags, stmt.fill, kept,
                                         chunks, stmt.location)
    return Plans(initial, steps, physical)


@dataclass(frozen=True, slots=True)
class Drawn:
    """What the plan's lines are printed from: the measurement, the GROUP BY interval (and
    offset) or None, the GROUP BY tags, the fields ([(Win or Agg, name)]), the distinct window
    calls, the fill value (fill(<value>); None without), the SeriesLimit's line (None: no
    LIMIT, OFFSET or value fill), tz()'s zone (None without), the OFFSET, the LIMIT, each
    field's SeriesLimit default as its ScalarValue prints and time's order (ORDER BY time DESC:
    ``DESC``, the window's and the Sort's: planner.rs time_sort_expr)."""

    m: str
    interval: tuple[int, int] | None
    group: list[str]
    outs: list
    wins: list
    value: int | float | None
    limit: str | None
    zone: str | None = None
    skip: int = 0
    fetch: int = 0
    defaults: tuple[str, ...] = ()
    order: str = "ASC"

    def name(self, w: Win) -> str:
        """A window column's name: the placeholder call it replaces (its arguments as written;
        an aggregate coalesced with the fill value: planner.rs rebase_expr)."""
        if isinstance(w.arg, str):
            arg = f"{self.m}.{w.arg}"
        else:
            arg = agg_struct(self.m, w.arg)
            if self.value is not None and w.arg.fn in C.SELECTORS:  # its struct coalesced, then get_field's name
                arg = f"coalesce_struct({arg},Struct({C.struct_default(self.value, w.arg.kind)}))[value]"
            elif self.value is not None:
                arg = f"coalesce_struct({arg},{w.arg.kind}({fill_scalar(self.value, w.arg.kind)}))"
            elif w.arg.fn in C.SELECTORS:
                arg += "[value]"  # get_field's name
        return f"{w.fn}({arg}{',' + w.written if w.written else ''})"

    def column(self, a: X.Agg) -> str:
        """An aggregate's value (a selector's: get_field of its struct; under a value fill,
        coalesce_struct of it and the value cast to its type)."""
        col = agg_struct(self.m, a)
        if self.value is not None and a.fn in C.SELECTORS:
            return f'get_field(coalesce_struct({col}, Struct({C.struct_default(self.value, a.kind)})), Utf8("value"))'
        if self.value is not None:
            return f"coalesce_struct({col}, {a.kind}({fill_scalar(self.value, a.kind)}))"
        return f'get_field({col}, Utf8("value"))' if a.fn in C.SELECTORS else col

    def window(self, w: Win) -> str:
        """The window expression as the WindowAggr prints it (udf_to_expr)."""
        q = "" if self.interval or self.zone else f"{self.m}."  # the Aggregate's time, project_timezone's
        args = [f"{self.m}.{w.arg}" if isinstance(w.arg, str) else self.column(w.arg)]
        if w.fn in UNIT:
            args += [interval_literal(w.unit), f"{q}time"]
        elif w.written:
            args.append(w.written)
        part = f"PARTITION BY [{', '.join(f'{self.m}.{g}' for g in self.group)}] " if self.group else ""
        return (f"{NAMED.get(w.fn, w.fn)}({', '.join(args)}) {part}ORDER BY [{q}time {self.order} NULLS LAST] {FRAME} "
                f"AS {self.name(w)}")


def _field_scans(d: Drawn, table: Table, lower, upper, tags) -> tuple[list[str], list[str]]:
    """The filtered scan under a window of fields as the planner builds it, after
    push_down_filter and after optimize_projections, and the columns the last one gives the
    window; under tz(), under project_timezone's projection (tzplan3.py, narrowed to the
    columns the window reads: its time column unqualified)."""
    m, fields = d.m, sorted({w.arg for w in d.wins})
    read = sorted({*d.group, "time", *fields})
    if d.zone is None:
        filtered, pushed = scan_filters(m, fields, tags, lower, upper)
        below = [filtered, f"TableScan: {m}, {pushed}", f"TableScan: {m} projection=[{', '.join(read)}], {pushed}"]
        return below, [f"{m}.{c}" for c in read]
    columns = tuple(sorted({*table.tags, *table.fields, "time"}))
    full = full_filters(m, fields, lower, upper, d.zone, tags)
    below = [tz_scan(m, columns, fields, tags, lower, upper, d.zone),
             plan_block(tz_projection(m, columns, d.zone), f"TableScan: {m}, {full}"),
             plan_block(tz_projection(m, columns, d.zone, set(read)), f"TableScan: {m} projection=[{', '.join(read)}], {full}")]
    return below, ["time" if c == "time" else f"{m}.{c}" for c in read]


def _window_inputs(m: str, group, calls, gap_filled: bool) -> list[str]:
    """The WindowAggr's input columns over aggregates: GapFill's (the series, then time and
    the aggregates: iox_query exec/gapfill GapFill::try_new) or the Aggregate's (time first)."""
    aggs = [agg_struct(m, a) for a in calls]
    tags = [f"{m}.{g}" for g in group]
    return [*tags, "time", *aggs] if gap_filled else ["time", *tags, *aggs]


def _series_limit(stmt, group, outs, types) -> str | None:
    """planner.rs limit (a LIMIT, an OFFSET or a value fill): a SeriesLimit over the GROUP BY
    tags; a window's column is not InfluxQL-filled (select_window marks it so: ``IGNORE
    NULLS``), an aggregate's is (``RESPECT NULLS``); the default: the fill value cast to the
    column's type (util.rs number_to_scalar), else a null of it."""
    if not (stmt.limit or stmt.offset or stmt.fill == "value"):
        return None
    exprs = []
    for (node, name), default in zip(outs, _limit_defaults(stmt, outs, types)):
        kind = _type(node, types) if isinstance(node, Win) else node.kind
        nulls = "IGNORE" if isinstance(node, Win) else "RESPECT"
        exprs.append(f"{name} {nulls} NULLS (default: {kind}({default}))")
    order = "ASC" if stmt.time_ascending else "DESC"
    return (f"SeriesLimit: series=[{', '.join(group)}], order=[time {order} NULLS LAST], limit_expr=[{', '.join(exprs)}]"
            + (f", skip=UInt64({stmt.offset})" if stmt.offset else "")
            + (f", fetch=UInt64({stmt.limit})" if stmt.limit else ""))


def _limit_defaults(stmt, outs, types) -> tuple[str, ...]:
    """Each field's SeriesLimit default: under fill(<value>) the value cast to the column's type
    (util.rs number_to_scalar), else a null."""
    kinds = [_type(node, types) if isinstance(node, Win) else node.kind for node, _ in outs]
    return tuple(fill_scalar(stmt.fill_value, k) if stmt.fill == "value" and k in NUMERIC else "NULL" for k in kinds)


def _physical(d: Drawn, table: Table, types, lower, upper, tags, chunks) -> str | None:
    """The physical plan of a window over fields, over one partition of IOx's scan: the
    WindowAggExec (its frame is unbounded: not a BoundedWindowAggExec) over the SortExec that
    EnforceSorting puts under it (on the partition keys and time, unless the scan comes sorted
    so: a partition key's requirement has no direction, and time is not nullable), the
    Projection and Filter above it, no Sort on top (the window's output is ordered).
    DataFusion 50.1 printed this shape, once, by hand, for a Filter over a Projection over a
    WindowAggr of the same frame and one partition (the window's name: the alias, as
    create_window_expr takes it; its Field as ``{:?}`` of arrow 56 prints it), and over a Parquet
    file sorted on the key (no SortExec when it starts with the partition keys, then time).
    Several partitions: :func:`_merged`.
    Under a SeriesLimit: :func:`_limited_physical`."""
    found = _window_lines(d, table, types, lower, upper, tags, chunks)
    if found is None:
        return None
    lines, scanned = found
    if d.limit is not None:
        return _limited_physical(d, lines, scanned)
    names = [d.name(w) for w in d.wins]
    out = [*scanned, *names]
    kept = [c for c in scanned if c in (*d.group, "time")]
    if len(kept) < len(scanned):  # optimize_projections' Projection
        exprs = [*(f"{c}@{out.index(c)} as {c}" for c in kept), *(f"{n}@{out.index(n)} as {n}" for n in names)]
        lines = [f"ProjectionExec: expr=[{', '.join(exprs)}]", *("  " + line for line in lines)]
        out = [*kept, *names]
    test = " OR ".join(f"{n}@{out.index(n)} IS NOT NULL" for n in names)
    lines = [BATCH, f"  FilterExec: {test}", *("    " + line for line in lines)]
    named = [*(f"{g}@{out.index(g)} as {g}" for g in d.group), *(f"{d.name(w)}@{out.index(d.name(w))} as {name}"
                                                                 for w, name in d.outs)]
    head = f"ProjectionExec: expr=[{d.m} as iox::measurement, time@{out.index('time')} as time, {', '.join(named)}]"
    return "\n".join([head, *("  " + line for line in lines)]) + "\n"


def _window_lines(d: Drawn, table: Table, types, lower, upper, tags, chunks) -> tuple[list[str], tuple] | None:
    """The WindowAggExec over its sort over IOx's scan (every column of the table under a
    SeriesLimit: the logical scan there is not narrowed), and the scan's columns; None for a
    scan not drawn under a window (see :func:`_physical`). Under tz(): the scan's filters over
    ``tz(time, <zone>)`` and project_timezone's projection over it, as aggexec3.py draws them;
    tz() declares no order (query_functions tz.rs: no output_ordering), so the sort stays."""
    fields = sorted({w.arg for w in d.wins})
    columns = tuple(sorted({*table.tags, *table.fields, "time"}))
    scanned = columns if d.limit is not None else tuple(c for c in columns if c in {*d.group, "time", *fields})
    found = table_scan(columns, table.tags, scanned, scan_tests(lower, upper, tags, fields, d.zone), chunks)
    keys = (*d.group, "time")
    order = ", ".join(f"{c}@{scanned.index(c)} {'ASC' if c != 'time' else d.order} NULLS LAST" for c in keys)
    if found.partitions > 1:
        if d.zone is not None or not table.tags:
            return None  # (a union under tz()'s projection, or sorted on time alone: not drawn)
        return [_window_exec(d, types), *("  " + line for line in _merged(found.lines, order))], scanned
    lines = [_window_exec(d, types)]
    if d.zone is not None or d.order == "DESC" or found.ordered[:len(keys)] != keys:
        lines.append(f"  SortExec: expr=[{order}], preserve_partitioning=[false]")
    return lines + ["  " * (len(lines)) + line for line in zoned_scan(found.lines, scanned, d.zone)], scanned


def _merged(union: list[str], order: str) -> list[str]:
    """The window's input over several partitions (a union of IOx's chunk groups) at one target
    partition: EnforceDistribution merges them, EnforceSorting pushes the window's sort through
    the union into each input (``preserve_partitioning=[false]``: each is one partition) and the
    merge keeps its order. Each input is sorted even when its order starts with the partition
    keys: the merge's order gives them a direction (``ASC NULLS LAST``) which a tag's ``ASC``
    (nulls first) does not meet. DataFusion 50.1 printed these lines, by hand, for a window of the
    same frame over a union of two Parquet files sorted ``host ASC, time ASC``, with and without
    a partition key, and over an input topped by a FilterExec (the sort above it)."""
    inputs: list[list[str]] = []
    for line in union[1:]:
        if not line.startswith("   "):
            inputs.append([])
        inputs[-1].append(line[2:])
    sort = f"SortExec: expr=[{order}], preserve_partitioning=[false]"
    return [f"SortPreservingMergeExec: [{order}]", "  UnionExec",
            *(text for lines in inputs for text in ["    " + sort, *("      " + line for line in lines)])]


def _limited_physical(d: Drawn, lines: list[str], scanned) -> str:
    """A window of fields under v3's SeriesLimit (winexec3.limited_exec), over the window's
    output: the scan's columns, then the windows'."""
    return limited_exec(d, [*scanned, *(d.name(w) for w in d.wins)], lines)


def _window_exec(d: Drawn, types) -> str:
    """The WindowAggExec's line: each window's name, Field and frame."""
    return f"WindowAggExec: wdw=[{', '.join(_exec(d.name(w), _type(w, types)) for w in d.wins)}]"


def _exec(name: str, kind: str) -> str:
    """One window expression as WindowAggExec prints it: its name, ``{:?}`` of its Field, its frame."""
    field = (f"Field {{ name: {string(name)}, data_type: {kind}, nullable: true, dict_id: 0, dict_is_ordered: false, "
             "metadata: {} }")
    frame = ("WindowFrame { units: Rows, start_bound: Preceding(UInt64(NULL)), end_bound: Following(UInt64(NULL)), "
             "is_causal: false }")
    return f"{name}: Ok({field}), frame: {frame}"


def _type(w: Win, types) -> str:
    """The window function's result type (window/*.rs field): Float64 for derivative and
    moving_average, Int64 for elapsed, else its input's."""
    if w.fn in ("derivative", "non_negative_derivative", "moving_average"):
        return "Float64"
    if w.fn == "elapsed":
        return "Int64"
    return w.arg.kind if isinstance(w.arg, X.Agg) else ARROW[types[w.arg]]


def _top(d: Drawn, plan: str) -> str:
    """The fields' projection (time, the GROUP BY tags, each field by its name) with the
    measurement's column, or under a SeriesLimit the measurement's projection over it, and the Sort."""
    time_col = "time" if d.interval else "time AS time" if d.zone else f"{d.m}.time AS time"
    exprs = [f"{d.name(n) if isinstance(n, Win) else d.column(n)} AS {name}" for n, name in d.outs]
    tag_cols = [f"{d.m}.{g} AS {g}" for g in d.group]
    head = f"Projection: {dict_literal(d.m)} AS iox::measurement"
    if d.limit is None:
        plan = plan_block(", ".join([head, time_col, *tag_cols, *exprs]), plan)
    else:
        plan = plan_block(d.limit, plan_block(", ".join([f"Projection: {time_col}", *tag_cols, *exprs]), plan))
        plan = plan_block(", ".join([head, "time", *d.group, *(name for _, name in d.outs)]), plan)
    time_key = "time AS time" if d.zone and not d.interval and d.limit is None else "time"  # (rewrite_sort_cols_by_aggs)
    return plan_block(f"Sort: {', '.join([*(f'{g} ASC NULLS LAST' for g in d.group), f'{time_key} {d.order} NULLS LAST'])}", plan)


def _extended(lower, upper: int, every: int, ascending: bool) -> tuple[int | None, int]:
    """The range a window of aggregates reads (Context extended_time_range): one interval before
    the lower end, or under ORDER BY time DESC one after the upper end."""
    if ascending:
        return (lower - every if lower is not None else None), upper
    return lower, upper + every


def _result_range(lower, upper: int, interval, zone: str | None) -> str:
    """filter_requested_time_range: the range as asked (Context result_time_range: each end
    moved to its interval's start, the upper one to the last instant of its interval; under
    tz(), timestamps of its zone: time_range_to_df_expr)."""
    every, offset = interval
    ends = []
    if lower is not None:
        ends.append(f"time >= {ts(lower - (lower - offset) % every, zone)}")
    ends.append(f"time <= {ts(upper - (upper - offset) % every + every - 1, zone)}")
    return " AND ".join(ends)


def _aggregate_scans(stmt, table: Table, lower, upper, tags, interval, group, calls) -> list[str]:
    """The filtered scan under the Aggregate as the planner builds it, after push_down_filter
    and after optimize_projections (aggplan3.py); under tz(), with project_timezone's
    projection (tzplan3.py: kept under the Aggregate, narrowed to the columns it reads)."""
    if stmt.location is None:
        return list(filtered_scans(table, lower, upper, tags, interval, group, calls))
    m, zone, columns = table.name, stmt.location, tuple(sorted({*table.tags, *table.fields, "time"}))
    fields = sorted({a.field for a in calls})
    full = full_filters(m, fields, lower, upper, zone, tags)
    keep = {*fields, *group, "time"}
    read = ", ".join(c for c in columns if c in keep)
    return [tz_scan(m, columns, fields, tags, lower, upper, zone),
            plan_block(tz_projection(m, columns, zone), f"TableScan: {m}, {full}"),
            plan_block(tz_projection(m, columns, zone, keep), f"TableScan: {m} projection=[{read}], {full}")]


def _aggs(node) -> list[X.Agg]:
    if isinstance(node, Win):
        return [node.arg] if isinstance(node.arg, X.Agg) else []
    return [node]


def agg_struct(m: str, a: X.Agg) -> str:
    """An aggregate's column as the Aggregate names it."""
    return C.aggr(m, a.fn, a.field, spaced=False, param=a.param)


def _shape(stmt, table, types, tags):
    """(interval and offset or None, GROUP BY tags sorted, [(Win or Agg, column name)]) or None."""
    dims = dimensions(stmt, table, tags, limits=True)
    if dims is None:
        return None
    interval, group = dims
    if stmt.fill == "value" and (interval is None or group):
        return None  # (a value fill without GROUP BY time or over tags: not drawn, as in aggplan3.py)
    outs = []
    for f in stmt.fields:
        found = _field(f, table, types, interval, stmt.fill)
        if found is None:
            return None
        outs += found
    if stmt.fill == "value" and any(a.fn in C.SELECTORS and C.struct_default(stmt.fill_value, a.kind) is None
                                    for n, _ in outs for a in _aggs(n)):
        return None  # (a selector's struct default whose time saturates: not drawn, as aggplan3.py)
    kinds = {isinstance(n.arg, str) for n, _ in outs if isinstance(n, Win)}
    if not kinds or len(kinds) > 1 or (True in kinds) != (interval is None) or (interval is None and stmt.fill):
        return None  # (window functions of fields without GROUP BY time, of aggregates with it)
    unique = C.unique_names(outs)
    return (interval, sorted(group), unique) if unique else None


def dimensions(stmt, table, tags, limits: bool = False):
    """(interval and offset or None, the GROUP BY tags) of a SELECT of one measurement drawn
    here (no INTO, SLIMIT; no LIMIT, OFFSET, value fill, tz() or ORDER BY time DESC unless
    ``limits``), else None."""
    if table is None or tags is None or len(stmt.sources) != 1 or not isinstance(stmt.sources[0], A.Measurement):
        return None
    src = stmt.sources[0]
    if src.regex is not None or src.name != table.name or src.database is not None or src.retention_policy is not None:
        return None
    if stmt.into is not None or stmt.slimit or stmt.soffset or (not stmt.time_ascending and not limits):
        return None
    if not limits and (stmt.limit or stmt.offset or stmt.fill == "value" or stmt.location is not None):
        return None
    return drawn_dimensions(stmt, table)


def _field(f, table: Table, types, interval, fill) -> list | None:
    """[(Win or Agg, name)] of one SELECT field: a window call (a wildcard or regex aggregate
    inside it expanded over the fields it takes, named ``<fn>_<field>``: rewriter.rs) or, under
    GROUP BY time, a plain aggregate."""
    e = f.expr
    e = A.unparen(e)
    if not isinstance(e, A.Call):
        return None
    if e.name not in FUNCTIONS:
        agg = C.call(e, table, types, True, fill) if interval is not None else None
        return [(agg, f.alias or e.name)] if isinstance(agg, X.Agg) and not agg.param else None
    extra = _extra(e, interval)
    if extra is None:
        return None
    inner = e.args[0]
    if isinstance(inner, A.VarRef):
        ok = inner.type in (None, "field") and inner.name in table.fields and types.get(inner.name) in NUMBERS
        return [(Win(e.name, inner.name, *extra), f.alias or e.name)] if ok else None
    if not isinstance(inner, A.Call) or interval is None or len(inner.args) != 1:
        return None
    arg = inner.args[0]
    if isinstance(arg, (A.Wildcard, A.RegexLiteral)) and f.alias is None:
        if isinstance(arg, A.Wildcard) and arg.type not in (None, "field"):
            return None
        taken = C.WILDCARD_TYPES.get(inner.name, NUMBERS)
        names = sorted(k for k in table.fields if types.get(k) in taken and types.get(k) in NUMBERS)
        if isinstance(arg, A.RegexLiteral):
            try:
                names = linear_regex.compile(arg.val).select(names)
            except QueryError:  # an invalid pattern: v3's error, not drawn
                return None
        out = []
        for field in names:
            agg = C.call(A.Call(inner.name, (A.VarRef(field),)), table, types, True, fill)
            if not isinstance(agg, X.Agg) or agg.param:
                return None
            out.append((Win(e.name, agg, *extra), X.wildcard_name(e.name, field)))
        return out or None
    agg = C.call(inner, table, types, True, fill)
    return [(Win(e.name, agg, *extra), f.alias or e.name)] if isinstance(agg, X.Agg) and not agg.param else None


def _extra(e, interval) -> tuple[str, int | None] | None:
    """(the literal argument as the placeholder's name prints it, the unit given to the window
    function) of a window call, or None for arguments not drawn."""
    rest = e.args[1:]
    if e.name == "moving_average":
        ok = len(rest) == 1 and isinstance(rest[0], A.IntegerLiteral) and rest[0].val > 1
        return (f"Int64({rest[0].val})", None) if ok else None
    if e.name not in UNIT:
        return ("", None) if not rest else None
    if len(rest) > 1 or (rest and not (isinstance(rest[0], A.DurationLiteral) and rest[0].val > 0)):
        return None
    if rest:
        return interval_literal(rest[0].val), rest[0].val
    if e.name == "elapsed":
        return "", 1  # elapsed_unit: 1ns
    return "", interval[0] if interval else 10**9  # derivative_unit: the GROUP BY interval, else 1s

