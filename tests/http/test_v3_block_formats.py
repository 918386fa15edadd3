"""InfluxDB 3's CSV and msgpack of a GROUP BY's series sharing one SeriesBlock, written from
the block's columns (tsdb_http/encode_v3.py), are the rows path's bytes: over random blocks
(-0, floats past 2**63 and tiny ones, integers at int64's bounds, text with commas, quotes and
line breaks, booleans, nulls), several series and statements, series between them held as
Python rows or holding no row, every epoch, times as the route hands them over (JSON's too:
v3's times are rewritten in the block, once)."""
from __future__ import annotations

import msgpack
import polars as pl
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.conftest import examples
from tests.http.conftest import REAL_ENGINE
from tests.http.test_encode_frame_formats import _TAGS
from tests.http.test_v3_frame_formats import _EPOCHS, _text_times, frames
from tsdb_core import Series, SeriesBlock, StatementResult
from tsdb_core.query.influxdb3 import v3_times
from tsdb_core.query.results import frame_rows
from tsdb_http import chunking, encode_v3
from tsdb_http.encode import CSV, JSON, MSGPACK, Encoder, Response

pytestmark = pytest.mark.skipif(not REAL_ENGINE, reason="needs the query engine")


def _answers(frame: pl.DataFrame, lengths: list[int], tags: list, epoch: str | None, kind: str,
             breaks: set[int], split: int) -> tuple[Response, Response]:
    """The same series as spans of one block and as Python rows, the first ``split`` in
    statement 0, the others in statement 1; a series in ``breaks`` is held as rows in the
    block answer too, and an empty series follows it."""
    if kind != CSV and not epoch:
        frame = _text_times(frame)
    cols = list(frame.columns)
    out = []
    for rows in (False, True):
        block, all_rows = SeriesBlock(frame), frame_rows(frame)
        series, start = [], 0
        for k, (n, t) in enumerate(zip(lengths, tags)):
            name = "m,\"é" if k % 3 else "cpu"
            if rows or k in breaks:
                series.append(Series(name, t, cols, [list(r) for r in all_rows[start:start + n]], partial=k % 2 == 1))
            else:
                series.append(Series(name, t, cols, partial=k % 2 == 1, span=(block, start, n)))
            if k in breaks:
                series.append(Series(name, t, cols, []))
            start += n
        results = [StatementResult(0, series[:split]), StatementResult(1, series[split:])]
        for r in results:
            v3_times(r)
        encode_v3.render_times(results, epoch)
        out.append(Response(results))
    return out[0], out[1]


@st.composite
def _blocks(draw):
    frame = draw(frames(max_rows=40))
    cuts = sorted(draw(st.lists(st.integers(0, frame.height), max_size=6)))
    bounds = [0, *cuts, frame.height]
    lengths = [b - a for a, b in zip(bounds, bounds[1:])]  # (series without rows too)
    tags = draw(st.lists(_TAGS, min_size=len(lengths), max_size=len(lengths)))
    breaks = draw(st.sets(st.integers(0, len(lengths) - 1), max_size=2))
    return frame, lengths, tags, breaks, draw(st.integers(0, len(lengths) + len(breaks)))


@settings(max_examples=examples(300), deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(block=_blocks(), epoch=_EPOCHS, kind=st.sampled_from([CSV, MSGPACK, JSON]))
def test_block_equals_rows_path(block, epoch, kind):
    frame, lengths, tags, breaks, split = block
    blocked, rows = _answers(frame, lengths, tags, epoch, kind, breaks, split)
    spans = sum(s.span is not None for r in blocked.results for s in r.series)
    got = b"".join(Encoder(kind, epoch=epoch, v3=True).pieces(blocked))
    assert got == Encoder(kind, epoch=epoch, v3=True).encode(rows)
    if kind != MSGPACK:  # (msgpack packs a block of fewer than 512 rows from its rows: faster)
        assert sum(s.span is not None for r in blocked.results for s in r.series) == spans  # no rows built


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(block=_blocks(), epoch=_EPOCHS, times=st.integers(1, 3))
def test_large_block_msgpack_is_written_from_its_columns(block, epoch, times):
    """msgpack of a block of 512 rows or more (the drawn block repeated, its series in one
    statement): its rows' bytes are written from its columns (no rows built), the rows path's
    bytes (smaller blocks, packed from their rows: :func:`test_block_equals_rows_path`)."""
    frame, lengths, tags, _, _ = block
    k = -(-512 // max(frame.height, 1)) * times if frame.height else 1
    blocked, rows = _answers(pl.concat([frame] * k), [n * k for n in lengths], tags, epoch, MSGPACK, set(), 0)
    spans = sum(s.span is not None for r in blocked.results for s in r.series)
    assert b"".join(Encoder(MSGPACK, epoch=epoch, v3=True).pieces(blocked)) == Encoder(MSGPACK, epoch=epoch, v3=True).encode(rows)
    assert sum(s.span is not None for r in blocked.results for s in r.series) == spans


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(block=_blocks(), epoch=_EPOCHS, chunk=st.integers(1, 30))
def test_block_chunked_equals_rows_path(block, epoch, chunk):
    """InfluxDB 3's chunks (a series each) of a block answer: the rows path's bytes."""
    frame, lengths, tags, breaks, split = block
    for kind in (CSV, MSGPACK):
        blocked, rows = _answers(frame, lengths, tags, epoch, kind, breaks, split)
        got, want = [], []
        for resp, out in ((blocked, got), (rows, want)):
            enc = Encoder(kind, epoch=epoch, v3=True)
            for part in chunking.responses(resp.results, True, chunk, True):
                out.append(enc.encode(part))
        assert got == want, kind


def test_block_forms_spelled_out():
    """Two series of one block read back independently of the rows path."""
    frame = pl.DataFrame({"time": [0, 1_500_000_000, 3_600_000_000_000],
                          "f": [-0.0, 1e21, None], "i": [2**63 - 1, -2**63, None],
                          "s": ['a,"b"', "x\ny", None], "b": [True, False, None]})
    blocked, _ = _answers(frame, [1, 2], [{"host": "a,b"}, {"host": ""}], None, CSV, set(), 2)
    assert Encoder(CSV, v3=True).encode(blocked).decode().split("\n") == [
        "name,tags,time,f,i,s,b",
        'cpu,"host=a,b",0,-0,9223372036854775807,"a,""b""",true',
        '"m,""é",host=,1500000000,1000000000000000000000,-9223372036854775808,x',
        'y,false',
        '"m,""é",host=,3600000000000,,,,', ""]
    blocked, _ = _answers(frame, [1, 2], [{"host": "a,b"}, None], None, MSGPACK, set(), 1)
    (first, second) = msgpack.unpackb(Encoder(MSGPACK, v3=True).encode(blocked))[0]
    assert first == [0, [["cpu", {"host": "a,b"}, ["time", "f", "i", "s", "b"],
                          [["1970-01-01T00:00:00Z", 0, 2**63 - 1, 'a,"b"', True]]]]]
    assert second == [1, [['m,"é', ["time", "f", "i", "s", "b"],
                           [["1970-01-01T00:00:01.500Z", 1e21, -2**63, "x\ny", False],
                            ["1970-01-01T01:00:00Z", None, None, None, None]], True]]]
