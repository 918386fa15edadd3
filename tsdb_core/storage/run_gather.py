"""Series runs of several sources gathered into one: the rows of each series, in time order.

A GROUP BY time + tags statement reads its rows series by series (query/exec/runs.py). One
file or one sorted piece of buffered rows holds them so already; a "last hours" range over a
store being written to spans a file and buffered pieces, or several pieces, each sorted by
series but holding its own share of every series' times. When those sources do not overlap
in time (the caller checks: overlapping ones need the merge, where the last write of a point
wins), each series' rows are its rows of each source in turn: its slices of them, joined in
one copy (for short runs, two gathers: the rows wanted of each source side by side, then those
reordered series by series).
"""
from __future__ import annotations

import numpy as np
import polars as pl

from ..base.run_rows import run_rows

_ROW = "\nrow"  # a working column: a series' place among all sources' series
_SLICED_ROWS = 256  # rows a run holds on average from which runs are joined as slices, not gathered


def gather_runs(parts: list[tuple[pl.DataFrame, np.ndarray, np.ndarray, dict[str, list]]]):
    """One ``Decoded.select_runs`` answer (rows, each series' first row and count in them, each
    series' tag values) from those of sources disjoint in time, given in time order; a series is
    told by its tag values, a key a source lacks being null. None when the sources' columns
    differ in type (the general path casts them)."""
    if len(parts) == 1:
        return parts[0]
    schema = parts[0][0].schema
    if any(p[0].schema != schema for p in parts[1:]):
        return None
    sid, tags, nseries = _series_ids(parts)
    counts = np.concatenate([np.asarray(p[2], dtype=np.int64) for p in parts])
    order = np.argsort(sid, kind="stable")  # series by series; each series' runs in source order
    total = np.bincount(sid, weights=counts, minlength=nseries).astype(np.int64)
    if int(counts.sum()) >= _SLICED_ROWS * counts.size:
        out = _sliced(parts, order)
    else:
        out = _gathered(parts, counts, order)
    keep = total > 0
    firsts = (np.cumsum(total) - total)[keep]
    return out, firsts, total[keep], {k: [v for v, k_ in zip(vals, keep.tolist()) if k_]
                                      for k, vals in tags.items()}


def _sliced(parts, order: np.ndarray) -> pl.DataFrame:
    """The runs (numbered source by source) in ``order``, as slices joined in one copy: long runs."""
    runs = [(p[0], s, n) for p in parts for s, n in zip(np.asarray(p[1]).tolist(), np.asarray(p[2]).tolist())]
    pieces = [runs[i][0].slice(runs[i][1], runs[i][2]) for i in order.tolist()]
    return pl.concat(pieces, how="vertical", rechunk=True) if pieces else parts[0][0].clear()


def _gathered(parts, counts: np.ndarray, order: np.ndarray) -> pl.DataFrame:
    """:func:`_sliced` by two gathers (short runs: a slice each would cost more): the rows wanted
    of each source side by side, then those in ``order``."""
    side = [p[0] if int(np.sum(p[2])) == p[0].height and _in_order(p) else
            p[0].gather(pl.Series(run_rows(p[1], p[2]), dtype=pl.Int64)) for p in parts]
    rows = pl.concat(side, how="vertical", rechunk=False)
    at = np.cumsum(counts) - counts  # each (source, series) run's first row in ``rows``
    perm = run_rows(at[order], counts[order])
    return rows.gather(pl.Series(perm, dtype=pl.Int64)) if perm.size else rows.clear()


def _in_order(part) -> bool:
    """Whether a source's runs are all its rows, one after the other."""
    starts, counts = np.asarray(part[1]), np.asarray(part[2])
    return bool(starts.size == 0 or (starts[0] == 0 and np.array_equal(starts[1:], (starts + counts)[:-1])))


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
