"""A store opened with ``StoreConfig(iceberg=True)`` publishes by itself: after every commit that
changes what is live, on open (before anything removed is deleted) and on close; removed files
stay until a publish no longer lists them; windows of re-sent points are compacted first."""
from __future__ import annotations

import signal
import time
from pathlib import Path

import httpx
import polars as pl
import pytest
from pyiceberg.exceptions import NoSuchTableError

import tsdb_core
from tsdb_core import StoreConfig
from tsdb_core.lakehouse import Publisher, verify
from tsdb_core.lakehouse.copies import source_id
from tsdb_core.testing import ManualClock, parse_duration, to_ns

from ..http.test_read_only import _post, _spawn, _url
from .conftest import read_pyiceberg
from .helpers import MIN, assert_same, lines, store_summary, table_summary

NOW = "2024-03-10T00:00:00Z"
T = "2024-03-01T00:00:00Z"


def settled(store, timeout: float = 30.0) -> dict:
    """Wait until the store's last publish reflects its current catalog version; its health then."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        health = store.health()
        if health["iceberg"]["version"] == store.catalog_version() and "error" not in health["iceberg"]:
            return health
        time.sleep(0.01)
    raise AssertionError(f"not published within {timeout} s: {store.health()['iceberg']}")


def agree(store, reader=read_pyiceberg) -> dict:
    """Every table read back equals the store's InfluxQL answers; rows per table."""
    settled(store)
    publisher = store.iceberg
    assert all(c.ok for c in verify(publisher)), [c for c in verify(publisher) if not c.ok]
    rows = {}
    for db in store.databases():
        for rp in store.retention_policies(db):
            ns = (db,) if rp.default else (db, rp.name)
            for m in store.measurements(db, rp.name):
                frame = reader(publisher.catalog.load_table((*ns, m)))
                assert_same(store_summary(store, db, rp.name, m), table_summary(frame, list(store.schema(db, m).tags)))
                rows[(*ns, m)] = frame.height
    return rows


@pytest.fixture
def store(tmp_path):
    config = StoreConfig.for_tests(iceberg=True, file_grace_s=0.0, compact_min_files=1000)
    with tsdb_core.open(tmp_path / "store", config=config, clock=ManualClock(NOW)) as s:
        s.create_database("db")
        s.create_retention_policy("db", "short", duration=parse_duration("1d"), shard_duration=parse_duration("1h"))
        yield s


def test_every_change_is_published_without_a_call(store, reader):
    store.write("db", lines("cpu", T, 50, seed=1))
    store.flush()
    store.write("db", lines("cpu", "2024-03-02T00:00:00Z", 50, seed=2))
    store.write("db", lines("mem", T, 20, seed=3, all_fields=False))
    store.write("db", lines("cpu", "2024-03-09T12:00:00Z", 30, seed=4, step=MIN), rp="short")
    store.flush()
    assert agree(store, reader) == {("db", "cpu"): 600, ("db", "mem"): 120, ("db", "short", "cpu"): 180}
    store.write("db", lines("cpu", "2024-03-01T00:00:00Z", 50, seed=5, offset=MIN))
    store.flush()
    assert store.compact() > 0
    assert agree(store, reader)[("db", "cpu")] == 900
    store.clock.advance("2d")
    assert store.enforce_retention() > 0
    agree(store, reader)
    assert reader(store.iceberg.catalog.load_table(("db", "short", "cpu"))).height == 0  # every window expired
    store.drop_measurement("db", "mem")
    settled(store)
    with pytest.raises(NoSuchTableError):
        store.iceberg.catalog.load_table(("db", "mem"))
    store.query("DELETE FROM cpu WHERE host = 'a' AND time < '2024-03-01T10:00:00Z'", db="db")
    assert agree(store, reader)[("db", "cpu")] < 900
    assert store.health()["status"] == "ok"


def test_re_sent_points_are_compacted_and_never_shown_twice(store):
    store.write("db", lines("cpu", T, 20, seed=1))
    store.flush()
    settled(store)
    for k in range(2, 5):  # each write re-sends points of the last one (new values win)
        store.write("db", lines("cpu", T, 20, seed=k, offset=k * 10 * MIN))
        store.flush()
        settled(store)
        assert len(store.files()) == 1  # the window was merged on the publisher's tick
    table = store.iceberg.catalog.load_table(("db", "cpu"))
    frame = read_pyiceberg(table)
    assert not frame.select(pl.struct("host", "region", "time").is_duplicated().any()).item()
    agree(store)
    totals = [int(s.summary["total-records"]) for s in table.snapshots()]  # each snapshot whole: no gap
    assert totals == sorted(totals) and totals[0] == 120 and totals[-1] == frame.height == 144


def test_removed_files_stay_until_a_publish_drops_them(store, monkeypatch):
    store.write("db", lines("cpu", T, 10, seed=1))
    store.flush()
    store.write("db", lines("cpu", T, 10, seed=2, offset=MIN))
    store.flush()
    settled(store)
    table = store.iceberg.catalog.load_table(("db", "cpu"))
    published = {t.file.file_path for t in table.scan().plan_files()}
    assert {source_id(u) for u in published} == {f.id for f in store.files()}
    paths = [store.root / f.path for f in store.files()]

    def fail(self, **kwargs):
        raise OSError("the Iceberg catalog is unreachable")

    original = Publisher.publish
    monkeypatch.setattr(Publisher, "publish", fail)
    assert store.compact() == 1  # buried with no grace: deleted at once if nobody held them
    health = store.health()
    assert health["status"] == "degraded" and "unreachable" in health["iceberg"]["error"]
    store.write("db", lines("cpu", "2024-03-05T00:00:00Z", 5, seed=3))
    store.flush()  # writes go on; the flush's reap deletes nothing the publisher has not let go
    assert all(p.exists() for p in paths)
    table = store.iceberg.catalog.load_table(("db", "cpu"))
    assert {t.file.file_path for t in table.scan().plan_files()} == published
    assert read_pyiceberg(table).height == 120  # still readable: its copies are there
    monkeypatch.setattr(Publisher, "publish", original)
    assert store.publish_iceberg()
    assert not any(p.exists() for p in paths)  # released by the publish that dropped their copies
    assert not any(Path(u.removeprefix("file://")).exists() for u in published)  # copies gone too (grace 0)
    assert agree(store)[("db", "cpu")] == 150 and store.health()["status"] == "ok"


def test_close_publishes_the_last_flush_and_open_publishes_first(tmp_path):
    root = tmp_path / "store"
    config = StoreConfig(iceberg=True, file_grace_s=0.0)
    with tsdb_core.open(root, config=config) as store:
        store.write("db", lines("cpu", T, 10, seed=1))  # never flushed by hand
    with tsdb_core.open(root, read_only=True) as reader:
        publisher = Publisher(reader)
        assert read_pyiceberg(publisher.catalog.load_table(("db", "cpu"))).height == 60
        publisher.close()
    with tsdb_core.open(root) as store:  # without publishing: the table falls behind
        store.write("db", lines("cpu", T, 10, seed=2, offset=MIN))
        store.flush()
        store.compact()
        store.write("db", lines("mem", T, 3, seed=3, all_fields=False))
    with tsdb_core.open(root, config=config) as store:  # caught up on open, nothing asked
        assert store.health()["iceberg"]["version"] == store.catalog_version()
        assert agree(store) == {("db", "cpu"): 120, ("db", "mem"): 18}


def test_what_cannot_publish_is_refused_and_readers_do_not_publish(tmp_path):
    with pytest.raises(tsdb_core.UserError, match="in-memory"):
        tsdb_core.open(config=StoreConfig(iceberg=True))
    with tsdb_core.open(tmp_path / "s") as store:
        store.write("db", lines("cpu", T, 2, seed=1))
        with pytest.raises(tsdb_core.UserError, match="iceberg=True"):
            store.publish_iceberg()
        assert store.iceberg is None and "iceberg" not in store.health()
    with tsdb_core.open(tmp_path / "s", config=StoreConfig(iceberg=True, read_only=True)) as reader:
        assert reader.iceberg is None
    assert not (tmp_path / "s" / "iceberg.sqlite").exists()


def test_tsdb_serve_iceberg_publishes_what_is_written(tmp_path):
    root = tmp_path / "store"
    proc = _spawn(root, "--iceberg", "--flush-interval", "0.1")
    try:
        base, said = _url(proc)
        assert base, said
        assert httpx.post(f"{base}/query", params={"q": "CREATE DATABASE db"}).status_code == 200
        _post(base, f"cpu,host=a v=1 {to_ns(T)}\ncpu,host=b v=2 {to_ns(T) + 10**9}")
        deadline = time.monotonic() + 30
        with tsdb_core.open(root, read_only=True) as reader:
            publisher = Publisher(reader)
            while True:
                try:
                    frame = read_pyiceberg(publisher.catalog.load_table(("db", "cpu")))
                    if frame.height == 2:
                        break
                except NoSuchTableError:
                    pass
                assert time.monotonic() < deadline, "the served store did not publish its flush"
                time.sleep(0.02)
            assert sorted(frame["v"].to_list()) == [1.0, 2.0]
            publisher.close()
    finally:
        proc.send_signal(signal.SIGTERM)
        assert proc.wait(30) == 0, proc.stderr.read()


def _external_rows(root, *ident: str) -> int | None:
    """Rows of a table as a reader with nothing of the store's sees them: its own catalog
    connection, then DuckDB (when installed) on the metadata it names; None: no such table."""
    from pyiceberg.catalog.sql import SqlCatalog

    from .conftest import _duckdb, _duckdb_reason

    catalog = SqlCatalog("tsdb", uri=f"sqlite:///{root}/iceberg.sqlite")
    try:
        table = catalog.load_table(ident)
    except NoSuchTableError:
        return None
    finally:
        catalog.engine.dispose()
    rows = table.scan().to_arrow().num_rows
    if not _duckdb_reason():
        assert _duckdb().execute("SELECT count(*) FROM iceberg_scan(?)", [table.metadata_location]).fetchone()[0] == rows
    return rows


def test_a_change_is_in_the_tables_when_the_call_returns(tmp_path, monkeypatch):
    from tsdb_core.lakehouse.hook import AutoPublisher

    monkeypatch.setattr(AutoPublisher, "signal", lambda self: None)  # the thread never runs: no help from it
    root = tmp_path / "store"
    config = StoreConfig.for_tests(iceberg=True, file_grace_s=0.0, compact_min_files=1000)
    with tsdb_core.open(root, config=config, clock=ManualClock(NOW)) as store:
        store.create_database("db")
        for k in range(3):
            store.write("db", lines("cpu", T, 10, seed=k, offset=k * 100 * MIN))
            assert _external_rows(root, "db", "cpu") == (60 * k if k else None)
            store.flush()
            assert _external_rows(root, "db", "cpu") == 60 * (k + 1)
        store.write("db", lines("cpu", T, 10, seed=9))  # the first flush's points again: merged when published
        store.flush()
        assert _external_rows(root, "db", "cpu") == 180
        assert store.compact() == 0  # the publish merged that window already
        store.query("DELETE FROM cpu WHERE host = 'a'", db="db")
        assert _external_rows(root, "db", "cpu") == 120
        store.clock.advance("30d")
        store.alter_retention_policy("db", "autogen", duration=parse_duration("7d"))
        assert store.enforce_retention() > 0
        assert _external_rows(root, "db", "cpu") == 0
        store.write("db", lines("mem", "2024-04-08T00:00:00Z", 2, seed=1, all_fields=False))
        store.flush()
        assert _external_rows(root, "db", "mem") == 12
        store.query("DROP MEASUREMENT mem", db="db")
        assert _external_rows(root, "db", "mem") is None
