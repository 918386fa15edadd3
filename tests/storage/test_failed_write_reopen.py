"""After writes InfluxDB 1.x refused, a reopened store answers as influxd 1.6.7 does after a
restart (tests/cases/query/v1restart.json, recorded by v1restart_record.py): the shard group a
failed write opened is kept (a later conflict in it is a partial write), the series and fields
the refused points created are forgotten; before the reopen they are listed."""
from __future__ import annotations

import json
import sys

import pytest

import tsdb_core
from tsdb_core.query.engine import execute
from tests.query.conftest import NOW
from tests.query.test_noaa_cases import CASE_DIR, approx_equal
from tests.query.test_v1write_cases import v1_answer

sys.path.insert(0, str(CASE_DIR))
from v1restart_cases import V1RESTART_DB  # noqa: E402

RECORDED = json.loads((CASE_DIR / "v1restart.json").read_text())


def answers_as_recorded(store, cases) -> None:
    for case in cases:
        got = json.loads(json.dumps(execute(store, case["query"], db=V1RESTART_DB, now=NOW).to_json()))
        assert approx_equal(got, case["expected"]), (
            f"{case['query']}\n got: {json.dumps(got)}\nwant: {json.dumps(case['expected'])}")


@pytest.mark.parametrize("flush", [False, True], ids=["wal", "flushed"])
def test_a_reopened_store_answers_as_influxd_after_a_restart(tmp_path, flush):
    root = tmp_path / "s"
    with tsdb_core.open(root) as s:
        s.create_database(V1RESTART_DB)
        assert [v1_answer(s.write(V1RESTART_DB, w["body"])) for w in RECORDED["writes"]] == [
            (w["status"], w["error"]) for w in RECORDED["writes"]]
        answers_as_recorded(s, RECORDED["before"])
        if flush:
            s.flush()
            answers_as_recorded(s, RECORDED["before"])
    with tsdb_core.open(root) as s:
        answers_as_recorded(s, RECORDED["after"])
        assert [v1_answer(s.write(V1RESTART_DB, w["body"])) for w in RECORDED["later_writes"]] == [
            (w["status"], w["error"]) for w in RECORDED["later_writes"]]
        answers_as_recorded(s, RECORDED["later"])
        s.flush()
    with tsdb_core.open(root) as s:  # the stored points are all kept
        answers_as_recorded(s, [c for c in RECORDED["later"] if c["query"].startswith("SELECT")])


def test_the_opened_group_survives_more_reopens_and_a_drop_forgets_it(tmp_path):
    root = tmp_path / "s"
    body = RECORDED["writes"][0]["body"]
    with tsdb_core.open(root) as s:
        assert s.write("db", body).failure == "field type conflict"
    for _ in range(2):
        with tsdb_core.open(root) as s:
            pass
    with tsdb_core.open(root) as s:  # the group exists: a partial write now
        r = s.write("db", body)
        assert (r.failure, r.points_written) == (None, 2)
        s.query("DROP DATABASE db")
        s.create_database("db")
    with tsdb_core.open(root) as s:  # dropped with its database: the group is new again
        assert s.write("db", body).failure == "field type conflict"


def test_a_refused_series_that_later_stores_a_point_is_kept(tmp_path):
    root = tmp_path / "s"
    show = "SHOW SERIES"
    with tsdb_core.open(root) as s:
        s.write("db", "pa,h=a f=1 1000000000\npa f=1 1000000000")
        assert s.write("db", 'pa,h=b f="x" 2000000000\npa,h=c f="x" 2000000000\npa,h=d f="x" 2000000000').errors
        assert s.write("db", "pa,h=c f=2 3000000000").ok  # a refused series gets a point
        s.flush()
        assert series(s, show) == ["pa", "pa,h=a", "pa,h=b", "pa,h=c", "pa,h=d"]
    with tsdb_core.open(root) as s:
        assert series(s, show) == ["pa", "pa,h=a", "pa,h=c"]


def series(s, q) -> list[str]:
    got = s.query(q, db="db").to_json()["results"][0]["series"][0]["values"]
    return [row[0] for row in got]
