"""/query's request handling in the influxdb3 dialect, as InfluxDB 3 reads a request; influxdb1 unchanged.

Sources (influxdata/influxdb at d7834110b3680ba8e53d16333d158b18b8847bc7; the same crate is
``iox_v1_query_api`` in influxdata/influxdb3_core):

- ``core/iox_v1_query_api/src/handler.rs``: extract_request (GET: the URL; POST by Content-Type:
  SupportedContentType ``application/x-www-form-urlencoded`` / ``vnd.influxql`` / ``multipart/form-data``,
  none = influxql body; then QueryFormat::from_bytes), execute_query (``expected a query to be provided in
  the query string or body``, ``serde_json::from_str`` of ``params``, ``rewrite::parse_statements``),
  influxql_body (``Error retrieving query from request body``), multipart_upload (``A boundary header is
  required for multipart upload``).
- ``core/iox_v1_query_api/src/lib.rs`` QueryParams (serde_urlencoded), from_hashmap_multipart (trimmed
  values; ``epoch`` read with ``serde_json::from_str``); ``src/error.rs`` (``error decoding params from url:
  {0}``, ``error decoding query body: {0}``, ``invalid mime type ({0})``, ``missing query parameters 'db' and
  'q'``, ``error decoding multipart file upload: {0}``, ``Invalid UTF8: {message} {error}``, ``error reading
  field from body: {name} -- {error}``); ``src/types.rs`` Precision.
- ``influxdb3_server/src/http.rs`` ``IntoResponse for iox_v1_query_api::HttpError``: ``ResponseBuilder::new()
  .status(status).body(serde_json::to_vec(&V1ErrorResponse { error }))``: no Content-Type, no X-Influxdb-Error.
- ``influxdb_influxql_parser/src/lib.rs`` parse_statements: ``ws0`` (blanks, ``--`` and ``/* */`` comments) and
  statement terminators are skipped; no statement gives an empty list, which BufferedResponseStream /
  ChunkedResponseStream / CsvStream turn into no bytes at all (json.rs test ``empty_stream``).
- serde_json 1.0.149 ``src/error.rs`` (ErrorCode's words), ``src/de.rs``, ``src/read.rs``; mime 0.3.17
  ``src/parse.rs``; multer 3.1.0 ``src/error.rs``, ``src/multipart.rs``, ``src/buffer.rs``; serde_urlencoded 0.7.1
  and serde's derive (``duplicate field``, ``unknown variant``): the versions influxdb's Cargo.lock pins. The
  tables below were recorded from those crates, built from their sources (tests/http/cases/v3_oracle).
"""
from __future__ import annotations

import gzip
import json
import os
import random
import subprocess

import httpx
import pytest

import tsdb_core

from tests.http.conftest import NOW_S
from tsdb_http import v3_forms, v3_json_params, v3_params
from tsdb_http.params import HttpError
from tsdb_http.serve import start_in_thread

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
ORACLE = os.environ.get("TSDB_V3_ORACLE") or os.path.join(ROOT, "tests/http/cases/v3_oracle/target/release/v3req_oracle")
EPOCHS = "`ns`, `u`, `µ`, `ms`, `s`, `m`, `h`, `d`, `w`"
ARRAYS = "JSON arrays are not supported as query parameters. Expected null, boolean, number, or string."  # params.rs
OBJECTS = "JSON objects are not supported as query parameters. Expected null, boolean, number, or string"
RAW = "$serde_json::private::RawValue"


def _body(error: str) -> bytes:
    return json.dumps({"error": error}, separators=(",", ":"), ensure_ascii=False).encode()


# -- serde_json: a params document ------------------------------------------------------------

PARAMS_ERRORS = [  # (params, serde_json's message), recorded from serde_json 1.0.149
    ("", "EOF while parsing a value at line 1 column 0"),
    ("   ", "EOF while parsing a value at line 1 column 3"),
    ("null", "invalid type: null, expected a map at line 1 column 4"),
    ("true", "invalid type: boolean `true`, expected a map at line 1 column 4"),
    ("5", "invalid type: integer `5`, expected a map at line 1 column 1"),
    ("-5", "invalid type: integer `-5`, expected a map at line 1 column 2"),
    ("1.5", "invalid type: floating point `1.5`, expected a map at line 1 column 3"),
    ("1e20", "invalid type: floating point `1e+20`, expected a map at line 1 column 4"),
    ('"abc"', 'invalid type: string "abc", expected a map at line 1 column 5'),
    ('"a\\"b"', 'invalid type: string "a\\"b", expected a map at line 1 column 6'),
    ("[1]", "invalid type: sequence, expected a map at line 1 column 0"),
    ("{", "EOF while parsing an object at line 1 column 1"),
    ('{"a', "EOF while parsing a string at line 1 column 3"),
    ('{"a"', "EOF while parsing an object at line 1 column 4"),
    ('{"a":', "EOF while parsing a value at line 1 column 5"),
    ('{"a":1', "EOF while parsing an object at line 1 column 6"),
    ('{"a":1,', "EOF while parsing a value at line 1 column 7"),
    ('{"a":1,}', "trailing comma at line 1 column 8"),
    ('{"a":1 "b":2}', "expected `,` or `}` at line 1 column 8"),
    ("{1:2}", "key must be a string at line 1 column 2"),
    ('{"a" 1}', "expected `:` at line 1 column 6"),
    ('{"a":1}x', "trailing characters at line 1 column 8"),
    ('{"a":1}}', "trailing characters at line 1 column 8"),
    ('{"a":01}', "invalid number at line 1 column 7"),
    ('{"a":1.}', "invalid number at line 1 column 8"),
    ('{"a":1e}', "invalid number at line 1 column 8"),
    ('{"a":-}', "invalid number at line 1 column 7"),
    ('{"a":1e400}', "number out of range at line 1 column 10"),
    ('{"a":tru}', "expected ident at line 1 column 9"),
    ('{"a":nulx}', "expected ident at line 1 column 9"),
    ('{"a":"\\x"}', "invalid escape at line 1 column 8"),
    ('{"a":"\\u12G4"}', "invalid escape at line 1 column 12"),
    ('{"a":"\\uD800"}', "unexpected end of hex escape at line 1 column 13"),
    ('{"a":"\\uD800\\u0041"}', "lone leading surrogate in hex escape at line 1 column 18"),
    ('{"a":"\\uDC00"}', "lone leading surrogate in hex escape at line 1 column 12"),
    ('{"a":"tab\there"}', "control character (\\u0000-\\u001F) found while parsing a string at line 1 column 10"),
    ('{"a":"ab', "EOF while parsing a string at line 1 column 8"),
    ('{"a":[1,]}', "trailing comma at line 1 column 9"),
    ('{"a":[1 2]}', "expected `,` or `]` at line 1 column 9"),
    ('{"a":{"b" 1}}', "expected `:` at line 1 column 11"),
    ('{"h":[1]}', f"{ARRAYS} at line 1 column 9"),
    # the map's end is read ("}" consumed, "," not) before a value's error takes the reader's position
    ('{"a":1, "h":{"x":1},"z":2}', f"{OBJECTS} at line 1 column 19"),
    ('{\n "h": [1]\n}', f"{ARRAYS} at line 3 column 1"),
    ('{"é":{}}', f"{OBJECTS} at line 1 column 9"),  # columns count bytes
    ('{"a":' + "[" * 127 + "]" * 127 + "}", "recursion limit exceeded at line 1 column 132"),  # 128 levels
    # raw_value (on in influxdb3's build): a Value's map whose first key is the token holds JSON text
    ('{"h":{"%s":"[1]"}}' % RAW, f"{ARRAYS} at line 1 column 46"),
    ('{"h":{"%s":"tru"}}' % RAW, "EOF while parsing a value at line 1 column 3"),  # the string's own position
    ('{"h":{"%s":"1 2"}}' % RAW, "trailing characters at line 1 column 3"),
    ('{"h":{"%s":"5","x":1}}' % RAW, "trailing comma at line 1 column 43"),
    ('{"h":{"%s":"5" x}}' % RAW, "trailing characters at line 1 column 44"),
    ('{"h":{"%s":5}}' % RAW, "invalid type: integer `5`, expected raw value at line 1 column 40"),
    ('{"h":{"%s":[5]}}' % RAW, "invalid type: sequence, expected raw value at line 1 column 39"),
    ('{"h":{"x":1,"%s":"5"}}' % RAW, f"{OBJECTS} at line 1 column 50"),  # only as the first key
    ('{"h":[{"%s":"x"}]}' % RAW, "expected value at line 1 column 1"),
    ('{"h":{"%s":"5"},"z":[1]}' % RAW, f"{ARRAYS} at line 1 column 52"),
]


@pytest.mark.parametrize("raw,message", PARAMS_ERRORS)
def test_params_documents_fail_with_serde_json_words(raw, message):
    with pytest.raises(v3_json_params.SerdeJsonError) as e:
        v3_json_params.decode(raw)
    assert e.value.message == message


@pytest.mark.parametrize("raw,value", [
    ('{"a":1}', {"a": 1}), ('{"a":-1,"b":1.5,"c":"x","d":null,"e":true}', {"a": -1, "b": 1.5, "c": "x", "d": None, "e": True}),
    ('{"a":18446744073709551615}', {"a": 2 ** 64 - 1}), ('{"a":18446744073709551616}', {"a": 1.8446744073709552e19}),
    ('{"a":-9223372036854775808}', {"a": -2 ** 63}), ('{"a":-0}', {"a": -0.0}), ('{"a":1,"a":2}', {"a": 2}),
    ('{"a":"\\uD83D\\uDE00\\u00e9\\/"}', {"a": "\U0001F600é/"}), (' {} ', {}),
    ('{"h":{"%s":"5"}}' % RAW, {"h": 5}), ('{"h":{"%s":" -1.5 "}}' % RAW, {"h": -1.5}),
    ('{"h":{"$serde_json::private::Raw\\u0056alue":"\\"abc\\""}}', {"h": "abc"}),  # the key as decoded
    ('{"h":{"%s":"{\\"%s\\":\\"null\\"}"}}' % (RAW, RAW), {"h": None}),
    ('{"%s":"5"}' % RAW, {RAW: "5"}),  # the top level is a HashMap<String, _>: a name like any other
])
def test_params_documents_that_read(raw, value):
    """serde_json's numbers: u64, else i64, else f64 (params.rs TryFrom<Value>); a repeated name: the last."""
    got = v3_json_params.decode(raw)
    assert got == value and [type(v) for v in got.values()] == [type(v) for v in value.values()]


@pytest.mark.parametrize("text,result", [  # a multipart ``epoch``: serde_json::from_str::<Precision>, recorded
    ("", "EOF while parsing a value at line 1 column 0"), ("ms", "expected value at line 1 column 1"),
    ('"ms"', "ms"), ('"µ"', "µ"), ('{"ms":null}', "ms"),
    ('"x"', f"unknown variant `x`, expected one of {EPOCHS} at line 1 column 3"),
    ('{"ms":1}', "invalid type: integer `1`, expected unit at line 1 column 7"),
    ("5", "expected value at line 1 column 1"), ('"ms"x', "trailing characters at line 1 column 5"),
])
def test_a_multipart_epoch_is_json(text, result):
    try:
        got = v3_json_params.decode_precision(text)
    except v3_json_params.SerdeJsonError as e:
        got = e.message
    assert got == result


# -- mime, serde_urlencoded, multer -------------------------------------------------------------

@pytest.mark.parametrize("text,result", [  # mime 0.3.17 Mime::from_str and Display, recorded
    ("text/plain", "text/plain"), ("Application/JSON; Charset=UTF-8", "application/json; charset=utf-8"),
    ("application/vnd.influxql+json; X=Y", "application/vnd.influxql+json; x=Y"),
    ("garbage", "mime parse error: a slash (/) was missing between the type and subtype"),
    ("text/plain; a", "mime parse error: an equals sign (=) was missing between a parameter and its value"),
    ('text/plain; a="b', 'mime parse error: a quote (") was missing from a parameter value'),
    ("text/pl ain", "mime parse error: an invalid token was encountered, 20 at position 7"),
    ("a/b; c=é", "mime parse error: an invalid token was encountered, C3 at position 7"),
])
def test_content_types_as_the_mime_crate_reads_them(text, result):
    try:
        got = v3_forms.parse_mime(text).text
    except v3_forms.MimeError as e:
        got = str(e)
    assert got == result


def test_a_subtype_ends_at_its_suffix():
    """mime's ``subtype()`` stops at ``+``: ``application/vnd.influxql+json`` is a vnd.influxql body to InfluxDB 3."""
    m = v3_forms.parse_mime('multipart/form-data; boundary="a b"; x=1')
    assert (m.type_, m.subtype, m.param("boundary")) == ("multipart", "form-data", "a b")
    assert v3_forms.parse_mime("application/vnd.influxql+json").subtype == "vnd.influxql"


@pytest.mark.parametrize("query,error", [  # serde_urlencoded 0.7.1 into QueryParams, recorded
    ("epoch=", f"unknown variant ``, expected one of {EPOCHS}"),
    ("epoch=%20ms", f"unknown variant ` ms`, expected one of {EPOCHS}"),
    ("q=a&q=b", "duplicate field `q`"),
    ("chunked=yes", "provided string was not `true` or `false`"),
    ("pretty=1", "provided string was not `true` or `false`"),
    ("chunk_size=-1", "invalid digit found in string"),
    ("chunk_size=", "cannot parse integer from empty string"),
    ("chunk_size=99999999999999999999", "number too large to fit in target type"),
    ("pretty=x&chunk_size=y", "provided string was not `true` or `false`"),  # the first bad pair wins
    ("chunk_size=y&pretty=x", "invalid digit found in string"),
    ("q=a&chunked=x&q=b", "provided string was not `true` or `false`"),
    ("p=1&p=2&q=a", None), ("epoch=%C2%B5&chunk_size=%2B5", None),  # unknown names may repeat
])
def test_url_values_as_serde_urlencoded_reads_them(query, error):
    try:
        v3_params.decode_urlencoded(query.encode())
        got = None
    except HttpError as e:
        got = e.message.removeprefix("error decoding params from url: ")
    assert got == error


def _multipart(*parts: tuple[str, bytes], boundary: str = "XyZ") -> bytes:
    body = b"".join(b"--%s\r\nContent-Disposition: form-data; name=\"%s\"\r\n\r\n%s\r\n" % (boundary.encode(), n.encode(), v)
                    for n, v in parts)
    return body + b"--%s--\r\n" % boundary.encode()


@pytest.mark.parametrize("body,result", [
    (_multipart(("q", b"SELECT 1"), ("db", b"x")), [("q", b"SELECT 1"), ("db", b"x")]),
    (b"preamble\r\n" + _multipart(("q", b"a\r\nb")), [("q", b"a\r\nb")]),
    (b"--XyZ\r\nContent-Type: text/plain\r\n\r\nno name\r\n--XyZ--", []),  # no name: read, not kept
    (b"--XyZ\r\nContent-Disposition: form-data; name=q\r\n\r\nbare\r\n--XyZ--", [("q", b"bare")]),
    (b"no boundary here", "incomplete multipart stream"),  # multer error.rs IncompleteStream
    (b"--XyZ", "incomplete multipart stream"),
    (b"--XyZ\r\nContent-Disposition: form-data; name=\"q\"\r\n\r\nSELECT", 'field "q" received with incomplete data'),
    (b"--XyZ\r\nContent-Disposition: form-data; name=\"q\"\r\nbad header\r\n\r\nx\r\n--XyZ--", "failed to read headers"),
    (b"--XyZ\r\nContent-Disposition: form-data; name=\"q\"", "incomplete multipart stream"),
])
def test_multipart_bodies_as_multer_reads_them(body, result):
    try:
        got = list(v3_forms.multipart_fields(body, "XyZ"))
    except v3_forms.MultipartError as e:
        got = str(e)
    assert got == result


_SEEDS = ['{"a":1,"b":"x","c":[1,2],"d":{"e":null}}', '{"h":"v","n":-1.5e3}', '{"s":"\\ud83d\\ude00"}',
          '{"h":{"%s":"[1]"},"k":{"%s":" -2 "}}' % (RAW, RAW), '{"r":{"%s":"{\\"%s\\":\\"1e2\\"}"}}' % (RAW, RAW)]


def _mutated_documents(seed: int, n: int) -> list[str]:
    """Documents a few bytes away from valid ones (some with raw-value maps)."""
    rnd = random.Random(seed)
    alphabet = list('{}[]:,"\\ \n\t01-.eE+atrufnls') + ["\u00e9", "x", "\x01"]
    docs = []
    for _ in range(n):
        s = list(rnd.choice(_SEEDS))
        for _ in range(rnd.randint(1, 3)):
            k = rnd.randrange(len(s) + 1)
            s = s[:k] + [rnd.choice(alphabet)] + s[k + 1:] if rnd.random() < 0.7 else s[:k]
        docs.append("".join(s))
    return docs


def _as_rust(params: dict) -> dict:
    """The oracle's ``{"name": ["Kind", "value"]}`` for a decoded map (iox_query_params StatementParam)."""
    def one(v):
        if v is None:
            return ["Null", ""]
        if isinstance(v, bool):
            return ["Boolean", str(v).lower()]
        if isinstance(v, int):
            return ["UInt64" if v >= 0 else "Int64", str(v)]
        if isinstance(v, float):
            return ["Float64", repr(v)]
        return ["String", v]
    return {k: one(v) for k, v in params.items()}


def _from_rust(answer: str) -> str | dict:
    if answer.startswith("ERR "):
        return answer
    got = json.loads(answer[3:])
    return {k: [kind, repr(float(v)) if kind == "Float64" else v] for k, (kind, v) in got.items()}


def test_decode_error_agrees_with_the_reader():
    """tsdb_core's decode_error, when it answers, says what the serde_json port says."""
    answered = 0
    for doc in _mutated_documents(21, 3000) + [raw for raw, _ in PARAMS_ERRORS]:
        core = tsdb_core.influxdb3_params_error(doc)
        if core is None:
            continue
        answered += 1
        with pytest.raises(v3_json_params.SerdeJsonError) as e:
            v3_json_params.decode(doc)
        assert core == "error decoding query body: " + e.value.message, doc
    assert answered > 100


@pytest.mark.parametrize("body,result", [  # handler.rs multipart_upload over multer, recorded
    (_multipart(("q", b"\xff"), ("db", b"x")) [:-12], "Invalid UTF8: multipart field invalid utf-8 sequence of 1 bytes "
                                                       "from index 0"),  # the part is refused before the next is read
    (_multipart(("q", b"a"), ("db", b"\xc3")), "Invalid UTF8: multipart field incomplete utf-8 byte sequence from index 0"),
    (_multipart(("q", b"a"), ("q", b"b"), ("x", b"")), {"q": "b", "x": ""}),  # a HashMap: the last value of a name
])
def test_multipart_forms_as_influxdb3_reads_them(body, result):
    try:
        got = v3_params.multipart_form(body, "XyZ")
    except HttpError as e:
        got = e.message
    assert got == result


_BOUNDARIES = ["XyZ", "a b", "--", "x-y", "----WebKitFormBoundary7MA4YWxkTrZu0gW", "1"]
_NAMES = [b'name="q"', b"name=q", b'name="a\\"b"', b'name=""', b'filename="f"; name="x"', b'Name="q"', b'names="q"',
          b'xname="q"', b'name = "q"', b'name="q', b"name=q;x", b'name="\xc3\xa9"', b'name="\xff"', b""]
_DATA = [b"SELECT 1", b"", b"a\r\nb", b"\xff", b"\xc3", b"--B", b"\r\n--", b"x\r\n--B-", b"line\n--B"]
_HEADERS = [b"Content-Type: text/plain", b"X: y", b"bad header", b"X:", b"X : y", b"X:\ty\t", b"\xff: y", b" folded",
            b"X(: y", b"X: \x7f", b"X: a\rb", b"Content-Disposition: form-data", b"Content-Disposition: attachment; name=q"]


def _random_multipart(rnd: random.Random) -> tuple[str, bytes]:
    """A Content-Type and a form body near a valid one: odd headers and names, parts that hold
    the boundary, truncations and byte edits."""
    b = rnd.choice(_BOUNDARIES)
    quoted = f'"{b}"' if " " in b or rnd.random() < 0.3 else b
    ctype = rnd.choice([f"multipart/form-data; boundary={quoted}", f"Multipart/Form-Data; Boundary={quoted}; charset=x",
                        f"multipart/form-data;boundary={quoted}", f"multipart/form-data; boundary={quoted} "])
    parts = []
    for _ in range(rnd.randint(0, 3)):
        headers = [b"Content-Disposition: form-data; " + rnd.choice(_NAMES)] if rnd.random() < 0.85 else []
        headers += [rnd.choice(_HEADERS) for _ in range(rnd.choice([0, 0, 0, 0, 0, 1, 2, 32]))]
        rnd.shuffle(headers)
        eol = rnd.choice([b"\r\n"] * 6 + [b"\n"])
        parts.append(b"--" + b.encode() + rnd.choice([b"", b"", b" ", b"\t", b"x"]) + b"\r\n" + eol.join(headers) + eol + eol
                     + rnd.choice(_DATA).replace(b"B", b.encode()) + b"\r\n")
    body = rnd.choice([b"", b"", b"preamble\r\n", b"--"]) + b"".join(parts) + rnd.choice(
        [b"--%s--\r\n" % b.encode(), b"--%s--" % b.encode(), b"--%s--epilogue" % b.encode(), b"", b"--" + b.encode()])
    for _ in range(rnd.choice([0, 0, 0, 1, 2])):
        k = rnd.randrange(len(body) + 1)
        body = rnd.choice([body[:k], body[:k] + bytes([rnd.randrange(256)]) + body[k + 1:],
                           body[:k] + rnd.choice([b"\r\n", b"--", b.encode(), b'"', b";"]) + body[k:]])
    return ctype, body


def _port_multipart(ctype: str, body: bytes) -> str | dict:
    try:
        mime = v3_forms.parse_mime(ctype)
    except v3_forms.MimeError:
        return "NOBOUNDARY"
    if (mime.type_, mime.subtype) != ("multipart", "form-data") or mime.param("boundary") is None:
        return "NOBOUNDARY"
    try:
        return v3_params.multipart_form(body, mime.param("boundary"))
    except HttpError as e:
        return "ERR " + e.message


@pytest.mark.skipif(not os.path.exists(ORACLE), reason="the Rust oracle is not built (tests/http/cases/v3_oracle)")
def test_the_multipart_port_agrees_with_multer_on_random_bodies():
    """Random form bodies through multer 3.1.0 (parse_boundary, then handler.rs's loop) and the port."""
    rnd = random.Random(31)
    cases = [_random_multipart(rnd) for _ in range(4000)]
    lines = "".join("multipart\t%s\n" % (c.encode() + b"\n" + body).hex() for c, body in cases)
    out = subprocess.run([ORACLE], input=lines.encode(), capture_output=True, check=True, timeout=60).stdout
    kinds = set()
    for (ctype, body), answer in zip(cases, out.decode().splitlines()):
        answer = json.loads(answer)
        if answer.startswith("OK"):
            pairs = [p.split("=") for p in answer[3:].split(",") if p]
            answer = {bytes.fromhex(k).decode(): bytes.fromhex(v).decode() for k, v in pairs}
        kinds.add(answer.split(":")[0] if isinstance(answer, str) else bool(answer))
        assert _port_multipart(ctype, body) == answer, (ctype, body)
    assert len(kinds) >= 5, kinds  # fields, none, multer's errors and UTF-8 errors were all seen


@pytest.mark.skipif(not os.path.exists(ORACLE), reason="the Rust oracle is not built (tests/http/cases/v3_oracle)")
def test_the_ports_agree_with_the_crates_on_random_documents():
    """Mutated documents through serde_json itself (StatementParams) and through the port: the same
    error, or the same names, kinds and values."""
    docs = _mutated_documents(20, 4000)
    lines = "".join(f"params\t{d.encode().hex()}\n" for d in docs)
    out = subprocess.run([ORACLE], input=lines.encode(), capture_output=True, check=True, timeout=60).stdout
    for doc, answer in zip(docs, out.decode().splitlines()):
        try:
            mine = _as_rust(v3_json_params.decode(doc))
        except v3_json_params.SerdeJsonError as e:
            mine = "ERR " + e.message
        assert mine == _from_rust(json.loads(answer)), doc


# -- end to end: a served shim, httpx ---------------------------------------------------------------

_LP = f"m,host=a v=1.5 {NOW_S}\nm,host=b v=2 {NOW_S + 1}\n"


@pytest.fixture(scope="module", params=["cloud-dedicated", "influxdb1"])
def served(request, tmp_path_factory):
    handle = start_in_thread(tmp_path_factory.mktemp("v3req"), no_auth=True, compat=request.param)
    try:
        with httpx.Client(base_url=handle.url, timeout=60) as c:
            if request.param == "influxdb1":
                assert c.post("/query", data={"q": "CREATE DATABASE db"}).status_code == 200
            assert c.post("/write", params={"db": "db", "precision": "s"}, content=_LP.encode()).status_code == 204
            yield request.param, c
    finally:
        handle.stop()


@pytest.fixture
def cloud(served):
    compat, c = served
    if compat != "cloud-dedicated":
        pytest.skip("the influxdb3 dialect only")
    return c


def _plain_error(r: httpx.Response, status: int, error: str) -> None:
    """InfluxDB 3's failed request: the status and ``{"error":...}``, and no header of its own."""
    assert (r.status_code, r.content) == (status, _body(error))
    assert "content-type" not in r.headers and "x-influxdb-error" not in r.headers
    assert "content-encoding" not in r.headers


@pytest.mark.parametrize("method", ["GET", "POST"])
@pytest.mark.parametrize("chunked", ["false", "true"])
def test_only_influxdb1_compresses_answers(served, method, chunked):
    """influxd gzips an answer when the client accepts gzip; influxdb3_server has no compression
    layer, so the InfluxDB 3 dialect sends the same bytes whatever Accept-Encoding says."""
    compat, c = served
    values = {"db": "db", "q": "SELECT v FROM m", "chunked": chunked}
    for _ in range(2):  # a repeated GET may be answered before the ASGI app (answer_now)
        with c.stream(method, "/query", headers={"Accept-Encoding": "gzip, deflate"},
                      **({"params": values} if method == "GET" else {"data": values})) as r:
            raw = b"".join(r.iter_raw())
        if compat == "cloud-dedicated":
            assert "content-encoding" not in r.headers
        else:
            assert r.headers["content-encoding"] == "gzip"
            raw = gzip.decompress(raw)
        assert r.status_code == 200 and [row[1] for row in json.loads(raw)["results"][0]["series"][0]["values"]] \
            == [1.5, 2]


@pytest.mark.parametrize("q", ["", " ", ";", " ;; ", "-- note", "/* note */", "; -- a\n/* b */ ;"])
@pytest.mark.parametrize("accept,ctype", [(None, "application/json"), ("application/csv", "application/csv"),
                                          ("application/x-msgpack", "application/x-msgpack")])
def test_a_query_without_statements_is_an_empty_200(served, q, accept, ctype):
    compat, c = served
    headers = {"Accept": accept} if accept else {}
    r = c.get("/query", params={"db": "db", "q": q}, headers=headers)
    if compat == "cloud-dedicated":
        assert (r.status_code, r.headers["content-type"], r.content) == (200, ctype, b"")
        chunked = c.get("/query", params={"db": "db", "q": q, "chunked": "true"}, headers=headers)
        assert (chunked.status_code, chunked.content) == (200, b"")
    elif not q.strip():  # influxdb1: 1.x's answer, unchanged
        assert r.status_code == 400 and r.headers["x-influxdb-error"] == 'missing required parameter "q"'


def test_an_empty_query_in_a_body_is_an_empty_200(cloud):
    assert (cloud.post("/query", data={"db": "db", "q": ""}).content, cloud.post("/query?db=db", content=b"").content) \
        == (b"", b"")
    assert cloud.post("/query", files={"db": (None, "db"), "q": (None, " ; ")}).content == b""


@pytest.mark.parametrize("params,accept,error", [
    ({"db": "db"}, None, "expected a query to be provided in the query string or body"),
    ({"q": "SHOW MEASUREMENTS", "epoch": ""}, None, f"error decoding params from url: unknown variant ``, expected one of {EPOCHS}"),
    ({"q": "SHOW MEASUREMENTS", "epoch": "us"}, None, f"error decoding params from url: unknown variant `us`, expected one of {EPOCHS}"),
    ({"q": "SHOW MEASUREMENTS", "epoch": "x"}, "text/html",  # the URL is decoded before the format is read
     f"error decoding params from url: unknown variant `x`, expected one of {EPOCHS}"),
    ({"q": ""}, "text/html", "invalid mime type (text/html)"),  # the format before the query
    ({"params": "{bad"}, None, "expected a query to be provided in the query string or body"),  # q before params
    ({"q": "", "params": "{bad"}, None, "error decoding query body: key must be a string at line 1 column 2"),
    ({"q": "SHOW MEASUREMENTS", "params": ""}, None, "error decoding query body: EOF while parsing a value at line 1 column 0"),
    ({"q": "SHOW MEASUREMENTS", "params": '{"h":[1]}'}, None, f"error decoding query body: {ARRAYS} at line 1 column 9"),
    ({"q": "SHOW MEASUREMENTS", "params": "[]"}, None,
     "error decoding query body: invalid type: sequence, expected a map at line 1 column 0"),
])
def test_request_errors_have_no_headers_of_their_own(served, params, accept, error):
    compat, c = served
    r = c.get("/query", params={"db": "db", **params},
              headers={"Accept-Encoding": "gzip", **({"Accept": accept} if accept else {})})
    if compat == "cloud-dedicated":
        _plain_error(r, 400, error)
    elif "q" not in params:  # 1.x: its own words, with X-Influxdb-Error and a Content-Type
        assert r.status_code == 400 and r.headers["x-influxdb-error"] and r.headers["content-type"]


def test_repeated_values_and_the_raw_query_string(cloud):
    _plain_error(cloud.get("/query?db=db&q=SHOW+MEASUREMENTS&q=SHOW+DATABASES"), 400,
                 "error decoding params from url: duplicate field `q`")
    _plain_error(cloud.get("/query"), 400, "missing query parameters 'db' and 'q'")
    r = cloud.get("/query?db=db&q=SHOW%20MEASUREMENTS&u=me&u=again&epoch=%C2%B5")  # unknown names may repeat
    assert r.json()["results"][0]["series"][0]["values"] == [["m"]]


def test_influxql_bodies(cloud):
    """No Content-Type, or ``application/vnd.influxql``: the body is the query, unless the URL holds a ``q``."""
    for headers in ({}, {"Content-Type": "application/vnd.influxql; charset=utf-8"},
                    {"Content-Type": "application/vnd.influxql+json"}):
        r = cloud.post("/query?db=db", content=b"SHOW MEASUREMENTS", headers=headers)
        assert r.json()["results"][0]["series"][0]["values"] == [["m"]], headers
    r = cloud.post("/query?db=db&q=SHOW%20FIELD%20KEYS", content=b"SHOW MEASUREMENTS")
    assert r.json()["results"][0]["series"][0]["columns"] == ["fieldKey", "fieldType"]
    _plain_error(cloud.post("/query", content=b"SHOW MEASUREMENTS"), 400, "missing query parameters 'db' and 'q'")
    _plain_error(cloud.post("/query?db=db", content=b"SHOW \xff"), 400, "Error retrieving query from request body")


@pytest.mark.parametrize("ctype,error", [
    ("text/plain", "invalid mime type (text/plain)"),
    ("Application/JSON; Charset=UTF-8", "invalid mime type (application/json; charset=utf-8)"),
    ("garbage", "invalid mime type (mime parse error: a slash (/) was missing between the type and subtype)"),
    ("text/plain; a", ("invalid mime type (mime parse error: an equals sign (=) was missing between a parameter "
                       "and its value)")),
    ("multipart/form-data", "A boundary header is required for multipart upload"),
    (b"text/\xff", "Invalid UTF8: mime type invalid utf-8 sequence of 1 bytes from index 5"),  # Rust's Utf8Error
])
def test_body_types_influxdb3_refuses(cloud, ctype, error):
    _plain_error(cloud.post("/query?db=db&q=SHOW%20MEASUREMENTS", content=b"x", headers={"Content-Type": ctype}),
                 400, error)


def test_form_bodies(cloud):
    form = {"Content-Type": "application/x-www-form-urlencoded"}
    r = cloud.post("/query?epoch=s", content=b"db=db&q=SELECT+v+FROM+m", headers=form)
    assert r.json()["results"][0]["series"][0]["values"][0] == [NOW_S, 1.5]  # the URL's epoch, the body's q
    # a URL serde_urlencoded cannot read is dropped whole (``unwrap_or_default``): here its db too
    r = cloud.post("/query?db=db&chunked=yes", content=b"q=SHOW+MEASUREMENTS", headers=form)
    assert r.json() == {"results": [{"statement_id": 0, "error": "must specify a 'db' parameter, or provide the "
                                                                 "database in the InfluxQL query"}]}
    _plain_error(cloud.post("/query", content=b"db=db&q=SHOW+MEASUREMENTS&chunked=yes", headers=form), 400,
                 "error decoding params from url: provided string was not `true` or `false`")  # (sic: "from url")
    _plain_error(cloud.post("/query", content=b"q=a&q=b", headers=form), 400,
                 "error decoding params from url: duplicate field `q`")


def test_multipart_bodies(cloud):
    r = cloud.post("/query", files={"db": (None, "db"), "q": (None, "SELECT v FROM m"), "epoch": (None, ' "s" '),
                                    "chunked": (None, " false ")})
    assert r.json()["results"][0]["series"][0]["values"][0] == [NOW_S, 1.5]
    for field, value, error in [
        ("epoch", "s", "error decoding query body: expected value at line 1 column 1"),
        ("chunked", "yes", "error reading field from body: chunked -- provided string was not `true` or `false`"),
        ("chunk_size", "x", "error reading field from body: chunk_size -- invalid digit found in string"),
        ("pretty", "", "error reading field from body: pretty -- provided string was not `true` or `false`"),
    ]:
        _plain_error(cloud.post("/query", files={"db": (None, "db"), "q": (None, "SHOW MEASUREMENTS"),
                                                 field: (None, value)}), 400, error)
    multipart = {"Content-Type": "multipart/form-data; boundary=XyZ"}
    _plain_error(cloud.post("/query", content=b"--XyZ\r\nContent-Disposition: form-data; name=\"q\"\r\n\r\nSHOW",
                            headers=multipart), 400,
                 'error decoding multipart file upload: field "q" received with incomplete data')
    _plain_error(cloud.post("/query", content=b"nothing", headers=multipart), 400,
                 "error decoding multipart file upload: incomplete multipart stream")
    _plain_error(cloud.post("/query", content=_multipart(("q", b"\xffSHOW")), headers=multipart), 400,
                 "Invalid UTF8: multipart field invalid utf-8 sequence of 1 bytes from index 0")
    _plain_error(cloud.post("/query", content=_multipart(("q", b"\xffSHOW"), ("db", b"db"))[:-12], headers=multipart),
                 400, "Invalid UTF8: multipart field invalid utf-8 sequence of 1 bytes from index 0")  # before the next part


def test_the_influxdb_python_client_posts_json(cloud):
    """influxdb's client sends ``Content-Type: application/json`` with its POST queries: InfluxDB 3 refuses them."""
    r = cloud.post("/query", params={"db": "db", "q": "SHOW MEASUREMENTS"}, headers={"Content-Type": "application/json"})
    _plain_error(r, 400, "invalid mime type (application/json)")


def test_influxdb1_keeps_its_answers(served):
    """The influxdb1 dialect reads values as 1.x does: leniently, the last of repeated names, any body type."""
    compat, c = served
    if compat != "influxdb1":
        pytest.skip("the influxdb1 dialect only")
    assert c.get("/query", params={"db": "db", "q": "SHOW MEASUREMENTS", "epoch": ""}).status_code == 200
    assert c.get("/query?db=db&q=SHOW+DATABASES&q=SHOW+MEASUREMENTS").json()["results"][0]["series"][0]["name"] \
        == "measurements"
    r = c.post("/query", params={"db": "db", "q": "SHOW MEASUREMENTS"}, headers={"Content-Type": "application/json"})
    assert r.status_code == 200
    r = c.get("/query", params={"db": "db", "q": "SHOW MEASUREMENTS", "params": "{bad"})
    assert r.status_code == 400 and r.headers["x-influxdb-error"].startswith("error parsing query parameters: ")
