"""exec/run_transforms.py against influxd's reducers written out point by point (functions.go)."""
from __future__ import annotations

import polars as pl
from hypothesis import given, settings
from hypothesis import strategies as st

from tsdb_core.influxql import ast
from tsdb_core.query.exec.run_transforms import transformed


def _go_moving_average(values: list[float], n: int) -> list[float]:
    buf, pos, total, out = [], 0, 0.0, []
    for v in values:
        if len(buf) != n:
            buf.append(v)
        else:
            total -= buf[pos]
            buf[pos] = v
        total += v
        pos = (pos + 1) % n
        if len(buf) == n:
            out.append(total / n)
    return out


def _stream(values: list[float], host: list[str]) -> pl.DataFrame:
    return pl.DataFrame({"m": ["cpu"] * len(values), "host": host, "time": list(range(len(values))),
                         "value": values})


@settings(max_examples=60, deadline=None)
@given(st.lists(st.floats(-1e6, 1e6), min_size=0, max_size=30), st.integers(1, 5))
def test_moving_average_sums_as_the_ring_does(values, n):
    call = ast.Call("moving_average", (ast.VarRef("x"), ast.IntegerLiteral(n)))
    out = transformed(_stream(values, ["h0"] * len(values)), ["m", "host"], "d", call, 1, True)
    assert out.get_column("d").to_list() == _go_moving_average(values, n)


def test_difference_pairs_a_run_with_the_series_previous_run():
    """Two runs of h0 around one of h1 (times restart): h0's reducer spans both runs."""
    df = pl.DataFrame({"m": ["cpu"] * 7, "host": ["h0", "h0", "h0", "h1", "h0", "h0", "h0"],
                       "time": [0, 1, 2, 1, 0, 1, 1], "value": [0.0, 5.0, 0.0, 3.0, 0.0, 7.0, 9.0]})
    call = ast.Call("difference", (ast.Call("mean", (ast.VarRef("x"),)),))
    out = transformed(df, ["m", "host"], "d", call, 1, True)
    # the last h0 point has its predecessor's time: skipped; h1's single point emits nothing
    assert out.rows() == [("cpu", "h0", 1, 5.0), ("cpu", "h0", 2, -5.0), ("cpu", "h0", 0, 0.0), ("cpu", "h0", 1, 7.0)]
    assert transformed(df.head(0), ["m", "host"], "d", call, 1, True).columns == ["m", "host", "time", "d"]


def test_points_without_a_value_are_skipped_and_derivative_goes_back_in_time():
    """fill(previous)'s leading nulls pass the reducer by; a run restarting earlier gives a
    negative elapsed time (a rate of the opposite sign)."""
    df = pl.DataFrame({"m": ["cpu"] * 4, "host": ["h0"] * 4, "time": [0, 10, 20, 0],
                       "value": [None, 2.0, 4.0, 8.0]})
    call = ast.Call("derivative", (ast.Call("mean", (ast.VarRef("x"),)),))
    out = transformed(df, ["m", "host"], "d", call, 10, True)
    assert out.select("time", "d").rows() == [(20, 2.0), (0, -2.0)]
