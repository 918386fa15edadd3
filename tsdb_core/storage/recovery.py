"""Opening a store (damaged files, orphan removal, series index load, WAL replay) and damaged files found later.

Opening never refuses over a damaged local file and never deletes one: an unreadable or
missing catalog is rebuilt from the Parquet files (storage/rebuild.py), the unreadable one kept
as ``catalog.sqlite.corrupt-<time>`` (``catalog.json.corrupt-<time>`` before migration; a
damaged PostgreSQL catalog is shared, so opening refuses instead); a live Parquet file whose
footer is bad, or that fails to decode later, is moved to the quarantine
(storage/quarantine.py); a damaged WAL record is skipped (storage/wal.py). Each is logged as a WARNING and listed in ``Store.recovery_report``.
"""
from __future__ import annotations

import logging
import threading
import time as _time
from collections import deque
from dataclasses import dataclass, field

import polars as pl

from ..base.retention import normalised_shard_duration
from ..base.types import FieldType, field_key
from .admission import key_problem, unstorable_key
from .catalog import Database, FileMeta, RetentionPolicy
from .index import INDEX_FILE
from .index_files import IndexFiles
from .isolation import isolate
from .objects import DataFiles, LocalFiles
from .partitions import NEWEST_SUFFIX, newest_rel
from .paths import measurement_dir
from .quarantine import QUARANTINE_DIR, decode_problem, footer_problem, quarantine
from .rebuild import rebuild
from .state import EngineState, Key
from .wal import Skipped
from .wal_record import WalEntry, decode_write
from .write_path import apply_entry

log = logging.getLogger("tsdb_core.store")  # the facade's logger: messages keep their source name

_RECENT_SCANS = 64  # per thread: the file lists of the last scans, for after_read_error()


@dataclass(slots=True)
class RecoveryReport:
    """What opening (and later reads) found damaged and skipped; ``clean`` when nothing was."""

    catalog: list[str] = field(default_factory=list)  # what a catalog rebuild recovered and what not
    catalog_kept: str | None = None  # the unreadable catalog, kept under this name (in the root)
    quarantined: list[tuple[str, str]] = field(default_factory=list)  # (relative path, reason)
    missing: list[str] = field(default_factory=list)  # files the catalog listed that were gone
    wal_skipped: list[Skipped] = field(default_factory=list)
    wal_records: list[str] = field(default_factory=list)  # replayed records that could not be applied
    derived: list[str] = field(default_factory=list)  # derived files (series index) found damaged or stale
    replayed_rows: int = 0
    files_checked: int = 0
    check_seconds: float = 0.0

    @property
    def clean(self) -> bool:
        return not (self.catalog or self.quarantined or self.missing or self.wal_skipped or self.wal_records
                    or self.derived)

    def lines(self) -> list[str]:
        """One human line per finding."""
        out = list(self.catalog)
        if self.catalog_kept:
            out.append(f"the unreadable catalog was kept as {self.catalog_kept}")
        out += [f"Parquet file {rel} moved to {QUARANTINE_DIR}/: {why}" for rel, why in self.quarantined]
        out += [f"Parquet file {rel} listed in the catalog is missing; dropped from it" for rel in self.missing]
        out += [f"WAL segment {s.segment}: {s.reason} at bytes {s.start}-{s.end} skipped" for s in self.wal_skipped]
        return out + self.wal_records + self.derived


class Recovery:
    """What opening repairs, and damaged files found later: moved aside and forgotten, with the
    series index of their measurements rebuilt (``index_files``)."""

    def __init__(self, state: EngineState, index_files: IndexFiles):
        self.state = state
        self.index_files = index_files
        self.report = RecoveryReport()
        self._read_log = threading.local()  # per thread: the files of its last scans
        self._verified: set[int] = set()  # file ids fully decoded once (check_files(deep=True))
        self._reindex: set[Key] | None = None  # while opening: indexes to rebuild once loaded
        self._catalog_lost = False

    # -- opening -------------------------------------------------------------------
    def open_files(self) -> None:
        """Rebuild a lost catalog, quarantine damaged live files, then delete orphans and temp files.

        Parquet files the catalog does not list are orphans of an interrupted flush or compaction.
        """
        st = self.state
        self.report = RecoveryReport()
        self._reindex = set()
        root = st.root
        self._catalog_lost = st.catalog.damage is not None or (st.catalog_store.fresh and (
            st.files.data.has_parquet()
            or any(p.stat().st_size > 8 for p in (root / "wal").glob("*.wal"))))
        if self._catalog_lost:
            self._rebuild_catalog()
        self.check_on_open()
        self._remove_orphans()

    def _remove_orphans(self) -> None:
        """Delete data files the catalog does not list, their sidecars, and temp files (in the
        data files and, for a remote store, in its local directory too). Files buried less than
        ``file_grace_s`` ago are not orphans: readers may still be reading them; none are while
        a follower of the live files holds them (storage/holds.py: it may still list them)."""
        st = self.state
        now = _time.time()
        live = {f.path for f in st.catalog.all_files()}
        live |= {path for _id, path, due in st.catalog_store.buried() if due > now or st.hold is not None}
        _sweep(st.files.data, live)
        if not st.files.data.local:
            _sweep(LocalFiles(st.root), live)

    def _rebuild_catalog(self) -> None:
        st = self.state
        res = rebuild(st.files.data)
        rep = self.report
        for rel, why in res.bad:
            dst = quarantine(st.files.data, rel)
            rep.quarantined.append((rel, why))
            log.warning("Parquet file %s cannot be placed in the rebuilt catalog (%s): moved to %s",
                        rel, why, dst)
        why = self._keep_damaged_catalog()
        rep.catalog = res.notes
        st.catalog = res.catalog
        st.save_catalog()
        self._reindex |= set(st.catalog.files)
        log.warning("%s; %s", why, "; ".join(res.notes))

    def _keep_damaged_catalog(self) -> str:
        """Keep an unreadable catalog under a new name (evidence); what happened, in words."""
        store = self.state.catalog_store
        damage = self.state.catalog.damage
        if damage is None:
            return f"catalog {store.where} is missing"
        keep = store.set_aside()  # a crash before the next save just rebuilds again
        self.report.catalog_kept = keep
        return f"catalog {store.where} is unreadable ({damage}); kept as {keep}"

    def load_index(self) -> None:
        """Load each series index that matches the catalog; rebuild the others (derived data)."""
        st = self.state
        redo, self._reindex = self._reindex or set(), None
        for key in list(st.catalog.files):
            if key in redo:
                self.rebuild_index({key})
                continue
            d = st.root / measurement_dir(*key)
            why = st.index.load(key, d, [f.id for f in st.catalog.files[key]])
            if why is None:
                continue
            self.rebuild_index({key})
            if why in ("missing", "older format"):
                log.info("series index of %s.%s.%s %s: rebuilt from the Parquet files", *key, why)
            else:
                msg = f"series index {d / INDEX_FILE} is {why}: rebuilt from the Parquet files"
                log.warning("%s", msg)
                self.report.derived.append(msg)

    def replay(self) -> None:
        """Load the WAL's records into the buffer (the rows written since the last flush)."""
        st = self.state
        n = 0
        st.health.load_isolated(st.root)
        for seq, payload in st.wal.replay():
            db, rp, entries = decode_write(payload)
            database = self._replay_target(db, rp)
            if database is None:
                continue
            for i, e in enumerate(entries):
                e = self._set_aside_unstorable(db, rp, e, f"wal-{seq:020d}-{i}")
                if e is None or self._conflicts(database, rp, e):
                    continue
                apply_entry(st, database, rp, e, series=e.series)  # (the record's codes, as a write's)
                n += e.frame.height
        self.report.wal_skipped = list(st.wal.skipped)
        self.report.replayed_rows = n
        if n:
            log.info("replayed %d rows from the WAL", n)
        if self._catalog_lost and st.catalog.databases:
            st.save_catalog()

    def _replay_target(self, db: str, rp: str) -> Database | None:
        """The database a WAL record goes to (created if missing); None when its policy is gone."""
        st, rep = self.state, self.report
        database = st.catalog.databases.get(db)
        if database is None:
            st.catalog.create_database(db, duration=st.config.auto_create_duration or None)
            database = st.catalog.databases[db]
        if rp not in database.rps and self._catalog_lost:  # its files, if any, are gone with the catalog
            database.rps[rp] = RetentionPolicy(rp, 0, normalised_shard_duration(0, 0))
            database.default_rp = database.default_rp or rp
            rep.catalog.append(f"retention policy {db}.{rp}: found only in the WAL, settings not "
                               "recoverable, set to duration INF, shard duration 168h")
        if rp not in database.rps:
            log.warning("WAL record for missing retention policy %s.%s skipped", db, rp)
            rep.wal_records.append(f"WAL record for missing retention policy {db}.{rp} skipped")
            return None
        return database

    def _conflicts(self, database: Database, rp: str, e: WalEntry) -> bool:
        """Whether a WAL record's field types clash with the catalog's (then it is skipped)."""
        meta = database.measurements.get(e.measurement)
        if meta is None or all(meta.fields.get(field_key(f), FieldType(t)) is FieldType(t)
                                for f, t in e.fields.items()):
            return False
        log.warning("WAL record for %s conflicts with the catalog; skipped", e.measurement)
        self.report.wal_records.append(f"WAL record for {database.name}.{rp}.{e.measurement} conflicts with "
                                       f"the catalog's field types; {e.frame.height} rows skipped")
        return True

    def _set_aside_unstorable(self, db: str, rp: str, e: WalEntry, name: str) -> WalEntry | None:
        """A WAL record of an older version may hold keys that cannot be stored (a NUL): its rows
        that carry them are set aside (storage/isolation.py), the rest replays; None if nothing does."""
        bad = [k for k in (*e.tags, *e.fields) if unstorable_key(k)]
        if not bad:
            return e
        carry = pl.any_horizontal([pl.col(k).is_not_null() for k in bad])
        aside = e.frame.filter(carry)
        why = ValueError(key_problem(e.measurement, bad[0], bad[0] in e.tags))
        isolate(self.state.health, self.state.root, (db, rp, e.measurement),
                [WalEntry(e.measurement, e.tags, e.fields, aside)], why, name=name)
        self.report.wal_records.append(
            f"WAL record for {db}.{rp}.{e.measurement}: {aside.height} rows with a key that cannot be stored "
            f"({why}) set aside in {QUARANTINE_DIR}/")
        rest = e.frame.filter(~carry).drop(bad)
        tags = tuple(t for t in e.tags if t not in bad)
        fields = {f: t for f, t in e.fields.items() if f not in bad}
        if not rest.height or not any(rest.get_column(f).null_count() < rest.height for f in fields):
            return None
        return WalEntry(e.measurement, tags, fields, rest)

    # -- damaged files ---------------------------------------------------------------
    def check_on_open(self) -> None:
        """Opening's check: each live file's footer in a local directory; in object storage, the
        catalog's sizes against one LIST (a footer there is a request per file): a file damaged
        otherwise is found by its first read (:meth:`after_read_error`). Then the cached copies
        of files no longer live are dropped."""
        st = self.state
        data = st.files.data
        if data.local:
            self.check_files()
            return
        with st.lock:
            todo = st.catalog.all_files()
        t0 = _time.perf_counter()
        listed = data.listing()
        bad = [(f, "missing" if listed.get(f.path) is None else f"{listed[f.path]} bytes, the catalog says {f.size}")
               for f in todo if listed.get(f.path) != f.size]
        self.report.files_checked = len(todo)
        self.report.check_seconds = _time.perf_counter() - t0
        self.quarantine(bad)
        if data.cache is not None:
            with st.lock:
                live = {f.path: f.size for f in st.catalog.all_files()}
            data.cache.sweep(live | {newest_rel(rel): None for rel in live})

    def check_files(self, deep: bool = False, files: list[FileMeta] | None = None) -> list[tuple[str, str]]:
        """Check live Parquet files (footer; ``deep``: every page), quarantine the damaged ones.

        Returns the (relative path, reason) of each file moved. Opening runs the footer check.
        """
        st = self.state
        if st.root is None:
            return []
        with st.lock:
            todo = st.catalog.all_files() if files is None else list(files)
        t0 = _time.perf_counter()
        bad = []
        data = st.files.data
        for f in todo:
            why = footer_problem(data, f.path, f.rows, f.size, f.columns)
            if why is None and deep and f.id not in self._verified:
                why = decode_problem(data, f.path, f.rows)
                if why is None:
                    self._verified.add(f.id)
            if why is not None:
                bad.append((f, why))
        if files is None and not deep:
            self.report.files_checked = len(todo)
            self.report.check_seconds = _time.perf_counter() - t0
        return self.quarantine(bad)

    def forget_verified(self) -> None:
        """Decode every file again at the next deep check (they were all verified once)."""
        self._verified.clear()

    def after_read_error(self, exc: BaseException, files: list[FileMeta] | None = None) -> list[str]:
        """A read failed: find the damaged files among those this thread scanned last, quarantine them.

        The query that failed still answers its error (never other values); later queries answer
        the rest. Without ``files`` or noted scans (:meth:`note_scan`), every live file is decoded
        once. Returns the relative paths moved.
        """
        st = self.state
        if st.root is None or st.closed or not is_read_error(exc):
            return []
        if files is None:
            recent = getattr(self._read_log, "scans", None)
            if recent:
                files = list({f.id: f for fl in recent for f in fl}.values())
                recent.clear()
        with st.lock:
            live = {f.id for f in st.catalog.all_files()}
        todo = [f for f in (files if files is not None else st.catalog.all_files()) if f.id in live]
        return [rel for rel, _ in self.check_files(deep=True, files=todo)]

    def note_scan(self, files) -> None:
        """Remember (per thread) which files a scan reads, so a failed read can be pinned on one."""
        q = getattr(self._read_log, "scans", None)
        if q is None:
            q = self._read_log.scans = deque(maxlen=_RECENT_SCANS)
        q.append(tuple(files))

    def quarantine(self, bad: list[tuple[FileMeta, str]]) -> list[tuple[str, str]]:
        """Move damaged files aside and forget them (catalog, caches, index)."""
        if not bad:
            return []
        st = self.state
        with st.flush_lock, st.lock:
            live = {f.id for f in st.catalog.all_files()}
            bad = [(f, why) for f, why in bad if f.id in live]
            moved = [self._move_aside(f, why) for f, why in bad]
            if not bad:
                return []
            gone = [f for f, _ in bad]
            st.catalog.replace_files(gone, [])
            st.save_catalog()
            st.files.delete(gone)  # caches; the paths are gone already
            keys = {f.key for f in gone}
            if self._reindex is not None and st.wal is None:
                self._reindex |= keys  # opening: the index is loaded later
            else:
                self.rebuild_index(keys)
        return moved

    def _move_aside(self, f: FileMeta, why: str) -> tuple[str, str]:
        dst = quarantine(self.state.files.data, f.path)
        if dst is None:
            self.report.missing.append(f.path)
            log.warning("Parquet file %s listed in the catalog is missing; its %d rows of %s.%s.%s are "
                        "no longer served", f.path, f.rows, f.db, f.rp, f.measurement)
        else:
            self.report.quarantined.append((f.path, why))
            log.warning("Parquet file %s is damaged (%s): moved to %s; its %d rows of %s.%s.%s are no "
                        "longer served", f.path, why, dst, f.rows, f.db, f.rp,
                        f.measurement)
        return f.path, why


    def rebuild_index(self, keys: set[Key]) -> None:
        """Recompute tag sets from the files (after deletes); a file that fails to decode is
        quarantined (which rebuilds its measurement's index again, without it)."""
        damaged = self.index_files.rebuild(keys, is_read_error)
        if damaged:
            self.quarantine(damaged)


def _sweep(data: DataFiles, live: set[str]) -> None:
    """Remove orphans: Parquet files 4 directories deep that are not ``live`` (the quarantine's
    lie 5 deep and are never removed), sidecars without their file, and ``*.tmp`` files."""
    for rel in list(data.list()):
        depth = rel.count("/")
        if rel.endswith(NEWEST_SUFFIX) and depth == 4:  # a sidecar goes with its file
            if rel[: -len(NEWEST_SUFFIX)] + ".parquet" not in live:
                data.delete(rel)
        elif (rel.endswith(".parquet") and depth == 4 and rel not in live) or rel.endswith(".tmp"):
            data.delete(rel)


def is_read_error(exc: BaseException) -> bool:
    """A failure reading a file (I/O, or the Parquet decoder's complaint), not a bug elsewhere."""
    return isinstance(exc, OSError) or "parquet" in str(exc).lower() or "thrift" in str(exc).lower()
