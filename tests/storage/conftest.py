"""Every storage test runs twice: with the default catalog (SQLite next to the data) and with
the catalog on PostgreSQL (a throwaway cluster on 127.0.0.1, tests/pg_cluster.py).

The PostgreSQL run gives each store root its own schema. Tests whose store is opened by a child
process (which cannot be pointed at the test's schema) are marked ``sqlite_catalog_only``.
"""
from __future__ import annotations

import pytest

from tests.pg_cluster import Cluster, binaries
from tsdb_core.storage import engine as engine_mod
from tsdb_core.storage.catalog_sql import SQLITE_FILE, SqlCatalog


def pytest_configure(config):
    config.addinivalue_line("markers", "sqlite_catalog_only: opened by a child process; default catalog only")


@pytest.fixture(scope="session")
def pg_cluster():
    """One PostgreSQL cluster for the session; skipped (saying why) only where it cannot exist."""
    bindir = binaries()
    if bindir is None:
        pytest.skip("PostgreSQL binaries (initdb, pg_ctl) not installed: apt-get install postgresql")
    try:
        import psycopg  # noqa: F401
    except ImportError:
        pytest.skip("psycopg not installed: pip install 'psycopg[binary]'")
    cluster = Cluster(bindir)
    yield cluster
    cluster.stop()


class Catalogs:
    """Where each store root's catalog lives in this test; :meth:`lose` empties it."""

    def __init__(self, cluster: Cluster | None):
        self.cluster = cluster
        self.urls: dict[str, str] = {}

    @property
    def backend(self) -> str:
        return "sqlite" if self.cluster is None else "postgresql"

    def url(self, root) -> str:
        if self.cluster is None:
            return ""
        key = str(root)
        if key not in self.urls:
            self.urls[key] = self.cluster.fresh_url()
        return self.urls[key]

    def lose(self, root) -> None:
        """The catalog is gone (the file deleted; on PostgreSQL a new, empty schema)."""
        if self.cluster is None:
            (root / SQLITE_FILE).unlink()
        else:
            self.urls[str(root)] = self.cluster.fresh_url()


@pytest.fixture(autouse=True, params=["sqlite", "postgresql"])
def catalogs(request, monkeypatch):
    if request.param == "sqlite":
        yield Catalogs(None)
        return
    if request.node.get_closest_marker("sqlite_catalog_only"):
        pytest.skip("the store is opened by a child process: default catalog only")
    cats = Catalogs(request.getfixturevalue("pg_cluster"))
    monkeypatch.setattr(engine_mod, "SqlCatalog", lambda root, url="": SqlCatalog(root, url or cats.url(root)))
    yield cats
