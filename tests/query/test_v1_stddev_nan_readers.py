"""influxd's stddev() of one point is NaN inside the engine (exec/lazy.py _one_point_nans), but
what reads it past the answer must see influxd's results: SELECT ... INTO writes no NaN (a
point of only NaN fields is no point: Go's NewPoint skips NaN), and an outer WHERE compares
it as Go does (NaN > x is false), not in Polars' total order (NaN above every number).
Answers asked of influxd 1.6.7 on loopback (review41's into_influxd.py / sd2.py)."""
from __future__ import annotations

import pytest

import tsdb_core

LINES = "\n".join(["m,host=a v=1 0", "m,host=a v=3 20000000000", "m,host=a v=5 21000000000",
                   "m,host=b v=2 0", "m,host=b v=4 1000000000"])
W = "WHERE time >= 0 AND time < 60s"
SUB = f"(SELECT stddev(v) AS s FROM m {W} GROUP BY time(10s), host)"
ROOT2 = 1.4142135623730951


@pytest.fixture()
def store(tmp_path):
    s = tsdb_core.open(tmp_path / "store", dialect="influxdb1")
    s.write("db", LINES)
    yield s
    s.close()


def _series(store, q):
    return store.query(q, db="db").to_json()["results"][0].get("series")


def test_into_writes_no_nan(store):
    written = _series(store, f"SELECT stddev(v) AS s INTO out FROM m {W} GROUP BY time(10s), host")
    assert written[0]["values"] == [["1970-01-01T00:00:00Z", 2]]
    assert _series(store, "SELECT * FROM out")[0]["values"] == [
        ["1970-01-01T00:00:00Z", "b", ROOT2], ["1970-01-01T00:00:20Z", "a", ROOT2]]
    assert _series(store, "SELECT count(s) FROM out")[0]["values"] == [["1970-01-01T00:00:00Z", 2]]


@pytest.mark.parametrize("cond, want", [
    ("s > 0", [["1970-01-01T00:00:00Z", "b", ROOT2], ["1970-01-01T00:00:20Z", "a", ROOT2]]),
    ("s >= 0", [["1970-01-01T00:00:00Z", "b", ROOT2], ["1970-01-01T00:00:20Z", "a", ROOT2]]),
    ("s > 100", None),
])
def test_outer_where_compares_nan_as_go(store, cond, want):
    got = _series(store, f"SELECT * FROM {SUB} WHERE {cond}")
    assert (got[0]["values"] if got else None) == want


def test_count_under_a_where_skips_nan(store):
    assert _series(store, f"SELECT count(s) FROM {SUB} WHERE s > 100") is None
    # without the condition the NaN windows count (influxd: count() counts NaN)
    assert _series(store, f"SELECT count(s) FROM {SUB}")[0]["values"] == [["1970-01-01T00:00:00Z", 3]]
