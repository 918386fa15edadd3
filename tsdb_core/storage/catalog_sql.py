"""The catalog in SQL: SQLite next to the data by default, PostgreSQL when several machines share it.

Relational tables (databases, retention_policies, measurements with their fields and tags,
files) hold what :class:`~.catalog.Catalog` holds in memory. Every save is one transaction,
so a reader of the database sees the old file set or the new one, never half. A save writes
only what changed since the last one (a flush inserts its files and bumps ``version``), so its
cost does not grow with the number of live files. The tables' layout is versioned
(``schema_version``, :data:`MIGRATIONS`); a store whose catalog is still ``catalog.json``
is migrated on open and the document kept as ``catalog.json.migrated``.

SQLite runs in WAL journal mode with full synchronous commits: a committed flush survives a
power loss, and other processes may read while the writer commits.
"""
from __future__ import annotations

import contextlib
import functools
import math
import os
import sqlite3
import threading
import time as _time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import orjson

from ..base.errors import StorageError
from ..base.types import FieldType
from .catalog import CATALOG_FILE, Catalog, Database, FileMeta, MeasurementMeta, RetentionPolicy, check_file
from .fileio import FILE_MODE, fsync_dir
from . import lease as lease_mod

SQLITE_FILE = "catalog.sqlite"
MIGRATED_SUFFIX = ".migrated"

_COLS = "id, db, rp, measurement, window_start, window_end, tmin, tmax, rows, size, columns, path"

# Each entry moves the tables one version up; never edit a released entry, append a new one.
MIGRATIONS: list[tuple[str, ...]] = [
    (  # 1: the relational catalog (was one JSON document)
        "CREATE TABLE catalog_state (id INTEGER PRIMARY KEY, version BIGINT NOT NULL, "
        "next_file_id BIGINT NOT NULL)",
        "INSERT INTO catalog_state VALUES (1, 0, 1)",
        "CREATE TABLE databases (name TEXT PRIMARY KEY, default_rp TEXT NOT NULL, ordinal BIGINT NOT NULL)",
        "CREATE TABLE retention_policies (db TEXT NOT NULL, name TEXT NOT NULL, duration BIGINT NOT NULL, "
        "shard_group_duration BIGINT NOT NULL, replication INTEGER NOT NULL, ordinal BIGINT NOT NULL, "
        "PRIMARY KEY (db, name))",
        "CREATE TABLE measurements (db TEXT NOT NULL, name TEXT NOT NULL, ordinal BIGINT NOT NULL, "
        "PRIMARY KEY (db, name))",
        "CREATE TABLE measurement_fields (db TEXT NOT NULL, measurement TEXT NOT NULL, name TEXT NOT NULL, "
        "type TEXT NOT NULL, ordinal BIGINT NOT NULL, PRIMARY KEY (db, measurement, name))",
        "CREATE TABLE measurement_tags (db TEXT NOT NULL, measurement TEXT NOT NULL, name TEXT NOT NULL, "
        "PRIMARY KEY (db, measurement, name))",
        "CREATE TABLE files (id BIGINT PRIMARY KEY, db TEXT NOT NULL, rp TEXT NOT NULL, measurement TEXT NOT NULL, "
        "window_start BIGINT NOT NULL, window_end BIGINT NOT NULL, tmin BIGINT NOT NULL, tmax BIGINT NOT NULL, "
        "rows BIGINT NOT NULL, size BIGINT NOT NULL, columns TEXT NOT NULL, path TEXT NOT NULL)",
        "CREATE INDEX files_by_measurement ON files (db, rp, measurement)",
    ),
    (  # 2: the writer lease (storage/lease.py)
        "CREATE TABLE leases (name TEXT PRIMARY KEY, holder TEXT NOT NULL, host TEXT NOT NULL, root TEXT NOT NULL, "
        "expires_at DOUBLE PRECISION NOT NULL)",
    ),
    (  # 3: which store the catalog belongs to (storage/identity.py); when a lease was taken
        "CREATE TABLE store_identity (id INTEGER PRIMARY KEY, store_id TEXT NOT NULL, location TEXT NOT NULL, "
        "created DOUBLE PRECISION NOT NULL)",
        "ALTER TABLE leases ADD COLUMN taken_at DOUBLE PRECISION NOT NULL DEFAULT 0",
    ),
    (  # 4: the graveyard of files out of the catalog (storage/maintenance.py) and the writer's commit time
        "CREATE TABLE graveyard (id BIGINT PRIMARY KEY, path TEXT NOT NULL, delete_after DOUBLE PRECISION NOT NULL)",
        "ALTER TABLE catalog_state ADD COLUMN committed_at DOUBLE PRECISION NOT NULL DEFAULT 0",
    ),
    (  # 5: shard groups a failed write opened (storage/shard_groups.py)
        "CREATE TABLE opened_windows (db TEXT NOT NULL, rp TEXT NOT NULL, window_start BIGINT NOT NULL, "
        "PRIMARY KEY (db, rp, window_start))",
    ),
]
SCHEMA_VERSION = len(MIGRATIONS)


class CatalogUnavailable(OSError):
    """The catalog database could not be reached or refused a commit (an I/O failure: retried)."""


def is_postgres(url: str) -> bool:
    return url.startswith(("postgresql://", "postgres://"))


# -- dialects: one connection, transactions, damage -----------------------------------------
class _Sqlite:
    """stdlib sqlite3 on ``<root>/catalog.sqlite`` (created 0600; WAL and shm files inherit it)."""

    def __init__(self, path: Path):
        was_empty = path.exists() and path.stat().st_size == 0
        os.close(os.open(path, os.O_RDWR | os.O_CREAT, FILE_MODE))
        self.conn = sqlite3.connect(path, isolation_level=None, check_same_thread=False, timeout=30.0)
        if was_empty:  # our files always hold a schema: an empty one lost it
            self.conn.close()
            raise sqlite3.DatabaseError("the catalog file is empty")
        self.conn.execute("PRAGMA journal_mode=WAL").fetchall()
        self.conn.execute("PRAGMA synchronous=FULL")

    def execute(self, sql: str, params=()) -> list[tuple]:
        return self.conn.execute(sql, params).fetchall()

    def executemany(self, sql: str, rows) -> None:
        self.conn.executemany(sql, rows)

    @contextlib.contextmanager
    def transaction(self):
        self.conn.execute("BEGIN IMMEDIATE")  # the write lock now: versions are read inside
        try:
            yield
        except BaseException:
            self.conn.execute("ROLLBACK")
            raise
        self.conn.execute("COMMIT")

    @contextlib.contextmanager
    def snapshot(self):
        """A read transaction: every SELECT in it sees the same committed state."""
        self.conn.execute("BEGIN")
        try:
            yield
        finally:
            self.conn.execute("COMMIT")

    unavailable = (sqlite3.OperationalError,)

    def notify(self) -> None:
        """Readers of a SQLite catalog poll its version: nobody to tell."""

    def close(self) -> None:
        self.conn.close()


class _Postgres:
    """psycopg 3 on a PostgreSQL database named by URL (a schema through ``options=-csearch_path=``)."""

    def __init__(self, url: str):
        import psycopg  # optional: only stores whose catalog is on PostgreSQL need it

        self.unavailable = _pg_unavailable()
        self.conn = psycopg.connect(url, autocommit=True)

    def execute(self, sql: str, params=()) -> list[tuple]:
        cur = self.conn.execute(sql.replace("?", "%s"), [_pg_text(v) for v in params])
        if not cur.description:
            return []
        return [tuple(_pg_untext(v) for v in row) for row in cur.fetchall()]

    def executemany(self, sql: str, rows) -> None:
        self.conn.cursor().executemany(sql.replace("?", "%s"), [[_pg_text(v) for v in r] for r in rows])

    @contextlib.contextmanager
    def transaction(self):
        with self.conn.transaction():
            self.conn.execute("LOCK TABLE schema_version IN EXCLUSIVE MODE")  # one committer at a time
            yield

    @contextlib.contextmanager
    def snapshot(self):
        """A read transaction: every SELECT in it sees the same committed state."""
        with self.conn.transaction():
            self.conn.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
            yield

    @functools.cached_property
    def channel(self) -> str:
        """The catalog's NOTIFY channel: one per schema, so stores sharing a database wake only their readers."""
        return pg_channel(self.execute("SELECT current_schema()")[0][0])

    def notify(self) -> None:
        """Inside a commit: readers LISTENing (storage/readonly.py) are told once it is committed."""
        self.execute("SELECT pg_notify(?, '')", (self.channel,))

    def close(self) -> None:
        self.conn.close()


def pg_channel(schema: str | None) -> str:
    """The NOTIFY channel of the catalog in ``schema`` (at most 63 bytes: PostgreSQL's identifier limit)."""
    return ("tsdb_catalog_" + (schema or "public")).encode()[:63].decode(errors="ignore")


_ESC = "\x01"


def _pg_text(v):
    """PostgreSQL text cannot hold NUL, which names may: such a name (or one starting with the
    marker) is stored as the marker and its UTF-8 in hex; every other value as it is."""
    if isinstance(v, str) and ("\x00" in v or v.startswith(_ESC)):
        return _ESC + v.encode().hex()
    return v


def _pg_untext(v):
    return bytes.fromhex(v[1:]).decode() if isinstance(v, str) and v.startswith(_ESC) else v


def _pg_unavailable() -> tuple[type[BaseException], ...]:
    try:
        import psycopg
    except ImportError:
        return ()
    return (psycopg.OperationalError, psycopg.InterfaceError)


def _keep(path: Path, stamp: str, journal: bool) -> str:
    """Rename ``path`` to ``<name>.corrupt-<stamp>[.n]``; with ``journal``, its unmerged SQLite WAL
    goes along (``...-wal``) and the shared-memory index, rebuilt by any reader, is removed."""
    keep = path.with_name(f"{path.name}.corrupt-{stamp}")
    n = 0
    while keep.exists():
        n += 1
        keep = path.with_name(f"{path.name}.corrupt-{stamp}.{n}")
    os.replace(path, keep)
    if journal:
        wal, shm = path.with_name(path.name + "-wal"), path.with_name(path.name + "-shm")
        if wal.exists() and wal.stat().st_size:
            os.replace(wal, keep.with_name(keep.name + "-wal"))
        wal.unlink(missing_ok=True)
        shm.unlink(missing_ok=True)
    fsync_dir(path.parent)
    return keep.name


def _redact(url: str) -> str:
    """The URL without its password (it goes into messages)."""
    head, sep, tail = url.partition("@")
    if not sep or ":" not in head.split("//", 1)[-1]:
        return url
    scheme, _, user = head.partition("//")
    return f"{scheme}//{user.split(':', 1)[0]}:***@{tail}"


# -- what was last committed: the base of the next diff -------------------------------------
@dataclass(slots=True)
class _Committed:
    next_file_id: int = 1
    ordinal: int = 0
    dbs: dict[str, str] = field(default_factory=dict)  # name -> default policy
    rps: dict[tuple[str, str], tuple[int, int, int]] = field(default_factory=dict)
    meas: dict[tuple[str, str], tuple[dict, set]] = field(default_factory=dict)  # (fields, tags)
    files: dict[int, FileMeta] = field(default_factory=dict)
    windows: frozenset = frozenset()  # Catalog.opened_windows

    def next_ordinal(self) -> int:
        """Rows keep the order the catalog's dicts have: a counter that only grows."""
        self.ordinal += 1
        return self.ordinal


class SqlCatalog:
    """The catalog tables of one store: :meth:`open` them, :meth:`commit` changes (one transaction each).

    ``url`` empty: SQLite in ``<root>/catalog.sqlite``; ``postgresql://...``: that database.
    """

    def __init__(self, root: Path, url: str = "") -> None:
        if url and not is_postgres(url):
            raise StorageError(f"catalog must be empty (SQLite next to the data) or a postgresql:// URL, not {url!r}")
        self.root, self.url = root, url
        self.db = None
        self.fresh = False  # no catalog was ever committed here (set by load())
        self._base = _Committed()
        self.lock = threading.Lock()
        self._damaged_json = False
        self.lease = None  # the writer's WriterLease once taken (storage/lease.py): checked by commits
        self.data_lease = None  # a store in object storage: the writer's DataLease, also checked
        self.lease_s = lease_mod.LEASE_S
        self.on_lost = None  # told when a lease check finds another writer (storage/engine.py)
        self.grace_s = 0.0  # files leaving the catalog are buried until this long after the commit
        self.next_reap = -math.inf  # the graveyard's earliest deadline, when known (none before: look)
        # told (version, ids of the files that left) after each commit that changed something
        self.on_commit: Callable[[int, list[int]], None] | None = None

    def open(self) -> Catalog:
        """Connect, migrate the tables, load; an unreadable catalog loads empty with ``damage`` set."""
        try:
            try:
                self.db = _Postgres(self.url) if self.url else _Sqlite(self.root / SQLITE_FILE)
                self._migrate()
                cat = self.load()
            except (ValueError, KeyError, TypeError, IndexError, AttributeError, sqlite3.DatabaseError) as e:
                if isinstance(e, sqlite3.OperationalError):
                    raise
                cat = Catalog()
                cat.damage = f"{type(e).__name__}: {e}"
                return cat
        except (sqlite3.OperationalError, *_pg_unavailable()) as e:
            raise CatalogUnavailable(f"catalog {self.where}: cannot open: {e}") from e
        return self._adopt_json(cat)

    def _adopt_json(self, cat: Catalog) -> Catalog:
        """Migrate ``catalog.json`` (the format before the tables) into a fresh catalog."""
        path = self.root / CATALOG_FILE
        if not path.exists():
            return cat
        if self.fresh:
            old = Catalog.load_json(path)
            if old.damage is not None:
                self._damaged_json = True  # set aside and rebuilt like a damaged table file
                return old
            self.commit(old)
            cat = old
        os.replace(path, path.with_name(CATALOG_FILE + MIGRATED_SUFFIX))  # also after a crash mid-way
        fsync_dir(self.root)
        return cat

    def set_aside(self) -> str:
        """Keep a damaged catalog under a new name (evidence) and start empty; the name kept."""
        stamp = _time.strftime("%Y%m%dT%H%M%SZ", _time.gmtime())
        if self._damaged_json:
            self._damaged_json = False
            return _keep(self.root / CATALOG_FILE, stamp, False)
        if self.url:
            raise StorageError(f"catalog {self.where} is unreadable: repair it, or empty its tables to "
                               "rebuild it from the Parquet files")
        if self.db is not None:
            self.db.close()
        kept = _keep(self.root / SQLITE_FILE, stamp, True)
        self.db = _Sqlite(self.root / SQLITE_FILE)
        self._migrate()
        self.load()
        self.take_lease()
        return kept

    def take_lease(self) -> None:
        """Become the store's only writer (storage/lease.py), or raise naming the one that is."""
        lease = lease_mod.WriterLease(self, str(self.root), self.lease_s)
        lease.on_lost = self.on_lost
        lease.acquire()
        self.lease = lease

    def close(self) -> None:
        for lease in (self.lease, self.data_lease):
            if lease is not None:
                lease.release()
        self.lease = self.data_lease = None
        if self.db is not None:
            self.db.close()
            self.db = None

    @property
    def where(self) -> str:
        return _redact(self.url) if self.url else str(self.root / SQLITE_FILE)

    def _migrate(self) -> None:
        """Bring the tables to :data:`SCHEMA_VERSION` (each step in its own transaction)."""
        self.db.execute("CREATE TABLE IF NOT EXISTS schema_version (version INTEGER NOT NULL)")
        with self.db.transaction():
            have = self.db.execute("SELECT max(version) FROM schema_version")[0][0] or 0
            if have > SCHEMA_VERSION:
                raise StorageError(f"catalog {self.where} has schema version {have}; this version of tsdb "
                                   f"knows up to {SCHEMA_VERSION}: upgrade tsdb")
            for version in range(have + 1, SCHEMA_VERSION + 1):
                for stmt in MIGRATIONS[version - 1]:
                    self.db.execute(stmt)
                self.db.execute("INSERT INTO schema_version VALUES (?)", (version,))

    # -- loading ----------------------------------------------------------------------
    def load(self) -> Catalog:
        """The committed catalog (remembered as the base of the next commit)."""
        with self.lock, self.db.snapshot():
            q = self.db.execute
            version, next_id = q("SELECT version, next_file_id FROM catalog_state WHERE id = 1")[0]
            cat = Catalog()
            cat.next_file_id = next_id
            base = _Committed(next_id, 0)
            ords = [0]
            for name, default, o in q("SELECT name, default_rp, ordinal FROM databases ORDER BY ordinal"):
                cat.databases[name] = Database(name, default)
                base.dbs[name] = default
                ords.append(o)
            for db, name, dur, sgd, repl, o in q("SELECT db, name, duration, shard_group_duration, replication, "
                                                 "ordinal FROM retention_policies ORDER BY ordinal"):
                cat.databases[db].rps[name] = RetentionPolicy(name, dur, sgd, repl)
                base.rps[(db, name)] = (dur, sgd, repl)
                ords.append(o)
            ords += self._load_measurements(cat, base)
            self._load_files(cat, base)
            cat.opened_windows = {(d, r, int(w)) for d, r, w in q("SELECT db, rp, window_start FROM opened_windows")}
            base.windows = frozenset(cat.opened_windows)
            base.ordinal = max(ords)
            self._base, self.fresh = base, version == 0
            return cat

    def _load_measurements(self, cat: Catalog, base: _Committed) -> list[int]:
        q = self.db.execute
        ords = []
        for db, name, o in q("SELECT db, name, ordinal FROM measurements ORDER BY ordinal"):
            cat.databases[db].measurements[name] = MeasurementMeta()
            ords.append(o)
        for db, m, name, typ, o in q("SELECT db, measurement, name, type, ordinal FROM measurement_fields "
                                     "ORDER BY ordinal"):
            cat.databases[db].measurements[m].fields[name] = FieldType(typ)
            ords.append(o)
        for db, m, name in q("SELECT db, measurement, name FROM measurement_tags"):
            cat.databases[db].measurements[m].tags.add(name)
        for d in cat.databases.values():
            for m, mm in d.measurements.items():
                base.meas[(d.name, m)] = (dict(mm.fields), set(mm.tags))
        return ords

    def _load_files(self, cat: Catalog, base: _Committed) -> None:
        for row in self.db.execute(f"SELECT {_COLS} FROM files ORDER BY id"):
            cols = orjson.loads(row[10])
            if not isinstance(cols, list):
                raise TypeError(f"file {row[0]!r}: columns are not a list")
            f = FileMeta(*row[:10], tuple(cols), row[11])
            check_file(f)
            d = cat.databases.get(f.db)
            if d is None or f.rp not in d.rps or f.measurement not in d.measurements:
                raise KeyError(f"file {f.id} belongs to no known database, policy and measurement")
            cat.files.setdefault(f.key, []).append(f)
            base.files[f.id] = f

    # -- committing ---------------------------------------------------------------------
    def commit(self, cat: Catalog) -> None:
        """Write what changed since the last commit, in one transaction; nothing when nothing did."""
        with self.lock:
            base = self._base
            files = {f.id: f for fl in cat.files.values() for f in fl}
            new = _Committed(cat.next_file_id, base.ordinal, {d.name: d.default_rp for d in cat.databases.values()},
                             {(d.name, r.name): (r.duration, r.shard_group_duration, r.replication)
                              for d in cat.databases.values() for r in d.rps.values()}, {}, files,
                             frozenset(cat.opened_windows))
            changed_meas = _changed_measurements(cat, base, new)
            if (new.next_file_id == base.next_file_id and new.dbs == base.dbs and new.rps == base.rps
                    and not changed_meas and new.meas.keys() == base.meas.keys() and files.keys() == base.files.keys()
                    and new.windows == base.windows):
                return
            try:
                with self.db.transaction():
                    if self.lease is not None:
                        self.lease.check()
                    if self.data_lease is not None:
                        self.data_lease.check()
                    self._write(cat, base, new, changed_meas)
                    version = self.db.execute("SELECT version FROM catalog_state WHERE id = 1")[0][0] \
                        if self.on_commit is not None else 0
            except self.db.unavailable as e:
                raise CatalogUnavailable(f"catalog {self.where}: commit failed: {e}") from e
            self._base, self.fresh = new, False
            if self.on_commit is not None:
                self.on_commit(version, list(base.files.keys() - files.keys()))

    def buried(self) -> list[tuple[int, str, float]]:
        """The graveyard: (id, path, delete-after wall time) of files out of the catalog, not yet deleted."""
        with self.lock:
            return self.db.execute("SELECT id, path, delete_after FROM graveyard")

    def unbury(self, ids: list[int]) -> None:
        """Forget graveyard entries whose files are deleted (only the lease holder may)."""
        if not ids:
            return
        with self.lock, self.db.transaction():
            if self.lease is not None:
                self.lease.check()
            self.db.executemany("DELETE FROM graveyard WHERE id = ?", [(i,) for i in ids])

    def _write(self, cat: Catalog, base: _Committed, new: _Committed, changed_meas: list) -> None:
        ex, many = self.db.execute, self.db.executemany
        gone_files = base.files.keys() - new.files.keys()
        many("DELETE FROM files WHERE id = ?", [(i,) for i in gone_files])
        now = _time.time()
        if gone_files:  # buried in the same transaction: readers may still read them (storage/maintenance.py)
            many("INSERT INTO graveyard VALUES (?, ?, ?) ON CONFLICT (id) DO NOTHING",
                 [(i, base.files[i].path, now + self.grace_s) for i in gone_files])
            self.next_reap = min(self.next_reap, now + self.grace_s)
        gone_dbs = base.dbs.keys() - new.dbs.keys()
        for table, col in (("databases", "name"), ("retention_policies", "db"), ("measurements", "db"),
                           ("measurement_fields", "db"), ("measurement_tags", "db")):
            many(f"DELETE FROM {table} WHERE {col} = ?", [(n,) for n in gone_dbs])
        many("INSERT INTO databases VALUES (?, ?, ?)",
             [(n, rp, new.next_ordinal()) for n, rp in new.dbs.items() if n not in base.dbs])
        many("UPDATE databases SET default_rp = ? WHERE name = ?",
             [(rp, n) for n, rp in new.dbs.items() if n in base.dbs and base.dbs[n] != rp])
        many("DELETE FROM retention_policies WHERE db = ? AND name = ?",
             [k for k in base.rps.keys() - new.rps.keys() if k[0] not in gone_dbs])
        many("INSERT INTO retention_policies VALUES (?, ?, ?, ?, ?, ?)",
             [(*k, *v, new.next_ordinal()) for k, v in new.rps.items() if k not in base.rps])
        many("UPDATE retention_policies SET duration = ?, shard_group_duration = ?, replication = ? "
             "WHERE db = ? AND name = ?",
             [(*v, *k) for k, v in new.rps.items() if k in base.rps and base.rps[k] != v])
        self._write_measurements(cat, base, new, changed_meas, gone_dbs)
        many("DELETE FROM opened_windows WHERE db = ? AND rp = ? AND window_start = ?",
             sorted(base.windows - new.windows))
        many("INSERT INTO opened_windows VALUES (?, ?, ?)", sorted(new.windows - base.windows))
        added = [f for i, f in new.files.items() if i not in base.files]
        many(f"INSERT INTO files ({_COLS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
             [(f.id, f.db, f.rp, f.measurement, f.window_start, f.window_end, f.tmin, f.tmax, f.rows, f.size,
               orjson.dumps(list(f.columns)).decode(), f.path) for f in added])
        ex("UPDATE catalog_state SET version = version + 1, next_file_id = ?, committed_at = ? WHERE id = 1",
           (new.next_file_id, now))
        self.db.notify()

    def _write_measurements(self, cat: Catalog, base: _Committed, new: _Committed, changed: list,
                            gone_dbs: set) -> None:
        """Measurements gone, added, or with new fields or tags (those rows rewritten; order kept)."""
        many = self.db.executemany
        gone = [k for k in base.meas.keys() - new.meas.keys() if k[0] not in gone_dbs]
        many("DELETE FROM measurements WHERE db = ? AND name = ?", gone)
        for table in ("measurement_fields", "measurement_tags"):
            many(f"DELETE FROM {table} WHERE db = ? AND measurement = ?",
                 gone + [k for k in changed if k in base.meas])
        many("INSERT INTO measurements VALUES (?, ?, ?)",
             [(*k, new.next_ordinal()) for k in changed if k not in base.meas])
        many("INSERT INTO measurement_fields VALUES (?, ?, ?, ?, ?)",
             [(*k, f, t.value, new.next_ordinal()) for k in changed for f, t in new.meas[k][0].items()])
        many("INSERT INTO measurement_tags VALUES (?, ?, ?)",
             [(*k, t) for k in changed for t in sorted(new.meas[k][1])])


def _changed_measurements(cat: Catalog, base: _Committed, new: _Committed) -> list[tuple[str, str]]:
    """Fill ``new.meas`` (copies only where something changed); the keys added or changed."""
    changed = []
    for d in cat.databases.values():
        for m, mm in d.measurements.items():
            k = (d.name, m)
            old = base.meas.get(k)
            if old is not None and old[0] == mm.fields and old[1] == mm.tags:
                new.meas[k] = old
            else:
                new.meas[k] = (dict(mm.fields), set(mm.tags))
                changed.append(k)
    return changed
