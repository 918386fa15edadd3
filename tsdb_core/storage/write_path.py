"""The write path after parsing: validate against the catalog, WAL append, buffer + index.

Nothing is touched until the whole batch is validated; the rows are in the WAL before they
are in the buffer (visible), and the call returns after the WAL's group-commit fsync.
"""
from __future__ import annotations

import logging
from collections.abc import Callable

import polars as pl

from ..base.series_codes import SeriesCodes
from ..base.errors import DatabaseNotFound, RetentionPolicyNotFound, StorageError, UserError
from ..base.types import TIME, FieldType, LineError, MeasurementBatch, WriteResult, field_key
from . import buffer_view
from .admission import validate
from .shard_groups import FAILURE, fail_new_groups, note_series
from .catalog import DEFAULT_RP, Database, MeasurementMeta, RetentionPolicy
from .state import EngineState
from .wal_record import EncodedEntry, WalEntry, decode_write, encode_entry, join_write

log = logging.getLogger("tsdb_core.store")


class WritePath:
    """Validate → WAL → buffer and index; ``after_write`` runs once the rows are durable
    (the engine flushes by size or age there)."""

    def __init__(self, state: EngineState, after_write: Callable[[], None]):
        self.state = state
        self.after_write = after_write

    def write(self, db: str, rp: str | None, batches: list[MeasurementBatch], now: int,
              body: bytes | None, *, auto_create: bool, conflicts: dict | None = None,
              twins: bool = True) -> WriteResult:
        """Store ``batches`` of ``db``/``rp``; rejected rows come back as line errors of ``body``,
        the line-protocol body they were parsed from (None: frames of any other origin).
        ``conflicts``: the body's in-body type conflicts, to fail as 1.x does (shard_groups.py);
        ``twins``: whether a field may share its key with a stored tag (1.x: yes; InfluxDB 3: no)."""
        st = self.state
        seq, failed, failure, upkeep = 0, [], None, []
        presorted = self._presort(db, rp, batches)  # (before the lock: queries go on meanwhile)
        known = self._known_series(db, rp, batches)
        logged = self._pre_encode(batches, parsed=body is not None)
        with st.lock:
            st.check_open()
            db, rp = self.split_name(db, rp)
            if auto_create and db not in st.catalog.databases and rp not in (None, DEFAULT_RP):
                raise RetentionPolicyNotFound(rp, db)  # nothing auto-created for a write that fails
            database = self._ensure_database(db) if auto_create else st.catalog.database(db)
            pol = st.catalog.rp(db, rp)
            if conflicts:
                batches, failed, failure = fail_new_groups(st, database, pol, batches, conflicts)
            v = validate(database, pol, batches, now, twins=twins)
            if twins:  # 1.x: the series of a line refused for a field type conflict exist
                note_series(st, database.name, pol.name, v.conflicted)
            if v.accepted:
                seq = self._log_and_apply(database, pol, v.accepted, parsed=body is not None, upkeep=upkeep,
                                          presorted=presorted, known=known, logged=logged)
        del logged  # (the record is in the WAL's buffer: not held through the group-commit wait)
        for begin in upkeep:  # background sorting for queries, started outside the lock
            begin()
        if seq:
            try:
                st.wal.sync(seq)
            except OSError as e:
                raise StorageError(f"write not durable (fsync failed): {e.strerror or e}") from e
        result = WriteResult(points_written=v.points, values_written=v.values,
                             errors=_line_errors(v.rejected + [(n, FAILURE) for n in failed], body),
                             failure=FAILURE if failure else None)
        self.after_write()
        return result

    def _presort(self, db: str, rp: str | None, batches: list[MeasurementBatch]) -> dict:
        """The batches of measurements queries read lately, sorted as the buffer's view wants
        them (``buffer_view.presorted``), by ``id`` of their frame: (frame, piece, (tags, fields)
        it was sorted for). Read without the lock: a batch whose schema or view changed by the
        time it is applied only has its piece left unused."""
        st = self.state
        if not buffer_view.BACKGROUND or not st.buffer.views:
            return {}
        try:
            d, r = self.split_name(db, rp)
            database = st.catalog.databases.get(d)
            pol = st.catalog.rp(d, r) if database is not None else None
        except UserError:
            return {}
        out = {}
        for mb in batches if pol is not None else ():
            meta = database.measurements.get(mb.measurement)
            if meta is None or not mb.frame.height or not st.buffer.ready((d, pol.name, mb.measurement)):
                continue
            try:
                tags, fields = tuple(sorted(meta.tags)), meta.field_columns()
            except RuntimeError:  # (a write changing the schema meanwhile)
                continue
            if all(c == TIME or c in fields or c in tags for c in mb.frame.columns):
                try:
                    out[id(mb.frame)] = (mb.frame, buffer_view.presorted(mb.frame, tags, fields, mb.series),
                                         (tags, fields))
                except Exception:  # noqa: BLE001 - the write goes on; the view sorts its rows as before
                    log.exception("sorting a write's rows for queries failed")
        return out

    def _pre_encode(self, batches: list[MeasurementBatch], *, parsed: bool) -> dict:
        """Per batch (by ``id`` of its frame): its WAL entry and encoding, made before the lock
        on the bet that validation accepts the batch whole (the usual case): encoding is most
        of a record's cost, and under the lock it held up every other writer and query. A batch
        accepted in part is encoded again under the lock (:func:`_logged`)."""
        if self.state.wal is None:
            return {}
        out = {}
        for mb in batches:
            if mb.frame.height:
                e = _wal_entry(mb.measurement, mb.tags, mb.fields, mb.frame, mb.series, parsed)
                out[id(mb.frame)] = (mb.frame, e, encode_entry(e))
        return out

    def _known_series(self, db: str, rp: str | None, batches: list[MeasurementBatch]) -> dict:
        """Per batch (by ``id`` of its frame): the series index's answer to whether its tag sets
        are all known (``SeriesIndex.known``), asked before the lock, so that a write of known
        series to a read measurement leaves nothing to fold."""
        st = self.state
        try:
            d, r = self.split_name(db, rp)
            pol = st.catalog.rp(d, r) if d in st.catalog.databases else None
        except UserError:
            return {}
        out = {}
        for mb in batches if pol is not None else ():
            key = (d, pol.name, mb.measurement)
            if not st.index.watched(key):
                continue
            tags = (mb.series.table if mb.series is not None else mb.frame)[list(mb.tags)] if mb.tags \
                else pl.DataFrame(height=mb.frame.height)
            got = st.index.known(key, tags)
            if got is not None:
                out[id(mb.frame)] = (mb.frame, got)
        return out

    def _log_and_apply(self, database: Database, pol: RetentionPolicy, accepted, *, parsed: bool,
                       upkeep: list, presorted: dict | None = None, known: dict | None = None,
                       logged: dict | None = None) -> int:
        """WAL append, then buffer and index (lock held); the WAL sequence number to sync (0: none).
        ``parsed``: the frames come from the line-protocol parser, whose columns own compact
        buffers; other frames (a caller's) may share or over-allocate theirs. ``upkeep`` gets
        what to start once the lock is let go (:func:`apply_entry`); ``presorted``: see :meth:`_presort`
        (a batch accepted whole keeps its frame, and so its piece); ``logged``: see :meth:`_pre_encode`."""
        st = self.state
        seq = 0
        given = [_presorted_for(a.frame, presorted) for a in accepted]
        entries = [WalEntry(a.measurement, a.tags, a.fields, a.frame, a.series) for a in accepted]
        if st.wal is not None:
            done = [_logged(a, parsed, logged) for a in accepted]
            entries = [e for e, _ in done]
            payload = join_write(database.name, pol.name, [x for _, x in done])
            try:
                seq = st.wal.append(payload)
            except OSError as e:  # ENOSPC, EIO: nothing was stored, say so (503 in the shim)
                raise StorageError(f"write failed, nothing stored: {e.strerror or e}") from e
            if not parsed:  # buffer what replay would load: the decoded record is also a compact copy
                entries = decode_write(payload)[2]
        else:  # in memory: at least drop the spare capacity of parsed columns
            entries = [WalEntry(e.measurement, e.tags, e.fields, e.frame.shrink_to_fit()) for e in entries]
        for e, g, a in zip(entries, given, accepted):
            k = known.get(id(a.frame)) if known else None
            apply_entry(st, database, pol.name, e, upkeep, g, a.series, k[1] if k and k[0] is a.frame else None)
        return seq

    def _ensure_database(self, db: str) -> Database:
        st = self.state
        d = st.catalog.databases.get(db)
        if d is not None:
            return d
        if not st.config.auto_create_databases:
            raise DatabaseNotFound(db)
        st.catalog.create_database(db, duration=st.config.auto_create_duration or None)
        try:
            st.save_catalog()
        except OSError as e:
            st.catalog.drop_database(db)
            raise StorageError(f"write failed, nothing stored: {e.strerror or e}") from e
        return st.catalog.databases[db]

    def split_name(self, db: str, rp: str | None) -> tuple[str, str | None]:
        """``db/rp`` (InfluxDB 3 naming) → (db, rp), unless a database has the whole name."""
        if not db:
            raise UserError("database name required")
        if rp is None and "/" in db and db not in self.state.catalog.databases:
            d, r = db.split("/", 1)
            if d:
                return d, r or None
        return db, rp or None


def apply_entry(state: EngineState, database: Database, rp: str, e: WalEntry, upkeep: list | None = None,
                presorted: tuple | None = None, series: SeriesCodes | None = None,
                known: pl.DataFrame | None = None) -> None:
    """Schema additions, buffer, index: the steps after the WAL that cannot fail (lock held).
    Writes and WAL replay both end here. ``upkeep`` (a write's) gets what starts the sorting of
    rows queries read lately, to call once the lock is let go; ``presorted``: (piece, (tags,
    fields)), the rows already sorted by the writer for that schema (``WritePath._presort``);
    ``series``: the rows' series codes from the parser (base/series_codes.py), kept with them;
    ``known``: the series index's sets that held every tag set of these rows (``SeriesIndex.known``)."""
    meta = database.measurements.get(e.measurement)
    if meta is None:
        meta = database.measurements[e.measurement] = MeasurementMeta()
    for f, t in e.fields.items():
        meta.fields.setdefault(field_key(f), FieldType(t))
    meta.tags.update(e.tags)
    key = (database.name, rp, e.measurement)
    state.buffer.add(key, e.frame, tuple(e.tags), series)
    if upkeep is not None and (state.buffer.watched(key) or state.buffer.loading(key, e.frame.height)):
        # a query reads these rows lately, or a load wrote another block of them: sort them meanwhile
        tags, fields = tuple(sorted(meta.tags)), meta.field_columns()
        piece = presorted[0] if presorted is not None and presorted[1] == (tags, fields) else None
        begin = state.buffer.keep_sorted(key, tags, fields, state.lock, piece, e.frame.height)
        if begin is not None:
            upkeep.append(begin)
    state.index.add(key, (series.table if series is not None else e.frame)[list(e.tags)] if e.tags
                    else pl.DataFrame(height=e.frame.height), known=known)  # (the parser's table: each set once)
    if state.index.claim_fold(key):  # a query reads its series lately: fold them meanwhile
        state.index.fold_in_background(key, state.lock)


def _wal_entry(measurement: str, tags: tuple[str, ...], fields: dict, frame: pl.DataFrame,
               series: SeriesCodes | None, parsed: bool) -> WalEntry:
    """The WAL entry of rows; a parsed frame in one chunk per column (and one record batch),
    as replay would load it."""
    return WalEntry(measurement, tags, fields, frame.rechunk() if parsed else frame, series)


def _logged(a, parsed: bool, logged: dict | None) -> tuple[WalEntry, EncodedEntry]:
    """The WAL entry of accepted rows ``a`` and its encoding: the one made before the lock
    when ``a`` is its batch whole (same frame, keys, types and series codes), else made now."""
    got = logged.get(id(a.frame)) if logged else None
    if got is not None and got[0] is a.frame:
        e = got[1]
        if (e.measurement == a.measurement and e.tags == a.tags and e.series is a.series
                and list(e.fields.items()) == list(a.fields.items())):
            return e, got[2]
    e = _wal_entry(a.measurement, a.tags, a.fields, a.frame, a.series, parsed)
    return e, encode_entry(e)


def _presorted_for(frame: pl.DataFrame, presorted: dict | None) -> tuple | None:
    """(piece, schema) sorted from this very frame (``WritePath._presort``), or None."""
    got = presorted.get(id(frame)) if presorted else None
    return got[1:] if got is not None and got[0] is frame else None


def _line_errors(rejected: list[tuple[int, str]], body: bytes | None) -> list[LineError]:
    if not rejected:
        return []
    lines = body.split(b"\n") if body is not None else []
    out = []
    for ln, reason in rejected:
        text = lines[ln - 1].rstrip(b"\r").decode("utf-8", "replace") if 0 < ln <= len(lines) else ""
        out.append(LineError(ln, text, reason))
    return out
