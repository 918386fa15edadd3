"""LIMIT/OFFSET over the fast executor's windows: only the first windows are read.

    SELECT max(usage_user) FROM cpu WHERE time < '2016-01-01T02:16:12Z' GROUP BY time(1m) LIMIT 5

Under fill(null) the answer is the window grid from the range's start (the data's first
window when the range has none) to its end, every window a row; LIMIT n OFFSET k keeps
rows k..k+n-1 of it, so only the points before window k+n matter. Which rows the grid
has still depends on the whole range: a series exists when some point in the range has
a selected value, and the grid's first window is the first such point's when the range
has no start. Both are read from the rows' times and null masks (cheap), the windows
then aggregated over the few rows left. Only for max/min/count (exact in numpy); the
planner says so (plan/tree.py), tests/query/test_fast_limit.py checks the general
executor agrees.
"""
from __future__ import annotations

import dataclasses
from collections.abc import Callable

import numpy as np

from ...base.types import TIME
from ..analyze.time_range import TimeRange
from .fill import grid_ends


def limited_rows(plan, arrays: dict[str, np.ndarray], epoch: str | None, max_buckets: int,
                 windows: Callable, empty_windows: Callable) -> list[list]:
    """Rows ``plan.row_offset`` .. ``+ plan.limit`` of the fill(null) windows of ``arrays``
    (time and fields, a float null as NaN); ``windows(plan, arrays, epoch, max_buckets)``
    aggregates rows into every window of ``plan.time_range``, ``empty_windows(plan, epoch)``
    gives that grid's rows when none of its points has a value."""
    t = arrays[TIME]
    valid = _with_value(arrays)
    if not valid.any():
        return []  # no point with a selected value: no series
    tr = plan.time_range
    first = tr.start if tr.has_start else int(t[valid].min())
    # the whole grid, checked as the general executor builds it (max-select-buckets)
    b, _ = grid_ends(first, tr.end, plan.interval, plan.offset, max_buckets)
    last = tr.end
    if plan.limit:
        last = min(last, b + (plan.row_offset + plan.limit) * plan.interval - 1)
    keep = t <= last
    if not keep.all():
        arrays = {k: a[keep] for k, a in arrays.items()}
        valid = valid[keep]
    narrowed = dataclasses.replace(plan, time_range=TimeRange(b, last))
    rows = windows(narrowed, arrays, epoch, max_buckets) if valid.any() else empty_windows(narrowed, epoch)
    end = plan.row_offset + plan.limit if plan.limit else len(rows)
    return rows[plan.row_offset:end]


def _with_value(arrays: dict[str, np.ndarray]) -> np.ndarray:
    """Rows where some field has a value (integer arrays here have no nulls)."""
    fields = [a for k, a in arrays.items() if k != TIME]
    if any(a.dtype.kind != "f" for a in fields):
        return np.ones(arrays[TIME].size, dtype=bool)
    return np.logical_or.reduce([~np.isnan(a) for a in fields])
