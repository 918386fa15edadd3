"""A read-only store: it follows the catalog another process (the writer) commits.

A reader takes no directory lock, no lease and no WAL, and writes nothing: not the catalog,
not the series index files, not the quarantine. Before a query it reads the catalog's
``version`` (one small SELECT) and reloads the catalog only when the version moved, so it sees
what the writer has flushed and committed; rows still in the writer's buffer (its WAL) are
not visible, so the writer's flush interval (``buffer_max_age_s``) bounds how far behind it is.
Files the writer replaces or drops stay ``file_grace_s`` after their catalog entry goes
(storage/maintenance.py), so a query already reading them finishes.
"""
from __future__ import annotations

import sqlite3
import threading
import time as _time

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


class ReaderCatalog(SqlCatalog):
    """The catalog tables, opened only to read: never created, migrated, leased or committed."""

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
        cat = self.load()
        self.loaded_version = version
        return cat

    def version(self) -> int:
        """The committed catalog's version (it goes up with every commit of the writer)."""
        try:
            with self.lock:
                return self.db.execute("SELECT version FROM catalog_state WHERE id = 1")[0][0]
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

    def __init__(self, state: EngineState, index_files: IndexFiles):
        self.state = state
        self.index_files = index_files
        self.store: ReaderCatalog | None = None
        self.checked_at: float | None = None  # wall time of the last look at the catalog's version
        self._lock = threading.Lock()

    def open(self) -> None:
        st = self.state
        self.store = ReaderCatalog(st.root, st.config.catalog)
        st.catalog = self.store.open()
        self.checked_at = _time.time()
        self._reindex({}, st.catalog.files)

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
            before = [f.id for f in old.get(key, ())]
            after = new.get(key, [])
            if before == [f.id for f in after]:
                continue
            st.index.drop(lambda k, key=key: k == key)
            if not after:
                continue
            if st.index.load(key, st.root / measurement_dir(*key), [f.id for f in after]) is None:
                continue
            self.index_files.rebuild({key}, is_read_error)  # in memory; a damaged file is the writer's
