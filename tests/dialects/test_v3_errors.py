"""Each row of table_errors.py in both dialects, and in the portability check."""
from __future__ import annotations

import pytest

import tsdb_core
from tests.dialects.table_errors import PARAMS, ROWS

IDS = [r[0][:60] for r in ROWS]


def error_of(store, q: str) -> str | None:
    """The request's error (a 1.x parse error) or its one statement's."""
    doc = store.query(q, db="mydb").to_json()
    if "error" in doc:
        return doc["error"]
    (res,) = doc["results"]
    return res.get("error")


@pytest.mark.parametrize("q,v3_error,v1_error", ROWS, ids=IDS)
def test_influxdb3(v3, q, v3_error, v1_error):
    assert error_of(v3, q) == v3_error


@pytest.mark.parametrize("q,v3_error,v1_error", ROWS, ids=IDS)
def test_influxdb1_unchanged(v1, q, v3_error, v1_error):
    assert error_of(v1, q) == v1_error


@pytest.mark.parametrize("q,v3_error,v1_error", ROWS, ids=IDS)
def test_the_check_gives_v3s_words(q, v3_error, v1_error):
    (verdict,) = tsdb_core.Store.check(q)
    assert verdict.influxdb3 == v3_error


def test_the_position_counts_bytes_and_the_rest_runs_on(v3):
    # "é" is two bytes in UTF-8; v3 reports byte offsets (lib.rs: input.offset(pos))
    q = 'SELECT "é" FROM cpu WHERE host = \'a'
    assert error_of(v3, q).endswith("unterminated string literal at pos 36")
    doc = v3.query("SHOW MEASUREMENTS; SELECT usage FROM cpu WHERE", db="mydb").to_json()
    assert doc == {"results": [{"statement_id": 0, "error": (
        'error in InfluxQL statement: parsing error: invalid InfluxQL statement at pos 41. '
        'Parsing Error: Nom("WHERE", Tag)')}]}


@pytest.mark.parametrize("q,params,v3_errors,v1_error", PARAMS, ids=[f"{r[0][:40]} {r[1]}" for r in PARAMS])
def test_bound_parameters(v3, v1, q, params, v3_errors, v1_error):
    doc = v3.query(q, db="mydb", params=params).to_json()
    assert [r.get("error") for r in doc["results"]] == v3_errors
    # the statements v3 runs answer as they would with the value written in
    if v3_errors[0] is None and params.get("h") == "a":
        assert doc["results"][0]["series"][0]["values"] == [["2024-01-01T00:00:00.500Z", 1.5]]
    doc = v1.query(q, db="mydb", params=params).to_json()
    assert doc.get("error") == v1_error
    if v1_error is None:
        assert all("error" not in r for r in doc["results"])


@pytest.mark.parametrize("q,kinds", [
    # iox_query_influxql/src/plan/planner.rs explain_statement_to_plan: plan_type is the "measurement name";
    # iox_v1_query_api/src/response/stream.rs: the measurement column is elided, the others are the columns
    ("EXPLAIN SELECT usage FROM cpu", ["logical_plan", "physical_plan"]),
    ("EXPLAIN VERBOSE SELECT usage FROM cpu", ["logical_plan", "physical_plan"]),
    ("EXPLAIN ANALYZE SELECT usage FROM cpu", ["Plan with Metrics"]),
    ("EXPLAIN ANALYZE VERBOSE SELECT usage FROM cpu", ["Plan with Metrics"]),
])
def test_explain_has_v3s_shape_with_our_plan(v3, v1, q, kinds):
    (res,) = v3.query(q, db="mydb").to_json()["results"]
    assert [s["name"] for s in res["series"]] == kinds
    plan = "\n".join(row[0] for row in v1.query("EXPLAIN SELECT usage FROM cpu", db="mydb").to_json()
                     ["results"][0]["series"][0]["values"])
    assert "Scan mydb.autogen.cpu" in plan
    assert all(s["columns"] == ["plan"] and s["values"] == [[plan]] for s in res["series"])
    if "VERBOSE" in q:  # not InfluxQL 1.x
        assert v1.query(q, db="mydb").to_json()["error"].startswith("error parsing query: found VERBOSE")
    else:
        assert v1.query(q, db="mydb").to_json()["results"][0]["series"][0]["columns"] == ["QUERY PLAN"]
