"""Hypothesis through the ASGI app in-process: no 5xx, every rejection a 4xx with an error body.

Short mode: FUZZ_EXAMPLES (default 60) examples per target; TSDB_SLOW=1 or
TSDB_FUZZ_EXAMPLES=N for the long runs (RELIABILITY.md records 100,000 each).
"""
from __future__ import annotations

import os
from urllib.parse import urlencode

import pytest
from hypothesis import HealthCheck, given, settings, strategies as st

import tsdb_core
from reliability import fuzz
from reliability.asgi import AsgiCaller
from tsdb_core.tokens import TokenStore
from tsdb_http.app import ShimConfig, create_app
from tsdb_http.serve import store_config

from .conftest import SLOW

N = int(os.environ.get("TSDB_FUZZ_EXAMPLES", 100_000 if SLOW else 60))
SETTINGS = settings(max_examples=N, deadline=None, database=None, derandomize=not SLOW,
                    suppress_health_check=list(HealthCheck))


@pytest.fixture(scope="module", params=["cloud-dedicated", "influxdb1"])
def caller(request, tmp_path_factory):
    store = tsdb_core.open(tmp_path_factory.mktemp("fuzz") / "store",
                           config=store_config(request.param, tsdb_core.StoreConfig(buffer_max_rows=5000,
                                                                        wal_fsync=False)))
    tokens = TokenStore(None)
    secret, _ = tokens.create("*", read=True, write=True)
    store.create_database("fz")
    store.write("fz", b"m,host=a v=1,s=\"x\",i=2i 1600000000000000000\nm,host=b v=2 1600000000000000001\n"
                      b"cpu,host=a usage=0.5 1600000000000000000")
    call = AsgiCaller(create_app(store, tokens, ShimConfig(compat=request.param, max_body_bytes=200_000)))
    call.auth = [(b"authorization", f"Token {secret}".encode())]
    yield call
    call.close()
    store.close()


@SETTINGS
@given(body=fuzz.lp_bodies(), v2=st.booleans(), precision=st.sampled_from(["", "ns", "s", "ms", "h", "x"]))
def test_line_protocol_bodies(caller, body, v2, precision):
    path = "/api/v2/write" if v2 else "/write"
    qs = urlencode({"bucket" if v2 else "db": "fz", **({"precision": precision} if precision else {})})
    ans = caller("POST", path, qs.encode(), [*caller.auth, (b"content-type", b"text/plain")], body)
    fuzz.check_answer(ans, path)


@SETTINGS
@given(q=fuzz.influxql(), post=st.booleans())
def test_influxql_text(caller, q, post):
    qs = {"db": "fz", "q": q}
    if post:
        ans = caller("POST", "/query", b"", [*caller.auth, (b"content-type", b"application/x-www-form-urlencoded")],
                     urlencode(qs).encode())
    else:
        ans = caller("GET", "/query", urlencode(qs).encode(), caller.auth)
    fuzz.check_answer(ans, "/query")


@SETTINGS
@given(pairs=fuzz.query_strings(), path=st.sampled_from(["/query", "/write", "/api/v2/write", "/ping",
                                                          "/health", "/api/v2/query"]),
       method=st.sampled_from(["GET", "POST"]))
def test_query_string_parameters(caller, pairs, path, method):
    qs = urlencode(pairs).encode()
    ans = caller(method, path, qs, [*caller.auth, (b"content-type", b"text/plain")], b"m v=1 1600000000000000000")
    fuzz.check_answer(ans, path)


@SETTINGS
@given(headers=fuzz.header_sets(), path=st.sampled_from(["/query", "/write", "/api/v2/write"]))
def test_headers(caller, headers, path):
    hs = [(k.encode(), v.encode()) for k, v in headers]
    if not any(k == b"authorization" for k, _ in hs):
        hs += caller.auth
    qs = b"db=fz&bucket=fz&q=SELECT+*+FROM+m"
    ans = caller("POST", path, qs, hs, b"m v=3 1600000000000000002")
    fuzz.check_answer(ans, path)


@SETTINGS
@given(body=fuzz.gzip_bodies(), v2=st.booleans())
def test_gzip_bodies(caller, body, v2):
    path = "/api/v2/write" if v2 else "/write"
    hs = [*caller.auth, (b"content-type", b"text/plain"), (b"content-encoding", b"gzip")]
    ans = caller("POST", path, b"db=fz&bucket=fz", hs, body)
    fuzz.check_answer(ans, path)


@pytest.mark.parametrize("q", ["SELECT 1e400 FROM m", "SELECT v FROM m LIMIT 1e400", "SELECT v FROM m WHERE v > 1e5"])
def test_fuzzer_findings_are_400s(caller, q):
    """Inputs the long fuzz runs found as 500s (digits-then-letters lexed as an integer)."""
    ans = caller("GET", "/query", urlencode({"db": "fz", "q": q}).encode(), caller.auth)
    assert ans.status == 400, ans.body
    fuzz.check_answer(ans, "/query")
