"""Hypothesis strategies, the five fuzz targets, and the one invariant every fuzzed answer must meet.

Invariant: no 5xx; every 4xx carries an error body in the negotiated format
(JSON unless the client asked /query for CSV or msgpack; the influxdb3 dialect's /query sends its JSON
without a Content-Type, as InfluxDB 3 does; influxdb1 answers a wrong method
with 1.x's text, `Method Not Allowed`); a 200 /query answer
never hides an ``internal error`` inside a statement result.

A target turns one drawn case into one request through the whole ASGI app
(:func:`fuzz_app`: a real on-disk store, auth on); :func:`run_case` sends it and
checks the answer. ``tests/reliability/test_fuzz.py`` (CI) and
``reliability.fuzzrun`` (the long, batched runs) share them.
"""
from __future__ import annotations

import gzip
import zlib
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Callable
from urllib.parse import urlencode

import msgpack
import orjson
from hypothesis import strategies as st

from .asgi import Answer, AsgiCaller

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


FIELDS = ["v", "i", "s", "b", "usage", "*", "host", "nope", '"v"', "v::float", "i::integer", "v::tag", "host::tag",
          "s::string", "/./", "/^[vi]$/"]
AGG_FNS = ["count", "sum", "mean", "median", "mode", "stddev", "spread", "integral", "distinct", "max", "min",
           "first", "last", "percentile", "sample", "top", "bottom", "derivative", "non_negative_derivative",
           "difference", "non_negative_difference", "cumulative_sum", "moving_average", "elapsed",
           "holt_winters", "holt_winters_with_fit", "exponential_moving_average", "relative_strength_index",
           "chande_momentum_oscillator", "kaufmans_efficiency_ratio", "triple_exponential_derivative", "abs",
           "sqrt", "log", "pow", "round", "atan2", "floor", "nope"]
ARGS = ["", "1", "0", "-1", "3", "50", "100", "1.5", "1s", "10m", "0s", "'x'", "host", "v", "i", "9223372036854775807"]
TIMES = ["now()", "now() - 1h", "now() + 1d", "'2020-09-13T12:26:40Z'", "'2020-09-13T12:30:00.5Z'", "0",
         "1600000000000000000", "1600000100s", "-9223372036854775806", "9223372036854775806", "'2020-13-01'"]
CONDS = ["v > 1", "v < -1.5", "i = 2", "s = 'x'", "s =~ /x|y/", "b = true", "host = 'a'", "host != 'b'",
         "host =~ /^a/", "host !~ /a/", "usage >= 0.5", "v + 1 > i * 2", "v / 0 > 1", "\"host\" = 'a'",
         "v = $x", "nope = 1", "host = ''", "i % 2 = 0", "v <> 1"]
GROUPS = ["", " GROUP BY *", " GROUP BY host", " GROUP BY time(1m)", " GROUP BY time(10s, 5s), host",
          " GROUP BY time(1h) fill(0)", " GROUP BY time(1s) fill(previous)", " GROUP BY time(1m) fill(linear)",
          " GROUP BY time(1m) fill(none)", " GROUP BY time(0s)", " GROUP BY time(1m, -30s) fill(-1)",
          " GROUP BY /h/", " GROUP BY nope"]
TAILS = ["", " ORDER BY time DESC", " LIMIT 2", " OFFSET 1", " SLIMIT 1", " SOFFSET 1", " LIMIT 0", " tz('UTC')",
         " tz('Europe/Paris')", " tz('Nope/Zone')", " LIMIT 1 OFFSET 99999999"]
SHOWS = ["SHOW MEASUREMENTS", "SHOW MEASUREMENTS WITH MEASUREMENT =~ /c/", "SHOW TAG KEYS", "SHOW TAG KEYS FROM m",
         "SHOW TAG VALUES WITH KEY = host", "SHOW TAG VALUES FROM m WITH KEY =~ /./ WHERE host = 'a'",
         "SHOW FIELD KEYS", "SHOW FIELD KEYS FROM cpu", "SHOW SERIES", "SHOW SERIES FROM m WHERE host = 'b'",
         "SHOW DATABASES", "SHOW RETENTION POLICIES", "SHOW RETENTION POLICIES ON fz", "SHOW MEASUREMENT CARDINALITY",
         "SHOW SERIES EXACT CARDINALITY", "SHOW TAG VALUES EXACT CARDINALITY WITH KEY = host",
         "SHOW FIELD KEY CARDINALITY", "SHOW TAG KEY EXACT CARDINALITY", "SHOW USERS", "SHOW QUERIES",
         "SHOW DIAGNOSTICS", "SHOW STATS", "SHOW SHARDS", "SHOW CONTINUOUS QUERIES", "SHOW GRANTS FOR x",
         "EXPLAIN SELECT v FROM m", "EXPLAIN ANALYZE SELECT mean(v) FROM m", "CREATE DATABASE fz2",
         "CREATE RETENTION POLICY r ON fz DURATION 1h REPLICATION 1", "DROP SERIES FROM m WHERE host = 'zz'",
         "DELETE FROM nope", "DROP MEASUREMENT nope", "KILL QUERY 1"]


@st.composite
def _select(draw, depth: int = 0):
    """A mostly valid SELECT over the seeded data (so the planner and engine run, not just the parser)."""
    cols = []
    for _ in range(draw(st.integers(1, 3))):
        f = draw(st.sampled_from(FIELDS))
        if draw(st.booleans()):
            fn = draw(st.sampled_from(AGG_FNS))
            inner = f"{draw(st.sampled_from(AGG_FNS[:13]))}({f})" if draw(st.integers(0, 4)) == 0 else f
            args = [a for a in draw(st.lists(st.sampled_from(ARGS), max_size=3)) if a]
            f = f"{fn}({', '.join([inner, *args])})"
        if draw(st.integers(0, 3)) == 0:
            f += f" {draw(st.sampled_from(['+', '-', '*', '/', '%', '&', '|', '^']))} {draw(st.sampled_from(ARGS[1:]))}"
        if draw(st.integers(0, 4)) == 0:
            f += ' AS "a"'
        cols.append(f)
    src = draw(st.sampled_from(["m", "cpu", "m, cpu", "/./", "/^m/", "nope", '"fz"."autogen"."m"', "fz..m",
                                '"fz"."nope"."m"']))
    if depth == 0 and draw(st.integers(0, 5)) == 0:
        src = f"({draw(_select(depth=1))})"
    where = []
    for _ in range(draw(st.integers(0, 3))):
        if draw(st.booleans()):
            where.append(f"time {draw(st.sampled_from(['>', '>=', '<', '<=', '=']))} {draw(st.sampled_from(TIMES))}")
        else:
            where.append(draw(st.sampled_from(CONDS)))
    sql = f"SELECT {', '.join(cols)} FROM {src}"
    if where:
        sql += " WHERE " + draw(st.sampled_from([" AND ", " OR "])).join(where)
    sql += draw(st.sampled_from(GROUPS)) + "".join(draw(st.lists(st.sampled_from(TAILS), max_size=2)))
    if depth == 0 and draw(st.integers(0, 9)) == 0:
        sql = sql.replace(" FROM ", ' INTO "fz"."autogen"."out" FROM ', 1)
    return sql


def _mutate(q_and_cut):
    q, at, junk = q_and_cut
    at %= len(q) + 1
    return q[:at] + junk + q[at:]


def influxql():
    pieces = st.lists(st.sampled_from(QL_PIECES), min_size=1, max_size=14).map(" ".join)
    valid = st.one_of(_select(), st.sampled_from(SHOWS))
    many = st.lists(valid, min_size=2, max_size=3).map("; ".join)
    mutated = st.tuples(valid, st.integers(0, 200), st.sampled_from(QL_PIECES + ["", "'", "(", ")"])).map(_mutate)
    return st.one_of(pieces, st.text(max_size=80), pieces.map(lambda s: "SELECT " + s), valid, valid, many,
                     mutated)


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
        if "json" in ctype or (path == "/query" and not ctype):  # (InfluxDB 3's /query errors: JSON, no Content-Type)
            doc = orjson.loads(body)
            assert isinstance(doc, dict) and ("error" in doc or "message" in doc), doc
        elif "msgpack" in ctype:
            assert msgpack.unpackb(body, raw=False)
        elif ans.status == 405 and ctype.startswith("text/plain"):  # influxdb1: 1.x's own text
            assert body == b"Method Not Allowed\n", body[:200]
        else:
            assert path == "/query" and "csv" in ctype, (ans.status, ctype, body[:200])
    if path == "/query" and ans.status == 200 and "json" in ctype and body:
        for line in body.splitlines():  # chunked answers are JSON lines
            if line.strip():
                for res in orjson.loads(line).get("results", []):
                    assert not str(res.get("error", "")).startswith("internal error"), res["error"]


# ---------------------------------------------------------------------------- targets
DIALECTS = ("cloud-dedicated", "influxdb1")
PRECISIONS = ["", "ns", "s", "ms", "h", "x"]
QS_PATHS = ["/query", "/write", "/api/v2/write", "/ping", "/health", "/api/v2/query"]
BUFFER_ROWS = 20
MAX_BUCKETS = 20_000  # GROUP BY time(1s) over 50 years would build ~1.6e9 windows; a limit answers 400
SEED_LP = (b"m,host=a v=1,s=\"x\",i=2i 1600000000000000000\nm,host=b v=2 1600000000000000001\n"
           b"cpu,host=a usage=0.5 1600000000000000000\n"
           + "\n".join(f"m,host={'abc'[k % 3]} v={k * 0.5 - 20},i={k % 7 - 3}i,s=\"{'xy'[k % 2]}\",b={'tf'[k % 2]} "
                       f"{1600000000000000000 + k * 7_000_000_000}" for k in range(1, 200)).encode())


@dataclass(frozen=True, slots=True)
class Target:
    """One fuzzed input: ``cases()`` draws a case, ``send(call, case)`` makes its request."""

    name: str
    cases: Callable[[], st.SearchStrategy]
    send: Callable[[AsgiCaller, tuple], tuple[Answer, str]]


def _send_lp(call, case):
    body, v2, precision = case
    path = "/api/v2/write" if v2 else "/write"
    qs = urlencode({"bucket" if v2 else "db": "fz", **({"precision": precision} if precision else {})})
    return call("POST", path, qs.encode(), [*call.auth, (b"content-type", b"text/plain")], body), path


def _send_ql(call, case):
    q, post = case
    qs = urlencode({"db": "fz", "q": q}).encode()
    if post:
        return call("POST", "/query", b"", [*call.auth, (b"content-type", b"application/x-www-form-urlencoded")],
                    qs), "/query"
    return call("GET", "/query", qs, call.auth), "/query"


def _send_params(call, case):
    pairs, path, method = case
    return call(method, path, urlencode(pairs).encode(), [*call.auth, (b"content-type", b"text/plain")],
                b"m v=1 1600000000000000000"), path


def _send_headers(call, case):
    headers, path = case
    hs = [(k.encode(), v.encode()) for k, v in headers]
    if not any(k == b"authorization" for k, _ in hs):
        hs += call.auth
    return call("POST", path, b"db=fz&bucket=fz&q=SELECT+*+FROM+m", hs, b"m v=3 1600000000000000002"), path


def _send_gzip(call, case):
    body, v2 = case
    path = "/api/v2/write" if v2 else "/write"
    hs = [*call.auth, (b"content-type", b"text/plain"), (b"content-encoding", b"gzip")]
    return call("POST", path, b"db=fz&bucket=fz", hs, body), path


TARGETS = {t.name: t for t in [
    Target("line-protocol", lambda: st.tuples(lp_bodies(), st.booleans(), st.sampled_from(PRECISIONS)), _send_lp),
    Target("influxql", lambda: st.tuples(influxql(), st.booleans()), _send_ql),
    Target("query-string", lambda: st.tuples(query_strings(), st.sampled_from(QS_PATHS),
                                             st.sampled_from(["GET", "POST"])), _send_params),
    Target("headers", lambda: st.tuples(header_sets(), st.sampled_from(["/query", "/write", "/api/v2/write"])),
           _send_headers),
    Target("gzip", lambda: st.tuples(gzip_bodies(), st.booleans()), _send_gzip),
]}


def run_case(call: AsgiCaller, target: Target, case: tuple) -> Answer:
    """Send one case and check the invariant (AssertionError, or the app's own exception, if broken)."""
    ans, path = target.send(call, case)
    check_answer(ans, path)
    return ans


@contextmanager
def fuzz_app(root: Path, dialect: str, buffer_max_rows: int = BUFFER_ROWS):
    """The shim app over a real on-disk store at ``root`` with one database ``fz`` and an all-access token.

    A small write buffer (``BUFFER_ROWS``) makes fuzzed rows reach Parquet, flush and
    compaction every few dozen writes, and keeps the buffer's chunk count (what a
    query over it costs) small; ``max_select_buckets`` is set (as an operator
    would) so a fuzzed ``GROUP BY time(1s)`` over decades answers its 400 instead
    of running for minutes. The WAL is not fsynced (``wal_fsync=False``): fuzzing
    checks how the app answers hostile input, not durability (the kill loop does,
    fsync on).
    """
    import tsdb_core
    from tsdb_http.tokens import TokenStore
    from tsdb_http.app import ShimConfig, create_app
    from tsdb_http.serve import store_config

    cfg = store_config(dialect, tsdb_core.StoreConfig(buffer_max_rows=buffer_max_rows, wal_fsync=False,
                                                      max_select_buckets=MAX_BUCKETS))
    store = tsdb_core.open(root, config=cfg)
    try:
        tokens = TokenStore(None)
        secret, _ = tokens.create("*", read=True, write=True, manage=True)  # DDL runs too
        store.create_database("fz")
        store.write("fz", SEED_LP)
        call = AsgiCaller(create_app(store, tokens, ShimConfig(compat=dialect, max_body_bytes=200_000)))
        call.auth = [(b"authorization", f"Token {secret}".encode())]
        try:
            yield call
        finally:
            call.close()
    finally:
        store.close()
