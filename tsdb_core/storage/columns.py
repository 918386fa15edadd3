"""Files too large to hold decoded whole, held column by column in the decoded-file cache.

A compacted day of many series decodes to more than the cache holds (its tag columns
alone, as strings, to most of it), so such a file used to be scanned from Parquet on
every query. Queries read few of its columns, though, and a file is sorted by series,
then time: its series index (each series' tag values and row range, and the times) is
small next to the tags it replaces. So the cache holds, for such a file, that index and
each column a query read, each as its own entry under the one byte budget (least
recently used out first, dropped with the file). A tag is held per row only when it fits
beside the fields; otherwise a select builds it from each series' value
(cache.Decoded.with_columns).

A query whose columns do not fit the budget together, or a file whose rows are not laid
out by series, is left to the Parquet scan, as before.
"""
from __future__ import annotations

from typing import Callable

import numpy as np
import polars as pl
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from ..base.types import TIME
from . import encodings
from .cache import Decoded, DecodedCache
from .catalog import FileMeta

INDEX = "\nindex"  # the cache key of a file's series index (a raw newline: no column is named so)
_MAX_VIEWS = 32  # views remembered per file (each a few column references)


class Column:
    """One decoded column of a file (a cache entry)."""

    __slots__ = ("series", "nbytes")

    def __init__(self, series: pl.Series):
        self.series = series.rechunk()
        self.nbytes = self.series.estimated_size()


class FileColumns:
    """The columns of files held one by one in ``cache``; ``open_input(rel)`` is what
    ``pq.ParquetFile`` reads."""

    def __init__(self, cache: DecodedCache, open_input: Callable[[str], object],
                 newest: Callable[[FileMeta], pl.DataFrame | None] = lambda f: None):
        self.cache = cache
        self.open_input = open_input
        self.newest = newest  # a file's sidecar: each series' newest row, in file order
        # views handed out, per file and columns: reused while everything in them is held
        # (dropped as soon as something of their file leaves, so they never keep it alive)
        self._views: dict[int, dict[tuple, tuple[list, Decoded]]] = {}
        cache.listeners.append(lambda fid: self._views.pop(fid, None))

    def view(self, f: FileMeta, tags: list[str], columns: list[str], load: bool = True) -> Decoded | None:
        """A :class:`Decoded` of ``f`` with ``columns``; None when its fields do not fit the
        budget together, the file is not laid out by series, or (without ``load``) something
        is not held yet. Tags asked for are held per row too when everything fits, else
        built from the runs for the rows a query keeps."""
        key = (tuple(tags), tuple(columns), load)
        memo = self._views.get(f.id, {}).get(key)
        if memo is not None and self.cache.touch(memo[0]):
            return memo[1]
        view = self._view(f, tags, columns, load)
        if view is not None:
            keys = [(f.id, INDEX), *[(f.id, c) for c in view.frame.columns if c != TIME]]
            views = self._views.setdefault(f.id, {})
            if len(views) >= _MAX_VIEWS:
                views.clear()
            views[key] = (keys, view)
            if not self.cache.touch(keys):  # something left meanwhile: not kept
                views.pop(key, None)
        return view

    def _view(self, f: FileMeta, tags: list[str], columns: list[str], load: bool) -> Decoded | None:
        budget = self.cache.budget
        tag_cols = [c for c in f.columns if c in tags]
        wanted = [c for c in dict.fromkeys(columns) if c in f.columns and c != TIME]
        fields = [c for c in wanted if c not in tag_cols]
        if budget <= 0 or _row_bytes(f.rows, fields) + 8 * f.rows > budget:
            return None  # the query alone would empty the cache of everything else: scan
        index = self.cache.peek((f.id, INDEX))
        if isinstance(index, _Marker) or (index is None and (not load or (index := self._index(f, tag_cols)) is None)):
            return None
        held = {c: self.cache.peek((f.id, c)) for c in wanted if c in tag_cols}
        if not load and any(col is None for col in held.values()):
            return None  # a few series' tags: their row groups hold them as they are (quicker)
        held.update({c: self.cache.peek((f.id, c)) for c in fields})
        missing = [c for c in fields if held[c] is None]
        if missing:
            if not load:
                return None
            held.update(self._read(f, missing))
        if any(held[c] is None for c in fields):
            return None
        per_row = [c for c in wanted if c in tag_cols and held[c] is None]
        if per_row and _row_bytes(f.rows, fields) + 8 * f.rows + 16 * f.rows * len(per_row) <= budget:
            held.update({t: self._tag_rows(f, index, t) for t in per_row})
        return index.with_columns([held[c].series for c in wanted if held[c] is not None])

    def _tag_rows(self, f: FileMeta, index: Decoded, tag: str) -> Column | None:
        """One tag as a column, each run's value repeated over its rows, held (None: it did not fit)."""
        which = np.repeat(np.arange(len(index.starts), dtype=np.uint32), index.ends - index.starts)
        col = Column(pl.Series(tag, index.tag_values[tag], dtype=pl.String).gather(which))
        return self.cache.get((f.id, tag), col.nbytes, lambda: col)

    def _index(self, f: FileMeta, tag_cols: list[str]) -> Decoded | None:
        """The file's series index, held: its times, and the series from its sidecar (or from
        its tags, read as dictionaries, when it has none). None when the file is not laid out
        by series (remembered: never read again)."""

        def load() -> Decoded | _Marker:
            times = pl.from_arrow(pq.ParquetFile(self.open_input(f.path)).read(columns=[TIME]).column(TIME))
            times = times.alias(TIME).to_frame().rechunk()
            found_runs = _runs_of_sidecar(times.get_column(TIME).to_numpy(), self.newest(f), tag_cols)
            if found_runs is None:  # no sidecar (or not this file's): the tags themselves
                table = pq.ParquetFile(self.open_input(f.path), read_dictionary=tag_cols).read(columns=tag_cols)
                starts = run_starts(table, tag_cols)
                found_runs = starts, {t: table.column(t).take(pa.array(starts)).to_pylist() for t in tag_cols}
            dec = Decoded(times, [], *found_runs)
            return _Marker() if dec.starts is None else dec

        dec = self.cache.get((f.id, INDEX), 8 * f.rows, load)
        return dec if isinstance(dec, Decoded) else None

    def _read(self, f: FileMeta, names: list[str]) -> dict[str, Column | None]:
        """Decode ``names`` of ``f`` in one read and hold each (None: it did not fit)."""
        frame = encodings.as_floats(pl.from_arrow(pq.ParquetFile(self.open_input(f.path)).read(columns=names)))
        out: dict[str, Column | None] = {}
        for c in names:
            col = Column(frame.get_column(c))
            out[c] = self.cache.get((f.id, c), col.nbytes, lambda col=col: col)
        return out


class _Marker:
    """The index entry of a file not laid out by series: never held by column (costs nothing)."""

    nbytes = 0


def _runs_of_sidecar(times: np.ndarray, newest: pl.DataFrame | None,
                     tag_cols: list[str]) -> tuple[np.ndarray, dict[str, list]] | None:
    """(first row of each series, each series' tag values) from the file's sidecar of newest
    rows, without reading the tags: series follow each other in its order, each with strictly
    rising times (a file holds a point once), so a series ends at its newest time, found by a
    binary search in the rising stretch it starts. None when anything does not add up."""
    if newest is None or not newest.height or any(t not in newest.columns for t in tag_cols) or not times.size:
        return None
    n = times.size
    breaks = np.append(np.flatnonzero(times[1:] <= times[:-1]) + 1, n)  # where times stop rising
    starts = np.empty(newest.height, dtype=np.int64)
    at = 0
    for j, last in enumerate(newest.get_column(TIME).to_list()):
        if at >= n:
            return None
        stop = int(breaks[np.searchsorted(breaks, at, "right")])
        end = at + int(np.searchsorted(times[at:stop], last, "right"))
        if end == at or times[end - 1] != last:
            return None
        starts[j], at = at, end
    if at != n:
        return None
    return starts, {t: newest.get_column(t).to_list() for t in tag_cols}


def run_starts(table: pa.Table, tag_cols: list[str]) -> np.ndarray:
    """The first row of each run of equal tag values (nulls equal) in ``table``, whose tag
    columns are dictionary-encoded: indices compared inside a chunk (one dictionary each),
    values across chunk boundaries."""
    n = table.num_rows
    change = np.zeros(n, dtype=bool)
    if n:
        change[0] = True
    for t in tag_cols:
        off, last = 0, None
        for chunk in table.column(t).chunks:
            m = len(chunk)
            if not m:
                continue
            idx = pc.fill_null(chunk.indices, -1).to_numpy(zero_copy_only=False)
            change[off + 1:off + m] |= idx[1:] != idx[:-1]
            first = chunk[0].as_py()
            if off and first != last:
                change[off] = True
            last, off = chunk[m - 1].as_py(), off + m
    return np.flatnonzero(change).astype(np.int64)


def _row_bytes(rows: int, fields: list[str]) -> int:
    """What ``fields`` of ``rows`` rows take decoded, about (numbers: 8 bytes a row)."""
    return 8 * rows * len(fields)

