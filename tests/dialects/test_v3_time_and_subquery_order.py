"""Two things v3 answers that 1.x refuses: a selected ``TIME`` that is not ``time``, and a
subquery ordered against its outer query. Sources: influxdata/influxdb3_core (iox) at
349d802bf9a54ab5876399ab013502eeb0d52a6b, crate iox_query_influxql.

- planner.rs varref_to_df_expr: ``(ExprScope::Where, name) if name.eq_ignore_ascii_case("time")``
  but ``(ExprScope::Projection, "time")``: in the projection only ``time`` itself is the time
  column; ``TIME`` is a field (planner.rs test_single_measurement:
  ``assert_snapshot!(plan("SELECT TIME FROM data")); // TIME is a field``, the snapshot
  select_raw__single_measurement-8.snap: ``Projection: ..., data.time AS time, data.TIME AS TIME``).
- rewriter.rs from_drop_empty drops a source none of whose selected names is a field (``time``
  is none); field_list_normalize_time adds ``time`` first when no field is exactly ``time``.
  There is no "at least 1 non-time field must be queried" anywhere in v3.
- planner.rs Context::subquery: ``order_by: select.order_by.unwrap_or_default()``: a subquery
  is sorted (and LIMITed) by its own ORDER BY; the outer Sort re-sorts
  (select__subqueries__order_by.snap: ``Sort: time AS time ASC`` over ``Sort: time DESC``).
- planner/select.rs plan_with_sort: measurement and GROUP BY tags always sort ascending, time
  after them (order_by_desc-3.snap: ``Sort: cpu ASC NULLS LAST, time DESC NULLS LAST``).
"""
from __future__ import annotations

import pytest

from .both_dialects import store_in_both_dialects

LINES = "\n".join([
    "data,foo=a f64_field=1.5,TIME=true 60000000000",
    "data,foo=b f64_field=2.5 120000000000",
    "cpu,host=a usage=1 0", "cpu,host=a usage=2 60000000000", "cpu,host=a usage=4 120000000000",
    "cpu,host=b usage=10 0", "cpu,host=b usage=30 120000000000",
    "gone v=1 0",
])
MIN = 60_000_000_000

store = store_in_both_dialects(LINES)


def answer(s, q: str) -> dict:
    (res,) = s.query(q, db="db", epoch="ns").to_json()["results"]
    return res


def table(res: dict) -> list:
    """[(name, tags, columns, rows)] of a statement's series."""
    return [(x["name"], x.get("tags"), x["columns"], x["values"]) for x in res.get("series", [])]


NON_TIME = "at least 1 non-time field must be queried"  # influxd 1.x (query/compile.go)
SAME_DIRECTION = "subqueries must be ordered in the same direction as the query itself"  # influxd 1.x

SAME = "v3"  # influxdb1's answer is influxdb3's (influxd 1.6.7, asked: RewriteTimeFields takes ``time`` only)
TIME_CASES = [  # (query, influxdb3's series, influxdb1's error or series)
    # TIME is the field: its rows only (the field is null at 2m)
    ("SELECT TIME FROM data", [("data", None, ["time", "TIME"], [[MIN, True]])], SAME),
    ('SELECT "TIME" FROM data', [("data", None, ["time", "TIME"], [[MIN, True]])], SAME),
    ("SELECT TIME AS t FROM data", [("data", None, ["time", "t"], [[MIN, True]])], SAME),
    ("select TIME, time from data", [("data", None, ["time", "TIME"], [[MIN, True]])], SAME),
    # Time names no field of data: a null column, time added before it
    ("SELECT Time, f64_field FROM data",
     [("data", None, ["time", "Time", "f64_field"], [[MIN, None, 1.5], [2 * MIN, None, 2.5]])], SAME),
    # nothing selected is a field: no series (EmptyRelation), not an error
    ("SELECT TIME FROM cpu", [], SAME),
    ("SELECT time FROM cpu", [], NON_TIME),
    ("SELECT time AS t FROM cpu WHERE time > 0", [], NON_TIME),
    ("SELECT time FROM (SELECT usage FROM cpu)", [], NON_TIME),
    # time in arithmetic: v3's rewriter types it a timestamp first (expr_type_evaluator.rs,
    # tests/dialects/test_v3_names_operands.py); in a call: still no field (nor in 1.x: a field
    # named time, which no measurement has: tests/query/test_v1time.py)
    ("SELECT time * 2 FROM cpu WHERE host = 'a'",
     "datafusion error: rewriting statement\ncaused by\nexpand projection\ncaused by\n"
     "Error during planning: incompatible operands for operator *: timestamp and integer", []),
    ("SELECT count(time) FROM cpu", [], SAME),
    # in WHERE, any case is the time column in both
    ("SELECT f64_field FROM data WHERE TIME > 60s", [("data", None, ["time", "f64_field"], [[2 * MIN, 2.5]])],
     [("data", None, ["time", "f64_field"], [[2 * MIN, 2.5]])]),
]


@pytest.mark.parametrize("q,v3,v1", TIME_CASES, ids=[c[0] for c in TIME_CASES])
def test_time_in_the_projection(store, q, v3, v1):
    dialect, s = store
    res = answer(s, q)
    expected = v3 if dialect == "influxdb3" or v1 == SAME else v1
    if isinstance(expected, str):
        assert res.get("error") == expected
    else:
        assert "error" not in res, res
        assert table(res) == expected


def test_group_by_time_still_wants_an_aggregate(store):
    """rewriter.rs: "GROUP BY requires at least one aggregate function" comes before the empty source."""
    dialect, s = store
    err = answer(s, "SELECT time FROM cpu GROUP BY time(1m)")["error"]
    assert err.endswith("GROUP BY requires at least one aggregate function") if dialect == "influxdb3" \
        else err == NON_TIME


ORDER_CASES = [  # (query, influxdb3's series (influxdb1 refuses each with SAME_DIRECTION))
    ("SELECT usage FROM (SELECT usage FROM cpu ORDER BY time DESC LIMIT 2) ORDER BY time ASC",
     [("cpu", None, ["time", "usage"], [[2 * MIN, 4.0], [2 * MIN, 30.0]])]),
    ("SELECT usage FROM (SELECT usage FROM cpu ORDER BY time ASC LIMIT 1 OFFSET 2) ORDER BY time DESC",
     [("cpu", None, ["time", "usage"], [[MIN, 2.0]])]),
    ("SELECT usage FROM (SELECT usage FROM cpu GROUP BY host ORDER BY time DESC LIMIT 1) GROUP BY host",
     [("cpu", {"host": "a"}, ["time", "usage"], [[2 * MIN, 4.0]]),
      ("cpu", {"host": "b"}, ["time", "usage"], [[2 * MIN, 30.0]])]),
    # an aggregate over it: the inner rows' order does not matter
    ("SELECT sum(usage) FROM (SELECT usage FROM cpu ORDER BY time DESC) WHERE time < 3m GROUP BY time(1m)",
     [("cpu", None, ["time", "sum"], [[0, 11.0], [MIN, 2.0], [2 * MIN, 34.0]])]),
]


@pytest.mark.parametrize("q,v3", ORDER_CASES, ids=[c[0] for c in ORDER_CASES])
def test_a_subquery_ordered_against_its_outer_query(store, q, v3):
    dialect, s = store
    res = answer(s, q)
    if dialect == "influxdb1":
        assert res["error"] == SAME_DIRECTION
        return
    got = table(res)
    if "GROUP BY" not in q:  # rows of one time: in no promised order (a Sort on time alone)
        got = [(n, t, c, sorted(r, key=lambda row: (row[0], row[1]))) for n, t, c, r in got]
    assert got == v3


def test_a_subquery_without_order_by_is_ascending_under_a_descending_query(store):
    """1.x runs it in the outer query's order: its LIMIT keeps the newest rows, its difference()
    runs backwards; v3 sorts it ascending (OrderByClause's default) and re-sorts after."""
    dialect, s = store
    limited = table(answer(s, "SELECT usage FROM (SELECT usage FROM cpu WHERE host = 'a' LIMIT 1) "
                              "ORDER BY time DESC"))
    diffs = table(answer(s, "SELECT d FROM (SELECT difference(usage) AS d FROM cpu WHERE host = 'a') "
                            "ORDER BY time DESC"))
    if dialect == "influxdb3":
        assert limited == [("cpu", None, ["time", "usage"], [[0, 1.0]])]
        assert diffs == [("cpu", None, ["time", "d"], [[2 * MIN, 2.0], [MIN, 1.0]])]
    else:
        assert limited == [("cpu", None, ["time", "usage"], [[2 * MIN, 4.0]])]
        assert diffs == [("cpu", None, ["time", "d"], [[MIN, -2.0], [0, -1.0]])]


@pytest.mark.parametrize("q", ["SELECT usage FROM cpu GROUP BY host ORDER BY time DESC",
                               "SELECT last(usage) FROM cpu GROUP BY host ORDER BY time DESC"])
def test_series_stay_ascending_under_order_by_time_desc(store, q):
    """v3: host a before b, time descending within each; 1.x reverses the series too."""
    dialect, s = store
    hosts = [t["host"] for _, t, _, _ in table(answer(s, q))]
    assert hosts == (["a", "b"] if dialect == "influxdb3" else ["b", "a"])


def test_measurements_stay_ascending_under_order_by_time_desc(store):
    dialect, s = store
    res = answer(s, "SELECT * FROM cpu, gone ORDER BY time DESC")
    names = [n for n, _, _, _ in table(res)]
    assert names == (["cpu", "gone"] if dialect == "influxdb3" else ["gone", "cpu"])
    assert [r[0] for r in res["series"][0]["values"]] == sorted((r[0] for r in res["series"][0]["values"]),
                                                                 reverse=True)
