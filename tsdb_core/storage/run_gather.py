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


def joined_arrays(parts, columns: list[str]) -> dict[str, np.ndarray]:
    """The ``Decoded.array_runs`` answers of sources disjoint in time, given in time order, as
    one ``select_arrays`` answer: series by series (each series' rows of every source in turn)
    when every source holds the same series in the same order, else source by source."""
    keys = parts[0][0]
    if len(keys) < 2 or any(p[0] != keys for p in parts[1:]):  # source by source (one series: the same)
        segs = [(p[1], lo, hi) for p in parts for lo, hi in p[2]]
        return {c: np.concatenate([a[i][lo:hi] for a, lo, hi in segs]) if segs else parts[0][1][i][:0]
                for i, c in enumerate(columns)}
    bounds = np.array([p[2] for p in parts], dtype=np.int64).transpose(1, 0, 2).reshape(-1, 2)
    source = np.tile(np.arange(len(parts), dtype=np.int64), len(keys))  # series then source
    join = segment_join(source, bounds[:, 0], bounds[:, 1] - bounds[:, 0])
    return {c: join({k: p[1][i] for k, p in enumerate(parts)}) for i, c in enumerate(columns)}


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
