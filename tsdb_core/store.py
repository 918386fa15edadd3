"""The facade that composes catalog, WAL, buffer, partitions and the query engine.

The write path, flush/compaction/reaping and open-time recovery live in mixins under
``storage/`` (write_path.py, maintenance.py, recovery.py); this class keeps the state and the
public API. Write: parse → validate against the catalog (nothing touched yet) → WAL append
→ buffer + series index (visible at once) → fsync (group commit) → return.
Flush: detach the buffer (still readable while it is written), rotate the WAL,
write one Parquet file per window, commit them in the catalog, then truncate
the WAL. Everything that rewrites or removes files (compaction, delete,
retention, DROP) runs under one flush lock; writers only wait for the short
steps that swap state.
"""
from __future__ import annotations

import functools
import os
import threading
from pathlib import Path

import polars as pl

from .storage.catalog import CATALOG_FILE, Catalog, FileMeta
from .base.config import StoreConfig
from .base.errors import DatabaseNotFound, FieldTypeConflict, PointsBeyondRetention, StorageError
from .storage.buffer import WriteBuffer
from .storage.wal import Wal
from .base.types import TIME, FieldType, MeasurementBatch, WriteResult
from .query.plan.cache import PlanCache
from .query.provider import Capabilities, MeasurementSchema, RetentionPolicyInfo
from .storage import retention
from .storage.fileio import atomic_write_bytes, mkdir_private, warn_if_shared
from .storage.index import SeriesIndex
from .storage.isolation import FlushHealth
from .storage.maintenance import FILE_GRACE_S, MaintenanceMixin  # noqa: F401 - FILE_GRACE_S re-exported
from .storage.partitions import Files, Source, build_frame, build_scan, dirty_flags
from .storage.recovery import LOCK_FILE, RecoveryMixin  # noqa: F401 - LOCK_FILE re-exported
from .storage.admission import BEYOND_RETENTION
from .storage.write_path import WritePathMixin
from .base.time import MAX_TIME, MIN_TIME, Clock, precision_multiplier, system_clock

Key = tuple[str, str, str]


class Store(WritePathMixin, MaintenanceMixin, RecoveryMixin):
    """An open store: on disk (``root``) or in memory (``root is None``). Thread-safe."""

    # scan(tags=...) keeps exactly the matching series' rows; numpy reads of cached files;
    # row counts from file metadata
    capabilities = Capabilities(exact_tag_scan=True, arrays=True, row_estimates=True)

    def __init__(self, root: str | os.PathLike | None = None, *, config: StoreConfig | None = None,
                 clock: Clock | None = None):
        self.root = Path(root) if root is not None else None
        self.config = config or StoreConfig()
        self.clock = clock or system_clock
        self._lock = threading.RLock()
        self._flush_lock = threading.RLock()
        self._files = Files(self.root, self.config)
        self._buffer = WriteBuffer()
        self._flushing: WriteBuffer | None = None
        self._index = SeriesIndex()
        self.plan_cache = PlanCache()  # SELECT plans, checked against the catalog on each use
        self._schemas: dict[tuple[str, str], tuple] = {}  # schema() answers (read-only to callers)
        self._frame_schemas: dict[tuple[str, str], tuple] = {}  # _frame_schema() answers
        self._graveyard: list[tuple[float, FileMeta]] = []
        self._health = FlushHealth(self.config.flush_retry_base_s, self.config.flush_retry_max_s)
        self._closed = False
        self._bg: threading.Thread | None = None
        self._bg_stop = threading.Event()
        self._lockfd: int | None = None
        self._wal: Wal | None = None
        if self.root is None:
            self._catalog = Catalog()
            return
        mkdir_private(self.root)
        warn_if_shared(self.root)
        self._take_lock()
        try:
            self._catalog = Catalog.load(self.root)
            self._remove_orphans()
            self._load_index()
            self._wal = Wal(self.root / "wal", segment_bytes=self.config.wal_segment_bytes,
                            fsync=self.config.wal_fsync)
            self._replay()
        except BaseException:
            self._release_lock()
            raise

    # ------------------------------------------------------------------ writes
    def write(self, db: str, body: bytes | str, precision: str = "ns", rp: str | None = None) -> WriteResult:
        """Parse and store a line-protocol body; returns once it is durable and queryable."""
        from .ingest.line_protocol import parse

        precision_multiplier(precision)
        if isinstance(body, str):
            body = body.encode()
        now = self.clock()
        parsed = parse(body, precision=precision, now=now)
        result = self._write_batches(db, rp, list(parsed.batches.values()), now, body, auto_create=True)
        if parsed.errors:
            result.errors = sorted([*parsed.errors, *result.errors], key=lambda e: e.line)
        return result

    def write_batches(self, db: str, batches: dict[str, MeasurementBatch] | list[MeasurementBatch],
                      rp: str | None = None) -> WriteResult:
        """Write already-columnar batches (DataFrame writes, tests): same validation and durability."""
        items = list(batches.values()) if isinstance(batches, dict) else list(batches)
        return self._write_batches(db, rp, items, self.clock(), None, auto_create=True)

    def write_frame(self, db: str, rp: str | None, measurement: str, frame: pl.DataFrame,
                    tags: tuple[str, ...], fields: dict[str, FieldType]) -> int:
        """Write rows durably (SELECT ... INTO); rejected rows raise after the rest is written."""
        if not self.has_database(db):
            raise DatabaseNotFound(db)
        cols = [TIME, *tags, *fields]
        batch = MeasurementBatch(measurement, frame.select(cols), tuple(tags), dict(fields))
        res = self._write_batches(db, rp, [batch], self.clock(), None, auto_create=False)
        if res.errors:
            reason = res.errors[0].reason
            exc = PointsBeyondRetention if reason == BEYOND_RETENTION else FieldTypeConflict
            raise exc(f"partial write: {reason} dropped={len(res.errors)}")
        return res.points_written

    def write_dataframe(self, db: str, df, measurement: str, *, tags=(), fields=None, time: str | None = "time",
                        precision: str = "ns", rp: str | None = None) -> WriteResult:
        """Write a Polars/pandas/Arrow frame as points, without going through text (see tsdb_core.ingest.dataframe)."""
        from .ingest.dataframe import write_dataframe
        return write_dataframe(self, db, df, measurement, tags=tags, fields=fields, time=time,
                               precision=precision, rp=rp)

    # ------------------------------------------------------------------ flush, compaction, retention
    def flush(self) -> None:
        """Write every buffered row to Parquet, then truncate the WAL."""
        with self._flush_lock:
            self._check_open()
            self._flush()

    def compact(self) -> int:
        """Merge every window holding two or more files; returns the number of windows merged."""
        with self._flush_lock:
            self._check_open()
            return self._compact(min_files=2)

    def enforce_retention(self) -> int:
        """Delete windows wholly older than now − duration; returns the number of files removed."""
        with self._flush_lock:
            self._check_open()
            with self._lock:
                expired = retention.expired_files(self._catalog, self.clock())
                if not expired:
                    return 0
                self._catalog.replace_files(expired, [])
                self._save_catalog()
                self._bury(expired)
                self._rebuild_index({f.key for f in expired})
            self._reap()
            return len(expired)

    # ------------------------------------------------------------------ DDL
    def create_database(self, name: str, *, duration: int | None = None, shard_duration: int | None = None,
                        replication: int | None = None, rp_name: str | None = None) -> None:
        """Create ``name`` (no-op if it exists) with a default policy: ``autogen`` infinite unless given."""
        with self._lock:
            self._check_open()
            if self._catalog.create_database(name, duration=duration, shard_duration=shard_duration,
                                             replication=replication, rp_name=rp_name):
                self._save_catalog()

    def drop_database(self, name: str) -> None:
        """Drop a database, its policies and every file of its data."""
        self._drop(lambda: self._catalog.drop_database(name), lambda k: k[0] == name)

    def create_retention_policy(self, db: str, name: str, *, duration: int, shard_duration: int = 0,
                                replication: int = 1, default: bool = False) -> None:
        """Add a policy; ``shard_duration`` 0 picks InfluxDB's default window for ``duration``."""
        with self._lock:
            self._check_open()
            self._catalog.create_retention_policy(db, name, duration=duration, shard_duration=shard_duration,
                                                  replication=replication, default=default)
            self._save_catalog()

    def alter_retention_policy(self, db: str, name: str, *, duration: int | None = None,
                               shard_duration: int | None = None, replication: int | None = None,
                               default: bool | None = None) -> None:
        """Change a policy's duration, window, replication or default flag (None = unchanged)."""
        with self._lock:
            self._check_open()
            self._catalog.alter_retention_policy(db, name, duration=duration, shard_duration=shard_duration,
                                                 replication=replication, default=default)
            self._save_catalog()

    def drop_retention_policy(self, db: str, name: str) -> None:
        """Drop a policy and its data."""
        self._catalog.database(db)
        self._drop(lambda: self._catalog.drop_retention_policy(db, name), lambda k: k[:2] == (db, name))

    def drop_measurement(self, db: str, measurement: str) -> None:
        """Drop a measurement's data and schema in every policy of ``db``."""
        self._catalog.database(db)
        self._drop(lambda: self._catalog.drop_measurement(db, measurement),
                   lambda k: k[0] == db and k[2] == measurement)

    def _drop(self, mutate, pred) -> None:
        """Flush first (so the WAL cannot resurrect the rows), then forget and delete."""
        with self._flush_lock, self._lock:
            self._check_open()
            self._flush(isolate=True)  # rows that cannot be written are set aside, not in the way
            gone = mutate()
            self._index.drop(pred)
            self._save_catalog()
            self._bury(gone)
        self._reap()

    def delete(self, db: str, measurement: str | None, start: int, end: int,
               predicate: pl.Expr | None = None) -> None:
        """DELETE / DROP SERIES: rewrite the affected files without the matching rows (all RPs)."""
        with self._flush_lock, self._lock:
            self._check_open()
            database = self._catalog.database(db)
            self._flush(isolate=True)
            touched: set[Key] = set()
            for key, fl in list(self._catalog.files.items()):
                if key[0] != db or (measurement is not None and key[2] != measurement):
                    continue
                meta = database.measurements.get(key[2])
                if meta is None:
                    continue
                tags, fields = tuple(sorted(meta.tags)), dict(meta.fields)
                for f in list(fl):
                    if f.tmax < start or f.tmin > end:
                        continue
                    frame = self._files.read(f)
                    full = frame.with_columns([pl.lit(None, pl.String).alias(t) for t in tags
                                               if t not in frame.columns])
                    cond = pl.col(TIME).is_between(start, end)
                    if predicate is not None:
                        cond = cond & predicate.fill_null(False)
                    drop = full.select(cond.fill_null(False)).to_series()
                    if not drop.any():
                        continue
                    kept = frame.filter(~drop)
                    new = [self._write_file(key, f.window_start, f.window_end, kept, tags, fields)] \
                        if kept.height else []
                    self._catalog.replace_files([f], new)
                    self._bury([f])
                    touched.add(key)
            if touched:
                for m in {k[2] for k in touched}:
                    if not any(k[0] == db and k[2] == m for k in self._catalog.files):
                        database.measurements.pop(m, None)
                self._save_catalog()
                self._rebuild_index(touched)  # derived files after the commit
        self._reap()

    # ------------------------------------------------------------------ reads
    def now(self) -> int:
        """The store's clock, in ns (``now()`` of InfluxQL, arrival time of timestamp-less lines)."""
        return self.clock()

    def scan(self, db: str, *args, rp: str | None = None, columns: list[str] | None = None,
             tags: dict[str, list[str]] | None = None, limit: tuple[int, bool] | None = None) -> pl.LazyFrame:
        """Merged, deduplicated rows as a LazyFrame (no particular order).

        Two call forms: ``scan(db, measurement, start=MIN, end=MAX, rp=None)`` (users, tests) and
        the DataProvider form ``scan(db, rp, measurement, start, end, columns=None)``. ``tags``
        (tag → values) keeps only matching series' rows; ``limit = (n, newest)`` may drop rows
        beyond the n oldest (newest) of each series (it keeps more, never fewer).
        """
        if len(args) >= 2 and isinstance(args[1], str):  # provider form: (rp, measurement, start, end[, columns])
            rp, measurement, *rest = args
            start, end = rest[0], rest[1]
            if len(rest) > 2:
                columns = rest[2]
        else:
            measurement, *rest = args
            start = rest[0] if len(rest) > 0 else MIN_TIME
            end = rest[1] if len(rest) > 1 else MAX_TIME
        return self._scan(db, rp, measurement, start, end, columns, tags, limit=limit)

    def scan_frame(self, db: str, rp: str, measurement: str, start: int, end: int,
                   columns: list[str] | None = None, tags: dict[str, list[str]] | None = None) -> pl.DataFrame:
        """:meth:`scan` (provider form), collected: cached files are sliced with eager calls."""
        return self._scan(db, rp, measurement, start, end, columns, tags, eager=True)

    def _frame_schema(self, db: str, measurement: str, meta) -> tuple[list[str], list[str], dict]:
        """(sorted tags, sorted fields, Polars schema) of a measurement, remembered as schema() is."""
        def build():
            tags, fields = sorted(meta.tags), sorted(meta.fields)
            return tags, fields, {TIME: pl.Int64(), **{t: pl.String() for t in tags},
                                  **{f: meta.fields[f].polars for f in fields}}

        return _remembered(self._frame_schemas, (db, measurement), meta, build)

    def scan_arrays(self, db: str, rp: str, measurement: str, start: int, end: int, columns: list[str],
                    tags: dict[str, list[str]]) -> dict[str, "np.ndarray"] | None:
        """``time`` and numeric ``columns`` of the series matching ``tags`` as numpy arrays, or
        None when that is not simple (buffered rows, overlapping files, nulls, strings): then
        :meth:`scan_frame`. Times ascend within each series, not across series."""
        found = self._array_files(db, rp, measurement, start, end, columns, tags)
        if found is None:
            return None
        files, tag_keys, start = found
        return self._files.select_arrays(files, tag_keys, tags, start, end, [TIME, *columns])

    def scan_series(self, db: str, rp: str, measurement: str, start: int, end: int, columns: list[str],
                    tags: dict[str, list[str]]):
        """:meth:`scan_arrays` when ``tags`` match one series: (its tag values, the arrays), times
        ascending; ``({}, empty arrays)`` when no series has rows; None when several series match
        or as scan_arrays."""
        found = self._array_files(db, rp, measurement, start, end, columns, tags)
        if found is None:
            return None
        files, tag_keys, start = found
        return self._files.series_arrays(files, tag_keys, tags, start, end, [TIME, *columns])

    def _array_files(self, db, rp, measurement, start, end, columns, tags):
        """(files, tag keys, start) when the numpy scans apply: every row in non-overlapping files."""
        with self._lock:
            self._check_open()
            pol = self._catalog.rp(db, rp)
            meta = self._catalog.databases[db].measurements.get(measurement)
            key = (db, pol.name, measurement)
            if meta is None or any(b is not None and b.chunks(key) for b in (self._flushing, self._buffer)):
                return None
            if any(t not in meta.tags for t in tags) or any(c not in meta.fields for c in columns):
                return None
            min_t = pol.min_time(self.clock())
            if min_t is not None:
                start = max(start, min_t)
            files = [f for f in self._catalog.files.get(key, ()) if f.tmax >= start and f.tmin <= end]
        if start > end or not files:
            return None
        sources = [Source((0, f.id), f.tmin, f.tmax, f.columns, True, file=f) for f in files]
        if any(dirty_flags(sources)):
            return None  # overlapping files: the merge decides which row wins
        self._note_scan(files)
        return files, sorted(meta.tags), start

    def _scan(self, db: str, rp: str | None, measurement: str, start: int, end: int,
              columns: list[str] | None, tag_values: dict[str, list[str]] | None = None,
              eager: bool = False, limit: tuple[int, bool] | None = None):
        with self._lock:
            self._check_open()
            pol = self._catalog.rp(db, rp)
            meta = self._catalog.databases[db].measurements.get(measurement)
            if meta is None:
                return pl.DataFrame(schema={TIME: pl.Int64}) if eager else pl.LazyFrame(schema={TIME: pl.Int64})
            tags, fields, schema = self._frame_schema(db, measurement, meta)
            if tag_values:
                tag_values = {k: v for k, v in tag_values.items() if k in meta.tags}
            out = [TIME, *tags, *fields] if columns is None else [TIME, *[c for c in columns if c in schema and c != TIME]]
            min_t = pol.min_time(self.clock())
            if min_t is not None:
                start = max(start, min_t)
            if start > end:
                empty = pl.DataFrame(schema={c: schema[c] for c in out})
                return empty if eager else empty.lazy()
            key = (db, pol.name, measurement)
            sources = [Source((0, f.id), f.tmin, f.tmax, f.columns, True, file=f)
                       for f in self._catalog.files.get(key, ())]
            for rank, buf in ((1, self._flushing), (2, self._buffer)):
                if buf is not None:
                    sources.extend(Source((rank, i), c.tmin, c.tmax, tuple(c.frame.columns), c.is_unique,
                                          frame=c.frame) for i, c in enumerate(buf.chunks(key)))
        self._note_scan([s.file for s in sources if s.file is not None])  # a failed read: which file
        if eager:
            return build_frame(self._files, sources, schema, tags, fields, start, end, out, tag_values)
        return build_scan(self._files, sources, schema, tags, fields, start, end, out, tag_values, limit)

    def row_estimate(self, db: str, rp: str | None, measurement: str, start: int, end: int) -> int:
        """Rows of a measurement with start <= time <= end, estimated without opening a file:
        each file's row count prorated by the share of its time range inside, plus buffered rows."""
        with self._lock:
            key = (db, self._catalog.rp(db, rp).name, measurement)
            n = 0.0
            for f in self._catalog.files.get(key, ()):
                if f.tmax >= start and f.tmin <= end:
                    n += f.rows * ((min(end, f.tmax) - max(start, f.tmin) + 1) / (f.tmax - f.tmin + 1))
            for buf in (self._flushing, self._buffer):
                if buf is not None:
                    n += sum(c.frame.height for c in buf.chunks(key) if c.tmax >= start and c.tmin <= end)
            return round(n)

    def files(self) -> list[FileMeta]:
        """The live Parquet files (catalog entries), oldest first."""
        with self._lock:
            return sorted(self._catalog.all_files(), key=lambda f: f.id)

    def databases(self) -> list[str]:
        """Database names, in creation order (as SHOW DATABASES lists them)."""
        with self._lock:
            return list(self._catalog.databases)

    def has_database(self, db: str) -> bool:
        """Whether ``db`` exists."""
        return db in self._catalog.databases

    def retention_policies(self, db: str) -> list[RetentionPolicyInfo]:
        """The policies of ``db``; raises DatabaseNotFound."""
        with self._lock:
            d = self._catalog.database(db)
            return [RetentionPolicyInfo(r.name, r.duration, r.shard_group_duration, r.replication,
                                        r.name == d.default_rp) for r in d.rps.values()]

    def resolve_rp(self, db: str, rp: str | None) -> str:
        """``rp``, or the default policy of ``db`` when ``rp`` is None or empty."""
        with self._lock:
            return self._catalog.rp(db, rp).name

    def measurements(self, db: str, rp: str | None = None) -> list[str]:
        """Measurements holding data (sorted); all policies when ``rp`` is None."""
        with self._lock:
            self._catalog.database(db)
            keys = set(self._catalog.files) | set(self._buffer.parts)
            if self._flushing is not None:
                keys |= set(self._flushing.parts)
            return sorted({k[2] for k in keys if k[0] == db and (rp is None or k[1] == rp)})

    def schema(self, db: str, measurement: str) -> MeasurementSchema | None:
        """Tag keys and field types of ``measurement`` in ``db``, or None if unknown."""
        with self._lock:
            d = self._catalog.databases.get(db)
            meta = d.measurements.get(measurement) if d else None
            if meta is None:
                return None
            return _remembered(self._schemas, (db, measurement), meta, lambda: MeasurementSchema(
                measurement, tuple(sorted(meta.tags)), {f: meta.fields[f] for f in sorted(meta.fields)}))

    def series(self, db: str, rp: str | None, measurement: str) -> pl.DataFrame:
        """Distinct tag sets (one String column per tag key); all policies when ``rp`` is None."""
        with self._lock:
            self._catalog.database(db)
            keys = [k for k in self._index.keys() if k[0] == db and k[2] == measurement
                    and (rp is None or k[1] == rp)]
            frames = [self._index.series(k) for k in keys]
        frames = [f for f in frames if f.height]
        if not frames:
            return pl.DataFrame()
        if len(frames) == 1:
            return frames[0]
        from .storage.index import _distinct
        return _distinct(frames)

    def tag_values(self, db: str, rp: str | None, measurement: str, tag: str) -> list[str]:
        """Distinct non-empty values of one tag key (sorted); all policies when ``rp`` is None."""
        with self._lock:
            self._catalog.database(db)
            parts = [self._index.tag_values(k, tag) for k in self._index.keys()
                     if k[0] == db and k[2] == measurement and (rp is None or k[1] == rp)]
        if len(parts) == 1:
            return list(parts[0])
        return sorted(set().union(*parts))

    def tag_keys(self, db: str, rp: str | None, measurement: str) -> list[str]:
        """Tag keys seen in the series of ``measurement`` (sorted)."""
        with self._lock:
            self._catalog.database(db)
            cols = {c for k in self._index.keys() if k[0] == db and k[2] == measurement
                    and (rp is None or k[1] == rp) for c in self._index.columns(k)}
        return sorted(cols)

    def query(self, q: str, db: str | None = None, rp: str | None = None, epoch: str | None = None,
              params: dict | None = None):
        """Run InfluxQL (one or more statements) and return a QueryResult; errors are per statement, not raised."""
        return _engine().execute(self, q, db=db, rp=rp, epoch=epoch, params=params)

    def prepare(self, q: str, params: dict | None = None):
        """Parse InfluxQL once (raises ParseError): inspect or authorise ``.statements``, then
        :meth:`execute` it without parsing again."""
        return _engine().prepare(q, params)

    def execute(self, prepared, db: str | None = None, rp: str | None = None, epoch: str | None = None):
        """Run a :meth:`prepare`\ d query; the same answers as :meth:`query` of its text."""
        return _engine().execute(self, prepared, db=db, rp=rp, epoch=epoch)

    # ------------------------------------------------------------------ lifecycle
    def start_background(self, interval_s: float = 1.0) -> None:
        """Flush by age/size and enforce retention on a schedule, until ``close()``."""
        if self._bg is not None:
            return
        self._bg_stop.clear()
        self._bg = threading.Thread(target=self._background, args=(interval_s,), name="tsdb-background",
                                    daemon=True)
        self._bg.start()

    def close(self) -> None:
        """Flush the buffer to Parquet, stop background work and release the store's lock."""
        if self._closed:
            return
        if self._bg is not None:
            self._bg_stop.set()
            self._bg.join()
            self._bg = None
        with self._flush_lock, self._lock:
            if self._closed:
                return
            try:
                self._flush(isolate=True)
            finally:
                self._closed = True
                if self._wal is not None:
                    self._wal.close()
                self._save_catalog()
                self._reap(force=True)
                self._release_lock()

    def health(self) -> dict:
        """``{"status": "ok" | "degraded", ...}``: failing flushes (with the last error) and the
        batches set aside in ``quarantine/flush/`` (storage/isolation.py), for monitoring."""
        out = self._health.status()
        out["recovery"] = self.recovery_report.lines()
        return out

    def __enter__(self) -> "Store":
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def __del__(self) -> None:  # a forgotten store must not keep its lock file
        try:
            if not self._closed and self._lockfd is not None:
                self._release_lock()
        except Exception:
            pass

    # ------------------------------------------------------------------ internals
    def _check_open(self) -> None:
        if self._closed:
            raise StorageError("store is closed")

    def _save_catalog(self) -> None:
        if self.root is not None:
            atomic_write_bytes(self.root / CATALOG_FILE, self._catalog.to_bytes())


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


@functools.cache
def _engine():
    """The query engine module, imported on first use (it imports this one; an import statement
    in :meth:`Store.query` would cost ~3 µs a query)."""
    from .query import engine

    return engine


def open(path: str | os.PathLike | None = None, *, config: StoreConfig | None = None,
         clock: Clock | None = None) -> Store:  # noqa: A001 - the public name is fixed
    """Open (creating if absent) the store at ``path``; ``None`` gives an in-memory store."""
    return Store(path, config=config, clock=clock)
