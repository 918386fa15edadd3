"""Publishing a store as Iceberg tables, read back by three independent readers and compared
with the store's own InfluxQL answers after writes, flushes, a compaction, a retention expiry,
DROP MEASUREMENT and DELETE."""
from __future__ import annotations

from datetime import datetime, timezone

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
    exact = frame.drop("time").rename({"time_ns": "time"})
    joined = exact.join(current, on=["host", "region", "time"], how="left", nulls_equal=True)
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


def test_each_store_file_is_published_as_one_copy_per_day(store):
    store.write("db", lines("cpu", "2024-03-04T22:00:00Z", 30, seed=1, step=3 * 60 * MIN))  # 87 h: 5 days of one 7-day window
    store.flush()
    (f,) = store.files()  # one 7-day window of the store: one file
    publisher = Publisher(store)
    publisher.publish()
    table = publisher.catalog.load_table(("db", "cpu"))
    days = [f"2024-03-0{d}" for d in range(4, 9)]
    tasks = list(table.scan().plan_files())
    assert sorted(t.file.file_path for t in tasks) == [f"{table.location()}/data/time_day={d}/f{f.id}.parquet"
                                                       for d in days]
    epoch_day = to_ns("2024-03-04T00:00:00Z") // (86400 * 10**9)
    assert sorted(t.file.partition[0] for t in tasks) == [epoch_day + k for k in range(5)]
    assert str(table.spec()) == "[\n  1000: time_day: day(1)\n]"
    assert table.current_snapshot().summary["tsdb.catalog-version"] == str(store.catalog_version())
    assert not (store.root / ".iceberg").exists() or not any(  # the store's own files are not listed
        t.file.file_path.startswith(f"{publisher.warehouse}/db/") for t in tasks)


@pytest.mark.parametrize("how", ["iso", "expression"])
def test_a_time_filter_plans_only_that_days_files(store, how):
    from pyiceberg.expressions import And, GreaterThanOrEqual, LessThan

    store.write("db", lines("cpu", "2024-03-04T22:00:00Z", 30, seed=1, step=3 * 60 * MIN))
    store.flush()
    publisher = Publisher(store)
    publisher.publish()
    table = publisher.catalog.load_table(("db", "cpu"))
    lo, hi = "2024-03-06T00:00:00+00:00", "2024-03-07T00:00:00+00:00"
    flt = (f"time >= '{lo}' AND time < '{hi}'" if how == "iso"
           else And(GreaterThanOrEqual("time", lo), LessThan("time", hi)))
    planned = [t.file.file_path for t in table.scan(row_filter=flt).plan_files()]
    assert len(planned) == 1 and "/time_day=2024-03-06/" in planned[0]
    got = pl.from_arrow(table.scan(row_filter=flt).to_arrow())
    want = store.query("SELECT count(v) FROM cpu WHERE time >= '2024-03-06T00:00:00Z' AND time < '2024-03-07T00:00:00Z'",
                       db="db").statements[0].series[0].values[0][1]
    assert got.height == want == 8 * 6  # every 3 h: 8 points a day per series, 6 series
    assert got["time_ns"].min() == to_ns("2024-03-06T01:00:00Z") and got["time_ns"].max() == to_ns("2024-03-06T22:00:00Z")


def test_other_readers_filter_by_time_with_the_right_values(store):
    from .conftest import _duckdb, _duckdb_reason

    store.write("db", lines("cpu", "2024-03-04T22:00:00Z", 30, seed=1, step=3 * 60 * MIN))
    store.write("db", f"cpu,host=ns v=1 {to_ns('2024-03-06T12:00:00Z') + 1_234_567}")  # sub-µs nanoseconds
    store.flush()
    publisher = Publisher(store)
    publisher.publish()
    table = publisher.catalog.load_table(("db", "cpu"))
    frame = pl.scan_iceberg(table).filter((pl.col("time") >= pl.datetime(2024, 3, 6, time_zone="UTC"))
                                          & (pl.col("time") < pl.datetime(2024, 3, 7, time_zone="UTC"))).collect()
    assert frame.height == 49 and frame["time"].dtype == pl.Datetime("us", "UTC")
    row = frame.filter(pl.col("host") == "ns").row(0, named=True)
    assert row["time_ns"] == to_ns("2024-03-06T12:00:00Z") + 1_234_567
    assert row["time"] == datetime(2024, 3, 6, 12, 0, 0, 1234, tzinfo=timezone.utc)  # µs, rounded down
    if _duckdb_reason():
        pytest.skip(_duckdb_reason())
    got = _duckdb().execute(
        "SELECT typeof(time), count(*), min(time_ns), max(time_ns), max(time) FROM iceberg_scan(?) "
        "WHERE time >= TIMESTAMPTZ '2024-03-06 00:00:00+00' AND time < TIMESTAMPTZ '2024-03-07 00:00:00+00' "
        "GROUP BY 1", [table.metadata_location]).fetchall()
    assert got[0][:4] == ("TIMESTAMP WITH TIME ZONE", 49, to_ns("2024-03-06T01:00:00Z"), to_ns("2024-03-06T22:00:00Z"))
    assert got[0][4].astimezone(timezone.utc) == datetime(2024, 3, 6, 22, tzinfo=timezone.utc)


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

    def fail_on_mem(self, tv, *args):
        if tv.ident == ("db", "mem"):
            raise OSError("the disk went away")
        return original(self, tv, *args)

    monkeypatch.setattr(Publisher, "_sync_files", fail_on_mem)
    with pytest.raises(OSError, match="went away"):
        publisher.publish()
    monkeypatch.setattr(Publisher, "_sync_files", original)
    report = publisher.publish()
    assert report.files_added == 1 and report.created == []  # mem's table was made; its file comes now
    assert all(c.ok for c in verify(publisher)) and not publisher.publish().changed


def test_copies_a_stopped_publisher_left_are_deleted_by_the_next(store):
    import os

    store.write("db", lines("cpu", "2024-03-01T00:00:00Z", 10, seed=1))
    store.flush()
    store.write("db", lines("cpu", "2024-03-01T00:00:00Z", 10, seed=2, offset=MIN))
    store.flush()
    publisher = Publisher(store)  # the store's grace: unlisted copies outlive this publisher
    publisher.publish()
    table = publisher.catalog.load_table(("db", "cpu"))
    old = [u.removeprefix("file://") for u in (t.file.file_path for t in table.scan().plan_files())]
    store.compact()
    assert publisher.publish().files_removed == 2
    publisher.close()
    assert len(old) == 2 and all(os.path.exists(p) for p in old)  # within their grace
    again = Publisher(store)
    again.publish()
    assert all(os.path.exists(p) for p in old)  # too recent to be strays
    for p in old:
        os.utime(p, (os.path.getmtime(p) - 3600,) * 2)
    Publisher(store).publish()
    assert not any(os.path.exists(p) for p in old)
    table = again.catalog.load_table(("db", "cpu"))
    assert table.scan().to_arrow().num_rows == 120 and all(c.ok for c in verify(again))


def test_a_whole_copy_is_kept_and_a_torn_one_written_again(store):
    import os

    store.write("db", lines("cpu", "2024-03-01T00:00:00Z", 10, seed=1))
    store.flush()
    Publisher(store).publish()
    publisher = Publisher(store)
    (task,) = publisher.catalog.load_table(("db", "cpu")).scan().plan_files()
    path = task.file.file_path.removeprefix("file://")
    stamp, size = os.stat(path).st_mtime_ns, os.path.getsize(path)
    assert publisher.publish(from_scratch=True).files_added == 1
    assert os.stat(path).st_mtime_ns == stamp  # found whole: not written again (a reader may be reading it)
    with open(path, "r+b") as f:  # torn, as by a crash while it was written
        f.truncate(size // 2)
    assert publisher.publish(from_scratch=True).files_added == 1
    assert os.path.getsize(path) == size and all(c.ok for c in verify(publisher))
    assert publisher.catalog.load_table(("db", "cpu")).scan().to_arrow().num_rows == 60
