"""Hypothesis strategies and the one invariant every fuzzed answer must meet.

Invariant: no 5xx; every 4xx carries an error body in the negotiated format
(JSON unless the client asked /query for CSV or msgpack); a 200 /query answer
never hides an ``internal error`` inside a statement result.
"""
from __future__ import annotations

import gzip
import zlib

import msgpack
import orjson
from hypothesis import strategies as st

LP_ALPHABET = "abcxyz_ABC019.-+eEtTfFiu ,=\\\"\n\t#\r'/é😀\x00"
LP_PIECES = ["m", "cpu", ",host=a", ",t=1", " ", "v=1", "v=1i", "v=1u", "v=-1.5e3", 'v="s"', "v=t", "v=F",
             "v=true", ",x=2", " 1600000000000000000", " 1", " -1", "\n", "\\ ", "\\,", '"', "=", ",", "#c\n",
             " 99999999999999999999", "v=1.7976931348623157e309", "v=NaN", "v=inf", "v=9223372036854775808i"]

QL_PIECES = ["SELECT", "*", "mean(v)", "count(*)", "v", "FROM", "m", "cpu", "/c.*/", "WHERE", "time", ">", "<",
             "now()", "-", "1h", "AND", "OR", "host", "=", "'a'", "=~", "/(a+)+$/", "GROUP BY", "time(1m)",
             "fill(null)", "fill(0)", "LIMIT", "1", "OFFSET", "SLIMIT", "ORDER BY time DESC", ";", "SHOW",
             "MEASUREMENTS", "TAG KEYS", "FIELD KEYS", "SERIES", "DATABASES", "CREATE DATABASE", "DROP",
             "DELETE", "INTO", "\"q\"", "(", ")", ",", "derivative(", "difference(", "percentile(v, 50)",
             "top(v, 3)", "$x", "tz('UTC')", "1e400", "-9223372036854775808", "0x1", "'", '"', "\\",
             "SELECT * FROM m", "SELECT mean(v) FROM m WHERE time > now() - 1d GROUP BY time(1h)"]

PARAM_KEYS = ["db", "rp", "q", "epoch", "chunked", "chunk_size", "pretty", "params", "precision", "bucket",
              "org", "u", "p", "verbose", "format"]
PARAM_VALUES = ["", "fz", "autogen", "fz/autogen", "../etc", "ns", "u", "ms", "s", "h", "m", "x", "true",
                "false", "0", "-1", "1", "99999999999999999999", "{}", "[]", '{"x": 1}', '{"x": "a"}', "null",
                "SELECT * FROM m", "SHOW DATABASES", "\x00", "é", "%00", "a=b&c"]

HEADER_NAMES = ["content-type", "content-encoding", "accept", "accept-encoding", "authorization",
                "content-length", "x-request-id", "origin", "transfer-encoding"]
HEADER_VALUES = ["", "gzip", "identity", "br", "text/plain", "application/json", "text/csv",
                 "application/x-msgpack", "application/x-www-form-urlencoded", "multipart/form-data",
                 "multipart/form-data; boundary=x", "Token x", "Bearer", "Basic !!!", "Basic dTpw", "0", "-1",
                 "abc", "99999999999", "chunked", "*/*", "gzip, deflate", "text/plain; charset=latin-1"]


def lp_bodies():
    pieces = st.lists(st.sampled_from(LP_PIECES), max_size=20).map("".join)
    text = st.text(alphabet=LP_ALPHABET, max_size=200)
    return st.one_of(pieces, text, st.binary(max_size=100).map(lambda b: b.decode("latin-1"))).map(
        lambda s: s.encode("utf-8", "surrogatepass"))


def influxql():
    pieces = st.lists(st.sampled_from(QL_PIECES), min_size=1, max_size=14).map(" ".join)
    return st.one_of(pieces, st.text(max_size=80), pieces.map(lambda s: "SELECT " + s))


def query_strings():
    val = st.one_of(st.sampled_from(PARAM_VALUES), st.text(max_size=20))
    return st.lists(st.tuples(st.sampled_from(PARAM_KEYS), val), max_size=6)


def header_sets():
    val = st.one_of(st.sampled_from(HEADER_VALUES), st.text(alphabet=st.characters(min_codepoint=32,
                                                                                    max_codepoint=126),
                                                            max_size=30))
    return st.lists(st.tuples(st.sampled_from(HEADER_NAMES), val), max_size=5)


def gzip_bodies():
    good = lp_bodies().map(gzip.compress)
    cut = st.tuples(lp_bodies().map(gzip.compress), st.integers(0, 40)).map(lambda t: t[0][:t[1]])
    flipped = st.tuples(lp_bodies().map(gzip.compress), st.integers(0, 200), st.integers(1, 255)).map(
        lambda t: t[0][:t[1] % max(len(t[0]), 1)] + bytes([t[0][t[1] % max(len(t[0]), 1)] ^ t[2]])
        + t[0][t[1] % max(len(t[0]), 1) + 1:])
    members = st.lists(lp_bodies().map(gzip.compress), min_size=2, max_size=3).map(b"".join)
    raw = st.binary(max_size=64).map(lambda b: b"\x1f\x8b" + b)
    deflate = lp_bodies().map(zlib.compress)
    return st.one_of(good, cut, flipped, members, raw, deflate)


def check_answer(ans, path: str) -> None:
    """The invariant (module docstring); raises AssertionError with the evidence."""
    assert ans.status < 500, f"{ans.status} {ans.body[:300]!r}"
    ctype = ans.headers.get("content-type", "")
    body = ans.body
    if ans.headers.get("content-encoding") == "gzip" and body:
        body = gzip.decompress(body)
    if ans.status >= 400:
        assert body, f"{ans.status} with an empty body"
        if "json" in ctype:
            doc = orjson.loads(body)
            assert isinstance(doc, dict) and ("error" in doc or "message" in doc), doc
        elif "msgpack" in ctype:
            assert msgpack.unpackb(body, raw=False)
        else:
            assert path == "/query" and "csv" in ctype, (ans.status, ctype, body[:200])
    if path == "/query" and ans.status == 200 and "json" in ctype and body:
        for line in body.splitlines():  # chunked answers are JSON lines
            if line.strip():
                for res in orjson.loads(line).get("results", []):
                    assert not str(res.get("error", "")).startswith("internal error"), res["error"]
