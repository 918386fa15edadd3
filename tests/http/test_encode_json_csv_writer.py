"""Compact JSON ``values`` written by Polars' CSV writer (tsdb_http/encode_json_csv_writer.py)
are the column-by-column path's bytes (tsdb_http/encode_json_frame.py, which the rows path's
bytes are checked against in test_encode_frame.py): over random frames, small and large,
clean (the writer quotes the strings) and not (floats orjson writes otherwise, strings
needing escapes, booleans, nulls), 1.x's and v3's forms, in pieces of any size; and whole
answers, every epoch precision, against the rows path."""
from __future__ import annotations

import math
import re

import polars as pl
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.http.conftest import REAL_ENGINE
from tests.http.test_encode_frame_formats import _both
from tests.http.test_encode_frame_formats import frames as timed_frames
from tsdb_http import encode_json_csv_writer, encode_json_frame
from tsdb_http.encode import JSON, Encoder

pytestmark = pytest.mark.skipif(not REAL_ENGINE, reason="needs the query engine")

_ODD = st.sampled_from([0.0, -0.0, 2.0, -7.0, 1e-4, 9.999999999999999e-05, 1e-5, 1e-7, 1e15, 1e16, 1e21,
                        2.0**53, 2.0**53 + 2, 2.0**63, 5e-324, 1.7976931348623157e308, math.nan])
_PLAIN = st.floats(1e-4, 1e15).filter(lambda v: not v.is_integer()).map(lambda v: v if v > 1 else -v)
_TEXT = st.one_of(st.text(max_size=6), st.sampled_from(['a"b', "a\\b", "<&>", "\u2028x\u2029", "é✓", "\x00\x1f\x7f",
                                                         "tab\there", "", "null", "a,b", "x\r\ny", "],[", "v1.0,", "2.0]"]))
_TAG = st.sampled_from(["host_1", "us-east-1", "", "东京", "a b", "x;y", "123", "NaN", "-0", " lead", "1e5", "v1.0",
                        "1.0,2", "x.0]"])
_WHOLE = st.sampled_from([0.0, 100.0, -0.0, 2.0, -7.0, 2.0**52, 999999999999999.0, 1e15])


def _column(draw, kind: str, n: int) -> pl.Series:
    if kind == "plainfloat":  # the writer's own digits: the common case
        cells = st.one_of(_PLAIN, st.none()) if draw(st.booleans()) else _PLAIN
        return pl.Series(draw(st.lists(cells, min_size=n, max_size=n)), dtype=pl.Float64)
    if kind == "mostlyplain":  # a few cells orjson and the writer write otherwise, anywhere
        return pl.Series(draw(st.lists(st.one_of(_PLAIN, _PLAIN, _PLAIN, _ODD, st.none()), min_size=n, max_size=n)),
                         dtype=pl.Float64)
    if kind == "clamped":  # (TSBS' usage fields: random walks held at 0 and 100)
        return pl.Series(draw(st.lists(st.one_of(_PLAIN, _WHOLE, st.none()), min_size=n, max_size=n)), dtype=pl.Float64)
    if kind == "float32":
        return pl.Series(draw(st.lists(st.one_of(st.none(), st.floats(width=32)), min_size=n, max_size=n)),
                         dtype=pl.Float32)
    if kind == "float":
        return pl.Series(draw(st.lists(st.one_of(st.none(), st.floats(), _ODD), min_size=n, max_size=n)),
                         dtype=pl.Float64)
    if kind == "tag":
        cells = st.one_of(_TAG, st.none()) if draw(st.booleans()) else _TAG
        return pl.Series(draw(st.lists(cells, min_size=n, max_size=n)), dtype=pl.String)
    if kind == "str":
        return pl.Series(draw(st.lists(st.one_of(st.none(), _TEXT), min_size=n, max_size=n)), dtype=pl.String)
    if kind == "int":
        return pl.Series(draw(st.lists(st.one_of(st.none(), st.integers(-2**63, 2**63 - 1)), min_size=n, max_size=n)),
                         dtype=pl.Int64)
    if kind == "uint":
        return pl.Series(draw(st.lists(st.integers(0, 2**64 - 1), min_size=n, max_size=n)), dtype=pl.UInt64)
    if kind == "bool":
        return pl.Series(draw(st.lists(st.one_of(st.none(), st.booleans()), min_size=n, max_size=n)),
                         dtype=pl.Boolean)
    return pl.Series([None] * n, dtype=pl.Null)


_CLEAN = ["plainfloat", "clamped", "tag", "int", "uint", "null"]
_ANY = [*_CLEAN, "mostlyplain", "float", "float32", "str", "bool"]


@st.composite
def frames(draw, kinds=_ANY, max_rows: int = 40):
    """A time column (text or int ns) and up to seven columns of the given kinds."""
    n = draw(st.integers(1, max_rows))
    chosen = draw(st.lists(st.sampled_from(kinds), min_size=0, max_size=7))
    first = draw(st.sampled_from(["tag", "int"]))
    return pl.DataFrame({f"c{i}": _column(draw, k, n) for i, k in enumerate([first, *chosen])})


def _old(frame: pl.DataFrame, piece_rows: int, v3: bool) -> bytes:
    return b"".join(encode_json_frame.values_pieces(frame, piece_rows, v3=v3))


def _new(frame: pl.DataFrame, piece_rows: int, v3: bool) -> list:
    return list(encode_json_csv_writer.values_pieces(frame, piece_rows, v3=v3))


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(frame=frames(), piece_rows=st.integers(1, 16), v3=st.booleans())
def test_writer_equals_column_path(frame, piece_rows, v3):
    pieces = _new(frame, piece_rows, v3)
    assert b"".join(pieces) == _old(frame, piece_rows, v3)
    assert len(pieces) == 2 + -(-frame.height // piece_rows)  # "[[", one per piece of rows, "]"


@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(frame=frames(kinds=_CLEAN, max_rows=300), piece_rows=st.integers(32, 400), v3=st.booleans())
def test_clean_frames_are_quoted_by_the_writer(frame, piece_rows, v3):
    """Numbers, nulls and strings needing only quotes: the writer quotes the strings itself;
    integral floats' ``.0`` is cut from its text, unless a string could be mistaken for one."""
    assert b"".join(_new(frame, piece_rows, v3)) == _old(frame, piece_rows, v3)


def test_odd_cells_far_into_a_large_frame():
    """Cells the writer writes otherwise, past the first piece, in a column that is mostly plain."""
    n = 20_000
    x = [((i * 7919) % 100_000) / 997 + 0.001 for i in range(n)]
    for i, v in ((12_345, 2.0), (15_000, -0.0), (19_999, 1e16), (8191, 1e-5), (8192, math.nan), (4095, None)):
        x[i] = v
    frame = pl.DataFrame({"t": [f"2016-01-01T00:00:{i % 60:02d}Z" for i in range(n)], "v": x,
                          "h": [f"host_{i % 100}" for i in range(n)], "w": [float(i) for i in range(n)]})
    assert encode_json_csv_writer._columns(frame, False)[3] == "never"
    for v3 in (False, True):
        assert b"".join(_new(frame, 4096, v3)) == _old(frame, 4096, v3)


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(frame=timed_frames(max_rows=30), epoch=st.sampled_from(["ns", "n", "u", "µ", "ms", "s", "m", "h"]),
       v3=st.booleans())
def test_answers_equal_rows_path_every_epoch(frame, epoch, v3):
    """Whole answers (times rendered as the route renders them) from frames and from Python rows."""
    framed, rows = _both([(frame, {"host": "h1"})], epoch, JSON)
    enc = Encoder(JSON, epoch=epoch, v3=v3)
    assert b"".join(enc.pieces(framed)) == enc.encode(rows)


def test_integral_floats_cut_unless_a_string_looks_like_one():
    """TSBS-like fields (random walks held at 0 and 100): written by the writer, ``100.0`` cut to
    ``100``; a tag holding ``.0,`` turns the cut off (those columns then go as text)."""
    n = 9000
    v = [[[0.0, 100.0, 37.25, 99.5, 2.0**40][(i * k) % 5] + (0 if (i * k) % 5 in (0, 1, 4) else i / 7919)
          for i in range(n)] for k in (1, 3)]
    frame = pl.DataFrame({"time": [f"2016-01-01T00:00:{i % 60:02d}Z" for i in range(n)],
                          "host": [f"host_{i % 100}" for i in range(n)], "a": v[0], "b": v[1]})
    for v3 in (False, True):
        _, _, patched, quote_style, cut = encode_json_csv_writer._columns(frame, v3)
        assert (quote_style, cut, patched) == ("non_numeric", True, {})
        body = b"".join(_new(frame, 4096, v3))
        assert body == _old(frame, 4096, v3)
        assert b",100," in body and b"100.0," not in body and b"100.0]" not in body
    fake = frame.with_columns(pl.Series("host", ["v1.0,x"] + frame["host"].to_list()[1:]))
    _, _, patched, quote_style, cut = encode_json_csv_writer._columns(fake, False)
    assert (quote_style, cut, sorted(patched)) == ("never", False, ["c2", "c3"])
    assert b"".join(_new(fake, 4096, False)) == _old(fake, 4096, False)


_CELL = st.sampled_from([b"2.0", b"100.0", b"-0.0", b"0.5", b"1.05", b"10.0", b"3.25", b"null", b'"a.0"', b"7", b"1e-05"])


@settings(max_examples=200, deadline=None)
@given(rows=st.lists(st.lists(_CELL, min_size=1, max_size=6), min_size=1, max_size=120), few=st.sampled_from([0, 3, 256]))
def test_cut_ints_equals_a_regex(rows, few):
    """The cut (``.0`` found as 2-byte words at either offset; joined around a few cuts or masked
    out when many) drops exactly the ``.0`` before ``,`` or ``]``, as one regex does."""
    body = b"],[".join(b",".join(r) for r in rows) + b"],["
    got = bytes(encode_json_csv_writer._cut_ints(memoryview(body), few))
    assert got == re.sub(rb"\.0(?=[,\]])", b"", body)
