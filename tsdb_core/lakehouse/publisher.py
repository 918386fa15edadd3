"""The Iceberg publisher: makes the Iceberg catalog agree with the store's catalog.

A reconciler, not a log follower: :meth:`Publisher.publish` reads one consistent view of the
store (lakehouse/view.py) and, per measurement, creates the table, adds new columns, writes and
adds the copies (lakehouse/copies.py) of the live files it lacks and removes those of files no
longer live, in one Iceberg commit per table that changed. Running it twice changes nothing;
running it after any crash (the store committed, Iceberg not yet, or the other way round)
brings the two back into agreement. Copies no table lists any more are deleted ``file_grace_s``
later (or, left by a publisher that stopped, by the next one's first publish).
"""
from __future__ import annotations

import time
from dataclasses import dataclass, field

import pyarrow.parquet as pq
from pyiceberg.exceptions import NoSuchTableError
from pyiceberg.io import load_file_io
from pyiceberg.io.pyarrow import parquet_files_to_data_files
from pyiceberg.table import TableProperties

from . import mapping
from .catalog import default_uri, is_rest, open_catalog, warehouse_uri
from .copies import source_id, stray_copies, write_copies
from .overlap import OverlapCheck
from .view import StoreView, TableView, read_view

Ident = tuple[str, ...]
# Snapshots kept per table: each publish that changes a table adds one, and pyiceberg copies the
# whole metadata (every snapshot) on each update, so old ones are expired in batches. Expiring
# deletes no data file: the files are the store's, deleted by it after StoreConfig.file_grace_s.
KEEP_SNAPSHOTS = 10
STRAY_AGE_S = 60.0  # a copy no table lists is deleted once it is this old at least (and past the grace)


@dataclass
class PublishReport:
    """What one :meth:`Publisher.publish` changed."""

    version: int | None = None
    created: list[Ident] = field(default_factory=list)
    dropped: list[Ident] = field(default_factory=list)
    columns_added: dict[Ident, list[str]] = field(default_factory=dict)
    files_added: int = 0
    files_removed: int = 0
    held: dict[Ident, list[int]] = field(default_factory=dict)  # file ids held back (overwritten rows)
    deferred: list[Ident] = field(default_factory=list)  # tables left as they were (``defer_held``)
    unlisted: list[str] = field(default_factory=list)  # copies the tables stopped listing

    @property
    def changed(self) -> bool:
        """Whether this publish committed anything to the Iceberg catalog."""
        return bool(self.created or self.dropped or self.columns_added or self.files_added or self.files_removed)


class Publisher:
    """Publishes one store to one Iceberg catalog; keep one per store (it remembers what it did)."""

    def __init__(self, store, catalog=None, *, uri: str | None = None, properties: dict[str, str] | None = None):
        self.store = store
        self.uri = uri or default_uri(store)
        self.catalog = catalog if catalog is not None else open_catalog(store, self.uri, properties)
        self.warehouse = warehouse_uri(store)
        self.io = load_file_io(dict(self.catalog.properties), self.warehouse)
        self.overlap = OverlapCheck(self._read_keys)
        self._ours: dict[Ident, tuple[str, str, str]] | None = None  # our tables -> (db, rp, measurement)
        self._done: dict[Ident, tuple] = {}  # what each table was last made to agree with
        # per table: (snapshot id, its data files by path) after our last commit, so a publish
        # reads manifests only when someone else committed in between
        self._files: dict[Ident, tuple[int | None, dict]] = {}
        self._trash: list[tuple[str, float]] = []  # (copy no table lists, when it stopped being listed)
        self.grace_s = store.config.file_grace_s  # how long a copy outlives the commit that unlisted it
        self._swept = False  # stray copies looked for (on the first publish)

    def file_uri(self, f) -> str:
        """Where a live file is, as Iceberg records it."""
        return f"{self.warehouse}/{f.path}"

    def publish(self, *, from_scratch: bool = False, defer_held: bool = False) -> PublishReport:
        """Make the Iceberg tables agree with the store now; ``from_scratch`` drops ours first;
        ``defer_held``: leave a table holding back files as it is (its last published state has
        no replaced rows either), so that compacting first publishes it without a gap."""
        if from_scratch:
            self.drop_all()
        ours = self.our_tables()
        view = read_view(self.store, frozenset(self._ours.values()) if self._ours else frozenset())
        report = PublishReport(view.version)
        for tv in view.tables.values():
            self._sync(tv, report, defer_held)
        for ident in sorted(ours - view.tables.keys()):
            self._drop_table(ident)
            report.dropped.append(ident)
        self._ours = {ident: (tv.db, tv.rp, tv.measurement) for ident, tv in view.tables.items()
                      if ident in ours or ident not in report.deferred}
        if report.dropped:
            self._prune_namespaces(view)
        self.overlap.forget_except({f.id for tv in view.tables.values() for f in tv.files})
        if not self._swept and not report.deferred:
            self._sweep(set(self._ours))
        self.empty_trash()
        return report

    def _sweep(self, idents: set[Ident]) -> None:
        """Once per publisher: copies no table lists, older than the grace, go to the trash
        (what a stopped publisher left behind)."""
        before = time.time() - max(self.grace_s, STRAY_AGE_S)  # not one another publisher is about to commit
        for ident in idents:
            table = self.catalog.load_table(ident)
            listed = set(current_files(table.metadata, table.io))
            self._trash.extend((u, 0.0) for u in stray_copies(table.io, table.location(), listed, before))
        self._swept = True

    def empty_trash(self, now: float | None = None) -> int:
        """Delete the copies unlisted ``grace_s`` ago or more (a reader that planned before may
        still read them until then); how many."""
        now = time.time() if now is None else now
        listed = {u for _, files in self._files.values() for u in files}  # written again (a table remade)
        self._trash = [(u, t) for u, t in self._trash if u not in listed]
        due = [u for u, t in self._trash if t + self.grace_s <= now]
        for uri in due:
            try:
                self.io.delete(uri)
            except FileNotFoundError:
                pass
        self._trash = [(u, t) for u, t in self._trash if t + self.grace_s > now]
        return len(due)

    def _drop_table(self, ident: Ident) -> None:
        """Drop one of our tables; its copies go to the trash."""
        try:
            table = self.catalog.load_table(ident)
            listed = current_files(table.metadata, table.io)
        except NoSuchTableError:
            listed = {}
        self.catalog.drop_table(ident)
        self._done.pop(ident, None)
        self._files.pop(ident, None)
        self._trash.extend((u, time.time()) for u in listed if source_id(u) is not None)

    def held_back(self, tv: TableView) -> list:
        """The live files of ``tv`` not published (they share rows with another file)."""
        return self.overlap.split(tv.files, tv.tags)[1]

    def our_tables(self) -> set[Ident]:
        """Identifiers of the tables this store published (tables others made are left alone)."""
        if self._ours is None:
            found = {}
            for ns in self._namespaces(()):
                for ident in self.catalog.list_tables(ns):
                    props = self.catalog.load_table(ident).properties
                    if mapping.PROP_MEASUREMENT in props:
                        found[tuple(ident)] = (props.get(mapping.PROP_DB, ""), props.get(mapping.PROP_RP, ""),
                                               props[mapping.PROP_MEASUREMENT])
            self._ours = found
        return set(self._ours)

    def published_keys(self) -> set[tuple[str, str, str]]:
        """(database, policy, measurement) of each table this store published."""
        self.our_tables()
        return set(self._ours.values()) if self._ours else set()

    def drop_all(self) -> None:
        """Drop every table and namespace this store published (their copies go to the trash)."""
        for ident in sorted(self.our_tables()):
            self._drop_table(ident)
        self._ours, self._done, self._files = {}, {}, {}
        self._prune_namespaces(StoreView(None, {}))

    def close(self) -> None:
        engine = getattr(self.catalog, "engine", None)
        if engine is not None:
            engine.dispose()

    # -- one table ------------------------------------------------------------------------
    def _sync(self, tv: TableView, report: PublishReport, defer_held: bool = False) -> None:
        published, held = self.overlap.split(tv.files, tv.tags)
        if held:
            report.held[tv.ident] = sorted(f.id for f in held)
            if defer_held:
                report.deferred.append(tv.ident)
                return
        signature = (tuple(sorted(f.id for f in published)), tv.tags, tuple(sorted(tv.fields.items())))
        if self._done.get(tv.ident) == signature:
            return
        table = self._load(tv.ident)  # also after a publish that failed half-way
        if table is not None and not _compatible(table.schema(), tv):
            # a type changed (the measurement was dropped and remade), or a table of an older mapping
            self._drop_table(tv.ident)
            table = None
        if table is None:
            table = self._create(tv)
            report.created.append(tv.ident)
            if self._ours is not None:
                self._ours[tv.ident] = (tv.db, tv.rp, tv.measurement)
        tx = table.transaction()
        unlisted = len(report.unlisted)
        added = _add_columns(tx, tv)
        if added:
            report.columns_added[tv.ident] = added
        files = self._sync_files(tv, tx, published, report, table.io)
        tx.commit_transaction()
        self._trash.extend((u, time.time()) for u in report.unlisted[unlisted:])
        self._files[tv.ident] = (table.metadata.current_snapshot_id, files)
        self._done[tv.ident] = signature
        _expire_old_snapshots(table)

    def _load(self, ident: Ident):
        try:
            return self.catalog.load_table(ident)
        except NoSuchTableError:
            return None

    def _create(self, tv: TableView):
        for depth in range(1, len(tv.ident)):
            self.catalog.create_namespace_if_not_exists(tv.ident[:depth], {mapping.PROP_DB: tv.db})
        schema = mapping.schema(tv.tags, tv.fields)
        props = {**mapping.TABLE_PROPERTIES, mapping.PROP_DB: tv.db, mapping.PROP_RP: tv.rp,
                 mapping.PROP_MEASUREMENT: tv.measurement,
                 TableProperties.DEFAULT_NAME_MAPPING: schema.name_mapping.model_dump_json()}
        location = None if is_rest(self.uri) else mapping.table_location(self.warehouse, tv.ident)  # REST: its own
        return self.catalog.create_table(tv.ident, schema, location=location, partition_spec=mapping.partition_spec(),
                                         properties=props)

    def _sync_files(self, tv: TableView, tx, published: list, report: PublishReport, io) -> dict:
        """Stage the appends and removals making the table list the copies of ``published``
        (writing the missing copies first, through the table's ``io``); its files then."""
        # pyiceberg computes tx.table_metadata anew on each access: read it once (the snapshot
        # staged below leaves its schema, partition spec and location as they are)
        meta = tx.table_metadata
        snapshot_id, have = self._files.get(tv.ident, (None, None))
        if have is None or snapshot_id != meta.current_snapshot_id:
            have = current_files(meta, io)
        want = {f.id: f for f in published}
        listed = {source_id(u) for u in have}
        add = [want[i] for i in sorted(want.keys() - listed)]
        remove = [df for u, df in sorted(have.items()) if source_id(u) not in want]
        if not add and not remove:
            return have
        cfg = self.store.config
        ids = {fd.name: fd.field_id for fd in meta.schema().fields}
        uris = [u for f in add for u in write_copies(self.io, io, self.file_uri(f), meta.location,
                                                         f.id, tv.fields, ids,
                                                         (cfg.parquet_compression, cfg.parquet_compression_level))]
        now = {u: df for u, df in have.items() if source_id(u) in want}
        update = tx.update_snapshot(snapshot_properties={mapping.PROP_VERSION: str(report.version)})
        with (update.overwrite() if remove else update.merge_append()) as producer:
            for data_file in remove:
                producer.delete_data_file(data_file)
            for data_file in parquet_files_to_data_files(io, meta, iter(uris)):
                producer.append_data_file(data_file)
                data_file.spec_id = meta.default_spec_id  # as read back from a manifest
                now[data_file.file_path] = data_file
        report.files_added += len(add)
        report.files_removed += len({source_id(df.file_path) for df in remove})
        report.unlisted += [df.file_path for df in remove if source_id(df.file_path) is not None]
        return now

    def _read_keys(self, f, columns: list[str]):
        with self.io.new_input(self.file_uri(f)).open() as stream:
            return pq.read_table(stream, columns=columns)

    # -- namespaces -----------------------------------------------------------------------
    def _namespaces(self, parent: Ident) -> list[Ident]:
        out = []
        for ns in self.catalog.list_namespaces(parent):
            out.append(tuple(ns))
            out.extend(self._namespaces(tuple(ns)))
        return out

    def _prune_namespaces(self, view: StoreView) -> None:
        """Drop our namespaces that hold nothing the view publishes (deepest first)."""
        keep = {ident[:d] for ident in view.tables for d in range(1, len(ident))}
        for ns in sorted(self._namespaces(()), key=len, reverse=True):
            if ns in keep or mapping.PROP_DB not in self.catalog.load_namespace_properties(ns):
                continue
            if not self.catalog.list_tables(ns) and not self.catalog.list_namespaces(ns):
                self.catalog.drop_namespace(ns)


def current_files(metadata, io) -> dict:
    """file path -> DataFile of a table's current snapshot (read from its manifests)."""
    snap = metadata.current_snapshot()
    if snap is None:
        return {}
    out = {}
    for manifest in snap.manifests(io):
        for entry in manifest.fetch_manifest_entry(io, discard_deleted=True):
            out[entry.data_file.file_path] = entry.data_file
    return out


def _expire_old_snapshots(table) -> None:
    """Expire all but the newest :data:`KEEP_SNAPSHOTS` once there are twice as many."""
    snaps = sorted(table.metadata.snapshots, key=lambda s: (s.timestamp_ms, s.sequence_number or 0))
    if len(snaps) > 2 * KEEP_SNAPSHOTS:
        current = table.metadata.current_snapshot_id
        old = [s.snapshot_id for s in snaps[:-KEEP_SNAPSHOTS] if s.snapshot_id != current]
        table.maintenance.expire_snapshots().by_ids(old).commit()


def _compatible(schema, tv: TableView) -> bool:
    """Whether every column of ``tv`` the table has is of the type ``tv`` needs."""
    have = {f.name: f.field_type for f in schema.fields}
    return all(have.get(name, typ) == typ for name, typ, _ in mapping.columns(tv.tags, tv.fields))


def _add_columns(tx, tv: TableView) -> list[str]:
    """Add the columns ``tv`` has and the table lacks (a new tag or field); their names."""
    have = {f.name for f in tx.table_metadata.schema().fields}
    missing = [(n, t, d) for n, t, d in mapping.columns(tv.tags, tv.fields) if n not in have]
    if missing:
        with tx.update_schema() as update:
            for name, typ, doc in missing:
                update.add_column(name, typ, doc=doc)
        tx.set_properties({TableProperties.DEFAULT_NAME_MAPPING:
                           tx.table_metadata.schema().name_mapping.model_dump_json()})
    return [n for n, _, _ in missing]


def publish(store, **kwargs) -> PublishReport:
    """Publish ``store`` once with a new :class:`Publisher` (``kwargs``: its options)."""
    publisher = Publisher(store, **kwargs)
    try:
        return publisher.publish()
    finally:
        publisher.close()
