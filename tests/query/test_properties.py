"""Property tests: window aggregates agree with whole-range aggregates on random data."""
from __future__ import annotations

import math

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import tsdb_core
from tsdb_core.query.engine import execute
from tsdb_core.base.time import fixed_clock

S = 1_000_000_000
T0 = 1_600_000_000 * S
NOW = T0 + 10**6 * S

points = st.lists(st.tuples(st.integers(0, 3600), st.sampled_from("ab"),
                            st.integers(-1000, 1000)), min_size=1, max_size=60,
                  unique_by=lambda p: (p[0], p[1]))


def _store(pts):
    s = tsdb_core.open(None, clock=fixed_clock(NOW))
    s.write("db", "\n".join(f"m,k={k} v={v}i {T0 + t * S}" for t, k, v in pts))
    return s


def _values(res):
    r = res.to_json()["results"][0]
    return [row for s in r.get("series", []) for row in s["values"]]


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(pts=points, minutes=st.integers(1, 30), offset=st.integers(0, 29))
def test_window_counts_add_up(pts, minutes, offset):
    s = _store(pts)
    rng = f"time >= {T0} AND time <= {T0 + 3600 * S}"
    total = _values(execute(s, f"SELECT count(v), sum(v), min(v), max(v) FROM m WHERE {rng}",
                            db="db", now=NOW))
    grouped = _values(execute(s, f"SELECT count(v), sum(v), min(v), max(v) FROM m WHERE {rng} "
                                 f"GROUP BY time({minutes}m, {offset % minutes}m) fill(none)",
                              db="db", now=NOW))
    nulls = _values(execute(s, f"SELECT count(v) FROM m WHERE {rng} "
                               f"GROUP BY time({minutes}m, {offset % minutes}m)", db="db", now=NOW))
    s.close()
    assert total[0][1] == len(pts) == sum(r[1] for r in grouped) == sum(r[1] for r in nulls)
    assert total[0][2] == sum(r[2] for r in grouped)
    assert total[0][3] == min(r[3] for r in grouped) and total[0][4] == max(r[4] for r in grouped)
    assert len(nulls) >= len(grouped)


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(pts=points)
def test_mean_between_min_and_max_per_series(pts):
    s = _store(pts)
    rows = _values(execute(s, "SELECT mean(v), min(v), max(v), count(v) FROM m GROUP BY k",
                           db="db", now=NOW))
    s.close()
    assert sum(r[4] for r in rows) == len(pts)
    for _, mean, lo, hi, _ in rows:
        assert lo - 1e-9 <= mean <= hi + 1e-9 and not math.isnan(mean)


def _series(res):
    r = res.to_json()["results"][0]
    return {s["tags"]["k"]: s["values"] for s in r.get("series", [])}


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(pts=points, n=st.integers(1, 5))
def test_limit_desc_gives_the_newest_points_per_series(pts, n):
    s = _store(pts)
    asc = _series(execute(s, "SELECT v FROM m GROUP BY k", db="db", now=NOW, epoch="ns"))
    desc = _series(execute(s, f"SELECT v FROM m GROUP BY k ORDER BY time DESC LIMIT {n}",
                           db="db", now=NOW, epoch="ns"))
    s.close()
    assert desc.keys() == asc.keys()
    for k, rows in asc.items():
        assert desc[k] == rows[::-1][:n]
