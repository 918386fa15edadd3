"""What the storage engine's collaborators share: the store's data and its two locks.

``lock`` guards every field for the short steps that read or swap them; ``flush_lock`` is
held by everything that rewrites or removes files (flush, compaction, delete, retention,
DROP), so writers only ever wait for the short steps.
"""
from __future__ import annotations

import threading
from dataclasses import dataclass, field
from pathlib import Path

from ..base.config import StoreConfig
from ..base.errors import StorageError
from ..base.time import Clock
from .buffer import Key, WriteBuffer
from .buffer_view import SortSettings
from .catalog import Catalog
from .catalog_sql import SqlCatalog
from .holds import RemovedFilesHold
from .index import SeriesIndex
from .isolation import FlushHealth
from .objects import DataFiles, LocalFiles
from .partitions import Files
from .wal import Wal

__all__ = ["EngineState", "Key"]


@dataclass(eq=False)
class EngineState:
    """The store's mutable state; ``root`` None keeps everything in memory (no WAL, no files)."""

    root: Path | None
    config: StoreConfig
    clock: Clock
    files: Files
    health: FlushHealth
    catalog: Catalog = field(default_factory=Catalog)
    catalog_store: SqlCatalog | None = None  # where the catalog is committed (None in memory)
    buffer: WriteBuffer = field(default_factory=WriteBuffer)
    flushing: WriteBuffer | None = None  # the buffer a flush is writing: still readable
    index: SeriesIndex = field(default_factory=SeriesIndex)
    wal: Wal | None = None
    closed: bool = False
    # set when something outside lists the live files (storage/holds.py): removed files wait for it
    hold: RemovedFilesHold | None = None
    lock: threading.RLock = field(default_factory=threading.RLock)
    # what a failed write opened (storage/shard_groups.py): (db, rp, measurement) of its
    # measurements (forgotten at reopen, as 1.x's index forgets them); its windows are the
    # catalog's (kept, as 1.x keeps the shard group): ``opened_windows``
    opened_measurements: set = field(default_factory=set)
    flush_lock: threading.RLock = field(default_factory=threading.RLock)

    @classmethod
    def new(cls, root: Path | None, config: StoreConfig, clock: Clock,
            data: DataFiles | None = None) -> "EngineState":
        """``data``: where the data files live (default: ``root`` itself)."""
        if data is None and root is not None:
            data = LocalFiles(root)
        return cls(root, config, clock, Files(data, config),
                   FlushHealth(config.flush_retry_base_s, config.flush_retry_max_s),
                   buffer=WriteBuffer(sorting=SortSettings.of(config)))

    @property
    def opened_windows(self) -> set:
        """Shard groups opened by writes (failed ones too), kept in the catalog across reopens."""
        return self.catalog.opened_windows

    def forget_opened(self, pred) -> None:
        """DROP: forget what failed writes opened in what ``pred`` matches ((db, rp, measurement)
        keys; a window's (db, rp, start) matches the DROP of its database or policy only)."""
        if self.opened_windows or self.opened_measurements:
            self.catalog.opened_windows = {k for k in self.opened_windows if not pred(k)}
            self.opened_measurements = {k for k in self.opened_measurements if not pred(k)}

    def check_open(self) -> None:
        if self.closed:
            raise StorageError("store is closed")

    def save_catalog(self) -> None:
        """Commit the catalog's changes in one transaction (nothing to do in memory)."""
        if self.catalog_store is not None:
            self.catalog_store.commit(self.catalog)
