"""Background upkeep of a store: flush, compaction, burying and reaping replaced files, the schedule.

A mixin of :class:`tsdb_core.store.Store` (its state lives there); split out so the facade stays small.
Everything that rewrites or removes files runs under the store's flush lock.
"""
from __future__ import annotations

import logging
import time as _time

import polars as pl

from .catalog import FileMeta
from ..base.errors import StorageError
from .buffer import WriteBuffer
from .wal import WalEntry
from . import compaction
from .fileio import prune_empty_dirs
from .isolation import describe
from .isolation import isolate as _isolate
from .partitions import Source, dirty_flags, prepare, sort_tags, split_windows, window_bounds
from .paths import file_relpath

log = logging.getLogger("tsdb_core.store")  # the facade's logger: messages keep their source name

Key = tuple[str, str, str]
FILE_GRACE_S = 60.0  # replaced files outlive their catalog entry this long (lazy scans in flight)


class MaintenanceMixin:
    """Flush, compaction, reaping and the background thread (the public entry points stay on Store)."""

    def _maybe_flush(self) -> None:
        """Flush by size or age; never raises (a write that is in the WAL is acknowledged even
        when the flush after it fails: the failure is logged, retried with backoff, reported)."""
        b = self._buffer
        if b.rows >= self.config.buffer_max_rows or (b and b.age() >= self.config.buffer_max_age_s):
            if self._health.waiting():
                return
            if self._flush_lock.acquire(blocking=False):
                try:
                    if not self._closed:
                        self._flush()
                except Exception:  # noqa: BLE001 - recorded by _flush; the writer goes on
                    pass
                finally:
                    self._flush_lock.release()

    def _flush(self, isolate: bool = False) -> None:
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
            self._health.failed(e)
            if isinstance(e, Exception):
                raise
            raise StorageError(f"flush failed, rows kept in the buffer and the WAL: {describe(e)}") from e

    def _flush_once(self, isolate: bool) -> None:
        with self._lock:
            if not self._buffer:
                return
            # Rotate first: if that fails (disk full) nothing has moved yet.
            seq = self._wal.rotate() if self._wal is not None else 0
            snap, self._buffer = self._buffer, WriteBuffer()
            self._flushing = snap
            plan = []
            for key, chunks in snap.parts.items():
                d = self._catalog.databases.get(key[0])
                pol = d.rps.get(key[1]) if d else None
                meta = d.measurements.get(key[2]) if d else None
                if pol is None or meta is None:
                    continue  # dropped meanwhile
                plan.append((key, chunks, pol.shard_group_duration, tuple(sorted(meta.tags)), dict(meta.fields)))
        failed: dict[Key, BaseException] = {}
        try:
            written: list[FileMeta] = []
            for key, chunks, width, tags, fields in plan:
                try:
                    written.extend(self._write_chunks(key, chunks, width, tags, fields))
                except (OSError, KeyboardInterrupt, SystemExit):
                    raise  # the environment (disk full, I/O), not these rows: retried whole
                except BaseException as e:  # noqa: BLE001 - these rows cannot be written
                    failed[key] = e
            kept: dict[Key, list] = {}
            for key, chunks, _w, _t, fields in plan:
                if key not in failed:
                    continue
                if isolate or self._health.count(key) >= self.config.flush_isolate_after:
                    entries = [WalEntry(key[2], c.tags, {f: t for f, t in fields.items() if f in c.frame.columns},
                                        c.frame) for c in chunks]
                    _isolate(self._health, self.root, key, entries, failed[key])
                else:
                    kept[key] = chunks
            with self._lock:
                for f in written:
                    self._catalog.add_file(f)
                self._save_catalog()
                self._save_index({f.key for f in written})  # derived: after the commit
                self._flushing = None
                if kept:  # back in front of newer rows; the WAL still has them
                    self._put_back(WriteBuffer(parts=dict(kept), rows=sum(c.frame.height for cl in kept.values()
                                                                         for c in cl),
                                               first_write=snap.first_write))
        except BaseException:
            with self._lock:
                self._put_back(snap)
            raise
        if kept:
            k, e = next(iter((k, failed[k]) for k in kept))
            raise StorageError(f"flush failed for {k[0]}.{k[1]}.{k[2]}, rows kept in the buffer and the WAL: "
                               f"{describe(e)}") from e
        if self._wal is not None:
            self._wal.truncate_through(seq)
        self._health.succeeded({p[0] for p in plan})
        self._reap()
        self._compact(min_files=self.config.compact_min_files, keys={f.key for f in written})

    def _put_back(self, snap: WriteBuffer) -> None:
        """``snap``'s rows in front of the buffer's (they are older), as the buffer (lock held)."""
        for key, chunks in snap.parts.items():
            snap.parts[key] = chunks + self._buffer.parts.get(key, [])
        for key, chunks in self._buffer.parts.items():
            snap.parts.setdefault(key, chunks)
        snap.rows += self._buffer.rows
        if snap.first_write is None:
            snap.first_write = self._buffer.first_write
        self._buffer, self._flushing = snap, None

    def _write_chunks(self, key: Key, chunks, width: int, tags, fields) -> list[FileMeta]:
        dedup = any(dirty_flags([Source((0, i), c.tmin, c.tmax, (), c.is_unique) for i, c in enumerate(chunks)]))
        frame = chunks[0].frame if len(chunks) == 1 else pl.concat([c.frame for c in chunks], how="diagonal_relaxed",
                                                                    rechunk=False)
        out = []
        for w, part in split_windows(frame, width):
            start, end = window_bounds(w, width)
            out.append(self._write_file(key, start, end, prepare(part, tags, fields, dedup), tags, fields))
        return out

    def _write_file(self, key: Key, w: int, wend: int, frame: pl.DataFrame, tags, fields) -> FileMeta:
        return self._write_parts(key, w, wend, [frame], tags, fields,
                                 sort_tags(frame, [c for c in frame.columns if c in tags]))

    def _write_parts(self, key: Key, w: int, wend: int, parts, tags, fields, order) -> FileMeta | None:
        """One file of prepared frames (``Files.write_parts``); None when they hold no rows."""
        with self._lock:
            fid = self._catalog.allocate_file_id()
        rel = file_relpath(*key, w, fid) if self.root is not None else ""
        wr = self._files.write_parts(fid, rel, parts, tags, fields, order)
        return None if wr is None else FileMeta(fid, *key, w, wend, wr.tmin, wr.tmax, wr.rows, wr.size, wr.columns, rel)

    def _compact(self, min_files: int, keys=None) -> int:
        with self._flush_lock:
            with self._lock:
                groups = compaction.windows_to_compact(self._catalog, min_files, keys)
            n = 0
            for group in groups:
                f0 = group[0]
                with self._lock:
                    meta = self._catalog.databases[f0.db].measurements.get(f0.measurement)
                    if meta is None:
                        continue
                    tags, fields = tuple(sorted(meta.tags)), dict(meta.fields)
                    series = self._index.series(f0.key)
                try:
                    # slice by slice into one file (compaction.py): the merge happens while writing
                    order, parts = compaction.merge_slices(self._files, group, tags, fields, series,
                                                           self.config.compact_slice_rows)
                    out = self._write_parts(f0.key, f0.window_start, f0.window_end, parts, tags, fields, order)
                except Exception as e:
                    # a damaged input must not fail every later compaction: move it aside, go on
                    if not self.after_read_error(e, group):
                        raise
                    continue
                new = [out] if out is not None else []
                with self._lock:
                    self._catalog.replace_files(group, new)
                    self._save_catalog()
                    self._save_index({f0.key})  # same series, new file ids: restamp it
                    self._bury(group)
                n += 1
            self._reap()
            return n

    def _bury(self, files: list[FileMeta], grace: float = FILE_GRACE_S) -> None:
        """Files out of the catalog: deleted after a grace period (scans may still read them)."""
        deadline = _time.monotonic() + grace
        self._graveyard.extend((deadline, f) for f in files)

    def _reap(self, force: bool = False) -> None:
        with self._flush_lock:  # never rmdir a window directory a flush is writing into
            self._reap_locked(force)

    def _reap_locked(self, force: bool) -> None:
        with self._lock:
            now = _time.monotonic()
            due = [f for t, f in self._graveyard if force or t <= now]
            self._graveyard = [(t, f) for t, f in self._graveyard if not (force or t <= now)]
        self._files.delete(due)
        if self.root is not None:
            for f in due:
                prune_empty_dirs((self.root / f.path).parent, self.root)

    def _background(self, interval_s: float) -> None:
        last_retention = 0.0
        while not self._bg_stop.wait(interval_s):
            try:
                self._maybe_flush()
                if _time.monotonic() - last_retention >= self.config.retention_check_interval_s:
                    last_retention = _time.monotonic()
                    self.enforce_retention()
                self._reap()
            except (KeyboardInterrupt, SystemExit):
                raise
            except BaseException:  # noqa: BLE001 - keep the schedule alive (a Rust panic included)
                log.exception("background flush/retention failed")
