"""Publishing automatically: a store opened with ``StoreConfig(iceberg=True)`` keeps its Iceberg
tables in step by itself.

A flush, compaction, retention run, DELETE or DROP made through the store's methods publishes
before it returns (:meth:`AutoPublisher.catch_up`): a caller who flushed finds the rows in the
Iceberg tables. The store also signals :meth:`AutoPublisher.signal` after each catalog commit,
and a background thread then catches up: commits the store makes by itself (flushes by age or
size, DDL) are published at once, and a failed publish is retried. Writes never wait for
Iceberg. Files the store removed are deleted only after a publish that no longer copies from
them (the store's ``release`` callback, storage/holds.py). Windows whose files share rows (points
re-sent) are compacted at once and published merged. A failed publish is logged, shown in
``store.health()`` and retried with backoff; it never fails a write.
"""
from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable

from .catalog import display_uri
from .publisher import PublishReport, Publisher

log = logging.getLogger("tsdb_core.lakehouse")


class AutoPublisher:
    """One store's publisher and the thread that runs it after commits."""

    def __init__(self, store, *, release: Callable[[int | None], None], compact: Callable[[set], int],
                 uri: str | None = None, retry_s: tuple[float, float] = (1.0, 60.0)):
        self.store = store
        self.publisher = Publisher(store, uri=uri or None)
        self._release, self._compact = release, compact
        self._retry_base, self._retry_max = retry_s
        self._wake = threading.Event()
        self._stopping = False
        self._thread: threading.Thread | None = None
        self._lock = threading.Lock()  # one publish at a time (the thread, close)
        self.failures = 0  # publishes failed in a row
        self.error: str | None = None
        self.last: PublishReport | None = None
        self.published_at: float | None = None  # wall time of the last successful publish

    def signal(self) -> None:
        """A commit landed (called under the store's lock: only sets a flag)."""
        self._wake.set()

    def start(self) -> None:
        """Begin publishing in the background (after the store has finished opening)."""
        self._thread = threading.Thread(target=self._run, name="tsdb-iceberg", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        """Stop the thread (a publish under way finishes first)."""
        self._stopping = True
        self._wake.set()
        if self._thread is not None:
            self._thread.join()
            self._thread = None

    def close(self) -> None:
        self.stop()
        self.publisher.close()

    def publish_now(self) -> bool:
        """Publish (compacting windows held back for shared rows, then publishing again) and tell
        the store which removed files Iceberg no longer lists; whether it worked."""
        with self._lock:
            try:
                report = self.publisher.publish(defer_held=True)
                if report.deferred:  # merged first: readers never see the table without those windows
                    self._compact_held(report)
                    report = self.publisher.publish()
                self._release(report.version)
            except Exception as e:  # noqa: BLE001 - retried; writes go on meanwhile
                self.failures += 1
                self.error = f"{type(e).__name__}: {e}"
                log.warning("publishing to the Iceberg catalog failed (attempt %d, retried): %s",
                            self.failures, self.error)
                return False
            self.failures, self.error, self.last = 0, None, report
            self.published_at = time.time()
            return True

    def behind(self) -> bool:
        """Whether the store committed since the last successful publish."""
        return self.last is None or self.last.version != self.store.catalog_version()

    def catch_up(self) -> bool:
        """Publish unless the last publish already reflects the store's catalog (another thread's
        publish may have); whether the tables are up to date now."""
        if self.store.read_only or not self.behind():
            return True
        with self._lock:  # a publish under way in the thread finishes first
            if not self.behind():
                return True
        return self.publish_now()

    def _compact_held(self, report: PublishReport) -> int:
        """Merge the windows of the held-back files; the number merged."""
        ids = {i for held in report.held.values() for i in held}
        windows = {(f.db, f.rp, f.measurement, f.window_start) for f in self.store.files() if f.id in ids}
        return self._compact(windows) if windows else 0

    def _run(self) -> None:
        while True:
            delay = None if not self.failures else min(self._retry_max, self._retry_base * 2 ** (self.failures - 1))
            self._wake.wait(delay)
            if self._stopping:
                return
            self._wake.clear()
            self.catch_up()  # a writer that lost its lease publishes no more

    def health(self) -> dict:
        """For ``store.health()``: the catalog, the last publish, the error of failing ones."""
        out: dict = {"catalog": display_uri(self.publisher.uri), "published_at": self.published_at,
                     "version": self.last.version if self.last else None}
        if self.error is not None:
            out["error"], out["failures"] = self.error, self.failures
        return out
