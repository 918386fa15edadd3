"""POST /api/tsdb/check on a live ``tsdb serve``, through httpx: the portability verdicts of
``Store.check`` per statement (runs on InfluxDB 1.x / InfluxDB 3, each product's words, the
InfluxDB 3 way), its bodies (form, multipart, JSON), auth before the body, the body cap,
and its place in the OpenAPI document."""
from __future__ import annotations

import httpx
import pytest

from tsdb_http.serve import start_in_thread
from tsdb_http.tokens import TokenStore

PATH = "/api/tsdb/check"
MAX_BODY = 4_000
SLIMIT_V3 = "datafusion error: rewriting statement\ncaused by\nThis feature is not implemented: SLIMIT or SOFFSET"


@pytest.fixture(scope="module")
def live(tmp_path_factory):
    root = tmp_path_factory.mktemp("check")
    ts = TokenStore(root)
    tokens = {"all": ts.create("*", manage=True, description="check all")[0],
              "ro": ts.create("elsewhere", read=True, write=False, description="check ro")[0]}
    handle = start_in_thread(root, max_body_bytes=MAX_BODY)
    handle.tokens = tokens
    handle.client = httpx.Client(base_url=handle.url, headers={"Authorization": f"Token {tokens['all']}"}, timeout=30)
    yield handle
    handle.client.close()
    handle.stop()


def _check(live, q: str) -> list[dict]:
    r = live.client.post(PATH, data={"q": q})
    assert r.status_code == 200, r.text
    assert r.headers["content-type"] == "application/json"
    return r.json()["verdicts"]


def test_slimit_runs_on_1x_and_fails_on_v3_in_its_words(live):
    assert _check(live, "SELECT * FROM cpu SLIMIT 1") == [{
        "statement": "SELECT * FROM cpu SLIMIT 1", "portable": False,
        "influxdb1": {"runs": True, "error": None},
        "influxdb3": {"runs": False, "error": SLIMIT_V3, "note": None,
                      "v3_way": "pick the series with a WHERE on their tags: `SELECT * FROM cpu` "
                                "plus e.g. WHERE host =~ /^(a|b)$/"}}]


def test_a_portable_select_runs_on_both(live):
    q = "SELECT mean(usage) FROM cpu WHERE time > now() - 1h GROUP BY time(1m), host"
    assert _check(live, q) == [{"statement": q, "portable": True, "influxdb1": {"runs": True, "error": None},
                                "influxdb3": {"runs": True, "error": None, "v3_way": None, "note": None}}]


def test_one_verdict_per_statement_in_order(live):
    verdicts = _check(live, "SHOW DATABASES; SHOW TAG VALUES WITH KEY = host;\nSELEC x; SELECT count_hll(v) FROM m")
    assert [v["statement"] for v in verdicts] == ["SHOW DATABASES", "SHOW TAG VALUES WITH KEY = host", "SELEC x",
                                                  "SELECT count_hll(v) FROM m"]
    show, tags, typo, hll = verdicts
    assert show["influxdb1"]["runs"] and not show["influxdb3"]["runs"]
    assert show["influxdb3"]["v3_way"] == ("not in InfluxQL on InfluxDB 3: use the Cloud Dedicated management API "
                                           "or influxctl (influxctl database list)")
    # runs on both, answered differently: not portable, no error
    assert tags["influxdb3"] == {"runs": True, "error": None, "v3_way": None,
                                 "note": "InfluxDB 3 reads only the last 24 h without a time bound in WHERE "
                                         "(1.x: all data)"}
    assert tags["portable"] is False
    assert typo["influxdb1"]["error"] == ("error parsing query: found SELEC, expected SELECT, DELETE, SHOW, CREATE, "
                                          "DROP, EXPLAIN, GRANT, REVOKE, ALTER, SET, KILL at line 1, char 1")
    assert typo["influxdb3"]["error"] == ('error in InfluxQL statement: parsing error: invalid InfluxQL statement at '
                                          'pos 0. Parsing Error: Nom("SELEC x", Tag)')
    assert hll["influxdb1"] == {"runs": False, "error": "undefined function count_hll()"}
    assert hll["influxdb3"]["v3_way"] == "count(distinct(...)) counts exactly"


def test_json_form_and_multipart_bodies_answer_alike(live):
    q = "SELECT * FROM cpu SLIMIT 1"
    as_form = live.client.post(PATH, data={"q": q})
    as_json = live.client.post(PATH, json={"q": q})
    as_multipart = live.client.post(PATH, files={"q": (None, q)})
    assert as_form.status_code == as_json.status_code == as_multipart.status_code == 200
    assert as_form.json() == as_json.json() == as_multipart.json()
    assert as_json.json()["verdicts"][0]["influxdb3"]["error"] == SLIMIT_V3


def test_any_valid_token_may_check(live):
    r = httpx.post(f"{live.url}{PATH}", data={"q": "SELECT a FROM b"},
                   headers={"Authorization": f"Bearer {live.tokens['ro']}"})
    assert r.status_code == 200 and r.json()["verdicts"][0]["portable"] is True


@pytest.mark.parametrize("headers", [{}, {"Authorization": "Token not-a-token"}])
def test_without_a_valid_token_401_as_the_other_routes(live, headers):
    r = httpx.post(f"{live.url}{PATH}", data={"q": "SELECT a FROM b"}, headers=headers)
    assert r.status_code == 401
    assert r.json() == {"code": "unauthorized", "message": "unauthorized access"}


def test_credentials_are_checked_before_the_body_is_read(live):
    """An oversized body from a caller without a token: 401, not 413 (the body was never read)."""
    big = {"q": "SELECT a FROM b WHERE " + " OR ".join(["x = 1"] * 1000)}
    assert httpx.post(f"{live.url}{PATH}", data=big).status_code == 401
    r = live.client.post(PATH, data=big)
    assert r.status_code == 413
    assert r.json() == {"code": "request too large", "message": "Request Entity Too Large"}


@pytest.mark.parametrize("kwargs, status, message", [
    ({"data": {"db": "x"}}, 400, 'missing required parameter "q"'),
    ({"data": {"q": "  "}}, 400, 'missing required parameter "q"'),
    ({"json": {"q": 5}}, 400, '"q" must be a string'),
    ({"json": ["SELECT a FROM b"]}, 400, 'error parsing JSON body: expected an object like {"q": "SELECT ..."}'),
    ({"content": b"SELECT a FROM b", "headers": {"Content-Type": "text/plain"}}, 415,
     "unsupported Content-Type: text/plain: send q as a form or a JSON object"),
])
def test_bad_requests_in_the_servers_error_shape(live, kwargs, status, message):
    r = live.client.post(PATH, **kwargs)
    assert r.status_code == status
    assert r.json()["message"] == message
    assert r.headers["X-Influxdb-Error"] == message


def test_q_in_the_url_is_not_read(live):
    """Statements stay out of URLs: only the body's q counts."""
    r = live.client.post(PATH, params={"q": "SELECT a FROM b"}, data={"db": "x"})
    assert r.status_code == 400 and r.json()["message"] == 'missing required parameter "q"'


def test_only_post(live):
    assert live.client.get(PATH, params={"q": "SELECT a FROM b"}).status_code == 405


def test_influxdb1_dialect_words_errors_as_1x(tmp_path):
    handle = start_in_thread(tmp_path, compat="influxdb1", no_auth=True)
    try:
        r = httpx.post(f"{handle.url}{PATH}", data={"db": "x"})
        assert r.status_code == 400 and r.json() == {"error": 'missing required parameter "q"'}
        r = httpx.post(f"{handle.url}{PATH}", data={"q": "SELECT * FROM cpu SLIMIT 1"})
        assert r.status_code == 200 and r.json()["verdicts"][0]["influxdb3"]["error"] == SLIMIT_V3
    finally:
        handle.stop()


def test_described_in_the_openapi_document(live):
    doc = live.client.get("/openapi.json").json()
    op = doc["paths"][PATH]
    assert list(op) == ["post"]
    post = op["post"]
    assert "Not an InfluxDB endpoint" in post["description"]
    assert set(post["requestBody"]["content"]) == {"application/json", "application/x-www-form-urlencoded",
                                                   "multipart/form-data"}
    assert post["requestBody"]["required"] is True
    assert post["responses"]["200"]["content"]["application/json"]["schema"] == {
        "$ref": "#/components/schemas/CheckAnswer"}
    assert {"400", "401", "413", "415", "429"} <= set(post["responses"])
    answer = doc["components"]["schemas"]["CheckAnswer"]
    assert answer["properties"]["verdicts"]["items"]["required"] == ["statement", "portable", "influxdb1", "influxdb3"]
