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
    return int(go_sort.order(go_sort.keys(values), [(i, i + 1)])[i])


def read_order(df: pl.DataFrame, keys: list[str], window: str, ascending: bool,
               series: list[str]) -> pl.DataFrame:
    """``df``'s rows in the order influxd reads them, by group (``keys``: the grouping without
    the window): by time, descending under ORDER BY time DESC; rows of equal time by series
    (``series``: the tag columns, in key order)."""
    if df.height < 2:
        return df
    by = [(c, d) for c, d in zip(keys + [window, "time"] + series,
                                 [False] * len(keys) + [False, not ascending] + [False] * len(series))
          if not (df[c].null_count() == 0 and df[c].min() == df[c].max())]  # constants aside
    if not by or _in_order(df, by):
        return df
    return df.sort([c for c, _ in by], descending=[d for _, d in by], maintain_order=True)


def _in_order(df: pl.DataFrame, by: list[tuple[str, bool]]) -> bool:
    """Whether the rows are sorted already (a scan by time usually is): the first column is
    sorted with no two rows equal, or is the only one."""
    col, d = by[0]
    if not df[col].is_sorted(descending=d):
        return False
    return len(by) == 1 or bool((df[col].diff(null_behavior="drop") != 0).all())


_VAL = "\x00val"


def _rows(lf: pl.LazyFrame, hit: pl.DataFrame, gkeys: list[str], window: str, value: pl.Expr,
          ascending: bool, extra: list[str], series: list[str]):
    """The points of the flagged groups in read order, one group after the other, and where
    each group starts (its keys beside)."""
    rows = (lf.select(list(dict.fromkeys(gkeys + ["time"] + extra + series)) + [value.alias(_VAL)])
            .filter(pl.col(_VAL).is_not_null())
            .join(hit.lazy(), on=gkeys, how="semi", nulls_equal=True, maintain_order="left")
            .collect())
    rows = read_order(rows, [k for k in gkeys if k != window], window, ascending, series)
    starts = rows.select(gkeys).with_row_index("\x00i").group_by(gkeys, maintain_order=True).agg(
        pl.col("\x00i").first(), pl.len().alias("\x00n"))
    return rows, starts


def replay_modes(df: pl.DataFrame, lf: pl.LazyFrame, gkeys: list[str], window: str,
                 modes: list[tuple[pl.Expr, str, str]], ascending: bool, series: list[str]) -> pl.DataFrame:
    """mode()'s answer of the groups its flag column marks, replayed (flags dropped)."""
    for value, alias, flag in modes:
        hit = df.filter(pl.col(flag)).select(gkeys)
        if hit.height:
            rows, starts = _rows(lf, hit, gkeys, window, value, ascending, [], series)
            vals, times = rows[_VAL].to_numpy(), rows["time"].to_numpy()
            picked = [mode_value(vals[i:i + n], times[i:i + n])
                      for i, n in zip(starts["\x00i"].to_list(), starts["\x00n"].to_list())]
            new = starts.select(gkeys).with_columns(pl.Series(alias, picked, dtype=df.schema[alias]))
            df = df.update(new, on=gkeys, how="left")
        df = df.drop(flag)
    return df


def replay_percentile(df: pl.DataFrame, lf: pl.LazyFrame, gkeys: list[str], window: str,
                      value: pl.Expr, p: float, flag: str, point_time: str | None,
                      aux: list[str], ascending: bool, series: list[str]) -> pl.DataFrame:
    """percentile()'s point (time, auxiliary fields) in the groups ``flag`` marks."""
    hit = df.filter(pl.col(flag)).select(gkeys)
    if hit.height:
        rows, starts = _rows(lf, hit, gkeys, window, value, ascending, aux, series)
        vals = rows[_VAL].to_numpy()
        picks = []
        for i, n in zip(starts["\x00i"].to_list(), starts["\x00n"].to_list()):
            k = int(np.floor(n * p / 100.0 + 0.5)) - 1
            picks.append(i + percentile_index(vals[i:i + n], k))
        at = rows[picks]
        cols = {**({point_time: "time"} if point_time else {}), **{c: c for c in aux}}
        new = starts.select(gkeys).with_columns(at[src].cast(df.schema[c]).alias(c) for c, src in cols.items())
        df = df.update(new, on=gkeys, how="left", include_nulls=True)
    return df.drop(flag)
