"""exec/run_transforms.py against influxd's reducers written out point by point (functions.go)."""
from __future__ import annotations

import polars as pl
from hypothesis import given, settings
from hypothesis import strategies as st

from tsdb_core.influxql import ast
from tsdb_core.query.exec.run_transforms import (SERIES_RUN_COLUMN, call_rows, cursor_merged, limited, series_runs,
                                                 sorted_merged, stream_order, stream_read, transformed)
from tsdb_core.query.plan.nodes import MEASUREMENT_COLUMN as NAME
from tsdb_core.query.plan.nodes import gap_column


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


def test_elapsed_keeps_a_point_of_the_last_time_and_divides_toward_zero():
    """No skip of a repeated time (ElapsedReducer); -90s over 1m is -1 (Go), not -2."""
    df = pl.DataFrame({"m": ["cpu"] * 4, "host": ["h0"] * 4, "time": [0, 0, 90 * 10**9, 0],
                       "value": [1.0, 2.0, 3.0, 4.0]})
    call = ast.Call("elapsed", (ast.Call("mean", (ast.VarRef("x"),)), ast.DurationLiteral(60 * 10**9)))
    out = transformed(df, ["m", "host"], "e", call, 10, True)
    assert out.select("time", "e").rows() == [(0, 0), (90 * 10**9, 1), (0, -1)]
    assert out.schema["e"] == pl.Int64


def test_limit_counts_runs_of_tags():
    """LimitIterator: the counter restarts at each change of tags, h0's second run too."""
    df = pl.DataFrame({NAME: ["cpu"] * 6, "host": ["h0", "h0", "h0", "h1", "h0", "h0"], "time": [0, 1, 2, 0, 0, 1]})
    assert limited(df, [NAME, "host"], 2, 0).get_column("time").to_list() == [0, 1, 0, 0, 1]
    assert limited(df, [NAME, "host"], 1, 1).rows() == [("cpu", "h0", 1), ("cpu", "h0", 1)]


def _cursor_case(fill: str, value):
    a = pl.DataFrame({NAME: ["cpu"] * 4, "host": ["h0", "h0", "h1", "h0"], "time": [0, 1, 0, 0], "a": [1.0, 2.0, 3.0, 4.0]})
    b = pl.DataFrame({NAME: ["cpu"] * 3, "host": ["h0", "h1", "h0"], "time": [1, 0, -1], "b": [10, 20, 30]})
    return cursor_merged([a, b], [NAME, "host"], True, fill, value)


def test_cursor_reads_the_least_next_point_of_the_streams():
    """multiScannerCursor: name, tags, then time; the stream not at the row's point fills in."""
    out = _cursor_case("value", 0)
    assert out.rows() == [("cpu", "h0", 0, 1.0, 0), ("cpu", "h0", 1, 2.0, 10), ("cpu", "h1", 0, 3.0, 20),
                          ("cpu", "h0", -1, 0.0, 30), ("cpu", "h0", 0, 4.0, 0)]
    assert out.schema["b"] == pl.Int64


def test_cursor_keeps_a_series_last_value_under_fill_previous():
    """fill(previous) sets no default: the map keeps the series' last value, cleared when the
    series changes; other fills give null."""
    assert _cursor_case("previous", None).select("a", "b").rows() == [
        (1.0, None), (2.0, 10), (3.0, 20), (None, 30), (4.0, 30)]
    assert _cursor_case("linear", None).select("a", "b").rows() == [
        (1.0, None), (2.0, 10), (3.0, 20), (None, 30), (4.0, None)]


def test_cursor_keeps_the_map_over_a_nil_point_under_fill_previous():
    """A point without a value (the fill iterator's windows before a series' first value, a
    null of the reducer) leaves the map as it was under fill(previous) (SkipDefault), and
    reads null under the other fills."""
    a = pl.DataFrame({NAME: ["cpu"] * 3, "host": ["h0"] * 3, "time": [0, 1, 2], "a": [None, 2.0, None]})
    b = pl.DataFrame({NAME: ["cpu"] * 2, "host": ["h0"] * 2, "time": [0, 2], "b": [5, None]})
    keys = [NAME, "host"]
    assert cursor_merged([a, b], keys, True, "previous", None).select("a", "b").rows() == [
        (None, 5), (2.0, 5), (2.0, 5)]
    assert cursor_merged([a, b], keys, True, "null", None).select("a", "b").rows() == [
        (None, 5), (2.0, None), (None, None)]


_POINTS = st.dictionaries(st.tuples(st.sampled_from(["cpu", "w"]), st.sampled_from(["", "h0", "h1"]),
                                    st.sampled_from(["r0", "r1"]), st.integers(0, 5)),
                          st.one_of(st.none(), st.integers(-9, 9)), max_size=12)


@settings(max_examples=80, deadline=None)
@given(st.lists(_POINTS, min_size=2, max_size=3), st.booleans(), st.sampled_from(["value", "previous", "null"]))
def test_sorted_streams_merge_as_the_cursor_reads_them(points, ascending, fill):
    """A statement's own streams (each in the cursor's order, one point per series and time):
    the vectorised merge gives the cursor's rows (a point without a value under fill(<number>)
    aside: the cursor reads the number there, :func:`sorted_merged` says so)."""
    keys = [NAME, "region", "host"]  # GROUP BY region, host: the cursor orders tags by key
    streams = []
    for i, pts in enumerate(points):
        rows = sorted(pts.items(), reverse=not ascending)
        streams.append(pl.DataFrame({NAME: [k[0] for k, _ in rows], "region": [k[2] for k, _ in rows],
                                     "host": [k[1] for k, _ in rows], "time": [k[3] for k, _ in rows],
                                     f"c{i}": [0 if v is None and fill == "value" else v for _, v in rows]},
                                    schema={NAME: pl.String, "region": pl.String, "host": pl.String,
                                            "time": pl.Int64, f"c{i}": pl.Int64}))
    want = cursor_merged(streams, keys, ascending, fill, 7)
    got = sorted_merged(streams, keys, ascending, fill, 7)
    assert got.select(want.columns).rows() == want.rows()


def test_each_call_streams_only_the_groups_where_it_saw_points():
    """A measurement lacking the call's field emits nothing for it: its rows leave the call's
    stream (the gap column where the aggregate counts points, else a null value)."""
    df = pl.DataFrame({NAME: ["cpu", "w", "w"], "host": ["h0", "h0", "h1"], "time": [0, 0, 0],
                       "a": [1.0, None, None], "b": [None, 2.0, 0.0], gap_column("b"): [True, False, False]})
    assert call_rows(df, [NAME, "host"], ["a"]).rows() == [("cpu", "h0", 0, 1.0)]
    assert call_rows(df, [NAME, "host"], ["b"]).rows() == [("w", "h0", 0, 2.0), ("w", "h1", 0, 0.0)]


def test_stream_order_hands_on_the_outer_groups_descending_under_desc():
    """filled_runs' rows come reversed under ORDER BY time DESC; the stream reads the outer
    groups descending ("" last), each group's runs in their own order."""
    filled = pl.DataFrame({NAME: ["cpu"] * 5, "region": [None, "r0", "r0", "r1", "r1"],
                           "host": ["h4", "h0", "h2", "h1", "h3"], "time": [0, 0, 1, 0, 1]})
    out = stream_order(filled, [NAME, "region"], False)
    assert out.get_column("host").to_list() == ["h3", "h1", "h2", "h0", "h4"]
    assert stream_order(filled, [NAME, "region"], True).equals(filled)


def test_series_runs_number_each_return_to_a_group():
    """influxd's emitter starts a series again wherever the stream comes back to a group:
    the runs numbered in stream order (negated under DESC, as the outer sort descends)."""
    df = pl.DataFrame({NAME: ["cpu"] * 5, "region": ["r1", "r0", "r0", "", "r0"]})
    assert df.select(series_runs([NAME, "region"], True)).to_series().to_list() == [1, 2, 2, 3, 4]
    runs = df.select(series_runs([NAME, "region"], False)).to_series()
    assert runs.name == SERIES_RUN_COLUMN and runs.to_list() == [-1, -2, -2, -3, -4]


def test_raw_transforms_read_the_stream_limited_alone_then_merged():
    """A raw outer statement's two transforms over one stream whose times fall back: each its own
    reducer (a derivative's unit a second without GROUP BY time), each limited alone (OFFSET 1
    LIMIT 2), the cursor pairing the streams' points of equal time in turn; the runs of tags
    numbered for the emitter."""
    df = pl.DataFrame({NAME: ["cpu"] * 5, "host": ["h0"] * 5, "time": [0, 2 * 10**9, 4 * 10**9, 2 * 10**9, 4 * 10**9],
                       "x": [1.0, 3.0, 7.0, 1.0, 9.0]})
    diff = ast.Call("difference", (ast.VarRef("x"),))
    deriv = ast.Call("derivative", (ast.VarRef("x"),))
    calls = [("d", diff, pl.col("x")), ("r", deriv, pl.col("x"))]
    out = stream_read(df, [NAME, "host"], calls, 0, True, (2, 1))
    # difference: 2@2s, 4@4s, -6@2s, 8@4s -> 4@4s, -6@2s; derivative per second: 1, 2, 3, 4 -> 2@4s, 3@2s
    assert out.select("time", "d", "r").rows() == [(4 * 10**9, 4.0, 2.0), (2 * 10**9, -6.0, 3.0)]
    assert out.get_column(SERIES_RUN_COLUMN).to_list() == [1, 1]

