"""The writer lease: one row in the catalog's ``leases`` table names the store's only writer.

The writer takes it on open, renews it in the background and gives it up on close; every
catalog commit first checks it still holds it. Another writer is refused, told who holds the
lease and until when, and may take it once it has expired (the holder died or lost its way to
the catalog). The directory lock (storage/lockfile.py) already proves the last holder of the
same root is gone, and a SQLite catalog lives inside that root: such a lease is taken over at
once, so a killed writer does not block its own restart. The lease is what keeps writers on
different machines apart when they share a PostgreSQL catalog.
"""
from __future__ import annotations

import logging
import os
import socket
import threading
import time as _time
import uuid

from ..base.errors import StorageError

log = logging.getLogger("tsdb_core.store")

WRITER = "writer"
LEASE_S = 30.0  # a dead writer's lease is free after this; renewed every third of it


class LeaseLost(StorageError):
    """This writer's lease expired and another writer took it: it must not commit."""


class WriterLease:
    """The lease of one writer on the catalog behind ``store`` (a :class:`~.catalog_sql.SqlCatalog`)."""

    def __init__(self, store, root: str, ttl_s: float = LEASE_S):
        self.store, self.root, self.ttl_s = store, root, ttl_s
        self.host = socket.gethostname()
        self.holder = f"{self.host} pid {os.getpid()} ({uuid.uuid4().hex[:8]})"
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def acquire(self) -> None:
        """Take the lease or raise naming its holder and when it expires."""
        db = self.store.db
        now = _time.time()
        with self.store.lock, db.transaction():
            rows = db.execute("SELECT holder, host, root, expires_at FROM leases WHERE name = ?", (WRITER,))
            if rows:
                holder, host, root, expires = rows[0]
                # we hold the directory lock of our root, and a SQLite catalog lives inside it
                ours = not self.store.url or (host == self.host and root == self.root)
                if expires > now and not ours:
                    until = _time.strftime("%Y-%m-%dT%H:%M:%SZ", _time.gmtime(expires))
                    raise StorageError(f"store catalog {self.store.where} has a writer: {holder} holds the "
                                       f"lease until {until} ({expires - now:.0f} s from now)")
                db.execute("DELETE FROM leases WHERE name = ?", (WRITER,))
            db.execute("INSERT INTO leases VALUES (?, ?, ?, ?, ?)",
                       (WRITER, self.holder, self.host, self.root, now + self.ttl_s))
        if self.store.url:  # a SQLite catalog's lease is always ours to take: nothing to renew
            self._stop.clear()
            self._thread = threading.Thread(target=self._renew_loop, name="tsdb-lease", daemon=True)
            self._thread.start()

    def check(self) -> None:
        """Inside a commit's transaction: raise :class:`LeaseLost` unless this writer holds the lease."""
        rows = self.store.db.execute("SELECT holder FROM leases WHERE name = ?", (WRITER,))
        if not rows or rows[0][0] != self.holder:
            raise LeaseLost(f"this writer lost its lease on {self.store.where} to "
                            f"{rows[0][0] if rows else 'nobody'}: nothing committed")

    def renew(self) -> None:
        with self.store.lock, self.store.db.transaction():
            self.check()
            self.store.db.execute("UPDATE leases SET expires_at = ? WHERE name = ?",
                                  (_time.time() + self.ttl_s, WRITER))

    def _renew_loop(self) -> None:
        while not self._stop.wait(self.ttl_s / 3):
            try:
                self.renew()
            except LeaseLost as e:
                log.error("%s", e)
                return
            except Exception as e:  # noqa: BLE001 - the catalog is unreachable: try again
                log.warning("renewing the writer lease failed: %s", e)

    def release(self) -> None:
        """Stop renewing and give the lease up (it expires anyway if this fails)."""
        self._stop.set()
        if self._thread is not None:
            self._thread.join()
            self._thread = None
        try:
            with self.store.lock, self.store.db.transaction():
                self.store.db.execute("DELETE FROM leases WHERE name = ? AND holder = ?", (WRITER, self.holder))
        except Exception as e:  # noqa: BLE001 - closing must finish
            log.warning("giving up the writer lease failed: %s", e)
