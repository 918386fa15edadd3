"""Issue 16 item 2: one accepted point must never wedge the store.

(a) A NUL in a tag or field key was accepted (204) and then failed every flush inside
Polars (a Rust panic, not an Exception): the background thread died, every later write
answered 500, DROP DATABASE failed, and a restart replayed it again. Such keys are refused
at validation with InfluxDB's words, every other name is storable (property test over
arbitrary unicode in every name position), and an old WAL record holding one is set aside.
(b) Timestamps at both ends of InfluxDB's range put the window start below int64 and the
catalog could not be saved. (c) Any flush failure is retried with backoff and a batch that
keeps failing is set aside with its bytes (never deleted), reported by ``Store.health()`` and
``/health``, while the store keeps serving.
"""
from __future__ import annotations

import logging
import threading
import time

import orjson
import polars as pl
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import tsdb_core
from tsdb_core.base.errors import FieldTypeConflict, StorageError, UserError
from tsdb_core.storage.wal import Wal
from tsdb_core.storage.wal_record import WalEntry, decode_write, encode_write
from tsdb_core.base.types import FieldType, MeasurementBatch
from tsdb_core.base.time import MAX_TIME, MIN_TIME

H = 3600 * 10**9
D = 24 * H
CFG = tsdb_core.StoreConfig.for_tests()


def _rows(s, db, q="SELECT * FROM m"):
    st_ = s.query(q, db=db, epoch="ns").statements[0]
    assert st_.error is None, st_.error
    return [tuple(r) for ser in st_.series for r in ser.values]


def _wait(cond, timeout=10.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if cond():
            return True
        time.sleep(0.02)
    return cond()


# -- (a) names -------------------------------------------------------------------------------
@pytest.mark.parametrize("body, reason", [
    (b"m,a\x00b=1 v=1 5", 'invalid tag key: input tag "a\\x00b" on measurement "m" is invalid'),
    (b"m f\x00=1 5", 'invalid field key: input field "f\\x00" on measurement "m" is invalid'),
    (b'm,h=x\\ y,a\x00=1 v=1,s="q" 5', 'invalid tag key: input tag "a\\x00" on measurement "m" is invalid'),
])
def test_a_nul_in_a_key_is_refused_and_the_store_keeps_working(tmp_path, body, reason):
    s = tsdb_core.open(tmp_path / "s", config=CFG)
    try:
        res = s.write("d", b"m,h=a v=1 1\n" + body + b"\nm,h=b v=2 2")
        assert res.points_written == 2
        assert [(e.line, e.reason) for e in res.errors] == [(2, reason)]
        s.flush()  # was: PanicException (NulError) from every flush
        assert s.write("other", b"x v=1 1").points_written == 1
        s.flush()
        s.drop_database("other")
        s.create_database("more")
    finally:
        s.close()
    s = tsdb_core.open(tmp_path / "s", config=CFG)
    try:
        assert s.recovery_report.clean
        assert _rows(s, "d", "SELECT v FROM m") == [(1, 1.0), (2, 2.0)]
        assert s.databases() == ["d", "more"]
    finally:
        s.close()


def test_other_write_paths_refuse_a_nul_key_too(tmp_path):
    s = tsdb_core.open(tmp_path / "s", config=CFG)
    try:
        df = pl.DataFrame({"time": [1, 2], "a\x00b": ["x", None], "v": [1.0, 2.0]})
        res = s.write_dataframe("d", df, "m", tags=["a\x00b"])
        assert res.points_written == 1
        assert [e.reason for e in res.errors] == ['invalid tag key: input tag "a\\x00b" on measurement "m" is invalid']
        frame = pl.DataFrame({"time": [3], "f\x00": [1.0]})
        with pytest.raises(FieldTypeConflict) as exc:  # SELECT ... INTO's path
            s.write_frame("d", None, "m", frame, (), {"f\x00": FieldType.FLOAT})
        assert str(exc.value) == ('partial write: invalid field key: input field "f\\x00" on measurement "m" is '
                                  'invalid dropped=1')
        s.flush()
        assert _rows(s, "d", "SELECT v FROM m") == [(2, 2.0)]
    finally:
        s.close()


_names = (st.text(st.characters(exclude_categories=("Cs",)), min_size=1, max_size=6)
          | st.sampled_from(["__sid", "__w", "__tagless", "__row", "%", "~", ".", "..", "a/b", "\x00"]))


@settings(max_examples=80, deadline=None, suppress_health_check=list(HealthCheck), derandomize=True)
@given(pos=st.sampled_from(["measurement", "tag key", "tag value", "field key", "string value", "database",
                            "retention policy"]),
       name=_names)
def test_whatever_a_write_accepts_can_be_flushed_and_read_back(tmp_path_factory, pos, name):
    """Every name position, arbitrary unicode: accepted rows flush, survive a reopen, read back."""
    root = tmp_path_factory.mktemp("names")
    names = {"measurement": "m", "tag key": "t", "tag value": "x", "field key": "v", "string value": "s",
             "database": "d", "retention policy": None, pos: name}
    m, tk, tv, fk, sv, db, rp = (names[k] for k in ("measurement", "tag key", "tag value", "field key",
                                                    "string value", "database", "retention policy"))
    if len({tk, fk, "s", "time"}) < 4:
        return  # one key used twice: not a well-formed batch
    frame = pl.DataFrame({"time": [MIN_TIME, MAX_TIME], tk: [tv, tv], fk: [1.0, 2.0], "s": [sv, sv]})
    s = tsdb_core.open(root, config=CFG)
    try:
        try:
            if rp is not None:
                s.create_database(db)
                s.create_retention_policy(db, rp, duration=0)
            res = s.write_batches(db, [MeasurementBatch(m, frame, (tk,), {fk: FieldType.FLOAT, "s": FieldType.STRING})],
                                  rp=rp)
        except UserError:
            return  # refused whole (e.g. a database name): nothing to store
        accepted = res.points_written
        s.flush()
        s.close()
        s = tsdb_core.open(root, config=CFG)
        if accepted:
            got = s.scan(db, rp, m, MIN_TIME, MAX_TIME).collect().sort("time")
            assert got.height == 2
            assert got.select(["time", tk, fk, "s"]).rows() == [(MIN_TIME, tv, 1.0, sv), (MAX_TIME, tv, 2.0, sv)]
            assert s.series(db, rp, m).rows() == [(tv,)]
        assert s.recovery_report.clean
    finally:
        s.close()


def test_an_old_wal_record_with_a_nul_key_is_set_aside_not_replayed_forever(tmp_path):
    root = tmp_path / "s"
    tsdb_core.open(root, config=CFG).close()
    frame = pl.DataFrame({"time": [1, 2], "h": ["a", "b"], "a\x00b": ["1", None], "v": [1.0, 2.0]})
    wal = Wal(root / "wal")
    list(wal.replay())
    wal.sync(wal.append(encode_write("d", "autogen", [WalEntry("m", ("a\x00b", "h"), {"v": "float"}, frame)])))
    wal.close()
    s = tsdb_core.open(root, config=CFG)  # as an older version left it
    try:
        h = s.health()
        assert h["status"] == "degraded"
        [item] = h["isolated_batches"]
        assert item["rows"] == 1 and item["measurement"] == "m"
        aside = decode_write((root / item["path"]).read_bytes())[2][0].frame
        assert aside.rows() == [(1, "a", "1", 1.0)]
        assert not s.recovery_report.clean
        s.flush()  # was: PanicException
        assert _rows(s, "d", "SELECT v, h FROM m") == [(2, 2.0, "b")]
        s.drop_database("d")
    finally:
        s.close()
    s = tsdb_core.open(root, config=CFG)  # the WAL is truncated: not set aside twice
    try:
        assert [i["path"] for i in s.health()["isolated_batches"]] == [item["path"]]
    finally:
        s.close()


# -- (b) timestamps ----------------------------------------------------------------------------
@pytest.mark.parametrize("shard", [H, 2 * H, D, 7 * D, 30 * D, 364 * D, 100 * 365 * D])
def test_timestamps_at_both_ends_of_the_range_are_storable(tmp_path, shard):
    root = tmp_path / "s"
    s = tsdb_core.open(root, config=CFG)
    times = [MIN_TIME, MIN_TIME + 1, -1, 0, MAX_TIME - 1, MAX_TIME]
    try:
        s.create_database("d", duration=0, shard_duration=shard)
        body = "\n".join(f"m v={i} {t}" for i, t in enumerate(times)).encode()
        assert s.write("d", body).points_written == 6
        s.flush()  # was: orjson "Integer exceeds 64-bit range" saving the catalog
        s.write("d", f"m v=10 {MIN_TIME}\nm v=15 {MAX_TIME}".encode())
        s.flush()
        s.compact()
        s.create_database("e")
        res = s.write("d", f"m v=1 {MIN_TIME - 1}\nm v=1 {MAX_TIME + 1}".encode())
        assert [e.reason for e in res.errors] == [
            f"unable to parse 'm v=1 {MIN_TIME - 1}': time outside range {MIN_TIME} - {MAX_TIME}",
            f"unable to parse 'm v=1 {MAX_TIME + 1}': time outside range {MIN_TIME} - {MAX_TIME}"]
        for f in s.files():
            assert -(1 << 63) <= f.window_start < f.window_end <= (1 << 63) - 1
    finally:
        s.close()
    s = tsdb_core.open(root, config=CFG)
    try:
        assert s.recovery_report.clean
        assert _rows(s, "d") == [(MIN_TIME, 10.0), (MIN_TIME + 1, 1.0), (-1, 2.0), (0, 3.0), (MAX_TIME - 1, 4.0),
                                 (MAX_TIME, 15.0)]
        s.alter_retention_policy("d", "autogen", duration=max(H, shard))  # retention at the ends
        s.enforce_retention()
        left = [r[0] for r in _rows(s, "d")]
        assert MIN_TIME not in left and MIN_TIME + 1 not in left and left[-2:] == [MAX_TIME - 1, MAX_TIME]
    finally:
        s.close()


def test_a_dataframe_time_outside_the_range_is_refused(tmp_path):
    s = tsdb_core.open(tmp_path / "s", config=CFG)
    try:
        batch = MeasurementBatch("m", pl.DataFrame({"time": [-(1 << 63), 5, (1 << 63) - 1], "v": [1.0, 2.0, 3.0]}),
                                 (), {"v": FieldType.FLOAT})
        res = s.write_batches("d", [batch])
        assert res.points_written == 1
        assert [e.reason for e in res.errors] == [f"time outside range {MIN_TIME} - {MAX_TIME}"] * 2
        s.flush()
    finally:
        s.close()


# -- (c) a failing flush ----------------------------------------------------------------------
def _failing(store, measurement: str, times: int | None, exc=RuntimeError):
    """Make writing ``measurement``'s files fail ``times`` times (None: always); count attempts."""
    real = store._engine.state.files.write_parts
    calls = {"n": 0}

    def write_parts(fid, rel, parts, *a, **k):
        if f"/{measurement}/" in rel:
            calls["n"] += 1
            if times is None or calls["n"] <= times:
                raise exc(f"injected failure writing {measurement}")
        return real(fid, rel, parts, *a, **k)

    store._engine.state.files.write_parts = write_parts
    return calls


def test_a_batch_that_keeps_failing_is_set_aside_and_the_store_keeps_serving(tmp_path, caplog):
    root = tmp_path / "s"
    cfg = tsdb_core.StoreConfig.for_tests(buffer_max_age_s=0.0, flush_retry_base_s=0.05, flush_retry_max_s=0.2)
    s = tsdb_core.open(root, config=cfg)
    try:
        calls = _failing(s, "bad", None, exc=pl.exceptions.PanicException)  # a Rust panic: not an Exception
        with caplog.at_level(logging.WARNING, logger="tsdb_core.store"):
            assert s.write("d", b"bad,h=a v=1 1\nbad,h=b v=2 2\ngood v=1 1").points_written == 3
            s.start_background(0.02)
            assert _wait(lambda: s.health()["isolated_batches"])
            assert s._engine.maintenance.background_running
            assert calls["n"] == cfg.flush_isolate_after
            assert s.write("d", b"good v=2 2").points_written == 1  # was: every later write a 500
            assert s.write("x", b"other v=1 1").points_written == 1
            assert _wait(lambda: not s._engine.state.buffer)
        h = s.health()
        [item] = h["isolated_batches"]
        assert h["status"] == "degraded" and h["flush_failures"] == 0
        assert (item["database"], item["measurement"], item["rows"]) == ("d", "bad", 2)
        assert "PanicException: injected failure writing bad" in item["error"]
        aside = decode_write((root / item["path"]).read_bytes())
        assert aside[:2] == ("d", "autogen")
        assert sorted(aside[2][0].frame.rows()) == [(1, "a", 1.0), (2, "b", 2.0)]  # kept, not deleted
        assert [r for r in caplog.records if r.levelno == logging.ERROR and item["path"] in r.getMessage()]
        assert _rows(s, "d", "SELECT v FROM good") == [(1, 1.0), (2, 2.0)]
        assert _rows(s, "d", "SELECT v FROM bad") == []
        s.drop_database("x")
    finally:
        s.close()
    s = tsdb_core.open(root, config=cfg)  # the WAL no longer holds the bad rows; the file is listed
    try:
        assert s.recovery_report.replayed_rows == 0
        assert [i["path"] for i in s.health()["isolated_batches"]] == [item["path"]]
        assert _rows(s, "d", "SELECT v FROM good") == [(1, 1.0), (2, 2.0)]
    finally:
        s.close()


def test_a_flush_that_fails_twice_is_retried_with_backoff_and_loses_nothing(tmp_path):
    cfg = tsdb_core.StoreConfig.for_tests(buffer_max_age_s=0.0, flush_retry_base_s=30.0, flush_retry_max_s=60.0)
    s = tsdb_core.open(tmp_path / "s", config=cfg)
    try:
        calls = _failing(s, "m", 2)
        assert s.write("d", b"m v=1 1").points_written == 1  # the flush after it fails: the write is fine
        h = s.health()
        assert (h["status"], h["flush_failures"]) == ("degraded", 1)
        assert h["last_flush_error"] == ("StorageError: internal error: flush failed for d.autogen.m, rows kept in "
                                         "the buffer and the WAL: RuntimeError: injected failure writing m")
        for i in range(5):  # within the backoff: no new attempt
            assert s.write("d", f"m v=1 {i + 2}".encode()).points_written == 1
        assert calls["n"] == 1
        with pytest.raises(StorageError, match="flush failed for d.autogen.m"):  # an explicit flush says so
            s.flush()
        assert calls["n"] == 2 and s.health()["flush_failures"] == 2
        s.flush()
        assert s.health() == {"status": "ok", "flush_failures": 0, "last_flush_error": h["last_flush_error"],
                              "last_flush_failure": s.health()["last_flush_failure"], "isolated_batches": [],
                              "recovery": []}
        assert len(_rows(s, "d")) == 6 and not s._engine.state.buffer and len(s.files()) == 1
    finally:
        s.close()


def test_drop_database_and_close_are_not_blocked_by_a_failing_batch(tmp_path):
    s = tsdb_core.open(tmp_path / "s", config=CFG)
    _failing(s, "bad", None)
    s.write("d", b"bad v=1 1")
    s.write("e", b"good v=1 1")
    s.drop_database("e")  # sets the failing batch aside at once instead of failing
    assert s.health()["isolated_batches"][0]["measurement"] == "bad"
    s.write("d", b"bad v=2 2")
    s.close()  # likewise
    s = tsdb_core.open(tmp_path / "s", config=CFG)
    try:
        assert s.databases() == ["d"] and len(s.health()["isolated_batches"]) == 2
    finally:
        s.close()


def test_http_health_reports_a_batch_set_aside(tmp_path):
    from starlette.testclient import TestClient

    from tsdb_http.app import ShimConfig, create_app

    s = tsdb_core.open(tmp_path / "s", config=CFG)
    app = create_app(s, None, ShimConfig(max_body_bytes=1_000_000))
    try:
        with TestClient(app) as c:
            ok = orjson.loads(c.get("/health").content)
            assert (ok["status"], ok["checks"][0]["status"]) == ("pass", "pass")
            _failing(s, "bad", None)
            s.write("d", b"bad v=1 1")
            s.drop_database("d")
            ans = c.get("/health")
            assert ans.status_code == 200
            doc = orjson.loads(ans.content)
            assert doc["status"] == "warn" and doc["message"] == "storage degraded: see checks"
            [check] = doc["checks"]
            assert check["name"] == "storage" and check["status"] == "warn"
            assert [(i["measurement"], i["rows"]) for i in check["isolated_batches"]] == [("bad", 1)]
    finally:
        s.close()


def test_concurrent_writers_are_not_failed_by_a_failing_flush(tmp_path):
    cfg = tsdb_core.StoreConfig.for_tests(buffer_max_rows=50, flush_retry_base_s=0.01, flush_retry_max_s=0.05)
    s = tsdb_core.open(tmp_path / "s", config=cfg)
    errors = []
    try:
        _failing(s, "bad", None)
        s.write("d", b"bad v=1 1")

        def writer(n):
            try:
                for i in range(40):
                    s.write("d", "\n".join(f"good,w={n} v={i} {i * 100 + j}" for j in range(10)).encode())
            except Exception as e:  # noqa: BLE001
                errors.append(e)

        threads = [threading.Thread(target=writer, args=(n,)) for n in range(3)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        assert errors == []
        assert _rows(s, "d", "SELECT count(v) FROM good") == [(0, 1200)]
        assert s.health()["isolated_batches"][0]["measurement"] == "bad"
    finally:
        s.close()


# Tags named like the query engine's working columns (the measurement, row index, aggregates',
# windows' and transforms' columns): influxd 1.6.7's answers, recorded on 127.0.0.1 for these
# points (were wrong values, or an internal DuplicateError/SchemaError).
MEASUREMENT_AND_ROW = "m,host=a v=1 1\nm,_name=x v=3 3\nm,__row=r v=5 5\n"
AGGREGATES_AND_WINDOWS = "m,_c0=a,_b=b,_a0=q,_t0=t v=1 1\nm,host=z v=3 3\n"
WORKING_NAME_CASES = [
    (MEASUREMENT_AND_ROW, 'SELECT * FROM m',
     [{'columns': ['time', '__row', '_name', 'host', 'v'],
       'name': 'm',
       'values': [[1, None, None, 'a', 1.0], [3, None, 'x', None, 3.0], [5, 'r', None, None, 5.0]]}]),
    (MEASUREMENT_AND_ROW, 'SELECT v FROM m GROUP BY *',
     [{'columns': ['time', 'v'],
       'name': 'm',
       'tags': {'__row': '', '_name': '', 'host': 'a'},
       'values': [[1, 1.0]]},
      {'columns': ['time', 'v'],
       'name': 'm',
       'tags': {'__row': '', '_name': 'x', 'host': ''},
       'values': [[3, 3.0]]},
      {'columns': ['time', 'v'],
       'name': 'm',
       'tags': {'__row': 'r', '_name': '', 'host': ''},
       'values': [[5, 5.0]]}]),
    (MEASUREMENT_AND_ROW, 'SELECT mean(v) FROM m GROUP BY "_name"',
     [{'columns': ['time', 'mean'], 'name': 'm', 'tags': {'_name': ''}, 'values': [[0, 3.0]]},
      {'columns': ['time', 'mean'], 'name': 'm', 'tags': {'_name': 'x'}, 'values': [[0, 3.0]]}]),
    (MEASUREMENT_AND_ROW, 'SELECT mean(v) FROM m GROUP BY "__row"',
     [{'columns': ['time', 'mean'], 'name': 'm', 'tags': {'__row': ''}, 'values': [[0, 2.0]]},
      {'columns': ['time', 'mean'], 'name': 'm', 'tags': {'__row': 'r'}, 'values': [[0, 5.0]]}]),
    (MEASUREMENT_AND_ROW, 'SELECT count(v) FROM m GROUP BY *',
     [{'columns': ['time', 'count'],
       'name': 'm',
       'tags': {'__row': '', '_name': '', 'host': 'a'},
       'values': [[0, 1]]},
      {'columns': ['time', 'count'],
       'name': 'm',
       'tags': {'__row': '', '_name': 'x', 'host': ''},
       'values': [[0, 1]]},
      {'columns': ['time', 'count'],
       'name': 'm',
       'tags': {'__row': 'r', '_name': '', 'host': ''},
       'values': [[0, 1]]}]),
    (AGGREGATES_AND_WINDOWS, 'SELECT * FROM m',
     [{'columns': ['time', '_a0', '_b', '_c0', '_t0', 'host', 'v'],
       'name': 'm',
       'values': [[1, 'q', 'b', 'a', 't', None, 1], [3, None, None, None, None, 'z', 3]]}]),
    (AGGREGATES_AND_WINDOWS, 'SELECT v FROM m GROUP BY *',
     [{'columns': ['time', 'v'],
       'name': 'm',
       'tags': {'_a0': '', '_b': '', '_c0': '', '_t0': '', 'host': 'z'},
       'values': [[3, 3]]},
      {'columns': ['time', 'v'],
       'name': 'm',
       'tags': {'_a0': 'q', '_b': 'b', '_c0': 'a', '_t0': 't', 'host': ''},
       'values': [[1, 1]]}]),
    (AGGREGATES_AND_WINDOWS, 'SELECT mean(v) FROM m GROUP BY *',
     [{'columns': ['time', 'mean'],
       'name': 'm',
       'tags': {'_a0': '', '_b': '', '_c0': '', '_t0': '', 'host': 'z'},
       'values': [[0, 3]]},
      {'columns': ['time', 'mean'],
       'name': 'm',
       'tags': {'_a0': 'q', '_b': 'b', '_c0': 'a', '_t0': 't', 'host': ''},
       'values': [[0, 1]]}]),
    (AGGREGATES_AND_WINDOWS, 'SELECT max(v), * FROM m',
     [{'columns': ['time', 'max', '_a0', '_b', '_c0', '_t0', 'host', 'v'],
       'name': 'm',
       'values': [[3, 3, None, None, None, None, 'z', 3]]}]),
    (AGGREGATES_AND_WINDOWS, 'SELECT count(v) FROM m GROUP BY "_b"',
     [{'columns': ['time', 'count'], 'name': 'm', 'tags': {'_b': ''}, 'values': [[0, 1]]},
      {'columns': ['time', 'count'], 'name': 'm', 'tags': {'_b': 'b'}, 'values': [[0, 1]]}]),
    (AGGREGATES_AND_WINDOWS, 'SELECT top(v, 2), * FROM m',
     [{'columns': ['time', 'top', '_a0', '_b', '_c0', '_t0', 'host', 'v'],
       'name': 'm',
       'values': [[1, 1, 'q', 'b', 'a', 't', None, 1], [3, 3, None, None, None, None, 'z', 3]]}]),
    (AGGREGATES_AND_WINDOWS, 'SELECT spread(v) FROM m GROUP BY "_c0", "_t0"',
     [{'columns': ['time', 'spread'], 'name': 'm', 'tags': {'_c0': '', '_t0': ''}, 'values': [[0, 0]]},
      {'columns': ['time', 'spread'], 'name': 'm', 'tags': {'_c0': 'a', '_t0': 't'}, 'values': [[0, 0]]}]),
]


@pytest.mark.parametrize("points,query,series", WORKING_NAME_CASES, ids=[q for _, q, _ in WORKING_NAME_CASES])
def test_tags_named_like_working_columns_answer_as_influxd(points, query, series):
    with tsdb_core.open() as s:
        s.write("db", points)
        got = s.query(query, db="db", epoch="ns").to_json()
    assert got == {"results": [{"statement_id": 0, "series": series}]}
