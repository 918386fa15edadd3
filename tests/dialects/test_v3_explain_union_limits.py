"""EXPLAIN over ``FROM /re/`` in the influxdb3 dialect, held to the store's query limits (v3plans.DrawLimits).

v3 plans every table a regex matches (iox_query_influxql rewriter.rs expand_from; planner.rs folds the
tables' plans with union_and_coerce, a Union nesting the one before: the initial plan's text grows with
the square of the tables), its only bound IOx's check-limits rule (physical_optimizer/limits.rs: "Query would
process more than {partition_limit} partitions" / "{parquet_file_limit} parquet files"). This store's
bounds are its own limits: max_select_series (each table a branch), query_memory_bytes (the initial
plan's text, estimated before it is built) and the query timeout; an EXPLAIN ANALYZE VERBOSE runs the
statement and answers the error a limit gives it.
"""
from __future__ import annotations

import re

import pytest

import tsdb_core


def _store(n: int, **limits):
    s = tsdb_core.open(dialect="influxdb3", config=tsdb_core.StoreConfig(**limits))
    assert s.write("db", "\n".join(f"m{i:03d} g={i} 1000000000" for i in range(n))).ok
    return s


def _answer(s, q: str) -> dict:
    (res,) = s.query(q, db="db").to_json()["results"]
    return res


@pytest.mark.parametrize("explain", ["EXPLAIN", "EXPLAIN VERBOSE", "EXPLAIN ANALYZE VERBOSE"])
def test_more_tables_than_max_select_series_is_refused(explain):
    s = _store(3, max_select_series=2)
    try:
        assert _answer(s, "SELECT g FROM /.*/")["error"] == "max-select-series limit exceeded: (3/2)"
        assert _answer(s, f"{explain} SELECT g FROM /.*/")["error"] == "max-select-series limit exceeded: (3/2)"
    finally:
        s.close()



def test_tables_without_rows_in_the_range_are_not_counted():
    """The SELECT counts series in the range; EXPLAIN counts the tables holding rows there."""
    s = _store(2, max_select_series=2)
    try:
        assert s.write("db", "m900 g=3 1000000000000").ok
        q = "SELECT g FROM /.*/ WHERE time >= 999000000000 AND time < 2000000000000"
        assert [x["name"] for x in _answer(s, q)["series"]] == ["m900"]
        assert "error" not in _answer(s, f"EXPLAIN {q}")
        assert _answer(s, "EXPLAIN SELECT g FROM /.*/")["error"] == "max-select-series limit exceeded: (3/2)"
    finally:
        s.close()

def test_tables_within_max_select_series_are_drawn_as_one_union():
    s = _store(2, max_select_series=2)
    try:
        res = _answer(s, "EXPLAIN SELECT g FROM /.*/")
        logical = {x["name"]: x["values"][0][0] for x in res["series"]}["logical_plan"]
        assert logical.splitlines()[:2] == ["Sort: iox::measurement ASC NULLS LAST, time ASC NULLS LAST", "  Union"]
        assert logical.count("TableScan: m0") == 2
    finally:
        s.close()


@pytest.mark.parametrize("n", [2, 3, 12])
def test_the_text_estimate_bounds_the_initial_plan(n):
    """query_memory_bytes below the estimate refuses, and the estimate is within 15% above the text drawn."""
    s = _store(n)
    try:
        res = _answer(s, "EXPLAIN VERBOSE SELECT g FROM /.*/ WHERE time >= 0")
        initial = {x["name"]: x["values"][0][0] for x in res["series"]}["initial_logical_plan"]
        assert initial.count("Union") == n - 1  # union_and_coerce's fold, nested
    finally:
        s.close()
    s = _store(n, query_memory_bytes=len(initial) // 2)
    try:
        error = _answer(s, "EXPLAIN SELECT g FROM /.*/ WHERE time >= 0")["error"]
        m = re.fullmatch(rf"query-memory limit exceeded: \((\d+)/{len(initial) // 2} bytes\): the plan of {n} tables",
                         error)
        assert m is not None and len(initial) <= int(m.group(1)) <= len(initial) * 1.15
    finally:
        s.close()
    s = _store(n, query_memory_bytes=len(initial) * 2)
    try:
        assert "error" not in _answer(s, "EXPLAIN SELECT g FROM /.*/ WHERE time >= 0")
    finally:
        s.close()


def test_the_deadline_stops_the_drawing():
    from tsdb_core.query.v3plans import DrawLimits
    with pytest.raises(tsdb_core.QueryError, match="query-timeout limit exceeded"):
        DrawLimits(deadline=1e-9).check_time()
    DrawLimits().check_time()  # no deadline: nothing raised
