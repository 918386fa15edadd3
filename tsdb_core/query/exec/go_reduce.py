"""influxd 1.6.7's float sum() and mean() of a group spanning several series or shard groups.

influxd never adds a window's points in one run (query/select.go ``callIterator``,
tsdb/engine/tsm1/engine.go ``createCallIterator``, tsdb/shard.go ``Shards.CreateIterator``):

1. each series of each shard has its own call iterator: its points of the window added in
   read order (backwards under ORDER BY time DESC); mean emits sum / count, ``Aggregated``
   the count;
2. a tag set's series (key order, reversed under DESC) are split in two halves
   (``NewParallelMergeIterator``, GOMAXPROCS 2: the recording machine's), each half merged by
   a ``container/heap`` keyed by window, the halves merged again; the merged partials reduced
   in that order by the shard's call iterator (mean: ``sum += v * Aggregated`` from 2 points);
3. the shards' partials (shard-group order) merged by another heap keyed by (name, tags,
   window) and reduced again; 4. the statement's call iterator reduces once more.

:func:`exact` replays that tree over a group's rows. The heaps' ties are replayed with
exec/go_merge.py; the additions are done in order, one position of every group at a time.
"""
from __future__ import annotations

import numpy as np
import polars as pl

from ...influxql import ast
from ..analyze.conditions import scan_tags
from ..meta.window import GO_ZERO_TIME
from ..plan.nodes import Scan
from . import go_merge, go_ties, tree_sums

DEFAULT_SHARD_DURATION = 7 * 86_400 * 10**9  # influxd's shard-group duration for autogen
PARALLELISM = 2  # runtime.GOMAXPROCS(0) of the influxd the answers were recorded from

_S, _SH, _V, _C, _G = "\x00gr_sid", "\x00gr_shard", "\x00gr_v", "\x00gr_c", "\x00gr_gid"


def tree_calls(columns, field_type) -> bool:
    """Whether some column calls sum() of a float field, mean() or stddev() (the calls whose
    last digits follow influxd's reduce tree); ``field_type(name)``: a field's type name."""
    return any(e.name in ("mean", "stddev") or (e.name == "sum" and e.args and isinstance(e.args[0], ast.VarRef)
                                                 and field_type(e.args[0].name) == "float")
               for col in columns for e in ast_calls(col.expr))


def ast_calls(e):
    """The calls in an expression, outermost first."""
    if isinstance(e, ast.Call):
        yield e
        for a in e.args:
            yield from ast_calls(a)
    elif isinstance(e, ast.BinaryExpr):
        yield from ast_calls(e.lhs)
        yield from ast_calls(e.rhs)
    elif isinstance(e, ast.ParenExpr):
        yield from ast_calls(e.expr)


def spans_partials(plan, interval: int, offset: int, tz, provider) -> bool:
    """Whether a group of the statement may add partials of several series or shard groups:
    not when each group is one series (the index, narrowed by WHERE's tag equalities, says
    so) and each window lies within one shard group (the windows' grid holds the shard
    groups' boundaries, or the range lies in one group)."""
    if not all(isinstance(s, Scan) for s in plan.sources):
        return False
    if len(plan.sources) != 1:
        return True
    d = plan.sources[0].shard_group_duration(provider) or DEFAULT_SHARD_DURATION
    r = plan.time_range
    one_shard = r.has_start and r.has_end and (r.start - GO_ZERO_TIME) // d == (r.end - GO_ZERO_TIME) // d
    aligned = interval and tz is None and d % interval == 0 and (GO_ZERO_TIME - offset) % interval == 0
    return not (one_shard or aligned) or not one_series_groups(plan, provider)


def one_series_groups(plan, provider) -> bool:
    """Whether each group of the statement (one Scan) is one series at most; not known
    without the index (False)."""
    src = plan.sources[0]
    try:
        index = provider.series(src.database, src.retention_policy, src.measurement)
    except Exception:  # noqa: BLE001 - no index (a fake provider): not known
        return False
    pinned = scan_tags(plan.condition) or {}
    if index.width and all(len(pinned.get(k, ())) == 1 for k in index.columns):
        return True  # every tag key equal to one value: one series at most
    for k, vals in pinned.items():
        index = index.filter(pl.col(k).is_in(vals)) if k in index.columns else index.clear()
    dims = [d for d in plan.dimensions if d in index.columns]
    return index.height <= 1 or (bool(dims) and index.select(dims).n_unique() == index.height)


def exact(rows: pl.DataFrame, gkeys: list[str], window: str, series: list[str], value: str, fn: str,
          ascending: bool, shard_duration: int) -> pl.DataFrame:
    """Each group's (``gkeys``) sum or mean (``fn``) of ``value`` as influxd computes it, in a
    column named ``value``. ``series``: the tag columns telling a group's series apart."""
    if rows.get_column(value).null_count() == rows.height:  # no value (the groups hold another call's)
        return rows.select(gkeys).clear().with_columns(pl.Series(value, [], pl.Float64))
    rows, tkeys, tag, shard, sid, win = _read_order(rows, gkeys, window, series, value, ascending, shard_duration)
    first = np.flatnonzero(_changes(tag, shard, sid, win))
    counts = np.diff(np.append(first, rows.height)).astype(np.float64)
    x = rows.get_column(value)
    if x.dtype.is_integer():  # IntegerMeanReducer: an int64 sum, then float64(sum) / count
        vals = np.add.reduceat(x.to_numpy(), first).astype(np.float64) if len(first) else np.zeros(0)
    else:  # each partial's values added one after another, in the rows' (read) order
        lengths = np.diff(np.append(first, rows.height))
        vals = tree_sums.run_sums(x.cast(pl.Float64).to_numpy(), first, lengths)
    if fn == "mean":
        vals = vals / counts
    tag, shard, sid, win, rep = tag[first], shard[first], sid[first], win[first], first
    key = win if ascending else -win
    order = _shard_order(tag, shard, sid, key)
    seg = _segments(tag[order], shard[order], win[order])
    vals, counts = tree_sums.reduce_partials(seg, vals[order], counts[order], fn)  # a (tag set, shard, window)
    head = order[np.concatenate(([0], np.flatnonzero(np.diff(seg)) + 1))]
    tag, shard, win, rep = tag[head], shard[head], win[head], rep[head]
    rank = _tags_rank(rows[rep], tkeys, ascending)
    dense = go_merge._pair_ranks(rank, key[head])  # (name, tags, window) as the shards' heap compares them
    shard_major = np.lexsort((dense, shard))
    popped = shard_major[_replay(dense[shard_major], shard[shard_major])]
    seg2 = _segments(tag[popped], win[popped])
    out, count = tree_sums.reduce_partials(seg2, vals[popped], counts[popped], fn)
    if fn == "mean":  # the statement's call iterator: one partial of `count` points
        out = np.where(count >= 2, out * count / count, out)
    heads = popped[np.concatenate(([0], np.flatnonzero(np.diff(seg2)) + 1))]
    return rows[rep[heads]].select(gkeys).with_columns(pl.Series(value, out))


def _read_order(rows: pl.DataFrame, gkeys: list[str], window: str, series: list[str], value: str,
                ascending: bool, shard_duration: int):
    """The rows with a value, by tag set, shard group, series (key order; reversed under DESC)
    and time (as read), with those numbers: (rows, tag keys, tag set, shard, series, window)."""
    if rows.get_column(value).null_count():
        rows = rows.filter(pl.col(value).is_not_null())
    tkeys = [k for k in gkeys if k != window]
    tag = go_ties.series_ranks(rows.select(tkeys)) if tkeys else np.zeros(rows.height, np.int64)
    sid = go_ties.series_ranks(rows.select(tkeys + series)) if series else tag
    t = rows.get_column("time").to_numpy()
    shard = (t - GO_ZERO_TIME % shard_duration) // shard_duration
    perm = np.lexsort((t if ascending else -t, sid if ascending else -sid, shard, tag))
    if not bool((perm[1:] > perm[:-1]).all()):
        rows, tag, sid, shard = rows[perm], tag[perm], sid[perm], shard[perm]
    return rows, tkeys, tag, shard, sid, rows.get_column(window).to_numpy()


def _changes(*cols: np.ndarray) -> np.ndarray:
    """Where any column changes from the row before (the first row included)."""
    change = np.ones(len(cols[0]), dtype=bool)
    if len(change) > 1:
        change[1:] = False
        for c in cols:
            change[1:] |= c[1:] != c[:-1]
    return change


def _segments(*cols: np.ndarray) -> np.ndarray:
    """A running segment number, rising where any column changes (rows already in order)."""
    return np.cumsum(_changes(*cols)) - 1


def _shard_order(tag: np.ndarray, shard: np.ndarray, s: np.ndarray, key: np.ndarray) -> np.ndarray:
    """The partials (tag set, shard, series, window in read order) as each shard's call
    iterator reads them: grouped by (tag set, shard, window), in the order the two halves'
    heaps hand them over (a tag set of one series in a shard: as they are)."""
    order = np.arange(len(tag))
    cut = np.flatnonzero((tag[1:] != tag[:-1]) | (shard[1:] != shard[:-1])) + 1
    lo, hi = np.concatenate(([0], cut)), np.concatenate((cut, [len(tag)]))
    if not len(tag):
        return order
    step = np.zeros(len(tag), dtype=np.int8)  # a series changes within a segment
    step[1:] = s[1:] != s[:-1]
    step[lo] = 0
    several = np.flatnonzero(np.maximum.reduceat(step, lo) > 0)
    for a, b in zip(lo[several].tolist(), hi[several].tolist()):
        order[a:b] = a + tree_sums.halves_order(s[a:b], key[a:b], PARALLELISM)
    return order


def _replay(key: np.ndarray, src: np.ndarray) -> np.ndarray:
    """container/heap's pops over the streams in ``src`` (rows stream after stream, ``key``
    rising within each): the rows' permutation."""
    bounds = np.concatenate(([0], np.flatnonzero(src[1:] != src[:-1]) + 1, [len(src)]))
    if len(bounds) == 2:
        return np.arange(len(src))
    return np.asarray(go_merge._replay_keys(key.tolist(), bounds.tolist(), key.astype(np.int64)), dtype=np.int64)


def _tags_rank(heads: pl.DataFrame, tkeys: list[str], ascending: bool) -> np.ndarray:
    """Each tag set's rank as the heap's Less orders (name, Tags.ID()): the name, then the
    group tags' values joined as the ID joins them (a missing one empty)."""
    if not tkeys:
        return np.zeros(heads.height, np.int64)
    ident = heads.select(pl.concat_str([pl.col(k).cast(pl.String).fill_null("") for k in tkeys],
                                       separator="\x00").alias("i")).to_series()
    r = ident.rank("dense").to_numpy().astype(np.int64)
    return r if ascending else -r


STDDEV_MAX_POINTS = 4096  # a window's points at most for :func:`stddev` (one Python step a point)


def stddev(rows: pl.DataFrame, gkeys: list[str], window: str, series: list[str], value: str,
           ascending: bool, shard_duration: int, groups: int = 0) -> pl.DataFrame | None:
    """Each group's stddev() as influxd's FloatStddevReduceSlice takes it: the points in the
    order its sorted merge iterators hand them over (the statement asks for ordered output:
    by time, points of equal time in the order the heap of a shard's series leaves them), a
    running mean (``mean += (v - mean) / count``), then the squared deviations added in that
    order. None: a window holds more than STDDEV_MAX_POINTS (``groups``: at least as many as
    hold points, when known)."""
    if not rows.height or _largest_group(rows, gkeys, value, groups) > STDDEV_MAX_POINTS:
        return None  # (found before the replay's order: it would be thrown away)
    rows, tkeys, tag, shard, sid, win = _read_order(rows, gkeys, window, series, value, ascending, shard_duration)
    if not rows.height:
        return None
    t = rows.get_column("time").to_numpy()
    td = t if ascending else -t
    cut = np.flatnonzero(_changes(tag, shard)[1:]) + 1
    order = np.concatenate([a + _sorted_merge(sid[a:b], td[a:b])
                            for a, b in zip(np.concatenate(([0], cut)), np.concatenate((cut, [len(tag)])))])
    sd, wd = (shard, win) if ascending else (-shard, -win)  # the shards' sorted merge: by time
    final = order[np.lexsort((np.arange(len(order)), sd[order], wd[order], tag[order]))]
    seg = _segments(tag[final], win[final])
    first = np.concatenate(([0], np.flatnonzero(np.diff(seg)) + 1))
    lens = np.diff(np.append(first, len(seg)))
    if lens.max() > STDDEV_MAX_POINTS:
        return None
    x = np.ascontiguousarray(rows.get_column(value).cast(pl.Float64).to_numpy()[final])
    out = tree_sums.run_stddevs(x, first.astype(np.int64), lens.astype(np.int64))  # (each group's points end to end)
    return rows[final[first]].select(gkeys).with_columns(pl.Series(value, out).fill_nan(None))


def _largest_group(rows: pl.DataFrame, gkeys: list[str], value: str, groups: int) -> int:
    """The most values of ``value`` a group holds, or a bound of it on the side that tells
    it from STDDEV_MAX_POINTS (all of them when they are few, their mean over ``groups``
    when that is more)."""
    n = rows.height - rows.get_column(value).null_count()
    if n <= STDDEV_MAX_POINTS or (groups and -(-n // groups) > STDDEV_MAX_POINTS):
        return n if n <= STDDEV_MAX_POINTS else -(-n // groups)
    return int(rows.lazy().filter(pl.col(value).is_not_null()).group_by(gkeys).agg(pl.len().alias(_C))
               .select(pl.col(_C).max()).collect().item() or 0)


def _sorted_merge(s: np.ndarray, td: np.ndarray) -> np.ndarray:
    """One tag set of one shard: its series' points (series after series) by time, equal
    times as SortedMergeIterator's heap hands them over (exec/go_merge.py)."""
    perm = go_merge.merge_order(s, td, True)
    return np.argsort(td, kind="stable") if perm is None else perm


def _merge_runs(key: np.ndarray, src: np.ndarray) -> np.ndarray:
    """Go's MergeIterator over streams (``src``: rows stream after stream, ``key`` rising in
    each): it pops a stream and reads its whole run of one key before pushing it back."""
    change = np.ones(len(key), dtype=bool)
    change[1:] = (key[1:] != key[:-1]) | (src[1:] != src[:-1])
    starts = np.flatnonzero(change)
    lens = np.diff(np.append(starts, len(key)))
    top = _replay(key[starts], src[starts])
    s, n = starts[top], lens[top]
    return np.repeat(s - np.concatenate(([0], np.cumsum(n)[:-1])), n) + np.arange(int(n.sum()))
