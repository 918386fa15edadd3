"""Flush failures: retried with backoff, and a batch that keeps failing is set aside, never lost.

A flush that fails must not take the writer down: the rows stay buffered (and in the WAL),
writes go on, and the flush is retried after 1, 2, 4 ... s (at most ``flush_retry_max_s``).
An OSError (disk full, I/O) is the environment's fault: it is only retried. Any other failure
is pinned on the measurement whose rows failed to write; after ``flush_isolate_after`` failures
in a row (at once for DROP/DELETE/close, which cannot wait) its rows are written, as the WAL
record bytes they came from, to ``<root>/quarantine/flush/<name>.walrec`` (read back with
``tsdb_core.storage.wal_record.decode_write``) and leave the buffer; the rest of the store flushes on.
:class:`FlushHealth` is what ``Store.health()`` and the HTTP ``/health`` report.
"""
from __future__ import annotations

import hashlib
import logging
import threading
import time as _time
from dataclasses import dataclass, field
from pathlib import Path

from .wal_record import WalEntry, decode_write, encode_write
from .fileio import atomic_write_bytes, makedirs_durable
from .quarantine import QUARANTINE_DIR

log = logging.getLogger("tsdb_core.store")

Key = tuple[str, str, str]
ISOLATED_DIR = "flush"  # under the quarantine directory
ISOLATED_SUFFIX = ".walrec"


@dataclass(slots=True)
class Isolated:
    """A batch set aside: where its bytes are, whose rows, and why."""

    path: str | None  # relative to the root; None in an in-memory store
    key: Key
    rows: int
    error: str
    at: float  # Unix time


@dataclass(slots=True)
class FlushHealth:
    """Consecutive flush failures, the next retry, and the batches set aside (thread-safe)."""

    base_s: float = 1.0
    max_s: float = 60.0
    failures: int = 0  # consecutive failed flushes
    last_error: str | None = None
    last_failure: float | None = None  # Unix time
    retry_at: float = 0.0  # monotonic; no automatic flush before it
    key_failures: dict[Key, int] = field(default_factory=dict)
    isolated: list[Isolated] = field(default_factory=list)
    memory: list[tuple[str, str, list[WalEntry]]] = field(default_factory=list)  # in-memory stores
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def waiting(self) -> bool:
        """True while an automatic flush should wait for the backoff to pass."""
        return self.failures > 0 and _time.monotonic() < self.retry_at

    def failed(self, error: BaseException) -> None:
        with self._lock:
            self.failures += 1
            self.last_error = describe(error)
            self.last_failure = _time.time()
            delay = min(self.max_s, self.base_s * 2 ** min(self.failures - 1, 30))
            self.retry_at = _time.monotonic() + delay
        log.error("flush failed (%d in a row; rows stay buffered and in the WAL, retry in %.1f s): %s",
                  self.failures, delay, self.last_error)

    def succeeded(self, keys) -> None:
        with self._lock:
            if self.failures:
                log.warning("flush succeeded again after %d failures", self.failures)
            self.failures, self.retry_at = 0, 0.0
            for k in keys:
                self.key_failures.pop(k, None)

    def count(self, key: Key) -> int:
        """One more failure of ``key``'s rows; returns how many in a row."""
        with self._lock:
            n = self.key_failures[key] = self.key_failures.get(key, 0) + 1
            return n

    def load_isolated(self, root: Path | None) -> None:
        """List the batches set aside before this open (they stay until an operator moves them)."""
        if root is None:
            return
        for path in sorted((root / QUARANTINE_DIR / ISOLATED_DIR).glob(f"*{ISOLATED_SUFFIX}")):
            rel = path.relative_to(root).as_posix()
            try:
                db, rp, entries = decode_write(path.read_bytes())
            except Exception as e:  # noqa: BLE001 - still listed: an operator must look at it
                self.isolated.append(Isolated(rel, ("?", "?", "?"), 0, f"unreadable: {describe(e)}",
                                              path.stat().st_mtime))
                continue
            for m in dict.fromkeys(e.measurement for e in entries):
                rows = sum(e.frame.height for e in entries if e.measurement == m)
                self.isolated.append(Isolated(rel, (db, rp, m), rows, "set aside by an earlier run",
                                              path.stat().st_mtime))

    def status(self) -> dict:
        """A JSON-able summary: ``ok``, or ``degraded`` with what is failing or set aside."""
        with self._lock:
            return {
                "status": "degraded" if self.failures or self.isolated else "ok",
                "flush_failures": self.failures,
                "last_flush_error": self.last_error,
                "last_flush_failure": self.last_failure,
                "isolated_batches": [{"path": i.path, "database": i.key[0], "retention_policy": i.key[1],
                                      "measurement": i.key[2], "rows": i.rows, "error": i.error, "at": i.at}
                                     for i in self.isolated],
            }


def describe(error: BaseException) -> str:
    """``Type: message``, one line (a Rust panic's message can be long)."""
    text = " ".join(str(error).split())
    return f"{type(error).__name__}: {text[:500]}"


def isolate(health: FlushHealth, root: Path | None, key: Key, entries: list[WalEntry], error: BaseException,
            name: str | None = None) -> Isolated:
    """Write ``entries`` of ``key`` aside (fsynced) and record it; raises OSError when that fails
    (then nothing was set aside and the caller keeps the rows)."""
    rows = sum(e.frame.height for e in entries)
    payload = encode_write(key[0], key[1], entries)
    rel = None
    if root is not None:
        if name is None:
            digest = hashlib.sha256(payload).hexdigest()[:16]
            name = f"{_time.strftime('%Y%m%dT%H%M%SZ', _time.gmtime())}-{digest}"
        rel = f"{QUARANTINE_DIR}/{ISOLATED_DIR}/{name}{ISOLATED_SUFFIX}"
        path = root / rel
        if path.exists():  # set aside at an earlier open (a WAL record replayed again)
            known = [i for i in health.isolated if i.path == rel]
            if known:
                return known[0]
        makedirs_durable(path.parent, root)
        atomic_write_bytes(path, payload)
    else:
        health.memory.append((key[0], key[1], entries))
    item = Isolated(rel, key, rows, describe(error), _time.time())
    with health._lock:
        health.isolated.append(item)
        health.key_failures.pop(key, None)
    log.error("%d rows of %s.%s.%s cannot be flushed (%s): set aside in %s, out of the buffer and the WAL; "
              "the rest of the store goes on", rows, *key, item.error, rel or "memory")
    return item
