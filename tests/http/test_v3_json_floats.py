"""Floats in /query JSON in the influxdb3 dialect are written as InfluxDB 3 writes them.

InfluxDB 3's v1 query API, ``core/iox_v1_query_api/src/value.rs`` (influxdata/influxdb; the
same file is ``iox_v1_query_api/src/value.rs`` in influxdata/influxdb3_core), ValueSerializer::
serialize::

    if v.fract() == 0.0 && (v.abs() < (i64::MAX as f64)) {
        // Only turn x.0 into x if it is small enough to fit in an i64.
        serializer.serialize_i64(v as i64)
    } else if v.is_infinite() && !self.allow_inf {
        if v > 0.0 { Err(serde::ser::Error::custom("json: unsupported value: +Inf")) }
        else { Err(serde::ser::Error::custom("json: unsupported value: -Inf")) }
    } else if v.is_nan() {
        // /query 1.x serilizes NaN as null for json and msgpack
        serializer.serialize_none()
    } else { serializer.serialize_f64(v) }

``core/iox_v1_query_api/src/response/json.rs`` (JsonStream::poll_next, used for both the
chunked and the buffered stream) replaces a document whose serialisation fails by
``serde_json::json!({"error": format!("{}", e)})``; its snapshot
``iox_v1_query_api__response__json__tests__single_chunk_infinite_value.snap`` (pretty) is
``{\\n  "error": "json: unsupported value: +Inf"\\n}``. ``Cargo.lock`` of influxdata/influxdb locks
serde_json 1.0.149, which depends on zmij 1.0.21; serialize_f64 of a finite float writes
``zmij::Buffer::format_finite``: zmij's ``src/lib.rs`` ``write()`` writes the shortest digits in
plain decimal for a decimal exponent in ``(-5..=15)`` and otherwise ``d.ddd`` + ``e+``/``e-`` +
the exponent unpadded (its tests: ``6.62607015e-34``, ``5e-324``, ``3.439070283483335e+35``);
the snapshot ``..._json__tests__single_chunk_exponential_value.snap`` has ``7.307059979368068e+43``.
"""
from __future__ import annotations

import math
import os
import signal
import subprocess
import sys
import time
from decimal import Decimal

import httpx
import polars as pl
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.conftest import examples
from tests.http.conftest import NOW_S, REAL_ENGINE
from tsdb_core import Series, StatementResult
from tsdb_http import encode
from tsdb_http.encode import Response
from tsdb_http.v3_floats import v3_json_float

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


# -- an independent reference, written from value.rs and zmij's write() ----------------------

def ref_zmij(v: float) -> str:
    """zmij 1.0.21 ``write()`` of a finite f64, digit by digit (shortest digits from repr)."""
    if v == 0:
        return "-0.0" if math.copysign(1, v) < 0 else "0.0"
    sign = "-" if v < 0 else ""
    t = Decimal(repr(abs(v))).as_tuple()
    digits = "".join(map(str, t.digits)).rstrip("0")
    dec_exp = t.exponent + len(t.digits) - 1
    n = len(digits)
    if -5 <= dec_exp <= 15:
        if n - 1 <= dec_exp:  # 1234e7 -> 12340000000.0
            return sign + digits + "0" * (dec_exp + 1 - n) + ".0"
        if dec_exp >= 0:  # 1234e-2 -> 12.34
            return sign + digits[:dec_exp + 1] + "." + digits[dec_exp + 1:]
        return sign + "0." + "0" * (-dec_exp - 1) + digits  # 1234e-6 -> 0.001234
    mant = digits[0] + ("." + digits[1:] if n > 1 else "")
    return f"{sign}{mant}e{'+' if dec_exp >= 0 else '-'}{abs(dec_exp)}"


def ref_v3(v: float | None) -> str:
    """ValueSerializer's float arm (infinities fail the document: see ref_body)."""
    if v is None or math.isnan(v):
        return "null"
    assert not math.isinf(v)
    if v == math.floor(v) and abs(v) < float(2**63 - 1):  # (i64::MAX as f64 rounds to 2**63)
        return str(int(v))
    return ref_zmij(v)


def ref_body(columns: list[str], rows: list[list]) -> bytes:
    infs = [v for r in rows for v in r if isinstance(v, float) and math.isinf(v)]
    if infs:
        return f'{{"error":"json: unsupported value: {"+" if infs[0] > 0 else "-"}Inf"}}'.encode()
    values = ",".join("[" + ",".join(str(c) if isinstance(c, int) else ref_v3(c) for c in r) + "]" for r in rows)
    cols = ",".join(f'"{c}"' for c in columns)
    return f'{{"results":[{{"statement_id":0,"series":[{{"name":"m","columns":[{cols}],"values":[{values}]}}]}}]}}'.encode()


@pytest.mark.parametrize("v,text", [
    (6.62607015e-34, "6.62607015e-34"), (5e-324, "5e-324"), (1.2e-322, "1.2e-322"),  # zmij tests/test.rs
    (-4.932096661796888e-226, "-4.932096661796888e-226"), (3.439070283483335e+35, "3.439070283483335e+35"),
    (6.606854224493745e-17, "6.606854224493745e-17"), (6.079537928711555e+61, "6.079537928711555e+61"),
    (5.444310685350916e+14, "544431068535091.6"), (9.061488e15, "9061488000000000.0"), (1.0, "1.0"),
    (-0.0, "-0.0"), (7.307059979368068e+43, "7.307059979368068e+43"),  # iox snapshot
    (1e-5, "0.00001"), (1.5e-5, "0.000015"), (1e-6, "1e-6"), (0.1, "0.1"), (1e16, "1e+16")])
def test_reference_is_zmij(v, text):
    assert ref_zmij(v) == text


@pytest.mark.parametrize("v,text", [
    (-0.0, "0"), (2.0, "2"), (-7.0, "-7"), (1e18, "1000000000000000000"), (2.0**62, "4611686018427387904"),
    (2.0**63, "9.223372036854776e+18"), (1e19, "1e+19"), (1e21, "1e+21"), (1e-6, "1e-6"), (1e-7, "1e-7"),
    (1e-5, "0.00001"), (2.5e-6, "0.0000025" if False else "2.5e-6"), (0.1, "0.1"), (math.nan, "null"),
    (1e15 + 0.5, "1000000000000000.5"), (1.7976931348623157e308, "1.7976931348623157e+308")])
def test_v3_float_forms(v, text):
    assert ref_v3(v) == text
    assert v3_json_float(v) == text


# -- both encoder paths against the reference ----------------------------------------------

_FLOATS = st.one_of(st.none(), st.floats(allow_infinity=False), st.sampled_from(
    [0.0, -0.0, 1e-4, 9.999999999999999e-05, 1e-5, 1.5e-5, 1e-6, 1e15, 1e16, 1e19, 1e21, 2.0**53, 2.0**63,
     -2.0**63, 2.0**63 - 1024, 123.0, math.nan, 5e-324, 1.7976931348623157e308]))


def _frame(cols: list[list]) -> pl.DataFrame:
    n = len(cols[0])
    return pl.DataFrame({"t": list(range(n)), **{f"f{j}": pl.Series(c, dtype=pl.Float64) for j, c in enumerate(cols)}})


def _bodies(frame: pl.DataFrame) -> tuple[bytes, bytes, list[list]]:
    cols = ["time", *frame.columns[1:]]
    rows = [list(r) for r in frame.rows()]
    by_rows = encode.encode_json(Response([StatementResult(0, [Series("m", None, cols, [list(r) for r in rows])])]),
                                 v3=True)
    by_frame = b"".join(encode.json_pieces(Response([StatementResult(0, [Series("m", None, cols, frame=frame)])]),
                                           v3=True))
    return by_rows, by_frame, rows


@settings(max_examples=examples(300), deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(n=st.integers(1, 80), width=st.integers(1, 3), data=st.data())
def test_rows_and_frame_paths_equal_reference(n, width, data):
    """Every float64 (no infinity): rows path (few rows cell by cell, 64+ with NumPy) and
    frame path write the reference's bytes."""
    cols = [data.draw(st.lists(_FLOATS, min_size=n, max_size=n)) for _ in range(width)]
    by_rows, by_frame, rows = _bodies(_frame(cols))
    assert by_rows == ref_body(["time", *[f"f{j}" for j in range(width)]], rows)
    assert by_frame == by_rows


@settings(max_examples=examples(100), deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(n=st.integers(1, 70), data=st.data())
def test_an_infinity_makes_the_document_an_error(n, data):
    """The first infinity in the order the document is written names the sign."""
    cells = st.one_of(_FLOATS, st.sampled_from([math.inf, -math.inf]))
    cols = [data.draw(st.lists(cells, min_size=n, max_size=n)) for _ in range(2)]
    by_rows, by_frame, rows = _bodies(_frame(cols))
    assert by_rows == ref_body(["time", "f0", "f1"], rows)
    assert by_frame == by_rows


def test_infinity_error_texts():
    frame = _frame([[1.5, 2.0], [-math.inf, math.inf]])
    assert _bodies(frame)[:2] == (b'{"error":"json: unsupported value: -Inf"}',) * 2
    resp = Response([StatementResult(0, [Series("m", None, ["time", "v"], [[1, math.inf]])])])
    assert encode.encode_json(resp, pretty=True, v3=True) == b'{\n  "error": "json: unsupported value: +Inf"\n}'


def test_influxdb1_forms_unchanged():
    vals = [-0.0, 1e19, 1e-6, 2.0**60, math.nan, 1e21]
    rows = [[i, v] for i, v in enumerate(vals)]
    resp = Response([StatementResult(0, [Series("m", None, ["time", "v"], rows)])])
    assert b'"values":[[0,-0],[1,10000000000000000000],[2,0.000001],[3,1152921504606847000],[4,null],[5,1e+21]]' \
        in encode.encode_json(resp)
    assert b'"values":[[0,0],[1,1e+19],[2,1e-6],[3,1152921504606846976],[5,1e+21]]' in encode.encode_json(
        Response([StatementResult(0, [Series("m", None, ["time", "v"], [r for r in rows if r[0] != 4])])]), v3=True)


# -- end to end: the shim as a process, through httpx ----------------------------------------

_LINES = "\n".join(f"m v={t} {NOW_S + i + 1}" for i, t in enumerate(
    ["-0.0", "1e19", "0.000001", "0.0000015", "1e18", "2.5", "1152921504606846976", "0.00001"])) + \
    f"\nbig v=1e308 {NOW_S + 1}\nbig v=-1e308 {NOW_S + 2}"


def _serve(tmp_path, compat: str):
    proc = subprocess.Popen([sys.executable, "-m", "tsdb_http.serve", "--data-dir", str(tmp_path), "--port", "0",
                             "--no-auth", "--compat", compat], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            text=True, cwd=ROOT)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        line = proc.stderr.readline()
        if not line:
            break
        if line.startswith("tsdb: serving "):
            return proc, line.split()[2]
    proc.kill()
    raise AssertionError(proc.stderr.read())


@pytest.fixture(scope="module", params=["cloud-dedicated", "influxdb1"])
def served(request, tmp_path_factory):
    """One server per dialect for the module: the tests using it only read."""
    proc, url = _serve(tmp_path_factory.mktemp("served"), request.param)
    try:
        with httpx.Client(base_url=url, timeout=60) as c:
            if request.param == "influxdb1":
                assert c.post("/query", data={"q": "CREATE DATABASE db"}).status_code == 200
            assert c.post("/write", params={"db": "db", "precision": "s"}, content=_LINES).status_code == 204
            yield request.param, c
    finally:
        proc.send_signal(signal.SIGTERM)
        proc.wait(30)


_FORMS = {
    "cloud-dedicated": ["0", "1e+19", "1e-6", "1.5e-6", "1000000000000000000", "2.5", "1152921504606846976", "0.00001"],
    "influxdb1": ["-0", "10000000000000000000", "0.000001", "0.0000015", "1000000000000000000", "2.5",
                  "1152921504606847000", "0.00001"],
}


def _expected(compat: str) -> bytes:
    return ("[" + ",".join(f"[{NOW_S + i + 1},{v}]" for i, v in enumerate(_FORMS[compat])) + "]").encode()


@pytest.mark.skipif(not REAL_ENGINE, reason="needs the query engine")
@pytest.mark.parametrize("chunked", [False, True])
def test_query_floats_end_to_end(served, chunked):
    compat, c = served
    params = {"db": "db", "q": "SELECT v FROM m", "epoch": "s", **({"chunked": "true"} if chunked else {})}
    r = c.get("/query", params=params)
    assert r.status_code == 200
    assert b'"values":' + _expected(compat) + b"}" in r.content


@pytest.mark.skipif(not REAL_ENGINE, reason="needs the query engine")
def test_infinity_end_to_end(served):
    """influxdb3: the document is the error object; influxdb1: the body is json.Marshal's error text
    (influxd 1.6.7, recorded in test_v1_infinity.py)."""
    compat, c = served
    r = c.get("/query", params={"db": "db", "q": "SELECT v * 10 FROM big", "epoch": "s"})
    assert r.status_code == 200
    if compat == "cloud-dedicated":
        assert r.content == b'{"error":"json: unsupported value: +Inf"}', r.content
    else:
        assert r.content == (b"json: error calling MarshalJSON for type httpd.Response: json: error calling "
                             b"MarshalJSON for type *query.Result: json: unsupported value: +Inf\n")


def test_many_series_of_one_statement():
    """A GROUP BY answer's rows are fixed together (NumPy over 64+ rows): same forms."""
    vals = [-0.0, 1e19, 1e-6, 2.0**60, 0.25, math.nan, None, 1e15 + 0.5, 7.0, 1.5e-5]
    series = [Series("m", {"h": str(k)}, ["time", "v"], [[i, vals[(i + k) % len(vals)]] for i in range(40)])
              for k in range(3)]
    got = encode.encode_json(Response([StatementResult(0, series)]), v3=True)
    for k in range(3):
        values = ",".join(f"[{i},{ref_v3(vals[(i + k) % len(vals)])}]" for i in range(40))
        assert f'"tags":{{"h":"{k}"}},"columns":["time","v"],"values":[{values}]}}'.encode() in got


@pytest.mark.skipif(not REAL_ENGINE, reason="needs the query engine")
def test_infinity_in_chunks_end_to_end(served):
    """Chunked answers go through the same JsonStream: only the chunks holding an infinity
    become error objects (chunk_size=1: one per row, each with its own sign)."""
    compat, c = served
    r = c.get("/query", params={"db": "db", "q": "SELECT v * 10 FROM big", "epoch": "s", "chunked": "true",
                                "chunk_size": "1"})
    assert r.status_code == 200
    if compat == "cloud-dedicated":
        assert r.content == b'{"error":"json: unsupported value: +Inf"}{"error":"json: unsupported value: -Inf"}'
    else:
        assert r.content.splitlines() == [
            b"json: error calling MarshalJSON for type httpd.Response: json: error calling MarshalJSON for type "
            b"*query.Result: json: unsupported value: " + sign for sign in (b"+Inf", b"-Inf")]
