"""A read-only store: it follows the catalog another process (the writer) commits.

A reader takes no directory lock, no lease and no WAL, and writes nothing: not the catalog,
not the series index files, not the quarantine. It reloads the catalog when the writer has
committed since it last looked, so it sees what the writer has flushed; rows still in the
writer's buffer (its WAL) are not visible, so the writer's flush interval
(``buffer_max_age_s``) bounds how far behind it is. How it learns of a commit: on SQLite, one
small SELECT of the catalog's ``version`` before each query; on PostgreSQL, the writer's
commit NOTIFYs and one listening connection per reader (:class:`_Listener`) marks the catalog
stale, so a query costs no round trip; the version is still read every :data:`POLL_S`
seconds, and before every query while the listener is down.

Files the writer replaces or drops stay ``file_grace_s`` after their catalog entry goes (the
graveyard, storage/maintenance.py), so a query already reading them finishes. A query that
still finds a file gone (it ran longer than that, or the reader had not heard of the commit)
is run once more after a reload (:meth:`CatalogFollower.read`).
"""
from __future__ import annotations

import logging
import sqlite3
import threading
import time as _time
from collections.abc import Callable
from typing import TypeVar

import polars as pl

from ..base.errors import StorageError
from .catalog import Catalog, FileMeta
from .catalog_sql import (
    SCHEMA_VERSION,
    SQLITE_FILE,
    CatalogUnavailable,
    SqlCatalog,
    _pg_unavailable,
    _Postgres,
    _Sqlite,
)
from .index_files import IndexFiles
from .paths import measurement_dir
from .recovery import is_read_error
from .state import EngineState, Key

log = logging.getLogger("tsdb_core.store")  # the facade's logger: messages keep their source name

POLL_S = 5.0  # with a listener on PostgreSQL: read the catalog's version anyway this often
_RECONNECT_S = 1.0  # a broken listener connects again after this (doubling up to POLL_S)

T = TypeVar("T")


class ReaderCatalog(SqlCatalog):
    """The catalog tables, opened only to read: never created, migrated, leased or committed."""

    loaded_version = 0
    committed_at = loaded_committed_at = 0.0  # the writer's commit time (wall clock) of a version

    def open(self) -> Catalog:
        if not self.url and not (self.root / SQLITE_FILE).exists():
            raise StorageError(f"no store to read at {self.root}: {SQLITE_FILE} is missing (open it once "
                               "with a writer: it creates the catalog, or migrates an older store's)")
        try:
            self._connect()
            have = self.db.execute("SELECT max(version) FROM schema_version")[0][0] or 0
            if have != SCHEMA_VERSION:
                raise StorageError(f"catalog {self.where} has schema version {have}, this version of tsdb "
                                   f"reads {SCHEMA_VERSION}: open it with a writer of this version first")
            version = self.version()
            return self.load_at(version)
        except (CatalogUnavailable, StorageError):
            self.close()
            raise
        except Exception as e:  # a damaged catalog: only its writer may repair it
            self.close()
            raise StorageError(f"catalog {self.where} cannot be read: {type(e).__name__}: {e}") from e

    def _connect(self) -> None:
        try:
            self.db = _Postgres(self.url) if self.url else _Sqlite(self.root / SQLITE_FILE)
        except (*_unavailable(),) as e:
            raise CatalogUnavailable(f"catalog {self.where}: cannot open: {e}") from e

    def load_at(self, version: int) -> Catalog:
        """The committed catalog, remembered as of ``version`` (read before it: never newer)."""
        committed_at = self.committed_at
        cat = self.load()
        self.loaded_version, self.loaded_committed_at = version, committed_at
        return cat

    def version(self) -> int:
        """The committed catalog's version (it goes up with every commit of the writer); the time
        of that commit is kept as ``committed_at``."""
        try:
            with self.lock:
                version, self.committed_at = self.db.execute(
                    "SELECT version, committed_at FROM catalog_state WHERE id = 1")[0]
                return version
        except (*_unavailable(),) as e:
            raise CatalogUnavailable(f"catalog {self.where}: cannot read: {e}") from e

    def take_lease(self) -> None:
        raise StorageError("a read-only store takes no writer lease")

    def commit(self, cat: Catalog) -> None:
        raise StorageError("a read-only store commits nothing to the catalog")


def _unavailable() -> tuple[type[BaseException], ...]:
    return (sqlite3.OperationalError, *_pg_unavailable())


class CatalogFollower:
    """Keeps a reader's catalog, file caches and series index in step with the committed catalog."""

    def __init__(self, state: EngineState, index_files: IndexFiles, location: str = ""):
        self.state = state
        self.index_files = index_files
        self.location = location or str(state.root)
        self.store: ReaderCatalog | None = None
        self.listener: _Listener | None = None
        self.checked_at: float | None = None  # wall time of the last look at the catalog's version
        self._lock = threading.Lock()
        self._failed = threading.local()  # per thread: a read of this query failed (note_read_error)

    def open(self) -> None:
        st = self.state
        remote = st.files.data is not None and not st.files.data.local
        store = ReaderCatalog(st.root, st.config.catalog)
        if remote and not store.url and not (st.root / SQLITE_FILE).exists():
            raise StorageError(f"no catalog for {self.location} here ({st.root / SQLITE_FILE} is missing): a reader "
                               "of a store in object storage on another machine reads the writer's catalog in "
                               "PostgreSQL: open it with catalog='postgresql://...' (tsdb serve --catalog URL)")
        self.store = store
        try:
            st.catalog = self.store.open()
        except CatalogUnavailable as e:
            raise CatalogUnavailable(f"{e} (the catalog= / --catalog URL of the store at {self.location})") from e
        self.checked_at = _time.time()
        self._reindex({}, st.catalog.files)
        if self.store.url:
            self.listener = _Listener(self.store.url, self.store.db.channel)

    def follow(self, store: SqlCatalog) -> None:
        """A writer that lost its lease: follow its catalog through the connection it had
        (the next :meth:`refresh` loads it; the writer's store no longer commits)."""
        reader = ReaderCatalog(store.root, store.url)
        reader.db, store.db = store.db, None
        reader.loaded_version = -1
        self.store = reader
        self.checked_at = _time.time()

    @property
    def version(self) -> int:
        return self.store.loaded_version

    @property
    def committed_at(self) -> float:
        """When the writer committed the catalog version this reader serves (wall clock)."""
        return self.store.loaded_committed_at

    def before_query(self) -> None:
        """Reload if the writer may have committed: always on SQLite; on PostgreSQL when notified,
        every :data:`POLL_S` seconds, or whenever the listener is down."""
        lst = self.listener
        if lst is not None and lst.connected.is_set():
            if not lst.pending.is_set() and _time.time() - self.checked_at < POLL_S:
                return
            lst.pending.clear()  # before reading the version: a commit after it is heard again
        self.refresh()

    def read(self, run: Callable[[], T]) -> T:
        """``run()`` (a query) after :meth:`before_query`; when a file it listed was gone and a
        reload changes the catalog, once more on the new catalog. A file still listed and still
        missing fails as before (the writer's to repair: a reader moves nothing)."""
        self.before_query()
        self._failed.hit = False
        try:
            out = run()
        except Exception as e:
            if not (is_read_error(e) and self.refresh()):
                raise
            return run()
        if self._failed.hit and self.refresh():
            out = run()
        return out

    def note_read_error(self, exc: BaseException) -> None:
        """A statement of this thread's query failed reading (the query engine answers it as an error)."""
        if is_read_error(exc):
            self._failed.hit = True

    def refresh(self) -> bool:
        """Reload the catalog if the writer committed since the last look; whether it changed."""
        with self._lock:
            st = self.state
            if st.closed:
                return False
            now = self.store.version()
            self.checked_at = _time.time()
            if now == self.store.loaded_version:
                return False
            cat = self.store.load_at(now)  # read first: a commit in between is loaded again next time
            with st.lock:
                old, st.catalog = st.catalog.files, cat
                self._reindex(old, cat.files)
            return True

    def close(self) -> None:
        if self.listener is not None:
            self.listener.close()
        with self._lock, self.state.lock:
            self.state.closed = True
            if self.store is not None:
                self.store.close()

    def _reindex(self, old: dict[Key, list[FileMeta]], new: dict[Key, list[FileMeta]]) -> None:
        """Forget the caches of files gone; reload (or rebuild in memory) the index of changed keys."""
        st = self.state
        new_ids = {f.id for fl in new.values() for f in fl}
        st.files.forget([f for fl in old.values() for f in fl if f.id not in new_ids])
        for key in old.keys() | new.keys():
            before = {f.id for f in old.get(key, ())}
            after = new.get(key, [])
            if before == {f.id for f in after}:
                continue
            if after and st.index.load(key, st.root / measurement_dir(*key), [f.id for f in after]) is None:
                continue  # the writer's index file (same machine)
            if before and before <= {f.id for f in after} and self._add_files(key, [f for f in after
                                                                                   if f.id not in before]):
                continue
            st.index.drop(lambda k, key=key: k == key)
            if after:
                self.index_files.rebuild({key}, is_read_error)  # in memory; a damaged file is the writer's

    def _add_files(self, key: Key, files: list[FileMeta]) -> bool:
        """Only files were added (flushes): add their tag sets to the index instead of reading
        every file of ``key`` again (a reader on another machine has no index file to load);
        False when one cannot be read (then the caller rebuilds, leaving damaged files out)."""
        st = self.state
        meta = st.catalog.databases[key[0]].measurements.get(key[2])
        if meta is None:
            return False
        try:
            frames = []
            for f in files:
                tc = [t for t in f.columns if t in meta.tags]
                frames.append(st.files.read(f).select(tc).unique() if tc else pl.DataFrame(height=f.rows))
        except Exception as e:  # noqa: BLE001 - read errors only; anything else is a bug to show
            if not is_read_error(e):
                raise
            return False
        for fr in frames:
            st.index.add(key, fr)
        return True


class _Listener:
    """One PostgreSQL connection LISTENing on the catalog's channel (psycopg 3): each NOTIFY of
    the writer's commits sets ``pending``; ``connected`` is clear while the connection is down
    (then the reader reads the version before each query). Reconnects on its own."""

    def __init__(self, url: str, channel: str):
        self.url, self.channel = url, channel
        self.pending = threading.Event()
        self.connected = threading.Event()
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="tsdb-catalog-listener", daemon=True)
        self._thread.start()

    def _run(self) -> None:
        wait = _RECONNECT_S
        while not self._stop.is_set():
            try:
                self._listen()
                wait = _RECONNECT_S
            except Exception as e:  # noqa: BLE001 - the catalog is unreachable: poll meanwhile, try again
                log.warning("listening for catalog commits failed (%s); polling its version until it works", e)
                wait = min(wait * 2, POLL_S)
            finally:
                self.connected.clear()
            self._stop.wait(wait)

    def _listen(self) -> None:
        import psycopg
        from psycopg import sql

        with psycopg.connect(self.url, autocommit=True) as conn:
            conn.execute(sql.SQL("LISTEN {}").format(sql.Identifier(self.channel)))
            self.pending.set()  # commits made while not listening: look once
            self.connected.set()
            while not self._stop.is_set():
                for _ in conn.notifies(timeout=0.25):
                    self.pending.set()

    def close(self) -> None:
        self._stop.set()
        self._thread.join(timeout=2.0)
