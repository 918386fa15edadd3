"""GROUP BY time and tags over rows that come series by series: groups found, not hashed.

    SELECT mean(f) FROM m WHERE time >= t0 AND time < t1 GROUP BY time(1h), host

A file is sorted by series, then time, so each (series, window) group of such a statement
is one run of consecutive rows. The provider hands the rows of one source as it holds them
(of several disjoint in time, each as it is held, base/piece_runs.py: a group astride two is copied;
when the first holds most rows, the rest is copied as one source, :func:`_first_and_rest`), with each
series' first row, row count and tag values (``DataProvider.scan_runs``); the
groups of a series are found by a binary search of the window edges in its times (no tag
compared or hashed row by row), and come out sorted by their keys. The aggregates stay the
general executor's own Polars expressions: means, integer sums and counts of fields without
nulls over each group as a list of the held values (:meth:`RunGroups.reduce`: nothing copied,
no group column), the rest over the runs gathered as slices (:meth:`RunGroups.agg`), so the
answers are the ones Polars gives a group's slice. Anything else (sources overlapping in time, GROUP BY
tags that do not tell series apart, zone windows, conditions on fields, selectors' points,
many-row calls) runs the general path; tests/query/test_run_groups.py checks they agree.
"""
from __future__ import annotations

from dataclasses import dataclass
from functools import cache

import numpy as np
import polars as pl
import pyarrow as pa

from ...base.run_searches import search_runs
from ...base.types import TIME
from ...base.piece_runs import PieceRuns, gather_segments
from ...influxql import ast
from ...influxql import functions as F
from ..analyze.conditions import AnyString, all_refs, conjuncts, tag_equalities
from ..plan.nodes import MEASUREMENT_COLUMN as NAME
from ..plan.nodes import WINDOW_COLUMN, Aggregate, Scan, seen_column
from . import tree_sums

GROUP_COLUMN = "\x00group"  # each row's group: rises by one at each new (series, window)
_NUMERIC = (pl.Int64, pl.UInt64, pl.Float64)
FIRST_SHARE = 0.75  # a first of 3+ sources holding this share of the rows read is kept, the rest copied as one
SPARSE = 1  # windows x series per row past which groups are found row by row, not window by window


@dataclass(frozen=True, slots=True)
class RunGroups:
    """The groups of a statement: runs of the rows the provider holds, and each group's keys."""

    measurement: str
    frames: tuple[pl.DataFrame, ...]  # time and the fields read, as held (one chunk each); groups are runs of them
    held: np.ndarray      # each group's frame, in series then window order
    starts: np.ndarray    # each group's first row in its frame, in series then window order
    keys: pl.DataFrame    # one row per group, sorted: the GROUP BY tags, WINDOW_COLUMN
    order: np.ndarray | None  # the groups (as ``starts`` lists them) in the keys' order (None: the same)
    schema: dict          # the columns' types, as the general path's scan has them
    lengths: np.ndarray   # each group's rows, as ``starts`` lists them
    full: frozenset[str]  # the points counted of these calls are every row (their field has no null)
    backwards: bool = False  # ORDER BY time DESC: a group's floats are added from its last row
    influxd: bool = False  # stddev() as influxd's reducer takes it (tree_sums.run_stddevs), not Polars'

    def agg(self, exprs: list[pl.Expr]) -> pl.LazyFrame:
        """``group_by(keys).agg(exprs)`` sorted by the keys: each run aggregated as a slice
        (a count of a field without nulls is its group's length, known already)."""
        names = [e.meta.output_name() for e in exprs]
        ends = self.starts + self.lengths
        new = np.ones(self.starts.size, dtype=bool)  # groups that do not follow on from the last one's rows
        new[1:] = (self.held[1:] != self.held[:-1]) | (self.starts[1:] != ends[:-1])
        at = np.flatnonzero(new)
        last = np.append(at[1:], self.starts.size) - 1
        pieces = [self.frames[h].slice(s, e - s) for h, s, e in
                  zip(self.held[at].tolist(), self.starts[at].tolist(), ends[last].tolist())] if at.size else []
        pieces = pieces or [self.frames[0].clear()]
        rows = pl.concat(pieces, how="vertical", rechunk=False) if len(pieces) > 1 else pieces[0]
        gid = np.repeat(np.arange(self.lengths.size, dtype=np.uint32), self.lengths)
        rows = rows.with_columns(pl.Series(GROUP_COLUMN, gid).set_sorted())
        out = rows.lazy().group_by(GROUP_COLUMN, maintain_order=True).agg(
            [e for e, n in zip(exprs, names) if n not in self.full]).drop(GROUP_COLUMN)
        if self.order is not None:
            out = out.select(pl.all().gather(self.order))
        lengths = self._ordered(pl.Series(self.lengths))
        lengths = [lengths.alias(n) for n in names if n in self.full]
        name = pl.lit(self.measurement, pl.String).alias(NAME)
        return pl.concat([self.keys.lazy(), out], how="horizontal").select(name, pl.all(), *lengths)

    def reduce(self, calls: list[tuple[str, str, str]], gaps: list[str]) -> pl.DataFrame | None:
        """What :meth:`agg` and the executor's clean-up make of ``calls`` ((function, field,
        output column)): the keys, each call's column, ``gaps`` (all false), computed where the
        rows are held, without copying them or numbering them by group. None unless every call
        is :data:`LIST_CALLS` of a field without nulls (the caller then uses :meth:`agg`).

        Each column of each frame becomes a list per group plus one per gap between groups (Arrow
        offsets over the held values), and Polars aggregates each list as it does a group's slice."""
        if not self.reducible(calls):
            return None
        listed = [(f, c, out) for f, c, out in calls if f not in ("count", "stddev")]
        exprs = [(pl.col(c).list.reverse() if self.backwards else pl.col(c)).list.agg(LIST_CALLS[f, self.schema[c]])
                 .gather_every(2, 1).alias(out)
                 for f, c, out in listed]
        columns = sorted({c for _, c, _ in listed})
        values = self._lists(columns, exprs) if exprs else pl.DataFrame()
        count = self._ordered(pl.Series(self.lengths, dtype=pl.Int64))
        if self.order is not None and exprs:
            values = values[self.order]
        cols = [count.alias(out) if f == "count" else self._stddevs(c).alias(out) if f == "stddev"
                else values.get_column(out) for f, c, out in calls]
        n = self.keys.height  # constants by repeating a one-value Series: no expression to run
        false = pl.Series([False]).new_from_index(0, n)
        return pl.DataFrame([pl.Series(NAME, [self.measurement], pl.String).new_from_index(0, n),
                             *self.keys.get_columns(), *cols, *(false.alias(g) for g in gaps)])

    def reducible(self, calls) -> bool:
        """Whether :meth:`reduce` computes ``calls`` ((function, field, ...)): :data:`LIST_CALLS`,
        count(), and influxd's stddev(), of fields without nulls."""
        return all((f == "count" or (f == "stddev" and self.influxd) or (f, self.schema[c]) in LIST_CALLS)
                   and not any(fr.get_column(c).null_count() for fr in self.frames)
                   for f, c, *_ in calls) and lists_agree()

    def _stddevs(self, column: str) -> pl.Series:
        """Each group's stddev() of ``column`` over its run, in read order (tree_sums.run_stddevs)."""
        out = np.empty(self.starts.size)
        for k, frame in enumerate(self.frames):
            at = np.flatnonzero(self.held == k)
            if at.size:
                v = frame.get_column(column).cast(pl.Float64).to_numpy()
                out[at] = tree_sums.run_stddevs(v, self.starts[at], self.lengths[at], self.backwards)
        return self._ordered(pl.Series(out).fill_nan(None))

    def _lists(self, columns: list[str], exprs: list[pl.Expr]) -> pl.DataFrame:
        """``exprs`` over each group's values of ``columns`` as a list, one row per group (series
        then window order): frame by frame, the groups of a frame in the order of their rows."""
        out, placed = [], []
        for k, frame in enumerate(self.frames):
            at = np.flatnonzero(self.held == k)
            if not at.size and (k or self.starts.size):
                continue  # (no group at all: the first frame's lists, none, give the columns' types)
            at = at[np.argsort(self.starts[at], kind="stable")]
            starts, lengths = self.starts[at], self.lengths[at]
            bounds = np.empty(2 * at.size + 2, dtype=np.int64)
            bounds[0], bounds[-1] = 0, frame.height
            bounds[1:-1:2], bounds[2:-1:2] = starts, starts + lengths
            offsets = _arrow(bounds)
            between = _arrow(np.arange(bounds.size - 1) % 2 == 0)  # the gaps: null lists, skipped
            lists = [pl.Series(c, pa.LargeListArray.from_arrays(offsets, frame.get_column(c).to_arrow(),
                                                                 mask=between)) for c in columns]
            out.append(pl.DataFrame(lists).select(exprs))
            placed.append(at)
        if len(out) == 1 and np.array_equal(placed[0], np.arange(placed[0].size)):
            return out[0]
        return _scattered(out, placed)

    def _ordered(self, s: pl.Series) -> pl.Series:
        return s if self.order is None else s.gather(self.order)


def _scattered(out: list[pl.DataFrame], placed: list[np.ndarray]) -> pl.DataFrame:
    """The rows of ``out`` (one frame's groups each) put at their groups' places (``placed``): a
    NumPy scatter per column (a :data:`LIST_CALLS` answer is a number, never null: a group has
    rows), not a concat and a gather of the frames (a third of the time)."""
    n = sum(at.size for at in placed)
    cols = []
    for name, dtype in out[0].schema.items():
        arrays = [o.get_column(name).to_numpy() for o in out]
        column = np.empty(n, dtype=arrays[0].dtype)
        for a, at in zip(arrays, placed):
            column[at] = a
        cols.append(pl.Series(name, column, dtype))
    return pl.DataFrame(cols)


# calls :meth:`RunGroups.reduce` computes over a list of values: (function, field type) -> the
# executor's expression for it (functions/aggregates.py). A float sum is left out: Polars sums
# a list otherwise than a slice (tests/query/test_run_groups.py); an integer sum is exact.
LIST_CALLS = {
    ("mean", pl.Float64): pl.element().mean(),
    ("mean", pl.Int64): pl.element().cast(pl.Float64).mean(),
    ("sum", pl.Int64): pl.element().sum(),
}


@cache
def lists_add_in_order() -> bool:
    """Whether the installed Polars adds a list's floats one after another (``list.sum``,
    ``list.mean``: a sum of the values in between two offsets, unlike its sum of a slice,
    which adds blocks of 128 values pairwise), as influxd's reducers add a window's points:
    checked once against exec/tree_sums.py on lists of 1 to 700 values of mixed magnitudes."""
    rng = np.random.default_rng(20261207)
    lengths = np.concatenate([np.arange(1, 300), [384, 512, 640, 700]]).astype(np.int64)
    v = rng.standard_normal(int(lengths.sum())) * 10.0 ** rng.integers(-3, 9, int(lengths.sum()))
    starts = np.concatenate([[0], np.cumsum(lengths)])
    lists = pl.Series(pa.LargeListArray.from_arrays(_arrow(starts), _arrow(v)))
    want = tree_sums.run_sums(v, starts[:-1], lengths)
    return bool(np.array_equal(lists.list.sum().to_numpy(), want)
                and np.array_equal(lists.list.mean().to_numpy(), want / lengths))


@cache
def lists_agree() -> bool:
    """Whether the installed Polars means a list as it means a group's slice, bit for bit (its
    sums add in an order of their own): checked once, on lists of 1 to 700 values of mixed
    magnitudes whose means depend on that order."""
    rng = np.random.default_rng(20261207)
    lengths = np.concatenate([np.arange(1, 300), [384, 512, 640, 700]]).astype(np.int64)
    size = int(lengths.sum())
    v = rng.standard_normal(size) * 10.0 ** rng.integers(-3, 9, size)
    group = pl.Series(np.repeat(np.arange(lengths.size, dtype=np.uint32), lengths)).set_sorted()
    want = pl.DataFrame({"g": group, "v": v}).group_by("g", maintain_order=True).agg(pl.col("v").mean())
    offsets = _arrow(np.concatenate([[0], np.cumsum(lengths)]))
    got = pl.Series(pa.LargeListArray.from_arrays(offsets, _arrow(v))).list.agg(LIST_CALLS["mean", pl.Float64])
    return got.equals(want.get_column("v"), check_names=False)



def _arrow(values: np.ndarray) -> pa.Array:
    """``values`` as an Arrow array, by way of Polars: ``pa.array`` of a NumPy array imports
    pandas (0.6 s on a busy machine), paid by the first live query that reduces runs."""
    return pl.Series(values).to_arrow()


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
    if isinstance(found, PieceRuns):  # several sources disjoint in time, not joined
        frames, tag_values, nseries = found.frames, found.tags, found.firsts[0].size
    else:
        frames, tag_values, nseries = (found[0],), found[3], len(found[2])
    held = frames[0].schema
    if any(held[f] not in _NUMERIC for f in fields):
        return None  # strings and booleans: the general path has influxd's errors for them
    per_series = [[v if v is not None else "" for v in tag_values.get(k, [None] * nseries)]
                  for k in a.dimensions]
    if nseries > 1 and len(set(zip(*per_series))) < nseries:
        return None  # series that share their GROUP BY tags are one group: hashing it is
    if isinstance(found, PieceRuns):
        frames, where, starts, series, windows, lengths = _piece_groups(found, a.interval, a.offset)
    else:
        starts, series, windows, lengths = _runs(frames[0].get_column(TIME).to_numpy(), found[1], found[2],
                                                 a.interval, a.offset)
        where = np.zeros(starts.size, dtype=np.int64)
    backwards = not order.ascending and plan.emulates_influxd  # each group is one series: lazy._backwards holds
    order = _key_order(per_series, series)
    at = (series[order] if order is not None else series).tolist()
    keys = [pl.Series(k, [v[i] for i in at], pl.String) for k, v in zip(a.dimensions, per_series)]
    keys.append(pl.Series(WINDOW_COLUMN, windows if order is None else windows[order], pl.Int64))
    schema = {TIME: pl.Int64, **{k: pl.String for k in a.dimensions}, **held, NAME: pl.String}
    full = frozenset(seen_column(i) for i, call in enumerate(low.aggs)
                     if not any(f.get_column(call.args[0].name).null_count() for f in frames))
    grouped = RunGroups(src.measurement, frames, where, starts, pl.DataFrame(keys), order, schema, lengths, full,
                        backwards, plan.emulates_influxd)
    if plan.emulates_influxd and any(c.name == "stddev" for c in low.aggs) \
            and not grouped.reducible([(c.name, c.args[0].name) for c in low.aggs]):
        return None  # influxd's stddev() is only reduce's (the general path replays it over rows)
    return grouped


def _piece_groups(found: PieceRuns, interval: int, offset: int):
    """(frames, each group's frame, first row, series, window start, row count) of sources
    disjoint in time, groups in series then window order. A group held by one source stays a
    run of it; those that cross from a source to the next (a window astride a source's edge)
    are copied, each into one run of a frame of their own, appended to the frames. When the
    first of several sources holds most rows (a file or a merged piece, then the pieces since),
    the rest is first made one source (:func:`_first_and_rest`)."""
    rows = [int(c.sum()) for c in found.counts]
    split = len(rows) > 2 and rows[0] >= FIRST_SHARE * sum(rows)  # (else the copy may cost more than the passes)
    if split:
        found = _first_and_rest(found, interval, offset)
    segs = []
    for k, frame in enumerate(found.frames):
        has = np.flatnonzero(found.counts[k] > 0)
        if has.size:
            st, ser, win, n = _runs(frame.get_column(TIME).to_numpy(), found.firsts[k][has], found.counts[k][has],
                                    interval, offset)
            segs.append((np.full(st.size, k, dtype=np.int64), st, has[ser], win, n))
    if not segs:
        none = np.zeros(0, dtype=np.int64)
        return found.frames, none, none, none.astype(np.uint32), none, none
    src, starts, series, windows, lengths = (np.concatenate(x) for x in zip(*segs))
    if split:  # no group astride the two: a series' groups in the first, then its groups in the rest
        by = np.argsort(series, kind="stable")
        return found.frames, src[by], starts[by], series[by].astype(np.uint32), windows[by], lengths[by]
    by = np.lexsort((src, windows, series))  # series, window, then source: a group's rows in time order
    src, starts, series, windows, lengths = src[by], starts[by], series[by], windows[by], lengths[by]
    new = np.ones(src.size, dtype=bool)
    new[1:] = (series[1:] != series[:-1]) | (windows[1:] != windows[:-1])
    group = np.cumsum(new) - 1
    first = np.flatnonzero(new)
    total = np.bincount(group, weights=lengths).astype(np.int64)
    crossing = np.bincount(group) > 1
    g_src, g_starts = src[first], starts[first]
    frames = found.frames
    if crossing.any():
        seg = crossing[group]
        frames = (*frames, gather_segments(frames, src[seg], starts[seg], lengths[seg]))
        g_src[crossing] = len(found.frames)
        g_starts[crossing] = np.cumsum(total[crossing]) - total[crossing]
    return frames, g_src, g_starts, series[first].astype(np.uint32), windows[first], total


def _first_and_rest(found: PieceRuns, interval: int, offset: int) -> PieceRuns:
    """``found`` as two sources: the first less each series' rows from the window where its rows
    in the others begin, and those rows then the others', copied series by series. No group is
    astride them then, and one copy (little more than the rows after the first) stands for a
    pass over each source and a copy of every group astride each edge."""
    firsts, counts = found.firsts[0], found.counts[0]
    begin = np.full(firsts.size, np.iinfo(np.int64).max, dtype=np.int64)  # each series' first time after
    for k in range(len(found.frames) - 1, 0, -1):  # (the earliest source last: its times win)
        has = found.counts[k] > 0
        begin[has] = found.frames[k].get_column(TIME).to_numpy()[found.firsts[k][has]]
    cut = firsts + counts  # each series' first row moved to the rest (its end: none moved)
    at = np.flatnonzero((begin < np.iinfo(np.int64).max) & (counts > 0))
    if at.size:
        edge = (begin[at] - offset) // interval * interval + offset
        cut[at] = search_runs(found.frames[0].get_column(TIME).to_numpy(), firsts[at], cut[at], edge[:, None])[:, 0]
    starts = np.stack([cut, *found.firsts[1:]]).T  # series x source
    lengths = np.stack([firsts + counts - cut, *found.counts[1:]]).T
    source = np.broadcast_to(np.arange(len(found.frames), dtype=np.int64), lengths.shape)
    has = lengths > 0  # series then source: each series' rows in time order
    rest = gather_segments(found.frames, source[has], starts[has], lengths[has])
    total = lengths.sum(axis=1)
    return PieceRuns((found.frames[0], rest), (firsts, np.cumsum(total) - total), (cut - firsts, total), found.tags)


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


def _runs(times: np.ndarray, firsts: np.ndarray, counts: np.ndarray, interval: int, offset: int):
    """(each group's first row, its series, its window start, its row count) of the series
    whose rows are ``times[firsts[i]:firsts[i] + counts[i]]`` (ascending in each), in series
    then window order."""
    if not len(counts):
        return (np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.uint32), np.zeros(0, dtype=np.int64),
                np.zeros(0, dtype=np.int64))
    starts = firsts.astype(np.int64)
    ends = starts + counts
    first = (int(times[starts].min()) - offset) // interval * interval + offset
    last = (int(times[ends - 1].max()) - offset) // interval * interval + offset
    windows = (last - first) // interval + 1
    if windows * len(counts) > int(counts.sum()) * SPARSE:  # few rows a window: each row's window instead
        return _row_runs(times, starts, ends, interval, offset)
    grid = np.arange(first, last + 1, interval, dtype=np.int64)
    cuts = np.empty((len(counts), windows + 1), dtype=np.int64)  # series x window: its first row
    cuts[:, 0], cuts[:, -1] = starts, ends
    cuts[:, 1:-1] = search_runs(times, starts, ends, grid[1:])  # every series at once (base/run_searches.py)
    lengths = np.diff(cuts, axis=1)
    held = lengths > 0
    series = np.broadcast_to(np.arange(len(counts), dtype=np.uint32)[:, None], held.shape)[held]
    return cuts[:, :-1][held], series, np.broadcast_to(grid, held.shape)[held], lengths[held]


def _row_runs(times: np.ndarray, starts: np.ndarray, ends: np.ndarray, interval: int, offset: int):
    """:func:`_runs` from each row's window: a group starts where its series or window does."""
    rows = np.concatenate([np.arange(s, e) for s, e in zip(starts.tolist(), ends.tolist())])
    windows = (times[rows] - offset) // interval * interval + offset
    counts = ends - starts
    first = np.zeros(rows.size, dtype=bool)
    first[np.cumsum(counts) - counts] = True
    first[1:] |= windows[1:] != windows[:-1]
    at = np.flatnonzero(first)
    lengths = np.diff(np.append(at, rows.size))
    series = (np.searchsorted(np.cumsum(counts) - counts, at, "right") - 1).astype(np.uint32)
    return rows[at], series, windows[at], lengths


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
