"""The lock file that keeps a second process from opening the same store."""
from __future__ import annotations

import fcntl
import os
from pathlib import Path

from ..base.errors import StorageError
from .fileio import open_private

LOCK_FILE = "store.lock"  # has a dot: no encoded user name can be this


class DirectoryLock:
    """An exclusive ``flock`` on ``<root>/store.lock``, held while the store is open."""

    def __init__(self, root: Path):
        self.root = root
        self._fd: int | None = None

    def acquire(self) -> None:
        fd = open_private(self.root / LOCK_FILE, os.O_RDWR | os.O_CREAT)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            os.close(fd)
            raise StorageError(f"store is locked by another process: {self.root}") from None
        self._fd = fd

    def release(self) -> None:
        if self._fd is not None:
            os.close(self._fd)
            self._fd = None

    @property
    def held(self) -> bool:
        return self._fd is not None
