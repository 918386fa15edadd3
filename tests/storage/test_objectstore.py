"""The store's data files on local disk and on an S3 API server (moto, real HTTP on 127.0.0.1):
the same round trips against both."""
from __future__ import annotations

import os
import time
from dataclasses import dataclass
from pathlib import Path

import polars as pl
import pytest

import tsdb_core
from tsdb_core.base.config import StoreConfig
from tsdb_core.base.time import MAX_TIME, MIN_TIME, H
from tsdb_core.base.types import FieldType, MeasurementBatch
from tsdb_core.storage.objects import LocalFiles, ObjectFiles, check_rel, is_uri, local_dir_for, open_data_files

from tests.stores import ON_S3

from .test_paths import HOSTILE

T0 = 1_700_000_000_000_000_000
CFG = StoreConfig.for_tests(compact_min_files=1000)  # compaction only when asked
NO_GRACE = StoreConfig.for_tests(compact_min_files=1000, file_grace_s=0)  # replaced files deleted when due: at once


class Clock:
    """A clock the test moves (ns)."""

    def __init__(self, now: int):
        self.now = now

    def __call__(self) -> int:
        return self.now


@dataclass
class Where:
    """One place for a store: ``location`` (a path or an s3:// URI) and its local directory."""

    location: str
    local: Path

    def open(self, **kw) -> tsdb_core.Store:
        kw.setdefault("config", CFG)
        if is_uri(self.location):
            kw.setdefault("wal_dir", self.local)
        return tsdb_core.open(self.location, **kw)

    def data(self):
        """The data files, seen from outside the store."""
        return open_data_files(self.location, self.local)

    def keys(self) -> list[str]:
        return sorted(self.data().list())


@pytest.fixture(params=["local", "s3"])
def where(request, tmp_path) -> Where:
    if request.param == "local":
        if ON_S3:
            pytest.skip("a local data directory: with TSDB_TEST_STORE=s3 every path is put on S3")
        return Where(str(tmp_path / "store"), tmp_path / "store")
    server = request.getfixturevalue("s3_server")
    return Where(f"s3://{server.new_bucket()}/some/prefix", tmp_path / "wal")


def _sum(s, q="SELECT count(v), sum(v) FROM m", db="db"):
    res = s.query(q, db=db)
    assert res.error is None and res.statements[0].error is None, res
    series = res.statements[0].series
    return tuple(series[0].values[0][1:]) if series else None


def test_write_flush_compact_query_reopen(where):
    with where.open(config=NO_GRACE) as s:
        for i in range(3):
            s.write("db", "\n".join(f"m,host=h{j} v={i * 10 + j} {T0 + i * 1000 + j}" for j in range(5)).encode())
            s.flush()
        assert len(s.files()) == 3
        assert _sum(s) == (15, 180)
        assert s.compact() == 1 and len(s.files()) == 1
        assert _sum(s) == (15, 180)
        assert _sum(s, "SELECT last(v) FROM m WHERE host = 'h4'") == (24,)
        s.write("db", f"m,host=h0 v=1000 {T0 + 99}".encode())  # unflushed: in the WAL only
    parquet = [k for k in where.keys() if k.endswith(".parquet")]
    assert len(parquet) == 2 and all(k.startswith("db/autogen/m/") for k in parquet)
    with where.open() as s:
        assert _sum(s) == (16, 1180)
        assert s.recovery_report.clean


def test_delete_and_retention_remove_objects(where):
    clock = Clock(T0)
    with where.open(clock=clock, config=NO_GRACE) as s:
        s.create_database("db", duration=2 * H)
        s.write("db", f"m,host=a v=1 {T0 - H}\nm,host=b v=2 {T0}\nn v=3 {T0}".encode())
        s.flush()
        s.query("DELETE FROM n", db="db")
        assert _sum(s, "SELECT count(v) FROM n") is None
        clock.now = T0 + 2 * H
        assert s.enforce_retention() == 1
        assert _sum(s) == (1, 2)
    parquet = [k for k in where.keys() if k.endswith(".parquet")]
    assert len(parquet) == 1 and parquet[0].startswith("db/autogen/m/")  # the rest deleted (no grace)
    with where.open(clock=clock) as s:
        assert _sum(s) == (1, 2)


def test_a_damaged_object_is_quarantined_and_the_rest_served(where):
    with where.open() as s:
        s.write("db", f"m,host=a v=1 {T0}".encode())
        s.flush()
        s.write("db", f"m,host=b v=2 {T0 + 10 * 24 * H}".encode())
        s.flush()
        victim = s.files()[0].path
    data = where.data()
    data.write_bytes(victim, b"PAR1 not a parquet file at all PAR1")
    data.write_bytes("db/autogen/m/0/000000009999.parquet", b"orphan")  # listed nowhere: removed
    with where.open() as s:
        assert s.recovery_report.quarantined[0][0] == victim
        assert _sum(s) == (1, 2)
    keys = where.keys()
    assert f"quarantine/{victim}" in keys and victim not in keys
    assert "db/autogen/m/0/000000009999.parquet" not in keys


def test_a_lost_catalog_is_rebuilt_from_the_objects(where, catalogs):
    with where.open() as s:
        s.write("db", f"m,host=a v=1 {T0}\nm,host=b v=2 {T0 + 1}".encode())
    catalogs.lose(where.local)
    with where.open() as s:
        assert any("rebuilt from 1 Parquet files" in line for line in s.recovery_report.catalog)
        assert _sum(s) == (2, 3)


def test_hostile_names_never_leave_the_prefix(where):
    with where.open() as s:
        for i, name in enumerate(HOSTILE):
            s.create_database(name)
            s.create_retention_policy(name, name, duration=0, default=True)
            frame = pl.DataFrame({"time": [T0 + i], "host": [name], "v": [float(i)]})
            s.write_batches(name, [MeasurementBatch(name, frame, ("host",), {"v": FieldType.FLOAT})])
        s.flush()
        for i, name in enumerate(HOSTILE):
            assert s.scan(name, None, name, MIN_TIME, MAX_TIME).collect()["v"].to_list() == [float(i)]
    keys = where.keys()
    assert len([k for k in keys if k.endswith(".parquet")]) == len(HOSTILE)
    for k in keys:
        assert check_rel(k) == k and "\x00" not in k and all(len(p.encode()) <= 255 for p in k.split("/"))
    if is_uri(where.location):  # every object of the bucket is under the prefix
        data = where.data()
        bucket = data.base.split("/")[0]
        import pyarrow.fs as pafs
        everything = data.fs.get_file_info(pafs.FileSelector(bucket, recursive=True))
        files = [i.path for i in everything if i.type == pafs.FileType.File]
        assert files and all(p.startswith(data.base + "/") for p in files)


@pytest.mark.no_catalog
@pytest.mark.parametrize("rel", ["../x", "a/../../x", "/abs", "a//b", "", ".", "a/./b", "a\\b", "nul\x00", "a/"])
def test_keys_outside_the_prefix_are_refused(rel, tmp_path):
    with pytest.raises(ValueError, match="escapes"):
        check_rel(rel)
    files = ObjectFiles(None, "bucket/prefix", "s3://bucket/prefix", tmp_path)
    with pytest.raises(ValueError, match="escapes"):
        files.key(rel)


@pytest.mark.no_catalog
def test_locations():
    assert is_uri("s3://b/p") and is_uri("gs://b") and is_uri("abfs://c@a/p")
    assert not is_uri("file:///tmp/x") and not is_uri("/tmp/x") and not is_uri("C:\\x") and not is_uri(Path("x"))
    assert local_dir_for("s3://b/p") != local_dir_for("s3://b/q")
    assert isinstance(open_data_files("file:///tmp/x", Path("/tmp/x")), LocalFiles)


@pytest.mark.no_catalog
def test_a_local_store_refuses_a_separate_wal_dir(tmp_path):
    with pytest.raises(ValueError, match="wal_dir"):
        tsdb_core.open(tmp_path / "s", wal_dir=tmp_path / "w")


@pytest.mark.local_files("file modes on disk")
def test_local_modes_are_unchanged(tmp_path):
    with tsdb_core.open(tmp_path / "s", config=CFG) as s:
        s.write("db", f"m v=1 {T0}".encode())
        s.flush()
        path = tmp_path / "s" / s.files()[0].path
        assert (path.stat().st_mode & 0o777, path.parent.stat().st_mode & 0o777) == (0o600, 0o700)
        sidecar = Path(str(path)[: -len(".parquet")] + ".newest.arrow")
        assert sidecar.stat().st_mode & 0o777 == 0o600
    assert not any(n.endswith(".tmp") for _, _, ns in os.walk(tmp_path) for n in ns)


def test_the_endpoint_option_wins_over_the_environment(s3_server, tmp_path, monkeypatch):  # noqa: F811
    bucket = s3_server.new_bucket()
    monkeypatch.setenv("AWS_ENDPOINT_URL", "http://127.0.0.1:9")  # nothing listens there
    with tsdb_core.open(f"s3://{bucket}/p", wal_dir=tmp_path / "w", endpoint_override=s3_server.endpoint,
                        config=CFG) as s:
        s.write("db", f"m v=5 {T0}".encode())
        s.flush()
        assert _sum(s) == (1, 5)


def test_serve_with_the_data_in_s3_and_the_wal_local(s3_server, tmp_path):  # noqa: F811
    pytest.importorskip("starlette")
    httpx = pytest.importorskip("httpx")
    from tsdb_http.serve import start_in_thread

    bucket = s3_server.new_bucket()
    server = start_in_thread(f"s3://{bucket}/srv", no_auth=True, wal_dir=tmp_path / "wal")
    try:
        r = httpx.post(f"{server.url}/write", params={"db": "db"}, content=f"m,host=a v=7 {time.time_ns()}".encode())
        assert r.status_code == 204, r.text
    finally:
        server.stop()
    assert (tmp_path / "wal" / "wal").is_dir()
    data = open_data_files(f"s3://{bucket}/srv", tmp_path / "wal")
    assert [k for k in data.list() if k.endswith(".parquet")]  # flushed on stop, into the bucket
    with tsdb_core.open(f"s3://{bucket}/srv", wal_dir=tmp_path / "wal") as s:
        assert _sum(s) == (1, 7)


def test_the_cli_takes_a_uri_and_keeps_it(s3_server, tmp_path, monkeypatch):  # noqa: F811
    from click.testing import CliRunner

    from tsdb_core.cli import cli

    bucket = s3_server.new_bucket()
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "xdg"))  # the default local directory
    uri = f"s3://{bucket}/cli"
    res = CliRunner().invoke(cli, ["write", "--data-dir", uri, "--database", "db"], input=f"m v=3 {T0}\n")
    assert res.exit_code == 0, res.output
    assert (local_dir_for(uri) / "wal").is_dir() and str(local_dir_for(uri)).startswith(str(tmp_path / "xdg"))
    with tsdb_core.open(uri) as s:
        assert _sum(s) == (1, 3)


def test_a_lost_local_directory_loses_nothing_flushed(s3_server, tmp_path, catalogs):  # noqa: F811
    """The writer's disk gone (WAL, catalog): what was flushed comes back from the bucket;
    the unflushed tail was only in the WAL. (Here each local directory has its own catalog.)"""
    uri = f"s3://{s3_server.new_bucket()}/p"
    with tsdb_core.open(uri, wal_dir=tmp_path / "a", config=CFG) as s:
        s.write("db", f"m,host=a v=1 {T0}\nm,host=b v=2 {T0 + 1}".encode())
        s.flush()
        s.write("db", f"m,host=c v=4 {T0 + 2}".encode())
        s._engine.state.wal.close()  # a crash: the WAL and the lock let go, nothing more reaches the bucket
        s._engine.release_if_forgotten()
        s._engine.state.closed = True
    with tsdb_core.open(uri, wal_dir=tmp_path / "b", config=CFG) as s:
        assert _sum(s) == (2, 3)
    if catalogs.backend == "postgresql":  # a stale shared catalog is refused, then emptied (storage/identity.py)
        with pytest.raises(tsdb_core.StorageError, match="stale: another catalog was made for the data since"):
            tsdb_core.open(uri, wal_dir=tmp_path / "a", config=CFG)
        catalogs.lose(tmp_path / "a")
    with tsdb_core.open(uri, wal_dir=tmp_path / "a", config=CFG) as s:  # the first disk back: its WAL too
        assert _sum(s) == (3, 7)
