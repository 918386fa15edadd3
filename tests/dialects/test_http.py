"""The shim's /query in each compat: cloud-dedicated runs InfluxDB 3's InfluxQL, influxdb1 InfluxDB 1.x's."""
from __future__ import annotations

import pytest

from tests.http.conftest import NOW_NS, make_client, tokens  # noqa: F401 - a fixture

SHOW_SERIES = ("error in InfluxQL statement: parsing error: invalid SHOW statement, expected DATABASES, FIELD KEYS, "
               "MEASUREMENTS, TAG KEYS, TAG VALUES, or RETENTION POLICIES following SHOW at pos 5")


@pytest.fixture(params=[False, True], ids=["no-auth", "auth"])
def clients(request, tokens):
    out = {}
    for compat in ("cloud-dedicated", "influxdb1"):
        c = make_client(compat, no_auth=not request.param, tokens=tokens if request.param else None)
        c.headers["Authorization"] = f"Token {tokens.all}"
        c.raw_store.create_database("mydb")
        c.raw_store.write("mydb", f"cpu,host=a v=1.5 {NOW_NS + 500_000_000}")
        out[compat] = c
    return out


def test_a_statement_v3_does_not_parse(clients):
    r = clients["cloud-dedicated"].get("/query", params={"db": "mydb", "q": "SHOW SERIES"})
    assert (r.status_code, r.json()) == (200, {"results": [{"statement_id": 0, "error": SHOW_SERIES}]})
    r = clients["influxdb1"].get("/query", params={"db": "mydb", "q": "SHOW SERIES"})
    assert (r.status_code, r.json()["results"][0]["series"][0]["values"]) == (200, [["cpu,host=a"]])


def test_syntax_errors_are_statement_errors_in_v3(clients):
    # iox_v1_query_api/src/handler.rs: a parse error is answered as one statement's error, status 200
    r = clients["cloud-dedicated"].get("/query", params={"db": "mydb", "q": "SELEC x"})
    assert (r.status_code, r.json()) == (200, {"results": [{"statement_id": 0, "error": (
        'error in InfluxQL statement: parsing error: invalid InfluxQL statement at pos 0. Parsing Error: Nom("SELEC x", Tag)')}]})
    r = clients["influxdb1"].get("/query", params={"db": "mydb", "q": "SELEC x"})
    assert r.status_code == 400 and r.json()["error"].startswith("error parsing query: found SELEC")


@pytest.mark.parametrize("epoch", ["us", "n", "x"])
def test_epochs_v3_has_no_unit_for_are_400(clients, epoch):
    # iox_v1_query_api/src/types.rs Precision: ns, u (alias µ), ms, s, m, h, d, w; serde's unknown-variant words
    r = clients["cloud-dedicated"].get("/query", params={"db": "mydb", "q": "SELECT v FROM cpu", "epoch": epoch})
    assert (r.status_code, r.json()) == (400, {"error": (  # (request errors of /query: the formatter's shape)
        f"error decoding params from url: unknown variant `{epoch}`, expected one of "
        "`ns`, `u`, `µ`, `ms`, `s`, `m`, `h`, `d`, `w`")})
    r = clients["influxdb1"].get("/query", params={"db": "mydb", "q": "SELECT v FROM cpu", "epoch": epoch})
    assert r.status_code == 200 and r.json()["results"][0]["series"]


@pytest.mark.parametrize("epoch,hours", [("d", 24), ("w", 168)])
def test_v3s_day_and_week_epochs(clients, epoch, hours):
    r = clients["cloud-dedicated"].get("/query", params={"db": "mydb", "q": "SELECT v FROM cpu", "epoch": epoch})
    assert r.json()["results"][0]["series"][0]["values"] == [[(NOW_NS + 500_000_000) // (hours * 3600 * 10**9), 1.5]]


def test_times_and_metadata_shapes(clients):
    q = {"db": "mydb", "q": "SELECT v FROM cpu"}
    t3 = clients["cloud-dedicated"].get("/query", params=q).json()["results"][0]["series"][0]["values"][0][0]
    t1 = clients["influxdb1"].get("/query", params=q).json()["results"][0]["series"][0]["values"][0][0]
    assert t3.endswith(".500Z") and t1.endswith(".5Z") and t3[:19] == t1[:19]
    q = {"db": "mydb", "q": "SHOW RETENTION POLICIES"}
    assert clients["cloud-dedicated"].get("/query", params=q).json()["results"][0]["series"][0]["values"] == [
        ["autogen", "0s", "168h0m0s", 1, True]]


def test_chunked_json_is_one_document_per_chunk_as_v3_writes_it(clients):
    # iox_v1_query_api/src/response/snapshots/iox_v1_query_api__response__json__tests__many_chunks.snap:
    # {"results":[{"statement_id":0,"series":[{..."values":[[...],[...]],"partial":true}],"partial":true}]}
    # {"results":[{"statement_id":0,"series":[{..."values":[[...]]}]}]}
    c = clients["cloud-dedicated"]
    c.raw_store.write("mydb", "m1,t1=t1a f1=1i 1000000000\nm1,t1=t1a f1=2i 2000000000\nm1,t1=t1a f1=3i 3000000000")
    # (the snapshot's line breaks are the test's collect_output; JsonStream::poll_next yields each
    # document without one and the handler streams them as they are)
    r = c.get("/query", params={"db": "mydb", "q": "SELECT f1 FROM m1", "chunked": "true", "chunk_size": "2"})
    assert r.text == (
        '{"results":[{"statement_id":0,"series":[{"name":"m1","columns":["time","f1"],"values":'
        '[["1970-01-01T00:00:01Z",1],["1970-01-01T00:00:02Z",2]],"partial":true}],"partial":true}]}'
        '{"results":[{"statement_id":0,"series":[{"name":"m1","columns":["time","f1"],"values":'
        '[["1970-01-01T00:00:03Z",3]]}]}]}')
