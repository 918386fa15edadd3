"""One consistent look at a store's catalog: its tables, their schemas and live files.

Read through the store's public API only (``files``, ``databases``, ``retention_policies``,
``measurements``, ``schema``); the catalog version is read before and after, and the look
is taken again when a commit landed in between, so a view never mixes two versions.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from ..base.errors import TsdbError
from ..base.types import FieldType
from .mapping import field_name, identifier

_ATTEMPTS = 20


@dataclass(frozen=True)
class TableView:
    """One measurement of one retention policy, as it should be published."""

    db: str
    rp: str
    measurement: str
    ident: tuple[str, ...]
    tags: tuple[str, ...]
    fields: dict[str, FieldType]
    files: tuple[Any, ...]  # the live files (the store's FileMeta), oldest first


@dataclass(frozen=True)
class StoreView:
    """What the store has live, as the publisher sees it: the catalog version and one view per table."""

    version: int | None
    tables: dict[tuple[str, ...], TableView]


def read_view(store, keep=frozenset()) -> StoreView:
    """The store's tables at one catalog version (retried while commits land): the measurements
    holding data in each policy, and those of ``keep`` ((db, rp, measurement) published before)
    whose database, policy and schema still exist, so a table emptied by retention or DELETE
    stays, empty, until DROP MEASUREMENT."""
    for _ in range(_ATTEMPTS):
        before = store.catalog_version()
        view = _look(store, before, keep)
        if store.catalog_version() == before:
            return view
    raise TsdbError(f"the store's catalog kept changing: no consistent view in {_ATTEMPTS} looks")


def _look(store, version: int | None, keep) -> StoreView:
    files: dict[tuple[str, str, str], list] = {}
    for f in store.files():
        files.setdefault((f.db, f.rp, f.measurement), []).append(f)
    tables: dict[tuple[str, ...], TableView] = {}
    for db in store.databases():
        rps = store.retention_policies(db)
        default = next((r.name for r in rps if r.default), "")
        for rp in rps:
            names = set(store.measurements(db, rp.name)) | {m for (d, r, m) in (*files, *keep) if (d, r) == (db, rp.name)}
            for m in sorted(names):
                sch = store.schema(db, m)
                if sch is None:
                    continue
                ident = identifier(db, rp.name, default, m)
                fields = {field_name(f, sch.tags): t for f, t in sch.fields.items()}
                tables[ident] = TableView(db, rp.name, m, ident, tuple(sch.tags), fields,
                                          tuple(files.get((db, rp.name, m), ())))
    return StoreView(version, tables)
