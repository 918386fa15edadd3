"""The write path of a store after parsing: validate against the catalog, WAL append, buffer + index.

A mixin of :class:`tsdb_core.store.Store` (its state lives there); split out so the facade stays small.
"""
from __future__ import annotations

import polars as pl

from .catalog import DEFAULT_RP, Database, MeasurementMeta
from ..base.errors import DatabaseNotFound, RetentionPolicyNotFound, StorageError, UserError
from .wal import WalEntry, decode_write, encode_write
from ..base.types import FieldType, LineError, MeasurementBatch, WriteResult
from .admission import validate


class WritePathMixin:
    """Validate → WAL → buffer and index; nothing is touched until the whole batch is validated."""

    def _write_batches(self, db: str, rp: str | None, batches: list[MeasurementBatch], now: int,
                       body: bytes | None, *, auto_create: bool) -> WriteResult:
        seq = 0
        with self._lock:
            self._check_open()
            db, rp = self._split_name(db, rp)
            if auto_create and db not in self._catalog.databases and rp not in (None, DEFAULT_RP):
                raise RetentionPolicyNotFound(rp, db)  # nothing auto-created for a write that fails
            database = self._ensure_database(db) if auto_create else self._catalog.database(db)
            pol = self._catalog.rp(db, rp)
            v = validate(database, pol, batches, now)
            if v.accepted:
                entries = [WalEntry(a.measurement, a.tags, a.fields, a.frame) for a in v.accepted]
                if self._wal is not None:
                    payload = encode_write(db, pol.name, entries)
                    try:
                        seq = self._wal.append(payload)
                    except OSError as e:  # ENOSPC, EIO: nothing was stored, say so (503 in the shim)
                        raise StorageError(f"write failed, nothing stored: {e.strerror or e}") from e
                    # Buffer what replay would load: the decoded record is also a compact copy
                    # (parsed columns can pin their whole request body in memory).
                    entries = decode_write(payload)[2]
                else:  # in memory: at least drop the spare capacity of parsed columns
                    entries = [WalEntry(e.measurement, e.tags, e.fields, e.frame.shrink_to_fit()) for e in entries]
                for e in entries:
                    self._apply(database, pol.name, e.measurement, e.frame, e.tags, e.fields)
        if seq:
            try:
                self._wal.sync(seq)
            except OSError as e:
                raise StorageError(f"write not durable (fsync failed): {e.strerror or e}") from e
        result = WriteResult(points_written=v.points, values_written=v.values,
                             errors=_line_errors(v.rejected, body))
        self._maybe_flush()
        return result

    def _apply(self, database: Database, rp: str, measurement: str, frame: pl.DataFrame,
               tags: tuple[str, ...], fields: dict) -> None:
        """Schema additions, buffer, index: the steps after the WAL that cannot fail."""
        meta = database.measurements.get(measurement)
        if meta is None:
            meta = database.measurements[measurement] = MeasurementMeta()
        for f, t in fields.items():
            meta.fields.setdefault(f, FieldType(t))
        meta.tags.update(tags)
        key = (database.name, rp, measurement)
        self._buffer.add(key, frame, tuple(tags))
        self._index.add(key, frame.select(tags) if tags else pl.DataFrame(height=frame.height))

    def _ensure_database(self, db: str) -> Database:
        d = self._catalog.databases.get(db)
        if d is not None:
            return d
        if not self.config.auto_create_databases:
            raise DatabaseNotFound(db)
        self._catalog.create_database(db, duration=self.config.auto_create_duration or None)
        try:
            self._save_catalog()
        except OSError as e:
            self._catalog.drop_database(db)
            raise StorageError(f"write failed, nothing stored: {e.strerror or e}") from e
        return self._catalog.databases[db]

    def _split_name(self, db: str, rp: str | None) -> tuple[str, str | None]:
        """``db/rp`` (InfluxDB 3 naming) → (db, rp), unless a database has the whole name."""
        if not db:
            raise UserError("database name required")
        if rp is None and "/" in db and db not in self._catalog.databases:
            d, r = db.split("/", 1)
            if d:
                return d, r or None
        return db, rp or None


def _line_errors(rejected: list[tuple[int, str]], body: bytes | None) -> list[LineError]:
    if not rejected:
        return []
    lines = body.split(b"\n") if body is not None else []
    out = []
    for ln, reason in rejected:
        text = lines[ln - 1].rstrip(b"\r").decode("utf-8", "replace") if 0 < ln <= len(lines) else ""
        out.append(LineError(ln, text, reason))
    return out
