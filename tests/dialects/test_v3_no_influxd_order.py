"""What influxd 1.x does for reasons of its own machinery is not InfluxDB 3's: fill() without a
range start does not walk from 1677 (influxd's ``Window(MinTime)`` minus a GROUP BY offset
wraps int64; DataFusion's GapFill has no such wrap), and under ORDER BY time DESC a window's
floats are added in scan order (influxd reads a series backwards and adds in that order)."""
from __future__ import annotations

from .both_dialects import store_in_both_dialects

H = 3_600_000_000_000
LINES = "\n".join(
    [f"m,host=a v={v} {i * H // 8}" for i, v in enumerate([0.1, 0.2, 0.3, 1e16, -1e16, 0.7, 0.11, 0.13])]
    + [f"m,host=b v=1 {2 * H + i * H // 2}" for i in range(4)])

store = store_in_both_dialects(LINES)


def _rows(s, q: str) -> dict:
    (res,) = s.query(q, db="db").to_json()["results"]
    assert "error" not in res, res
    return {ser["tags"]["host"] if ser.get("tags") else "": ser["values"] for ser in res["series"]}


def test_fill_without_a_start_under_an_offset(store):
    """influxdb1: the walk from 1677 counted against max-select-windows (tests/query/test_v1fill.py);
    influxdb3: windows from the data's first, as with that start written out."""
    dialect, s = store
    q = "SELECT mean(v) FROM m WHERE time < '1970-01-01T04:00:00Z'{} GROUP BY time(1h, 15m), host fill(0)"
    (res,) = s.query(q.format(""), db="db").to_json()["results"]
    if dialect == "influxdb1":
        assert "max-select-windows limit exceeded" in res["error"]
        return
    bounded = _rows(s, q.format(" AND time >= '1969-12-31T23:15:00Z'"))
    assert _rows(s, q.format("")) == bounded
    assert [r[0] for r in bounded["a"]][:2] == ["1969-12-31T23:15:00Z", "1970-01-01T00:15:00Z"]
    assert len(bounded["a"]) == len(bounded["b"]) == 5


def test_a_window_of_floats_sums_alike_in_either_order(store):
    """influxdb3: a window's sum is the same ASC and DESC; influxdb1 adds backwards under DESC
    (here the last digits differ: 1e16 swallows the small values added before it)."""
    dialect, s = store
    q = "SELECT sum(v) FROM m WHERE time >= 0 AND time < '1970-01-01T01:00:00Z' GROUP BY time(1h), host{}"
    asc, desc = (_rows(s, q.format(o))["a"][0][1] for o in ("", " ORDER BY time DESC"))
    assert (asc == desc) is (dialect == "influxdb3"), (dialect, asc, desc)
