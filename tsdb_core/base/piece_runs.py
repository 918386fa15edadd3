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
    in one frame (one chunk). Columns of numbers without nulls are NumPy slices of the held
    values joined by one ``np.concatenate`` (segments are runs of hundreds of rows: a slice each
    costs less than numbering every row, gathering and scattering it); others gathered by
    Polars, each frame's segments at once, then put in order."""
    lengths = np.asarray(lengths, dtype=np.int64)
    if not lengths.size:
        return frames[0].clear()
    segs = list(zip(np.asarray(source).tolist(), np.asarray(starts).tolist(), (starts + lengths).tolist()))
    used = sorted({k for k, _, _ in segs})
    out, rest = {}, []
    for c, dtype in frames[0].schema.items():
        if dtype.is_numeric() and not any(frames[k].get_column(c).null_count() for k in used):
            held = {k: frames[k].get_column(c).to_numpy() for k in used}  # (a frame with nulls: float64)
            out[c] = pl.Series(c, np.concatenate([held[k][a:b] for k, a, b in segs]), dtype=dtype)
        else:
            out[c] = None
            rest.append(c)
    if rest:
        out.update(_gathered(frames, rest, source, starts, lengths))
    return pl.DataFrame(list(out.values()))


def _gathered(frames, columns: list[str], source: np.ndarray, starts: np.ndarray, lengths: np.ndarray) -> dict:
    """:func:`gather_segments` of ``columns`` by Polars gathers: each frame's segments at once,
    then put in order."""
    first = np.cumsum(lengths) - lengths  # each segment's first row in the answer
    picks = []  # per frame holding segments: (frame, its rows taken, their rows in the answer)
    for k, frame in enumerate(frames):
        at = np.flatnonzero(source == k)
        if at.size:
            picks.append((frame, run_rows(starts[at], lengths[at]), run_rows(first[at], lengths[at])))
    out = {}
    for c in columns:
        side = pl.concat([f.get_column(c).gather(pl.Series(rows, dtype=pl.Int64)) for f, rows, _ in picks],
                         rechunk=True)
        where = np.empty(side.len(), dtype=np.int64)
        where[np.concatenate([p for _, _, p in picks])] = np.arange(side.len())
        out[c] = side.gather(pl.Series(where, dtype=pl.Int64))
    return out
