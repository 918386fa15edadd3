"""The physical plan of a GROUP BY aggregate SELECT, as InfluxDB 3 prints it after its optimizer.

Over IOx's scan of the table (scanplan3.py) at one target partition (iox_query ``exec.rs``
ExecutorConfig::testing has ``target_query_partitions: 1``, a server its CPU count: the model's
decision, scanplan3.py): DataFusion plans the Aggregate as Partial then Final and, with one
partition, CombinePartialFinalAggregate fuses them into ``mode=Single``; ``ordering_mode`` says which
GROUP BY columns the scan's order already sorts (``Sorted``: all; ``PartiallySorted([i, ..])``:
those at the given positions, in the order's order; none printed: none), and IOx's
``date_bin_wallclock`` declares no monotonicity (query_functions ``date_bin_wallclock.rs``
has no ``output_ordering``), so the time bucket never counts as sorted. GapFillExec
(iox_query ``exec/gapfill/mod.rs``) requires its input sorted on the series, then the time
column (``SortOptions::default()``: ``ASC``, nulls first) and outputs the series, the time
column and the filled aggregates in that order; its Display is ``GapFillExec: series_expr=[..],
time_expr=.., fill_expr=[..], time_range={:?}`` with each bound's physical expression printed.
The final Sort asks for ``NULLS LAST`` on nullable columns (tags, the bucket), so DataFusion
keeps a SortExec; a constant time column (no GROUP BY time) drops out of it. A LIMIT or OFFSET
puts SeriesLimitExec (iox_query ``exec/series_limit/physical.rs``) between the measurement's
projection and the fields' one, over the sort it requires (the series, then its order; none when
the input already has it: the series' requirement has no direction, compute_ordering, and a sort
DataFusion adds for it is ``ASC NULLS LAST``, which meets the final Sort: no SortExec on top), and
the scan under it reads every column (the logical plan under a SeriesLimit is not narrowed). DataFusion 50.1
(datafusion-python 50.1.0, once, by hand; no dependency) printed these shapes over a Parquet
file sorted as IOx's: the Sort, ``ordering_mode`` and the projections as drawn here, and over a
union of two (IOx's chunk groups) the Partial and Final aggregates (_final); the GapFillExec over
a Final aggregate follows from GapFillExec's requirements (its hash partitioning on the series is
met by the Final aggregate's one partition; its order by a SortExec above it, as over a Single
one), not from a printed plan.
"""
from __future__ import annotations

from . import aggcalls3 as C
from .aggcalls3 import SELECTORS
from .scanplan3 import Scan, scan_tests, table_scan
from .showplan3 import Table


def grouped_exec(table: Table, lower, upper, tags, interval, group_tags, fill, ascending: bool, calls,
                 chunks, offset: int = 0, limit: int = 0, defaults: tuple[str, ...] = (),
                 zone: str | None = None, fills: tuple[str, ...] = ()) -> str | None:
    """The physical plan of the aggregates ``calls`` ([(function, field, column name)]) over
    ``table`` grouped by ``interval`` ((every, offset) or None) and ``group_tags`` (sorted),
    gap-filled with ``fill`` under GROUP BY time, limited per series by ``offset`` and
    ``limit``; ``defaults``: under fill(<value>), the value as each call's type prints it
    (util.rs number_to_scalar), ``fills`` each call's GapFill default (a selector's: its struct,
    aggcalls3.struct_default; default: ``defaults``); ``zone``: tz()'s; None for shapes not
    drawn over several partitions (partially sorted tags; a LIMIT, OFFSET or value fill with GROUP BY
    tags). Under GROUP BY time alone the SeriesLimitExec over several partitions requires one
    partition (physical.rs: ``Distribution::SinglePartition`` without series), which the Final
    aggregate's is: what lies above it is drawn as over a Single one."""
    limited = bool(offset or limit or defaults)  # planner.rs limit: a SeriesLimit
    m, fields = table.name, tuple(sorted({f for _, f, _ in calls}))
    columns = tuple(sorted({*table.tags, *table.fields, "time"}))
    timed = interval is not None or any(fn in SELECTORS for fn, _, _ in calls)  # selector_first(f, time)
    # optimize_projections stops at v3's SeriesLimit (aggplan3.py): under one the scan reads every column
    output = columns if limited else tuple(sorted({*fields, *group_tags, *(("time",) if timed else ())}))
    found = table_scan(columns, table.tags, output, scan_tests(lower, upper, tags, fields, zone), chunks)
    merged = found.partitions > 1
    row_time = interval is None and len(calls) == 1 and calls[0][0] in SELECTORS  # a lone selector's row time
    both = interval is not None and bool(group_tags)
    if merged and ((limited and (group_tags or interval is None)) or row_time or (interval is None and not group_tags)):
        return None  # (several partitions: a LIMIT drawn under GROUP BY time alone; no lone selector's row time)
    if row_time and limited:
        return None  # (the SeriesLimit over a lone selector's row time: not drawn)
    aggrs = list(dict.fromkeys(C.aggr(m, fn, f, spaced=False) for fn, f, _ in calls))
    agg, fully = _aggregate(found, output, interval, group_tags, aggrs)
    tags_sorted = both and agg.endswith(f"PartiallySorted([{', '.join(map(str, range(1, len(group_tags) + 1)))}])")
    if merged and not fully and "ordering_mode" in agg and not tags_sorted:
        return None  # (partitions sorted on some of the tags: not drawn)
    lines = [agg, *("  " + line for line in zoned_scan(found.lines, output, zone))]
    if merged:
        final = _final(interval, group_tags, aggrs, fully, tags_sorted)
        lines = final + _indent([agg.replace("mode=Single", "mode=Partial"), *lines[1:]], 2 * len(final))
    gapfill = interval is not None and fill != "none"
    fills = fills or defaults
    if gapfill:
        lines = _gap_fill(interval, group_tags, fill, calls, m, aggrs, lower, upper, fills) + _indent(lines, 4)
    exprs = _projected(m, calls, aggrs, group_tags, interval is not None, gapfill, row_time, lower, fills)
    order = "ASC" if ascending else "DESC"
    if limited:
        sort_needed = interval is not None or not fully
        lines = _series_limit(m, interval, group_tags, [n for _, _, n in calls], order, offset, limit,
                              sort_needed=sort_needed, defaults=defaults) + _indent(
            [f"ProjectionExec: expr=[{', '.join(exprs)}]", *_indent(lines, 2)], 6 if sort_needed else 4)
    else:
        lines = [f"ProjectionExec: expr=[{m} as iox::measurement, {', '.join(exprs)}]", *_indent(lines, 2)]
    if (limited and (not group_tags or sort_needed)) or (merged and fully):
        return "\n".join(lines) + "\n"  # the order below is the Sort's: no SortExec
    sort = [*(f"{t}@{2 + i} ASC NULLS LAST" for i, t in enumerate(group_tags)),
            *((f"time@1 {order} NULLS LAST",) if interval is not None or row_time else ())]
    return "\n".join([f"SortExec: expr=[{', '.join(sort)}], preserve_partitioning=[false]", *_indent(lines, 2)]) + "\n"


def _projected(m, calls, aggrs, group_tags, windowed: bool, gapfill: bool, row_time: bool, lower,
               fills) -> list[str]:
    """The ProjectionExec's expressions over the aggregate's (or GapFill's) output columns: time,
    the group tags, each call's value (a selector's struct field, a fill's COALESCE)."""
    first_aggr = len(group_tags) + (1 if windowed else 0)
    at = [f"{C.aggr(m, fn, f, spaced=False)}@{first_aggr + aggrs.index(C.aggr(m, fn, f, spaced=False))}"
          for fn, f, _ in calls]
    time = f"time@{len(group_tags)}" if gapfill else "time@0" if windowed else \
        f"get_field({at[0]}, time)" if row_time else str(lower or 0)
    tag_at = 0 if gapfill else (1 if windowed else 0)
    return [f"{time} as time", *(f"{t}@{tag_at + i} as {t}" for i, t in enumerate(group_tags)),
            *(f"{aggregate_value(fn, col, fills[j] if fills else None)} as {name}"
              for j, (col, (fn, _, name)) in enumerate(zip(at, calls)))]


def zoned_scan(lines: list[str], output, zone: str | None) -> list[str]:
    """The scan's lines, under tz() below the projection project_timezone adds (tzplan3.py), the
    scan's columns kept in place, time read as ``tz(time@i, <zone>)``: its Utf8 literal prints as
    the text alone, and DataFusion pushes no projection holding a function into a Parquet scan
    (DataFusion 50.1 printed ``ProjectionExec: expr=[f@0 as f, host@1 as host, tz(time@2,
    Europe/Paris) as time]`` over ``DataSourceExec: .., projection=[f, host, time]`` for a
    stand-in ``tz``, by hand)."""
    if zone is None:
        return lines
    exprs = [f"tz({c}@{i}, {zone}) as {c}" if c == "time" else f"{c}@{i} as {c}" for i, c in enumerate(output)]
    return [f"ProjectionExec: expr=[{', '.join(exprs)}]", *_indent(lines, 2)]


def _series_limit(m: str, interval, group_tags, names, order: str, offset: int, limit: int, *,
                  sort_needed: bool, defaults: tuple[str, ...] = ()) -> list[str]:
    """The measurement's projection over SeriesLimitExec (iox_query ``exec/series_limit``:
    ``SeriesLimitExec: series=[..], order=[..], limit_expr=[..]``, ``skip`` and ``fetch``
    only when set; each limited column ``RESPECT NULLS`` with a null default, or under
    fill(<value>) the value: physical.rs PhysicalLimitExpr's Display prints the ScalarValue,
    mod.rs plan_series_limit takes the planner's literal as it is) over the sort
    it requires (the series, then its order; a constant time drops out, and an aggregate
    already sorted on the tags needs none): the series' requirement has no direction
    (physical.rs compute_ordering), and EnforceSorting's sort for one is ``ASC NULLS LAST``
    (DataFusion's PhysicalSortExpr from a PhysicalSortRequirement without options); its
    columns those of the fields' projection (time, the tags, the fields)."""
    series = [f"{t}@{1 + i}" for i, t in enumerate(group_tags)]
    fields = [f"{n}@{1 + len(group_tags) + j}" for j, n in enumerate(names)]
    kept = defaults or ("NULL",) * len(fields)
    exprs = [f"{m} as iox::measurement", "time@0 as time", *(f"{t}@{1 + i} as {t}" for i, t in enumerate(group_tags)),
             *(f"{f} as {n}" for f, n in zip(fields, names))]
    head = (f"SeriesLimitExec: series=[{', '.join(series)}], order=[time@0 {order} NULLS LAST], "
            f"limit_expr=[{', '.join(f'{f} RESPECT NULLS (default: {d})' for f, d in zip(fields, kept))}]"
            + (f", skip={offset}" if offset else "") + (f", fetch={limit}" if limit else ""))
    required = [*(s + " ASC NULLS LAST" for s in series),
                *((f"time@0 {order} NULLS LAST",) if interval is not None else ())]
    lines = [f"ProjectionExec: expr=[{', '.join(exprs)}]", "  " + head]
    if sort_needed:
        lines.append(f"    SortExec: expr=[{', '.join(required)}], preserve_partitioning=[false]")
    return lines


def _aggregate(found: Scan, output, interval, group_tags, aggrs) -> tuple[str, bool]:
    """The AggregateExec over the scan (the bucket first, then the tags, at their columns) and
    whether its output is sorted on every GROUP BY column."""
    at = {c: i for i, c in enumerate(output)}
    gby = [f"{t}@{at[t]} as {t}" for t in group_tags]
    if interval is not None:
        gby.insert(0, f"date_bin_wallclock({_stride(interval[0])}, time@{at['time']}, {interval[1]}) as time")
    first_tag = 1 if interval is not None else 0
    sorted_at = []  # the GROUP BY positions the scan's order sorts, in the order's order
    for column in found.ordered:
        if column not in group_tags:
            break
        sorted_at.append(first_tag + group_tags.index(column))
    mode, fully = "", bool(sorted_at) and len(sorted_at) == len(gby)
    if fully:
        mode = ", ordering_mode=Sorted"
    elif sorted_at:
        mode = f", ordering_mode=PartiallySorted([{', '.join(map(str, sorted_at))}])"
    return f"AggregateExec: mode=Single, gby=[{', '.join(gby)}], aggr=[{', '.join(aggrs)}]{mode}", fully


def _final(interval, group_tags, aggrs, fully: bool, tags_sorted: bool = False) -> list[str]:
    """Several partitions (a union of IOx's chunk groups) at one target partition: DataFusion
    keeps the Partial aggregate under a Final one, over CoalescePartitionsExec; when every
    partition is sorted on the groups, it moves the final Sort's order below the Final one
    (each partition sorted ``NULLS LAST``, merged), and no SortExec is left on top; sorted on
    the tags but not the bucket (``tags_sorted``), it merges them on the tags alone, the Final
    one ``PartiallySorted`` on them (DataFusion 50.1 printed both over two Parquet files, by
    hand), and the final SortExec stays."""
    names = [*(("time",) if interval is not None else ()), *group_tags]
    gby = ", ".join(f"{n}@{i} as {n}" for i, n in enumerate(names))
    head = f"AggregateExec: mode=Final, gby=[{gby}], aggr=[{', '.join(aggrs)}]"
    if not fully and not tags_sorted:
        return [head, "  CoalescePartitionsExec"]
    on = [(i, n) for i, n in enumerate(names) if fully or n != "time"]
    order = ", ".join(f"{n}@{i} ASC NULLS LAST" for i, n in on)
    mode = "Sorted" if fully else f"PartiallySorted([{', '.join(str(i) for i, _ in on)}])"
    return [head + f", ordering_mode={mode}", f"  SortPreservingMergeExec: [{order}]",
            f"    SortExec: expr=[{order}], preserve_partitioning=[true]"]


def _gap_fill(interval, group_tags, fill, calls, m: str, aggrs, lower, upper, defaults=()) -> list[str]:
    """GapFillExec over the sort it requires, its expressions at the Aggregate's columns
    (the bucket at 0, the tags after it, then the aggregates)."""
    series = [f"{t}@{1 + i}" for i, t in enumerate(group_tags)]
    first = 1 + len(group_tags)
    fills, value = [], dict(zip(((fn, f) for fn, f, _ in calls), defaults))
    for fn, f, _ in dict.fromkeys((fn, f, "") for fn, f, _ in calls):
        column = f"{C.aggr(m, fn, f, spaced=False)}@{first + aggrs.index(C.aggr(m, fn, f, spaced=False))}"
        fills.append(f"COALESCE({column}, {value[fn, f]})" if value else _strategy(fill, column, fn))
    low = f'Included("{lower}")' if lower is not None else "Unbounded"
    time = f"date_bin_wallclock({_stride(interval[0])}, time@0, {interval[1]})"
    return [f"GapFillExec: series_expr=[{', '.join(series)}], time_expr={time}, fill_expr=[{', '.join(fills)}], "
            f'time_range={low}..Included("{upper}")',
            f"  SortExec: expr=[{', '.join([*(s + ' ASC' for s in series), 'time@0 ASC'])}], "
            "preserve_partitioning=[false]"]


def _strategy(fill, column: str, fn: str) -> str:
    """gapfill/mod.rs FillStrategy::display_with_expr over the physical column."""
    if fill == "previous":
        return f"LOCF({column})"
    if fill == "linear":
        return f"INTERPOLATE({column})"
    return f"COALESCE({column}, 0)" if fn == "count" else column


def aggregate_value(fn: str, column: str, value: str | None) -> str:
    """A field over its aggregate's column as a physical ScalarFunctionExpr prints (its name,
    its arguments joined by ``, ``, a literal as its ScalarValue's Display): a selector's
    ``get_field(<struct>, value)``; under fill(<value>) the planner's ``coalesce_struct(<aggregate>,
    <value>)`` (a selector's: of its struct and its struct default, then get_field)."""
    if value is not None:
        column = f"coalesce_struct({column}, {value})"
    return f"get_field({column}, value)" if fn in SELECTORS else column


def _stride(ns: int) -> str:
    """DataFusion's Display of an IntervalMonthDayNano scalar in a physical expression."""
    return f"IntervalMonthDayNano {{ months: 0, days: 0, nanoseconds: {ns} }}"


def _indent(lines: list[str], n: int) -> list[str]:
    return [" " * n + line for line in lines]
