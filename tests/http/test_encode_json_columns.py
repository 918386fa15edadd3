"""A GROUP BY answer's small series sharing one SeriesBlock (tsdb_http/encode_json_columns.py)
are written with the rows path's bytes: 1.x and InfluxDB 3 JSON, compact and pretty, over
random frames split into random series (floats incl. -0.0, 1e21, 5e-324, NaN, big integers,
strings with escapes and non-ASCII text, booleans, nulls)."""
from __future__ import annotations

import math

import polars as pl
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.conftest import examples
from tests.http.test_encode_frame import _COLUMNS, _TEXT
from tsdb_core import Series, SeriesBlock, StatementResult
from tsdb_core.query.results import frame_rows
from tsdb_http import encode
from tsdb_http.encode import Response

_TIMES = st.sampled_from(["2016-01-01T00:00:00Z", "2016-01-01T00:00:00.5Z", "1677-09-21T00:12:43.145224192Z"])
_MORE = {"time": (pl.String, _TIMES), "epoch": (pl.Int64, st.integers(-2**63, 2**63 - 1)),
         "odd": (pl.Float64, st.sampled_from([-0.0, 0.0, 1e21, 5e-324, 1e16, 1e-5, 2.0**53, 3.0, math.nan, 1.5]))}


@st.composite
def blocks(draw):
    """A frame (a time-like first column, then random ones) and its split into series."""
    kinds = [draw(st.sampled_from(["time", "epoch"]))]
    kinds += draw(st.lists(st.sampled_from(sorted(_COLUMNS) + ["odd"]), min_size=0, max_size=4))
    lengths = draw(st.lists(st.integers(1, 6), min_size=1, max_size=8))
    n = sum(lengths)
    data = {}
    for i, k in enumerate(kinds):
        dtype, cells = {**_COLUMNS, **_MORE}[k]
        data[f"\x00c{i}"] = pl.Series(draw(st.lists(cells, min_size=n, max_size=n)), dtype=dtype, strict=False)
    tags = [draw(st.one_of(st.none(), st.dictionaries(st.sampled_from(["host", "a<b", "é"]), _TEXT, max_size=2)))
            for _ in lengths]
    partial = [draw(st.booleans()) for _ in lengths]
    return pl.DataFrame(data), lengths, tags, partial


def _answers(frame: pl.DataFrame, lengths, tags, partial) -> tuple[Response, Response, SeriesBlock]:
    """The same series, from one block and as Python rows."""
    block, rows = SeriesBlock(frame), frame_rows(frame)
    cols = ["time", *frame.columns[1:]]
    from_block, from_rows, start = [], [], 0
    for i, (n, t, p) in enumerate(zip(lengths, tags, partial)):
        name = f"m{i % 3}&"
        from_block.append(Series(name, t, cols, partial=p, span=(block, start, n)))
        from_rows.append(Series(name, t, cols, [list(r) for r in rows[start:start + n]], partial=p))
        start += n
    return (Response([StatementResult(0, from_block)]), Response([StatementResult(0, from_rows)]), block)


@settings(max_examples=examples(300), deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(case=blocks(), pretty=st.booleans(), v3=st.booleans())
def test_block_path_equals_rows_path(case, pretty, v3):
    by_block, by_rows, block = _answers(*case)
    got = encode.encode_json(by_block, pretty, v3)
    assert got == encode.encode_json(by_rows, pretty, v3)
    # written from the block's columns, a single series' too, an infinity found there: no Python rows built
    assert not block.spent


def test_plain_block_is_written_from_the_frame():
    frame = pl.DataFrame({"time": ["2016-01-01T00:00:00Z", "2016-01-01T01:00:00Z"] * 2,
                          "mean": [1.5, 2.0, -0.0, None], "count": [1, 2, 3, 4]})
    by_block, by_rows, block = _answers(frame, [2, 2], [{"hostname": "h0"}, {"hostname": "h1"}], [False, False])
    got = encode.encode_json(by_block)
    assert not block.spent
    assert got == (b'{"results":[{"statement_id":0,"series":['
                   b'{"name":"m0&","tags":{"hostname":"h0"},"columns":["time","mean","count"],'
                   b'"values":[["2016-01-01T00:00:00Z",1.5,1],["2016-01-01T01:00:00Z",2,2]]},'
                   b'{"name":"m1&","tags":{"hostname":"h1"},"columns":["time","mean","count"],'
                   b'"values":[["2016-01-01T00:00:00Z",-0,3],["2016-01-01T01:00:00Z",null,4]]}]}]}\n'
                   .replace(b"&", b"\\u0026"))
    assert got == encode.encode_json(by_rows)


def test_rows_read_once_are_what_is_written():
    """Reading one series' rows builds every series' rows: changes made to them (render_times
    rewrites times in place) are written, the block's frame is not used any more."""
    frame = pl.DataFrame({"time": [0, 1, 2, 3], "v": [1.5, 2.5, 3.5, 4.5]})
    by_block, _, block = _answers(frame, [2, 2], [None, None], [False, False])
    first, second = by_block.results[0].series
    assert second.span == (block, 2, 2) and second.n_rows == 2
    first.values[0][1] = 9.25
    second.values[1][0] = 7
    assert block.spent and first.span is None and second.span is None
    assert encode.encode_json(by_block) == (b'{"results":[{"statement_id":0,"series":['
                                            b'{"name":"m0\\u0026","columns":["time","v"],"values":[[0,9.25],[1,2.5]]},'
                                            b'{"name":"m1\\u0026","columns":["time","v"],"values":[[2,3.5],[7,4.5]]}]}]}\n')


def test_infinity_in_a_block_is_the_error_document():
    frame = pl.DataFrame({"time": ["a", "b", "c"], "v": [1.5, math.inf, -math.inf]})
    by_block, by_rows, _ = _answers(frame, [1, 2], [None, None], [False, False])
    got = encode.encode_json(by_block)
    assert got.endswith(b"json: unsupported value: +Inf\n")
    assert got == encode.encode_json(by_rows)
    assert encode.encode_json(_answers(frame, [1, 2], [None, None], [False, False])[0], v3=True) == \
        encode.encode_json(by_rows, v3=True)


@pytest.mark.parametrize("v3", [False, True])
def test_one_series_of_a_block_is_written_from_its_columns(v3):
    """A single series spanning a block (an answer of 32 rows or more, one series): its rows are
    not built, an infinity is found in the block's columns (the first in the order written)."""
    frame = pl.DataFrame({"time": [f"2016-01-01T00:00:{i:02d}Z" for i in range(40)],
                          "a": [i / 4 for i in range(40)], "b": [-0.0, 1e21, 5e-324, math.nan] * 10})
    by_block, by_rows, block = _answers(frame, [40], [{"host": "h"}], [False])
    assert encode.encode_json(by_block, v3=v3) == encode.encode_json(by_rows, v3=v3)
    assert not block.spent
    inf = frame.with_columns(pl.Series("a", [*range(30), -math.inf, *range(9)], dtype=pl.Float64),
                             pl.Series("b", [0.5] * 20 + [math.inf] * 20))
    by_block, by_rows, block = _answers(inf, [40], [None], [False])
    got = encode.encode_json(by_block, v3=v3)
    assert got == encode.encode_json(by_rows, v3=v3) and b"unsupported value: +Inf" in got
    assert not block.spent


@pytest.mark.parametrize("column", [pl.Series(["a", None]), pl.Series(["a", "<b>\u2028"]), pl.Series([1, None]),
                                    pl.Series([2.0**53, -0.0]), pl.Series([[1], [2]])])
def test_other_columns_as_the_rows_path_writes_them(column):
    frame = pl.DataFrame({"\x00c0": ["t0", "t1"], "\x00c1": column})
    by_block, by_rows, block = _answers(frame, [1, 1], [None, None], [False, False])
    for pretty in (False, True):
        assert encode.encode_json(by_block, pretty) == encode.encode_json(by_rows, pretty)
    assert not block.spent


_MEANS = st.one_of(st.floats(1e-4, 1e16, exclude_max=True).filter(lambda v: not v.is_integer()),
                   st.floats(-1e16, -1e-4, exclude_min=True).filter(lambda v: not v.is_integer()),
                   st.sampled_from([math.nan, None]))


@settings(max_examples=200, deadline=None)
@given(data=st.data(), fields=st.integers(2, 5), odd=st.one_of(st.none(), _MORE["odd"][1], st.floats()),
       v3=st.booleans())
def test_many_float_columns_looked_at_together(data, fields, odd, v3):
    """A GROUP BY of several means: the float columns are looked at together (one NumPy pass
    over all of them) while every cell prints as orjson writes it; one odd cell anywhere
    (integral, tiny, huge, -0.0, infinite) sends every column the column-by-column way."""
    lengths = data.draw(st.lists(st.integers(1, 5), min_size=1, max_size=5))
    n = sum(lengths)
    cols = {f"\x00c{j}": pl.Series(data.draw(st.lists(_MEANS, min_size=n, max_size=n)), dtype=pl.Float64)
            for j in range(1, fields + 1)}
    frame = pl.DataFrame({"\x00c0": [f"t{i}" for i in range(n)], **cols})
    if odd is not None:
        col, row = data.draw(st.integers(1, fields)), data.draw(st.integers(0, n - 1))
        frame = frame.with_columns(frame[f"\x00c{col}"].scatter(row, odd))
    by_block, by_rows, block = _answers(frame, lengths, [{"host": f"h{i}"} for i in range(len(lengths))],
                                        [False] * len(lengths))
    assert encode.encode_json(by_block, v3=v3) == encode.encode_json(by_rows, v3=v3)
    assert not block.spent


def test_two_float_columns_of_means_and_one_integral_value():
    frame = pl.DataFrame({"time": ["t0", "t1", "t2"], "a": [1.25, None, 2.5], "b": [0.5, 3.0, math.nan]})
    by_block, by_rows, _ = _answers(frame, [2, 1], [None, None], [False, False])
    got = encode.encode_json(by_block)
    assert got == encode.encode_json(by_rows)
    assert b'"values":[["t0",1.25,0.5],["t1",null,3]]' in got and b'"values":[["t2",2.5,null]]' in got
