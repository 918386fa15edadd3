"""GROUP BY time and tags over rows that come series by series: groups found, not hashed.

    SELECT mean(f) FROM m WHERE time >= t0 AND time < t1 GROUP BY time(1h), host

A file is sorted by series, then time, so each (series, window) group of such a statement
is one run of consecutive rows. The provider hands the rows of one source with each
series' row count and tag values (``DataProvider.scan_runs``); the groups of a series are
found by a binary search of the window edges in its times (no tag compared or hashed row
by row), and come out sorted by their keys. The aggregates stay the general executor's
own Polars expressions, run over those runs as slices, so the answers are the ones it
gives. Anything else (several sources, GROUP BY tags that do not tell series apart, zone
windows, conditions on fields, selectors' points, many-row calls) runs the general path;
tests/query/test_run_groups.py checks both agree.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import polars as pl

from ...base.types import TIME
from ...influxql import ast
from ...influxql import functions as F
from ..analyze.conditions import AnyString, all_refs, conjuncts, tag_equalities
from ..plan.nodes import MEASUREMENT_COLUMN as NAME
from ..plan.nodes import WINDOW_COLUMN, Aggregate, Scan, seen_column

GROUP_COLUMN = "\x00group"  # each row's group: rises by one at each new (series, window)
_NUMERIC = (pl.Int64, pl.UInt64, pl.Float64)
SPARSE = 1  # windows x series per row past which groups are found row by row, not window by window


@dataclass(frozen=True, slots=True)
class RunGroups:
    """The rows of a statement with their group numbers, and each group's keys."""

    measurement: str
    rows: pl.DataFrame    # time, the fields read, GROUP_COLUMN (sorted)
    keys: pl.DataFrame    # one row per group, sorted: the GROUP BY tags, WINDOW_COLUMN
    order: np.ndarray | None  # the groups in that order (None: as they come)
    schema: dict          # the columns' types, as the general path's scan has them
    lengths: pl.Series    # each group's rows, in the keys' order
    full: frozenset[str]  # the points counted of these calls are every row (their field has no null)

    def agg(self, exprs: list[pl.Expr]) -> pl.LazyFrame:
        """``group_by(keys).agg(exprs)`` sorted by the keys: each run aggregated as a slice
        (a count of a field without nulls is its group's length, known already)."""
        names = [e.meta.output_name() for e in exprs]
        out = self.rows.lazy().group_by(GROUP_COLUMN, maintain_order=True).agg(
            [e for e, n in zip(exprs, names) if n not in self.full]).drop(GROUP_COLUMN)
        if self.order is not None:
            out = out.select(pl.all().gather(self.order))
        lengths = [self.lengths.alias(n) for n in names if n in self.full]
        name = pl.lit(self.measurement, pl.String).alias(NAME)
        return pl.concat([self.keys.lazy(), out], how="horizontal").select(name, pl.all(), *lengths)


def groups(plan, stages, order, low, ctx) -> RunGroups | None:
    """The statement's rows grouped by series runs, or None when it is not of this shape or
    the provider cannot hand its rows so (then the general path runs)."""
    src = _source(stages, order, low, ctx)
    if src is None:
        return None
    a: Aggregate = stages.shape
    fields = sorted({c.args[0].name for c in low.aggs})
    tr = src.time_range
    found = ctx.provider.scan_runs(src.database, src.retention_policy, src.measurement, tr.start, tr.end,
                                   fields, src.tag_filter() or {})
    if found is None:
        return None
    rows, counts, tag_values = found
    if any(rows.schema[f] not in _NUMERIC for f in fields):
        return None  # strings and booleans: the general path has influxd's errors for them
    per_series = [[v if v is not None else "" for v in tag_values.get(k, [None] * len(counts))]
                  for k in a.dimensions]
    if len(counts) > 1 and len(set(zip(*per_series))) < len(counts):
        return None  # series that share their GROUP BY tags are one group: hashing it is
    gid, series, windows, lengths = _runs(rows.get_column(TIME).to_numpy(), counts, a.interval, a.offset)
    order = _key_order(per_series, series)
    if order is not None:
        series, windows, lengths = series[order], windows[order], lengths[order]
    at = series.tolist()
    keys = [pl.Series(k, [v[i] for i in at], pl.String) for k, v in zip(a.dimensions, per_series)]
    keys.append(pl.Series(WINDOW_COLUMN, windows, pl.Int64))
    schema = {TIME: pl.Int64, **{k: pl.String for k in a.dimensions}, **rows.schema, NAME: pl.String}
    rows = rows.with_columns(pl.Series(GROUP_COLUMN, gid).set_sorted())
    full = frozenset(seen_column(i) for i, call in enumerate(low.aggs)
                     if not rows.get_column(call.args[0].name).null_count())
    return RunGroups(src.measurement, rows, pl.DataFrame(keys), order, schema, pl.Series(lengths), full)


def _key_order(per_series: list[list[str]], series: np.ndarray) -> np.ndarray | None:
    """The groups (each of ``series``, which ascend) ordered by their series' GROUP BY tags
    (as Polars sorts strings: by code point), then window; None when they are so already."""
    tags = list(zip(*per_series))
    ranked = sorted(range(len(tags)), key=tags.__getitem__)
    if ranked == list(range(len(tags))):
        return None
    rank = np.empty(len(tags), dtype=np.int64)
    rank[ranked] = np.arange(len(tags))
    return np.argsort(rank[series], kind="stable")


def _runs(times: np.ndarray, counts: np.ndarray, interval: int, offset: int):
    """(each row's group number, each group's series, each group's window start, each group's
    row count) of rows that come series by series (``counts`` rows each), times ascending
    within a series."""
    if not len(counts):
        return (np.zeros(0, dtype=np.uint32), np.zeros(0, dtype=np.uint32), np.zeros(0, dtype=np.int64),
                np.zeros(0, dtype=np.uint32))
    ends = np.cumsum(counts)
    starts = ends - counts
    first = (int(times[starts].min()) - offset) // interval * interval + offset
    last = (int(times[ends - 1].max()) - offset) // interval * interval + offset
    windows = (last - first) // interval + 1
    if windows * len(counts) > times.size * SPARSE:  # few rows a window: each row's window instead
        return _row_runs(times, starts, interval, offset)
    grid = np.arange(first, last + 1, interval, dtype=np.int64)
    cuts = np.empty((len(counts), windows + 1), dtype=np.int64)  # series x window: its first row
    cuts[:, 0], cuts[:, -1] = starts, ends
    for i, (s, e) in enumerate(zip(starts.tolist(), ends.tolist())):
        cuts[i, 1:-1] = times[s:e].searchsorted(grid[1:]) + s
    lengths = np.diff(cuts, axis=1)
    held = lengths > 0
    lengths = lengths[held]
    series = np.broadcast_to(np.arange(len(counts), dtype=np.uint32)[:, None], held.shape)[held]
    gid = np.repeat(np.arange(lengths.size, dtype=np.uint32), lengths)
    return gid, series, np.broadcast_to(grid, held.shape)[held], lengths.astype(np.uint32)


def _row_runs(times: np.ndarray, starts: np.ndarray, interval: int, offset: int):
    """:func:`_runs` from each row's window: a group starts where its series or window does."""
    windows = (times - offset) // interval * interval + offset
    first = np.zeros(times.size, dtype=bool)
    first[starts] = True
    first[1:] |= windows[1:] != windows[:-1]
    at = np.flatnonzero(first)
    gid = np.cumsum(first, dtype=np.uint32) - np.uint32(1)
    lengths = np.diff(np.append(at, times.size)).astype(np.uint32)
    return gid, (np.searchsorted(starts, at, "right") - 1).astype(np.uint32), windows[at], lengths


def _source(stages, order, low, ctx) -> Scan | None:
    """The one Scan of a statement of this shape, else None."""
    a, src = stages.shape, stages.source
    if not ctx.provider.capabilities.series_order or not isinstance(a, Aggregate) or not isinstance(src, Scan):
        return None
    if not a.interval or a.tz is not None or a.point_time or stages.transform is not None \
            or order.slimit or order.soffset:
        return None
    if not a.dimensions or src.limit or src.renames or src.time_range.empty or not low.aggs:
        return None
    if stages.filter is not None and not _is_tag_filter(stages.filter.condition, src):
        return None
    for call in low.aggs:
        if call.name in ("mode", "integral") or F.spec(call.name).many_rows:
            return None
        if not isinstance(call.args[0], ast.VarRef) or call.args[0].type not in ("float", "integer") \
                or any(not isinstance(x, ast.Literal) for x in call.args[1:]):
            return None
    if any(all_refs(e) for e in low.exprs):
        return None  # a field read beside the calls (a selector's point): the general path
    return src


def _is_tag_filter(cond, src: Scan) -> bool:
    """Whether ``cond`` says only what the scan's tag filter does (the scan is exact then)."""
    wanted: dict[str, list[str]] = {}
    for c in conjuncts(cond):
        eq = tag_equalities(c, AnyString)
        if eq is None or eq[0] in wanted:
            return False
        wanted[eq[0]] = eq[1]
    have = src.tag_filter() or {}
    return {k: sorted(v) for k, v in wanted.items()} == {k: sorted(v) for k, v in have.items()}
