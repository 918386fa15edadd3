"""mode() and percentile() where equal values make the answer depend on influxd's sort.

influxd 1.6.7 hands a window's points, in the order it reads them, to ``sort.Sort`` (not
stable; exec/go_sort.py replays it) and then reads the sorted slice: percentile() answers
the time and auxiliary fields of the point at its index, mode() compares the times of the
first and last points of each run of equal values (call_iterator.go
``*ModeReduceSlice``). Only groups where that matters come here; the others keep the
vectorised answer, which is the same.

mode() first tries the tied values' time ranges (aggregates.mode_frame hands them over):
they often decide the answer whatever Go's sort does with equal values. Groups left open
read their points again, put them in read order (a sort of integer keys: group, time,
series rank) and replay Go's sort, all groups at once (exec/go_sort_many.py), only as far
as the positions the walks read. percentile()'s tied groups likewise.

The read order is by time (percentile() asks influxd for ordered input; mode()'s answers
show the same order). percentile()'s points of equal time from several series come off the
sorted merge's heap (exec/go_merge.py, the statement's string aux values compared; checked
against influxd 1.6.7 under ORDER BY time DESC, where it differs from series order); mode()'s
in series order.
"""
from __future__ import annotations

import numpy as np
import polars as pl

from . import go_merge, go_sort, go_sort_many


def mode_value(values: np.ndarray, times: np.ndarray):
    """``*ModeReduceSlice`` over a window's points in read order (not booleans)."""
    if len(values) == 1:
        return values[0]
    keys = go_sort.keys(values)
    uniq, first, counts = _runs(np.sort(keys))
    top = int(counts.max())
    tied = np.flatnonzero(counts == top)
    if top == 1 or len(tied) == 1:
        win = 0 if top == 1 else int(tied[0])
    else:
        spans = [times[keys == uniq[t]] for t in tied]
        win = int(tied[mode_pick(keys, times, first[tied].tolist(), top,
                                 [int(s.min()) for s in spans], [int(s.max()) for s in spans])])
    return values[np.flatnonzero(keys == uniq[win])[0]]


def _runs(s: np.ndarray):
    """(values, first positions, lengths) of the runs of equal values in sorted ``s``."""
    first = np.flatnonzero(np.concatenate(([True], s[1:] != s[:-1])))
    return s[first], first, np.diff(np.append(first, len(s)))


def mode_pick(keys: np.ndarray, times: np.ndarray, starts: list[int], top: int, lo: list, hi: list) -> int:
    """Which of the tied runs (sorted positions ``starts``, each ``top`` long, in value order;
    their points' time ranges ``lo``..``hi``) mode() answers. influxd walks the sorted
    points: the first tied run wins, a later one takes over when its first point's time is
    no later than the last point's of the winner. The time ranges decide many of those
    steps whichever points Go's sort puts first and last; for the others the sort is
    replayed, only as far as the positions they read."""
    states, open_steps = _branches(lo, hi)
    if len(states) == 1:
        return states.pop()
    want = sorted((i, i + 1) for i in _read_positions(starts, top, open_steps))
    return _walk(times, go_sort.order(keys, want), starts, top, lo, hi)


def _read_positions(starts: list[int], top: int, open_steps: set[tuple[int, int]]) -> set[int]:
    """The sorted positions the open steps read: the first point of the challenging run,
    the last of the winner so far."""
    return {starts[t] for t, _ in open_steps} | {starts[w] + top - 1 for _, w in open_steps}


def _walk(times: np.ndarray, perm: np.ndarray, starts, top: int, lo: list, hi: list) -> int:
    """mode()'s walk over the tied runs, the positions it reads sorted (``perm``)."""
    win = 0
    for t in range(1, len(starts)):
        if hi[t] <= lo[win] or (lo[t] <= hi[win] and times[perm[starts[t]]] <= times[perm[starts[win] + top - 1]]):
            win = t
    return win


def _branches(lo: list, hi: list) -> tuple[set[int], set[tuple[int, int]]]:
    """mode_pick's walk over the runs' time ranges alone: the runs it may end at, and the
    steps (run, winner so far) the ranges leave open."""
    states, open_steps = {0}, set()
    for t in range(1, len(lo)):
        nxt = set()
        for w in states:
            if hi[t] <= lo[w]:
                nxt.add(t)  # its first point is no later than any point of the winner
            elif lo[t] > hi[w]:
                nxt.add(w)
            else:
                nxt.update((t, w))
                open_steps.add((t, w))
        states = nxt
    return states, open_steps


def percentile_index(values: np.ndarray, i: int) -> int:
    """The position (in read order) of the point sort.Sort leaves at index ``i``."""
    return int(go_sort.order(go_sort.keys(values), [(i, i + 1)])[i])


def percentile_rows(vals: np.ndarray, bounds: np.ndarray, p: float) -> np.ndarray:
    """For each group (rows ``bounds[g]:bounds[g+1]`` in read order), the row sort.Sort
    leaves at percentile()'s index (each group has one): all groups sorted at once."""
    n = np.diff(bounds)
    at = bounds[:-1] + (np.floor(n * p / 100.0 + 0.5).astype(np.int64) - 1)
    want = np.zeros(len(vals), dtype=bool)
    want[at] = True
    return go_sort_many.orders(go_sort.keys(vals), bounds, want)[at]


def read_order(gid: np.ndarray, time: np.ndarray, series: pl.DataFrame, ascending: bool) -> np.ndarray | None:
    """The permutation putting rows in the order influxd reads them, group after group
    (``gid``; groups in any order): by time, descending under ORDER BY time DESC; rows of
    equal time by series (``series``: the tag columns, in key order). None: they are."""
    t = time if ascending else -time
    perm = None if _grouped(gid, t) else np.lexsort((t, gid))
    g, ts = (gid, t) if perm is None else (gid[perm], t[perm])
    tie = (g[1:] == g[:-1]) & (ts[1:] == ts[:-1])
    if not series.width or not tie.any():
        return perm
    sid = series_ranks(series)
    if perm is None and bool((sid[1:][tie] >= sid[:-1][tie]).all()):
        return None
    return np.lexsort((sid, t, gid))


def heap_order(rows: pl.DataFrame, series: list[str], ascending: bool, perm: np.ndarray | None,
               aux: list[str] = (), group: list[str] = ()) -> np.ndarray | None:
    """:func:`read_order`'s ``perm`` with the points of equal time of each group in the order
    influxd's SortedMergeIterator hands them over (exec/go_merge.py): percentile() asks for
    ordered input, so its points come off that heap, comparing the leading string values of
    ``aux`` (the statement's auxiliary fields; a tag of the ``group`` is equal within it, or
    nil where its series lack it) after equal times."""
    idx = "\x00i"
    rows = rows.with_columns(pl.when(pl.col(g) != "").then(pl.col(g)).alias(g)  # a tag a series lacks: nil
                             for g in group if g in aux and rows.schema.get(g) == pl.String)
    strings = []
    for name in sorted(set(aux)):  # the leading run of tags and string fields
        # a grouping tag is equal within the group, or nil where its series lack it: kept
        if name not in rows.columns or rows.schema[name] != pl.String:
            break
        strings.append(name)
    df = rows.select(_GID, "time", *dict.fromkeys([*series, *strings])).with_row_index(idx)
    if perm is not None:
        df = df[perm]
    df = go_merge.merged_rows(df, [_GID], series, ascending, strings)
    out = df[idx].to_numpy().astype(np.int64)
    return None if bool((out[1:] > out[:-1]).all()) else out


def _grouped(gid: np.ndarray, t: np.ndarray) -> bool:
    """Whether each group's rows are together and ascending in ``t`` (a scan by time usually is)."""
    same = gid[1:] == gid[:-1]
    if bool((same & (t[1:] < t[:-1])).any()):
        return False
    return int((~same).sum()) + 1 == int(np.count_nonzero(np.bincount(gid))) if len(gid) else True


def series_ranks(series: pl.DataFrame) -> np.ndarray:
    """Each row's series, ranked as the tag columns sort (nulls first): ranked once per run
    of rows from one series (a scan reads series after series), not per row."""
    cols = series.columns
    change = series.select(pl.any_horizontal(pl.col(c).ne_missing(pl.col(c).shift(1)) for c in cols))
    change = change.to_series().to_numpy().copy()
    change[0] = True
    first = np.flatnonzero(change)
    heads = series[first].with_row_index(_ROW).sort(cols, nulls_last=False, maintain_order=True)
    same = heads.select(pl.all_horizontal(pl.col(c).eq_missing(pl.col(c).shift(1)) for c in cols))
    same = same.to_series().fill_null(False).to_numpy()
    rank = np.empty(len(first), dtype=np.int64)
    rank[heads[_ROW].to_numpy()] = np.cumsum(~same)
    return np.repeat(rank, np.diff(np.append(first, series.height)))


_VAL, _GID, _ROW = "\x00val", "\x00gid", "\x00row"


def _rows(lf: pl.LazyFrame, hit: pl.DataFrame, gkeys: list[str], value: pl.Expr, ascending: bool,
          extra: list[str], series: list[str], heap: bool = False) -> tuple[pl.DataFrame, np.ndarray]:
    """The points of the groups in ``hit`` in read order, one group after the other (the
    column _GID: the group's row in ``hit``), and the offsets where each group starts (and
    the end). ``heap``: points of equal time in the sorted merge's order (exec/go_merge.py)."""
    cols = list(dict.fromkeys(["time"] + extra + series))
    rows = (_in_groups(lf.select(list(dict.fromkeys(gkeys + cols)) + [value.alias(_VAL)])
                       .filter(pl.col(_VAL).is_not_null()), hit, gkeys)
            .select([_GID, *cols, _VAL])
            .collect())
    if not rows.height:
        return rows, np.zeros(1, dtype=np.int64)
    perm = read_order(rows[_GID].to_numpy(), rows["time"].to_numpy(), rows.select(series), ascending)
    if heap and series:
        perm = heap_order(rows, series, ascending, perm, extra, gkeys)
    if perm is not None:
        rows = rows[perm]
    gid = rows[_GID].to_numpy()
    return rows, np.concatenate(([0], np.flatnonzero(gid[1:] != gid[:-1]) + 1, [len(gid)]))


def _in_groups(lf: pl.LazyFrame, hit: pl.DataFrame, gkeys: list[str]) -> pl.LazyFrame:
    """The rows of ``lf`` in the groups of ``hit`` (scan order kept), each with its group's
    row in ``hit`` (_GID). Keys all of ``hit`` share (the measurement, a lone window) are
    a filter, the others a join."""
    same = [k for k in gkeys if hit[k].n_unique() == 1]
    conds = [pl.col(k).is_null() if hit[k][0] is None else pl.col(k) == pl.lit(hit[k][0], dtype=hit.schema[k])
             for k in same]
    if conds:
        lf = lf.filter(*conds)
    keys = [k for k in gkeys if k not in same]
    if not keys:
        return lf.with_columns(pl.lit(0, dtype=pl.UInt32).alias(_GID))
    return lf.join(hit.select(keys).with_row_index(_GID).lazy(), on=keys, how="inner", nulls_equal=True,
                   maintain_order="left")


def replay_modes(df: pl.DataFrame, lf: pl.LazyFrame, gkeys: list[str],
                 modes: list[tuple[pl.Expr, str, str]], ascending: bool, series: list[str]) -> pl.DataFrame:
    """mode()'s answer of the groups where values tie (their runs column, see
    functions/aggregates.mode_frame; dropped after): decided from the runs' time ranges
    where they decide it, else replayed over the group's points."""
    for value, alias, runs_col in modes:
        tied = df.filter(pl.col(runs_col).is_not_null()).select(gkeys + [runs_col])
        if tied.height:
            runs = tied[runs_col].to_list()
            wins = [_decided([r["lo"] for r in rs], [r["hi"] for r in rs]) for rs in runs]
            todo = [i for i, w in enumerate(wins) if w is None]
            if todo:
                hit = tied[todo].select(gkeys)
                rows, bounds = _rows(lf, hit, gkeys, value, ascending, [], series)
                gids = rows[_GID].to_numpy()[bounds[:-1]].tolist()
                for g, w in zip(gids, _replayed(rows[_VAL].to_numpy(), rows["time"].to_numpy(), bounds,
                                                [runs[todo[g]] for g in gids])):
                    wins[todo[g]] = w
            new = tied.select(gkeys).with_columns(
                pl.Series(alias, [rs[w]["v"] for rs, w in zip(runs, wins)], dtype=df.schema[alias]))
            df = df.update(new, on=gkeys, how="left")
        df = df.drop(runs_col)
    return df


def _replayed(vals: np.ndarray, times: np.ndarray, bounds: np.ndarray, runs: list[list[dict]]) -> list[int]:
    """Per group (rows ``bounds[g]:bounds[g+1]`` in read order), which of its tied ``runs``
    (value order) mode() answers: Go's sort replayed for all groups at once
    (exec/go_sort_many.py), only as far as the positions their walks read."""
    keys = go_sort.keys(vals)
    starts, tops = _run_starts(keys, vals, bounds, runs)
    want = np.zeros(len(vals), dtype=bool)
    plans = []
    for g, rs in enumerate(runs):
        lo, hi = [r["lo"] for r in rs], [r["hi"] for r in rs]
        states, open_steps = _branches(lo, hi)
        if len(states) == 1:
            plans.append(states.pop())
            continue
        at = [int(bounds[g]) + x for x in starts[g]]
        want[list(_read_positions(at, tops[g], open_steps))] = True
        plans.append((at, lo, hi))
    perm = go_sort_many.orders(keys, bounds, want) if want.any() else None
    return [p if isinstance(p, int) else _walk(times, perm, p[0], tops[g], p[1], p[2])
            for g, p in enumerate(plans)]


def _run_starts(keys: np.ndarray, vals: np.ndarray, bounds: np.ndarray,
                runs: list[list[dict]]) -> tuple[list[list[int]], list[int]]:
    """Where each tied run starts in its group's sorted values (how many of the group's
    values are smaller), and the runs' common length, per group (none empty): the j-th
    runs of the short groups counted at once, a long group by a sort of its own."""
    flat = np.array([r["v"] for rs in runs for r in rs], dtype=vals.dtype)
    if keys is not vals:  # text: compared by rank
        flat = np.searchsorted(np.unique(vals), flat)
    sizes = np.array([len(rs) for rs in runs], dtype=np.int64)
    heads = np.concatenate(([0], np.cumsum(sizes)[:-1])).astype(np.int64)
    lo, n = np.asarray(bounds[:-1], dtype=np.int64), np.diff(bounds)
    starts = np.zeros(len(flat), dtype=np.int64)
    tops = np.zeros(len(runs), dtype=np.int64)
    long = n > go_sort_many.ALONE
    for g in np.flatnonzero(long).tolist():
        s = np.sort(keys[lo[g]:lo[g] + n[g]])
        mine = flat[heads[g]:heads[g] + sizes[g]]
        starts[heads[g]:heads[g] + sizes[g]] = np.searchsorted(s, mine, "left")
        tops[g] = np.searchsorted(s, mine[0], "right") - starts[heads[g]]
    short = np.flatnonzero(~long)
    if len(short):
        rows = np.concatenate([np.arange(lo[g], lo[g] + n[g]) for g in short.tolist()]) if long.any() else None
        k = keys if rows is None else keys[rows]
        at = np.concatenate(([0], np.cumsum(n[short])[:-1]))
        gid = np.repeat(np.arange(len(short)), n[short])
        h, sz = heads[short], sizes[short]
        for j in range(int(sz.max())):
            has = sz > j
            col = flat[np.where(has, h + j, h)]
            starts[h[has] + j] = np.add.reduceat(k < col[gid], at)[has]
        tops[short] = np.add.reduceat(k == flat[h][gid], at)
    out = starts.tolist()
    return [out[a:a + m] for a, m in zip(heads.tolist(), sizes.tolist())], tops.tolist()


def _decided(lo: list, hi: list) -> int | None:
    """The run mode() answers if the time ranges alone decide it."""
    states, _ = _branches(lo, hi)
    return states.pop() if len(states) == 1 else None


def replay_percentile(df: pl.DataFrame, lf: pl.LazyFrame, gkeys: list[str],
                      value: pl.Expr, p: float, flag: str, point_time: str | None,
                      aux: list[str], ascending: bool, series: list[str],
                      group_aux: list[str] = ()) -> pl.DataFrame:
    """percentile()'s point (time, auxiliary fields) in the groups ``flag`` marks;
    ``group_aux``: grouping tags among the statement's aux fields (compared by the heap only)."""
    hit = df.filter(pl.col(flag)).select(gkeys)
    if hit.height:
        rows, bounds = _rows(lf, hit, gkeys, value, ascending, [*aux, *group_aux], series, heap=True)
        at = rows[percentile_rows(rows[_VAL].to_numpy(), bounds, p)]
        cols = {**({point_time: "time"} if point_time else {}), **{c: c for c in aux}}
        new = hit[at[_GID].to_numpy()].with_columns(at[src].cast(df.schema[c]).alias(c) for c, src in cols.items())
        df = df.update(new, on=gkeys, how="left", include_nulls=True)
    return df.drop(flag)
