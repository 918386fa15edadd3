"""The Iceberg catalog a store is published to, and the warehouse its tables point into.

By default pyiceberg's SQL catalog in ``iceberg.sqlite`` beside the store's own catalog
(``<root>/catalog.sqlite``): a separate file, so the store's catalog recovery (which may set
a damaged ``catalog.sqlite`` aside and rebuild it) never touches it. A store whose catalog
is on PostgreSQL publishes to the same database (pyiceberg's tables are ``iceberg_tables``
and ``iceberg_namespace_properties``; the store's names never clash with them). A REST
catalog is used when the URI is ``http(s)://``: it places the tables itself, and the rest of
its settings (token, credential, prefix, warehouse) come from pyiceberg's own configuration of
the catalog named ``tsdb`` (``PYICEBERG_CATALOG__TSDB__TOKEN``..., or ``.pyiceberg.yaml``).
Otherwise the tables (metadata and the copies they list, lakehouse/copies.py) live under
``.iceberg/`` of the store's data location.
"""
from __future__ import annotations

import os
import re
from pathlib import Path

from ..base.errors import UserError

CATALOG_NAME = "tsdb"
SQLITE_FILE = "iceberg.sqlite"


def warehouse_uri(store) -> str:
    """The store's data location as a URI (``file:///...`` for a local store)."""
    loc = store.location
    if loc and "://" in loc and not loc.startswith("file://"):
        return loc.rstrip("/")
    if store.root is None:
        raise UserError("an in-memory store has no files to publish")
    return Path(store.root).resolve().as_uri()


def default_uri(store) -> str:
    """The store's PostgreSQL catalog URL, else ``sqlite:///<root>/iceberg.sqlite``."""
    if store.config.catalog:
        return store.config.catalog
    if store.root is None:
        raise UserError("an in-memory store has no files to publish")
    return f"sqlite:///{Path(store.root).resolve() / SQLITE_FILE}"


def display_uri(uri: str) -> str:
    """``uri`` without its password (for printing)."""
    return re.sub(r"(://[^:/@]+):[^@/]*@", r"\1:***@", uri)


def _sqlalchemy_url(uri: str) -> str:
    """A PostgreSQL URL spelled for SQLAlchemy with psycopg 3 (the driver the store uses)."""
    for prefix in ("postgresql://", "postgres://"):
        if uri.startswith(prefix):
            return "postgresql+psycopg://" + uri[len(prefix):]
    return uri


def file_io_properties(properties: dict[str, str] | None = None) -> dict[str, str]:
    """FileIO settings: an S3-compatible endpoint from ``AWS_ENDPOINT_URL`` unless given."""
    props = dict(properties or {})
    endpoint = os.environ.get("AWS_ENDPOINT_URL")
    if endpoint and "s3.endpoint" not in props:
        props["s3.endpoint"] = endpoint
    return props


def open_catalog(store, uri: str | None = None, properties: dict[str, str] | None = None):
    """The pyiceberg catalog at ``uri`` (default :func:`default_uri`), warehouse = the store's data."""
    uri = uri or default_uri(store)
    if is_rest(uri):  # its warehouse, token, prefix...: pyiceberg's configuration of the catalog "tsdb"
        from pyiceberg.catalog import load_catalog

        return load_catalog(CATALOG_NAME, **{"type": "rest", "uri": uri, **file_io_properties(properties)})
    props = {"warehouse": warehouse_uri(store), **file_io_properties(properties)}
    from pyiceberg.catalog.sql import SqlCatalog

    catalog = SqlCatalog(CATALOG_NAME, uri=_sqlalchemy_url(uri), **props)
    if uri.startswith("sqlite:///"):
        _owner_only(Path(uri[len("sqlite:///"):]))
    return catalog


def is_rest(uri: str) -> bool:
    """Whether ``uri`` names a REST catalog (it assigns table locations itself)."""
    return uri.startswith(("http://", "https://"))


def _owner_only(path: Path) -> None:
    """The Iceberg catalog file readable by its owner only, as the store's own catalog is."""
    for p in (path, Path(f"{path}-wal"), Path(f"{path}-shm"), Path(f"{path}-journal")):
        if p.exists():
            os.chmod(p, 0o600)
