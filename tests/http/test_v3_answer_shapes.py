"""/query answers in the influxdb3 dialect, byte for byte as InfluxDB 3 writes them; influxdb1 unchanged.

Sources (influxdata/influxdb at d7834110b3680ba8e53d16333d158b18b8847bc7, crate ``core/iox_v1_query_api``;
the same files under ``iox_v1_query_api/`` in influxdata/influxdb3_core):

- ``src/response/json.rs`` JsonStream::poll_next: each response is ``Serializer::with_formatter(w,
  formatter)`` of ResponseSerializer, yielded as its own Bytes, no line ending; ``src/handler.rs``
  statements_to_response streams them as they are (``ChunkedJsonStream::new(response_stream, ||
  CompactFormatter, epoch)`` / ``PrettyFormatter::new``). serde_json 1.0.149 ``src/ser.rs``:
  ``PrettyFormatter::new()`` is ``PrettyFormatter::with_indent(b"  ")``; the ESCAPE table escapes
  ``"``, ``\\`` and bytes below 0x20 only (``\\b \\t \\n \\f \\r``, else ``\\u00XX`` with
  ``HEX_DIGITS = *b"0123456789abcdef"``).
- ``src/response/csv.rs`` CsvStream / CsvSeriesChunk and its inline snapshots (below).
- ``src/response/msgpack.rs``: ``rmp_serde::Serializer::new(&mut w)`` (rmp-serde 1.3.1: without
  ``with_struct_map`` a struct is ``write_array_len(len)``), snapshots such as
  ``iox_v1_query_api__response__msgpack__tests__single_chunk.snap``:
  ``[[[0,[["m1",["time","t1","f1"],[["1970-01-01T00:00:01Z","t1a",1],...]]]]]]``; rmp 0.8.15
  ``encode/sint.rs`` write_sint: the smallest of fixint / u8..u64 / i8..i64.
- ``src/value.rs`` ValueSerializer (epochs: chrono's ``timestamp_micros`` / ``timestamp_millis`` /
  ``timestamp`` floor; ``m h d w``: ``v.timestamp() / 60`` ... truncate the floored seconds).
- ``src/lib.rs`` QueryFormat::from_bytes, ``src/error.rs`` (``invalid mime type ({0})``,
  ``error decoding params from url: {0}``); influxdb3_server ``src/http.rs`` V1ErrorResponse.
"""
from __future__ import annotations

import csv
import io
import json
import math
import os
import signal
import struct
import subprocess
import sys
import time

import httpx
import msgpack
import polars as pl
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.conftest import examples
from tests.http.conftest import NOW_S, REAL_ENGINE, json_documents, make_client
from tsdb_core import Series, StatementResult
from tsdb_http import encode, encode_v3
from tsdb_http.encode import Response

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
S = 1_000_000_000


def _enc(kind: str, results: list[StatementResult], **kw) -> bytes:
    return encode.Encoder(kind, v3=True, **kw).encode(Response(results))


def _m1(name="m1", tags=None, cols=("time", "t1", "f1"), rows=None):
    rows = rows if rows is not None else [[S, "t1a", 1.0], [2 * S, "t1a", 2.0]]
    return Series(name, tags, list(cols), [list(r) for r in rows])


# -- JSON -------------------------------------------------------------------------------------------

PRETTY_SNAPSHOT = """{
  "results": [
    {
      "statement_id": 0,
      "series": [
        {
          "name": "m1",
          "columns": [
            "time",
            "t1",
            "f1"
          ],
          "values": [
            [
              "1970-01-01T00:00:01Z",
              "t1a",
              1
            ],
            [
              "1970-01-01T00:00:02Z",
              "t1a",
              2
            ]
          ]
        }
      ]
    }
  ]
}"""  # iox_v1_query_api__response__json__tests__single_chunk_pretty-2.snap (its line ending is the test's)


def test_pretty_json_is_the_snapshot_rows_and_frames():
    rows = [["1970-01-01T00:00:01Z", "t1a", 1.0], ["1970-01-01T00:00:02Z", "t1a", 2.0]]
    by_rows = _enc(encode.JSON, [StatementResult(0, [_m1(rows=rows)])], pretty=True)
    frame = pl.DataFrame({"time": [r[0] for r in rows], "t1": ["t1a", "t1a"], "f1": [1.0, 2.0]})
    by_frame = b"".join(encode.Encoder(encode.JSON, True, v3=True).pieces(
        Response([StatementResult(0, [Series("m1", None, ["time", "t1", "f1"], frame=frame)])])))
    assert by_rows.decode() == PRETTY_SNAPSHOT
    assert by_frame == by_rows


def serde_string(s: str) -> str:
    """serde_json's format_escaped_str, from its ESCAPE table."""
    short = {'"': '\\"', "\\": "\\\\", "\b": "\\b", "\t": "\\t", "\n": "\\n", "\f": "\\f", "\r": "\\r"}
    return '"' + "".join(short.get(c) or (f"\\u{ord(c):04x}" if ord(c) < 0x20 else c) for c in s) + '"'


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(texts=st.lists(st.text(st.characters(exclude_categories=["Cs"])), min_size=1, max_size=70))
def test_strings_escaped_as_serde_json_rows_and_frames(texts):
    """No HTML escapes (``<`` stays ``<``), U+2028 raw, controls in lower-case hex; both paths."""
    rows = [[i, t] for i, t in enumerate(texts)]
    expected = ",".join(f"[{i},{serde_string(t)}]" for i, t in enumerate(texts))
    by_rows = _enc(encode.JSON, [StatementResult(0, [Series("m", None, ["time", "s"], [list(r) for r in rows])])])
    assert by_rows == ('{"results":[{"statement_id":0,"series":[{"name":"m","columns":["time","s"],"values":['
                       + expected + "]}]}]}").encode()
    frame = pl.DataFrame({"time": list(range(len(texts))), "s": texts})
    by_frame = b"".join(encode.Encoder(encode.JSON, v3=True).pieces(
        Response([StatementResult(0, [Series("m", None, ["time", "s"], frame=frame)])])))
    assert by_frame == by_rows
    assert json.loads(by_rows)["results"][0]["series"][0]["values"] == rows


def test_influxdb1_json_unchanged():
    res = [StatementResult(0, [Series("m", None, ["time", "s"], [[1, "a<b&c>\u2028"]])])]
    assert encode.Encoder(encode.JSON).encode(Response(res)) == \
        b'{"results":[{"statement_id":0,"series":[{"name":"m","columns":["time","s"],' \
        b'"values":[[1,"a\\u003cb\\u0026c\\u003e\\u2028"]]}]}]}\n'
    assert encode.Encoder(encode.JSON, True).encode(Response(res)).startswith(b'{\n    "results": [\n')


# -- CSV (csv.rs's inline snapshots) -----------------------------------------------------------------

def test_csv_snapshots():
    no_group = [[S, "t1a", 1.0], [2 * S, "t1a", 2.0], [3 * S, "t1a", 3.0]]
    one = StatementResult(0, [_m1(rows=no_group), _m1("m2", rows=[[S, "t1a", 4.0]])])
    assert _enc(encode.CSV, [one]).decode() == (  # single_statement_no_group
        "name,tags,time,t1,f1\nm1,,1000000000,t1a,1\nm1,,2000000000,t1a,2\nm1,,3000000000,t1a,3\n"
        "m2,,1000000000,t1a,4\n")
    grouped = StatementResult(0, [
        _m1(tags={"t1": "t1a", "t2": '"t2a"'}, cols=("time", "f1"), rows=[[S, 1.0], [2 * S, 2.0]]),
        _m1(tags={"t1": "t1a", "t2": '"t2b"'}, cols=("time", "f1"), rows=[[3 * S, 3.0]]),
        _m1("m2", tags={"t1": "t1a", "t2": '"t2a"'}, cols=("time", "f1"), rows=[[S, 4.0]])])
    assert _enc(encode.CSV, [grouped]).decode() == (  # single_statement_tag_group_multiple_tags
        'name,tags,time,f1\nm1,"t1=t1a,t2=""t2a""",1000000000,1\nm1,"t1=t1a,t2=""t2a""",2000000000,2\n'
        'm1,"t1=t1a,t2=""t2b""",3000000000,3\nm2,"t1=t1a,t2=""t2a""",1000000000,4\n')
    inf = StatementResult(0, [_m1(rows=[[S, "t1a", -math.inf], [2 * S, "t1a", math.inf], [3 * S, "t1a", -math.inf]]),
                              _m1("m2", rows=[[S, "t1a", math.nan]])])
    assert _enc(encode.CSV, [inf]).decode() == (  # single_statement_infinite_value
        "name,tags,time,t1,f1\nm1,,1000000000,t1a,-inf\nm1,,2000000000,t1a,inf\nm1,,3000000000,t1a,-inf\n"
        "m2,,1000000000,t1a,NaN\n")
    m3 = StatementResult(2, [_m1("m3", cols=("time", "t2", "f2"), rows=[[i * S, "t2a", float(i)] for i in (1, 2)])])
    failed = StatementResult(1, error="datafusion error: Internal error: test error")
    assert _enc(encode.CSV, [StatementResult(0, [_m1(rows=no_group[:1])]), failed, m3]).decode() == (
        # multiple_statements_with_error: the failed statement writes nothing, the next starts with a blank line
        "name,tags,time,t1,f1\nm1,,1000000000,t1a,1\n\nname,tags,time,t2,f2\nm3,,1000000000,t2a,1\n"
        "m3,,2000000000,t2a,2\n")
    assert _enc(encode.CSV, [failed, StatementResult(2)]) == b""


@pytest.mark.parametrize("epoch,times", [  # test_csv_epoch_handling (times 1e15 ... 4e15 ns)
    (None, [1000000000000000, 2000000000000000]), ("ns", [1000000000000000, 2000000000000000]),
    ("u", [1000000000000, 2000000000000]), ("ms", [1000000000, 2000000000]), ("s", [1000000, 2000000]),
    ("m", [16666, 33333]), ("h", [277, 555])])
def test_csv_epochs(epoch, times):
    res = [StatementResult(0, [_m1(rows=[[10**15, "t1a", 1.0], [2 * 10**15, "t1a", 2.0]])])]
    encode_v3.render_times(res, epoch)
    assert _enc(encode.CSV, res).decode() == f"name,tags,time,t1,f1\nm1,,{times[0]},t1a,1\nm1,,{times[1]},t1a,2\n"


@pytest.mark.parametrize("ns,epoch,want", [
    (-1, "u", -1), (-1, "ms", -1), (-1, "s", -1), (-1_500_000_000, "s", -2),  # chrono floors
    (-1, "m", 0), (-59 * S, "m", 0), (-59 * S - 1, "m", -1), (-119 * S, "m", -1), (-86_401 * S, "d", -1), (-1, "ns", -1),
    (1_500_000_000, "s", 1), (7 * 86_400 * S - 1, "w", 0)])  # m h d w: the floored seconds / k, toward zero
def test_v3_epochs(ns, epoch, want):
    assert encode_v3.epoch_value(ns, epoch) == want
    s = Series("m", None, ["time", "v"], frame=pl.DataFrame({"time": [ns], "v": [1]}))
    encode_v3.render_times([StatementResult(0, [s])], epoch)
    assert s.frame["time"].to_list() == [want]


def _rust_display_reference(v: float) -> str:
    """Rust's ``{}`` of an f64 from its shortest digits (repr), never an exponent."""
    if math.isnan(v):
        return "NaN"
    if math.isinf(v):
        return "inf" if v > 0 else "-inf"
    from decimal import Decimal
    text = format(Decimal(repr(v)), "f")
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return "-0" if v == 0 and math.copysign(1, v) < 0 else text


@settings(max_examples=examples(200), deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(n=st.integers(1, 90), data=st.data())
def test_csv_round_trip(n, data):
    """Python's csv reader reads back every value (floats never in exponent form), both paths (<64 rows, 64+)."""
    texts = data.draw(st.lists(st.text(st.characters(exclude_categories=["Cs"], exclude_characters="\r\n")),
                               min_size=n, max_size=n))
    floats = data.draw(st.lists(st.floats(), min_size=n, max_size=n))
    ints = data.draw(st.lists(st.one_of(st.none(), st.integers(-2**63, 2**63 - 1)), min_size=n, max_size=n))
    rows = [[i, t, f, k] for i, (t, f, k) in enumerate(zip(texts, floats, ints))]
    body = _enc(encode.CSV, [StatementResult(0, [Series("m,1", {"h": 'x"y'}, ["time", "s", "f", "i"],
                                                        [list(r) for r in rows])])]).decode()
    got = list(csv.reader(io.StringIO(body)))
    assert got[0] == ["name", "tags", "time", "s", "f", "i"]
    for (i, t, f, k), line in zip(rows, got[1:], strict=True):
        assert line[:3] == ["m,1", 'h=x"y', str(i)]
        assert line[3] == t and line[4] == _rust_display_reference(f) and "e" not in line[4].lower().strip("inf")
        assert line[5] == ("" if k is None else str(k))


# -- msgpack -------------------------------------------------------------------------------------------

def test_msgpack_snapshots():
    rows = [["1970-01-01T00:00:01Z", "t1a", 1.0], ["1970-01-01T00:00:02Z", "t1a", 2.0]]
    body = _enc(encode.MSGPACK, [StatementResult(0, [_m1(rows=rows)])])
    assert msgpack.unpackb(body) == [[[0, [["m1", ["time", "t1", "f1"],  # msgpack__tests__single_chunk.snap
                                             [["1970-01-01T00:00:01Z", "t1a", 1], ["1970-01-01T00:00:02Z", "t1a", 2]]]]]]]
    st1 = StatementResult(1, [_m1(tags={"t1": "t1a"}, cols=("time", "f1"), rows=[[1, 1.0]])], partial=True)
    assert msgpack.unpackb(_enc(encode.MSGPACK, [st1, StatementResult(2, error="boom")])) == \
        [[[1, [["m1", {"t1": "t1a"}, ["time", "f1"], [[1, 1]]]], True], [2, "boom"]]]


def test_msgpack_bytes():
    """Every value form, byte for byte: rmp's write_sint / write_f64, nil for NaN and null."""
    vals = [0, 127, 128, 255, 256, 65536, 2**32, -1, -32, -33, -129, -32769, -2**31 - 1, 2**64 - 1]
    floats = [2.0, -0.0, 2.5, math.nan, math.inf, -math.inf, 2.0**63, 1e300, None, True, "é"]
    body = _enc(encode.MSGPACK, [StatementResult(0, [Series("m", None, ["v"], [[v] for v in vals + floats])])])
    ints = [b"\x00", b"\x7f", b"\xcc\x80", b"\xcc\xff", b"\xcd\x01\x00", b"\xce\x00\x01\x00\x00",
            b"\xcf\x00\x00\x00\x01\x00\x00\x00\x00", b"\xff", b"\xe0", b"\xd0\xdf", b"\xd1\xff\x7f",
            b"\xd2\xff\xff\x7f\xff", b"\xd3\xff\xff\xff\xff\x7f\xff\xff\xff", b"\xcf" + b"\xff" * 8]
    def f64(v):
        return b"\xcb" + struct.pack(">d", v)
    rest = [b"\x02", b"\x00", f64(2.5), b"\xc0", f64(math.inf), f64(-math.inf), f64(2.0**63), f64(1e300), b"\xc0",
            b"\xc3", b"\xa2\xc3\xa9"]
    cells = b"".join(b"\x91" + c for c in ints + rest)
    assert body == (b"\x91\x91\x92\x00\x91\x93\xa1m\x91\xa1v\xdc" + struct.pack(">H", 25) + cells)


@settings(max_examples=200, deadline=None)
@given(vals=st.lists(st.one_of(st.none(), st.booleans(), st.integers(-2**63, 2**64 - 1), st.floats(), st.text()),
                     min_size=1, max_size=30))
def test_msgpack_round_trip(vals):
    body = _enc(encode.MSGPACK, [StatementResult(0, [Series("m", None, ["v"], [[v] for v in vals])])])
    (doc,) = msgpack.unpackb(body)
    got = [row[0] for row in doc[0][1][0][2]]

    def v3(v):
        if isinstance(v, float) and not math.isinf(v):
            return None if math.isnan(v) else int(v) if v.is_integer() and abs(v) < 2.0**63 else v
        return v
    assert got == [v3(v) for v in vals]


# -- end to end: tsdb_http.serve as a process, through httpx, both compat modes ------------------------

_LP = (f"m,host=a<b,k=v\\,w v=1.5,s=\"x<&>y\\u2028\" {NOW_S}\nm,host=c v=2,i=200i {NOW_S + 1}\n"
       f"n,host=a v=-0.000001 {NOW_S + 2}").replace("\\u2028", "\u2028")


@pytest.fixture(scope="module", params=["cloud-dedicated", "influxdb1"])
def served(request, tmp_path_factory):
    tmp = tmp_path_factory.mktemp("shapes")
    proc = subprocess.Popen([sys.executable, "-m", "tsdb_http.serve", "--data-dir", str(tmp), "--port", "0",
                             "--no-auth", "--compat", request.param], stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True, cwd=ROOT)
    url = None
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and url is None:
        line = proc.stderr.readline()
        if not line:
            break
        if line.startswith("tsdb: serving "):
            url = line.split()[2]
    if url is None:
        proc.kill()
        raise AssertionError(proc.stderr.read())
    try:
        with httpx.Client(base_url=url, timeout=60) as c:
            if request.param == "influxdb1":
                assert c.post("/query", data={"q": "CREATE DATABASE db"}).status_code == 200
            assert c.post("/write", params={"db": "db", "precision": "s"}, content=_LP.encode()).status_code == 204
            yield request.param, c
    finally:
        proc.send_signal(signal.SIGTERM)
        proc.wait(30)


def _q(c, q, accept=None, **params):
    return c.get("/query", params={"db": "db", "q": q, **params}, headers={"Accept": accept} if accept else {})


@pytest.mark.skipif(not REAL_ENGINE, reason="needs the query engine")
def test_json_end_to_end(served):
    compat, c = served
    r = _q(c, "SELECT host, s, v FROM m", epoch="s")
    cells = f'[[{NOW_S},"a<b","x<&>y\u2028",1.5],[{NOW_S + 1},"c",null,2]]'
    if compat == "cloud-dedicated":
        assert r.content == ('{"results":[{"statement_id":0,"series":[{"name":"m","columns":["time","host","s","v"],'
                             f'"values":{cells}}}]}}]}}').encode()
        assert _q(c, "SELECT v FROM m", pretty="true", epoch="s").text == (
            '{\n  "results": [\n    {\n      "statement_id": 0,\n      "series": [\n        {\n          "name": "m",'
            '\n          "columns": [\n            "time",\n            "v"\n          ],\n          "values": [\n'
            f'            [\n              {NOW_S},\n              1.5\n            ],\n            [\n'
            f'              {NOW_S + 1},\n              2\n            ]\n          ]\n        }}\n      ]\n    }}\n  ]\n}}')
    else:
        go = cells.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026").replace("\u2028", "\\u2028")
        assert r.content.endswith(f'"values":{go}}}]}}]}}\n'.encode())
        assert _q(c, "SELECT v FROM m", pretty="true").text.startswith('{\n    "results": [\n')


@pytest.mark.skipif(not REAL_ENGINE, reason="needs the query engine")
def test_chunked_end_to_end(served):
    compat, c = served
    r = _q(c, "SELECT v FROM m GROUP BY host; SELECT v FROM nope; SHOW TAG KEYS", epoch="s", chunked="true")
    docs = json_documents(r.text)
    if compat == "cloud-dedicated":  # back to back; the empty statement sends nothing; SHOW split per series
        assert "\n" not in r.text
        assert [(d["results"][0]["statement_id"], d["results"][0].get("partial", False)) for d in docs] == \
            [(0, True), (0, False), (2, True), (2, False)]
        assert [d["results"][0]["series"][0]["name"] for d in docs[2:]] == ["m", "n"]
    else:
        assert r.text.count("\n") == len(docs) == 4 and docs[2] == {"results": [{"statement_id": 1}]}


@pytest.mark.skipif(not REAL_ENGINE, reason="needs the query engine")
def test_csv_end_to_end(served):
    compat, c = served
    r = _q(c, "SELECT v FROM m GROUP BY host; SELECT v FROM nope; SELECT v FROM n", accept="application/csv")
    t = NOW_S * S
    if compat == "cloud-dedicated":
        assert r.headers["content-type"] == "application/csv"
    else:
        assert r.headers["content-type"] == "text/csv"
    # (both: the failed statement writes nothing, a blank line before the next; Rust's and Go's floats agree here)
    assert r.text == (f"name,tags,time,v\nm,host=a<b,{t},1.5\nm,host=c,{t + S},2\n\n"
                      f"name,tags,time,v\nn,,{t + 2 * S},-0.000001\n")
    r = _q(c, "SELECT v, s FROM m GROUP BY k", accept="text/csv")
    if compat == "cloud-dedicated":  # every tag, empty values too (missing sorts last); quoted for `,` `"` only
        assert r.text == f'name,tags,time,v,s\nm,"k=v,w",{t},1.5,x<&>y\u2028\nm,k=,{t + S},2,\n'
    else:  # 1.x: series key escapes, empty values left out, Go's csv quoting
        assert r.text == f'name,tags,time,v,s\nm,,{t + S},2,\nm,"k=v\\,w",{t},1.5,x<&>y\u2028\n'


@pytest.mark.skipif(not REAL_ENGINE, reason="needs the query engine")
def test_msgpack_end_to_end(served):
    compat, c = served
    r = _q(c, "SELECT i, v FROM m", accept="application/x-msgpack", epoch="ms")
    t = NOW_S * 1000
    if compat == "cloud-dedicated":
        assert msgpack.unpackb(r.content) == [[[0, [["m", ["time", "i", "v"], [[t, None, 1.5], [t + 1000, 200, 2]]]]]]]
        assert b"\xcc\xc8" in r.content  # 200 as rmp's write_sint writes it (u8)
        chunks = _q(c, "SELECT i, v FROM m", accept="application/x-msgpack", chunked="true", chunk_size="1").content
        unpacker = msgpack.Unpacker()
        unpacker.feed(chunks)
        assert [d[0][0][0] for d in unpacker] == [0, 0]  # two msgpack documents back to back
    else:
        doc = msgpack.unpackb(r.content)
        assert doc["results"][0]["series"][0]["values"] == [[t, None, 1.5], [t + 1000, 200, 2.0]]
        assert b"\xd1\x00\xc8" in r.content  # tinylib/msgp's signed int16


@pytest.mark.skipif(not REAL_ENGINE, reason="needs the query engine")
@pytest.mark.parametrize("params,accept,error", [
    ({"q": "SHOW MEASUREMENTS"}, "text/html", "invalid mime type (text/html)"),
    ({"q": "SHOW MEASUREMENTS"}, "application/json, text/plain, */*",
     "invalid mime type (application/json, text/plain, */*)"),
    ({"q": "SHOW MEASUREMENTS", "pretty": "1"}, None,
     "error decoding params from url: provided string was not `true` or `false`"),
    ({"q": "SHOW MEASUREMENTS", "chunked": "yes"}, "text/html",  # the URL values are read before the format
     "error decoding params from url: provided string was not `true` or `false`"),
    ({"q": "SHOW MEASUREMENTS", "chunk_size": "-1"}, None, "error decoding params from url: invalid digit found in string"),
    ({"q": "SHOW MEASUREMENTS", "chunk_size": ""}, None,
     "error decoding params from url: cannot parse integer from empty string"),
    ({"q": "SHOW MEASUREMENTS", "chunk_size": "99999999999999999999"}, None,
     "error decoding params from url: number too large to fit in target type"),
    ({}, "application/csv", "expected a query to be provided in the query string or body")])
def test_request_errors_end_to_end(served, params, accept, error):
    compat, c = served
    r = c.get("/query", params={"db": "db", **params}, headers={"Accept": accept} if accept else {})
    if compat == "cloud-dedicated":
        assert (r.status_code, r.content) == (400, json.dumps({"error": error}, separators=(",", ":")).encode())
    elif params:  # 1.x: JSON for an Accept it cannot serve, other values read leniently
        assert r.status_code == 200 and r.json()["results"][0]["series"][0]["values"] == [["m"], ["n"]]
    else:
        assert (r.status_code, r.text) == (400, 'error\n"missing required parameter ""q"""\n')


@pytest.mark.skipif(not REAL_ENGINE, reason="needs the query engine")
def test_no_url_values_end_to_end(served):
    compat, c = served
    r = c.get("/query")
    assert r.status_code == 400
    assert r.content == (b'{"error":"missing query parameters \'db\' and \'q\'"}' if compat == "cloud-dedicated"
                         else b'{"error":"missing required parameter \\"q\\""}\n')


def test_negative_times_floor_end_to_end():
    """Before 1970 chrono floors ``s``, InfluxDB 1.x truncates; in-process (no retention on the database)."""
    c = make_client("cloud-dedicated")
    c.raw_store.create_database("old")
    assert c.raw_store.write("old", "m v=1 -1500000000").ok
    r = c.get("/query", params={"db": "old", "q": "SELECT v FROM m WHERE time < 0", "epoch": "s"})
    assert r.json()["results"][0]["series"][0]["values"] == [[-2, 1]]
    r = c.get("/query", params={"db": "old", "q": "SELECT v FROM m WHERE time < 0", "epoch": "m"},
              headers={"Accept": "text/csv"})
    assert r.text == "name,tags,time,v\nm,,0,1\n"


def test_chunk_size_zero_and_csv_ignores_chunking():
    """handler.rs: ``NonZero::new(chunk_size)`` None for 0 (no split); CsvStream takes no chunk size."""
    c = make_client("cloud-dedicated")
    c.raw_store.create_database("z")
    assert c.raw_store.write("z", "m v=1 1\nm v=2 2\nm v=3 3").ok
    params = {"db": "z", "q": "SELECT v FROM m", "chunked": "true", "epoch": "ns"}
    assert json_documents(c.get("/query", params={**params, "chunk_size": "0"}).text) == [
        {"results": [{"statement_id": 0, "series": [{"name": "m", "columns": ["time", "v"],
                                                     "values": [[1, 1], [2, 2], [3, 3]]}]}]}]
    assert len(json_documents(c.get("/query", params={**params, "chunk_size": "+2"}).text)) == 2
    csv_chunked = c.get("/query", params={**params, "chunk_size": "1"}, headers={"Accept": "text/csv"}).text
    assert csv_chunked == "name,tags,time,v\nm,,1,1\nm,,2,2\nm,,3,3\n"
