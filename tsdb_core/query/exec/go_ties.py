"""mode() and percentile() where equal values make the answer depend on influxd's sort.

influxd 1.6.7 hands a window's points, in the order it reads them, to ``sort.Sort`` (not
stable; exec/go_sort.py replays it) and then reads the sorted slice: percentile() answers
the time and auxiliary fields of the point at its index, mode() compares the times of the
first and last points of each run of equal values (call_iterator.go
``*ModeReduceSlice``). Only groups where that matters are replayed here; the others keep
the vectorised answer, which is the same.

The read order: percentile() asks for ordered input (a sorted merge by time; points of
equal time from several series come in influxd's merge order, the README's documented
difference: here by series key). mode() does not: influxd's merge iterator hands over a
series' points of one window at a time, taking the series from a container/heap keyed by
window (:func:`chunk_order` replays that heap).
"""
from __future__ import annotations

import numpy as np
import polars as pl

from . import go_sort

_SEQ = "\x00seq"


def chunk_order(windows: list[list[int]], ascending: bool) -> list[tuple[int, int]]:
    """(series index, window) in the order influxd's merge iterator emits them: the series
    (in series key order) each listing the windows of its points in read order; the heap
    compares the windows of the points each series would read next."""
    def less(x: int, y: int) -> bool:
        a, b = windows[x][pos[x]], windows[y][pos[y]]
        return a < b if ascending else a > b

    def down(i: int, n: int) -> None:
        while True:
            j = 2 * i + 1
            if j >= n:
                return
            if j + 1 < n and less(h[j + 1], h[j]):
                j += 1
            if not less(h[j], h[i]):
                return
            h[i], h[j] = h[j], h[i]
            i = j

    def up(j: int) -> None:
        while j > 0:
            i = (j - 1) // 2
            if not less(h[j], h[i]):
                return
            h[i], h[j] = h[j], h[i]
            j = i

    pos = [0] * len(windows)
    h = [i for i, w in enumerate(windows) if w]
    for i in range(len(h) // 2 - 1, -1, -1):
        down(i, len(h))
    out = []
    while h:
        h[0], h[-1] = h[-1], h[0]  # heap.Pop
        down(0, len(h) - 1)
        s = h.pop()
        out.append((s, windows[s][pos[s]]))
        pos[s] += 1
        if pos[s] < len(windows[s]):  # unread, then heap.Push
            h.append(s)
            up(len(h) - 1)
    return out


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


def read_order(df: pl.DataFrame, keys: list[str], series: list[str], window: str,
               ascending: bool, merged: bool) -> pl.DataFrame:
    """``df``'s rows in the order influxd reads them, by group (``keys``: the grouping
    without the window). ``merged``: mode()'s window-by-window merge of the series, else
    percentile()'s sorted merge by time."""
    if not merged or not series:
        return df.sort(keys + [window, "time"] + series, descending=[False] * len(keys) + [not ascending] * 2
                       + [False] * len(series), maintain_order=True)
    df = df.sort(keys + series + ["time"], descending=[False] * (len(keys) + len(series)) + [not ascending],
                 maintain_order=True)
    seq = np.zeros(df.height, dtype=np.int64)
    rank = 0
    gcol = df.select(keys + series).with_row_index("\x00r").group_by(keys, maintain_order=True)
    for _, part in gcol:
        chunks = part.group_by(series, maintain_order=True).agg(pl.col("\x00r"))
        rows = [np.asarray(r) for r in chunks["\x00r"].to_list()]
        wins = [df[window].gather(r).to_numpy() for r in rows]
        lists = [list(dict.fromkeys(w.tolist())) for w in wins]
        for s, w in chunk_order(lists, ascending):
            seq[rows[s][wins[s] == w]] = rank
            rank += 1
    return df.with_columns(pl.Series(_SEQ, seq)).sort(_SEQ, maintain_order=True).drop(_SEQ)


_VAL, _ROW = "\x00val", "\x00row"


def _rows(lf: pl.LazyFrame, hit: pl.DataFrame, gkeys: list[str], series: list[str], window: str,
          value: pl.Expr, ascending: bool, merged: bool, extra: list[str]) -> pl.DataFrame:
    """The points of the flagged groups' series in read order (every window of them: the
    merge's heap depends on all), then only the flagged windows', grouped."""
    tagsets = [k for k in gkeys if k != window]
    rows = (lf.select(list(dict.fromkeys(gkeys + series + ["time"] + extra)) + [value.alias(_VAL)])
            .filter(pl.col(_VAL).is_not_null())
            .join(hit.select(tagsets).unique().lazy(), on=tagsets, how="semi", nulls_equal=True)
            .collect())
    rows = read_order(rows, tagsets, series, window, ascending, merged).with_row_index(_ROW)
    rows = rows.join(hit, on=gkeys, how="semi", nulls_equal=True).sort(_ROW)
    return rows.group_by(gkeys, maintain_order=True).agg(pl.all().exclude(gkeys))


def replay_modes(df: pl.DataFrame, lf: pl.LazyFrame, gkeys: list[str], series: list[str],
                 window: str, modes: list[tuple[pl.Expr, str, str]], ascending: bool) -> pl.DataFrame:
    """mode()'s answer of the groups its flag column marks, replayed (flags dropped)."""
    for value, alias, flag in modes:
        hit = df.filter(pl.col(flag)).select(gkeys)
        if hit.height:
            groups = _rows(lf, hit, gkeys, series, window, value, ascending, True, [])
            picked = [mode_value(np.asarray(v), np.asarray(t))
                      for v, t in zip(groups[_VAL].to_list(), groups["time"].to_list())]
            new = groups.select(gkeys).with_columns(pl.Series(alias, picked, dtype=df.schema[alias]))
            df = df.update(new, on=gkeys, how="left")
        df = df.drop(flag)
    return df


def replay_percentile(df: pl.DataFrame, lf: pl.LazyFrame, gkeys: list[str], series: list[str],
                      window: str, value: pl.Expr, p: float, flag: str, point_time: str | None,
                      aux: list[str], ascending: bool) -> pl.DataFrame:
    """percentile()'s point (time, auxiliary fields) in the groups ``flag`` marks."""
    hit = df.filter(pl.col(flag)).select(gkeys)
    if hit.height:
        groups = _rows(lf, hit, gkeys, series, window, value, ascending, False, aux)
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
