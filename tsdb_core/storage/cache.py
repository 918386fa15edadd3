"""Decoded partition files kept in memory, with a series index for slicing.

Parquet files never change once written, so a file decoded once can serve every
later query until it is deleted. Decoding a compacted window is costly once, but a
Parquet scan pays a fixed floor on every query (footer, row-group statistics,
page decoding) that dwarfs a one-host lookup of a few hundred rows; from memory
that lookup is a slice.

Files are sorted by (tags, time), so each series is one contiguous run of rows
with ascending times: the series index lists each run's tag values and row
range, tag equalities pick runs without touching the rows, and a binary search
on time trims each run. The cache is bounded (``StoreConfig.cache_bytes``,
least recently used out first); a file larger than half of it is held instead as
its series index and the single columns queries read (storage/columns.py), or as
the row groups a few-series lookup reads, or scanned from Parquet.
"""
from __future__ import annotations

import threading
from collections import OrderedDict
from typing import Callable

import numpy as np
import polars as pl

from ..base.eager import pick
from ..base.run_rows import run_rows
from ..base.run_searches import search_runs
from ..base.types import TIME

_START, _END = "\nstart", "\nend"  # a raw newline: no tag key can be named like this
_RUN = "\nrun"  # a working column: each row's series (Decoded._with_tags)
MATCHED_KEPT = 256  # distinct tag conditions a source remembers the runs of (Decoded._matching_runs)
_MISSING = object()  # (a cache miss, where None is an answer)
_EAGER_TAG_ROWS = 65_536  # up to this many rows, tags are built at once, not by a join


class Decoded:
    """A whole file in memory: rows, their times as numpy, and the run of each series."""

    __slots__ = ("frame", "names", "times", "tmin", "tmax", "starts", "ends", "tag_values", "_nbytes", "_index_bytes",
                 "_where", "_matched", "_np", "_nan", "_virtual", "_cols", "_keys")

    def __init__(self, frame: pl.DataFrame, tags: list[str], starts: np.ndarray | None = None,
                 tag_values: dict[str, list] | None = None, run_tags: dict[str, list] | None = None):
        """``starts``: the first row of each series when the caller knows them (else found
        from the tags). ``tag_values`` (with ``starts``): each series' value of each tag, for
        tags the frame lacks; selects build those columns from the runs (storage/columns.py).
        ``run_tags`` (with ``starts``): each series' value of each of ``tags`` the frame holds,
        when the caller sorted the rows by series and knows them (not gathered from the rows again)."""
        frame = frame.rechunk()  # one chunk per column: slices and gathers stay cheap
        self._virtual = frozenset(tag_values or ())
        tags = [t for t in tags if t in frame.columns and t not in self._virtual]
        self.frame = frame
        self.names = frozenset(frame.columns)  # (asked per source by every query: no call into Polars)
        self.times = frame.get_column(TIME).to_numpy()
        n = frame.height
        self.tmin = int(self.times.min()) if n else 0
        self.tmax = int(self.times.max()) if n else -1
        given = starts is not None and n > 0
        if given:
            starts = starts.astype(np.int64)
        elif tags and n:
            change = frame.select(pl.any_horizontal(
                [pl.int_range(pl.len()) == 0] + [pl.col(t).ne_missing(pl.col(t).shift()) for t in tags])
            ).to_series()
            starts = change.arg_true().to_numpy().astype(np.int64)
        else:
            starts = np.zeros(1 if n else 0, dtype=np.int64)
        ends = np.append(starts[1:], n).astype(np.int64)
        self.starts, self.ends = starts, ends
        # tag key -> the value of each series (a run): which runs a tag equality keeps
        known = run_tags if run_tags is not None and given else {}  # (runs found here: gathered)
        self.tag_values = {t: known[t] if t in known else frame.get_column(t).gather(starts).to_list()
                           for t in tags} | (tag_values or {})
        self._where: dict[str, dict[str | None, np.ndarray]] = {}
        self._matched: dict[tuple, np.ndarray] = {}  # _matching_runs answers of several values (runs never change)
        self._np: dict[str, np.ndarray | None] = {}  # null-free numeric columns as numpy views
        self._nan: dict[str, np.ndarray | None] = {}  # float columns, null as NaN (select_arrays)
        self._cols: dict[tuple, tuple | None] = {}  # _numeric_columns answers by column list
        self._keys: list[str] | None = None  # each series' tags as one key (series_keys)
        if not _runs_sorted(self.times, starts, ends):
            self.starts = None  # not laid out by series: no index, filters do the work
        self._nbytes, self._index_bytes = None, 16 * len(starts) * (2 + len(self.tag_values))

    @property
    def nbytes(self) -> int:
        """Bytes held, for the cache's budget: measured on first use (the buffer's sorted pieces
        never ask, and a wide frame of strings takes a while to measure)."""
        if self._nbytes is None:
            self._nbytes = self.frame.estimated_size() + self._index_bytes
        return self._nbytes

    @nbytes.setter
    def nbytes(self, value: int) -> None:
        self._nbytes = value

    def with_columns(self, columns: list[pl.Series]) -> "Decoded":
        """This file's series index over its time and ``columns`` (shared, not copied): what a
        query reads of a file held column by column. Tags stay built from the runs."""
        view = object.__new__(Decoded)
        for name in ("times", "tmin", "tmax", "starts", "ends", "tag_values", "_where", "_matched"):
            setattr(view, name, getattr(self, name))
        view.frame = pl.DataFrame([self.frame.get_column(TIME), *columns])
        view.names = frozenset(view.frame.columns)
        view._virtual = self._virtual - set(view.frame.columns)
        view._np, view._nan, view._cols, view._keys, view.nbytes = {}, {}, {}, self._keys, 0
        return view

    def _runs_with(self, key: str, values: list[str]) -> np.ndarray:
        where = self._where.get(key)
        if where is None:
            acc: dict[str | None, list[int]] = {}
            for i, v in enumerate(self.tag_values[key]):
                acc.setdefault(v, []).append(i)
            where = self._where[key] = {v: np.asarray(ix, dtype=np.int64) for v, ix in acc.items()}
        hits = [where[v] for v in values if v in where]
        if not hits:
            return np.zeros(0, dtype=np.int64)
        return hits[0] if len(hits) == 1 else np.unique(np.concatenate(hits))

    def select(self, tags: dict[str, list[str]] | None, start: int, end: int,
               columns: list[str], limit: tuple[int, bool] | None = None) -> pl.DataFrame | pl.LazyFrame:
        """Rows with ``start <= time <= end`` of the series whose tags match ``tags``, only
        ``columns``; with ``limit = (n, newest)`` at most the n oldest (newest) rows of each series."""
        frame = self.frame
        if self.starts is None:
            cond = pl.col(TIME).is_between(start, end)
            for key, values in (tags or {}).items():
                cond = cond & (pl.col(key).is_in(values) if key in self.tag_values else pl.lit(False))
            return frame.lazy().filter(cond).select(columns)
        virtual = [c for c in columns if c in self._virtual]
        real = [c for c in columns if c not in self._virtual] if virtual else columns
        runs = self._matching_runs(tags)
        if runs is None and limit is None and not virtual and start <= self.tmin and end >= self.tmax:
            return pick(frame, columns)
        picked = np.arange(len(self.starts), dtype=np.int64) if runs is None else runs
        starts, ends = self._bounds(picked, start, end, limit)
        keep = ends > starts
        picked, starts, ends = picked[keep], starts[keep], ends[keep]
        if runs is None and limit is None:
            # every series, part of its time: each series' rows in range are one run, so the
            # answer is their slices side by side (no copy; a time filter copies every column)
            body = pick(frame, real)
            if len(starts) == 0:
                body = body.clear()
            elif len(starts) < len(self.starts) or int((ends - starts).sum()) < frame.height:
                body = pl.concat([body.slice(s, e - s) for s, e in zip(starts.tolist(), ends.tolist())],
                                 how="vertical", rechunk=False)
        else:
            body = self._take(starts, ends, real)
        return self._with_tags(body, picked, ends - starts, columns, virtual) if virtual else body

    def select_runs(self, tags: dict[str, list[str]] | None, start: int, end: int,
                    columns: list[str]) -> tuple[pl.DataFrame, np.ndarray, np.ndarray, dict[str, list]] | None:
        """:meth:`select` of stored ``columns`` (no tag) as (these columns of every row held, one
        chunk each; each series' first row in it; its row count; each series' value of every
        tag key): series by series, times ascending in each, series without rows left out. Nothing
        is copied: a windowed aggregate finds its groups from the rows and counts, and reads the
        values where they are (the tag lists may be the ones held: read only). None when not indexed."""
        if self.starts is None or any(c in self._virtual for c in columns):
            return None
        runs = self._matching_runs(tags)
        picked = np.arange(len(self.starts), dtype=np.int64) if runs is None else runs
        starts, ends = self._bounds(picked, start, end, None)
        keep = ends > starts
        picked, starts, ends = picked[keep], starts[keep], ends[keep]
        if picked.size == len(self.starts):  # every series (picked ascend): the held lists, shared
            tags_of = dict(self.tag_values)
        else:
            rows = picked.tolist()
            tags_of = {k: [v[r] for r in rows] for k, v in self.tag_values.items()}
        return pick(self.frame, columns), starts, ends - starts, tags_of

    def series_rows(self, tags: dict[str, list[str]] | None, start: int,
                    end: int) -> tuple[list[str], np.ndarray] | None:
        """(each series matching ``tags``: its tags as a key, the same in any source; its rows with
        ``start <= time <= end``), None when not indexed: which series' newest rows a source
        holds (storage/newest_pieces.py). The keys are made once (the rows never change)."""
        if self.starts is None:
            return None
        runs = self._matching_runs(tags)
        picked = np.arange(len(self.starts), dtype=np.int64) if runs is None else runs
        starts, ends = self._bounds(picked, start, end, None)
        keys = self.series_keys()
        return [keys[r] for r in picked.tolist()], np.maximum(ends - starts, 0)

    def series_keys(self) -> list[str]:
        """Each series' tags as one key, the text of ((tag key, value), ...) sorted by key, a null
        value left out: equal keys, one series, whichever source holds it. Made once (the rows
        never change); a string keeps its hash, where a tuple of pairs is hashed again at each look-up."""
        if self._keys is None:
            names = sorted(self.tag_values)
            self._keys = [repr(tuple((k, v) for k, v in zip(names, row) if v is not None))
                          for row in zip(*(self.tag_values[k] for k in names))] if names else ["()"] * len(self.starts)
        return self._keys

    def _bounds(self, runs: np.ndarray, start: int, end: int,
                limit: tuple[int, bool] | None) -> tuple[np.ndarray, np.ndarray]:
        """The rows of each of ``runs`` in ``[start, end]`` (at most ``limit`` of them), as
        (first rows, end rows); an empty run's end is at most its first row."""
        starts, ends = self.starts[runs], self.ends[runs]
        if start > self.tmin or end < self.tmax:
            starts, ends = self._trimmed(starts, ends, start, end)
        if limit is not None:
            n, newest = limit
            starts, ends = (np.maximum(starts, ends - n), ends) if newest else (starts, np.minimum(ends, starts + n))
        return starts, ends

    def _take(self, starts: np.ndarray, ends: np.ndarray, columns: list[str]) -> pl.DataFrame:
        """The rows of the runs ``[starts, ends)`` (none empty), ``columns`` only."""
        total = int((ends - starts).sum())
        frame = pick(self.frame, columns)  # eager calls: a lazy plan has a fixed cost at any size
        if total == frame.height:
            return frame
        if len(starts) <= 1:
            return frame.slice(int(starts[0]), total) if len(starts) else frame.clear()
        if all(self._numpy(c) is not None for c in columns):
            # several runs of numbers without nulls: numpy joins the slices (cheaper than a Polars gather)
            return pl.DataFrame({c: np.concatenate([self._numpy(c)[s:e] for s, e in zip(starts, ends)])
                                 for c in columns}, schema=frame.schema)
        # several runs: one gather of their row numbers (half the cost of concatenating slices)
        return frame.gather(pl.Series(run_rows(starts, ends - starts), dtype=pl.Int64))

    def _with_tags(self, body: pl.DataFrame, runs: np.ndarray, lengths: np.ndarray, columns: list[str],
                   virtual: list[str]) -> pl.LazyFrame:
        """``body`` (the rows of ``runs``, ``lengths`` rows each, in order) with the tags the frame
        lacks, each run's values repeated over its rows: few rows at once; many as a join on each
        row's run, so that a filter on the rows runs first and only the rows kept get tags."""
        which = pl.Series(_RUN, np.repeat(np.arange(len(runs), dtype=np.uint32), lengths))
        picked = runs.tolist()
        values = [pl.Series(t, [self.tag_values[t][r] for r in picked], dtype=pl.String) for t in virtual]
        if body.height <= _EAGER_TAG_ROWS:
            built = {v.name: v.gather(which) for v in values}
            return pl.DataFrame([built[c] if c in built else body.get_column(c) for c in columns])
        runs_frame = pl.DataFrame([pl.Series(_RUN, np.arange(len(runs), dtype=np.uint32)), *values])
        rows = body.hstack([which])
        return rows.lazy().join(runs_frame.lazy(), on=_RUN, how="left", maintain_order="left").select(columns)

    def _matching_runs(self, tags: dict[str, list[str]] | None) -> np.ndarray | None:
        """The series (run numbers) whose tags match ``tags``; None for every series, none
        when a key is null in every row (never equal). A condition of several values (hosts) is
        answered once per source: its union and intersection of runs cost each query 5-10 us per
        source, and a store being written to is read as several."""
        if len(tags or ()) == 1:
            (key, values), = tags.items()
            if len(values) == 1:  # one value of one key (a host): one look-up, nothing to join
                where = self._where.get(key)
                hit = where.get(values[0]) if where is not None else None
                return hit if hit is not None else self._runs_matching(tags)
        if tags:
            key = tuple((k, tuple(v)) for k, v in tags.items())
            hit = self._matched.get(key)
            if hit is None:
                if len(self._matched) >= MATCHED_KEPT:
                    self._matched.clear()
                hit = self._matched[key] = self._runs_matching(tags)
                hit.flags.writeable = False  # (shared by every query asking so)
            return hit
        return self._runs_matching(tags)

    def _runs_matching(self, tags: dict[str, list[str]] | None) -> np.ndarray | None:
        runs = None
        for key, values in (tags or {}).items():
            if key not in self.tag_values:
                return np.zeros(0, dtype=np.int64)
            hit = self._runs_with(key, values)
            runs = hit if runs is None else np.intersect1d(runs, hit)
        return runs

    def _trimmed(self, starts: np.ndarray, ends: np.ndarray, start: int, end: int) -> tuple[np.ndarray, np.ndarray]:
        """Each run's rows with ``start <= time <= end`` as (first rows, end rows): a binary
        search per run (runs ascend in time), all runs at once (base/run_searches.py)."""
        if start <= self.tmin and end >= self.tmax:
            return starts, ends
        # (times are integers: the first time after ``end`` is the first one from ``end + 1``)
        at = search_runs(self.times, starts, ends, np.array([[max(start, self.tmin), min(end, self.tmax) + 1]]))
        return (starts if start <= self.tmin else at[:, 0]), (ends if end >= self.tmax else at[:, 1])

    def select_arrays(self, tags: dict[str, list[str]], start: int, end: int,
                      columns: list[str]) -> dict[str, np.ndarray] | None:
        """:meth:`select` of some series as numpy arrays (views when one series): the one-host
        aggregates need nothing else. None unless every column is numeric without nulls
        (the caller then uses :meth:`select`); a float null is NaN there (line protocol has
        no NaN values). Times ascend within each series, not across."""
        arrays = self._numeric_columns(tags, columns)
        if arrays is None:
            return None
        pieces = self._pieces(tags, start, end)
        if len(pieces) == 1:
            _, lo, hi = pieces[0]
            return {c: a[lo:hi] for c, a in zip(columns, arrays)}
        return {c: np.concatenate([a[lo:hi] for _, lo, hi in pieces]) if pieces else a[:0]
                for c, a in zip(columns, arrays)}

    def array_runs(self, tags: dict[str, list[str]], start: int, end: int,
                   columns: list[str]) -> tuple[list[np.ndarray], list[tuple[int, int]]] | None:
        """:meth:`select_arrays` not joined: (the columns' whole arrays, each matching series'
        rows there as (first row, end row), series in their order here), so that several files'
        rows can be joined series by series. None as select_arrays."""
        arrays = self._numeric_columns(tags, columns)
        if arrays is None:
            return None
        return arrays, [(lo, hi) for _, lo, hi in self._pieces(tags, start, end)]

    def series_arrays(self, tags: dict[str, list[str]], start: int, end: int,
                      columns: list[str]) -> tuple[dict[str, str | None], dict[str, np.ndarray]] | None:
        """:meth:`select_arrays` of the one series that matches ``tags``, with its tag values
        (``({}, empty arrays)`` when no series has rows there); None when several do."""
        found = self.series_run(tags, start, end, columns)
        if found is None:
            return None
        arrays, run, lo, hi = found
        return ({} if run is None else self.run_tags(run)), {c: a[lo:hi] for c, a in zip(columns, arrays)}

    def series_run(self, tags: dict[str, list[str]], start: int, end: int,
                   columns: list[str]) -> tuple[tuple[np.ndarray, ...], int | None, int, int] | None:
        """:meth:`series_arrays` not sliced: (the columns' whole arrays, the series' run, its first
        and end row there); run None (and no rows) when no series has rows there; None as
        series_arrays. Several sources' rows are then joined without a dict of views per source."""
        arrays = self._numeric_columns(tags, columns)
        pieces = self._pieces(tags, start, end) if arrays is not None else ()
        if arrays is None or len(pieces) > 1:
            return None
        return (arrays, *pieces[0]) if pieces else (arrays, None, 0, 0)

    def run_tags(self, run: int) -> dict[str, str | None]:
        """Each tag key's value in series ``run``."""
        return {k: v[run] for k, v in self.tag_values.items()}

    def _numeric_columns(self, tags, columns: list[str]) -> tuple[np.ndarray, ...] | None:
        """The arrays of ``columns`` (:meth:`_numeric`), None when one is not plain numbers; kept
        per column list (the frame never changes): a store being written to is read as several
        pieces, and looking each column up again cost every query a few us per piece."""
        if self.starts is None or not tags:
            return None
        key = tuple(columns)
        hit = self._cols.get(key, _MISSING)
        if hit is _MISSING:
            arrays = tuple(self._numeric(c) for c in columns)
            hit = None if any(a is None for a in arrays) else arrays
            if len(self._cols) >= MATCHED_KEPT:
                self._cols.clear()
            self._cols[key] = hit
        return hit

    def _pieces(self, tags, start: int, end: int) -> list[tuple[int, int, int]]:
        """(run, first row, end row) of each series matching ``tags`` with rows in [start, end]."""
        runs = self._matching_runs(tags)
        if len(runs) == 1:  # one series (a host's): its bounds without gathering arrays of them
            r = int(runs[0])
            s, e = int(self.starts[r]), int(self.ends[r])
            t = self.times
            lo = s if start <= self.tmin else s + int(t[s:e].searchsorted(start, "left"))
            hi = e if end >= self.tmax else s + int(t[s:e].searchsorted(end, "right"))
            return [(r, lo, hi)] if hi > lo else []
        los, his = self._trimmed(self.starts[runs], self.ends[runs], start, end)
        return [(r, lo, hi) for r, lo, hi in zip(runs.tolist(), los.tolist(), his.tolist()) if hi > lo]

    def _numeric(self, column: str) -> np.ndarray | None:
        """:meth:`_numpy`, or for a float column with nulls a copy with NaN for null."""
        arr = self._numpy(column)
        if arr is not None:
            return arr
        if column not in self._nan:
            col = self.frame.get_column(column)
            self._nan[column] = col.to_numpy() if col.dtype == pl.Float64 else None  # nulls -> NaN
        return self._nan[column]

    def _numpy(self, column: str) -> np.ndarray | None:
        if column == TIME:
            return self.times
        if column not in self._np:
            col = self.frame.get_column(column)
            ok = col.dtype in (pl.Int64, pl.UInt64, pl.Float64) and col.null_count() == 0
            self._np[column] = col.to_numpy() if ok else None
        return self._np[column]


def _runs_sorted(times: np.ndarray, starts: np.ndarray, ends: np.ndarray) -> bool:
    """Times ascend inside every run (files are written so; anything else is not indexed)."""
    if times.size < 2:
        return True
    step = np.diff(times) >= 0
    step[ends[:-1] - 1] = True  # a run boundary may step back
    return bool(step.all())


def _file_of(key: int | tuple[int, int]) -> int:
    """The file id of a cache key (a file id, or (file id, row group))."""
    return key if isinstance(key, int) else key[0]


class DecodedCache:
    """Least-recently-used decoded files (key: the file id), and of files too large to hold
    whole their row groups (key: (file id, row group)) and columns (key: (file id, column
    name), storage/columns.py), within a byte budget."""

    def __init__(self, budget: int):
        self.budget = budget
        self._items: OrderedDict[int | tuple[int, int], Decoded] = OrderedDict()
        self._of_file: dict[int, set] = {}  # file id -> its keys held
        self._bytes = 0
        self._lock = threading.Lock()
        # called with a file id when something of that file leaves (storage/columns.py's views)
        self.listeners: list[Callable[[int], None]] = []

    def touch(self, keys: list) -> bool:
        """Whether every one of ``keys`` is held (each marked used)."""
        with self._lock:
            if any(k not in self._items for k in keys):
                return False
            for k in keys:
                self._items.move_to_end(k)
            return True

    def _left(self, file_ids) -> None:
        for fid in file_ids:
            for tell in self.listeners:
                tell(fid)

    def peek(self, key) -> Decoded | None:
        """What is held under ``key`` (marked used), or None; never loads."""
        with self._lock:
            hit = self._items.get(key)
            if hit is not None:
                self._items.move_to_end(key)
            return hit

    def get(self, key: int | tuple[int, int], size_hint: int, load: Callable[[], Decoded]) -> Decoded | None:
        """The decoded file (or row group), loading it on a miss; None when it cannot fit
        (scan Parquet instead)."""
        with self._lock:
            hit = self._items.get(key)
            if hit is not None:
                self._items.move_to_end(key)
                return hit
        if self.budget <= 0 or size_hint * 2 > self.budget:
            return None
        dec = load()  # outside the lock: two threads may decode the same file, one copy stays
        if dec.nbytes * 2 > self.budget:
            return None
        gone = set()
        with self._lock:
            if key not in self._items:
                self._items[key] = dec
                self._of_file.setdefault(_file_of(key), set()).add(key)
                self._bytes += dec.nbytes
            while self._bytes > self.budget and len(self._items) > 1:
                old_key, old = self._items.popitem(last=False)
                self._bytes -= old.nbytes
                self._of_file.get(_file_of(old_key), set()).discard(old_key)
                gone.add(_file_of(old_key))
            out = self._items.get(key, dec)
        self._left(gone)
        return out

    def drop(self, file_id: int) -> None:
        """Forget a file and its row groups (deleted by compaction, retention or DELETE)."""
        with self._lock:
            for key in self._of_file.pop(file_id, ()):
                old = self._items.pop(key, None)
                if old is not None:
                    self._bytes -= old.nbytes
        self._left([file_id])

    @property
    def nbytes(self) -> int:
        """Bytes held (decoded frames and their series index)."""
        return self._bytes
