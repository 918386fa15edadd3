"""Sums added one value after another, many runs at once: the steps of influxd's reduce tree
(exec/go_reduce.py) as NumPy passes instead of a Python step per value.

Go adds a window's values in a loop (``FloatSumReduce``, ``FloatMeanReducer``): each sum is
left to right, and its last bits depend on that order. NumPy's ``add.reduce`` over a row and
``add.reduceat`` sum pairwise (blocks of eight accumulators), but ``add.reduce`` over the first
axis of a C-ordered grid adds its rows one after another, each column on its own: a run per
column, padded with -0.0 (``x + -0.0`` is ``x``, a zero's sign kept), is one sequential sum a
column in a single C loop. Runs are laid out by length class (powers of two) so that padding
at most doubles the cells.
"""
from __future__ import annotations

import numpy as np

from . import go_merge

_FEW_LENGTHS = 8  # runs of at most this many lengths are gathered length by length, unpadded
_GRID_CELLS = 1 << 20  # a grid past this many cells: runs by length class (run_stddevs)
_PAD = -0.0  # the additive identity of IEEE 754: x + -0.0 == x for every x, -0.0 included


def run_sums(v: np.ndarray, starts: np.ndarray, lengths: np.ndarray, backwards: bool = False) -> np.ndarray:
    """Each run ``v[starts[i]:starts[i] + lengths[i]]`` added from its first value to its last
    (from its last under ``backwards``) as Go's loop adds it; -0.0 for an empty run."""
    n = len(starts)
    out = np.full(n, _PAD)
    if not n:
        return out
    top = int(lengths.max())
    if top == 0:
        return out
    if bool((lengths == top).all()) and (n == 1 or bool((np.diff(starts) == top).all())):
        grid = v[int(starts[0]):int(starts[0]) + n * top].reshape(n, top)  # runs end to end: no gather
        grid = grid[:, ::-1] if backwards else grid
        return _column_sums(np.ascontiguousarray(grid.T))
    kinds = np.unique(lengths)
    if len(kinds) <= _FEW_LENGTHS:  # (a grid's edge windows cut short): a gather per length, no padding
        for size in kinds.tolist():
            at = np.flatnonzero(lengths == size) if len(kinds) > 1 else slice(None)
            if size:
                rows = v[starts[at][:, None] + np.arange(size)]
                out[at] = _column_sums(np.ascontiguousarray((rows[:, ::-1] if backwards else rows).T))
        return out
    cls = np.ceil(np.log2(np.maximum(lengths, 1))).astype(np.int64)
    for c in np.unique(cls).tolist():
        at = np.flatnonzero(cls == c)
        out[at] = _padded_sums(v, starts[at], lengths[at], backwards)
    return out


def _padded_sums(v: np.ndarray, starts: np.ndarray, lengths: np.ndarray, backwards: bool) -> np.ndarray:
    """:func:`run_sums` of runs of similar lengths: a grid of position x run, -0.0 past a run."""
    top = int(lengths.max())
    k = np.arange(top, dtype=np.int64)[:, None]
    idx = (starts + lengths - 1)[None, :] - k if backwards else starts[None, :] + k
    live = k < lengths[None, :]
    grid = np.where(live, v[np.where(live, idx, 0)] if len(v) else 0.0, _PAD)
    return _column_sums(grid) if top else np.full(len(starts), _PAD)


def _column_sums(grid: np.ndarray) -> np.ndarray:
    """Each column of a C-ordered grid added from its first row to its last. One column is a
    contiguous run, which ``add.reduce`` would sum pairwise: a running sum's last value then."""
    if grid.shape[1] == 1:
        return np.cumsum(grid[:, 0])[-1:]
    return np.add.reduce(grid, axis=0, initial=_PAD)  # (its default start, +0.0, would lose a -0.0 sum)


def segment_folds(seg: np.ndarray, add: np.ndarray) -> np.ndarray:
    """Each segment's values (``seg``: its number, rising, one segment's values together, in
    the order they are added) added one after another: one value a segment."""
    if not len(seg):
        return np.zeros(0)
    first = np.flatnonzero(np.concatenate(([True], seg[1:] != seg[:-1])))
    lengths = np.diff(np.append(first, len(seg)))
    return run_sums(np.ascontiguousarray(add, dtype=np.float64), first, lengths)


def reduce_partials(seg: np.ndarray, vals: np.ndarray, counts: np.ndarray, fn: str) -> tuple[np.ndarray, np.ndarray]:
    """A call iterator's reducer over partials in the order it reads them (``seg``: their
    group, rising): FloatSumReduce (the first value, then ``prev + curr``) or FloatMeanReducer
    (``sum += v * Aggregated`` from 2 points, else ``sum += v``; ``sum / count``). (values, counts)."""
    nseg = int(seg[-1]) + 1 if len(seg) else 0
    cnt = np.bincount(seg, weights=counts, minlength=nseg)
    if fn == "sum":
        return segment_folds(seg, vals), cnt
    add = np.where(counts >= 2, vals * counts, vals)
    return (segment_folds(seg, add) + 0.0) / cnt, cnt  # (+ 0.0: Go's sum starts at +0.0)


def halves_order(s: np.ndarray, key: np.ndarray, parallel: int) -> np.ndarray:
    """One tag set of one shard: its series' partials (series after series, ``key`` rising in
    each: the window, negated under DESC) as NewParallelMergeIterator hands them over: the
    series split in halves, each half merged by a heap (exec/go_merge.py), the halves' runs
    of one window merged by a heap of two (:func:`two_streams`)."""
    bounds = np.concatenate(([0], np.flatnonzero(s[1:] != s[:-1]) + 1, [len(s)]))
    k = len(bounds) - 1
    if k == 1:
        return np.arange(len(s))
    n = k // parallel
    cut = int(bounds[n])
    a, b = _merged(key[:cut], s[:cut]), cut + _merged(key[cut:], s[cut:])
    return two_streams(a, b, key)


def _merged(key: np.ndarray, s: np.ndarray) -> np.ndarray:
    if not len(key):
        return np.zeros(0, np.int64)
    perm = go_merge.merge_order(s, key, True)
    return np.argsort(key, kind="stable") if perm is None else perm


def two_streams(a: np.ndarray, b: np.ndarray, key: np.ndarray) -> np.ndarray:
    """A MergeIterator over two streams (rows ``a`` then ``b``, ``key`` rising along each, a
    key's rows together): container/heap with two items keeps the stream at its root while
    its next key is less than the other's, so where both hold a key the one that did not hand
    over the last lesser key goes first (the first stream at the start), and from one shared
    key to the next the same one does."""
    if not len(a) or not len(b):
        return np.concatenate((a, b)).astype(np.int64)
    ka, kb = key[a], key[b]
    ua, ia = np.unique(ka, return_index=True)
    ub, ib = np.unique(kb, return_index=True)
    keys = np.union1d(ua, ub)
    in_a, in_b = np.isin(keys, ua), np.isin(keys, ub)
    # who handed over the last key held by one stream only: 0 (a) or 1 (b); -1 none yet (a first)
    alone = np.where(in_a & ~in_b, 0, np.where(in_b & ~in_a, 1, -1))
    pos = np.where(alone >= 0, np.arange(len(keys)), -1)
    np.maximum.accumulate(pos, out=pos)
    last = np.where(pos >= 0, alone[np.maximum(pos, 0)], 1)
    b_first = in_a & in_b & (last == 0)
    # each key's rows of a, then of b (or b then a): a sort of (key, rank within the key)
    ra = np.where(b_first[np.searchsorted(keys, ka)], 1, 0)
    rb = np.where(b_first[np.searchsorted(keys, kb)], 0, 1)
    rows = np.concatenate((a, b))
    order = np.lexsort((np.concatenate((ra, rb)), np.concatenate((ka, kb))))
    return rows[order].astype(np.int64)


def run_stddevs(v: np.ndarray, starts: np.ndarray, lengths: np.ndarray, backwards: bool = False) -> np.ndarray:
    """Each run's stddev() as influxd's FloatStddevReduceSlice takes it over the run's values
    in order (from its last under ``backwards``): a running mean (``mean += (v - mean) /
    count``), then the squared deviations added in that order, ``sqrt(var / (count - 1))``;
    NaN for a run of fewer than two values. One NumPy step a position over all runs, not a
    Python step a value; runs of very different lengths (one busy window among thousands of
    sparse ones) in classes of similar length, so no grid holds more than twice the points."""
    n = len(starts)
    if n and int(lengths.max()) * n > _GRID_CELLS:
        out = np.full(n, np.nan)
        cls = np.ceil(np.log2(np.maximum(lengths, 1))).astype(np.int64)
        for c in np.unique(cls).tolist():
            at = np.flatnonzero(cls == c)
            out[at] = _similar_stddevs(v, starts[at], lengths[at], backwards)
        return out
    return _similar_stddevs(v, starts, lengths, backwards)


def _similar_stddevs(v: np.ndarray, starts: np.ndarray, lengths: np.ndarray, backwards: bool) -> np.ndarray:
    """:func:`run_stddevs` over one grid of position x run."""
    n = len(starts)
    if not n or int(lengths.max()) < 2:
        return np.full(n, np.nan)
    grid, live = _position_grid(v, starts, lengths, backwards, 0.0)
    mean = grid[0] + 0.0  # (Go's mean starts at +0.0)
    step = np.empty(n)
    sub, div, add = np.subtract, np.divide, np.add
    # every run stepped at every position (past its end, on padding): a run's mean is taken as it ends
    top = len(grid)
    ends = {} if live is None else {k: np.flatnonzero(lengths == k) for k in np.unique(lengths).tolist()}
    final = mean if live is None else mean.copy()
    with np.errstate(all="ignore"):
        for i, row in enumerate(grid[1:], 1):
            if i in ends:
                final[ends[i]] = mean[ends[i]]
            sub(row, mean, step)
            div(step, float(i + 1), step)
            add(mean, step, mean)
    if live is not None:
        final[ends[top]] = mean[ends[top]]
    d = grid - final[None, :]
    d *= d
    var = _column_sums(d if live is None else np.where(live, d, _PAD))
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(lengths >= 2, np.sqrt(var / (lengths - 1).astype(np.float64)), np.nan)


def _position_grid(v: np.ndarray, starts: np.ndarray, lengths: np.ndarray, backwards: bool, pad: float):
    """(a C-ordered grid of position x run: each run's values in order, ``pad`` past its end;
    where a run still holds a value, or None when every run is as long)."""
    n, top = len(starts), int(lengths.max())
    if bool((lengths == top).all()):
        if n == 1 or bool((np.diff(starts) == top).all()):
            rows = v[int(starts[0]):int(starts[0]) + n * top].reshape(n, top)
        else:
            rows = v[starts[:, None] + np.arange(top)]
        return np.ascontiguousarray((rows[:, ::-1] if backwards else rows).T), None
    k = np.arange(top, dtype=np.int64)[:, None]
    live = k < lengths[None, :]
    ends = starts + lengths
    if bool((starts[1:] == ends[:-1]).all()):  # runs end to end: the values laid into their rows
        held = v[int(starts[0]):int(ends[-1])]
        rows = np.full((n, top), pad)
        if backwards:  # (the runs' values reversed: the last run's first, each from its last)
            rows[::-1][live.T[::-1]] = held[::-1]
        else:
            rows[live.T] = held
        return np.ascontiguousarray(rows.T), live
    idx = (starts + lengths - 1)[None, :] - k if backwards else starts[None, :] + k
    return np.where(live, v[np.where(live, idx, 0)], pad), live
