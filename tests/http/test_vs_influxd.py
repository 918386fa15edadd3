"""The shim's /query bytes for influxd 1.6.7's recorded cases (cases/influxd), end to end.

The same data set goes through /write, the same requests through /query; status,
Content-Type and body must equal what influxd 1.6.7 answered. A case runs only
when the core can answer its statements (``ENGINE_CASES``); the encoder-level
comparison of every case is in test_encode.py.
"""
from __future__ import annotations

import msgpack
import pytest

from tests.http import golden
from tests.http.conftest import REAL_ENGINE, make_client

CASES = golden.cases()
MAN = golden.manifest()
# Cases whose statements the fake engine also answers (SELECT * / GROUP BY *), so they run always.
# Known, deliberate difference: Go's JSON decoder words its errors differently from Python's.
# (The "multi" cases - a failed statement reported as "not executed", nothing after it - are
# answered as 1.6.7 does: tsdb_http.v1_results.)
DIFFERENT = {n for n in CASES if n.split(".")[0] in ("bad_params",)}
FAKE_OK = {n for n in CASES if n.split(".")[0] in ("select_all", "select_all_epoch_ns", "unicode", "parse_error",
                                                    "missing_q", "bad_params")}


@pytest.fixture(scope="module")
def client():
    c = make_client("influxdb1")
    c.raw_store.create_database(MAN["db"])
    r = c.post(f"/write?db={MAN['db']}", content=MAN["data"].encode())
    assert r.status_code == 204, r.text
    return c


def _decoded(b):
    up = msgpack.Unpacker(raw=False, strict_map_key=False)
    up.feed(b)
    return list(up)


@pytest.mark.parametrize("name", sorted(CASES))
def test_same_bytes_as_influxd(client, name):
    if not REAL_ENGINE and name not in FAKE_OK:
        pytest.skip("needs the query engine")
    if name in DIFFERENT:
        pytest.skip("a known difference from 1.6.7")
    case = CASES[name]
    params = dict(case["params"])
    if params.get("q") == "":
        del params["q"]
    r = client.request(case["method"], case["path"], params=params, headers=case["headers"],
                       content=case.get("body"))
    want = golden.body(name)
    assert r.status_code == case["status"], r.text
    if name.endswith(".msgpack") and "chunked" in name:
        # deliberate: chunked msgpack requests are answered as JSON lines (the influxdb client reads those)
        assert r.headers["content-type"] == "application/json"
        assert r.content == golden.body(name.replace(".msgpack", ".json"))
        return
    assert r.headers["content-type"] == case["response_headers"]["Content-Type"]
    if "X-Influxdb-Error" in case["response_headers"]:
        assert r.headers["x-influxdb-error"] == case["response_headers"]["X-Influxdb-Error"]
    else:
        assert "x-influxdb-error" not in r.headers
    if "X-Content-Type-Options" in case["response_headers"]:  # Go's http.Error / http.NotFound
        assert r.headers["x-content-type-options"] == case["response_headers"]["X-Content-Type-Options"]
    if "Allow" in case["response_headers"]:  # 1.x lists them from a Go map: in any order
        allowed = lambda h: sorted(h.split(", "))  # noqa: E731
        assert allowed(r.headers["allow"]) == allowed(case["response_headers"]["Allow"])
    if name.endswith(".msgpack") and r.content != want:
        assert _decoded(r.content) == _decoded(want)  # Go's map order is random
        return
    assert r.content == want
