"""The pipeline around the planner: request errors, statement errors, limits, EXPLAIN."""
from __future__ import annotations

import pytest

import tsdb_core
from tsdb_core.base.config import StoreConfig
from tsdb_core.query.engine import execute
from tsdb_core.base.time import fixed_clock

NOW = 1_700_000_000_000_000_000
T0 = 1_600_000_000_000_000_000
M = 60_000_000_000


@pytest.fixture(scope="module")
def store():
    s = tsdb_core.open(None, clock=fixed_clock(NOW))
    lines = [f"cpu,host=h{i % 4} v={i}i,f={i / 2} {T0 + i * M}" for i in range(120)]
    assert s.write("db", "\n".join(lines)).ok
    yield s
    s.close()


def q(store, text, **kw):
    return execute(store, text, db="db", now=NOW, **kw).to_json()


def test_parse_error_is_request_level(store):
    res = q(store, "SELECT FROM cpu")
    assert set(res) == {"error"}
    assert res["error"].startswith("error parsing query: ")


def test_statements_after_an_error_are_not_executed(store):
    res = q(store, "SELECT v FROM cpu LIMIT 1; SELECT nosuch(v) FROM cpu; SELECT v FROM cpu LIMIT 1")
    assert [r.get("error") for r in res["results"]] == [
        None, "undefined function nosuch()", "not executed"]
    assert res["results"][0]["series"][0]["values"] == [["2020-09-13T12:26:40Z", 0]]


def test_database_required(store):
    res = execute(store, "SELECT v FROM cpu", now=NOW).to_json()
    assert res == {"results": [{"statement_id": 0, "error": "database name required"}]}


def test_internal_errors_are_contained(store, monkeypatch):
    from tsdb_core.query import engine

    def boom(*a, **k):
        raise ZeroDivisionError("boom")
    monkeypatch.setattr(engine, "plan_select", boom)
    res = q(store, "SELECT v FROM cpu")
    assert res == {"results": [{"statement_id": 0, "error": "internal error: ZeroDivisionError: boom"}]}


@pytest.mark.parametrize("limit,query,error", [
    ({"max_select_buckets": 10},
     f"SELECT mean(v) FROM cpu WHERE time >= {T0} AND time < {T0 + 60 * M} GROUP BY time(1m)",
     "max-select-buckets limit exceeded: (61/10)"),  # T0 is not minute-aligned
    ({"max_select_series": 3}, "SELECT v FROM cpu GROUP BY host",
     "max-select-series limit exceeded: (4/3)"),
    ({"max_select_point": 50}, "SELECT v FROM cpu", "max-select-point limit exceeed: (120/50)"),
], ids=lambda x: str(x))
def test_limits(limit, query, error):
    s = tsdb_core.open(None, clock=fixed_clock(NOW), config=StoreConfig.for_tests(**limit))
    s.write("db", "\n".join(f"cpu,host=h{i % 4} v={i}i {T0 + i * M}" for i in range(120)))
    res = execute(s, query, db="db", now=NOW).to_json()
    assert res == {"results": [{"statement_id": 0, "error": error}]}
    s.close()


def test_limits_not_hit(store):
    assert "series" in q(store, "SELECT v FROM cpu GROUP BY host")["results"][0]


def test_group_by_time_without_upper_bound_ends_at_now(store):
    res = q(store, f"SELECT count(v) FROM cpu WHERE time >= {NOW - 3 * M} GROUP BY time(1m)")
    values = res["results"][0]["series"][0]["values"] if "series" in res["results"][0] else []
    assert values == []  # no data near now: no series at all


def test_bound_parameters(store):
    res = q(store, "SELECT count(v) FROM cpu WHERE host = $h", params={"h": "h1"})
    assert res["results"][0]["series"][0]["values"] == [["1970-01-01T00:00:00Z", 30]]


def test_epoch(store):
    res = q(store, "SELECT v FROM cpu LIMIT 1", epoch="s")
    assert res["results"][0]["series"][0]["values"] == [[T0 // 10**9, 0]]


def test_explain_prints_the_plan(store):
    res = q(store, f"EXPLAIN SELECT mean(v) FROM cpu WHERE host = 'h1' AND time >= {T0} "
                   f"AND time < {T0 + 60 * M} GROUP BY time(10m) fill(0)")
    lines = [r[0] for r in res["results"][0]["series"][0]["values"]]
    assert lines == [
        "Project [time, mean(v::integer) AS mean]",
        "  Order time ASC limit=0 offset=0 slimit=0 soffset=0",
        "    Fill value(0)",
        "      Aggregate [mean(v::integer)] window=time(10m, 0s) by=[]",
        "        Filter host::tag = 'h1'",
        f"          Scan db.autogen.cpu time=[{T0}, {T0 + 60 * M - 1}] columns=[host, v] "
        "tags=[host IN ('h1')]",
    ]


def test_select_into_writes_and_counts(store):
    res = q(store, "SELECT v INTO cpu_copy FROM cpu WHERE host = 'h2'")
    assert res["results"][0]["series"][0] == {
        "name": "result", "columns": ["time", "written"], "values": [["1970-01-01T00:00:00Z", 30]]}
    assert q(store, "SELECT count(v) FROM cpu_copy")["results"][0]["series"][0]["values"][0][1] == 30


def test_to_polars(store):
    res = execute(store, "SELECT max(v) FROM cpu GROUP BY host", db="db", now=NOW)
    (df,) = res.to_polars()
    assert df.columns == ["host", "time", "max"]
    assert df["max"].to_list() == [116, 117, 118, 119]


@pytest.mark.parametrize("limit,partial", [(10000, None), (10001, True)])
def test_partial_flag_over_10000_rows(limit, partial):
    # checked against influxd 1.6.7: LIMIT 10000 → no flag, LIMIT 10001 → "partial": true
    s = tsdb_core.open(None, clock=fixed_clock(NOW))
    s.write("db", "\n".join(f"big v={i}i {T0 + i * 10**9}" for i in range(10001)))
    (series,) = execute(s, f"SELECT v FROM big LIMIT {limit}", db="db", now=NOW).to_json()["results"][0]["series"]
    assert series.get("partial") is partial
    assert len(series["values"]) == limit
    s.close()


@pytest.mark.parametrize("params", [None, {"x": "h1"}])
def test_missing_parameter_is_a_parse_error(store, params):
    # influxd 1.6.7: {"error":"error parsing query: missing parameter: h"}
    assert q(store, "SELECT v FROM cpu WHERE host = $h", params=params) == {
        "error": "error parsing query: missing parameter: h"}


def test_store_query_goes_through_the_engine(store):
    res = store.query("SELECT count(v) FROM cpu GROUP BY host SLIMIT 1", db="db", epoch="ms")
    assert res.to_json() == {"results": [{"statement_id": 0, "series": [
        {"name": "cpu", "tags": {"host": "h0"}, "columns": ["time", "count"], "values": [[0, 30]]}]}]}
