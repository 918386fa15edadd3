"""Where the tests' stores keep their catalog and their data files.

By default every storage test runs twice: with the default catalog (SQLite next to the data) and
with the catalog on PostgreSQL (a throwaway cluster on 127.0.0.1, tests/pg_cluster.py, one
schema per store root). ``TSDB_TEST_STORE=s3`` runs the suites with every store opened at a
path put on the S3 server instead (moto on 127.0.0.1, tests/storage/s3server.py: a fresh prefix
per path, the path itself holding what stays local: WAL, lock, series index) with its catalog
in a fresh PostgreSQL schema. The query suites' shared stores are then flushed to S3 too.

Tests whose store is opened by a child process (which cannot be pointed at the test's schema or
prefix) are marked ``sqlite_catalog_only``; tests that look at the data files on the local disk
are marked ``local_files(reason)``; both are skipped, saying why, where that does not hold.
"""
from __future__ import annotations

import contextlib
import os
import uuid
from pathlib import Path

import pytest

from tests.pg_cluster import Cluster, binaries
from tsdb_core.storage import engine as engine_mod
from tsdb_core.storage import readonly
from tsdb_core.storage.catalog_sql import SQLITE_FILE, SqlCatalog
from tsdb_core.storage.fileio import mkdir_private
from tsdb_core.storage.objects import is_uri, local_dir, local_path, open_data_files

MODE = os.environ.get("TSDB_TEST_STORE", "local")
if MODE not in ("local", "s3"):
    raise ValueError(f"TSDB_TEST_STORE={MODE!r}: 'local' (the default) or 's3'")
ON_S3 = MODE == "s3"
# The storage tests' catalogs: both locally; S3 + PostgreSQL in the S3 mode.
STORAGE_PARAMS = ["s3"] if ON_S3 else ["sqlite", "postgresql"]

MARKERS = ("sqlite_catalog_only: opened by a child process; default catalog only",
           "local_files(reason): looks at the data files on the local disk; not with TSDB_TEST_STORE=s3")


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
    """Where each store root's catalog (and, on S3, its data) lives in this test; :meth:`lose`
    empties the catalog."""

    def __init__(self, cluster: Cluster | None, s3=None):
        self.cluster = cluster
        self.s3 = s3  # the S3 server (tests/storage/s3server.py) in the S3 mode
        self.bucket: str | None = None
        self.urls: dict[str, str] = {}
        self.locations: dict[str, str] = {}

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

    def location(self, root) -> str:
        """The S3 prefix standing in for the local path ``root`` (the same on every open)."""
        key = str(Path(local_path(root)).absolute())
        if self.bucket is None:
            self.bucket = self.s3.new_bucket()
        if key not in self.locations:
            self.locations[key] = f"s3://{self.bucket}/{uuid.uuid4().hex[:12]}"
        return self.locations[key]

    def lose(self, root) -> None:
        """The catalog is gone (the file deleted; on PostgreSQL a new, empty schema)."""
        if self.cluster is None:
            (root / SQLITE_FILE).unlink()
        else:
            self.urls[str(root)] = self.cluster.fresh_url()

    def install(self, monkeypatch) -> None:
        """Point every store (and reader) this test opens at this test's catalogs and prefixes."""
        if self.cluster is None:
            return
        sql, reader = SqlCatalog, readonly.ReaderCatalog
        monkeypatch.setattr(engine_mod, "SqlCatalog", lambda root, url="": sql(root, url or self.url(root)))
        monkeypatch.setattr(readonly, "ReaderCatalog", lambda root, url="": reader(root, url or self.url(root)))
        if self.s3 is None:
            return
        locate = engine_mod._locate

        def on_s3(root, wal_dir, endpoint_override, cache_bytes):
            if root is None or is_uri(root):
                return locate(root, wal_dir, endpoint_override, cache_bytes)
            local = local_dir(root, wal_dir)
            mkdir_private(local)
            return local, open_data_files(self.location(root), local, endpoint_override, cache_bytes)

        monkeypatch.setattr(engine_mod, "_locate", on_s3)


def catalogs_for(request, monkeypatch, kind: str):
    """The fixture's body: a :class:`Catalogs` for ``kind`` (sqlite, postgresql, s3), installed."""
    if kind == "sqlite":
        yield Catalogs(None)
        return
    if request.node.get_closest_marker("sqlite_catalog_only"):
        pytest.skip("the store is opened by a child process: default catalog only"
                    + (", not with TSDB_TEST_STORE=s3" if kind == "s3" else ""))
    marker = request.node.get_closest_marker("local_files")
    if kind == "s3" and marker is not None:
        pytest.skip(f"looks at the data files on the local disk ({marker.args[0]}): not with TSDB_TEST_STORE=s3")
    s3 = request.getfixturevalue("s3_server") if kind == "s3" else None
    cats = Catalogs(request.getfixturevalue("pg_cluster"), s3)
    cats.install(monkeypatch)
    yield cats


def shared_store(request, clock):
    """A store for a module- or session-wide fixture: in memory, or on S3 + PostgreSQL in the
    S3 mode (call :func:`settle` once it is loaded, so queries read the objects)."""
    import tsdb_core

    if not ON_S3:
        return tsdb_core.open(None, clock=clock)
    server = request.getfixturevalue("s3_server")
    cluster = request.getfixturevalue("pg_cluster")
    local = request.getfixturevalue("tmp_path_factory").mktemp("shared")
    return tsdb_core.open(f"s3://{server.new_bucket()}/shared", wal_dir=local, catalog=cluster.fresh_url(),
                          clock=clock)


def settle(store) -> None:
    """In the S3 mode: flush what was loaded, so the queries read it back from the objects."""
    if ON_S3:
        store.flush()


def memory_and_disk(lines: str):
    """A fixture giving a store in memory, then one on disk (under the test's tmp_path), whose
    database ``db`` holds ``lines``."""
    @pytest.fixture(params=["memory", "disk"])
    def store(request, tmp_path):
        import tsdb_core
        s = tsdb_core.open(None if request.param == "memory" else tmp_path / "s")
        s.create_database("db")
        assert s.write("db", lines).ok
        yield s
        s.close()
    return store


@contextlib.contextmanager
def pieces_and_flushed(writes: list[str]):
    """Two stores in memory holding ``writes`` (database ``db``): one with every write a buffered
    piece of its own (a query after each sorts it; no quiet merge), one with them flushed to a file."""
    import tsdb_core
    from tsdb_core.base.config import StoreConfig
    config = StoreConfig(buffer_sort_min_rows=0, buffer_sort_tail_rows=0, buffer_sort_quiet_s=3600.0)
    with tsdb_core.open(None, config=config) as live, tsdb_core.open(None) as settled:
        for w in writes:
            live.write("db", w)
            live.query("SELECT count(v) FROM m", db="db")  # (the write becomes a piece)
            settled.write("db", w)
        settled.flush()
        yield live, settled
