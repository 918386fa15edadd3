"""The physical plan of window functions over GROUP BY time aggregates, as InfluxDB 3 prints it.

Derived, not printed by v3 (no snapshot of it): the aggregates' plan is aggexec3.py's (the
AggregateExec over IOx's scan at one partition, GapFillExec over its sort unless fill(none)),
read from under its measurement projection; above it DataFusion plans the optimized logical
plan (winfunc3.py): the WindowAggExec (an unbounded frame: not a BoundedWindowAggExec), the
Projection optimize_projections adds, the Filter, the measurement's projection. The window
requires its input sorted on the partition keys then time, ``ASC NULLS LAST``: a partition
key's requirement has no direction, and the SortExec EnforceSorting adds for it sorts ``ASC
NULLS LAST`` even over an input sorted on that key ``ASC`` nulls first (DataFusion 50.1 printed
that SortExec over an unsorted input, over a Parquet file sorted on the key and time, and over
an Aggregate ``ordering_mode=Sorted`` on the key, once, by hand). GapFillExec keeps its input's
order (gapfill/mod.rs maintains_input_order), time with nulls first, and puts the series before
time in its output (GapFill::try_new); that order does not satisfy the window, and EnforceSorting
cannot push the window's sort under GapFillExec (its own requirement is not compatible), so the
SortExec sits right under the window. The window keeps that order: the final Sort needs no
SortExec. Under ORDER BY time DESC the window's order, and its sort's, is time ``DESC NULLS
LAST`` (planner.rs time_sort_expr), the aggregates read one interval past the upper end.
Under v3's SeriesLimit (a LIMIT, OFFSET or value fill): :func:`limited_exec`, over the
aggregates' plan under a SeriesLimit (aggexec3.py: every column scanned, a value fill's
GapFillExec filling with it). A selector's window reads its struct column (the window's
argument, get_field of it, is not printed: WindowAggExec prints its name), a plain selector
beside it ``get_field(<struct>@i, value)`` as aggexec3.py draws it; tz() with a tag test as
aggexec3.py draws it (derived). Over several partitions the window reads the aggregates' one
(aggexec3.py's Final aggregate over them), so its sort is drawn as over one.
"""
from __future__ import annotations

from . import aggexpr3 as X
from .aggcalls3 import PHYSICAL, SELECTORS, aggr, struct_default
from .aggexec3 import aggregate_value, grouped_exec
from .aggplan3 import fill_scalar
from .scanplan3 import BATCH


def aggregate_window_exec(d, table, window: str, time_range, tags, fill, kept, chunks,
                          zone: str | None = None) -> str | None:
    """The physical plan of ``d`` (winfunc3.Drawn: windows over aggregates, maybe beside plain
    aggregates) over ``table``'s ``chunks``; ``window``: the WindowAggExec's line,
    ``time_range``: (the range read, one interval wider: its lower end, its upper end; the
    range asked for: its lower end, its upper end), ``kept``: the window's input columns the
    plan above reads (winfunc3.py), ``zone``: tz()'s. None for shapes not drawn."""
    calls = list(dict.fromkeys(n if isinstance(n, X.Agg) else n.arg for n, _ in d.outs))
    if not all(a.fn in (*PHYSICAL, *SELECTORS) and not a.param for a in calls):
        return None
    wide, top, lower, upper = time_range
    body = _aggregates(d, table, (wide, top), tags, fill, calls, chunks, zone)
    if body is None:
        return None
    tags_cols = list(d.group)
    aggs = [aggr(d.m, a.fn, a.field, spaced=False) for a in calls]
    cols = [*tags_cols, "time", *aggs] if fill != "none" else ["time", *tags_cols, *aggs]
    names = [d.name(w) for w in d.wins]
    keys = ", ".join([*(f"{c}@{cols.index(c)} ASC NULLS LAST" for c in tags_cols),
                      f"time@{cols.index('time')} {d.order} NULLS LAST"])
    lines = [window, f"  SortExec: expr=[{keys}], preserve_partitioning=[false]", *("    " + line for line in body)]
    out = [*cols, *names]
    if d.limit is not None:
        return limited_exec(d, out, lines, lower, upper)
    plain = [c.removeprefix(f"{d.m}.") for c in kept]
    if len(kept) < len(cols):  # optimize_projections' Projection
        exprs = [f"{c}@{out.index(c)} as {c}" for c in (*plain, *names)]
        lines = [f"ProjectionExec: expr=[{', '.join(exprs)}]", *("  " + line for line in lines)]
        out = [*plain, *names]
    lines = [BATCH, f"  FilterExec: {_condition(d, out, names, lower, upper)}", *("    " + line for line in lines)]
    named = [*(f"{g}@{out.index(g)} as {g}" for g in d.group), *(f"{_read(d, n, out)} as {name}" for n, name in d.outs)]
    head = f"ProjectionExec: expr=[{d.m} as iox::measurement, time@{out.index('time')} as time, {', '.join(named)}]"
    return "\n".join([head, *("  " + line for line in lines)]) + "\n"


def _aggregates(d, table, time_range, tags, fill, calls, chunks, zone) -> list[str] | None:
    """aggexec3.py's lines from the GapFillExec or the AggregateExec down, unindented; under a
    SeriesLimit, those of the aggregates' plan under one (its scan not narrowed, a value fill's
    GapFillExec filling with the value); None where it draws none."""
    defaults = tuple(fill_scalar(d.value, a.kind) for a in calls) if d.value is not None else ()
    plan = grouped_exec(table, *time_range, tags, d.interval, d.group, fill, True,
                        [(a.fn, a.field, f"_{i}") for i, a in enumerate(calls)], chunks, d.skip, d.fetch, defaults,
                        zone=zone, fills=tuple(_default(d, a) for a in calls) if defaults else ())
    if plan is None:
        return None
    lines = plan.splitlines()
    top = next(i for i, line in enumerate(lines) if line.lstrip().startswith(("GapFillExec:", "AggregateExec:")))
    body = lines[top:]
    indent = len(body[0]) - len(body[0].lstrip())
    return [line[indent:] for line in body]


def _condition(d, out, names, lower, upper) -> str:
    """The FilterExec's predicate: a window column not null, or (beside plain aggregates:
    filter_requested_time_range) the range asked for, its ends moved to their intervals."""
    if not any(isinstance(n, X.Agg) for n, _ in d.outs):
        return " OR ".join(f"{n}@{out.index(n)} IS NOT NULL" for n in names)
    every, offset = d.interval
    t = f"time@{out.index('time')}"
    ends = [] if lower is None else [f"{t} >= {lower - (lower - offset) % every}"]
    ends.append(f"{t} <= {upper - (upper - offset) % every + every - 1}")
    return " AND ".join(ends)


def limited_exec(d, out: list[str], lines: list[str], lower=None, upper=None) -> str:
    """A window under v3's SeriesLimit (``lines``: the WindowAggExec and what is under it, its
    output ``out``): the fields' projection (time, the tags, each field by its name: a
    window's column, an aggregate's as aggexec3.py reads it) over the Filter; DataFusion's
    ProjectionPushdown swaps it with the Filter (rewriting the test by the names: a window's
    first one) and CoalesceBatchesExec only when it narrows the window's output (DataFusion
    50.1 printed both, by hand, for a Projection over a Filter over a window); SeriesLimitExec
    above it (iox_query exec/series_limit/physical.rs: its Display; a window's column ``IGNORE
    NULLS``, an aggregate's ``RESPECT NULLS``, each default as its ScalarValue prints; its
    series need no direction and the window's output is sorted on them and time: no SortExec),
    the measurement's projection on top (the final Sort met: none)."""
    names = ["time", *d.group, *(name for _, name in d.outs)]
    exprs = [*(f"{c}@{out.index(c)} as {c}" for c in ("time", *d.group)),
             *(f"{_read(d, n, out)} as {name}" for n, name in d.outs)]
    projection = f"ProjectionExec: expr=[{', '.join(exprs)}]"
    swapped = len(names) < len(out)
    first = {d.name(n): name for n, name in reversed(d.outs) if not isinstance(n, X.Agg)}
    keys = [first[d.name(w)] if swapped else d.name(w) for w in d.wins]
    filtered = [BATCH, f"  FilterExec: {_condition(d, names if swapped else out, keys, lower, upper)}"]
    if swapped:
        body = [*filtered, f"    {projection}", *("      " + line for line in lines)]
    else:
        body = [projection, *("  " + line for line in filtered), *("      " + line for line in lines)]
    limit = ", ".join(f"{name}@{i} {'RESPECT' if isinstance(n, X.Agg) else 'IGNORE'} NULLS (default: {v})"
                      for i, ((n, name), v) in enumerate(zip(d.outs, d.defaults), 1 + len(d.group)))
    head = (f"SeriesLimitExec: series=[{', '.join(f'{g}@{1 + i}' for i, g in enumerate(d.group))}], "
            f"order=[time@0 {d.order} NULLS LAST], limit_expr=[{limit}]"
            + (f", skip={d.skip}" if d.skip else "") + (f", fetch={d.fetch}" if d.fetch else ""))
    top = ", ".join([f"{d.m} as iox::measurement", *(f"{n}@{i} as {n}" for i, n in enumerate(names))])
    return "\n".join([f"ProjectionExec: expr=[{top}]", f"  {head}", *("    " + line for line in body)]) + "\n"


def _read(d, node, out: list[str]) -> str:
    """A field as the fields' projection reads it from the window's output: a window's column,
    or an aggregate's (a selector's value, coalesced with a fill value: aggexec3.py)."""
    if not isinstance(node, X.Agg):
        return f"{d.name(node)}@{out.index(d.name(node))}"
    col = aggr(d.m, node.fn, node.field, spaced=False)
    return aggregate_value(node.fn, f"{col}@{out.index(col)}", None if d.value is None else _default(d, node))


def _default(d, a) -> str:
    """An aggregate's fill(<value>) default as a physical literal prints: a selector's struct
    (aggcalls3.struct_default), else the value cast to its type."""
    return struct_default(d.value, a.kind) if a.fn in SELECTORS else fill_scalar(d.value, a.kind)
