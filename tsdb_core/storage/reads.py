"""Reading a store: scans (lazy, eager, numpy arrays), row estimates, and what the catalog and
the series index answer (databases, policies, measurements, schemas, series, tag values).

Rows come from the files of a measurement plus the buffered rows not yet flushed; the merge
(storage/partitions.py) deduplicates them, newest first. Rows older than now − the policy's
duration are never returned.
"""
from __future__ import annotations

import operator

import numpy as np
import polars as pl

from ..base.types import TIME, MeasurementSchema, RetentionPolicyInfo, field_key
from .buffer import non_null_counts
from .catalog import FileMeta, MeasurementMeta
from .index import distinct_tag_sets
from .partitions import (INT64_MAX, INT64_MIN, Source, build_frame, build_scan, dirty_flags, split_windows,
                         value_counts, window_start)
from .recovery import Recovery
from .state import EngineState

TagValues = dict[str, list[str]]
_TMIN = operator.attrgetter("tmin")


class Reader:
    """The read side of the engine; schemas handed out are remembered and shared (read-only)."""

    def __init__(self, state: EngineState, recovery: Recovery):
        self.state = state
        self.recovery = recovery
        self._schemas: dict[tuple[str, str], tuple] = {}  # schema() answers
        self._frame_schemas: dict[tuple[str, str], tuple] = {}  # frame_schema() answers
        self._policies: dict[str, tuple] = {}  # retention_policies() answers, with what they were built from

    # -- scans ------------------------------------------------------------------
    def scan(self, db: str, rp: str | None, measurement: str, start: int, end: int,
             columns: list[str] | None = None, tags: TagValues | None = None, *, eager: bool = False,
             limit: tuple[int, bool] | None = None,
             counted: frozenset[str] = frozenset()) -> pl.LazyFrame | pl.DataFrame:
        """Merged, deduplicated rows (a DataFrame with ``eager``); see ``DataProvider.scan``."""
        st = self.state
        with st.lock:
            st.check_open()
            pol = st.catalog.rp(db, rp)
            meta = st.catalog.databases[db].measurements.get(measurement)
            if meta is None:
                return pl.DataFrame(schema={TIME: pl.Int64}) if eager else pl.LazyFrame(schema={TIME: pl.Int64})
            tag_keys, fields, schema = self.frame_schema(db, measurement, meta)
            if tags:
                tags = {k: v for k, v in tags.items() if k in meta.tags}
            out = [TIME, *tag_keys, *fields] if columns is None else \
                [TIME, *[c for c in columns if c in schema and c != TIME]]
            min_t = pol.min_time(st.clock())
            if min_t is not None:
                start = max(start, min_t)
            if start > end:
                empty = pl.DataFrame(schema={c: schema[c] for c in out})
                return empty if eager else empty.lazy()
            sources, pending = self._sources((db, pol.name, measurement), start, end)
        sources += _buffered(pending, tuple(tag_keys), meta.field_columns(), (start, end))  # (sorting them: outside the lock)
        self.recovery.note_scan([s.file for s in sources if s.file is not None])  # a failed read: which file
        if eager:
            return build_frame(st.files, sources, schema, tag_keys, fields, start, end, out, tags)
        return build_scan(st.files, sources, schema, tag_keys, fields, start, end, out, tags, limit, counted)

    def value_counts(self, db: str, rp: str | None, measurement: str, start: int, end: int,
                     fields: list[str]) -> dict[str, int] | None:
        """Non-null values of each of ``fields`` (stored columns) with start <= time <= end, as
        ``count()`` over :meth:`scan` gives them, without reading rows where the files' footers
        say; None when rows need the merge (sources overlapping in time) or a footer lacks counts."""
        st = self.state
        with st.lock:
            st.check_open()
            pol = st.catalog.rp(db, rp)
            meta = st.catalog.databases[db].measurements.get(measurement)
            if meta is None or any(f not in meta.field_columns() for f in fields):
                return None
            min_t = pol.min_time(st.clock())
            if min_t is not None:
                start = max(start, min_t)
            sources, pending = self._sources((db, pol.name, measurement), start, end)
        if start > end:
            return dict.fromkeys(fields, 0)
        sources += _buffered(pending, tuple(sorted(meta.tags)), meta.field_columns(), (start, end))
        sources = [s for s in sources if s.tmax >= start and s.tmin <= end]
        if any(dirty_flags(sources)):
            return None
        files = [s.file for s in sources if s.file is not None]
        self.recovery.note_scan(files)
        counts = st.files.value_counts(files, fields, start, end)
        if counts is None:
            return None
        for s in sources:
            if s.file is None:
                frame = s.frame if s.frame is not None else s.decoded.frame
                inside = start <= s.tmin and s.tmax <= end  # every row counts: no filter on time
                for f, n in (non_null_counts(frame, fields) if inside else value_counts(frame, fields, start, end)).items():
                    counts[f] += n
        return counts

    def _sources(self, key, start: int, end: int) -> tuple[list[Source], list]:
        """The files of ``key`` with rows in [start, end] (a source is built for no other: a
        year of weekly partitions is 52 files); and its buffers' chunks as they are now, for
        :func:`_buffered` (later ranks win the merge; lock held)."""
        st = self.state
        files = [f for f in st.catalog.files.get(key, ()) if f.tmax >= start and f.tmin <= end]
        sources = [Source((0, f.id), f.tmin, f.tmax, f.columns, True, file=f) for f in files]
        pending = [(rank, buf, key, list(buf.chunks(key))) for rank, buf in ((1, st.flushing), (2, st.buffer))
                   if buf is not None and buf.chunks(key)]
        return sources, pending

    def frame_schema(self, db: str, measurement: str, meta: MeasurementMeta) -> tuple[list[str], list[str], dict]:
        """(sorted tags, sorted fields, Polars schema) of a measurement, remembered as schema() is."""
        def build():
            columns = meta.field_columns()
            tags, fields = sorted(meta.tags), sorted(columns)
            return tags, fields, {TIME: pl.Int64(), **{t: pl.String() for t in tags},
                                  **{f: columns[f].polars for f in fields}}

        return _remembered(self._frame_schemas, (db, measurement), meta, build)

    def scan_arrays(self, db: str, rp: str | None, measurement: str, start: int, end: int, columns: list[str],
                    tags: TagValues) -> dict[str, np.ndarray] | None:
        """``time`` and numeric ``columns`` of the series matching ``tags`` as numpy arrays, or None
        when that is not simple (buffered rows, overlapping files, nulls, strings)."""
        found = self._array_files(db, rp, measurement, start, end, columns, tags)
        if found is None:
            return None
        files, tag_keys, start = found
        return self.state.files.select_arrays(files, tag_keys, tags, start, end, [TIME, *columns])

    def scan_series(self, db: str, rp: str | None, measurement: str, start: int, end: int, columns: list[str],
                    tags: TagValues, keep=None):
        """:meth:`scan_arrays` when ``tags`` match one series: (its tag values, the arrays), times
        ascending; ``({}, empty arrays)`` when no series has rows; None when several series match
        or as scan_arrays. ``keep``: the rows wanted of some arrays, as a mask (``Files.series_arrays``)."""
        found = self._array_files(db, rp, measurement, start, end, columns, tags)
        if found is None:
            return None
        files, tag_keys, start = found
        return self.state.files.series_arrays(files, tag_keys, tags, start, end, [TIME, *columns], keep)

    def scan_runs(self, db: str, rp: str | None, measurement: str, start: int, end: int, columns: list[str],
                  tags: TagValues):
        """``time`` and ``columns`` of the series matching ``tags`` (every series when empty),
        series by series: (the rows held, each series' first row and row count in them, each
        series' tag values), gathered from sources that do not overlap in time; None when some
        overlap or are not cached (``DataProvider.scan_runs``)."""
        found = self._array_files(db, rp, measurement, start, end, columns, tags)
        if found is None:
            return None
        files, tag_keys, start = found
        return self.state.files.select_runs(files, tag_keys, tags, start, end, [TIME, *columns])

    def _array_files(self, db, rp, measurement, start, end, columns, tags):
        """(files and sorted pieces of buffered rows, tag keys, start) when the numpy scans
        apply: every row in sources that do not overlap in time (no unsorted buffered rows)."""
        st = self.state
        with st.lock:
            st.check_open()
            pol = st.catalog.rp(db, rp)
            meta = st.catalog.databases[db].measurements.get(measurement)
            if meta is None or any(t not in meta.tags for t in tags) or any(field_key(c) not in meta.fields for c in columns):
                return None
                return None
            min_t = pol.min_time(st.clock())
            if min_t is not None:
                start = max(start, min_t)
            sources, pending = self._sources((db, pol.name, measurement), start, end)
        if pending:
            sources += _buffered(pending, tuple(sorted(meta.tags)), meta.field_columns(), (start, end))
        sources = [s for s in sources if s.tmax >= start and s.tmin <= end]
        if len(sources) > 1:  # (one source, the usual one-hour read: nothing to order or overlap)
            sources.sort(key=_TMIN)
            if any(a.tmax >= b.tmin for a, b in zip(sources, sources[1:])):
                return None  # overlapping: the merge decides which row wins
        if start > end or not sources or any(s.file is None and s.decoded is None for s in sources):
            return None
        self.recovery.note_scan([s.file for s in sources if s.file is not None])
        return [s.file if s.file is not None else s.decoded for s in sources], sorted(meta.tags), start

    def series_ordered(self, db: str, rp: str | None, measurement: str, start: int = INT64_MIN,
                       end: int = INT64_MAX) -> bool:
        """Whether scans of ``measurement`` between ``start`` and ``end`` read files only (each
        sorted by series, then time), disjoint in time and listed in time order (files that
        overlap are merged, a series' rows of the later after the earlier's), or buffered rows
        of one sorted piece and nothing else (chunks come in arrival order)."""
        st = self.state
        with st.lock:
            key = (db, st.catalog.rp(db, rp).name, measurement)
            bufs = [b for b in (st.flushing, st.buffer) if b is not None
                    and any(c.tmax >= start and c.tmin <= end for c in b.chunks(key))]
            if not bufs:
                files = [f for f in st.catalog.files.get(key, ()) if f.tmax >= start and f.tmin <= end]
                return all(a.tmax < b.tmin for a, b in zip(files, files[1:]))
            if len(bufs) > 1 or any(f.tmax >= start and f.tmin <= end for f in st.catalog.files.get(key, ())):
                return False
            view = bufs[0].views.get(key)
            return view is not None and view.sorted_between(bufs[0].chunks(key), start, end)

    def row_estimate(self, db: str, rp: str | None, measurement: str, start: int, end: int) -> int:
        """Rows of a measurement with start <= time <= end, estimated without opening a file:
        each file's row count prorated by the share of its time range inside, plus buffered rows."""
        st = self.state
        with st.lock:
            key = (db, st.catalog.rp(db, rp).name, measurement)
            n = 0.0
            for f in st.catalog.files.get(key, ()):
                if f.tmax >= start and f.tmin <= end:
                    n += f.rows * ((min(end, f.tmax) - max(start, f.tmin) + 1) / (f.tmax - f.tmin + 1))
            for buf in (st.flushing, st.buffer):
                if buf is not None:
                    n += buf.rows_between(key, start, end)
            return round(n)

    def pieces(self, db: str, rp: str | None, measurement: str, start: int,
               end: int) -> list[tuple[int, str, int, int, tuple[str, ...]]]:
        """Where rows with start <= time <= end live: (partition window start, file path; ''
        for buffered rows, their time range, the columns they hold), files oldest first (an
        in-memory store's as ``memory/<id>.parquet``), then the buffered rows of each window,
        their columns the tags.

        Buffered rows are ranged as InfluxDB 3's write buffer ranges them (influxdb3_write
        table_buffer.rs ``partitioned_record_batches``): one chunk per window (the flushing
        buffer's rows and the live one's together), its range its own rows' first and last time,
        kept when ``test_time_stamp_min_max`` finds it overlapping [start, end] (not one of
        ours clipped to the window: a write spanning windows holds rows in each of them only)."""
        st = self.state
        with st.lock:
            policy = st.catalog.rp(db, rp)
            key, width = (db, policy.name, measurement), policy.shard_group_duration
            out = [(f.window_start, f.path or f"memory/{f.id}.parquet", f.tmin, f.tmax, tuple(f.columns))
                   for f in sorted(st.catalog.files.get(key, ()), key=lambda f: f.id) if f.tmax >= start and f.tmin <= end]
            first, past = window_start(start, width), window_start(end, width) + width  # the range's windows
            chunks = [c for buf in (st.flushing, st.buffer) if buf is not None for c in buf.chunks(key)
                      if c.tmax >= first and c.tmin < past]  # (split outside the lock: frames do not change)
        spans = _window_ranges(chunks, width)
        return out + [(w, "", lo, hi, tags) for w, (lo, hi, tags) in sorted(spans.items()) if hi >= start and lo <= end]

    # -- the catalog and the series index ------------------------------------------
    def files(self) -> list[FileMeta]:
        """The live Parquet files (catalog entries), oldest first."""
        with self.state.lock:
            return sorted(self.state.catalog.all_files(), key=lambda f: f.id)

    def databases(self) -> list[str]:
        """Database names, in creation order (as SHOW DATABASES lists them)."""
        with self.state.lock:
            return list(self.state.catalog.databases)

    def has_database(self, db: str) -> bool:
        return db in self.state.catalog.databases

    def retention_policies(self, db: str) -> list[RetentionPolicyInfo]:
        """The policies of ``db``; raises DatabaseNotFound."""
        with self.state.lock:
            d = self.state.catalog.database(db)
            # (the policies' values read on every call: policies change in place, and no counter
            # says so; the answer's objects are the last call's while they are equal, which
            # the plan cache, asking on every request, compares by identity first)
            now = (d.default_rp, *[(r.name, r.duration, r.shard_group_duration, r.replication)
                                   for r in d.rps.values()])
            hit = self._policies.get(db)
            if hit is None or hit[0] != now:
                hit = (now, [RetentionPolicyInfo(*r, r[0] == d.default_rp) for r in now[1:]])
                self._policies[db] = hit
            return list(hit[1])

    def resolve_rp(self, db: str, rp: str | None) -> str:
        """``rp``, or the default policy of ``db`` when ``rp`` is None or empty."""
        with self.state.lock:
            return self.state.catalog.rp(db, rp).name

    def measurements(self, db: str, rp: str | None = None) -> list[str]:
        """Measurements holding data (sorted); all policies when ``rp`` is None."""
        st = self.state
        with st.lock:
            st.catalog.database(db)
            keys = set(st.catalog.files) | set(st.buffer.parts)
            if st.flushing is not None:
                keys |= set(st.flushing.parts)
            if st.opened_measurements:  # what a failed write created (storage/shard_groups.py)
                keys |= {k for k in st.opened_measurements if k[0] == db
                         and k[2] in st.catalog.databases[db].measurements}
            return sorted({k[2] for k in keys if k[0] == db and (rp is None or k[1] == rp)})

    def schema(self, db: str, measurement: str) -> MeasurementSchema | None:
        """Tag keys and field types of ``measurement`` in ``db``, or None if unknown."""
        with self.state.lock:
            d = self.state.catalog.databases.get(db)
            meta = d.measurements.get(measurement) if d else None
            if meta is None:
                return None
            return _remembered(self._schemas, (db, measurement), meta, lambda: MeasurementSchema(
                measurement, tuple(sorted(meta.tags)), {f: meta.fields[f] for f in sorted(meta.fields)}))

    def _index_keys(self, db: str, rp: str | None, measurement: str) -> list:
        """The series index keys of ``measurement`` (all policies when ``rp`` is None; lock held),
        each watched from now on (storage/index.py: later writes are folded in the background)."""
        self.state.catalog.database(db)
        keys = [k for k in self.state.index.keys() if k[0] == db and k[2] == measurement and (rp is None or k[1] == rp)]
        for k in keys:
            self.state.index.watch(k)
        return keys

    def series(self, db: str, rp: str | None, measurement: str) -> pl.DataFrame:
        """Distinct tag sets (one String column per tag key); all policies when ``rp`` is None."""
        st = self.state
        with st.lock:
            frames = [st.index.series(k) for k in self._index_keys(db, rp, measurement)]
        frames = [f for f in frames if f.height]
        if not frames:
            return pl.DataFrame()
        if len(frames) == 1:
            return frames[0]
        return distinct_tag_sets(frames)

    def tag_values(self, db: str, rp: str | None, measurement: str, tag: str) -> list[str]:
        """Distinct non-empty values of one tag key (sorted); all policies when ``rp`` is None."""
        st = self.state
        with st.lock:
            parts = [st.index.tag_values(k, tag) for k in self._index_keys(db, rp, measurement)]
        if len(parts) == 1:
            return list(parts[0])
        return sorted(set().union(*parts))

    def series_stamp(self) -> int:
        """Changes whenever the series index's tag sets may have changed (storage/index.py)."""
        return self.state.index.changes

    def watch_series(self, db: str, measurements: list[str]) -> None:
        """Watch the series index keys of ``measurements`` (all policies), as a read of their series does."""
        names = set(measurements)
        with self.state.lock:
            for k in self.state.index.keys():
                if k[0] == db and k[2] in names:
                    self.state.index.watch(k)

    def tag_keys(self, db: str, rp: str | None, measurement: str) -> list[str]:
        """Tag keys seen in the series of ``measurement`` (sorted)."""
        st = self.state
        with st.lock:
            cols = {c for k in self._index_keys(db, rp, measurement) for c in st.index.columns(k)}
        return sorted(cols)


def _buffered(pending: list, tags: tuple[str, ...], fields: dict,
              times: tuple[int, int] | None = None) -> list[Source]:
    """Sources of buffered rows: a few thousand as their chunks; more as the sorted pieces of
    the buffer's view (storage/buffer_view.py) and the chunks written since. ``times``: the
    (start, end) the caller reads (a sort under way of many rows there is waited for)."""
    out: list[Source] = []
    for rank, buf, key, chunks in pending:
        view = buf.views.get(key)  # (made below for a measurement with enough rows only)
        if (view.rows(chunks) if view is not None else sum(c.rows for c in chunks)) < buf.sorting.min_rows:
            out.extend(Source((rank, i), c.tmin, c.tmax, tuple(c.frame.columns), c.is_unique, frame=c.frame)
                       for i, c in enumerate(chunks))
            continue
        view = buf.view(key)
        snap = view.snapshot(chunks, tags, fields, times)
        made = snap.made.get(rank)
        if made is None:  # (the same snapshot, the same sources: built once per write or catch-up)
            made = snap.made[rank] = _view_sources(snap, rank, id(view))
        out.extend(made)
    return out


def _view_sources(snap, rank: int, group: int) -> tuple[Source, ...]:
    """The sources of a view's snapshot: its sorted pieces, then its tail's chunks (those sharing
    no key with another source in the view's ``group``: no merge among them)."""
    n = len(snap.pieces)
    return (*(Source((rank, i), p.tmin, p.tmax, p.columns, True, decoded=p.decoded, group=group)
              for i, p in enumerate(snap.pieces)),
            *(Source((rank, n + i), c.tmin, c.tmax, tuple(c.frame.columns), c.is_unique, frame=c.frame,
                     group=group if clean else None) for i, (c, clean) in enumerate(zip(snap.tail, snap.clean))))


def _remembered(memo: dict, key, meta, build):
    """``build()``, kept per ``key`` while ``meta`` is the same object with as many tags and
    fields: they only ever grow (a dropped measurement gets a new meta), so the counts say
    "unchanged". What is kept is shared: callers only read it."""
    size = (len(meta.tags), len(meta.fields))
    hit = memo.get(key)
    if hit is not None and hit[0] is meta and hit[1] == size:
        return hit[2]
    value = build()
    memo[key] = (meta, size, value)
    return value


def _window_ranges(chunks, width: int) -> dict[int, tuple[int, int, tuple[str, ...]]]:
    """{window start: (first time, last time, tags)} of the buffered ``chunks``' rows, window by
    window (a chunk spanning windows read through its times, split as a flush splits it)."""
    spans: dict[int, tuple[int, int, tuple[str, ...]]] = {}
    for c in chunks:
        if window_start(c.tmin, width) == window_start(c.tmax, width):
            parts = [(window_start(c.tmin, width), c.tmin, c.tmax)]
        else:
            parts = [(w, int(f.get_column(TIME).min()), int(f.get_column(TIME).max()))
                     for w, f in split_windows(c.frame.select(TIME), width)]
        for w, lo, hi in parts:
            old = spans.get(w, (lo, hi, ()))
            spans[w] = (min(old[0], lo), max(old[1], hi), tuple(dict.fromkeys((*old[2], *c.tags))))
    return spans
