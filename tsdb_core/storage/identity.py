"""Which store a catalog and a data location belong to, so that neither is used with another's.

The catalog records the location of its data (a normalised URI without credentials, or an
absolute path) and a store id; the data location holds ``_tsdb_store.json`` with that id, when
it was made and the catalog's kind (``sqlite`` or ``postgresql``, never its URL). Opening, as
the writer or a reader, refuses a catalog made for another location, and a location whose
marker names another store than the catalog: the catalog would list none of that store's files
and its writer would sweep them away as orphans.

A catalog without an id (new, lost and rebuilt from the objects, or made before ids existed)
gets a new one when a writer opens it, and the marker is rewritten (marker first: a crash in
between leaves a catalog that adopts it). So a catalog rebuilt from the objects makes every
older catalog of that location stale. A stale SQLite catalog in a writer's own directory
(beside the WAL of a store in object storage: that writer's disk came back after another
writer took over) is set aside and rebuilt from the objects like a lost one, and its WAL
replayed; a stale PostgreSQL catalog, or a SQLite catalog where the marker names a PostgreSQL
one, is refused. A lost catalog is rebuilt only by a writer that holds the lease of the
location (storage/lease.py), so never under a live writer.

A SQLite catalog inside a local store's directory moves with it: a moved directory records
its new path.
"""
from __future__ import annotations

import logging
import os
import time as _time
import uuid
from dataclasses import dataclass
from urllib.parse import urlsplit, urlunsplit

import orjson

from ..base.errors import StorageError
from .lease import utc

log = logging.getLogger("tsdb_core.store")

MARKER = "_tsdb_store.json"  # has a dot: no encoded user name can be this


def normalise(data) -> str:
    """The location of ``data`` (:class:`~.objects.LocalFiles` or ``ObjectFiles``) as recorded:
    an absolute path, or the URI without credentials, query or trailing slash."""
    if data.local:
        return os.path.abspath(data.root)
    parts = urlsplit(data.uri)
    user, at, host = parts.netloc.rpartition("@")
    netloc = host if at and ":" in user else parts.netloc  # abfs://container@account keeps its container
    return urlunsplit((parts.scheme, netloc, parts.path.rstrip("/"), "", ""))


@dataclass(frozen=True)
class Recorded:
    """What the catalog says about its store."""

    store_id: str
    location: str
    created: float


def recorded(catalog_store) -> Recorded | None:
    with catalog_store.lock:
        rows = catalog_store.db.execute("SELECT store_id, location, created FROM store_identity WHERE id = 1")
    return Recorded(*rows[0]) if rows else None


def read_marker(data) -> dict | None:
    """The data location's marker, or None when absent (or unreadable: the writer rewrites it)."""
    try:
        doc = orjson.loads(data.read_bytes(MARKER))
    except FileNotFoundError:
        return None
    except orjson.JSONDecodeError as e:
        log.warning("%s in %s is unreadable (%s): a writer rewrites it", MARKER, data.uri, e)
        return None
    return doc if isinstance(doc, dict) and isinstance(doc.get("store_id"), str) else None


class StoreIdentity:
    """The identity checks of one opening store (``state``: its EngineState, catalog loaded)."""

    def __init__(self, state):
        self.state = state
        self.data = state.files.data
        self.location = normalise(self.data)
        store = state.catalog_store
        self.kind = "postgresql" if store.url else "sqlite"
        self.inside = not store.url and self.data.local  # the catalog lives in the data directory
        self.adopt: str | None = None  # a marker this catalog's interrupted first open wrote

    def _other_location(self, rec: Recorded) -> StorageError:
        return StorageError(f"catalog {self.state.catalog_store.where}: this catalog belongs to the store at "
                            f"{rec.location}, not {self.location}: open {rec.location} with it, or open "
                            f"{self.location} with its own catalog")

    def _other_store(self, rec: Recorded | None, marker: dict) -> StorageError:
        made = marker.get("created", "?")
        hint = ("--catalog postgresql://... (catalog=...)" if marker.get("catalog") == "postgresql"
                else "the catalog beside the WAL of its writer (wal_dir)")
        head = (f"the data at {self.location} belongs to store {marker['store_id']} (made {made}, its catalog is "
                f"{marker.get('catalog', '?')}), but catalog {self.state.catalog_store.where} ")
        if rec is None:
            return StorageError(f"{head}is new: open it with the catalog that made it, e.g. {hint}; if that "
                                f"catalog is lost for good, delete {MARKER} from the data location to rebuild one "
                                "from the objects")
        return StorageError(f"{head}is of store {rec.store_id} (stale: another catalog was made for the data "
                            f"since): open it with the catalog that made it, e.g. {hint}; or empty this "
                            "catalog's tables to rebuild it from the objects (the WAL beside it is replayed)")

    def check_writer(self) -> None:
        """Before the leases: refuse a catalog or a location of another store; mark a stale
        writer-local catalog to be set aside and rebuilt (``catalog.damage``)."""
        st = self.state
        if st.catalog.damage is not None:
            return  # unreadable: rebuilt from the objects once the leases are held
        rec = recorded(st.catalog_store)
        if rec is not None and rec.location != self.location and not self.inside:
            raise self._other_location(rec)
        marker = read_marker(self.data)
        if marker is None or (rec is not None and rec.store_id == marker["store_id"]):
            return
        pg_marker = marker.get("catalog") == "postgresql"
        if rec is None and st.catalog_store.fresh:
            if pg_marker and self.kind == "sqlite":
                raise self._other_store(rec, marker)
            return  # a lost catalog: rebuilt from the objects
        if not self.data.local and self.kind == "sqlite" and not pg_marker:
            st.catalog.damage = (f"stale: it is of store {rec.store_id if rec else '(none)'} but the data at "
                                 f"{self.location} now belongs to store {marker['store_id']} (another writer "
                                 "rebuilt its catalog)")
            return
        if rec is None and marker.get("catalog") == self.kind:
            self.adopt = marker["store_id"]  # this catalog's first open wrote it, then stopped
            return
        raise self._other_store(rec, marker)

    def settle(self) -> None:
        """After recovery: give the catalog an id (marker first) and the marker its catalog's."""
        store = self.state.catalog_store
        rec = recorded(store)
        marker = read_marker(self.data)
        if rec is None:
            rec = Recorded(self.adopt or uuid.uuid4().hex, self.location, _time.time())
            if marker is None or marker["store_id"] != rec.store_id:
                self._write_marker(rec)
            with store.lock, store.db.transaction():
                store.db.execute("INSERT INTO store_identity VALUES (1, ?, ?, ?)",
                                 (rec.store_id, rec.location, rec.created))
            log.info("store %s at %s: catalog %s", rec.store_id, self.location, store.where)
            return
        if rec.location != self.location:  # a local directory moved with its catalog
            with store.lock, store.db.transaction():
                store.db.execute("UPDATE store_identity SET location = ? WHERE id = 1", (self.location,))
        if marker is None or marker["store_id"] != rec.store_id or marker.get("catalog") != self.kind:
            self._write_marker(rec)

    def _write_marker(self, rec: Recorded) -> None:
        doc = {"store_id": rec.store_id, "created": utc(rec.created), "catalog": self.kind, "format": 1}
        self.data.write_bytes(MARKER, orjson.dumps(doc, option=orjson.OPT_INDENT_2))

    def check_reader(self) -> None:
        """A reader: refuse a catalog of another location or a stale one (it writes nothing)."""
        rec = recorded(self.state.catalog_store)
        if rec is None:
            return  # its writer has not opened it with ids yet
        if rec.location != self.location and not self.inside:
            raise self._other_location(rec)
        marker = read_marker(self.data)
        if marker is not None and marker["store_id"] != rec.store_id:
            raise self._other_store(rec, marker)
