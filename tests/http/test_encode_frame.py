"""The frame path of /query JSON (large answers, tsdb_http/encode_json_frame.py) writes the
rows path's bytes: against an independent json.dumps-based reference over random frames,
and through HTTP for every recorded influxd case and every NOAA/mixed query case (each
answered with every series frame-backed, then with Python rows)."""
from __future__ import annotations

import json
import math
import re
from decimal import Decimal

import polars as pl
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import tsdb_http.encode_json as encode_json_module
from tests.conftest import SLOW
from tests.http import golden
from tests.http.conftest import REAL_ENGINE, make_client
from tsdb_core import Series, StatementResult
from tsdb_core.query import engine
from tsdb_core.query.exec import fast as fastpath
from tsdb_http import encode, encode_json_csv_writer, encode_json_frame
from tsdb_http.encode import Response

pytestmark = pytest.mark.skipif(not REAL_ENGINE, reason="needs the query engine")


# -- an independent reference: json.dumps and Go's float rules written from the Go source ----

def ref_float(v: float) -> str:
    """encoding/json's floatEncoder: 'f' format for 1e-6 <= |v| < 1e21, else 'e' (e-07 → e-7)."""
    if math.isnan(v) or math.isinf(v):
        return "null"
    a = abs(v)
    if a != 0 and (a < 1e-6 or a >= 1e21):  # Python's repr: shortest digits, exponent of 2+ digits
        mant, exp = repr(v).split("e")
        return f"{mant}e-{exp[2:]}" if exp.startswith("-0") else f"{mant}e{exp}"
    text = format(Decimal(repr(v)), "f")
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return "-0" if text == "0" and math.copysign(1, v) < 0 else text


def ref_str(s: str) -> str:
    out = json.dumps(s, ensure_ascii=False)
    for ch, esc in (("<", "\\u003c"), (">", "\\u003e"), ("&", "\\u0026"), ("\u2028", "\\u2028"),
                    ("\u2029", "\\u2029")):
        out = out.replace(ch, esc)
    return out


def ref_cell(v) -> str:
    if v is None:
        return "null"
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, int):
        return str(v)
    if isinstance(v, float):
        return ref_float(v)
    return ref_str(v)


def ref_body(name: str, tags: dict | None, columns: list[str], rows: list[list], partial: bool) -> bytes:
    infs = [v for r in rows for v in r if isinstance(v, float) and math.isinf(v)]
    if infs:  # influxd 1.6.7 (recorded: tests/http/test_v1_infinity.py): json.Marshal's error as the body
        return (b"json: error calling MarshalJSON for type httpd.Response: json: error calling MarshalJSON for "
                b"type *query.Result: json: unsupported value: " + (b"+Inf" if infs[0] > 0 else b"-Inf") + b"\n")
    head = {"name": name, **({"tags": dict(sorted(tags.items()))} if tags else {}), "columns": columns}
    text = json.dumps(head, ensure_ascii=False, separators=(",", ":"))[:-1]
    for ch, esc in (("<", "\\u003c"), (">", "\\u003e"), ("&", "\\u0026")):
        text = text.replace(ch, esc)
    values = "[" + ",".join("[" + ",".join(map(ref_cell, r)) + "]" for r in rows) + "]"
    tail = ',"partial":true' if partial else ""
    return f'{{"results":[{{"statement_id":0,"series":[{text},"values":{values}{tail}}}]}}]}}\n'.encode()


@pytest.mark.parametrize("v,text", [(2.0, "2"), (-0.0, "-0"), (1e21, "1e+21"), (1e-7, "1e-7"), (1e-5, "0.00001"),
                                    (1e16, "10000000000000000"), (5e-324, "5e-324"), (2.5e-6, "0.0000025"),
                                    (1.7976931348623157e308, "1.7976931348623157e+308"), (0.1, "0.1")])
def test_reference_float_is_go(v, text):
    assert ref_float(v) == text


# -- random frames -------------------------------------------------------------------------

_FLOATS = st.one_of(st.floats(), st.sampled_from([0.0, -0.0, 1e-4, 9.999999999999999e-05, 1e-5, 1e-6, 1e-7, 1e15,
                                                   1e16, 1e21, 2.0**53, 2.0**53 + 2, 123.0, -7.0, math.nan,
                                                   math.inf, -math.inf, 5e-324, 1.7976931348623157e308]))
_TEXT = st.one_of(st.text(max_size=6), st.sampled_from(['a"b', "a\\b", "<&>", "\u2028x\u2029", "é✓", "\x00\x1f\x7f",
                                                         "tab\there", "", "null"]))
_COLUMNS = {
    "float": (pl.Float64, st.one_of(st.none(), _FLOATS)),
    "float32": (pl.Float32, st.one_of(st.none(), st.floats(width=32))),
    "int": (pl.Int64, st.one_of(st.none(), st.integers(-2**63, 2**63 - 1))),
    "uint": (pl.UInt64, st.one_of(st.none(), st.integers(0, 2**64 - 1))),
    "bool": (pl.Boolean, st.one_of(st.none(), st.booleans())),
    "str": (pl.String, st.one_of(st.none(), _TEXT)),
    "null": (pl.Null, st.none()),
    "plainstr": (pl.String, st.sampled_from(["host_1", "us-east-1", "x64"])),
    "plainfloat": (pl.Float64, st.floats(0.001, 1e6).filter(lambda v: not v.is_integer())),
}


@st.composite
def frames(draw):
    kinds = draw(st.lists(st.sampled_from(sorted(_COLUMNS)), min_size=1, max_size=5))
    n = draw(st.integers(1, 12))
    data = {}
    for i, k in enumerate(kinds):
        dtype, cells = _COLUMNS[k]
        data[f"col{i}"] = pl.Series(draw(st.lists(cells, min_size=n, max_size=n)), dtype=dtype, strict=False)
    return pl.DataFrame(data)


def _resp(frame: pl.DataFrame, tags=None, partial=False, rows: bool = False) -> Response:
    cols = ["time", *frame.columns[1:]]
    s = Series("m<&>", tags, cols, frame_rows(frame), partial=partial) if rows else \
        Series("m<&>", tags, cols, frame=frame, partial=partial)
    return Response([StatementResult(0, [s])])


def frame_rows(frame):
    from tsdb_core.query.results import frame_rows as rows
    return rows(frame)


def _python(frame: pl.DataFrame) -> list[list]:
    """The frame's cells as Python values (a Float32 as the float64 it widens to)."""
    return frame_rows(frame.with_columns(pl.col(pl.Float32).cast(pl.Float64)))


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(frame=frames(), piece_rows=st.integers(1, 5), partial=st.booleans())
def test_frame_path_equals_reference_and_rows_path(frame, piece_rows, partial):
    tags = {"b": "x\"<", "a": "é"}
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(encode_json_csv_writer, "PIECE_ROWS", piece_rows)
        mp.setattr(encode_json_module, "MIN_PIECE", 1)
        pieces = list(encode.json_pieces(_resp(frame, tags, partial)))
    got = b"".join(pieces)
    cols = ["time", *frame.columns[1:]]
    assert got == ref_body("m<&>", tags, cols, _python(frame), partial)
    assert got == encode.encode_json(_resp(frame, tags, partial, rows=True))
    if not got.startswith(b"json: "):  # (an infinity: one error line)
        assert len(pieces) >= -(-frame.height // piece_rows)  # streamed: at least one piece per piece_rows


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(frame=frames(), piece_rows=st.integers(1, 5), partial=st.booleans())
def test_pretty_frame_path_equals_rows_path(frame, piece_rows, partial):
    """Pretty answers (``pretty=true``) are written from frames too, indented as the rows path
    (Go's MarshalIndent, four spaces) indents them, and streamed."""
    tags = {"b": "x\"<", "a": "é"}
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(encode_json_frame, "PIECE_ROWS", piece_rows)
        mp.setattr(encode_json_module, "MIN_PIECE", 1)
        pieces = list(encode.json_pieces(_resp(frame, tags, partial), pretty=True))
    got = b"".join(pieces)
    assert got == encode.encode_json(_resp(frame, tags, partial, rows=True), pretty=True)
    ref = ref_body("m<&>", tags, ["time", *frame.columns[1:]], _python(frame), partial)
    if ref.startswith(b"json: "):  # an infinity: the error text, pretty or not
        assert got == ref
        return
    assert json.loads(got) == json.loads(ref)
    assert len(pieces) >= -(-frame.height // piece_rows)


def test_pretty_frame_layout_is_go():
    frame = pl.DataFrame({"t": ["2016-01-01T00:00:00Z", "2016-01-01T00:01:00Z"], "v": [45.0, 1.5]})
    got = encode.encode_json(_resp(frame), pretty=True)
    assert got.decode() == r"""{
    "results": [
        {
            "statement_id": 0,
            "series": [
                {
                    "name": "m\u003c\u0026\u003e",
                    "columns": [
                        "time",
                        "v"
                    ],
                    "values": [
                        [
                            "2016-01-01T00:00:00Z",
                            45
                        ],
                        [
                            "2016-01-01T00:01:00Z",
                            1.5
                        ]
                    ]
                }
            ]
        }
    ]
}
"""
    assert got == encode.encode_json(_resp(frame, rows=True), pretty=True)


def test_every_float_kind_in_one_column():
    vals = [2.0, -0.0, 0.0, 1e21, 1e-7, 1e-5, 1e16, 5e-324, 2.5e-6, math.nan, math.nan, None, 0.1, 123456.789]
    frame = pl.DataFrame({"t": list(range(len(vals))), "f": vals}, strict=False)
    got = encode.encode_json(_resp(frame))
    assert b'"values":[[0,2],[1,-0],[2,0],[3,1e+21],[4,1e-7],[5,0.00001],[6,10000000000000000],[7,5e-324],' \
           b'[8,0.0000025],[9,null],[10,null],[11,null],[12,0.1],[13,123456.789]]' in got
    assert got == encode.encode_json(_resp(frame, rows=True))


def test_unsupported_column_types_go_the_rows_path():
    frame = pl.DataFrame({"t": [1, 2], "l": [[1], [2]]})
    assert not encode_json_frame.encodable(frame)
    assert encode.encode_json(_resp(frame)) == encode.encode_json(_resp(frame, rows=True))


def test_values_read_after_all_builds_rows_once():
    frame = pl.DataFrame({"t": ["a", "b"], "v": [1.5, 2.0]})
    s = Series("m", None, ["time", "v"], frame=frame)
    assert s.frame is not None and s.n_rows == 2
    assert s.values == [["a", 1.5], ["b", 2.0]]
    assert s.frame is None and s.values is s.values


# -- through HTTP: every series frame-backed, then Python rows ----------------------------------

@pytest.fixture
def all_frames(monkeypatch):
    """Every answer the engine builds from a frame keeps it (the frame path for any size)."""
    def on():
        monkeypatch.setattr(engine, "FRAME_ROWS", 1)
        monkeypatch.setattr(engine, "FRAME_SERIES_ROWS", 1)
        monkeypatch.setattr(fastpath, "FRAME_ROWS", 1)

    def off():
        monkeypatch.setattr(engine, "FRAME_ROWS", 1 << 62)
        monkeypatch.setattr(fastpath, "FRAME_ROWS", 1 << 62)
    return on, off


CASES = golden.cases()
MAN = golden.manifest()


@pytest.fixture(scope="module")
def influxd_client():
    c = make_client("influxdb1")
    c.raw_store.create_database(MAN["db"])
    assert c.post(f"/write?db={MAN['db']}", content=MAN["data"].encode()).status_code == 204
    return c


def _ask(client, case):
    params = dict(case["params"])
    if params.get("q") == "":
        del params["q"]
    return client.request(case["method"], case["path"], params=params, headers=case["headers"],
                          content=case.get("body"))


@pytest.mark.parametrize("name", sorted(n for n in CASES if not n.startswith("bad_params")))
def test_recorded_influxd_cases_through_frames(influxd_client, all_frames, name):
    """Frame-backed or not, every recorded request gets the same bytes (test_vs_influxd.py
    checks the rows path's bytes against influxd 1.6.7's)."""
    on, off = all_frames
    on()
    framed = _ask(influxd_client, CASES[name])
    off()
    rows = _ask(influxd_client, CASES[name])
    assert framed.status_code == rows.status_code == CASES[name]["status"]
    assert framed.content == rows.content


@pytest.fixture(scope="module")
def noaa_client():
    import sys

    from tests.query.conftest import load_noaa
    from tests.query.test_noaa_cases import CASE_DIR
    sys.path.insert(0, str(CASE_DIR))
    from mixed_cases import MIXED_DB, mixed_lines
    c = make_client("influxdb1")
    load_noaa(c.raw_store)
    c.raw_store.create_database(MIXED_DB)
    assert c.raw_store.write(MIXED_DB, "\n".join(mixed_lines())).ok
    return c


def _noaa_cases():
    from tests.query.test_noaa_cases import CASES as NOAA
    from tests.query.test_noaa_cases import MIXED_CASES
    return [c for c in NOAA + MIXED_CASES if " INTO " not in c["query"]]


def _statement_kind(query: str) -> tuple:
    """What a case's answer is made of: its first function (or raw fields), GROUP BY time, a
    subquery, fill(), a renamed time column (``time AS t``: the epoch then leaves it as it is)."""
    upper = query.upper()
    fields = upper.split(" FROM ", 1)[0]
    call = re.search(r"(\w+)\s*\(", fields)
    return (call.group(1) if call else "RAW", "GROUP BY TIME" in upper, "FROM (" in upper, "FILL(" in upper,
            "TIME AS " in fields)


def _one_of_each_kind(cases: list) -> list:
    """The last case of each statement kind (so every kind stays; the last: the costliest
    holt_winters fits come first): the epoch changes only how the time column is written, and
    the no-epoch run already sends every case."""
    return list({_statement_kind(case["query"]): case for case in cases}.values())


def _rows_copy(resp: Response) -> Response:
    """The same answer with every frame-backed series as Python rows (the rows path)."""
    return Response([StatementResult(r.statement_id, [
        Series(se.name, se.tags, se.columns, frame_rows(se.frame) if se.frame is not None else se.values,
               partial=se.partial, no_floats=se.no_floats) for se in r.series], r.error, r.messages, r.partial)
        for r in resp.results], resp.error)


@pytest.mark.parametrize("epoch", [None, "ms", "s"])
def test_noaa_and_mixed_cases_through_frames(noaa_client, all_frames, monkeypatch, epoch):
    """Every answer frame-backed; the bytes sent are compared with the rows path's bytes of
    the same answer (the same result object: some aggregates' last bits vary run to run).
    With an epoch, one case of each statement kind unless ``TSDB_SLOW=1``."""
    on, _ = all_frames
    on()
    compared, differ = [], []
    pieces = encode.Encoder.pieces

    def checked(self, resp):
        want = encode.encode_json(_rows_copy(resp), self.pretty)
        got = b"".join(pieces(self, resp))
        compared.append(1)
        if got != want:
            differ.append((got, want))
        yield got
    monkeypatch.setattr(encode.Encoder, "pieces", checked)
    seen = 0
    cases = _noaa_cases() if epoch is None or SLOW else _one_of_each_kind(_noaa_cases())
    for case in cases:
        params = {"q": case["query"], "db": case["db"] or "NOAA_water_database"}
        if epoch:
            params["epoch"] = epoch
        if case.get("params"):
            params["params"] = json.dumps(case["params"])
        r = noaa_client.get("/query", params=params)
        assert r.status_code in (200, 400), r.text
        seen += 1
    assert not differ, differ[:2]
    assert seen > (300 if epoch is None else 100), seen
    assert len(compared) > seen // 2, (seen, len(compared))  # the frame path wrote most answers


@pytest.mark.parametrize("gzip,pretty", [(False, False), (True, False), (False, True)])
def test_large_answer_is_streamed_with_the_same_bytes(noaa_client, all_frames, gzip, pretty):
    """A frame-backed answer goes out as it is written (no Content-Length: chunked transfer
    encoding, as 1.x's Go server sends large bodies), gzipped when asked; the same bytes."""
    on, off = all_frames
    params = {"q": "SELECT water_level, level_description FROM h2o_feet WHERE time < '2019-08-25T00:00:00Z' GROUP BY location", "db": "NOAA_water_database"}
    if pretty:
        params["pretty"] = "true"
    headers = {"Accept-Encoding": "gzip" if gzip else "identity"}
    on()
    a = noaa_client.get("/query", params=params, headers=headers)
    off()
    b = noaa_client.get("/query", params=params, headers=headers)
    assert a.status_code == b.status_code == 200
    assert "content-length" not in a.headers and "content-length" in b.headers
    assert a.headers.get("content-encoding") == b.headers.get("content-encoding") == ("gzip" if gzip else None)
    assert a.content == b.content and len(json.loads(a.content)["results"][0]["series"][0]["values"]) > 1000
