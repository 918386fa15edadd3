"""The embedded Store: write → read round trips, merge semantics, conflicts, retention, reopen, replay."""
from __future__ import annotations

import shutil

import polars as pl
import pytest

import tsdb_core
import tsdb_core.query.provider
from tsdb_core import FieldType, StoreConfig
from tsdb_core.base.errors import DatabaseNotFound, RetentionPolicyNotFound, StorageError, UserError
from tsdb_core.base.time import MAX_TIME, MIN_TIME, D, H, S

T0 = 1_700_000_000_000_000_000


class Clock:
    def __init__(self, now: int):
        self.now = now

    def __call__(self) -> int:
        return self.now


@pytest.fixture(params=["memory", "disk"])
def store(request, tmp_path):
    path = None if request.param == "memory" else tmp_path / "store"
    s = tsdb_core.open(path, config=StoreConfig.for_tests(), clock=Clock(T0 + D))
    yield s
    s.close()


def rows(store, db, m):
    df = store.scan(db, None, m, MIN_TIME, MAX_TIME).collect()
    return df.sort(df.columns).to_dicts()


# -- round trips ------------------------------------------------------------------------
FIELD_CASES = [
    ("v=1.5", FieldType.FLOAT, 1.5),
    ("v=-3i", FieldType.INTEGER, -3),
    ("v=9223372036854775807i", FieldType.INTEGER, 9223372036854775807),
    ("v=18446744073709551615u", FieldType.UNSIGNED, 18446744073709551615),
    ("v=t", FieldType.BOOLEAN, True),
    ("v=FALSE", FieldType.BOOLEAN, False),
    ('v="hello, \\"world\\""', FieldType.STRING, 'hello, "world"'),
    ('v="ünïcødé ✓"', FieldType.STRING, "ünïcødé ✓"),
    ("v=1e300", FieldType.FLOAT, 1e300),
]


@pytest.mark.parametrize("fieldset,ftype,value", FIELD_CASES, ids=[c[0] for c in FIELD_CASES])
@pytest.mark.parametrize("flushed", [False, True], ids=["buffer", "parquet"])
def test_round_trip_every_field_type(store, fieldset, ftype, value, flushed):
    r = store.write("db", f"m,host=a {fieldset} {T0}".encode())
    assert (r.points_written, r.values_written, r.errors) == (1, 1, [])
    if flushed:
        store.flush()
    assert store.schema("db", "m").fields == {"v": ftype}
    assert rows(store, "db", "m") == [{"time": T0, "host": "a", "v": value}]


def test_round_trip_survives_reopen(tmp_path):
    body = "\n".join(f"m,host=h{i % 3},dc=x{i % 2} f={i}.5,i={i}i,u={i}u,b={'t' if i % 2 else 'f'},s=\"s{i}\" {T0 + i}"
                     for i in range(50)).encode()
    with tsdb_core.open(tmp_path / "s", config=StoreConfig.for_tests()) as s:
        assert s.write("db", body).points_written == 50
        before = rows(s, "db", "m")
    with tsdb_core.open(tmp_path / "s", config=StoreConfig.for_tests()) as s:
        assert rows(s, "db", "m") == before
        assert s.series("db", None, "m").to_dicts() == [
            {"dc": "x0", "host": "h0"}, {"dc": "x0", "host": "h1"}, {"dc": "x0", "host": "h2"},
            {"dc": "x1", "host": "h0"}, {"dc": "x1", "host": "h1"}, {"dc": "x1", "host": "h2"}]
    assert len(before) == 50 and before[7] == {"time": T0 + 7, "b": True, "dc": "x1", "f": 7.5, "host": "h1",
                                               "i": 7, "s": "s7", "u": 7}


# -- merge semantics ----------------------------------------------------------------------
MERGE_CASES = [
    # (writes, flush after each write?, expected rows)
    ([f"m,h=a x=1,y=2 {T0}", f"m,h=a x=10 {T0}"], [{"time": T0, "h": "a", "x": 10.0, "y": 2.0}]),
    ([f"m,h=a x=1 {T0}", f"m,h=a y=5 {T0}", f"m,h=a x=3 {T0}"], [{"time": T0, "h": "a", "x": 3.0, "y": 5.0}]),
    ([f"m,h=a x=1 {T0}\nm,h=a x=2 {T0}"], [{"time": T0, "h": "a", "x": 2.0}]),
    ([f"m,h=a x=1 {T0}", f"m,h=b x=2 {T0}"], [{"time": T0, "h": "a", "x": 1.0}, {"time": T0, "h": "b", "x": 2.0}]),
    ([f"m x=1 {T0}", f"m,h=a x=2 {T0}", f"m x=3 {T0}"], [{"time": T0, "h": "a", "x": 2.0}, {"time": T0, "h": None, "x": 3.0}]),
]


@pytest.mark.parametrize("writes,expected", MERGE_CASES, ids=[" | ".join(c[0]) for c in MERGE_CASES])
@pytest.mark.parametrize("mode", ["buffer", "flush-each", "flush-each+compact", "half"])
def test_same_series_and_time_merge_field_by_field(store, writes, expected, mode):
    for i, w in enumerate(writes):
        store.write("db", w.encode())
        if mode.startswith("flush-each") or (mode == "half" and i == 0):
            store.flush()
    if mode.endswith("compact"):
        store.compact()
        assert len({(f.measurement, f.window_start) for f in store.files()}) == len(store.files())
    got = store.scan("db", None, "m", MIN_TIME, MAX_TIME).collect()
    assert sorted(got.to_dicts(), key=lambda r: (r["h"] or "")) == sorted(expected, key=lambda r: (r["h"] or ""))


def test_compaction_merges_small_files_and_keeps_answers(store):
    for i in range(5):
        store.write("db", "\n".join(f"m,h=h{j} x={i * 10 + j} {T0 + j * S}" for j in range(4)).encode())
        store.flush()
    before = rows(store, "db", "m")
    store.compact()
    assert len(store.files()) == 1 and store.files()[0].rows == 4
    assert rows(store, "db", "m") == before == [{"time": T0 + j * S, "h": f"h{j}", "x": 40.0 + j} for j in range(4)]


# -- field types -----------------------------------------------------------------------
def test_field_type_conflict_rejects_only_the_conflicting_points(store):
    store.write("db", f"cpu value=1 {T0}".encode())
    r = store.write("db", f"cpu value=2i {T0 + 1}\ncpu other=3 {T0 + 2}\ncpu,host=a value=7i,more=1 {T0 + 3}".encode())
    assert r.points_written == 1
    assert [(e.line, e.text, e.reason) for e in r.errors] == [
        (1, f"cpu value=2i {T0 + 1}",
         'field type conflict: input field "value" on measurement "cpu" is type integer, already exists as type float'),
        (3, f"cpu,host=a value=7i,more=1 {T0 + 3}",
         'field type conflict: input field "value" on measurement "cpu" is type integer, already exists as type float'),
    ]
    r = store.write("db", f'cpu value="x" {T0 + 4}'.encode())
    assert r.errors[0].reason == ('field type conflict: input field "value" on measurement "cpu" is type string, '
                                  'already exists as type float')
    # 'more' and the tag 'host' came only with rejected points
    assert store.schema("db", "cpu") == tsdb_core.query.provider.MeasurementSchema(
        "cpu", (), {"other": FieldType.FLOAT, "value": FieldType.FLOAT})
    assert rows(store, "db", "cpu") == [{"time": T0, "other": None, "value": 1.0},
                                        {"time": T0 + 2, "other": 3.0, "value": None}]


def test_a_key_may_be_a_field_and_a_tag_in_either_order(store):
    """1.x stores both, whichever came first (v1write.json): a tag key naming a field stored
    before moves that field to its own column (storage/twin_keys.py)."""
    store.write("db", f"cpu,host=a value=1 {T0}".encode())
    r = store.write("db", f"cpu host=1 {T0 + 1}\ncpu,value=x f=1 {T0 + 2}".encode())
    assert r.ok and r.points_written == 2
    assert store.schema("db", "cpu").fields == {"f": FieldType.FLOAT, "host": FieldType.FLOAT,
                                                "value": FieldType.FLOAT}
    res = store.query("SELECT host::tag, host::field, value, value::tag, f FROM cpu", db="db", epoch="ns").to_json()
    assert res["results"][0]["series"][0]["values"] == [
        [T0, "a", None, 1.0, None, None], [T0 + 1, None, 1.0, None, None, None], [T0 + 2, None, None, None, "x", 1.0]]


def test_field_types_are_per_database_and_fixed_across_policies(store):
    store.write("a", f"m v=1 {T0}".encode())
    assert store.write("b", f"m v=1i {T0}".encode()).ok
    store.create_retention_policy("a", "other", duration=0)
    r = store.write("a", f"m v=1i {T0}".encode(), rp="other")
    assert [e.reason for e in r.errors] == [
        'field type conflict: input field "v" on measurement "m" is type integer, already exists as type float']


def test_field_types_survive_reopen(tmp_path):
    with tsdb_core.open(tmp_path / "s") as s:
        s.write("db", f"m v=1 {T0}".encode())
    with tsdb_core.open(tmp_path / "s") as s:
        assert s.write("db", f"m v=1i {T0}".encode()).errors[0].reason.startswith("field type conflict")


# -- retention -----------------------------------------------------------------------
def test_retention_rejects_hides_and_drops(tmp_path):
    clock = Clock(T0)
    with tsdb_core.open(tmp_path / "s", config=StoreConfig.for_tests(file_grace_s=0), clock=clock) as s:
        s.create_database("db", duration=2 * H)  # shard groups of 1h
        assert s.retention_policies("db")[0].shard_group_duration == H
        r = s.write("db", f"m v=1 {T0 - 3 * H}\nm v=2 {T0 - H}\nm v=3 {T0}".encode())
        assert (r.points_written, [(e.line, e.reason) for e in r.errors]) == (
            2, [(1, "points beyond retention policy")])
        s.flush()
        clock.now = T0 + H + 1  # the point at T0 - H is expired, its window [T0-H-800s, T0-800s) is not
        assert rows(s, "db", "m") == [{"time": T0, "v": 3.0}]
        assert s.scan("db", None, "m", T0 - 10 * H, T0 - H).collect().height == 0
        assert s.enforce_retention() == 0 and len(s.files()) == 2
        clock.now = T0 + 2 * H  # now that window has ended before now - 2h; T0 itself is still kept
        assert s.enforce_retention() == 1
        assert [f.tmin for f in s.files()] == [T0]
        assert rows(s, "db", "m") == [{"time": T0, "v": 3.0}]
        clock.now = T0 + 10 * H
        s.enforce_retention()
        assert s.files() == [] and s.measurements("db") == []
    # no grace (file_grace_s=0): dropped files are deleted once their catalog entry is gone
    assert not any(p.suffix == ".parquet" for p in (tmp_path / "s").rglob("*"))


def test_infinite_retention_keeps_everything(store):
    assert store.write("db", b"m v=1 0\nm v=2 -1000000000000000000").points_written == 2
    assert store.enforce_retention() == 0
    assert len(rows(store, "db", "m")) == 2


def test_auto_created_database_uses_configured_duration(tmp_path):
    with tsdb_core.open(config=StoreConfig(auto_create_duration=3 * D), clock=Clock(T0)) as s:
        s.write("db", f"m v=1 {T0}".encode())
        [rp] = s.retention_policies("db")
        assert (rp.name, rp.duration, rp.shard_group_duration, rp.default) == ("autogen", 3 * D, D, True)


# -- databases and policies -----------------------------------------------------------------
SGD_CASES = [(0, 7 * D), (H, H), (2 * D - 1, H), (2 * D, D), (179 * D, D), (180 * D, 7 * D), (365 * D, 7 * D)]


@pytest.mark.parametrize("duration,sgd", SGD_CASES, ids=[str(c[0]) for c in SGD_CASES])
def test_default_shard_group_duration_matches_influxdb(store, duration, sgd):
    store.create_database("db", duration=duration)
    assert store.retention_policies("db")[0].shard_group_duration == sgd


def test_db_slash_rp_names(store):
    store.create_database("db")
    store.create_retention_policy("db", "short", duration=H, shard_duration=H)
    assert store.write("db/short", f"m v=1 {T0 + D}".encode()).ok
    assert store.measurements("db", "short") == ["m"] and store.measurements("db", "autogen") == []
    with pytest.raises(RetentionPolicyNotFound, match="retention policy not found: nope"):
        store.write("db/nope", f"m v=1 {T0}".encode())


def test_ddl_errors_use_influxdb_wording(store):
    with pytest.raises(DatabaseNotFound, match="^database not found: x$"):
        store.create_retention_policy("x", "rp", duration=H)
    store.create_database("db")
    with pytest.raises(UserError, match="^retention policy duration must be at least 1h0m0s$"):
        store.create_retention_policy("db", "rp", duration=S)
    store.create_retention_policy("db", "rp", duration=H)
    store.create_retention_policy("db", "rp", duration=H)  # identical: no error
    with pytest.raises(UserError, match="^retention policy already exists$"):
        store.create_retention_policy("db", "rp", duration=2 * H)
    with pytest.raises(UserError, match="^retention policy duration must be greater than the shard duration$"):
        store.alter_retention_policy("db", "rp", shard_duration=2 * H)
    with pytest.raises(RetentionPolicyNotFound):
        store.alter_retention_policy("db", "zz", duration=H)
    store.alter_retention_policy("db", "rp", duration=3 * H, default=True)
    assert [(r.name, r.duration, r.default) for r in store.retention_policies("db")] == [
        ("autogen", 0, False), ("rp", 3 * H, True)]
    assert store.resolve_rp("db", None) == "rp"


def test_drop_measurement_and_database(store):
    store.write("db", f"a v=1 {T0}\nb v=1 {T0}".encode())
    store.flush()
    store.write("db", f"a v=2 {T0 + 1}".encode())
    store.drop_measurement("db", "a")
    assert store.measurements("db") == ["b"] and store.schema("db", "a") is None
    assert store.scan("db", None, "a", MIN_TIME, MAX_TIME).collect().height == 0
    store.write("db", f"a v=\"now a string\" {T0}".encode())  # the type is free again
    assert store.schema("db", "a").fields == {"v": FieldType.STRING}
    store.drop_database("db")
    assert store.databases() == []
    store.drop_database("db")  # idempotent like 1.x


def test_delete_with_tag_predicate(store):
    store.write("db", "\n".join(f"m,h={h} v={i} {T0 + i}" for h in "ab" for i in range(5)).encode())
    store.delete("db", "m", T0 + 1, T0 + 3, pl.col("h") == "a")
    got = store.scan("db", None, "m", MIN_TIME, MAX_TIME).collect().sort("h", "time")
    assert got.filter(pl.col("h") == "a")["time"].to_list() == [T0, T0 + 4]
    assert got.filter(pl.col("h") == "b").height == 5
    store.delete("db", None, -2**62, 2**62, pl.col("h") == "b")
    assert store.series("db", None, "m").to_dicts() == [{"h": "a"}]


def test_write_frame_for_select_into(store):
    store.create_database("db")
    frame = pl.DataFrame({"time": [T0, T0 + 1], "host": ["a", None], "mean": [1.5, 2.5]})
    assert store.write_frame("db", None, "agg", frame, ("host",), {"mean": FieldType.FLOAT}) == 2
    assert rows(store, "db", "agg") == [{"time": T0, "host": "a", "mean": 1.5},
                                          {"time": T0 + 1, "host": None, "mean": 2.5}]
    with pytest.raises(DatabaseNotFound):
        store.write_frame("nodb", None, "agg", frame, ("host",), {"mean": FieldType.FLOAT})


def test_scan_provider_form_and_column_projection(store):
    store.write("db", f"m,h=a x=1,y=2 {T0}\nm,h=a x=5 {T0 + 10}".encode())
    lf = store.scan("db", "autogen", "m", T0 + 1, T0 + 10, ["y", "h"])
    assert lf.collect().to_dicts() == [{"time": T0 + 10, "y": None, "h": "a"}]
    assert store.scan("db", None, "nope", MIN_TIME, MAX_TIME).collect().columns == ["time"]


def test_closed_store_refuses(tmp_path):
    s = tsdb_core.open(tmp_path / "s")
    s.close()
    with pytest.raises(StorageError, match="store is closed"):
        s.write("db", b"m v=1 1")


def test_second_open_of_same_directory_is_refused(tmp_path):
    with tsdb_core.open(tmp_path / "s"):
        with pytest.raises(StorageError, match="locked"):
            tsdb_core.open(tmp_path / "s")


# -- crash recovery (simulated: the directory as a crash would leave it) ----------------------
def _crash_copy(store, src, dst):
    """What a kill -9 leaves: acknowledged writes are fsynced, nothing else happens."""
    shutil.copytree(src, dst, ignore=shutil.ignore_patterns("store.lock"))


@pytest.mark.local_files("copies the store directory as a crash would leave it")
def test_wal_replay_after_crash(tmp_path):
    s = tsdb_core.open(tmp_path / "s", config=StoreConfig.for_tests())
    s.write("db", f"m,h=a v=1 {T0}\nm,h=b v=2 {T0}".encode())
    s.flush()
    s.write("db", f"m,h=a v=10,w=1i {T0}\nn s=\"x\" {T0}".encode())
    _crash_copy(s, tmp_path / "s", tmp_path / "c")
    s.close()
    with tsdb_core.open(tmp_path / "c", config=StoreConfig.for_tests()) as c:
        assert rows(c, "db", "m") == [{"time": T0, "h": "a", "v": 10.0, "w": 1},
                                       {"time": T0, "h": "b", "v": 2.0, "w": None}]
        assert rows(c, "db", "n") == [{"time": T0, "s": "x"}]
        assert c.schema("db", "m").fields == {"v": FieldType.FLOAT, "w": FieldType.INTEGER}


@pytest.mark.parametrize("damage", ["torn", "garbage", "flipped"])
def test_wal_torn_or_corrupt_tail_is_ignored(tmp_path, damage):
    s = tsdb_core.open(tmp_path / "s", config=StoreConfig.for_tests())
    s.write("db", f"m v=1 {T0}".encode())
    s.write("db", f"m v=2 {T0 + 1}".encode())
    _crash_copy(s, tmp_path / "s", tmp_path / "c")
    s.close()
    [seg] = [p for p in (tmp_path / "c" / "wal").glob("*.wal") if p.stat().st_size > 8]
    data = bytearray(seg.read_bytes())
    if damage == "torn":
        data = data[:-5]
    elif damage == "garbage":
        data += b"\x10\x00\x00\x00garbage-garbage-garbage"
    else:
        data[-3] ^= 0xFF
    seg.write_bytes(bytes(data))
    with tsdb_core.open(tmp_path / "c", config=StoreConfig.for_tests()) as c:
        expect = [{"time": T0, "v": 1.0}] + ([{"time": T0 + 1, "v": 2.0}] if damage == "garbage" else [])
        assert rows(c, "db", "m") == expect
        c.write("db", f"m v=3 {T0 + 2}".encode())  # new writes go on after the damage
    with tsdb_core.open(tmp_path / "c", config=StoreConfig.for_tests()) as c:
        assert rows(c, "db", "m")[-1] == {"time": T0 + 2, "v": 3.0}


def test_orphan_files_from_interrupted_flush_are_removed(tmp_path):
    with tsdb_core.open(tmp_path / "s") as s:
        s.write("db", f"m v=1 {T0}".encode())
    orphan = tmp_path / "s" / "db" / "autogen" / "m" / "0" / "000000099999.parquet"
    orphan.parent.mkdir(parents=True)
    orphan.write_bytes(b"PAR1 half written")
    (tmp_path / "s" / "catalog.json.tmp").write_bytes(b"{half")
    with tsdb_core.open(tmp_path / "s") as s:
        assert rows(s, "db", "m") == [{"time": T0, "v": 1.0}]
    assert not orphan.exists() and not (tmp_path / "s" / "catalog.json.tmp").exists()


def test_flush_by_size_truncates_wal(tmp_path):
    with tsdb_core.open(tmp_path / "s", config=StoreConfig.for_tests(buffer_max_rows=100)) as s:
        for i in range(5):
            s.write("db", "\n".join(f"m,h=h{j} v={j} {T0 + i * 1000 + j}" for j in range(60)).encode())
        assert sum(f.rows for f in s.files()) >= 200  # flushed (and compacted) without asking
        wal_bytes = sum(p.stat().st_size for p in (tmp_path / "s" / "wal").glob("*.wal"))
        assert wal_bytes < 30_000
        assert s.scan("db", None, "m", MIN_TIME, MAX_TIME).collect().height == 300


def test_concurrent_writers_and_readers(tmp_path):
    import threading

    with tsdb_core.open(tmp_path / "s", config=StoreConfig.for_tests(buffer_max_rows=500)) as s:
        s.create_database("db")
        errors = []

        def writer(k):
            try:
                for i in range(20):
                    assert s.write("db", "\n".join(f"m,w=w{k} v={i} {T0 + i * 100 + j}" for j in range(50)).encode()).ok
            except Exception as e:  # pragma: no cover - reported below
                errors.append(e)

        def reader():
            try:
                for _ in range(20):
                    s.scan("db", None, "m", MIN_TIME, MAX_TIME).collect()
            except Exception as e:  # pragma: no cover
                errors.append(e)
        threads = [threading.Thread(target=writer, args=(k,)) for k in range(4)] + [threading.Thread(target=reader)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        assert errors == []
        assert s.scan("db", None, "m", MIN_TIME, MAX_TIME).collect().height == 4 * 20 * 50


def test_store_is_a_data_provider(store):
    from tsdb_core.query.provider import DataProvider

    assert isinstance(store, DataProvider)
    assert store.now() == T0 + D


def test_background_flushes_by_age_and_stops_on_close(tmp_path):
    import time

    s = tsdb_core.open(tmp_path / "s", config=StoreConfig.for_tests(buffer_max_age_s=0.0))
    s.start_background(interval_s=0.02)
    s.write("db", f"m v=1 {T0}".encode())
    deadline = time.monotonic() + 10
    while not s.files() and time.monotonic() < deadline:
        time.sleep(0.02)
    assert [f.rows for f in s.files()] == [1]
    s.close()
    assert not s._engine.maintenance.background_running


def test_query_goes_through_the_engine(store):
    store.write("db", f"m,h=a v=1 {T0}\nm,h=a v=3 {T0 + S}".encode())
    res = store.query("SELECT mean(v) FROM m", db="db")
    assert res.to_json()["results"][0]["series"] == [
        {"name": "m", "columns": ["time", "mean"], "values": [["1970-01-01T00:00:00Z", 2.0]]}]
