"""Series runs of several sources, handed over as they are held: the rows of each series, in time order.

A GROUP BY time + tags statement reads its rows series by series (query/exec/runs.py). One
file or one sorted piece of buffered rows holds them so already; a "last hours" range over a
store being written to spans a file and buffered pieces, or several pieces, each sorted by
series but holding its own share of every series' times. When those sources do not overlap
in time (the caller checks: overlapping ones need the merge, where the last write of a point
wins), each series' rows are its rows of each source in turn. They are not joined here (that
copied every row read): :func:`piece_runs` numbers the series across the sources and hands each
source's runs as they are (``base.piece_runs.PieceRuns``); the query copies only the groups
whose window is astride two sources.
"""
from __future__ import annotations

import numpy as np
import polars as pl

from ..base.piece_runs import PieceRuns, segment_join

_ROW = "\nrow"  # a working column: a series' place among all sources' series


def piece_runs(parts) -> PieceRuns | tuple | None:
    """The ``Decoded.select_runs`` answers of sources disjoint in time, given in time order, as
    one: the answer itself when one source; else a ``PieceRuns`` (nothing copied), a series
    told by its tag values, a key a source lacks being null. None when the sources' columns
    differ in type (the general path casts them)."""
    if len(parts) == 1:
        return parts[0]
    schema = parts[0][0].schema
    if any(p[0].schema != schema for p in parts[1:]):
        return None
    sid, tags, nseries = _series_ids(parts)
    firsts, counts, at = [], [], 0
    for p in parts:
        n = len(p[2])
        f, c = np.zeros(nseries, dtype=np.int64), np.zeros(nseries, dtype=np.int64)
        f[sid[at:at + n]], c[sid[at:at + n]] = np.asarray(p[1], dtype=np.int64), np.asarray(p[2], dtype=np.int64)
        firsts.append(f)
        counts.append(c)
        at += n
    return PieceRuns(tuple(p[0] for p in parts), tuple(firsts), tuple(counts), tags)


LATTICE_SERIES = 16  # series past which joined_arrays looks for a lattice (a strided copy per column)


def joined_arrays(parts, columns: list[str]) -> dict[str, np.ndarray]:
    """The ``Decoded.array_runs`` answers of sources disjoint in time, given in time order, as
    one ``select_arrays`` answer. When every source matched as many series, series by series:
    the i-th series of each source in turn (the same series when every source holds the ones
    asked for, hosts sampled alike: their times then ascend block by block, and exec/fast_grid.py
    reads them as a settled file's); else source by source. Either way the rows asked for, in
    an order the callers check (exec/fast.py: times ascend in each series, not across)."""
    n = len(parts[0][1])
    if n < 2 or any(len(p[1]) != n for p in parts[1:]):
        segs = [(p[0], lo, hi) for p in parts for lo, hi in p[1]]
    elif n < LATTICE_SERIES:
        segs = [(p[0], *p[1][i]) for i in range(n) for p in parts]
    else:
        bounds = np.array([p[1] for p in parts], dtype=np.int64).transpose(1, 0, 2).reshape(-1, 2)
        join = segment_join(np.tile(np.arange(len(parts), dtype=np.int64), n), bounds[:, 0],
                            bounds[:, 1] - bounds[:, 0])
        return {c: join({k: p[0][i] for k, p in enumerate(parts)}) for i, c in enumerate(columns)}
    return {c: np.concatenate([a[i][lo:hi] for a, lo, hi in segs]) if segs else parts[0][0][i][:0]
            for i, c in enumerate(columns)}


def _series_ids(parts) -> tuple[np.ndarray, dict[str, list], int]:
    """Each (source, series) run's series number, each series' tag values (by key), and how
    many series there are."""
    first, n = parts[0][3], len(parts[0][2])
    if all(p[3] == first and len(p[2]) == n for p in parts[1:]):  # the same series in each: the usual case
        return np.tile(np.arange(n, dtype=np.int64), len(parts)), {k: list(v) for k, v in first.items()}, n
    keys = sorted({k for p in parts for k in p[3]})
    if not keys:  # no tags: one series
        return np.zeros(sum(len(p[2]) for p in parts), dtype=np.int64), {}, 1
    table = pl.concat([pl.DataFrame({k: pl.Series(k, p[3].get(k, [None] * len(p[2])), dtype=pl.String)
                                     for k in keys}) for p in parts], how="vertical")
    groups = table.with_row_index(_ROW).group_by(keys, maintain_order=True).agg(pl.col(_ROW))
    members = groups.get_column(_ROW)
    sid = np.empty(table.height, dtype=np.int64)
    sid[members.explode().to_numpy()] = np.repeat(np.arange(groups.height, dtype=np.int64),
                                                   members.list.len().to_numpy())
    return sid, {k: groups.get_column(k).to_list() for k in keys}, groups.height
