"""The physical plan of a GROUP BY aggregate SELECT, as InfluxDB 3 prints it after its optimizer.

Over IOx's scan of the table (scanplan3.py) at one query partition (as scanplan3.py draws it;
iox_query ``exec.rs`` ExecutorConfig::testing has ``target_query_partitions: 1``, the querier
its CPU count): DataFusion plans the Aggregate as Partial then Final and, with one partition,
CombinePartialFinalAggregate fuses them into ``mode=Single``; ``ordering_mode`` says which
GROUP BY columns the scan's order already sorts (``Sorted``: all; ``PartiallySorted([i, ..])``:
those at the given positions, in the order's order; none printed: none), and IOx's
``date_bin_wallclock`` declares no monotonicity (query_functions ``date_bin_wallclock.rs``
has no ``output_ordering``), so the time bucket never counts as sorted. GapFillExec
(iox_query ``exec/gapfill/mod.rs``) requires its input sorted on the series, then the time
column (``SortOptions::default()``: ``ASC``, nulls first) and outputs the series, the time
column and the filled aggregates in that order; its Display is ``GapFillExec: series_expr=[..],
time_expr=.., fill_expr=[..], time_range={:?}`` with each bound's physical expression printed.
The final Sort asks for ``NULLS LAST`` on nullable columns (tags, the bucket), so DataFusion
keeps a SortExec; a constant time column (no GROUP BY time) drops out of it. DataFusion 50.1
(datafusion-python 50.1.0, once, by hand; no dependency) printed these shapes over a Parquet
file sorted as IOx's: the Sort, ``ordering_mode`` and the projections as drawn here.
"""
from __future__ import annotations

from . import aggcalls3 as C
from .scanplan3 import Scan, scan_tests, table_scan
from .showplan3 import Table


def grouped_exec(table: Table, lower, upper, tags, interval, group_tags, fill, ascending: bool, calls,
                 chunks) -> str | None:
    """The physical plan of the aggregates ``calls`` ([(function, field, column name)]) over
    ``table`` grouped by ``interval`` ((every, offset) or None) and ``group_tags`` (sorted),
    gap-filled with ``fill`` under GROUP BY time; None over several partitions (not drawn)."""
    m, fields = table.name, tuple(sorted({f for _, f, _ in calls}))
    output = tuple(sorted({*fields, *group_tags, *(("time",) if interval is not None else ())}))
    found = table_scan(tuple(sorted({*table.tags, *table.fields, "time"})), table.tags, output,
                       scan_tests(lower, upper, tags, fields), chunks)
    if found.partitions > 1:
        return None
    aggrs = list(dict.fromkeys(C.aggr(m, fn, f, spaced=True) for fn, f, _ in calls))
    lines = [_aggregate(found, output, interval, group_tags, aggrs), *("  " + line for line in found.lines)]
    gapfill = interval is not None and fill != "none"
    if gapfill:
        lines = _gap_fill(interval, group_tags, fill, calls, m, aggrs, lower, upper) + _indent(lines, 4)
    time = f"time@{len(group_tags)}" if gapfill else "time@0" if interval is not None else str(lower or 0)
    tag_at = 0 if gapfill else (1 if interval is not None else 0)
    first_aggr = len(group_tags) + (1 if interval is not None else 0)
    exprs = [f"{m} as iox::measurement", f"{time} as time",
             *(f"{t}@{tag_at + i} as {t}" for i, t in enumerate(group_tags)),
             *(f"{C.aggr(m, fn, f, spaced=True)}@{first_aggr + aggrs.index(C.aggr(m, fn, f, spaced=True))} as {name}"
               for fn, f, name in calls)]
    order = "ASC" if ascending else "DESC"
    sort = [*(f"{t}@{2 + i} ASC NULLS LAST" for i, t in enumerate(group_tags)),
            *((f"time@1 {order} NULLS LAST",) if interval is not None else ())]
    head = [f"SortExec: expr=[{', '.join(sort)}], preserve_partitioning=[false]",
            f"  ProjectionExec: expr=[{', '.join(exprs)}]"]
    return "\n".join(head + _indent(lines, 4)) + "\n"


def _aggregate(found: Scan, output, interval, group_tags, aggrs) -> str:
    """The AggregateExec over the scan: the bucket first, then the tags, at their columns."""
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
    mode = ""
    if sorted_at and len(sorted_at) == len(gby):
        mode = ", ordering_mode=Sorted"
    elif sorted_at:
        mode = f", ordering_mode=PartiallySorted([{', '.join(map(str, sorted_at))}])"
    return f"AggregateExec: mode=Single, gby=[{', '.join(gby)}], aggr=[{', '.join(aggrs)}]{mode}"


def _gap_fill(interval, group_tags, fill, calls, m: str, aggrs, lower, upper) -> list[str]:
    """GapFillExec over the sort it requires, its expressions at the Aggregate's columns
    (the bucket at 0, the tags after it, then the aggregates)."""
    series = [f"{t}@{1 + i}" for i, t in enumerate(group_tags)]
    first = 1 + len(group_tags)
    fills = []
    for fn, f, _ in dict.fromkeys((fn, f, "") for fn, f, _ in calls):
        column = f"{C.aggr(m, fn, f, spaced=True)}@{first + aggrs.index(C.aggr(m, fn, f, spaced=True))}"
        fills.append(_strategy(fill, column, fn))
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


def _stride(ns: int) -> str:
    """DataFusion's Display of an IntervalMonthDayNano scalar in a physical expression."""
    return f"IntervalMonthDayNano {{ months: 0, days: 0, nanoseconds: {ns} }}"


def _indent(lines: list[str], n: int) -> list[str]:
    return [" " * n + line for line in lines]
