"""The writer lease: one writer per store, kept in the catalog and, for object storage, beside the data.

The catalog lease is one row of the catalog's ``leases`` table. The writer takes it on open,
renews it in the background and gives it up on close; every catalog commit first checks it
still holds it. Another writer is refused, told who holds the lease and until when, and may
take it once it has expired (the holder died or lost its way to the catalog). The directory
lock (storage/lockfile.py) already proves the last holder of the same root is gone, and a
SQLite catalog lives inside that root: such a lease is taken over at once, so a killed writer
does not block its own restart. A shared PostgreSQL catalog's lease is transactional: the row
is read and replaced inside one transaction that holds the catalog's commit lock, so two
writers sharing that catalog can never both hold it.

The data lease (:class:`DataLease`) covers a store in object storage whose writers do not
share a catalog (each machine its own SQLite catalog beside its WAL): the object
``_tsdb_lease.json`` in the data location names the holder, its host, pid and expiry. It is
taken on open (refused while another holder's is unexpired), renewed on the catalog lease's
schedule, checked before every commit once a renewal is overdue, and deleted on close.

What remains: pyarrow's S3 client has no conditional write (no compare-and-swap), so the
data lease is read, written, and read back. Two writers that start within the same instant
(both read "free" before either has written) may both see their own write when reading back
(the object store answers each with its latest PUT at that moment); the next renewal, a third
of the lease later, reads the object again and the one whose write was overwritten finds
another holder and turns into a reader. Until then both may flush. Clocks are trusted for
expiry: a writer's clock far ahead of the others' can take a lease early.

A writer that finds another holder (a renewal, or a commit's check) calls ``on_lost``: the
store stops its background work and becomes a reader (storage/engine.py); its unflushed rows
stay in its WAL and are replayed when it next opens as the writer.
"""
from __future__ import annotations

import fcntl
import logging
import os
import socket
import threading
import time as _time
import uuid
from collections.abc import Callable
from pathlib import Path

import orjson

from ..base.errors import ReadOnlyStore, StorageError, UserError
from .lockfile import LOCK_FILE

log = logging.getLogger("tsdb_core.store")

WRITER = "writer"
LEASE_S = 30.0  # a dead writer's lease is free after this; renewed every third of it
LEASE_OBJECT = "_tsdb_lease.json"  # has a dot: no encoded user name can be this
_READS = 5  # attempts at reading the lease object before it counts as unreadable
NOTHING_COMMITTED = (": nothing committed; the store is read-only now, its unflushed rows stay in its WAL and are "
                     "replayed when it next opens as the writer")


class LeaseLost(ReadOnlyStore):
    """This writer's lease expired and another writer took it: it commits nothing and is read-only now."""

    def __init__(self, message: str):
        UserError.__init__(self, message)


class Unreadable(OSError):
    """The lease object holds no lease (an I/O failure for a renewal: retried)."""


def utc(t: float) -> str:
    return _time.strftime("%Y-%m-%dT%H:%M:%SZ", _time.gmtime(t))


def new_holder(host: str) -> str:
    return f"{host} pid {os.getpid()} ({uuid.uuid4().hex[:8]})"


def lost_message(where: str, holder: str | None, taken: float | None) -> str:
    when = f" (taken at {utc(taken)})" if taken else ""
    return f"this writer lost its lease on {where} to {holder or 'nobody'}{when}"


def _renew_every(lease, ttl_s: float, what: str) -> None:
    """The renewal loop of a lease (its own thread): stops on LeaseLost, retries anything else."""
    while not lease._stop.wait(ttl_s / 3):
        try:
            lease.renew()
        except LeaseLost as e:
            log.error("%s", e)
            return
        except Exception as e:  # noqa: BLE001 - the catalog or the bucket is unreachable: try again
            log.warning("renewing the writer's %s failed: %s", what, e)


class _Renewed:
    """Start and stop of a renewal thread; ``on_lost`` is told once when another holder is found."""

    ttl_s: float
    on_lost: Callable[[LeaseLost], None] | None = None

    def _start(self, what: str) -> None:
        self._stop.clear()
        self._thread = threading.Thread(target=_renew_every, args=(self, self.ttl_s, what),
                                        name=f"tsdb-{what.replace(' ', '-')}", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        """Stop renewing (not giving the lease up); safe from the renewal thread itself."""
        self._stop.set()
        t = self._thread
        if t is not None and t is not threading.current_thread():
            t.join()
            self._thread = None

    def _lost(self, message: str, committing: bool = False) -> LeaseLost:
        """Tell ``on_lost``; the error to raise (a commit's says what became of its rows)."""
        err = LeaseLost(message)
        if self.on_lost is not None:
            self.on_lost(err)
        return LeaseLost(message + NOTHING_COMMITTED) if committing else err


class WriterLease(_Renewed):
    """The lease of one writer on the catalog behind ``store`` (a :class:`~.catalog_sql.SqlCatalog`)."""

    def __init__(self, store, root: str, ttl_s: float = LEASE_S):
        self.store, self.root, self.ttl_s = store, root, ttl_s
        self.host = socket.gethostname()
        self.holder = new_holder(self.host)
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
                    raise StorageError(f"store catalog {self.store.where} has a writer: {holder} holds the "
                                       f"lease until {utc(expires)} ({expires - now:.0f} s from now)")
                db.execute("DELETE FROM leases WHERE name = ?", (WRITER,))
            db.execute("INSERT INTO leases (name, holder, host, root, expires_at, taken_at) VALUES (?, ?, ?, ?, ?, ?)",
                       (WRITER, self.holder, self.host, self.root, now + self.ttl_s, now))
        if self.store.url:  # a SQLite catalog's lease is always ours to take: nothing to renew
            self._start("catalog lease")

    def check(self) -> None:
        """Inside a commit's transaction: raise :class:`LeaseLost` unless this writer holds the lease."""
        rows = self.store.db.execute("SELECT holder, taken_at FROM leases WHERE name = ?", (WRITER,))
        if not rows or rows[0][0] != self.holder:
            holder, taken = rows[0] if rows else (None, None)
            raise self._lost(lost_message(self.store.where, holder, taken), committing=True)

    def renew(self) -> None:
        with self.store.lock, self.store.db.transaction():
            self.check()
            self.store.db.execute("UPDATE leases SET expires_at = ? WHERE name = ?",
                                  (_time.time() + self.ttl_s, WRITER))

    def release(self) -> None:
        """Stop renewing and give the lease up (it expires anyway if this fails)."""
        self.stop()
        try:
            with self.store.lock, self.store.db.transaction():
                self.store.db.execute("DELETE FROM leases WHERE name = ? AND holder = ?", (WRITER, self.holder))
        except Exception as e:  # noqa: BLE001 - closing must finish
            log.warning("giving up the writer lease failed: %s", e)


def _holder_gone(root: str) -> bool:
    """Whether no process on this host holds the directory lock of ``root`` (so its writer is gone)."""
    try:
        fd = os.open(Path(root) / LOCK_FILE, os.O_RDONLY)
    except FileNotFoundError:
        return True  # that directory (the writer's WAL) is gone with its writer
    except OSError:
        return False
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except OSError:
        return False
    finally:
        os.close(fd)  # also lets go of the lock just taken
    return True


class DataLease(_Renewed):
    """The writer's lease object in an object store's data location (see the module docstring).

    ``data`` is the store's :class:`~.objects.ObjectFiles`; ``root`` the writer's local directory
    (its WAL, whose directory lock it holds).
    """

    def __init__(self, data, root: str, ttl_s: float = LEASE_S):
        self.data, self.root, self.ttl_s = data, root, ttl_s
        self.host = socket.gethostname()
        self.holder = new_holder(self.host)
        self.expires_at = 0.0  # of the last write this writer confirmed
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._lock = threading.Lock()

    def read(self) -> dict | None:
        """The lease object, or None when there is none; OSError when it stays unreadable
        (a read racing a write may see a torn object on some S3 servers: read again)."""
        for attempt in range(_READS):
            try:
                doc = orjson.loads(self.data.read_bytes(LEASE_OBJECT))
            except FileNotFoundError:
                return None
            except orjson.JSONDecodeError:
                _time.sleep(0.01 * (attempt + 1))
                continue
            if isinstance(doc, dict) and isinstance(doc.get("holder"), str):
                return doc
            break
        raise Unreadable(f"{self.data.uri}/{LEASE_OBJECT} is unreadable")

    def _write(self, taken: float) -> None:
        now = _time.time()
        doc = {"holder": self.holder, "host": self.host, "pid": os.getpid(), "root": self.root,
               "expires_at": now + self.ttl_s, "expires": utc(now + self.ttl_s), "taken_at": taken}
        self.data.write_bytes(LEASE_OBJECT, orjson.dumps(doc, option=orjson.OPT_INDENT_2))
        back = self.read()  # no compare-and-swap: whoever wrote last holds it
        if back is None or back["holder"] != self.holder:
            raise self._refused(back, "took the lease at the same moment")
        self.expires_at = now + self.ttl_s

    def _free(self, cur: dict | None, now: float) -> bool:
        if cur is None or cur["holder"] == self.holder or float(cur.get("expires_at", 0)) <= now:
            return True
        if cur.get("host") != self.host:
            return False
        # on this host the holder's directory lock says whether it still runs (ours: a restart)
        return cur.get("root") == self.root or _holder_gone(str(cur.get("root", "")))

    def _refused(self, cur: dict | None, why: str = "") -> StorageError:
        if cur is None:
            return StorageError(f"store {self.data.uri}: the writer lease could not be written and read back")
        expires, now = float(cur.get("expires_at", 0)), _time.time()
        return StorageError(f"store {self.data.uri} has a writer: {cur['holder']} {why or 'holds the lease'} "
                            f"until {utc(expires)} ({expires - now:.0f} s from now)")

    def acquire(self) -> None:
        """Take the lease object or raise naming its holder and when it expires; renew it from now on."""
        with self._lock:
            try:
                cur = self.read()
            except Unreadable:
                cur = None  # garbage names no holder: overwritten
            if not self._free(cur, _time.time()):
                raise self._refused(cur)
            self._write(_time.time())
        self._start("data lease")

    def renew(self, committing: bool = False) -> None:
        """Write a later expiry, unless another writer holds the lease now (then LeaseLost)."""
        with self._lock:
            cur = self.read()
            if cur is None or cur["holder"] != self.holder:  # gone: another took it over and let go
                raise self._lost(lost_message(self.data.uri, cur and cur["holder"], cur and cur.get("taken_at")),
                                 committing)
            self._write(float(cur.get("taken_at", 0)))

    def check(self) -> None:
        """Before a commit: nothing when renewals are on time, else renew now (LeaseLost if taken)."""
        if _time.time() >= self.expires_at - self.ttl_s / 3:
            self.renew(committing=True)

    def release(self) -> None:
        """Stop renewing and delete the lease object if it is still ours."""
        self.stop()
        try:
            with self._lock:
                cur = self.read()
                if cur is not None and cur["holder"] == self.holder:
                    self.data.delete(LEASE_OBJECT)
        except Exception as e:  # noqa: BLE001 - closing must finish; it expires anyway
            log.warning("giving up the writer's data lease failed: %s", e)
