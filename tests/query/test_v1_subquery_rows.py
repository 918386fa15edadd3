"""A raw outer query over a subquery: each row of the subquery is a row (influxd 1.6.7).

The answers below were given by influxd 1.6.7 to the same writes (issue 20, section 3)."""
from __future__ import annotations

import pytest

import tsdb_core

LINES = "\n".join([
    "sm,host=a,region=r0 usage=1,n=1i 1000000000", "sm,host=b,region=r1 usage=2,n=2i 2000000000",
    "sm,region=r2 usage=3,n=3i 3000000000", "smr,region=r0 free=1 1000000000",
    "smh,host=a used=5 1000000000",
    "nn,h=a a=1,b=1 1000000000", "nn,h=a a=2 2000000000", "nn,h=b b=3 3000000000",
    "nq,h=a v=1 5000000000", "nq,h=b v=2 1000000000", "nq,h=b v=0 7000000000"])

T0, T1, T2, T3 = "1970-01-01T00:00:00Z", "1970-01-01T00:00:01Z", "1970-01-01T00:00:02Z", "1970-01-01T00:00:03Z"
T5, T7 = "1970-01-01T00:00:05Z", "1970-01-01T00:00:07Z"
NQ = ("nq", ["time", "h", "max"], [[T5, "a", 1], [T1, "b", 2]])

CASES = [
    # a selected tag of the subquery is a value of its rows, null or not
    ("SELECT host FROM (SELECT * FROM sm)", [("sm", ["time", "host"], [[T1, "a"], [T2, "b"], [T3, None]])]),
    ("SELECT host, used FROM (SELECT * FROM sm), smh", [
        ("sm", ["time", "host", "used"], [[T1, "a", None], [T2, "b", None], [T3, None, None]]),
        ("smh", ["time", "host", "used"], [[T1, "a", 5]])]),
    # a field the subquery's row lacks: the row is still there
    ("SELECT b FROM (SELECT a, b FROM nn)", [("nn", ["time", "b"], [[T1, 1], [T2, None], [T3, 3]])]),
    ("SELECT b FROM (SELECT a, b FROM nn) LIMIT 2 OFFSET 1", [("nn", ["time", "b"], [[T2, None], [T3, 3]])]),
    ("SELECT b, h FROM (SELECT a, b FROM nn)", [
        ("nn", ["time", "b", "h"], [[T1, 1, None], [T2, None, None], [T3, 3, None]])]),
    ("SELECT h FROM (SELECT a, h FROM nn)", [("nn", ["time", "h"], [[T1, "a"], [T2, "a"]])]),
    # a field of another source only: the subquery's rows read null
    ("SELECT free FROM (SELECT usage FROM sm), smr", [
        ("sm", ["time", "free"], [[T1, None], [T2, None], [T3, None]]), ("smr", ["time", "free"], [[T1, 1]])]),
    # a name no source knows: no rows
    ("SELECT nosuch FROM (SELECT usage FROM sm)", []),
    # one selector per series: its rows come series by series, not in time order
    ("SELECT * FROM (SELECT max(v) FROM nq GROUP BY h)", [NQ]),
    ("SELECT * FROM (SELECT max(v) FROM nq GROUP BY h) ORDER BY time DESC", [NQ]),
    ("SELECT * FROM (SELECT max(v) FROM nq GROUP BY h) WHERE max > 0", [NQ]),
    ("SELECT * FROM (SELECT max(v) FROM nq GROUP BY h) LIMIT 1", [("nq", ["time", "h", "max"], [[T5, "a", 1]])]),
    ("SELECT max FROM (SELECT max(v) FROM nq GROUP BY h), (SELECT max(usage) FROM sm GROUP BY host)", [
        ("nq", ["time", "max"], [[T5, 1], [T1, 2]]), ("sm", ["time", "max"], [[T3, 3], [T1, 1], [T2, 2]])]),
    # windows, or raw rows: time order
    ("SELECT * FROM (SELECT max(v) FROM nq WHERE time < 10s GROUP BY time(5s), h)", [
        ("nq", ["time", "h", "max"], [[T0, "b", 2], [T5, "a", 1], [T5, "b", 0]])]),
    ("SELECT * FROM (SELECT v FROM nq GROUP BY h)", [("nq", ["time", "h", "v"], [[T1, "b", 2], [T5, "a", 1], [T7, "b", 0]])]),
]


@pytest.fixture(scope="module")
def store():
    s = tsdb_core.open(None)
    s.write("db", LINES)
    yield s
    s.close()


@pytest.mark.parametrize("query,want", CASES, ids=[c[0] for c in CASES])
def test_subquery_rows_as_influxd(store, query, want):
    got = store.query(query, db="db").to_json()["results"][0]
    assert [(s["name"], s["columns"], s["values"]) for s in got.get("series", [])] == want
