"""Series runs of several sources disjoint in time, handed over as they are held (not joined).

A store being written to holds the last hours in a file and sorted pieces of buffered rows,
each sorted by series then time. A GROUP BY time + tags statement needs each group's rows as
one run: most groups lie inside one source and are read there; only those whose window is
astride two sources are copied (:func:`gather_segments`). storage/run_gather.py makes these,
query/exec/runs.py reads them.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import polars as pl

from .run_rows import run_rows


@dataclass(frozen=True, slots=True)
class PieceRuns:
    """Series runs of sources disjoint in time, in time order, not joined: source ``k`` holds
    ``counts[k][s]`` rows of series ``s`` (0: none) from row ``firsts[k][s]`` of ``frames[k]``
    (time and the fields read, one chunk each, the same types in every source)."""

    frames: tuple[pl.DataFrame, ...]
    firsts: tuple[np.ndarray, ...]  # per source: each series' first row in its frame (int64)
    counts: tuple[np.ndarray, ...]  # per source: each series' row count there (int64)
    tags: dict[str, list]           # each series' value of every tag key (None: it has none)


def gather_segments(frames, source: np.ndarray, starts: np.ndarray, lengths: np.ndarray) -> pl.DataFrame:
    """The segments ``frames[source[i]][starts[i] : starts[i] + lengths[i]]`` one after the other
    in one frame (one chunk): each frame's segments gathered at once, then put in order by a
    second gather (a gather over frames joined without a copy, as chunks, costs ten times more)."""
    lengths = np.asarray(lengths, dtype=np.int64)
    side, placed = [], []
    for k, frame in enumerate(frames):
        at = np.flatnonzero(source == k)
        if at.size:
            side.append(frame.gather(pl.Series(run_rows(starts[at], lengths[at]), dtype=pl.Int64)))
            placed.append(at)
    if len(side) <= 1:
        return side[0] if side else frames[0].clear()
    rows = pl.concat(side, how="vertical", rechunk=True)
    numbered = np.concatenate(placed)  # segment numbers in the order ``rows`` holds them
    first = np.empty(numbered.size, dtype=np.int64)  # each segment's first row in ``rows``
    first[numbered] = np.cumsum(lengths[numbered]) - lengths[numbered]
    return rows.gather(pl.Series(run_rows(first, lengths), dtype=pl.Int64))
