"""Opening a store: the single-process lock file, orphan removal, series index load/rebuild, WAL replay.

A mixin of :class:`tsdb_core.store.Store` (its state lives there); split out so the facade stays small.
"""
from __future__ import annotations

import fcntl
import logging
import os
from pathlib import Path

import polars as pl

from ..catalog import CATALOG_FILE
from ..errors import CorruptionError, StorageError
from ..ingest.wal import decode_write
from ..model import FieldType
from .paths import measurement_dir

log = logging.getLogger("tsdb_core.store")  # the facade's logger: messages keep their source name

Key = tuple[str, str, str]
LOCK_FILE = "store.lock"  # has a dot: no encoded user name can be this


class RecoveryMixin:
    """Lock, orphans, index and WAL replay: what ``Store.__init__`` runs before the store is usable."""

    def _take_lock(self) -> None:
        fd = os.open(self.root / LOCK_FILE, os.O_RDWR | os.O_CREAT, 0o644)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            os.close(fd)
            raise StorageError(f"store is locked by another process: {self.root}") from None
        self._lockfd = fd

    def _release_lock(self) -> None:
        if self._lockfd is not None:
            os.close(self._lockfd)
            self._lockfd = None

    def _remove_orphans(self) -> None:
        """Parquet files the catalog does not list (interrupted flush/compaction) and temp files."""
        live = {self.root / f.path for f in self._catalog.all_files()}
        if not (self.root / CATALOG_FILE).exists() and next(self.root.glob("*/*/*/*/*.parquet"), None):
            # Without its catalog every Parquet file would look orphaned: refuse rather than delete them.
            raise CorruptionError(f"catalog {self.root / CATALOG_FILE} is missing but the store holds Parquet "
                                  "files; the store was not opened and no file was changed")
        for dirpath, _dirs, names in os.walk(self.root):
            d = Path(dirpath)
            for n in names:
                p = d / n
                if (n.endswith(".parquet") and p not in live) or n.endswith(".tmp"):
                    p.unlink(missing_ok=True)

    def _load_index(self) -> None:
        for key in list(self._catalog.files):
            if not self._index.load(key, self.root / measurement_dir(*key)):
                self._rebuild_index({key})

    def _replay(self) -> None:
        n = 0
        for _seq, payload in self._wal.replay():
            db, rp, entries = decode_write(payload)
            database = self._catalog.databases.get(db)
            if database is None:
                self._catalog.create_database(db, duration=self.config.auto_create_duration or None)
                database = self._catalog.databases[db]
            if rp not in database.rps:
                log.warning("WAL record for missing retention policy %s.%s skipped", db, rp)
                continue
            for e in entries:
                meta = database.measurements.get(e.measurement)
                if meta is not None and any(meta.fields.get(f, FieldType(t)) is not FieldType(t)
                                            for f, t in e.fields.items()):
                    log.warning("WAL record for %s conflicts with the catalog; skipped", e.measurement)
                    continue
                self._apply(database, rp, e.measurement, e.frame, e.tags, e.fields)
                n += e.frame.height
        if n:
            log.info("replayed %d rows from the WAL", n)

    def _save_index(self, keys: set[Key]) -> None:
        if self.root is None:
            return
        for key in keys:
            self._index.save(key, self.root / measurement_dir(*key), self.root)

    def _rebuild_index(self, keys: set[Key]) -> None:
        """Recompute tag sets from the files (after deletes); buffered rows are flushed already."""
        for key in keys:
            fl = self._catalog.files.get(key, [])
            d = self._catalog.databases.get(key[0])
            meta = d.measurements.get(key[2]) if d else None
            if not fl or meta is None:
                self._index.replace(key, None)
            else:
                frames = []
                for f in fl:
                    tc = [t for t in f.columns if t in meta.tags]
                    fr = self._files.read(f).select(tc) if tc else pl.DataFrame(height=f.rows)
                    frames.append(fr.unique() if tc else fr)
                self._index.replace(key, None)
                for fr in frames:
                    self._index.add(key, fr)
            for buf in (self._buffer, self._flushing):
                if buf is not None:
                    for c in buf.chunks(key):
                        self._index.add(key, c.frame.select(c.tags) if c.tags else pl.DataFrame(height=c.frame.height))
            if self.root is not None and key in self._catalog.files:
                self._save_index({key})
