"""median(), percentile() and mode() over a subquery's NaN, as influxd 1.6.7 answers them.

influxd's stddev() of one point is NaN (exec/lazy.py _one_point_nans), a value an outer
statement reads. Its slice reducers sort a window's points with ``sort.Sort`` and ``Less``
``a.Value < b.Value`` (query/call_iterator.go ``FloatMedianReduceSlice``,
``NewFloatPercentileReduceSliceFunc``, ``FloatModeReduceSlice``): NaN compares false both ways,
so where the sorted slice puts it, and what the reducer reads there, follows Go's steps over
the points in the order the stream brings them (exec/go_sort.py replays them; Python's ``<``
and ``!=`` treat NaN as Go's do). Only groups that hold a NaN come here, flagged by a
vectorised ``is_nan().any()`` beside the aggregates; the others keep the Polars answer.
"""
from __future__ import annotations

import math

import numpy as np
import polars as pl

from ...influxql import ast
from ..functions.aggregates import STREAM_TIES
from . import go_sort, go_ties

CALLS = ("median", "percentile", "mode")
FLAG = "\x00nan"


def nan_calls(low_aggs: dict, schema: dict, dtype_of) -> list[tuple[int, object, str]]:
    """(index, call, alias) of the slice-sorting calls reading a float column (where NaN can be)."""
    return [(i, call, alias) for i, (call, alias) in enumerate(low_aggs.items())
            if call.name in CALLS and isinstance(call.args[0], ast.VarRef)
            and dtype_of(call.args[0], schema) == pl.Float64]


def flag(i: int) -> str:
    """The column saying whether call ``i``'s group holds a NaN (computed beside the aggregates)."""
    return f"{FLAG}{i}"


def replay(df: pl.DataFrame, lf: pl.LazyFrame, gkeys: list[str], calls: list, value_of,
           ascending: bool, point_time: str | None) -> pl.DataFrame:
    """The answers of the groups whose values hold a NaN (``flag`` columns; dropped after),
    each call's reducer run on the group's points in read order. ``point_time``: the column
    of the point percentile() picks, where it is the statement's selector."""
    for i, call, alias in calls:
        col = flag(i)
        hit = df.filter(pl.col(col)).select(gkeys)
        if hit.height:
            rows, bounds = go_ties._rows(lf, hit, gkeys, value_of(call.args[0]), ascending, [], [STREAM_TIES])
            vals, times = rows[go_ties._VAL].to_numpy(), rows["time"].to_numpy()
            picked = [_reduce(call, vals[a:b], times[a:b]) for a, b in zip(bounds[:-1].tolist(), bounds[1:].tolist())]
            gids = rows[go_ties._GID].to_numpy()[bounds[:-1]]
            new = hit[gids].with_columns(pl.Series(alias, [p[0] for p in picked], dtype=pl.Float64))
            if point_time is not None and i == 0 and call.name == "percentile":
                new = new.with_columns(pl.Series(point_time, [p[1] for p in picked], dtype=df.schema[point_time]))
            df = df.update(new, on=gkeys, how="left", include_nulls=True)
        df = df.drop(col)
    return df


def _reduce(call, vals: np.ndarray, times: np.ndarray) -> tuple[float | None, int | None]:
    """(value, time) the call's reducer answers over one window's points in read order."""
    if len(vals) == 1 and call.name != "percentile":
        return float(vals[0]), None
    perm = go_sort.order(vals)
    v, t = vals[perm].tolist(), times[perm].tolist()
    if call.name == "median":
        n = len(v)
        return (v[n // 2 - 1] + (v[n // 2] - v[n // 2 - 1]) / 2 if n % 2 == 0 else v[n // 2]), None
    if call.name == "percentile":
        i = int(math.floor(len(v) * float(call.args[1].val if isinstance(call.args[1], ast.Literal) else call.args[1]) / 100.0 + 0.5)) - 1
        return (v[i], t[i]) if 0 <= i < len(v) else (None, None)
    return _mode(v, t), None


def _mode(v: list, t: list) -> float:
    """``FloatModeReduceSlice``'s walk over the sorted points, step for step (a NaN never
    equals the run's value, so each starts a run of its own)."""
    most_freq = curr_freq = 0
    curr_mode = most_mode = v[0]
    most_time = curr_time = t[0]
    for x, tx in zip(v, t):
        if x != curr_mode:
            curr_freq, curr_mode, curr_time = 1, x, tx
            continue
        curr_freq += 1
        if most_freq > curr_freq or (most_freq == curr_freq and curr_time > most_time):
            continue
        most_freq, most_mode, most_time = curr_freq, x, tx
    return most_mode


def top_rows(out: pl.DataFrame, lf: pl.LazyFrame, gkeys: list[str], name: str, n: int, value: str,
             alias: str, extra: list[str], ascending: bool, ties: pl.Expr) -> pl.DataFrame:
    """top()/bottom()'s rows (``out``: agg.multi_rows') of the groups whose values hold a NaN,
    from FloatTopReducer/FloatBottomReducer run on their points in read order (by time, then
    ``ties``: the order the subquery's stream brings points of equal time in, under ORDER BY
    time DESC too): a heap
    (container/heap) of ``n`` points ordered by value, then the later time, which NaN compares
    false both ways, emitted by sort.Sort(sort.Reverse) and then by time (sort.Stable)."""
    if not lf.select(pl.col(value).is_nan().any()).collect().item():
        return out
    hit = lf.group_by(gkeys).agg(pl.col(value).is_nan().any().alias(FLAG)).filter(pl.col(FLAG)).select(gkeys).collect()
    rows, bounds = go_ties._rows(lf.with_columns(ties), hit, gkeys, pl.col(value), ascending, extra, [STREAM_TIES])
    vals, times = rows[go_ties._VAL].to_numpy(), rows["time"].to_numpy()
    picked = []
    for a, b in zip(bounds[:-1].tolist(), bounds[1:].tolist()):
        kept = _heap_emit(vals[a:b], times[a:b], n, name == "top")
        picked += sorted((a + i for i in kept), key=lambda r: times[r])  # (a stable sort by time)
    got = rows[picked]
    new = hit[got[go_ties._GID].to_numpy()].with_columns(
        got["time"].alias("\x00t"), got[go_ties._VAL].alias(alias), *(got[c] for c in extra if c in got.columns))
    rest = out.join(hit, on=gkeys, how="anti", nulls_equal=True)
    return pl.concat([rest, new.select(out.columns)], how="vertical_relaxed").sort(gkeys + ["\x00t"], maintain_order=True)


def _heap_emit(v: np.ndarray, t: np.ndarray, n: int, top: bool) -> list[int]:
    """The positions FloatTopReducer (``top``) or FloatBottomReducer keeps, in Emit's order."""
    sign = 1.0 if top else -1.0
    less = lambda a, b: (sign * v[a] < sign * v[b]) if v[a] != v[b] else t[a] > t[b]  # noqa: E731
    h: list[int] = []
    for p in range(len(v)):
        if len(h) == n:
            if not less(h[0], p):
                continue
            h[0] = p
            if not _down(h, 0, less):
                _up(h, 0, less)
            continue
        h.append(p)
        _up(h, len(h) - 1, less)
    # Less as one float: the rank of (value, later time) among the kept numbers, NaN as is;
    # negated for sort.Reverse
    ranks = {k: r for r, k in enumerate(sorted({(sign * v[i], -t[i]) for i in h if v[i] == v[i]}))}
    key = np.array([-float(ranks[(sign * v[i], -t[i])]) if v[i] == v[i] else np.nan for i in h])
    return [h[i] for i in go_sort.order(key)]


def _up(h: list, j: int, less) -> None:
    while True:
        i = (j - 1) // 2
        if i == j or j == 0 or not less(h[j], h[i]):
            break
        h[i], h[j] = h[j], h[i]
        j = i


def _down(h: list, i0: int, less) -> bool:
    i = i0
    while True:
        j1 = 2 * i + 1
        if j1 >= len(h):
            break
        j = j1 + 1 if j1 + 1 < len(h) and less(h[j1 + 1], h[j1]) else j1
        if not less(h[j], h[i]):
            break
        h[i], h[j] = h[j], h[i]
        i = j
    return i > i0
