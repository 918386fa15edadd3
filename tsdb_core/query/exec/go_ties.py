"""mode() and percentile() where equal values make the answer depend on influxd's sort.

influxd 1.6.7 hands a window's points, in the order it reads them, to ``sort.Sort`` (not
stable; exec/go_sort.py replays it) and then reads the sorted slice: percentile() answers
the time and auxiliary fields of the point at its index, mode() compares the times of the
first and last points of each run of equal values (call_iterator.go
``*ModeReduceSlice``). Only groups where that matters are replayed here; the others keep
the vectorised answer, which is the same.

The read order is by time (percentile() asks influxd for ordered input; mode()'s answers
show the same order). Points of equal time from several series come in influxd's merge
order, which varies: the README's documented difference.
"""
from __future__ import annotations

import numpy as np
import polars as pl

from . import go_sort

_SEQ = "\x00seq"


def mode_value(values: np.ndarray, times: np.ndarray):
    """``*ModeReduceSlice`` over a window's points in read order (not booleans)."""
    if len(values) == 1:
        return values[0]
    uniq, r = np.unique(values, return_inverse=True)
    r = r.reshape(-1)
    counts = np.bincount(r)
    top = int(counts.max())
    tied = np.flatnonzero(counts == top)
    if top == 1 or len(tied) == 1:
        return uniq[0] if top == 1 else uniq[tied[0]]
    starts = np.cumsum(counts) - counts
    want = [(int(starts[t]), int(starts[t]) + 1) for t in tied] + \
           [(int(starts[t]) + top - 1, int(starts[t]) + top) for t in tied]
    perm = go_sort.order(r, want)
    win = tied[0]
    most = times[perm[starts[win] + top - 1]]
    for t in tied[1:]:  # a later run of the same length wins if it starts no later
        if times[perm[starts[t]]] <= most:
            win, most = t, times[perm[starts[t] + top - 1]]
    return uniq[win]


def percentile_index(values: np.ndarray, i: int) -> int:
    """The position (in read order) of the point sort.Sort leaves at index ``i``."""
    return int(go_sort.order(go_sort.ranks(values), [(i, i + 1)])[i])


def read_order(df: pl.DataFrame, keys: list[str], window: str, ascending: bool,
               series: list[str]) -> pl.DataFrame:
    """``df``'s rows in the order influxd reads them, by group (``keys``: the grouping without
    the window): by time, descending under ORDER BY time DESC; rows of equal time by series
    (``series``: the tag columns, in key order)."""
    return df.sort(keys + [window, "time"] + series,
                   descending=[False] * len(keys) + [False, not ascending] + [False] * len(series),
                   maintain_order=True)


_VAL, _ROW = "\x00val", "\x00row"


def _rows(lf: pl.LazyFrame, hit: pl.DataFrame, gkeys: list[str], window: str, value: pl.Expr,
          ascending: bool, extra: list[str], series: list[str]) -> pl.DataFrame:
    """The points of the flagged groups in read order, grouped."""
    rows = (lf.select(list(dict.fromkeys(gkeys + ["time"] + extra + series)) + [value.alias(_VAL)])
            .filter(pl.col(_VAL).is_not_null())
            .join(hit.lazy(), on=gkeys, how="semi", nulls_equal=True, maintain_order="left")
            .collect())
    rows = read_order(rows, [k for k in gkeys if k != window], window, ascending, series)
    return rows.group_by(gkeys, maintain_order=True).agg(pl.all().exclude(gkeys))


def replay_modes(df: pl.DataFrame, lf: pl.LazyFrame, gkeys: list[str], window: str,
                 modes: list[tuple[pl.Expr, str, str]], ascending: bool, series: list[str]) -> pl.DataFrame:
    """mode()'s answer of the groups its flag column marks, replayed (flags dropped)."""
    for value, alias, flag in modes:
        hit = df.filter(pl.col(flag)).select(gkeys)
        if hit.height:
            groups = _rows(lf, hit, gkeys, window, value, ascending, [], series)
            picked = [mode_value(np.asarray(v), np.asarray(t))
                      for v, t in zip(groups[_VAL].to_list(), groups["time"].to_list())]
            new = groups.select(gkeys).with_columns(pl.Series(alias, picked, dtype=df.schema[alias]))
            df = df.update(new, on=gkeys, how="left")
        df = df.drop(flag)
    return df


def replay_percentile(df: pl.DataFrame, lf: pl.LazyFrame, gkeys: list[str], window: str, value: pl.Expr, p: float, flag: str, point_time: str | None,
                      aux: list[str], ascending: bool, series: list[str]) -> pl.DataFrame:
    """percentile()'s point (time, auxiliary fields) in the groups ``flag`` marks."""
    hit = df.filter(pl.col(flag)).select(gkeys)
    if hit.height:
        groups = _rows(lf, hit, gkeys, window, value, ascending, aux, series)
        picks = []
        for vals in groups[_VAL].to_list():
            i = int(np.floor(len(vals) * p / 100.0 + 0.5)) - 1
            picks.append(percentile_index(np.asarray(vals), i))
        cols = ([point_time] if point_time else []) + aux
        src = {point_time: "time"} if point_time else {}
        new = groups.select(gkeys).with_columns(
            pl.Series(c, [vals[j] for vals, j in zip(groups[src.get(c, c)].to_list(), picks)],
                      dtype=df.schema[c]) for c in cols)
        df = df.update(new, on=gkeys, how="left", include_nulls=True)
    return df.drop(flag)
