"""The write buffer: acknowledged rows held in memory, queryable at once, until flushed.

Rows arrive as chunks (one per measurement per write) and are kept in arrival
order, which is the order that decides "last write wins". Each chunk knows its
time range; whether its (series, time) keys are unique is computed on first
read and cached, so reads can skip the merge step for chunks that need none.
"""
from __future__ import annotations

import time as _time
from dataclasses import dataclass, field

import numpy as np
import polars as pl

from ..base.series_codes import SeriesCodes
from ..base.types import TIME
from .buffer_view import BufferView, Piece, SortSettings

Key = tuple[str, str, str]  # (db, rp, measurement)


@dataclass(slots=True)
class Chunk:
    """One validated batch of rows of one measurement, held in the write buffer."""
    frame: pl.DataFrame
    tags: tuple[str, ...]
    tmin: int
    tmax: int
    unique: bool | None = None
    series: SeriesCodes | None = None  # each row's series, from the parser (base/series_codes.py)
    rows: int = field(init=False)  # the frame's height, read without a call into Polars

    def __post_init__(self) -> None:
        self.rows = self.frame.height

    def is_unique(self) -> bool:
        """True when no two rows share series and time (cached)."""
        if self.unique is None:
            keys = [*self.tags, TIME]
            if self.frame.height < 2:
                self.unique = True
            elif len(keys) == 1:
                self.unique = bool(self.frame.get_column(TIME).is_unique().all())
            elif self.series is not None and (by_codes := self._codes_unique()) is not None:
                self.unique = by_codes
            else:
                self.unique = bool(self.frame.select(pl.struct(keys).is_unique().all()).item())
        return self.unique

    def _codes_unique(self) -> bool | None:
        """Whether no two rows share (series code, time), told from the parser's codes in NumPy
        (a struct of every tag string cost the first query after a load 0.4 s); None when
        that is not sure: two codes of one tag set (a key written with its tags reordered)."""
        codes, table = self.series.codes, self.series.table
        if table.height > 1 and len(set(table.rows())) < table.height:  # (a few rows: no Polars query)
            return None
        times = self.frame.get_column(TIME).to_numpy()
        order = np.lexsort((times, codes))
        c, t = codes[order], times[order]
        return not bool(((c[1:] == c[:-1]) & (t[1:] == t[:-1])).any())


def non_null_counts(frame: pl.DataFrame, fields: list[str]) -> dict[str, int]:
    """Non-null values of each of ``fields`` in ``frame`` (a field it lacks: 0), from the
    columns' null counts (no pass over the rows): ``count()`` over buffered rows wholly
    inside a query's time range."""
    have = frame.columns
    return {f: frame.height - frame.get_column(f).null_count() if f in have else 0 for f in fields}


COALESCE_CHUNKS = 8  # this many small chunks in a row are joined into one
SMALL_CHUNK_ROWS = 4096
RANGES_KEPT = 64  # time ranges whose buffered row counts are kept per measurement (WriteBuffer.rows_between)
LOAD_SORT_ROWS = 262_144  # unread rows of a measurement sorted a block at a time as a load writes them (WriteBuffer.loading)


def _join(chunks: list[Chunk]) -> Chunk:
    frame = pl.concat([c.frame for c in chunks], how="diagonal_relaxed", rechunk=True)
    tags = tuple(dict.fromkeys(t for c in chunks for t in c.tags))
    unique = None if len(chunks) > 1 else chunks[0].unique
    series = SeriesCodes.concat([c.series for c in chunks]) if all(c.series is not None for c in chunks) else None
    return Chunk(frame, tags, min(c.tmin for c in chunks), max(c.tmax for c in chunks), unique, series)


@dataclass(slots=True)
class WriteBuffer:
    """Rows acknowledged but not yet flushed to Parquet, queryable at once."""
    parts: dict[Key, list[Chunk]] = field(default_factory=dict)
    rows: int = 0
    first_write: float | None = None  # monotonic seconds of the oldest unflushed write
    views: dict[Key, BufferView] = field(default_factory=dict)  # sorted copies for queries
    sorting: SortSettings = field(default_factory=SortSettings)  # when the views sort (StoreConfig)
    retired: bool = False  # a flush took these rows: no more upkeep of the views
    spans: dict = field(default_factory=dict)  # key -> (chunk count, last chunk, {range: rows}) (rows_between)

    def view(self, key: Key) -> BufferView:
        """The sorted pieces of ``key``'s rows (storage/buffer_view.py); made on first use."""
        v = self.views.get(key)
        if v is None:
            v = self.views.setdefault(key, BufferView(self.sorting))
        return v

    def watched(self, key: Key) -> bool:
        """Whether queries read ``key``'s buffered rows lately (then :meth:`keep_sorted` after writes)."""
        v = self.views.get(key)
        return v is not None and v.watched()

    def ready(self, key: Key) -> bool:
        """Whether a write to ``key`` should sort its rows itself (:func:`~.buffer_view.presorted`):
        queries read them lately and the piece may join the view's (``BufferView.ready``). Read
        without the store's lock: a stale answer only costs that sort, or leaves the rows to the view."""
        v = self.views.get(key)
        return v is not None and not self.retired and v.ready(sum(c.rows for c in list(self.parts.get(key, ()))))

    def loading(self, key: Key, added: int) -> bool:
        """Whether a write of ``added`` rows took ``key``'s rows past another :data:`LOAD_SORT_ROWS`
        while no query reads them: a bulk load's rows are then sorted a block at a time as they
        come (``keep_sorted``), and the first query after it reads a few pieces, not every chunk
        the load left (the flush takes the pieces too, ``BufferView.whole``)."""
        rows = sum(c.rows for c in self.parts.get(key, ()))
        return not self.retired and rows // LOAD_SORT_ROWS > (rows - added) // LOAD_SORT_ROWS

    def keep_sorted(self, key: Key, tags: tuple[str, ...], fields: dict, lock, piece: Piece | None = None,
                    rows: int = 0):
        """After a write to a watched ``key`` (``lock``, the store's, held): its view sorts the
        new rows without waiting for the next query (storage/buffer_view.py); ``piece``, the
        write's ``rows`` rows sorted by the writer, joins the view's pieces when it can. Returns what
        starts that work, to call once ``lock`` is let go (or None)."""
        view = self.view(key)

        def current():
            with lock:
                return None if self.retired else (list(self.parts.get(key, ())), view.last_schema)

        return view.written(self.parts.get(key, []), tags, fields, current, piece, rows)

    def add(self, key: Key, frame: pl.DataFrame, tags: tuple[str, ...], series: SeriesCodes | None = None) -> None:
        """Append a chunk (``series``: its rows' series codes, if known); a run of small chunks
        at the end is joined into one.

        A client writing one point per request would otherwise leave thousands of one-row
        chunks, and every query concatenated them all again. Joined in
        arrival order, "last write wins" holds inside the joined chunk too.
        """
        t = frame.get_column(TIME)
        parts = self.parts.setdefault(key, [])
        parts.append(Chunk(frame, tags, t.min(), t.max(), series=series))
        tail = parts[-COALESCE_CHUNKS:]
        if len(tail) == COALESCE_CHUNKS and all(c.frame.height < SMALL_CHUNK_ROWS for c in tail):
            parts[-COALESCE_CHUNKS:] = [_join(tail)]
        self.rows += frame.height
        if self.first_write is None:
            self.first_write = _time.monotonic()

    def rows_between(self, key: Key, start: int, end: int) -> int:
        """Rows of ``key``'s chunks whose times reach into [start, end] (whole chunks: an estimate's
        count). Asked by every query (``Reader.row_estimate``, lock held): each range's count is
        kept until a write changes the chunks (a walk of a load's chunks cost each query several
        us, NumPy over their times more); a dashboard asks for the same few ranges."""
        chunks = self.parts.get(key)
        if not chunks:
            return 0
        held = self.spans.get(key)
        if held is None or held[0] != len(chunks) or held[1] is not chunks[-1]:
            held = self.spans[key] = (len(chunks), chunks[-1], {})
        counts = held[2]
        n = counts.get((start, end))
        if n is None:
            if len(counts) >= RANGES_KEPT:
                counts.clear()
            n = counts[start, end] = sum(c.rows for c in chunks if c.tmax >= start and c.tmin <= end)
        return n

    def chunks(self, key: Key) -> list[Chunk]:
        return self.parts.get(key, [])

    def keys(self) -> list[Key]:
        return list(self.parts)

    def age(self) -> float:
        return 0.0 if self.first_write is None else _time.monotonic() - self.first_write

    def __bool__(self) -> bool:
        return bool(self.parts)

    def drop(self, pred) -> None:
        """Forget the parts whose key matches ``pred`` (DROP DATABASE/MEASUREMENT on buffered rows)."""
        for key in [k for k in self.parts if pred(k)]:
            self.rows -= sum(c.frame.height for c in self.parts.pop(key))
            self.views.pop(key, None)
            self.spans.pop(key, None)
