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
from numpy.lib.stride_tricks import as_strided

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
    source, starts = np.asarray(source, dtype=np.int64), np.asarray(starts, dtype=np.int64)
    join = segment_join(source, starts, lengths)
    used = sorted(set(source.tolist()))
    out, rest = {}, []
    for c, dtype in frames[0].schema.items():
        if dtype.is_numeric() and not any(frames[k].get_column(c).null_count() for k in used):
            held = {k: frames[k].get_column(c).to_numpy() for k in used}  # (a frame with nulls: float64)
            out[c] = pl.Series(c, join(held), dtype=dtype)
        else:
            out[c] = None
            rest.append(c)
    if rest:
        out.update(_gathered(frames, rest, source, starts, lengths))
    return pl.DataFrame(list(out.values()))


def segment_join(source: np.ndarray, starts: np.ndarray, lengths: np.ndarray):
    """A function of one column's values in each source (``held[k]``, NumPy) giving the segments
    ``held[source[i]][starts[i] : starts[i] + lengths[i]]`` one after the other: one strided copy
    when they lie on a lattice (:func:`_lattice`), else their slices joined."""
    source, starts = np.asarray(source, dtype=np.int64), np.asarray(starts, dtype=np.int64)
    lengths = np.asarray(lengths, dtype=np.int64)
    lattice = _lattice(source, starts, lengths) if source.size else None
    if lattice is not None:
        return lambda held: _interleaved(held, lattice)
    segs = list(zip(source.tolist(), starts.tolist(), (starts + lengths).tolist()))
    return lambda held: np.concatenate([held[k][a:b] for k, a, b in segs])


def _lattice(source: np.ndarray, starts: np.ndarray, lengths: np.ndarray) -> list[tuple] | None:
    """The segments as a lattice when they come series after series, each series taking the
    same sources in the same order, equally many rows of each at equally spaced starts (hosts
    sampled alike: a run of every series in each buffered piece): per place in a series' cycle,
    (source, first start, spacing, rows); None otherwise."""
    at = np.flatnonzero(source == source[0])
    cycle = int(at[1]) if at.size > 1 else source.size
    series = source.size // cycle
    if series < 2 or source.size % cycle:
        return None
    src, st, n = source.reshape(series, cycle), starts.reshape(series, cycle), lengths.reshape(series, cycle)
    step = st[1] - st[0]
    if (src != src[0]).any() or (n != n[0]).any() or (np.diff(st, axis=0) != step).any() or (step < n[0]).any():
        return None
    return list(zip(src[0].tolist(), st[0].tolist(), step.tolist(), n[0].tolist(), [series] * cycle))


def _interleaved(held: dict, lattice: list[tuple]) -> np.ndarray:
    """:func:`gather_segments`' values of one column laid as ``lattice`` says: each place of the
    cycle a strided (series x rows) view of its source, the views joined side by side in one
    copy (not a slice per segment)."""
    views = []
    for k, first, step, rows, series in lattice:
        values = held[k]
        size = values.itemsize
        if values.flags.c_contiguous:  # (a view of the buffer: the constructor checks its bounds)
            views.append(np.ndarray((series, rows), values.dtype, values, first * size, (step * size, size)))
        else:
            views.append(as_strided(values[first:], shape=(series, rows), strides=(step * values.strides[0],
                                                                                 values.strides[0]), writeable=False))
    return np.concatenate(views, axis=1).reshape(-1)


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
