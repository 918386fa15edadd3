"""date_bin against a plain-Python reference, for any stride, origin and time (before and after the
origin, negative times included), through the whole path: translate → guard → Polars SQL."""
from __future__ import annotations

import polars as pl
from hypothesis import given, settings
from hypothesis import strategies as st

from tsdb_core.query.sql import guard
from tsdb_core.query.sql.temporal import date_bin, parse_interval

SPAN = 4 * 10**18  # times and origins within ±4e18 ns (about ±127 years around 1970)
times = st.lists(st.integers(-SPAN, SPAN), min_size=1, max_size=20)
strides = st.integers(1, 10**15)
origins = st.integers(-SPAN, SPAN)


def reference(stride: int, t: int, origin: int) -> int:
    """The largest origin + k*stride <= t (Python's floor division)."""
    return origin + (t - origin) // stride * stride


def run(sql: str, ts: list[int]) -> list[int]:
    checked = guard.check(sql, ["t"], "db", now_ns=0)
    ctx = pl.SQLContext(t=pl.LazyFrame({"time": pl.Series(ts, dtype=pl.Int64).cast(pl.Datetime("ns"))}))
    return ctx.execute(checked.sql, eager=True).to_series().cast(pl.Int64).to_list()


@settings(max_examples=150, deadline=None)
@given(times, strides, origins)
def test_sql_date_bin_is_the_floor_onto_the_grid(ts, stride, origin):
    got = run(f"SELECT date_bin(INTERVAL '{stride} nanoseconds', time, CAST({origin} AS TIMESTAMP(9))) "
              "FROM t", ts)
    assert got == [reference(stride, t, origin) for t in ts]


@settings(max_examples=100, deadline=None)
@given(times, st.sampled_from(["1 second", "5 minutes", "90 seconds", "1 hour 30 minutes", "7 days", "2 weeks",
                                "250 milliseconds", "3 microseconds", "1.5 hours", "1 day 1 nanosecond"]))
def test_interval_strides_default_origin(ts, stride_text):
    stride = parse_interval(stride_text)[1]
    assert run(f"SELECT date_bin('{stride_text}', time) FROM t", ts) == [reference(stride, t, 0) for t in ts]


@given(st.integers(-SPAN, SPAN), strides, origins)
def test_python_date_bin_matches_the_reference(t, stride, origin):
    assert date_bin(stride, t, origin) == reference(stride, t, origin)
    assert date_bin(stride, t, origin) <= t < date_bin(stride, t, origin) + stride


def test_interval_units():
    assert parse_interval("1 hour 30 minutes") == (0, 5_400 * 10**9)
    assert parse_interval("2 weeks 1 day") == (0, 15 * 86_400 * 10**9)
    assert parse_interval("1.5 seconds") == (0, 1_500_000_000)
    assert parse_interval("5") == (0, 5 * 10**9)  # no unit: seconds
    assert parse_interval("1 year 2 months") == (14, 0)
    assert parse_interval("10 ms 5 us 3 ns") == (0, 10_005_003)
