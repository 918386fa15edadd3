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
                 grid_times) -> list[list] | None:
    """:func:`exec.fast._numpy_windows`'s rows for ``fill(null)`` over rows whose times ascend
    (none before the first window or after the last) and whose float columns hold no NaN;
    None otherwise. ``grid_times(grid, interval, epoch)`` renders the window starts."""
    t = arrays[TIME]
    calls = [c.expr for c in plan.columns]
    if plan.fill != "null" or t.size == 0 or any(c.name not in _CALLS for c in calls):
        return None
    interval, offset = plan.interval, plan.offset
    first, last = grid_ends(plan.time_range.start, plan.time_range.end, interval, offset, max_buckets)
    if last + interval > _MAX or (first - offset) % interval or int(t[0]) < first or int(t[-1]) >= last + interval:
        return None  # (a grid clamped at the earliest time, or rows outside it)
    if t.size > 1 and not (t[1:] >= t[:-1]).all():
        return None
    edges = np.arange(first, last + interval + 1, interval, dtype=np.int64)  # each window's start, then the end
    at = np.searchsorted(t, edges)  # each window's first row, then past the last row
    n = at[1:] - at[:-1]
    values = []
    for call in calls:
        v = arrays[call.args[0].name]
        isfloat = v.dtype.kind == "f"
        if isfloat and np.isnan(np.add.reduce(v)):
            return None  # a null (or inf - inf: the general path tells them apart)
        values.append((call.name, v, isfloat))
    filled = bool((n > 0).all())
    starts = at[:-1] if filled else at[:-1][n > 0]
    hit = None if filled else n > 0
    out: list = [grid_times(edges[:-1], interval, epoch)]
    counts = None
    for j, (name, v, isfloat) in enumerate(values, 1):
        if name == "count":
            counts = counts if counts is not None else n.tolist()
            out.append(counts)
            continue
        vals = REDUCE[name][0 if isfloat else 1].reduceat(v, starts)
        if filled:
            if floats is not None and isfloat:
                floats.append((j, vals.astype(np.float64, copy=False)))
            out.append(vals.tolist())
            continue
        full = np.full(n.size, np.nan if isfloat else 0, dtype=vals.dtype)
        full[hit] = vals
        if floats is not None and isfloat:
            floats.append((j, full.astype(np.float64, copy=False)))
        out.append([x if k else None for x, k in zip(full.tolist(), hit.tolist())])
    return list(map(list, zip(*out)))
