"""Files out of the catalog kept for a follower of the live file set (e.g. an Iceberg publisher).

Something outside the engine may list the store's live files to other readers (the Iceberg
tables of tsdb_core/lakehouse/). A file the catalog dropped may still be listed there until that
follower catches up, so it must outlive the catalog entry: a buried file is deleted only once
the follower has reported a catalog version at or after the commit that buried it
(:meth:`RemovedFilesHold.release`), and ``file_grace_s`` after that report (readers that
looked just before may still be reading it). Files buried before this process opened count as
buried at the version it opened at: nothing is deleted until the first report after opening.
"""
from __future__ import annotations

import math
import threading


class RemovedFilesHold:
    """Per buried file id: the catalog version that buried it, then when the follower released it."""

    def __init__(self, grace_s: float):
        self.grace_s = grace_s
        self.opened_at: int | None = None  # the catalog version this process opened at
        self._opened_release: float | None = None  # when files buried before the open were released
        self._pending: dict[int, int] = {}  # id -> the version of the commit that buried it
        self._released: dict[int, float] = {}  # id -> wall time of the release
        self._lock = threading.Lock()

    def buried(self, version: int, ids) -> None:
        """A commit at ``version`` took ``ids`` out of the catalog."""
        with self._lock:
            for i in ids:
                self._pending[i] = version

    def release(self, version: int | None, now: float) -> bool:
        """The follower lists the live files of ``version``: files buried up to it may go
        ``grace_s`` after ``now``; whether any were released."""
        if version is None:
            return False
        with self._lock:
            out = [i for i, v in self._pending.items() if v <= version]
            for i in out:
                del self._pending[i]
                self._released[i] = now
            if self._opened_release is None and self.opened_at is not None and self.opened_at <= version:
                self._opened_release = now
                return True
            return bool(out)

    def deadline(self, file_id: int) -> float:
        """The wall time from which ``file_id`` may be deleted as far as the follower goes."""
        with self._lock:
            if file_id in self._released:
                return self._released[file_id] + self.grace_s
            if file_id in self._pending or self._opened_release is None:
                return math.inf
            return self._opened_release + self.grace_s

    def forget(self, ids) -> None:
        """``ids`` are deleted: nothing more to remember about them."""
        with self._lock:
            for i in ids:
                self._pending.pop(i, None)
                self._released.pop(i, None)
