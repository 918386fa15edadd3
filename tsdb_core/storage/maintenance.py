"""Upkeep of a store's files: flush, compaction, retention, deletes and drops, burying and
reaping replaced files, and the background schedule.

Everything that rewrites or removes files runs under the state's flush lock.
"""
from __future__ import annotations

import logging
import math
import threading
import time as _time
from collections.abc import Callable
from typing import NamedTuple

import polars as pl

from ..base.errors import StorageError
from ..base.types import TIME
from . import compaction, retention
from .buffer import WriteBuffer
from .catalog import FileMeta
from .index_files import IndexFiles
from .isolation import describe
from .isolation import isolate as _isolate
from .partitions import Source, dirty_flags, prepare, sort_tags, split_windows, window_bounds
from .paths import file_relpath
from .recovery import Recovery
from .state import EngineState, Key
from .wal_record import WalEntry

log = logging.getLogger("tsdb_core.store")  # the facade's logger: messages keep their source name


class Maintenance:
    """Flush, compaction, retention, deletes and the background thread of one store."""

    def __init__(self, state: EngineState, recovery: Recovery, index_files: IndexFiles):
        self.state = state
        self.recovery = recovery
        self.index_files = index_files
        self._graveyard: list[tuple[float, FileMeta]] = []
        self._bg: threading.Thread | None = None
        self._bg_stop = threading.Event()
        self.warmed = threading.Event()  # set once warm() read ahead (StoreConfig.read_ahead)

    # -- flush ---------------------------------------------------------------------
    def maybe_flush(self) -> None:
        """Flush by size or age; never raises (a write that is in the WAL is acknowledged even
        when the flush after it fails: the failure is logged, retried with backoff, reported)."""
        st = self.state
        b = st.buffer
        if b.rows >= st.config.buffer_max_rows or (b and b.age() >= st.config.buffer_max_age_s):
            if st.health.waiting():
                return
            if st.flush_lock.acquire(blocking=False):
                try:
                    if not st.closed:
                        self.flush()
                except Exception:  # noqa: BLE001 - recorded by flush; the writer goes on
                    pass
                finally:
                    st.flush_lock.release()

    def flush(self, isolate: bool = False) -> None:
        """Write the buffer to Parquet, commit, then truncate the WAL.

        A measurement whose rows fail to write (not an OSError) is counted; after
        ``flush_isolate_after`` failures in a row (or at once with ``isolate``) its rows are set
        aside (storage/isolation.py) and the others are committed. Otherwise the failed rows go
        back to the buffer, the WAL keeps everything, and StorageError is raised.
        """
        try:
            self._flush_once(isolate)
        except (KeyboardInterrupt, SystemExit):
            raise
        except BaseException as e:  # a Rust panic (PanicException) is not an Exception
            self.state.health.failed(e)
            if isinstance(e, Exception):
                raise
            raise StorageError(f"flush failed, rows kept in the buffer and the WAL: {describe(e)}") from e

    def _flush_once(self, isolate: bool) -> None:
        st = self.state
        detached = self._detach()
        if detached is None:
            return
        seq, snap, plan = detached
        failed: dict[Key, BaseException] = {}
        try:
            written = self._write_plan(plan, failed, snap)
            kept = self._set_aside_failed(plan, failed, isolate)
            self._commit(written, kept, snap)
        except BaseException:
            with st.lock:
                self._put_back(snap)
            raise
        if kept:
            k, e = next(iter((k, failed[k]) for k in kept))
            raise StorageError(f"flush failed for {k[0]}.{k[1]}.{k[2]}, rows kept in the buffer and the WAL: "
                               f"{describe(e)}") from e
        if st.wal is not None:
            st.wal.truncate_through(seq)
        st.health.succeeded({p[0] for p in plan})
        self.reap()
        self.compact(min_files=st.config.compact_min_files, keys={f.key for f in written})

    def _detach(self):
        """Swap in an empty buffer; (WAL sequence, the old buffer, what to write), or None when empty."""
        st = self.state
        with st.lock:
            if not st.buffer:
                return None
            # Rotate first: if that fails (disk full) nothing has moved yet.
            seq = st.wal.rotate() if st.wal is not None else 0
            snap, st.buffer = st.buffer, WriteBuffer(sorting=st.buffer.sorting)
            snap.retired = True  # read until committed, no longer kept sorted by writes
            st.flushing = snap
            plan = []
            for key, chunks in snap.parts.items():
                d = st.catalog.databases.get(key[0])
                pol = d.rps.get(key[1]) if d else None
                meta = d.measurements.get(key[2]) if d else None
                if pol is None or meta is None:
                    continue  # dropped meanwhile
                plan.append((key, chunks, pol.shard_group_duration, tuple(sorted(meta.tags)), meta.field_columns()))
        return seq, snap, plan

    def _write_plan(self, plan, failed: dict[Key, BaseException], snap: WriteBuffer) -> list[FileMeta]:
        """Write each measurement's files; one whose rows cannot be written goes to ``failed``.
        Rows the queries had sorted into one piece (``snap``'s views) are written as they are."""
        written: list[FileMeta] = []
        for key, chunks, width, tags, fields in plan:
            try:
                view = snap.views.get(key)
                written.extend(self._write_chunks(key, chunks, width, tags, fields,
                                                  view.whole(chunks, tags, fields) if view is not None else None))
            except (OSError, KeyboardInterrupt, SystemExit):
                raise  # the environment (disk full, I/O), not these rows: retried whole
            except BaseException as e:  # noqa: BLE001 - these rows cannot be written
                failed[key] = e
        return written

    def _set_aside_failed(self, plan, failed: dict[Key, BaseException], isolate: bool) -> dict[Key, list]:
        """Isolate the failed measurements that failed often enough; the chunks of the others."""
        st = self.state
        kept: dict[Key, list] = {}
        for key, chunks, _w, _t, fields in plan:
            if key not in failed:
                continue
            if isolate or st.health.count(key) >= st.config.flush_isolate_after:
                entries = [WalEntry(key[2], c.tags, {f: t for f, t in fields.items() if f in c.frame.columns},
                                    c.frame) for c in chunks]
                _isolate(st.health, st.root, key, entries, failed[key])
            else:
                kept[key] = chunks
        return kept

    def _commit(self, written: list[FileMeta], kept: dict[Key, list], snap: WriteBuffer) -> None:
        st = self.state
        with st.lock:
            for f in written:
                st.catalog.add_file(f)
            try:
                st.save_catalog()
            except BaseException:
                st.catalog.replace_files(written, [])  # not committed: the next flush writes them again
                raise
            self.index_files.save({f.key for f in written})  # derived: after the commit
            st.flushing = None
            if kept:  # back in front of newer rows; the WAL still has them
                rows = sum(c.frame.height for cl in kept.values() for c in cl)
                self._put_back(WriteBuffer(parts=dict(kept), rows=rows, first_write=snap.first_write,
                                           sorting=snap.sorting))

    def _put_back(self, snap: WriteBuffer) -> None:
        """``snap``'s rows in front of the buffer's (they are older), as the buffer (lock held)."""
        st = self.state
        for key, chunks in snap.parts.items():
            snap.parts[key] = chunks + st.buffer.parts.get(key, [])
        for key, chunks in st.buffer.parts.items():
            snap.parts.setdefault(key, chunks)
        snap.rows += st.buffer.rows
        snap.retired = False
        if snap.first_write is None:
            snap.first_write = st.buffer.first_write
        st.buffer, st.flushing = snap, None

    # -- writing files ---------------------------------------------------------------
    def _write_chunks(self, key: Key, chunks, width: int, tags, fields,
                      prepared: pl.DataFrame | None = None) -> list[FileMeta]:
        """The files of ``chunks``; ``prepared``: their rows already sorted and merged (a
        buffer view's pieces), written as they are; a window whose tags sort in another order
        than the whole's (``sort_tags``) is sorted again, as a flush of its rows alone would."""
        if prepared is not None:
            windows = split_windows(prepared, width)
            if len(windows) == 1:
                start, end = window_bounds(windows[0][0], width)
                return [self.write_file(key, start, end, prepared, tags, fields)]
            tcols = [c for c in prepared.columns if c in tags]
            order = sort_tags(prepared, tcols)
            out = []
            for w, part in windows:
                start, end = window_bounds(w, width)
                same = sort_tags(part, tcols) == order and all(part.get_column(c).null_count() < part.height
                                                               for c in part.columns)
                out.append(self.write_file(key, start, end, part if same else prepare(part, tags, fields, False),
                                           tags, fields))
            return out
        dedup = any(dirty_flags([Source((0, i), c.tmin, c.tmax, (), c.is_unique) for i, c in enumerate(chunks)]))
        frame = chunks[0].frame if len(chunks) == 1 else pl.concat([c.frame for c in chunks], how="diagonal_relaxed",
                                                                    rechunk=False)
        out = []
        for w, part in split_windows(frame, width):
            start, end = window_bounds(w, width)
            out.append(self.write_file(key, start, end, prepare(part, tags, fields, dedup), tags, fields))
        return out

    def write_file(self, key: Key, w: int, wend: int, frame: pl.DataFrame, tags, fields) -> FileMeta:
        """One file of window [w, wend] of ``key`` holding ``frame`` (prepared: sorted, deduplicated)."""
        return self._write_parts(key, w, wend, [frame], tags, fields,
                                 sort_tags(frame, [c for c in frame.columns if c in tags]))

    def _write_parts(self, key: Key, w: int, wend: int, parts, tags, fields, order) -> FileMeta | None:
        """One file of prepared frames (``Files.write_parts``); None when they hold no rows."""
        st = self.state
        with st.lock:
            fid = st.catalog.allocate_file_id()
        rel = file_relpath(*key, w, fid) if st.root is not None else ""
        wr = st.files.write_parts(fid, rel, parts, tags, fields, order)
        return None if wr is None else FileMeta(fid, *key, w, wend, wr.tmin, wr.tmax, wr.rows, wr.size, wr.columns, rel)

    # -- compaction, retention, deletes ------------------------------------------------
    def compact(self, min_files: int, keys=None, windows=None) -> int:
        """Merge each window of ``keys`` (all when None) holding ``min_files`` files or more;
        ``windows``: only those ((db, rp, measurement, window start) each)."""
        st = self.state
        with st.flush_lock:
            with st.lock:
                groups = compaction.windows_to_compact(st.catalog, min_files, keys)
            if windows is not None:
                groups = [g for g in groups if (*g[0].key, g[0].window_start) in windows]
            n = sum(self._compact_window(group) for group in groups)
            self.reap()
            return n

    def _compact_window(self, group: list[FileMeta]) -> bool:
        """Merge the files of one window into one (flush lock held); whether it was merged."""
        st = self.state
        f0 = group[0]
        with st.lock:
            meta = st.catalog.databases[f0.db].measurements.get(f0.measurement)
            if meta is None:
                return False
            tags, fields = tuple(sorted(meta.tags)), meta.field_columns()
            series = st.index.series(f0.key)
        try:
            # slice by slice into one file (compaction.py): the merge happens while writing
            order, parts = compaction.merge_slices(st.files, group, tags, fields, series,
                                                   st.config.compact_slice_rows)
            out = self._write_parts(f0.key, f0.window_start, f0.window_end, parts, tags, fields, order)
        except Exception as e:
            # a damaged input must not fail every later compaction: move it aside, go on
            if not self.recovery.after_read_error(e, group):
                raise
            return False
        with st.lock:
            st.catalog.replace_files(group, [out] if out is not None else [])
            st.save_catalog()
            self.index_files.save({f0.key})  # same series, new file ids: restamp it
            self.bury(group)
        return True

    def enforce_retention(self) -> int:
        """Delete windows wholly older than now − duration; returns the number of files removed."""
        st = self.state
        with st.flush_lock:
            st.check_open()
            with st.lock:
                expired = retention.expired_files(st.catalog, st.clock())
                if not expired:
                    return 0
                st.catalog.replace_files(expired, [])
                st.save_catalog()
                self.bury(expired)
                self.recovery.rebuild_index({f.key for f in expired})
            self.reap()
            return len(expired)

    def drop(self, mutate: Callable[[], list[FileMeta]], pred: Callable[[Key], bool]) -> None:
        """DROP: flush first (so the WAL cannot resurrect the rows), then ``mutate`` the catalog
        (it returns the files it forgot), forget the index entries matching ``pred``, delete."""
        st = self.state
        with st.flush_lock, st.lock:
            st.check_open()
            self.flush(isolate=True)  # rows that cannot be written are set aside, not in the way
            gone = mutate()
            st.index.drop(pred)
            st.forget_opened(pred)
            st.save_catalog()
            self.bury(gone)
        self.reap()

    def delete(self, db: str, measurement: str | None, start: int, end: int,
               predicate: pl.Expr | None = None) -> None:
        """DELETE / DROP SERIES: rewrite the affected files without the matching rows (all policies)."""
        st = self.state
        with st.flush_lock, st.lock:
            st.check_open()
            database = st.catalog.database(db)
            self.flush(isolate=True)
            cond = pl.col(TIME).is_between(start, end)
            if predicate is not None:
                cond = cond & predicate.fill_null(False)
            touched: set[Key] = set()
            for key, fl in list(st.catalog.files.items()):
                meta = database.measurements.get(key[2])
                if key[0] != db or (measurement is not None and key[2] != measurement) or meta is None:
                    continue
                tags, fields = tuple(sorted(meta.tags)), meta.field_columns()
                for f in list(fl):
                    if f.tmax >= start and f.tmin <= end and self._rewrite_without(f, cond, tags, fields):
                        touched.add(key)
            if touched:
                for m in {k[2] for k in touched}:
                    if not any(k[0] == db and k[2] == m for k in st.catalog.files):
                        database.measurements.pop(m, None)
                st.save_catalog()
                self.recovery.rebuild_index(touched)  # derived files after the commit
        self.reap()

    def _rewrite_without(self, f: FileMeta, cond: pl.Expr, tags: tuple[str, ...], fields: dict) -> bool:
        """Replace ``f`` by a copy without the rows matching ``cond`` (none left: no copy);
        whether any row matched."""
        st = self.state
        frame = st.files.read(f)
        full = frame.with_columns([pl.lit(None, pl.String).alias(t) for t in tags if t not in frame.columns])
        drop = full.select(cond.fill_null(False)).to_series()
        if not drop.any():
            return False
        kept = frame.filter(~drop)
        new = [self.write_file(f.key, f.window_start, f.window_end, kept, tags, fields)] if kept.height else []
        st.catalog.replace_files([f], new)
        self.bury([f])
        return True

    # -- replaced files ------------------------------------------------------------------
    def bury(self, files: list[FileMeta]) -> None:
        """Files out of the catalog: deleted after ``file_grace_s`` (scans, this process's or a
        reader process's, may still read them). A store on disk records them in the catalog's
        graveyard in the commit that removed them (storage/catalog_sql.py), so a later writer
        deletes them when due and no open-time sweep deletes them early; an in-memory store
        keeps them here."""
        if self.state.catalog_store is None:
            deadline = _time.monotonic() + self.state.config.file_grace_s
            self._graveyard.extend((deadline, f) for f in files)

    def reap(self, force: bool = False) -> None:
        """Delete the buried files whose grace period is over (all of them with ``force``)."""
        st = self.state
        store = st.catalog_store
        if store is None:
            with st.lock:
                now = _time.monotonic()
                due = [f for t, f in self._graveyard if force or t <= now]
                self._graveyard = [(t, f) for t, f in self._graveyard if not (force or t <= now)]
            st.files.delete(due)
            return
        if store.db is None or (not force and _time.time() < store.next_reap):
            return  # nothing due yet: no SQL on the flush path
        with st.flush_lock:  # never rmdir a window directory a flush is writing into
            now = _time.time()
            try:
                rows = store.buried()
            except Exception as e:  # noqa: BLE001 - the catalog is out of reach: deleting can wait
                log.warning("reading the graveyard of replaced files failed (tried again later): %s", e)
                return
            if st.hold is not None:  # never while the follower may list them (storage/holds.py)
                held = {i: st.hold.deadline(i) for i, _p, _t in rows}
                rows = [(i, path, -math.inf if force and held[i] < math.inf else max(t, held[i]))
                        for i, path, t in rows]
                force = False
            due = [_Buried(i, path) for i, path, t in rows if force or t <= now]
            store.next_reap = min((t for _i, _p, t in rows if not (force or t <= now)), default=math.inf)
            st.files.delete(due)
            if st.files.data is not None:
                for f in due:
                    st.files.data.prune(f.path.rsplit("/", 1)[0])
            try:
                store.unbury([f.id for f in due])  # after the deletes: a crash between deletes them again
                if st.hold is not None:
                    st.hold.forget([f.id for f in due])
            except Exception as e:  # noqa: BLE001 - the entries stay: deleted again (a no-op) next time
                log.warning("forgetting deleted files in the graveyard failed: %s", e)
                store.next_reap = -math.inf

    # -- the schedule ----------------------------------------------------------------------
    @property
    def background_running(self) -> bool:
        return self._bg is not None and self._bg.is_alive()

    def start_background(self, interval_s: float) -> None:
        """Flush by age/size and enforce retention every ``interval_s`` until :meth:`stop_background`."""
        if self._bg is not None:
            return
        self._bg_stop.clear()
        self._bg = threading.Thread(target=self._background, args=(interval_s,), name="tsdb-background",
                                    daemon=True)
        self._bg.start()

    def stop_background(self) -> None:
        if self._bg is not None:
            self._bg_stop.set()
            self._bg.join()
            self._bg = None

    def warm(self) -> None:
        """Each measurement's newest file read ahead (``Files.warm``), newest first, until half
        the decoded cache is used or the background work stops; a file that fails to read is
        left to the query that reads it."""
        st = self.state
        with st.lock:
            newest = []
            for (db, _rp, name), fl in st.catalog.files.items():
                meta = st.catalog.databases[db].measurements.get(name) if db in st.catalog.databases else None
                if fl and meta is not None:
                    newest.append((max(fl, key=lambda f: (f.tmax, f.id)), sorted(meta.tags)))
        for f, tags in sorted(newest, key=lambda n: n[0].tmax, reverse=True):
            if self._bg_stop.is_set():
                break
            try:
                if not st.files.warm(f, tags):
                    break
            except Exception as e:  # noqa: BLE001 - read ahead only: the query reports (and quarantines)
                log.debug("reading %s ahead failed: %s", f.path, e)
        self.warmed.set()

    def _background(self, interval_s: float) -> None:
        if self.state.config.read_ahead:
            self.warm()
        last_retention = 0.0
        while not self._bg_stop.wait(interval_s):
            try:
                self.maybe_flush()
                if _time.monotonic() - last_retention >= self.state.config.retention_check_interval_s:
                    last_retention = _time.monotonic()
                    self.enforce_retention()
                self.reap()
            except (KeyboardInterrupt, SystemExit):
                raise
            except BaseException:  # noqa: BLE001 - keep the schedule alive (a Rust panic included)
                log.exception("background flush/retention failed")


class _Buried(NamedTuple):
    """What deleting a buried file needs of it (``Files.delete``)."""

    id: int
    path: str
