"""The fast executor's windows of several series added as influxd's reduce tree adds them.

    SELECT mean(usage) FROM cpu WHERE time >= now() - 6h GROUP BY time(1m)

influxd sums each series' points of a window (in each shard group) on their own, then adds
those partial sums in the order its heaps merge them (exec/go_reduce.py). The provider hands
the rows series by series (``DataProvider.scan_runs``); each (series, shard group, window)
is then a run of them, found by a binary search of the edges (no row numbered), summed in
read order and merged as the tree merges them, every step one NumPy pass over all runs
(exec/tree_sums.py). max(), min() and count() of the same windows come from the same runs;
stddev() takes a window's points in the order the sorted merge of each shard group's series
hands them over, a running mean one NumPy step a position over all windows (:func:`_stddev`).
None (the general executor then replays the tree over rows) when the rows are not held
so, or a call is another one.
"""
from __future__ import annotations

import numpy as np

from ...base.piece_runs import PieceRuns, gather_segments
from ...base.run_searches import search_runs
from ...base.types import TIME
from ..meta.window import GO_ZERO_TIME
from . import go_merge, go_reduce, tree_sums

CALLS = frozenset(("sum", "mean", "count", "max", "min", "stddev"))
_EXTREMES = {"max": (np.fmax, np.maximum), "min": (np.fmin, np.minimum)}  # (float ignoring NaN, int)


def window_columns(plan, provider, tags: dict, shard_duration: int):
    """(the windows holding points, each call's (values, count, is_count) per window, the
    values each window holds over all calls) as exec/fast.py's ``_window_columns`` gives
    them, or None."""
    return tree_columns(plan.sources[0], [c.expr for c in plan.columns], plan.interval, plan.offset, provider,
                        tags, shard_duration)


def tree_columns(src, calls: list, interval: int, offset: int, provider, tags: dict, shard_duration: int):
    """:func:`window_columns` of ``calls`` over the rows of the Scan ``src`` that ``tags`` select
    (exactly), in windows of ``interval`` (0: one window, its start 0), ascending."""
    if any(c.name not in CALLS for c in calls) or not provider.capabilities.series_order:
        return None
    tr = src.time_range
    fields = sorted({c.args[0].name for c in calls})
    found = provider.scan_runs(src.database, src.retention_policy, src.measurement, tr.start, tr.end,
                               fields, tags or {})
    if found is None:
        return None
    held = _series_major(found)
    if held is None:
        return None
    frame, counts, sid = held
    if any(not frame.schema[f].is_numeric() or (frame.schema[f].is_integer() and frame.get_column(f).null_count())
           for f in fields):
        return None  # (an integer column with nulls would come out of NumPy as floats)
    t = frame.get_column(TIME).to_numpy()
    runs = _runs(t, counts, interval, offset, shard_duration)
    if runs is None:
        return None
    starts, lengths, series, win, shard = runs
    wins, at = _numbered(win, interval)
    cols, seen = [], np.zeros(len(wins), dtype=np.int64)
    for call in calls:
        v = frame.get_column(call.args[0].name).to_numpy()
        if call.name == "stddev":
            got = _stddev(v, t, lengths, sid[series], shard, at, len(wins))
            if got is None:
                return None
            (vals, n), seen = got, seen + got[1]
            cols.append((vals, np.where(n >= 2, n, 0), False))  # (one point: a null value, the window kept)
            continue
        vals, n = _call(call.name, v, starts, lengths, sid[series], win, shard, at, len(wins))
        seen += n
        cols.append((n if call.name == "count" else vals, n, call.name == "count"))
    return wins, cols, seen


def _numbered(win: np.ndarray, interval: int) -> tuple[np.ndarray, np.ndarray]:
    """(the windows present, ascending; each run's number among them): by the windows' grid
    (no hashing)."""
    if not interval or not len(win):
        return np.unique(win, return_inverse=True)
    lo = int(win.min())
    idx = (win - lo) // interval
    present = np.bincount(idx) > 0
    number = np.cumsum(present) - 1
    return lo + interval * np.flatnonzero(present), number[idx]


def _series_major(found):
    """(the rows of every series one after the other, each series' row count, each series'
    rank in series key order) of scan_runs' answer; None when it holds no series."""
    if isinstance(found, PieceRuns):
        firsts, counts = np.stack(found.firsts).T, np.stack(found.counts).T  # series x source
        source = np.broadcast_to(np.arange(len(found.frames)), counts.shape)
        has = counts > 0
        frame = gather_segments(found.frames, source[has], firsts[has], counts[has])
        counts, tags = counts.sum(axis=1), found.tags
    else:
        frame, firsts, counts, tags = found
        firsts, counts = np.asarray(firsts, dtype=np.int64), np.asarray(counts, dtype=np.int64)
        ends = firsts + counts
        if len(firsts) and bool((firsts[1:] == ends[:-1]).all()):  # end to end: a slice of the held rows
            frame = frame.slice(int(firsts[0]), int(ends[-1] - firsts[0]))
        else:
            frame = gather_segments((frame,), np.zeros(len(firsts), dtype=np.int64), firsts, counts)
    if not len(counts):
        return None
    keys = sorted(tags)
    rows = list(zip(*[[(v is not None, v or "") for v in tags[k]] for k in keys])) if keys else [()] * len(counts)
    ranked = sorted(range(len(rows)), key=rows.__getitem__)  # as the tag columns sort, nulls first
    sid = np.empty(len(rows), dtype=np.int64)
    sid[ranked] = np.arange(len(rows))
    return frame, counts, sid


def _runs(t: np.ndarray, counts: np.ndarray, interval: int, offset: int, shard_duration: int):
    """(first row, length, series, window, shard group) of each run of one series' rows in one
    window and one shard group, series after series, in time order; None without rows."""
    ends = np.cumsum(counts)
    starts = ends - counts
    live = counts > 0
    if not live.any():
        return None
    lo, hi = int(t[starts[live]].min()), int(t[ends[live] - 1].max())
    zero = GO_ZERO_TIME % shard_duration
    if interval:
        first, last = (lo - offset) // interval * interval + offset, (hi - offset) // interval * interval + offset
        edges = np.arange(first + interval, last + 1, interval, dtype=np.int64)
    else:  # one window
        first, edges = lo, np.zeros(0, dtype=np.int64)
    if not interval or (zero - offset) % interval or shard_duration % interval:  # windows astride shard groups' edges
        s_first = (lo - zero) // shard_duration * shard_duration + zero
        cuts = np.arange(s_first + shard_duration, hi + 1, shard_duration, dtype=np.int64)
        edges = np.union1d(edges, cuts)
    if (len(edges) + 1) * len(counts) > 4 * len(t) + 64:
        return None  # few rows a window: the general path
    at = np.empty((len(counts), len(edges) + 2), dtype=np.int64)
    at[:, 0], at[:, -1] = starts, ends
    if len(edges):
        at[:, 1:-1] = search_runs(t, starts, ends, edges)
    lengths = np.diff(at, axis=1)
    held = lengths > 0
    lefts = np.concatenate(([first], edges))  # each piece's first instant
    series = np.broadcast_to(np.arange(len(counts))[:, None], held.shape)[held]
    left = np.broadcast_to(lefts, held.shape)[held]
    win = (left - offset) // interval * interval + offset if interval else np.zeros(len(left), dtype=np.int64)
    return at[:, :-1][held], lengths[held], series, win, (np.maximum(left, lo) - zero) // shard_duration


def _call(name: str, v: np.ndarray, starts, lengths, sid, win, shard, at, nwin: int):
    """One call's (values, non-null counts) per window (``at``: each run's window number)."""
    nan = np.isnan(v) if v.dtype.kind == "f" else None
    if nan is not None and nan.any():
        n = np.add.reduceat((~nan).astype(np.int64), starts)
    else:
        n = lengths
    per_win = np.bincount(at, weights=n, minlength=nwin).astype(np.int64)
    if name == "count":
        return per_win, per_win
    if name in _EXTREMES:
        red = _EXTREMES[name][0 if v.dtype.kind == "f" else 1]
        part = red.reduceat(v, starts)
        ok = n > 0
        order = np.argsort(at[ok], kind="stable")
        a = at[ok][order]
        out = np.zeros(nwin, dtype=v.dtype)
        firsts = np.flatnonzero(np.concatenate(([True], a[1:] != a[:-1]))) if len(a) else a
        out[a[firsts]] = red.reduceat(part[ok][order], firsts) if len(a) else out[:0]
        return out, per_win
    if v.dtype.kind != "f" and name == "sum":  # integers add alike in any order (int64 wraps too)
        out = np.zeros(nwin, dtype=np.int64)
        np.add.at(out, at, np.add.reduceat(v, starts))
        return out, per_win
    clean = np.where(nan, -0.0, v) if nan is not None and nan.any() else v  # (a null adds nothing)
    return _tree(name, clean, starts, lengths, n, sid, win, shard, at, nwin), per_win


def _stddev(v: np.ndarray, t: np.ndarray, lengths, sid, shard, at, nwin: int):
    """(each window's stddev() as go_reduce.stddev takes it, its points) over the runs, which
    hold every row in order: each shard group's series (key order) merged by time as the
    heap merges them, a window's points in that order (shard group after shard group), then
    tree_sums.run_stddevs. None: a window holds more than go_reduce.STDDEV_MAX_POINTS."""
    x = v.astype(np.float64, copy=False)
    if v.dtype.kind == "f" and np.isnan(v).any():  # (a null is no point)
        keep = ~np.isnan(v)
        lengths = np.add.reduceat(keep, np.cumsum(lengths) - lengths).astype(np.int64)
        x, t = x[keep], t[keep]
    if int(np.bincount(at, weights=lengths, minlength=nwin).max()) > go_reduce.STDDEV_MAX_POINTS:
        return None
    ro = np.lexsort((sid, shard))  # the runs by shard group, then series key (stable: by time)
    if not bool((ro[1:] > ro[:-1]).all()):
        rows = _ranges((np.cumsum(lengths) - lengths)[ro], lengths[ro])
        x, t, sid, shard, at, lengths = x[rows], t[rows], sid[ro], shard[ro], at[ro], lengths[ro]
    rs, rat = np.repeat(sid, lengths), np.repeat(at, lengths)
    ends = np.cumsum(lengths)
    cut = ends[np.flatnonzero(shard[1:] != shard[:-1])].tolist()
    parts = []
    for a, b in zip([0] + cut, cut + [len(x)]):
        perm = go_merge.merge_order(rs[a:b], t[a:b], True)
        parts.append(a + (np.argsort(t[a:b], kind="stable") if perm is None else perm))
    final = np.concatenate(parts) if len(parts) != 1 else parts[0]
    w = rat[final]  # (rising: the shard groups follow one another in time)
    first = np.flatnonzero(np.concatenate(([True], w[1:] != w[:-1]))) if len(w) else w
    lens = np.diff(np.append(first, len(w)))
    out, n = np.full(nwin, np.nan), np.zeros(nwin, dtype=np.int64)
    out[w[first]] = tree_sums.run_stddevs(x[final], first, lens)
    n[w[first]] = lens
    return out, n


def _ranges(starts: np.ndarray, lengths: np.ndarray) -> np.ndarray:
    """The rows of the runs ``starts[i]:starts[i] + lengths[i]``, run after run."""
    return np.repeat(starts - (np.cumsum(lengths) - lengths), lengths) + np.arange(int(lengths.sum()))


def _tree(name: str, v: np.ndarray, starts, lengths, n, sid, win, shard, at, nwin: int) -> np.ndarray:
    """A float sum or a mean of each window as influxd's tree adds it: each run summed in read
    order (a series' mean of integers: an int64 sum), the runs of a shard group merged by the
    halves' heaps and reduced, the shard groups' partials merged by their heap and reduced,
    then once more by the statement's iterator (exec/go_reduce.py, one tag set)."""
    if v.dtype.kind == "f":
        vals = tree_sums.run_sums(v, starts, lengths)
    else:
        vals = np.add.reduceat(v, starts).astype(np.float64)
    keep = n > 0
    vals, counts, sid, win, shard, at = vals[keep], n[keep].astype(np.float64), sid[keep], win[keep], shard[keep], at[keep]
    if name == "mean":
        vals = (vals + 0.0) / counts
    dense = _dense_tree(name, vals, counts, sid, shard, at, nwin)
    if dense is not None:
        return dense
    read = np.lexsort((win, sid, shard))  # (shard, series in key order, window): as the shards read them
    vals, counts, sid, win, shard, at = vals[read], counts[read], sid[read], win[read], shard[read], at[read]
    tag = np.zeros(len(vals), dtype=np.int64)
    order = go_reduce._shard_order(tag, shard, sid, win)
    seg = go_reduce._segments(shard[order], win[order])
    vals, counts = tree_sums.reduce_partials(seg, vals[order], counts[order], name)
    heads = order[np.concatenate(([0], np.flatnonzero(np.diff(seg)) + 1))]
    shard, key, at = shard[heads], win[heads], at[heads]
    if len(np.unique(at)) < len(at):  # a window in several shard groups: their heap's order
        major = np.lexsort((key, shard))
        popped = major[go_reduce._replay(key[major], shard[major])]
    else:
        popped = np.argsort(at, kind="stable")
    seg2 = np.cumsum(np.concatenate(([False], at[popped][1:] != at[popped][:-1])))
    out, count = tree_sums.reduce_partials(seg2, vals[popped], counts[popped], name)
    if name == "mean":  # the statement's call iterator: one partial of `count` points
        out = np.where(count >= 2, out * count / count, out)
    full = np.zeros(nwin)
    full[at[popped][np.concatenate(([0], np.flatnonzero(np.diff(seg2)) + 1))]] = out
    return full


def _dense_tree(name: str, vals, counts, sid, shard, at, nwin: int) -> np.ndarray | None:
    """:func:`_tree` where, in each shard group, every series has a partial in every window
    of it and no window lies in two of them (a dashboard's hosts): a window's partials are
    then added in the halves' rounds (go_merge's, kept per series count), the first half's
    then the second's, as a grid of position x window summed down its rows. None otherwise."""
    out = np.zeros(nwin)
    done = np.zeros(nwin, dtype=bool)
    one = bool((shard == shard[0]).all())
    for sh in [shard[0]] if one else np.unique(shard).tolist():
        part = slice(None) if one else np.flatnonzero(shard == sh)
        a = at[part]
        wins = np.arange(nwin) if one and len(a) % nwin == 0 else np.unique(a)
        series = len(a) // len(wins)
        if series * len(wins) != len(a) or done[wins].any() or not bool((a.reshape(series, -1) == wins).all()):
            return None
        v, c = vals[part].reshape(series, -1), counts[part].reshape(series, -1)
        rows = np.argsort(sid[part].reshape(series, -1)[:, 0], kind="stable")
        perm = _halves_rounds(series, len(wins))
        if perm is None:
            return None
        pos = rows[perm]  # (position, window): the series whose partial is added there
        cols = np.arange(len(wins))
        add = v if name == "sum" else np.where(c >= 2, v * c, v)
        got = tree_sums._column_sums(np.ascontiguousarray(add[pos, cols]))
        cnt = c.sum(axis=0)
        if name == "mean":
            got = (got + 0.0) / cnt
            got = (np.where(cnt >= 2, got * cnt, got) + 0.0) / cnt  # the shards' call iterator: one partial
            got = np.where(cnt >= 2, got * cnt / cnt, got)  # the statement's
        out[wins], done[wins] = got, True
    return out


_ROUNDS: dict[tuple[int, int], np.ndarray | None] = {}  # (series, windows) -> :func:`_halves_rounds`
_ROUNDS_CELLS = 4_000_000  # cells kept in all, at most (2,000 series x 1,440 windows is 2.9 M)


def _halves_rounds(series: int, windows: int) -> np.ndarray | None:
    """(position, window): which series (in key order) each window's partials come from, in
    the order the halves' heaps hand them over when every series holds every window (kept:
    a dashboard asks for as many series and windows again). Read-only: shared."""
    key = (series, windows)
    got = _ROUNDS.get(key, False)
    if got is not False:
        return got
    got = _rounds_of(series, windows)
    if got is not None:
        got.flags.writeable = False
    if series * windows <= _ROUNDS_CELLS:  # (larger: computed again each time, not kept)
        if sum(s * w for s, w in _ROUNDS) + series * windows > _ROUNDS_CELLS:
            _ROUNDS.clear()
        _ROUNDS[key] = got
    return got


def _rounds_of(series: int, windows: int) -> np.ndarray | None:
    """:func:`_halves_rounds`, computed."""
    if series == 1:
        return np.zeros((1, windows), dtype=np.int64)
    n = series // go_reduce.PARALLELISM
    parts = []
    for first, k in ((0, n), (n, series - n)):
        flat = go_merge.merge_order(np.repeat(np.arange(k), windows), np.tile(np.arange(windows), k), True)
        flat = np.arange(windows) if flat is None else flat  # (one series)
        grid = flat.reshape(windows, k)
        if not bool((grid % windows == np.arange(windows)[:, None]).all()):
            return None  # (not round by round)
        parts.append(first + grid // windows)
    return np.ascontiguousarray(np.concatenate(parts, axis=1).T)
