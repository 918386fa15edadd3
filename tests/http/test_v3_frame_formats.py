"""InfluxDB 3's CSV and msgpack written from frames (tsdb_http/encode_v3_frame.py) are the
rows path's bytes (tsdb_http/encode_v3.py, kept as the reference and for answers held as
Python rows): over random frames of every column type (NaN, ±Inf, -0, floats past 2**63,
tiny ones, nulls, text needing quotes), every epoch, pieces of any size, chunked or not,
and through HTTP in the cloud-dedicated mode."""
from __future__ import annotations

import math

import msgpack
import polars as pl
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.conftest import examples
from tests.http.conftest import REAL_ENGINE
from tests.http.test_encode_frame_formats import _COLUMNS, _TAGS, _TIMES
from tsdb_core import Series, StatementResult
from tsdb_core.query.influxdb3 import v3_times
from tsdb_core.query.results import frame_rows, rfc3339_times
from tsdb_http import (
    chunking,
    encode_csv_frame,
    encode_v3,
    encode_v3_frame,
    frame_pieces,
)
from tsdb_http.encode import CSV, MSGPACK, Encoder, Response

pytestmark = pytest.mark.skipif(not REAL_ENGINE, reason="needs the query engine")

_BIG = [2.0 ** 63, -2.0 ** 63, 2.0 ** 63 - 1024, -(2.0 ** 63) + 1024, 9.3e18, 1e300, -1e-300, 2.0 ** 64,
        1e15, 1e16 + 2, 123456789012.0, -0.0, 0.5, -2.5e-8, math.inf, -math.inf, math.nan]
_KINDS = {**_COLUMNS,
          "bigfloat": (pl.Float64, st.one_of(st.none(), st.sampled_from(_BIG), st.integers(-2**64, 2**64).map(float))),
          "quoted": (pl.String, st.one_of(st.none(), st.sampled_from(['a,b', '"', 'x"y,z', '', 'a\nb', 'é,'])))}


@st.composite
def frames(draw, max_rows: int = 12):
    """A time column (int64 ns) and up to seven columns of any kind."""
    kinds = draw(st.lists(st.sampled_from(sorted(_KINDS)), min_size=0, max_size=7))
    n = draw(st.integers(1, max_rows))
    data = {"time": pl.Series(draw(st.lists(_TIMES, min_size=n, max_size=n)), dtype=pl.Int64)}
    for i, k in enumerate(kinds):
        dtype, cells = _KINDS[k]
        data[f"\x00c,{i}"] = pl.Series(draw(st.lists(cells, min_size=n, max_size=n)), dtype=dtype, strict=False)
    return pl.DataFrame(data)


def _text_times(frame: pl.DataFrame) -> pl.DataFrame:
    """The time column as the core hands it over without ``epoch``: RFC 3339 text in v3's form."""
    times = rfc3339_times(frame.get_column("time").to_numpy())
    return frame.with_columns(pl.Series("time", times, dtype=pl.String))


def _both(frames_tags: list, epoch: str | None, kind: str, statements: int = 1) -> tuple[Response, Response]:
    """The same answer frame-backed and as Python rows, times as the route hands them over."""
    out = []
    for rows in (False, True):
        series = []
        for i, (f, tags) in enumerate(frames_tags):
            if kind == MSGPACK and not epoch:
                f = _text_times(f)
            cols = list(f.columns)
            series.append(Series("m,\"é", tags, cols, frame_rows(f), partial=i % 2 == 1) if rows else
                          Series("m,\"é", tags, cols, frame=f, partial=i % 2 == 1))
        per = max(1, -(-len(series) // statements))
        results = [StatementResult(j, series[j * per:(j + 1) * per]) for j in range(statements)]
        for r in results:
            v3_times(r)
        encode_v3.render_times(results, epoch)
        out.append(Response(results))
    return out[0], out[1]


_EPOCHS = st.sampled_from([None, "ns", "u", "ms", "s", "m", "h"])


def _pieces_patched(mp, rows: int) -> None:
    mp.setattr(encode_csv_frame, "PIECE_ROWS", rows)
    mp.setattr(encode_v3_frame, "PIECE_ROWS", rows)
    mp.setattr(frame_pieces, "MIN_PIECE", 1)


def _frames_kept(resp: Response) -> bool:
    return all(s.frame is not None for r in resp.results for s in r.series)


@settings(max_examples=examples(300), deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(frame=frames(), tags=_TAGS, epoch=_EPOCHS, piece_rows=st.integers(1, 5), kind=st.sampled_from([CSV, MSGPACK]))
def test_frame_equals_rows_path(frame, tags, epoch, piece_rows, kind):
    framed, rows = _both([(frame, tags)], epoch, kind)
    with pytest.MonkeyPatch.context() as mp:
        _pieces_patched(mp, piece_rows)
        pieces = list(Encoder(kind, epoch=epoch, v3=True).pieces(framed))
    assert b"".join(pieces) == Encoder(kind, epoch=epoch, v3=True).encode(rows)
    assert len(pieces) >= -(-frame.height // piece_rows)  # streamed: a piece per piece_rows rows
    assert _frames_kept(framed)  # no Python rows were built


@settings(max_examples=examples(100), deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.lists(st.tuples(frames(max_rows=80), _TAGS), min_size=1, max_size=4), epoch=_EPOCHS,
       statements=st.integers(1, 3), mixed=st.booleans(), chunk=st.one_of(st.none(), st.integers(1, 50)))
def test_several_series_statements_and_chunks(data, epoch, statements, mixed, chunk):
    """Headers once per statement, blank lines between statements, Python-row series between
    frame-backed ones (``mixed``), CSV's column-wise batches of 64+ rows, and InfluxDB 3's
    chunks (frames sliced) give the rows path's bytes."""
    for kind in (CSV, MSGPACK):
        framed, rows = _both(data, epoch, kind, statements)
        if mixed:
            for r in framed.results:
                for i, s in enumerate(r.series):
                    if i % 2:
                        _ = s.values  # this one goes the rows path
        got, want = [], []
        for resp, out in ((framed, got), (rows, want)):
            enc = Encoder(kind, epoch=epoch, v3=True)
            for part in chunking.responses(resp.results, chunk is not None, chunk or 0, True):
                out.append(enc.encode(part))
        assert got == want, kind


def test_forms_spelled_out():
    """The forms themselves, read independently of the rows path."""
    vals = [2.0, -0.0, 1e21, 1e-7, math.nan, math.inf, -math.inf, None, 0.1, 2.0 ** 63, -2.0 ** 63 + 1024]
    frame = pl.DataFrame({"time": list(range(len(vals))), "f": vals,
                          "s": ["a,b", 'q"', None, "", "x", "é", "y", "z", "w", "v", "u"],
                          "i": [0, 127, 128, -33, 256, 65536, 2**32, -129, None, -2**31 - 1, 2**63 - 1]}, strict=False)
    framed, rows = _both([(frame, {"h": "a,b", "e": ""})], None, CSV)
    got = Encoder(CSV, v3=True).encode(framed)
    assert got == Encoder(CSV, v3=True).encode(rows)
    assert got.decode().split("\n")[:5] == [
        "name,tags,time,f,s,i", '"m,""é","e=,h=a,b",0,2,"a,b",0', '"m,""é","e=,h=a,b",1,-0,"q""",127',
        '"m,""é","e=,h=a,b",2,1000000000000000000000,,128', '"m,""é","e=,h=a,b",3,0.0000001,,-33']
    for line in (",4,NaN,x,256\n", ",5,inf,é,65536\n", ",6,-inf,y,4294967296\n", ",7,,z,-129\n",
                 ",9,9223372036854776000,v,-2147483649\n"):  # Rust: shortest digits, zero-padded
        assert line in got.decode()
    framed, rows = _both([(frame, None)], "ms", MSGPACK)
    got = Encoder(MSGPACK, epoch="ms", v3=True).encode(framed)
    assert got == Encoder(MSGPACK, epoch="ms", v3=True).encode(rows)
    (statement,) = msgpack.unpackb(got)[0]
    values = statement[1][0][2]
    assert [r[1] for r in values][:4] == [2, 0, 1e21, 1e-7]
    assert values[4][1] is None and values[5][1] == math.inf and values[7][1] is None
    assert values[9][1] == 2.0 ** 63 and isinstance(values[9][1], float)
    assert values[10][1] == -2 ** 63 + 1024 and isinstance(values[10][1], int)
    assert b"\xcc\x80" in got and b"\xd0\xdf" in got and b"\xce\x00\x01\x00\x00" in got  # unsigned forms for >= 0
