"""The fast executor's windows of time-sorted rows found by the grid (exec/fast.py).

A one-host dashboard query reads one series: its times already ascend and its rows
fill the windows of ``fill(null)``'s grid. Each window's rows are then one binary
search of the grid's edges away, with no window number computed per row, no runs
of equal window numbers found, and no matching of the windows found to the grid:
a handful of NumPy calls instead of some thirty, which is most of a small query's
executor time on a server (each call's fixed cost dominates at 60 rows, and more so
with caches cold between requests). Anything else (NaN, unsorted rows, other fills,
percentile(), a grid not aligned on window starts) answers None and the general
``reduceat`` path of exec/fast.py runs; tests/query/test_fast_grid.py checks both agree.
"""
from __future__ import annotations

import numpy as np

from ...base.types import TIME
from .fill import grid_ends

REDUCE = {"max": (np.fmax, np.maximum), "min": (np.fmin, np.minimum)}  # (float ignoring NaN, int)
_CALLS = frozenset(("max", "min", "count"))
_MAX = 2**63 - 1


def grid_windows(plan, arrays: dict[str, np.ndarray], epoch: str | None, max_buckets: int, floats: list | None,
                 grid_times, columns: bool = False) -> list[list] | None:
    """:func:`exec.fast._numpy_windows`'s rows for ``fill(null)`` over rows whose times ascend
    (none before the first window or after the last), or over several series sampled at the
    same instants one after the other, and whose float columns hold no NaN; None otherwise.
    ``grid_times(grid, interval, epoch)`` renders the window starts; ``columns``: the rows'
    columns (lists), not the rows."""
    t = arrays[TIME]
    calls = [c.expr for c in plan.columns]
    if plan.fill != "null" or t.size == 0 or any(c.name not in _CALLS for c in calls):
        return None
    interval, offset = plan.interval, plan.offset
    first, last = grid_ends(plan.time_range.start, plan.time_range.end, interval, offset, max_buckets)
    # (ufunc reductions, not ndarray.all and np.searchsorted: each of those is a few Python calls)
    stacked = 1 if t.size < 2 or np.logical_and.reduce(t[1:] >= t[:-1]) else _stacked(t)
    if not stacked:
        return None
    t = t[:t.size // stacked]
    if last + interval > _MAX or (first - offset) % interval or int(t[0]) < first or int(t[-1]) >= last + interval:
        return None  # (a grid clamped at the earliest time, or rows outside it)
    edges = np.arange(first, last + interval + 1, interval, dtype=np.int64)  # each window's start, then the end
    at = t.searchsorted(edges)  # each window's first row, then past the last row
    n = at[1:] - at[:-1]
    values = []
    for call in calls:
        v = arrays[call.args[0].name]
        isfloat = v.dtype.kind == "f"
        if isfloat and np.isnan(np.add.reduce(v)):
            return None  # a null (or inf - inf: the general path tells them apart)
        if stacked > 1 and call.name != "count":  # each instant's extreme over the series
            v = REDUCE[call.name][0 if isfloat else 1].reduce(v.reshape(stacked, t.size), axis=0)
        values.append((call.name, v, isfloat))
    n = n * stacked if stacked > 1 else n
    filled = bool(np.logical_and.reduce(n > 0))
    starts = at[:-1] if filled else at[:-1][n > 0]
    hit = None if filled else n > 0
    out: list = [grid_times(edges[:-1], interval, epoch)]
    counts = None
    found = []  # (the float columns, handed to ``floats`` once every column is answered)
    for j, (name, v, isfloat) in enumerate(values, 1):
        if name == "count":
            counts = counts if counts is not None else n.tolist()
            out.append(counts)
            continue
        vals = REDUCE[name][0 if isfloat else 1].reduceat(v, starts)
        if stacked > 1 and isfloat and not vals.all():
            return None  # a zero extreme: which of +0.0 and -0.0 (equal) wins depends on the order
        if filled:
            if isfloat:
                found.append((j, vals.astype(np.float64, copy=False)))
            out.append(vals.tolist())
            continue
        full = np.full(n.size, np.nan if isfloat else 0, dtype=vals.dtype)
        full[hit] = vals
        if isfloat:
            found.append((j, full.astype(np.float64, copy=False)))
        out.append([x if k else None for x, k in zip(full.tolist(), hit.tolist())])
    if floats is not None:
        floats.extend(found)
    return out if columns else list(map(list, zip(*out)))


def _stacked(t: np.ndarray) -> int:
    """How many series ``t`` holds one after the other, each at the same ascending instants
    (hosts sampled alike: a query naming a few); 0 when it is not so."""
    down = np.flatnonzero(t[1:] < t[:-1])
    size = int(down[0]) + 1 if down.size else 0
    if not size or t.size % size or not (t.reshape(-1, size) == t[:size]).all():
        return 0
    return t.size // size
