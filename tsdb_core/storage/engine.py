"""The storage engine: one store's state and the collaborators that act on it.

Write: validate against the catalog (nothing touched yet) → WAL append → buffer + series
index (visible at once) → fsync (group commit) → return. Flush: detach the buffer (still
readable while it is written), rotate the WAL, write one Parquet file per window, commit them
in the catalog, then truncate the WAL. Everything that rewrites or removes files (compaction,
delete, retention, DROP) runs under one flush lock; writers only wait for the short steps
that swap state.

Collaborators, each given the shared :class:`~.state.EngineState` explicitly:
:class:`~.write_path.WritePath`, :class:`~.maintenance.Maintenance` (flush, compaction,
retention, deletes, the background schedule), :class:`~.recovery.Recovery` (opening, damaged
files), :class:`~.index_files.IndexFiles` (series index files), :class:`~.reads.Reader`, and
the :class:`~.lockfile.DirectoryLock` held while the store is open. A read-only store
(``StoreConfig.read_only``) takes no lock and opens no WAL: a :class:`~.readonly.CatalogFollower`
keeps its catalog in step with the writer's commits, and every change raises ReadOnlyStore.
A writer that loses its lease (storage/lease.py) becomes such a reader (:meth:`_become_reader`).
"""
from __future__ import annotations

import os
import threading
import time as _time
from collections.abc import Callable
from pathlib import Path
from typing import TypeVar

import polars as pl

from ..base.config import StoreConfig
from ..base.errors import DatabaseNotFound, FieldTypeConflict, PointsBeyondRetention, ReadOnlyStore, StorageError
from ..base.time import Clock
from ..base.types import TIME, FieldType, MeasurementBatch, WriteResult
from .admission import BEYOND_RETENTION
from .buffer import WriteBuffer
from .catalog_sql import SqlCatalog
from .fileio import mkdir_private, warn_if_shared
from .holds import RemovedFilesHold
from .identity import StoreIdentity
from .index_files import IndexFiles
from .lease import DataLease, LeaseLost
from .lockfile import DirectoryLock
from .maintenance import Maintenance
from .object_cache import CatalogSizes
from .objects import DataFiles, ObjectFiles, is_uri, local_dir, open_data_files
from .reads import Reader
from .readonly import CatalogFollower
from .recovery import Recovery, RecoveryReport
from .shard_groups import forget_unstored
from .state import EngineState
from .twin_keys import make_twins, new_twin_keys
from .wal import Wal
from .write_path import WritePath

T = TypeVar("T")


def _locate(root, wal_dir, endpoint_override, cache_bytes: int) -> tuple[Path | None, DataFiles | None]:
    """(the local directory, the data files) of a location: for a path both are that directory;
    for a remote URI the data files are in the bucket and the WAL, the lock, the series index
    and the catalog in ``wal_dir`` (default :func:`~.objects.local_dir_for`)."""
    if root is None:
        return None, None
    local = local_dir(root, wal_dir)
    if not is_uri(root):
        return local, None
    mkdir_private(local)
    return local, open_data_files(root, local, endpoint_override, cache_bytes)


def _live_files(st: EngineState) -> list:
    with st.lock:
        return st.catalog.all_files()


class StorageEngine:
    """An open store's storage: on disk (``root``) or in memory (``root is None``). Thread-safe."""

    def __init__(self, root: str | os.PathLike | None, config: StoreConfig, clock: Clock, *,
                 wal_dir: str | os.PathLike | None = None, endpoint_override: str | None = None,
                 on_commit: Callable[[], None] | None = None):
        """``on_commit``: called after every catalog commit of this writer (under its lock: keep it
        short); given, files leaving the catalog are also held until :meth:`release_removed`."""
        if config.read_only and root is None:
            raise StorageError("a read-only store needs a path: an in-memory store has no writer to follow")
        local, data = _locate(root, wal_dir, endpoint_override, config.object_cache_bytes)
        self.state = st = EngineState.new(local, config, clock, data)
        if isinstance(data, ObjectFiles):  # cached copies are checked against the catalog's sizes
            data.sizes = CatalogSizes(lambda: _live_files(st))
        self.read_only = config.read_only
        self.lock_file = DirectoryLock(self.state.root) if local is not None and not self.read_only else None
        self.index_files = IndexFiles(self.state)
        self.recovery = Recovery(self.state, self.index_files)
        self.maintenance = Maintenance(self.state, self.recovery, self.index_files)
        self.writes = WritePath(self.state, self.maintenance.maybe_flush)
        self.reads = Reader(self.state, self.recovery)
        self.follower = CatalogFollower(self.state, self.index_files, str(root)) if self.read_only else None
        self.lost: LeaseLost | None = None  # set when this writer lost its lease: it is a reader now
        self._switch: threading.Thread | None = None
        self._lost_lock = threading.Lock()
        self._serving = False  # a writer that finished opening (a lease lost while opening fails the open)
        self._on_commit = on_commit
        if on_commit is not None and local is not None and not self.read_only:
            self.state.hold = RemovedFilesHold(config.file_grace_s)
        if self.follower is not None:
            self.follower.open()
            self.state.catalog_store = self.follower.store
            try:
                StoreIdentity(self.state).check_reader()
            except BaseException:
                self.follower.close()
                raise
        elif self.lock_file is not None:
            self._open(self.lock_file)

    def writable(self, what: str) -> None:
        """Raise :class:`ReadOnlyStore` on a reader (before anything is touched)."""
        if self.lost is not None:
            raise LeaseLost(f"{self.lost}: it is read-only now and {what} is refused; its unflushed rows stay in "
                            f"its WAL ({self.state.root / 'wal'}) and are replayed when it next opens as the writer")
        if self.read_only:
            raise ReadOnlyStore(what)

    def refresh(self) -> bool:
        """A reader: load what the writer committed since the last look (cheap when nothing)."""
        return self.follower.refresh() if self.follower is not None and not self.state.closed else False

    def read(self, run: Callable[[], T]) -> T:
        """Run a query; a reader first follows the writer and may run it once more after a reload
        (storage/readonly.py: a file it listed was gone)."""
        if self.follower is None:
            return run()
        return self.follower.read(run)

    def committed_at(self) -> float | None:
        """When the writer committed the catalog this store serves (wall clock; None in memory or
        before the first commit that recorded it)."""
        if self.follower is not None:
            return self.follower.committed_at or None
        store = self.state.catalog_store
        if store is None or store.db is None:
            return None
        with store.lock:
            return store.db.execute("SELECT committed_at FROM catalog_state WHERE id = 1")[0][0] or None

    def catalog_version(self) -> int | None:
        """The catalog version this store serves (None in memory); a reader's may trail the writer's."""
        if self.follower is not None:
            return self.follower.version
        store = self.state.catalog_store
        if store is None or store.db is None:
            return None
        with store.lock:
            return store.db.execute("SELECT version FROM catalog_state WHERE id = 1")[0][0]

    def _open(self, lock: DirectoryLock) -> None:
        """Lock the directory, load the catalog, repair what a crash left, replay the WAL."""
        st = self.state
        mkdir_private(st.root)
        warn_if_shared(st.root)
        lock.acquire()
        try:
            st.catalog_store = SqlCatalog(st.root, st.config.catalog)
            st.catalog_store.lease_s, st.catalog_store.on_lost = st.config.lease_s, self._lease_lost
            st.catalog_store.grace_s = st.config.file_grace_s
            if st.hold is not None:
                st.catalog_store.on_commit = self._committed
            st.catalog = st.catalog_store.open()
            identity = StoreIdentity(st)
            identity.check_writer()
            if st.catalog.damage is None:  # else once recovery has set it aside (catalog_sql.py)
                st.catalog_store.take_lease()
            if not st.files.data.local:  # before anything is rebuilt or swept in the bucket
                lease = DataLease(st.files.data, str(st.root), st.config.lease_s)
                lease.on_lost = self._lease_lost
                lease.acquire()
                st.catalog_store.data_lease = lease
            self.recovery.open_files()
            identity.settle()
            self.recovery.load_index()
            st.wal = Wal(st.root / "wal", segment_bytes=st.config.wal_segment_bytes, fsync=st.config.wal_fsync)
            self.recovery.replay()
            forget_unstored(st)  # what failed writes created (storage/shard_groups.py)
            if st.hold is not None:
                st.hold.opened_at = self.catalog_version()
            self._serving = True
        except BaseException:
            if st.catalog_store is not None:
                st.catalog_store.close()
            lock.release()
            raise

    # -- a lost lease ------------------------------------------------------------------
    def _lease_lost(self, err: LeaseLost) -> None:
        """A lease found another writer (any thread, maybe inside a commit): refuse every change
        from now on, and turn into a reader in a thread of its own (it waits for running work)."""
        with self._lost_lock:  # not the state's lock: a commit holding it may be what found this
            if self.lost is not None or self.state.closed or not self._serving:
                return
            self.lost = err
            self._switch = threading.Thread(target=self._become_reader, name="tsdb-lease-lost", daemon=True)
            self._switch.start()

    def _become_reader(self) -> None:
        """Stop background work and renewals, drop the buffered rows (they stay in the WAL), and
        follow the catalog like a read-only store through the connection the writer had."""
        st = self.state
        self.maintenance.stop_background()
        store = st.catalog_store
        for lease in (store.lease, store.data_lease):
            if lease is not None:
                lease.stop()
        with st.flush_lock, st.lock:
            if st.closed:
                return
            st.buffer, st.flushing = WriteBuffer(), None
            if st.wal is not None:
                st.wal.close()
                st.wal = None
            follower = CatalogFollower(st, self.index_files)
            follower.follow(store)
            st.catalog_store, self.follower, self.read_only = follower.store, follower, True
        try:
            follower.refresh()
        except Exception as e:  # noqa: BLE001 - queries refresh again
            st.health.failed(e)

    # -- writes ----------------------------------------------------------------------
    def write_batches(self, db: str, rp: str | None, batches: list[MeasurementBatch], now: int,
                      body: bytes | None = None, *, auto_create: bool = True,
                      conflicts: dict | None = None, twins: bool = True) -> WriteResult:
        """Validate and store ``batches``; durable and visible when this returns."""
        self.writable("writing")
        if twins:  # a tag key naming a field stored before: the field moves to its twin column first
            name = self.writes.split_name(db, rp)[0]
            for measurement, keys in new_twin_keys(self.state.catalog.databases.get(name), batches).items():
                make_twins(self.maintenance, name, measurement, keys)
        return self.writes.write(db, rp, batches, now, body, auto_create=auto_create, conflicts=conflicts,
                                 twins=twins)

    def write_frame(self, db: str, rp: str | None, measurement: str, frame: pl.DataFrame,
                    tags: tuple[str, ...], fields: dict[str, FieldType]) -> int:
        """Write rows of an existing database; rejected rows raise after the rest is written."""
        self.writable("writing (SELECT INTO)")
        if db not in self.state.catalog.databases:
            raise DatabaseNotFound(db)
        batch = MeasurementBatch(measurement, frame.select([TIME, *tags, *fields]), tuple(tags), dict(fields))
        res = self.writes.write(db, rp, [batch], self.state.clock(), None, auto_create=False)
        if res.errors:
            reason = res.errors[0].reason
            exc = PointsBeyondRetention if reason == BEYOND_RETENTION else FieldTypeConflict
            raise exc(f"partial write: {reason} dropped={len(res.errors)}")
        return res.points_written

    # -- upkeep ------------------------------------------------------------------------
    def flush(self) -> None:
        self.writable("flush")
        with self.state.flush_lock:
            self.state.check_open()
            self.maintenance.flush()

    def compact(self, windows=None) -> int:
        """Merge every window holding two files or more (of ``windows`` only: (db, rp,
        measurement, window start) each)."""
        self.writable("compaction")
        keys = None if windows is None else {w[:3] for w in windows}
        with self.state.flush_lock:
            self.state.check_open()
            return self.maintenance.compact(min_files=2, keys=keys, windows=windows)

    # -- a follower of the live files (storage/holds.py) -----------------------------------
    def _committed(self, version: int, gone: list[int]) -> None:
        if self.state.hold is not None:
            self.state.hold.buried(version, gone)
        if self._on_commit is not None:
            self._on_commit()

    def release_removed(self, version: int | None) -> None:
        """The follower given as ``on_commit`` lists the live files of catalog ``version`` now:
        the files removed up to it may be deleted ``file_grace_s`` from now."""
        st = self.state
        now = _time.time()
        if st.hold is None or st.closed or not st.hold.release(version, now):
            return
        store = st.catalog_store
        if store is not None:
            store.next_reap = min(store.next_reap, now + st.hold.grace_s)
        if not self.read_only:
            self.maintenance.reap()

    def enforce_retention(self) -> int:
        self.writable("enforcing retention")
        return self.maintenance.enforce_retention()

    # -- DDL ---------------------------------------------------------------------------
    def create_database(self, name: str, **settings) -> None:
        self._change_catalog(lambda catalog: catalog.create_database(name, **settings))

    def drop_database(self, name: str) -> None:
        self.writable("DROP DATABASE")
        self.maintenance.drop(lambda: self.state.catalog.drop_database(name), lambda k: k[0] == name)

    def create_retention_policy(self, db: str, name: str, **settings) -> None:
        self._change_catalog(lambda catalog: catalog.create_retention_policy(db, name, **settings))

    def alter_retention_policy(self, db: str, name: str, **changes) -> None:
        self._change_catalog(lambda catalog: catalog.alter_retention_policy(db, name, **changes))

    def _change_catalog(self, change) -> None:
        """Apply ``change(catalog)`` under the lock and commit it (the SQL catalog writes only what
        changed, so an idempotent CREATE commits nothing)."""
        self.writable("a change of databases or retention policies")
        st = self.state
        with st.lock:
            st.check_open()
            change(st.catalog)
            st.save_catalog()

    def drop_retention_policy(self, db: str, name: str) -> None:
        self.writable("DROP RETENTION POLICY")
        st = self.state
        st.catalog.database(db)
        self.maintenance.drop(lambda: st.catalog.drop_retention_policy(db, name), lambda k: k[:2] == (db, name))

    def drop_measurement(self, db: str, measurement: str) -> None:
        self.writable("DROP MEASUREMENT")
        st = self.state
        st.catalog.database(db)
        self.maintenance.drop(lambda: st.catalog.drop_measurement(db, measurement),
                              lambda k: k[0] == db and k[2] == measurement)

    def delete(self, db: str, measurement: str | None, start: int, end: int,
               predicate: pl.Expr | None = None) -> None:
        self.writable("DELETE")
        self.maintenance.delete(db, measurement, start, end, predicate)

    # -- lifecycle -----------------------------------------------------------------------
    @property
    def closed(self) -> bool:
        return self.state.closed

    @property
    def recovery_report(self) -> RecoveryReport:
        return self.recovery.report

    def start_background(self, interval_s: float) -> None:
        self.writable("background flush and retention")
        self.maintenance.start_background(interval_s)

    def close(self) -> None:
        """Flush the buffer, stop background work, release the lock file (idempotent)."""
        st = self.state
        if st.closed:
            return
        with self._lost_lock:
            switch = self._switch
        if switch is not None:
            switch.join()
        if self.follower is not None:
            self.follower.close()
            if self.lock_file is not None:  # a writer that lost its lease: its WAL stays for its next open
                self.lock_file.release()
            return
        self.maintenance.stop_background()
        with st.flush_lock, st.lock:
            if st.closed:
                return
            try:
                self.maintenance.flush(isolate=True)
            finally:
                st.closed = True
                if st.wal is not None:
                    st.wal.close()
                try:
                    st.save_catalog()
                    self.maintenance.reap()  # due ones only: the next writer reaps the rest
                finally:
                    if st.catalog_store is not None:
                        st.catalog_store.close()
                    if self.lock_file is not None:
                        self.lock_file.release()

    def release_if_forgotten(self) -> None:
        """Release the lock file of a store dropped without close() (nothing else is safe then)."""
        if not self.state.closed and self.lock_file is not None:
            self.lock_file.release()

    def health(self) -> dict:
        out = self.state.health.status()
        out["recovery"] = self.recovery.report.lines()
        if self.lost is not None:  # a writer turned reader: what it was is worth an alert
            out["status"], out["lease_lost"] = "degraded", str(self.lost)
        return out
