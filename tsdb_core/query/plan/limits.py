"""Limits a SELECT is held to before it reads anything, so one query cannot exhaust the process.

InfluxDB's ``max-select-buckets`` counts windows only; a windowed answer has a row per
window *and series* (fill() builds every one of them), so ``max_select_windows`` bounds
windows x series, the series counted from the index (no scan), and ``query_memory_bytes``
bounds those rows' bytes. holt_winters' predicted windows count as windows.
"""
from __future__ import annotations

import polars as pl

from ...base.errors import LimitExceeded
from ...influxql import ast
from ...influxql import functions as F
from ..analyze.conditions import conjuncts, tag_equalities
from ..exec import fill_walk
from ..exec.fill import window_start
from .nodes import Scan, SelectPlan, SubqueryScan, Transform, find_node

# Windows a statement may list even when the operator set no limit (0): past it the grid
# alone would not fit in memory.
HARD_MAX_WINDOWS = 10_000_000
_CELL_BYTES = 8  # a value of a fixed-width column (Int64 time and window, Float64, ...)
# Rows a second that reading and aggregating stays above (a slow disk, a busy machine): a
# statement estimated to end well within its timeout at this rate needs no cancelling.
_PESSIMISTIC_ROWS_PER_S = 2_000_000


_PASSED_MAX = 1024
_passed: dict[int, tuple[SelectPlan, tuple[int, int, int]]] = {}  # id -> (the plan itself, the limits it passed)
# id(plan.columns) -> (the columns, the rest of _family_key, the largest (_windows, _grid) passed)
_family_passed: dict[int, tuple[tuple, tuple, tuple[int, int]]] = {}


def check_grid(plan: SelectPlan, provider, max_buckets: int, max_windows: int, memory_bytes: int) -> None:
    """:func:`check_buckets` then :func:`check_windows`, once per plan object and limits when
    their answer cannot move with the data (one series, no subquery: no index counted). The
    plan cache hands the same plan back for a repeated text, and a dashboard's one-host
    query then pays for a dictionary lookup instead of walking its windows again.

    A family's moved plans (a new text: another time range, other tag values) are new
    objects sharing the columns: one of them passes when a plan of the same columns and
    :func:`_family_key` passed with at least its windows. Why that is exact, for one scan
    (no subquery, so one series): both checks read only ``_windows`` (buckets), ``_grid``
    (windows) and facts of the key: the predicted windows (holt_winters' literal, a call of
    the columns: plan/tree.py lowers them), fill and tz (listed or not), the row width
    (dimensions, columns), extra_intervals and the limits; each refuses only when one of the
    two counts passes a bound those facts set, so fewer windows pass where more did."""
    limits = (max_buckets, max_windows, memory_bytes)
    seen = _passed.get(id(plan))
    if seen is not None and seen[0] is plan and seen[1] == limits:
        return
    lone = len(plan.sources) == 1 and isinstance(plan.sources[0], Scan) and not plan.dimensions
    if lone:
        key = _family_key(plan, limits)
        fam = _family_passed.get(id(plan.columns))
        counts = (_windows(plan), _grid(plan))
        if fam is not None and fam[0] is plan.columns and fam[1] == key:
            if counts[0] <= fam[2][0] and counts[1] <= fam[2][1]:
                return
            counts = (max(counts[0], fam[2][0]), max(counts[1], fam[2][1]))  # (both passed: each check reads one)
    check_buckets(plan, max_buckets)
    check_windows(plan, provider, max_windows, memory_bytes)
    if lone:
        if len(_passed) >= _PASSED_MAX:
            _passed.clear()
            _family_passed.clear()
        _passed[id(plan)] = (plan, limits)
        _family_passed[id(plan.columns)] = (plan.columns, key, counts)


def _family_key(plan: SelectPlan, limits: tuple[int, int, int]) -> tuple:
    """What :func:`check_grid`'s checks read of a one-scan plan besides its columns and its two
    window counts (the time range's share)."""
    return (plan.is_raw, plan.interval, plan.offset, plan.tz, plan.fill, plan.extra_intervals, plan.dialect,
            limits)


def _grid(plan: SelectPlan) -> int:
    """The windows :func:`check_windows` lists for each series (holt_winters' forecast aside)."""
    return (_windows(plan) or _walked(plan)) if plan.fill != "none" or plan.tz is not None else 0


def check_buckets(plan: SelectPlan, max_buckets: int) -> None:
    """max-select-buckets with InfluxDB's words (its Prepare): only with a lower time bound."""
    n = _windows(plan)
    n = n - plan.extra_intervals if n else 0
    if max_buckets and n > max_buckets:
        raise LimitExceeded(f"max-select-buckets limit exceeded: ({n}/{max_buckets})")


def check_windows(plan: SelectPlan, provider, max_windows: int, memory_bytes: int) -> None:
    """Rows of a windowed answer (windows x series) against the limit and the memory budget;
    a subquery's rows are checked too."""
    for src in plan.sources:
        if isinstance(src, SubqueryScan):
            check_windows(src.plan, provider, max_windows, memory_bytes)
    # fill(none) answers only the windows that hold points (rows bounded by the data), but
    # tz() windows are listed first whatever the fill
    predicted = _predicted(plan)
    windows = _grid(plan) + predicted
    if not windows:
        return
    limit = max_windows or HARD_MAX_WINDOWS
    width = (len(plan.dimensions) + len(plan.columns) + 3) * _CELL_BYTES  # + name, window, time
    budget = memory_bytes // width if memory_bytes else 0  # rows that fit in the budget
    cap = min(limit, budget) if budget else limit
    grid_only = plan.fill == "none" and not predicted  # tz(): one list of windows
    counted = windows <= cap and not grid_only and not _one_series(plan)
    series = _series(plan, provider, cap // windows + 1) if counted else 1
    rows = windows * series
    what = f"{windows} windows x {series} series" if counted else f"{windows} windows"
    if rows > limit:
        raise LimitExceeded(f"max-select-windows limit exceeded: ({rows}/{limit}): {what}")
    if budget and rows > budget:
        raise LimitExceeded(f"query-memory limit exceeded: ({rows * width}/{memory_bytes} bytes): "
                            f"{what} x {width} bytes a row")


def _one_series(plan: SelectPlan) -> bool:
    """Whether :func:`_series` could only answer 1 or a count the cap allows: no GROUP BY
    tags and one measurement read (its index is not looked at then: a dashboard's
    one-host query pays for no series count)."""
    return not plan.dimensions and len(_scans(plan)) == 1


def check_raw(plan: SelectPlan, provider, memory_bytes: int) -> None:
    """Rows of a raw answer (and of raw subqueries) against the memory budget, estimated from
    the files' row counts (``provider.row_estimate``) and the index before anything is read."""
    for src in plan.sources:
        if isinstance(src, SubqueryScan):
            check_raw(src.plan, provider, memory_bytes)
    if not (memory_bytes and plan.is_raw and provider.capabilities.row_estimates):
        return
    width = (len(plan.columns) + 2) * _CELL_BYTES  # + name, time
    budget = memory_bytes // width
    rows = 0
    for src in plan.sources:
        if isinstance(src, Scan) and not src.time_range.empty:
            try:
                n = provider.row_estimate(src.database, src.retention_policy, src.measurement,
                                          src.time_range.start, src.time_range.end)
            except Exception:  # noqa: BLE001 - no such database or policy: the query answers that
                continue
            rows += round(n * _matching_share(src, plan, provider)) if n > budget else n
    per_series = plan.limit + plan.row_offset if plan.limit else 0
    if rows > budget and per_series:  # LIMIT n keeps n rows a series
        rows = min(rows, per_series * _series(plan, provider, budget // per_series + 1))
    if rows > budget:
        raise LimitExceeded(f"query-memory limit exceeded: ({rows * width}/{memory_bytes} bytes): "
                            f"about {rows} rows x {width} bytes a row")


def _matching_share(src: Scan, plan: SelectPlan, provider) -> float:
    """The share of a measurement's series that WHERE's tag equalities keep (1.0: all, or unknown)."""
    try:
        index = provider.series(src.database, src.retention_policy, src.measurement)
    except Exception:  # noqa: BLE001 - no index: assume every series
        return 1.0
    if not index.height:
        return 1.0
    return _narrowed(index, plan).height / index.height


def may_outlast(plan: SelectPlan, provider, seconds: float) -> bool:
    """Whether the statement's reading (rows of its files in range, subqueries included, plus
    its windows) could take ``seconds`` at a pessimistic rate; True when it cannot be told."""
    if not provider.capabilities.row_estimates:
        return True
    budget = seconds * _PESSIMISTIC_ROWS_PER_S
    rows = _windows(plan) + _predicted(plan)
    for src in _scans(plan):
        if src.time_range.empty:
            continue
        try:
            rows += provider.row_estimate(src.database, src.retention_policy, src.measurement,
                                          src.time_range.start, src.time_range.end)
        except Exception:  # noqa: BLE001 - no such database or policy: nothing to read
            continue
        if rows > budget:
            return True
    return rows > budget


def _windows(plan: SelectPlan) -> int:
    """GROUP BY time windows of the statement's time range (0: none, or no lower bound)."""
    tr = plan.time_range
    if not (plan.interval and not plan.is_raw and tr.has_start) or tr.empty:
        return 0
    first = window_start(tr.start, plan.interval, plan.offset, plan.tz)
    last = window_start(tr.end - 1, plan.interval, plan.offset, plan.tz)  # as influxd does
    return (last - first + plan.interval) // plan.interval + plan.extra_intervals


def _walked(plan: SelectPlan) -> int:
    """Rows a series gets from influxd's fill walk from 1677 (an offset, no range start:
    exec/fill_walk.py), 0 for any other plan."""
    tr = plan.time_range
    # before reading: a raw select or fill(none) has no walk, an empty range no rows at all
    if plan.is_raw or tr.empty or plan.fill == "none":
        return 0
    start = fill_walk.plan_start(plan)
    if start is None:
        return 0
    end = window_start(tr.end, plan.interval, plan.offset, plan.tz)
    return fill_walk.rows_per_series(start, end, plan.interval, plan.tz)


def _predicted(plan: SelectPlan) -> int:
    """Windows holt_winters(_with_fit) forecasts beyond the data (its second argument), read
    from the plan's Transform node (no walk over the output expressions per query)."""
    transform = find_node(plan.root, Transform)
    if transform is None:
        return 0
    return max((c.call.args[1].val for c in transform.calls
                if F.spec(c.call.name).predicts and len(c.call.args) > 1
                and isinstance(c.call.args[1], ast.IntegerLiteral)), default=0)


def _scans(plan: SelectPlan) -> list[Scan]:
    out, stack = [], list(plan.sources)
    while stack:
        src = stack.pop()
        if isinstance(src, SubqueryScan):
            stack.extend(src.plan.sources)
        else:
            out.append(src)
    return out


def _series(plan: SelectPlan, provider, enough: int) -> int:
    """Series of the answer: distinct GROUP BY tag sets of each measurement's index, narrowed
    by WHERE's tag equalities; counting stops once ``enough`` is reached (the cheap bound,
    every series of the index, is tried first)."""
    total = 0
    for src in _scans(plan):
        if src.time_range.empty:
            continue
        try:
            index = provider.series(src.database, src.retention_policy, src.measurement)
        except Exception:  # noqa: BLE001 - no index (a fake provider, a dropped database): one series
            total += 1
            continue
        if index.height <= 1 or total + index.height < enough:
            total += max(index.height, 1)
        else:
            total += _groups(index, plan)
        if total >= enough:
            return total
    return max(total, 1)


def _narrowed(index: pl.DataFrame, plan: SelectPlan) -> pl.DataFrame:
    """The series of ``index`` that WHERE's tag equalities keep."""
    cols = set(index.columns)
    for c in conjuncts(plan.condition):
        eq = tag_equalities(c, {k: pl.String for k in cols})
        if eq is not None:
            index = index.filter(pl.col(eq[0]).is_in(eq[1]))
    return index


def _groups(index: pl.DataFrame, plan: SelectPlan) -> int:
    cols = set(index.columns)
    index = _narrowed(index, plan)
    dims = [d for d in plan.dimensions if d in cols]
    if not dims:
        return 1 if index.height else 0
    return index.select(dims).n_unique()
