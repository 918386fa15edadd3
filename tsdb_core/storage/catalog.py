"""The catalog: databases, retention policies, measurement schemas and the live file list.

Held in memory here and committed to SQL tables (storage/catalog_sql.py: SQLite next to
the data, or PostgreSQL), one transaction per change. It is the source of truth for which
Parquet files are live: a file on disk that the catalog does not list is an orphan of an
interrupted flush or compaction and is removed on open. An unreadable catalog loads as an
empty one that says why (``damage``), so the store can rebuild it from the Parquet files
(storage/rebuild.py) instead of refusing to open. Validation of DDL follows InfluxDB 1.x's
meta store, wording included. The JSON form (``to_bytes``/``from_bytes``) is the format of
``catalog.json``, which stores before the tables used and which is migrated on open.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import orjson

from ..base.errors import DatabaseNotFound, RetentionPolicyNotFound, UserError
from ..base.types import FieldType, field_column
from ..base.retention import (DEFAULT_RP, check_duration, check_replication, check_shard,
                              normalised_shard_duration)

CATALOG_FILE = "catalog.json"  # the format before the SQL tables (migrated on open)


@dataclass(slots=True)
class RetentionPolicy:
    name: str
    duration: int  # ns, 0 = infinite
    shard_group_duration: int  # ns
    replication: int = 1

    def min_time(self, now: int) -> int | None:
        """Oldest time still kept, or None when nothing expires."""
        return now - self.duration if self.duration > 0 else None


@dataclass(slots=True)
class MeasurementMeta:
    fields: dict[str, FieldType] = field(default_factory=dict)  # by field key
    tags: set[str] = field(default_factory=set)

    def field_columns(self) -> dict[str, FieldType]:
        """The fields by column name: a field whose key is also a tag key has its own
        (``base.types.field_column``)."""
        if self.tags.isdisjoint(self.fields):
            return dict(self.fields)
        return {field_column(k, self.tags): t for k, t in self.fields.items()}


@dataclass(slots=True)
class Database:
    name: str
    default_rp: str
    rps: dict[str, RetentionPolicy] = field(default_factory=dict)
    measurements: dict[str, MeasurementMeta] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class FileMeta:
    """One live Parquet file: enough to prune it without opening it."""

    id: int
    db: str
    rp: str
    measurement: str
    window_start: int
    window_end: int  # exclusive
    tmin: int
    tmax: int
    rows: int
    size: int
    columns: tuple[str, ...]  # time, tags, fields as stored
    path: str  # relative to the root ('' for in-memory files)

    @property
    def key(self) -> tuple[str, str, str]:
        return (self.db, self.rp, self.measurement)


class Catalog:
    """The in-memory catalog; callers hold the store lock."""

    def __init__(self) -> None:
        self.databases: dict[str, Database] = {}
        self.files: dict[tuple[str, str, str], list[FileMeta]] = {}
        self.next_file_id = 1
        self.damage: str | None = None  # why the document on disk could not be read (load())
        # (db, rp, window start) of shard groups a failed write opened without storing a row
        # (storage/shard_groups.py): 1.x keeps such a group across a restart
        self.opened_windows: set[tuple[str, str, int]] = set()

    # -- persistence ---------------------------------------------------------
    def to_bytes(self) -> bytes:
        dbs = {}
        for db in self.databases.values():
            dbs[db.name] = {
                "default_rp": db.default_rp,
                "rps": {rp.name: {"duration": rp.duration, "shard_group_duration": rp.shard_group_duration,
                                  "replication": rp.replication} for rp in db.rps.values()},
                "measurements": {m: {"tags": sorted(mm.tags), "fields": {k: v.value for k, v in mm.fields.items()}}
                                 for m, mm in db.measurements.items()},
            }
        files = [[f.id, f.db, f.rp, f.measurement, f.window_start, f.window_end, f.tmin, f.tmax, f.rows,
                  f.size, list(f.columns), f.path] for fl in self.files.values() for f in fl]
        doc = {"version": 1, "next_file_id": self.next_file_id, "databases": dbs, "files": files}
        if self.opened_windows:
            doc["opened_windows"] = sorted(list(k) for k in self.opened_windows)
        return orjson.dumps(doc)

    @classmethod
    def from_bytes(cls, data: bytes) -> "Catalog":
        doc = orjson.loads(data)
        cat = cls()
        cat.next_file_id = doc["next_file_id"]
        for name, d in doc["databases"].items():
            db = Database(name, d["default_rp"])
            for rpn, r in d["rps"].items():
                db.rps[rpn] = RetentionPolicy(rpn, r["duration"], r["shard_group_duration"], r["replication"])
            for m, mm in d["measurements"].items():
                db.measurements[m] = MeasurementMeta({k: FieldType(v) for k, v in mm["fields"].items()},
                                                     set(mm["tags"]))
            cat.databases[name] = db
        for row in doc["files"]:
            f = FileMeta(*row[:10], tuple(row[10]), row[11])
            check_file(f)
            d = cat.databases.get(f.db)
            if d is None or f.rp not in d.rps or f.measurement not in d.measurements:
                raise KeyError(f"file {f.id} belongs to no known database, policy and measurement")
            cat.files.setdefault(f.key, []).append(f)
        for fl in cat.files.values():
            fl.sort(key=lambda f: f.id)
        cat.opened_windows = {(d, r, int(w)) for d, r, w in doc.get("opened_windows", ())}
        return cat

    @classmethod
    def load_json(cls, path: Path) -> "Catalog":
        """The JSON document at ``path``; empty when absent; empty with ``damage`` set when unreadable."""
        if not path.exists():
            return cls()
        try:
            return cls.from_bytes(path.read_bytes())
        except (ValueError, KeyError, TypeError, IndexError, AttributeError) as e:  # torn or hand-edited
            cat = cls()
            cat.damage = f"{type(e).__name__}: {e}"
            return cat

    # -- databases and policies -----------------------------------------------
    def database(self, name: str) -> Database:
        db = self.databases.get(name)
        if db is None:
            raise DatabaseNotFound(name)
        return db

    def rp(self, db: str, name: str | None) -> RetentionPolicy:
        d = self.database(db)
        rpname = name or d.default_rp
        rp = d.rps.get(rpname)
        if rp is None:
            raise RetentionPolicyNotFound(rpname, db)
        return rp

    def create_database(self, name: str, *, duration: int | None = None, shard_duration: int | None = None,
                        replication: int | None = None, rp_name: str | None = None) -> bool:
        """CREATE DATABASE [WITH ...]; idempotent like 1.x. Returns True when something changed."""
        if not name:
            raise UserError("database name required")
        spec = any(v is not None for v in (duration, shard_duration, replication, rp_name))
        dur = duration or 0
        _check_rp(dur, replication)
        rp = RetentionPolicy(rp_name or DEFAULT_RP, dur, normalised_shard_duration(shard_duration or 0, dur),
                             replication or 1)
        _check_shard(rp)
        existing = self.databases.get(name)
        if existing is not None:
            if spec:
                old = existing.rps.get(rp.name)
                if old is None or existing.default_rp != rp.name or (
                        old.duration, old.shard_group_duration, old.replication) != (
                        rp.duration, rp.shard_group_duration, rp.replication):
                    raise UserError("retention policy conflicts with an existing policy")
            return False
        self.databases[name] = Database(name, rp.name, {rp.name: rp})
        return True

    def drop_database(self, name: str) -> list[FileMeta]:
        """Forget the database; returns its files for deletion."""
        self.databases.pop(name, None)
        return self._pop_files(lambda k: k[0] == name)

    def create_retention_policy(self, db: str, name: str, *, duration: int, shard_duration: int = 0,
                                replication: int = 1, default: bool = False) -> None:
        d = self.database(db)
        if not name:
            raise UserError("retention policy name required")
        _check_rp(duration, replication)
        rp = RetentionPolicy(name, duration, normalised_shard_duration(shard_duration, duration), replication)
        _check_shard(rp)
        old = d.rps.get(name)
        if old is not None:
            if (old.replication, old.duration, old.shard_group_duration) != (
                    rp.replication, rp.duration, rp.shard_group_duration):
                raise UserError("retention policy already exists")
            if default and d.default_rp != name:
                raise UserError("retention policy conflicts with an existing policy")
            return
        d.rps[name] = rp
        if default or not d.default_rp:
            d.default_rp = name

    def alter_retention_policy(self, db: str, name: str, *, duration: int | None = None,
                               shard_duration: int | None = None, replication: int | None = None,
                               default: bool | None = None) -> None:
        d = self.database(db)
        old = d.rps.get(name)
        if old is None:
            raise RetentionPolicyNotFound(name, db)
        dur = old.duration if duration is None else duration
        _check_rp(dur, replication)
        sgd = old.shard_group_duration if shard_duration is None else normalised_shard_duration(shard_duration, dur)
        new = RetentionPolicy(name, dur, sgd, old.replication if replication is None else replication)
        _check_shard(new)
        d.rps[name] = new
        if default:
            d.default_rp = name

    def drop_retention_policy(self, db: str, name: str) -> list[FileMeta]:
        d = self.database(db)
        if d.rps.pop(name, None) is not None and d.default_rp == name:
            d.default_rp = ""
        return self._pop_files(lambda k: k[0] == db and k[1] == name)

    def drop_measurement(self, db: str, measurement: str) -> list[FileMeta]:
        d = self.database(db)
        d.measurements.pop(measurement, None)
        return self._pop_files(lambda k: k[0] == db and k[2] == measurement)

    # -- files -----------------------------------------------------------------
    def allocate_file_id(self) -> int:
        fid = self.next_file_id
        self.next_file_id += 1
        return fid

    def add_file(self, f: FileMeta) -> None:
        fl = self.files.setdefault(f.key, [])
        fl.append(f)
        fl.sort(key=lambda x: x.id)

    def replace_files(self, old: list[FileMeta], new: list[FileMeta]) -> None:
        """Swap ``old`` for ``new`` in one step (compaction, delete, retention)."""
        gone = {f.id for f in old}
        for key in {f.key for f in old} | {f.key for f in new}:
            fl = [f for f in self.files.get(key, []) if f.id not in gone]
            fl.extend(f for f in new if f.key == key)
            fl.sort(key=lambda x: x.id)
            if fl:
                self.files[key] = fl
            else:
                self.files.pop(key, None)

    def all_files(self) -> list[FileMeta]:
        return [f for fl in self.files.values() for f in fl]

    def _pop_files(self, pred) -> list[FileMeta]:
        out = []
        for key in [k for k in self.files if pred(k)]:
            out.extend(self.files.pop(key))
        return out


_INT_FIELDS = ("id", "window_start", "window_end", "tmin", "tmax", "rows", "size")


def check_file(f: FileMeta) -> None:
    """A hand-edited or damaged file row fails here, not later inside a query."""
    if not all(type(getattr(f, n)) is int for n in _INT_FIELDS):
        raise TypeError(f"file {f.id!r}: a number is not an integer")
    if not all(isinstance(v, str) for v in (f.db, f.rp, f.measurement, f.path, *f.columns)):
        raise TypeError(f"file {f.id!r}: a name is not a string")
    if f.path.startswith("/") or ".." in f.path.split("/"):
        raise ValueError(f"file {f.id}: path {f.path!r} leaves the store")


def _check_rp(duration: int, replication: int | None) -> None:
    check_duration(duration)
    check_replication(replication)


def _check_shard(rp: RetentionPolicy) -> None:
    check_shard(rp.duration, rp.shard_group_duration)
