"""Publishing a store as Iceberg tables, read back by three independent readers and compared
with the store's own InfluxQL answers after writes, flushes, a compaction, a retention expiry,
DROP MEASUREMENT and DELETE."""
from __future__ import annotations

import polars as pl
import pytest
from pyiceberg.exceptions import NoSuchTableError

import tsdb_core
from tsdb_core.lakehouse import Publisher, verify
from tsdb_core.testing import ManualClock, parse_duration, to_ns

from .helpers import MIN, assert_same, lines, store_summary, table_summary

NOW = "2024-03-10T00:00:00Z"


def compare_all(store, publisher: Publisher, reader) -> dict:
    """Every published table read by ``reader`` equals the store's InfluxQL answers; the tables."""
    report = publisher.publish()
    assert not report.held, report.held
    seen = {}
    for db in store.databases():
        for rp in store.retention_policies(db):
            ns = ("db",) if rp.default else ("db", rp.name)
            for m in store.measurements(db, rp.name):
                table = publisher.catalog.load_table((*ns, m))
                frame = reader(table)
                want = store_summary(store, db, rp.name, m)
                assert_same(want, table_summary(frame, list(store.schema(db, m).tags)))
                seen[(*ns, m)] = frame.height
    assert all(c.ok for c in verify(publisher)), [c for c in verify(publisher) if not c.ok]
    return seen


@pytest.fixture
def store(tmp_path):
    clock = ManualClock(NOW)
    with tsdb_core.open(tmp_path / "store", clock=clock) as s:
        s.create_database("db")
        s.create_retention_policy("db", "short", duration=parse_duration("1d"), shard_duration=parse_duration("1h"))
        yield s


def test_readers_match_the_store_through_every_change(store, reader):
    publisher = Publisher(store)
    store.write("db", lines("cpu", "2024-03-01T00:00:00Z", 100, seed=1))
    store.flush()
    store.write("db", lines("cpu", "2024-03-01T00:00:00Z", 100, seed=2, offset=5 * MIN))  # overlapping times
    store.write("db", lines("mem", "2024-03-02T00:00:00Z", 50, seed=3, all_fields=False))
    store.flush()
    store.write("db", lines("cpu", "2024-03-09T12:00:00Z", 30, seed=4, step=MIN), rp="short")
    store.flush()
    assert compare_all(store, publisher, reader) == {("db", "cpu"): 1200, ("db", "mem"): 300,
                                                     ("db", "short", "cpu"): 180}
    assert not publisher.publish().changed  # idempotent

    # a later write replaces points: its file is held back until compaction merges the window
    store.write("db", lines("cpu", "2024-03-01T00:00:00Z", 20, seed=5))
    store.flush()
    report = publisher.publish()
    assert report.held and report.held.keys() == {("db", "cpu")}
    frame = reader(publisher.catalog.load_table(("db", "cpu")))
    assert 0 < frame.height < 1200
    assert not frame.select(pl.struct("host", "region", "time").is_duplicated().any()).item()
    current = store.scan_frame("db", None, "cpu", to_ns("2024-03-01T00:00:00Z"), to_ns(NOW), ["time", "host", "region", "v"])
    joined = frame.join(current, on=["host", "region", "time"], how="left", nulls_equal=True)
    assert joined.height == frame.height and (joined["v"] == joined["v_right"]).all()  # no replaced value shows
    store.compact()
    assert compare_all(store, publisher, reader)[("db", "cpu")] == 1200

    store.clock.advance("2d")  # the short policy's windows expire
    assert store.enforce_retention() > 0
    assert publisher.publish().files_removed > 0
    assert reader(publisher.catalog.load_table(("db", "short", "cpu"))).height == \
        store_rows(store, "short") == 180 - 180  # every window of the short policy expired
    compare_all(store, publisher, reader)

    store.drop_measurement("db", "mem")
    publisher.publish()
    with pytest.raises(NoSuchTableError):
        publisher.catalog.load_table(("db", "mem"))

    store.query("DELETE FROM cpu WHERE host = 'a' AND time < '2024-03-01T10:00:00Z'", db="db")
    deleted = compare_all(store, publisher, reader)[("db", "cpu")]
    assert deleted == store_rows(store, "autogen") < 1200


def store_rows(store, rp: str) -> int:
    res = store.query("SELECT count(v) FROM cpu", db="db", rp=rp).statements[0]
    return res.series[0].values[0][1] if res.series else 0


def test_published_files_are_the_stores_files(store):
    store.write("db", lines("cpu", "2024-03-01T00:00:00Z", 10, seed=1))
    store.flush()
    publisher = Publisher(store)
    publisher.publish()
    table = publisher.catalog.load_table(("db", "cpu"))
    paths = {t.file.file_path for t in table.scan().plan_files()}
    assert paths == {f"{publisher.warehouse}/{f.path}" for f in store.files()}  # added where they are
    assert table.location().endswith("/.iceberg/db/cpu")
    assert table.current_snapshot().summary["tsdb.catalog-version"] == str(store.catalog_version())


def test_many_publishes_keep_few_snapshots_and_every_file(store):
    publisher = Publisher(store)
    for k in range(25):
        store.write("db", lines("mem", "2024-03-01T00:00:00Z", 2, seed=k, offset=k * MIN * 30, all_fields=False))
        store.flush()
        assert publisher.publish().files_added == 1
    table = publisher.catalog.load_table(("db", "mem"))
    assert len(table.metadata.snapshots) <= 20
    assert table.scan().to_arrow().num_rows == 25 * 12 == store_summary(store, "db", "autogen", "mem")[
        (("host", "a"),)]["rows"] * 6
    assert all(c.ok for c in verify(publisher))


def test_a_publish_failing_half_way_is_finished_by_the_next(store, monkeypatch):
    store.write("db", lines("cpu", "2024-03-01T00:00:00Z", 3, seed=1))
    store.write("db", lines("mem", "2024-03-01T00:00:00Z", 3, seed=2, all_fields=False))
    store.flush()
    publisher = Publisher(store)
    original = Publisher._sync_files

    def fail_on_mem(self, ident, *args):
        if ident == ("db", "mem"):
            raise OSError("the disk went away")
        return original(self, ident, *args)

    monkeypatch.setattr(Publisher, "_sync_files", fail_on_mem)
    with pytest.raises(OSError, match="went away"):
        publisher.publish()
    monkeypatch.setattr(Publisher, "_sync_files", original)
    report = publisher.publish()
    assert report.files_added == 1 and report.created == []  # mem's table was made; its file comes now
    assert all(c.ok for c in verify(publisher)) and not publisher.publish().changed
