"""influxdb1 mode's 1.x-only answers (issue 20, section 3) beside the cloud mode's, which stay.

The byte-for-byte comparison with influxd 1.6.7 is test_vs_influxd.py (cases v1_*); here: what
each mode does with the same requests, through an httpx client against the app.
"""
from __future__ import annotations

import pytest

from tests.http.conftest import json_documents, make_client
from tsdb_core import StatementResult
from tsdb_http.v1_results import after_failure, go_duration

FAILING = "SELECT v FROM cpu LIMIT 1; SELECT v FROM cpu GROUP BY time(1s); CREATE DATABASE after"


def _client(compat):
    c = make_client(compat)
    c.raw_store.create_database("db")
    assert c.post("/write?db=db", content="cpu,host=a v=1 1000000000\ncpu,host=b v=2 2000000000").status_code == 204
    return c


@pytest.fixture(params=["influxdb1", "cloud-dedicated"])
def client(request):
    return _client(request.param), request.param


# iox_query_influxql/src/plan/rewriter.rs FieldChecker::check_fields, in the context select_statement_info gives it
V3_GROUP_BY = ("datafusion error: rewriting statement\ncaused by\ngather information about select statement\n"
               "caused by\nError during planning: GROUP BY requires at least one aggregate function")


def test_statements_after_a_failure_do_not_run(client):
    c, compat = client
    body = c.post("/query", params={"db": "db"}, data={"q": FAILING}).json()
    assert not c.raw_store.has_database("after")
    if compat == "influxdb1":  # 1.6.7: the failure reads "not executed", nothing after it
        assert body["results"][1:] == [{"statement_id": 1, "error": "not executed"}]
    else:  # InfluxDB 3 runs the statements after a failed one; it does not implement CREATE DATABASE
        assert body["results"][1:] == [
            {"statement_id": 1, "error": V3_GROUP_BY},
            {"statement_id": 2, "error": "datafusion error: This feature is not implemented: CREATE DATABASE"}]


def test_chunked_failure_is_one_document_per_statement(client):
    c, compat = client
    r = c.post("/query", params={"db": "db", "chunked": "true"}, data={"q": FAILING})
    docs = [d["results"] for d in json_documents(r.text)]
    assert docs[1] == [{"statement_id": 1, "error": "GROUP BY requires at least one aggregate function"
                        if compat == "influxdb1" else V3_GROUP_BY}]
    if compat == "influxdb1":  # 1.x sends "not executed" under the failed id
        assert docs[2:] == [[{"statement_id": 1, "error": "not executed"}]]
    else:  # InfluxDB 3 runs the next statement
        assert docs[2:] == [[{"statement_id": 2, "error": "datafusion error: This feature is not implemented: CREATE DATABASE"}]]


def test_write_statements_sent_with_get(client):
    c, compat = client
    r = c.get("/query", params={"db": "db", "q": "CREATE DATABASE g; SELECT v INTO g..c FROM cpu; SHOW DATABASES"})
    res = r.json()["results"]
    assert r.status_code == 200
    assert c.raw_store.has_database("g") == (compat == "influxdb1")
    if compat == "influxdb1":
        assert [m["text"] for m in res[1]["messages"]] == [
            "deprecated use of 'SELECT v INTO g.autogen.c FROM db.autogen.cpu' in a read only context, "
            "please use a POST request instead"]
        assert res[0]["messages"][0]["level"] == "warning" and "messages" not in res[2]
    else:  # InfluxDB 3: no CREATE DATABASE, no SELECT INTO (a parse error fails the request), no warnings
        assert all("messages" not in st for st in res)


def test_post_write_statements_carry_no_warning():
    c = _client("influxdb1")
    res = c.post("/query", data={"q": "CREATE DATABASE p; DROP DATABASE p"}).json()["results"]
    assert res == [{"statement_id": 0}, {"statement_id": 1}]


def test_wrong_method(client):
    c, compat = client
    r = c.put("/query")
    assert r.status_code == 405
    if compat == "influxdb1":
        assert (r.headers["content-type"], r.text) == ("text/plain; charset=utf-8", "Method Not Allowed\n")
        assert "x-influxdb-error" not in r.headers and r.headers["allow"] == "OPTIONS, GET, POST"
    else:
        assert r.json() == {"code": "method not allowed", "message": "method PUT not allowed"}


def test_write_to_a_missing_database(client):
    c, compat = client
    r = c.post("/write?db=nosuch", content="m v=1")
    if compat == "influxdb1":  # no auto-create: 1.x's 404
        assert (r.status_code, r.content) == (404, b'{"error":"database not found: \\"nosuch\\""}\n')
        assert not c.raw_store.has_database("nosuch")
    else:
        assert r.status_code == 204 and c.raw_store.has_database("nosuch")


def test_pretty_is_indented_json():
    c = _client("influxdb1")
    r = c.get("/query", params={"db": "db", "q": "SELECT v FROM cpu LIMIT 1", "pretty": "true"})
    assert r.text.startswith('{\n    "results": [\n        {\n            "statement_id": 0,')


@pytest.mark.parametrize("ns,text", [(0, "0s"), (86_400 * 10**9, "24h0m0s"), (5_400 * 10**9, "1h30m0s"),
                                     (90 * 10**9, "1m30s"), (1_500_000_000, "1.5s"), (250_000_000, "250ms"),
                                     (1_500, "1.5µs"), (7, "7ns"), (-3_600 * 10**9, "-1h0m0s")])
def test_go_duration(ns, text):
    assert go_duration(ns) == text


def test_after_failure_shapes():
    ok, bad = StatementResult(0), StatementResult(1, error="boom")
    rest = [StatementResult(2, error="not executed"), StatementResult(3, error="not executed")]
    assert after_failure([ok, bad], chunked=False) == [ok, bad]  # the last statement: its own words
    assert [r.to_json() for r in after_failure([ok, bad, *rest], chunked=False)] == [
        {"statement_id": 0}, {"statement_id": 1, "error": "not executed"}]
    assert [r.to_json() for r in after_failure([ok, bad, *rest], chunked=True)] == [
        {"statement_id": 0}, {"statement_id": 1, "error": "boom"},
        {"statement_id": 1, "error": "not executed"}, {"statement_id": 1, "error": "not executed"}]
