"""CSV and msgpack answers written from frames (tsdb_http/encode_csv_frame.py,
encode_msgpack_frame.py) are the rows path's bytes: over random frames (nulls, NaN, ±Inf,
big ints, unicode tags, empty strings, booleans, every epoch), with pieces of any size,
and through HTTP in both compat modes (every series frame-backed, then Python rows)."""
from __future__ import annotations

import math
import struct

import msgpack
import polars as pl
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.conftest import examples
from tests.http.conftest import REAL_ENGINE, make_client
from tests.http.test_encode_frame import all_frames  # noqa: F401 (fixture)
from tsdb_core import Series, StatementResult
from tsdb_core.query.results import frame_rows
from tsdb_http import encode, encode_csv_frame, encode_msgpack_frame, frame_pieces
from tsdb_http.encode import CSV, MSGPACK, Encoder, Response

pytestmark = pytest.mark.skipif(not REAL_ENGINE, reason="needs the query engine")

_FLOATS = st.one_of(st.floats(), st.sampled_from([0.0, -0.0, 1e-4, 9.999999999999999e-05, 1e-5, 1e-7, 1e15, 1e16,
                                                   1e21, 2.0**53, 2.0**53 + 2, 123.0, -7.0, 0.1, math.nan,
                                                   -math.nan, math.inf, -math.inf, 5e-324, 1.7976931348623157e308]))
_INT_EDGES = [0, -1, 127, 128, -32, -33, -128, -129, 255, 256, 32767, 32768, -32768, -32769, 2**31 - 1, 2**31,
              -2**31, -2**31 - 1, 2**63 - 1, -2**63]
_INTS = st.one_of(st.integers(-2**63, 2**63 - 1), st.sampled_from(_INT_EDGES))
_TEXT = st.one_of(st.text(max_size=8), st.text(max_size=300), st.sampled_from(
    ['a"b', "a,b", "\\.", "\\.x", " lead", "\u3000x", "\x1cx", "\x85x", "x\r\ny", "é✓", "", "null", "NaN"]))
_COLUMNS = {
    "float": (pl.Float64, st.one_of(st.none(), _FLOATS)),
    "float32": (pl.Float32, st.one_of(st.none(), st.floats(width=32))),
    "int": (pl.Int64, st.one_of(st.none(), _INTS)),
    "int8": (pl.Int8, st.one_of(st.none(), st.integers(-128, 127))),
    "uint": (pl.UInt64, st.one_of(st.none(), st.integers(0, 2**64 - 1), st.sampled_from([2**63, 2**64 - 1]))),
    "uint32": (pl.UInt32, st.integers(0, 2**32 - 1)),
    "bool": (pl.Boolean, st.one_of(st.none(), st.booleans())),
    "str": (pl.String, st.one_of(st.none(), _TEXT)),
    "tag": (pl.String, st.sampled_from(["host_1", "us-east-1", "", "东京", "a b"])),
    "null": (pl.Null, st.none()),
    "plainfloat": (pl.Float64, st.floats(0.001, 1e6).filter(lambda v: not v.is_integer())),
}
_TIMES = st.one_of(st.integers(-2**62, 2**62), st.integers(-2**33, 2**33).map(lambda s: s * 1_000_000_000))


@st.composite
def frames(draw, max_rows: int = 12):
    """A time column (int64 ns, any sign) and up to six columns of any kind."""
    kinds = draw(st.lists(st.sampled_from(sorted(_COLUMNS)), min_size=0, max_size=6))
    n = draw(st.integers(1, max_rows))
    data = {"time": pl.Series(draw(st.lists(_TIMES, min_size=n, max_size=n)), dtype=pl.Int64)}
    for i, k in enumerate(kinds):
        dtype, cells = _COLUMNS[k]
        data[f"\x00c{i}"] = pl.Series(draw(st.lists(cells, min_size=n, max_size=n)), dtype=dtype, strict=False)
    return pl.DataFrame(data)


_TAGS = st.one_of(st.none(), st.dictionaries(st.sampled_from(["host", "région", "a b", "x,y"]),
                                             st.sampled_from(["", "h1", "東", "a=b", "q\"", " s"]), max_size=3))


def _series(frame: pl.DataFrame, tags, rows: bool, partial: bool = False) -> Series:
    if rows:
        return Series("m,é", tags, list(frame.columns), frame_rows(frame), partial=partial)
    return Series("m,é", tags, list(frame.columns), frame=frame, partial=partial)


def _both(frames_tags: list, epoch: str | None, kind: str, statements: int = 1) -> tuple[Response, Response]:
    """The same answer frame-backed and as Python rows, times rendered as the route renders them."""
    out = []
    for rows in (False, True):
        series = [_series(f, t, rows, partial=i % 2 == 1) for i, (f, t) in enumerate(frames_tags)]
        per = max(1, -(-len(series) // statements))
        results = [StatementResult(j, series[j * per:(j + 1) * per]) for j in range(statements)]
        encode.render_times(results, epoch, kind)
        out.append(Response(results))
    return out[0], out[1]


_EPOCHS = st.sampled_from([None, "ns", "u", "ms", "s", "m", "h"])


def _pieces_patched(mp, rows: int) -> None:
    mp.setattr(encode_csv_frame, "PIECE_ROWS", rows)
    mp.setattr(encode_msgpack_frame, "PIECE_ROWS", rows)
    mp.setattr(frame_pieces, "MIN_PIECE", 1)


@settings(max_examples=examples(400), deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(frame=frames(), tags=_TAGS, epoch=_EPOCHS, piece_rows=st.integers(1, 5))
def test_csv_frame_equals_rows_path(frame, tags, epoch, piece_rows):
    framed, rows = _both([(frame, tags)], epoch, CSV)
    with pytest.MonkeyPatch.context() as mp:
        _pieces_patched(mp, piece_rows)
        pieces = list(Encoder(CSV, epoch=epoch).pieces(framed))
    assert b"".join(pieces) == Encoder(CSV, epoch=epoch).encode(rows)
    assert len(pieces) >= -(-frame.height // piece_rows)  # streamed: a piece per piece_rows rows
    assert framed.results[0].series[0].frame is not None  # no Python rows were built


@settings(max_examples=examples(400), deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(frame=frames(), tags=_TAGS, epoch=_EPOCHS, piece_rows=st.integers(1, 5))
def test_msgpack_frame_equals_rows_path(frame, tags, epoch, piece_rows):
    framed, rows = _both([(frame, tags)], epoch, MSGPACK)
    with pytest.MonkeyPatch.context() as mp:
        _pieces_patched(mp, piece_rows)
        pieces = list(Encoder(MSGPACK, epoch=epoch).pieces(framed))
    got = b"".join(pieces)
    assert got == Encoder(MSGPACK, epoch=epoch).encode(rows)
    assert len(pieces) >= -(-frame.height // piece_rows)
    assert framed.results[0].series[0].frame is not None
    # and an independent reading: the values unpack to the frame's cells
    back = msgpack.unpackb(got, raw=False, strict_map_key=False, ext_hook=_msgp_time)
    cells = back["results"][0]["series"][0]["values"]
    assert [_same(a, b) for r, w in zip(cells, frame_rows(frame)) for a, b in zip(r, w)] == \
        [True] * frame.height * frame.width or epoch not in (None, "ns")


def _msgp_time(code: int, data: bytes) -> tuple:
    """msgp's time extension (type 5: int64 seconds, uint32 ns) as ("time", ns)."""
    assert code == 5 and len(data) == 12
    sec, nsec = struct.unpack(">qI", data)
    assert nsec < 1_000_000_000
    return ("time", sec * 1_000_000_000 + nsec)


def _same(got, want) -> bool:
    if isinstance(got, tuple):  # a time sent as msgp's time extension
        return got == ("time", want)
    if isinstance(got, float) and math.isnan(got):
        return isinstance(want, float) and math.isnan(want)
    return got == want or (isinstance(want, float) and float(got) == want)


@settings(max_examples=examples(150), deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.lists(st.tuples(frames(max_rows=80), _TAGS), min_size=1, max_size=4), epoch=_EPOCHS,
       statements=st.integers(1, 3), mixed=st.booleans())
def test_several_series_and_statements(data, epoch, statements, mixed):
    """Tables change header where columns change and between statements; frame-backed series
    between Python-row ones (``mixed``) and CSV's batches of 64+ rows give the same bytes."""
    for kind in (CSV, MSGPACK):
        framed, rows = _both(data, epoch, kind, statements)
        if mixed:
            for st_ in framed.results:
                for i, s in enumerate(st_.series):
                    if i % 2:
                        _ = s.values  # this one goes the rows path
        assert Encoder(kind, epoch=epoch).encode(framed) == Encoder(kind, epoch=epoch).encode(rows), kind


def test_every_float_and_int_form():
    vals = [2.0, -0.0, 0.0, 1e21, 1e-7, 1e-5, 1e16, 5e-324, 2.5e-6, math.nan, math.inf, -math.inf, None, 0.1,
            123456.789, 2.0**53, 2.0**60]
    frame = pl.DataFrame({"time": list(range(len(vals))), "f": vals,
                          "i": [None, *_INT_EDGES[:len(vals) - 1]]}, strict=False)
    framed, rows = _both([(frame, None)], None, CSV)
    got = Encoder(CSV).encode(framed)
    assert got.decode().split("\n")[:4] == ["name,tags,time,f,i", '"m,é",,0,2,', '"m,é",,1,-0,0', '"m,é",,2,0,-1']
    for line in (",3,1000000000000000000000,127", ",6,10000000000000000,-33", ",4,0.0000001,128",
                 ",9,NaN,255", ",10,+Inf,256", ",11,-Inf,32767", ",12,,32768", ",16,1152921504606847000,2147483648"):
        assert line + "\n" in got.decode()
    assert got == Encoder(CSV).encode(rows)
    framed, rows = _both([(frame, None)], None, MSGPACK)
    assert Encoder(MSGPACK).encode(framed) == Encoder(MSGPACK).encode(rows)


def test_unsupported_column_types_go_the_rows_path():
    frame = pl.DataFrame({"time": [1, 2], "l": [[1], [2]]})
    assert not encode_csv_frame.encodable(frame) and not encode_msgpack_frame.encodable(frame)
    for kind in (CSV, MSGPACK):
        framed, rows = _both([(frame, None)], None, kind)
        assert Encoder(kind).encode(framed) == Encoder(kind).encode(rows)


# -- through HTTP, both compat modes ---------------------------------------------------------

_LINES = "\n".join(  # integral floats, escaped quotes, odd nanoseconds
    f"cpu,host=h{h % 3},region=r\\ {h % 2} usage={(h * 7.25) % 100 if h % 7 else 3},n={h - 50}i,"
    f"ok={str(h % 2 == 0).lower()},msg=\"é{h % 5},x\\\"\" {1_500_000_000_000_000_000 + h * 10_000_000_500}"
    for h in range(400))

QUERIES = ["SELECT * FROM cpu", "SELECT usage, n, ok, msg FROM cpu GROUP BY host",
           "SELECT usage FROM cpu WHERE host = 'h1'", "SELECT max(usage), count(n) FROM cpu WHERE time >= '2017-07-14T02:40:00Z' AND time < '2017-07-14T04:00:00Z' "
           "GROUP BY time(1m), *",
           "SELECT * FROM cpu LIMIT 3; SELECT n FROM cpu GROUP BY region"]


@pytest.fixture(scope="module", params=["influxdb1", "cloud-dedicated"])
def client(request):
    c = make_client(request.param)
    c.compat = request.param
    c.raw_store.create_database("db")
    assert c.raw_store.write("db", _LINES).ok
    return c


@pytest.mark.parametrize("accept", ["text/csv", "application/x-msgpack"])
@pytest.mark.parametrize("epoch", [None, "ms", "s"])
@pytest.mark.parametrize("chunked", [False, True])
def test_http_frames_and_rows_give_the_same_bytes(client, all_frames, accept, epoch, chunked):  # noqa: F811
    on, off = all_frames
    for q in QUERIES:
        params = {"q": q, "db": "db", **({"epoch": epoch} if epoch else {}),
                  **({"chunked": "true", "chunk_size": "7"} if chunked else {})}
        on()
        a = client.get("/query", params=params, headers={"Accept": accept})
        off()
        b = client.get("/query", params=params, headers={"Accept": accept})
        assert a.status_code == b.status_code == 200, (q, a.text)
        assert a.content == b.content, q
        assert len(a.content) > 200
        # frame-backed: streamed, not sized
        if not chunked and q == "SELECT * FROM cpu":
            assert "content-length" not in a.headers and "content-length" in b.headers
