"""Schema evolution, types, names, the `tsdb iceberg` CLI, a writer killed between the two
commits, and the catalog on PostgreSQL and the data on S3."""
from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
import time
from datetime import datetime, timezone
from pathlib import Path

import polars as pl
import pytest
from click.testing import CliRunner
from pyiceberg.types import BooleanType, DecimalType, DoubleType, LongType, StringType, TimestamptzType

import tsdb_core
from tsdb_core.cli import cli
from tsdb_core.lakehouse import Publisher, verify
from tsdb_core.testing import ManualClock, to_ns

from ..storage.s3server import s3_server  # noqa: F401 - the session fixture
from .conftest import read_polars, read_pyiceberg
from .helpers import assert_same, lines, store_summary, table_summary

ROOT = Path(__file__).resolve().parents[2]
T = "2024-03-01T00:00:00Z"


def test_types_and_a_new_field_and_tag_add_columns(tmp_path, reader):
    with tsdb_core.open(tmp_path / "s") as store:
        store.write("db", lines("cpu", T, 5, seed=1))
        store.flush()
        publisher = Publisher(store)
        publisher.publish()
        table = publisher.catalog.load_table(("db", "cpu"))
        types = {f.name: f.field_type for f in table.schema().fields}
        assert types == {"time": TimestamptzType(), "time_ns": LongType(), "host": StringType(),
                         "region": StringType(), "v": DoubleType(), "i": LongType(), "u": DecimalType(20, 0),
                         "b": BooleanType(), "s": StringType()}
        assert "nanoseconds" in table.schema().find_field("time_ns").doc
        store.write("db", f"cpu,host=z,dc=x v=1.5,w=7i {to_ns(T) + 10**12}")
        store.flush()
        assert publisher.publish().columns_added == {("db", "cpu"): ["dc", "w"]}
        frame = reader(publisher.catalog.load_table(("db", "cpu")))
        assert frame.height == 31 and frame["w"].drop_nulls().to_list() == [7]
        assert frame.filter(pl.col("dc") == "x")["host"].to_list() == ["z"]
        assert frame["time_ns"].dtype == pl.Int64 and frame["time_ns"].min() == to_ns(T)
        assert frame["time"].dtype == pl.Datetime("us", frame["time"].dtype.time_zone)  # UTC (DuckDB: Etc/UTC)
        assert frame["time"].min() == datetime(2024, 3, 1, tzinfo=timezone.utc)
        assert_same(store_summary(store, "db", "autogen", "cpu"),
                    table_summary(frame, ["dc", "host", "region"]))


def test_a_field_sharing_its_key_with_a_tag_is_the_column_key_field(tmp_path, reader):
    """InfluxDB 1.x stores a tag and a field of one key: the table has ``k`` and ``k::field``,
    as Store.sql names them."""
    with tsdb_core.open(tmp_path / "s") as store:
        t = to_ns(T)
        store.write("db", f"tf,k=x k=1,v=2 {t}\ntf,k=y v=3 {t + 1}\ntf k=4 {t + 2}")
        store.flush()
        publisher = Publisher(store)
        publisher.publish()
        table = publisher.catalog.load_table(("db", "tf"))
        assert [f.name for f in table.schema().fields] == ["time", "time_ns", "k", "k::field", "v"]
        frame = reader(table).sort("time_ns")
        assert frame["k"].to_list() == ["x", "y", None]
        assert frame["k::field"].to_list() == [1.0, None, 4.0]
        assert store.sql("db", 'SELECT "k::field" FROM tf ORDER BY time').column(0).to_pylist() == [1.0, None, 4.0]


def test_unsigned_fields_read_exactly_up_to_2_64_minus_1(tmp_path, reader):
    values = [0, 2**63 - 1, 2**63, 2**64 - 1]
    with tsdb_core.open(tmp_path / "s") as store:
        store.write("db", "\n".join(f"c,host=h{k} u={v}u {to_ns(T) + k}" for k, v in enumerate(values)))
        store.flush()
        publisher = Publisher(store)
        publisher.publish()
        frame = reader(publisher.catalog.load_table(("db", "c")))
        assert frame["u"].dtype == pl.Decimal(20, 0)
        assert sorted(int(x) for x in frame["u"].to_list()) == values
        want = store.query("SELECT max(u) FROM c", db="db").statements[0].series[0].values[0][1]
        assert want == 2**64 - 1 == int(frame["u"].max())


def test_names_policies_and_databases_become_namespaces(tmp_path):
    with tsdb_core.open(tmp_path / "s", clock=ManualClock("2024-03-10T00:00:00Z")) as store:
        store.create_database("my.db")
        store.create_retention_policy("my.db", "week", duration=7 * 86400 * 10**9)
        store.write("my.db", f"a.b,host=h v=1 {to_ns(T)}")
        store.write("my.db", f"a.b,host=h v=2 {to_ns('2024-03-09T00:00:00Z')}", rp="week")
        store.flush()
        publisher = Publisher(store)
        publisher.publish()
        assert publisher.our_tables() == {("my%2Edb", "a%2Eb"), ("my%2Edb", "week", "a%2Eb")}
        props = publisher.catalog.load_table(("my%2Edb", "week", "a%2Eb")).properties
        assert (props["tsdb.database"], props["tsdb.retention-policy"], props["tsdb.measurement"]) == \
            ("my.db", "week", "a.b")
        store.drop_database("my.db")
        assert len(publisher.publish().dropped) == 2
        assert publisher.catalog.list_namespaces() == []


def _tsdb(*args: str):
    """``tsdb iceberg ARGS``, through ``tsdb`` itself (invoking the group alone as a root would make
    click cache its help option without ``-h``, breaking ``tsdb iceberg -h`` in later tests)."""
    return CliRunner().invoke(cli, ["iceberg", *args], catch_exceptions=False)


def test_cli_show_publish_verify(tmp_path):
    data = tmp_path / "s"
    with tsdb_core.open(data) as store:
        store.write("db", lines("cpu", T, 10, seed=1))
        store.write("db", lines("mem", T, 4, seed=2, all_fields=False))
    out = _tsdb("--data-dir", str(data), "publish")
    assert out.exit_code == 0 and "2 table(s) created" in out.output and "2 file(s) added" in out.output
    shown = _tsdb("--data-dir", str(data))
    assert shown.exit_code == 0, shown.output
    assert f"sqlite:///{data.resolve()}/iceberg.sqlite" in shown.output
    assert [ln.split()[:5] for ln in shown.output.splitlines() if ln.startswith("db ")] == \
        [["db", "cpu", "9", "1", "60"], ["db", "mem", "6", "1", "24"]]
    assert _tsdb("--data-dir", str(data), "verify").exit_code == 0
    with tsdb_core.open(data, read_only=True) as store:  # someone removes a file from the Iceberg table
        publisher = Publisher(store)
        table = publisher.catalog.load_table(("db", "mem"))
        with table.transaction() as tx, tx.update_snapshot().overwrite() as ow:
            ow.delete_data_file(next(iter(table.scan().plan_files())).file)
    bad = _tsdb("--data-dir", str(data), "verify")
    assert bad.exit_code == 1 and "1 live not published" in bad.output and "rows differ: store 24, Iceberg 0" in bad.output
    assert "1 file(s) added" in _tsdb("--data-dir", str(data), "publish").output
    assert _tsdb("--data-dir", str(data), "verify").exit_code == 0
    again = _tsdb("--data-dir", str(data), "publish", "--from-scratch")
    assert "2 table(s) created" in again.output and _tsdb("--data-dir", str(data), "verify").exit_code == 0


_CHILD = textwrap.dedent("""
    import os, signal, sys
    import tsdb_core
    from tsdb_core.lakehouse import Publisher
    sys.path.insert(0, {tests!r})
    from lakehouse.helpers import lines
    store = tsdb_core.open({data!r})
    store.write("db", lines("cpu", "2024-03-01T00:00:00Z", 10, seed=1))
    store.flush()
    publisher = Publisher(store)
    publisher.publish()
    store.write("db", lines("cpu", "2024-03-01T00:00:00Z", 10, seed=2, offset=60 * 10**9))
    store.flush()
    if {mode!r} == "store-committed":  # the store's commit done, the Iceberg one not started
        os.kill(os.getpid(), signal.SIGKILL)
    store.compact()
    from pyiceberg.catalog.sql import SqlCatalog
    original = SqlCatalog._write_metadata
    def write_then_die(*args, **kwargs):  # Iceberg's new metadata written, its catalog row not switched
        original(*args, **kwargs)
        os.kill(os.getpid(), signal.SIGKILL)
    SqlCatalog._write_metadata = staticmethod(write_then_die)
    publisher.publish()
""")


@pytest.mark.parametrize("mode", ["store-committed", "iceberg-half-committed"])
def test_a_writer_killed_between_the_commits_agrees_after_restart(tmp_path, mode):
    data = tmp_path / "s"
    child = subprocess.run([sys.executable, "-c", _CHILD.format(tests=str(ROOT / "tests"), data=str(data), mode=mode)],
                           cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert child.returncode == -signal.SIGKILL, child.stderr
    with tsdb_core.open(data) as store:
        publisher = Publisher(store)
        problems = [p for c in verify(publisher) for p in c.problems]  # the two disagree after the kill
        report = publisher.publish()
        if mode == "store-committed":  # the second flush's file was never published
            assert problems[:2] == ["files differ: 1 live not published, 0 published not live",
                                    "rows differ: store 120, Iceberg 60"]
            assert (report.files_added, report.files_removed) == (1, 0)
        else:  # the compacted file not published; the first flush's file still is (buried, not yet deleted)
            assert problems[:2] == ["files differ: 1 live not published, 1 published not live",
                                    "rows differ: store 120, Iceberg 60"]
            assert (report.files_added, report.files_removed) == (1, 1)
        assert all(c.ok for c in verify(publisher)) and not publisher.publish().changed
        assert_same(store_summary(store, "db", "autogen", "cpu"),
                    table_summary(read_pyiceberg(publisher.catalog.load_table(("db", "cpu"))), ["host", "region"]))


@pytest.fixture
def pg_url(pg_cluster):
    """A catalog of its own (a fresh schema) for each test, in the session's cluster (tests/stores.py)."""
    return pg_cluster.fresh_url()


def test_catalog_on_postgresql_holds_the_iceberg_tables_too(tmp_path, pg_url):
    import psycopg

    with tsdb_core.open(tmp_path / "s", catalog=pg_url) as store:
        store.write("db", lines("cpu", T, 10, seed=1))
        store.flush()
        publisher = Publisher(store)
        assert publisher.uri == pg_url
        publisher.publish()
        frame = read_polars(publisher.catalog.load_table(("db", "cpu")))
        assert_same(store_summary(store, "db", "autogen", "cpu"), table_summary(frame, ["host", "region"]))
        publisher.close()
    assert not (tmp_path / "s" / "iceberg.sqlite").exists()
    with psycopg.connect(pg_url) as con:  # the same database (and schema) as the store's catalog
        names = {r[0] for r in con.execute("SELECT table_name FROM iceberg_tables")}
        assert names == {"cpu"} and con.execute("SELECT count(*) FROM files").fetchone()[0] == 1


def test_store_on_s3_publishes_an_s3_warehouse(tmp_path, s3_server):  # noqa: F811 - the fixture
    location = f"s3://{s3_server.new_bucket()}/prefix"
    with tsdb_core.open(location, wal_dir=tmp_path / "wal") as store:
        store.write("db", lines("cpu", T, 10, seed=1))
        store.flush()
        store.write("db", lines("cpu", T, 10, seed=2, offset=60 * 10**9))
        store.flush()
        publisher = Publisher(store)
        publisher.publish()
        table = publisher.catalog.load_table(("db", "cpu"))
        assert table.location() == f"{location}/.iceberg/db/cpu"
        assert {t.file.file_path for t in table.scan().plan_files()} == {
            f"{location}/.iceberg/db/cpu/data/time_day=2024-03-01/f{f.id}.parquet" for f in store.files()}
        for read in (read_pyiceberg, read_polars):
            assert_same(store_summary(store, "db", "autogen", "cpu"), table_summary(read(table), ["host", "region"]))
        store.compact()
        assert publisher.publish().files_removed == 2
        assert all(c.ok for c in verify(publisher))
        publisher.close()
    assert os.environ.get("AWS_ENDPOINT_URL") == s3_server.endpoint


# -- the same with publishing on (StoreConfig.iceberg): a reader process reads the table throughout --

_HOOKED_CHILD = textwrap.dedent("""
    import os, signal, sys, time
    import tsdb_core
    from tsdb_core import StoreConfig
    sys.path.insert(0, {tests!r})
    from lakehouse.helpers import lines
    from tsdb_core.lakehouse.copies import source_id
    from tsdb_core.lakehouse.publisher import Publisher
    mode, removing = {mode!r}, [False]
    sync_files = Publisher._sync_files

    def noting_sync_files(self, tv, tx, published, report, io):  # whether this publish drops files
        before = report.files_removed
        out = sync_files(self, tv, tx, published, report, io)
        removing[0] = report.files_removed > before
        return out

    Publisher._sync_files = noting_sync_files
    die = lambda: os.kill(os.getpid(), signal.SIGKILL)
    if mode == "store-committed":  # the store dropped files (buried), Iceberg lists them: publish not begun
        publish = Publisher.publish
        def killed_publish(self, **kwargs):
            if self.our_tables():
                listed = {{source_id(t.file.file_path) for t in self.catalog.load_table(("db", "cpu")).scan().plan_files()}}
                if listed - {{f.id for f in self.store.files()}}:
                    die()
            return publish(self, **kwargs)
        Publisher.publish = killed_publish
    elif mode == "iceberg-half-committed":  # Iceberg's new metadata (dropping files) written, its row not switched
        from pyiceberg.catalog.sql import SqlCatalog
        write = SqlCatalog._write_metadata
        def killed_write(*args, **kwargs):
            write(*args, **kwargs)
            if removing[0]:
                die()
        SqlCatalog._write_metadata = staticmethod(killed_write)
    else:  # Iceberg committed (files dropped), the store not yet told: its removed files not released
        from tsdb_core.storage.engine import StorageEngine
        release = StorageEngine.release_removed
        def killed_release(self, version):
            if removing[0]:
                die()
            return release(self, version)
        StorageEngine.release_removed = killed_release
    store = tsdb_core.open({data!r}, config=StoreConfig(iceberg=True, file_grace_s={grace}, compact_min_files=2))
    for k in range(30):  # each flush merged with the window's file: files are buried all along
        store.write("db", lines("cpu", "2024-03-01T00:00:00Z", 10, seed=k, offset=k * 100 * 60 * 10**9))
        store.flush()
        deadline = time.monotonic() + 60
        while store.health()["iceberg"]["version"] != store.catalog_version():
            assert time.monotonic() < deadline, store.health()
            time.sleep(0.005)
""")

_READER = textwrap.dedent("""
    import os, sys, time
    data, out, stop = sys.argv[1:4]
    while not os.path.exists(os.path.join(data, "iceberg.sqlite")):
        time.sleep(0.01)
    from pyiceberg.catalog.sql import SqlCatalog
    from pyiceberg.exceptions import NoSuchNamespaceError, NoSuchTableError
    catalog = SqlCatalog("tsdb", uri=f"sqlite:///{{data}}/iceberg.sqlite")

    def _listed_missing(catalog):
        # files the current snapshot lists that are gone: the only failure that is a bug
        tasks = catalog.load_table(("db", "cpu")).scan().plan_files()
        return [t.file.file_path for t in tasks
                if not os.path.exists(t.file.file_path.removeprefix("file://"))]
    with open(out, "w") as log:
        while not os.path.exists(stop):
            try:
                n = catalog.load_table(("db", "cpu")).scan().to_arrow().num_rows
                log.write(f"{{n}}\\n")
            except (NoSuchTableError, NoSuchNamespaceError):
                pass
            except Exception as e:
                if not _listed_missing(catalog):
                    continue  # its scan planned files a later commit dropped, read past their grace
                log.write(f"{{type(e).__name__}}: {{e}}\\n".replace("\\n", " ") + "\\n")
            log.flush()
""")

GRACE = 1.0


def _reader_saw(path: Path) -> list[str]:
    return path.read_text().splitlines() if path.exists() else []


def _wait_past_graveyard(data: Path) -> None:
    """Until every file the killed writer buried is past its grace (a sweep may delete it)."""
    import sqlite3

    con = sqlite3.connect(data / "catalog.sqlite")
    due = con.execute("SELECT max(delete_after) FROM graveyard").fetchone()[0]
    con.close()
    assert due is not None, "the writer buried nothing before it died"
    while time.time() <= due:
        time.sleep(0.05)


@pytest.mark.parametrize("mode", ["store-committed", "iceberg-half-committed", "iceberg-committed"])
def test_publishing_on_a_killed_writer_and_a_reading_process_agree(tmp_path, mode, monkeypatch):
    data, seen, stop = tmp_path / "s", tmp_path / "reader.txt", tmp_path / "stop"
    reader = subprocess.Popen([sys.executable, "-c", _READER.format(), str(data), str(seen), str(stop)], cwd=ROOT)
    try:
        child = subprocess.run([sys.executable, "-c", _HOOKED_CHILD.format(
            tests=str(ROOT / "tests"), data=str(data), mode=mode, grace=GRACE)],
            cwd=ROOT, capture_output=True, text=True, timeout=120)
        assert child.returncode == -signal.SIGKILL, child.stderr
        _wait_past_graveyard(data)
        listed_missing = []
        publish = Publisher.publish

        def checked_publish(self, **kwargs):  # what Iceberg lists still exists when it is next published
            table = self.catalog.load_table(("db", "cpu"))
            listed_missing.extend(t.file.file_path for t in table.scan().plan_files()
                                  if not Path(t.file.file_path.removeprefix("file://")).exists())
            return publish(self, **kwargs)

        monkeypatch.setattr(Publisher, "publish", checked_publish)
        config = tsdb_core.StoreConfig(iceberg=True, file_grace_s=GRACE, compact_min_files=2)
        with tsdb_core.open(data, config=config) as store:
            assert listed_missing == []
            assert all(c.ok for c in verify(store.iceberg)), verify(store.iceberg)  # agreed on open
            for k in range(30, 33):
                store.write("db", lines("cpu", T, 10, seed=k, offset=k * 100 * 60 * 10**9))
                store.flush()
            assert store.publish_iceberg()
            total = store_summary(store, "db", "autogen", "cpu")
            rows = sum(s["rows"] for s in total.values())
            assert_same(total, table_summary(read_pyiceberg(store.iceberg.catalog.load_table(("db", "cpu"))),
                                             ["host", "region"]))
        deadline = time.monotonic() + 60
        # until the reader has read the last count and read more than 10 times (on a slow machine it may have
        # read only a few times while the writer ran; it keeps reading until told to stop)
        while _reader_saw(seen)[-1:] != [str(rows)] or len(_reader_saw(seen)) <= 10:
            assert time.monotonic() < deadline and reader.poll() is None, _reader_saw(seen)[-5:]
            time.sleep(0.02)
    finally:
        stop.touch()
        reader.wait(30)
    lines_seen = _reader_saw(seen)
    errors = [ln for ln in lines_seen if not ln.isdigit()]
    counts = [int(ln) for ln in lines_seen if ln.isdigit()]
    assert errors == [] and listed_missing == []
    assert counts == sorted(counts) and all(c % 60 == 0 for c in counts), counts  # whole flushes, never fewer
    assert len(counts) > 10 and counts[-1] == rows


def _published(store, timeout: float = 30.0) -> None:
    """Until the store's publisher has published its current catalog version."""
    deadline = time.monotonic() + timeout
    while store.health()["iceberg"]["version"] != store.catalog_version():
        assert time.monotonic() < deadline, store.health()
        time.sleep(0.01)


def test_publishing_on_with_the_catalog_on_postgresql(tmp_path, pg_url):
    config = tsdb_core.StoreConfig(iceberg=True, file_grace_s=0.0, catalog=pg_url)
    with tsdb_core.open(tmp_path / "s", config=config) as store:
        store.write("db", lines("cpu", T, 10, seed=1))
        store.flush()
        store.write("db", lines("cpu", T, 10, seed=2, offset=60 * 10**9))
        store.flush()
        _published(store)
        assert store.compact() == 1
        _published(store)
        assert all(c.ok for c in verify(store.iceberg)) and len(store.files()) == 1
        frame = read_polars(store.iceberg.catalog.load_table(("db", "cpu")))
        assert_same(store_summary(store, "db", "autogen", "cpu"), table_summary(frame, ["host", "region"]))
        assert store.iceberg.uri == pg_url


def test_publishing_on_with_the_data_on_s3(tmp_path, s3_server):  # noqa: F811 - the fixture
    location = f"s3://{s3_server.new_bucket()}/prefix"
    config = tsdb_core.StoreConfig(iceberg=True, file_grace_s=0.0)
    with tsdb_core.open(location, wal_dir=tmp_path / "wal", config=config) as store:
        store.write("db", lines("cpu", T, 10, seed=1))
        store.flush()
        store.write("db", lines("cpu", T, 10, seed=2, offset=60 * 10**9))
        store.flush()
        _published(store)
        before = {f"{location}/{f.path}" for f in store.files()}
        copies = {t.file.file_path for t in store.iceberg.catalog.load_table(("db", "cpu")).scan().plan_files()}
        store.compact()
        _published(store)
        table = store.iceberg.catalog.load_table(("db", "cpu"))
        assert {t.file.file_path for t in table.scan().plan_files()} == {
            f"{location}/.iceberg/db/cpu/data/time_day=2024-03-01/f{f.id}.parquet" for f in store.files()}
        assert all(c.ok for c in verify(store.iceberg))
        assert not any(store.iceberg.io.new_input(uri).exists() for uri in before)  # released: deleted
        assert len(copies) == 2 and not any(store.iceberg.io.new_input(uri).exists() for uri in copies)
