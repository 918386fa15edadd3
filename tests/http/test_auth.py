"""The auth matrix: every endpoint × every scheme × every kind of credential."""
from __future__ import annotations

import base64

import pytest

from tests.http.conftest import NOW_NS, make_client
from tsdb_http.auth import Unauthorized, extract_token

SCHEMES = ["bearer", "token", "basic", "query"]
CREDS = ["none", "wrong", "ro", "wo", "other", "valid"]
# endpoint → the credentials that succeed (with "valid" = the all-databases read/write/manage token)
ENDPOINTS = {
    "ping": ("GET", "/ping", None, {"none", "wrong", "ro", "wo", "other", "valid"}),
    "v2_write": ("POST", "/api/v2/write?bucket=mydb", f"cpu v=1 {NOW_NS}", {"wo", "valid"}),
    "v1_write": ("POST", "/write?db=mydb", f"cpu v=1 {NOW_NS}", {"wo", "valid"}),
    "query_select": ("GET", "/query?db=mydb&q=SELECT+*+FROM+cpu", None, {"ro", "valid"}),
    "query_manage": ("POST", "/query?q=CREATE+DATABASE+mydb", None, {"valid"}),  # a write token writes points only
    "query_other_db": ("GET", "/query?db=otherdb&q=SELECT+*+FROM+cpu", None, {"other", "valid"}),
    "query_qualified": ("GET", "/query?db=mydb&q=SELECT+*+FROM+otherdb..cpu", None, {"other", "valid"}),
}
OK = {"ping": 204, "v2_write": 204, "v1_write": 204, "query_select": 200, "query_manage": 200,
      "query_other_db": 200, "query_qualified": 200}


def _request(client, tokens, endpoint, scheme, cred):
    method, path, body, _ = ENDPOINTS[endpoint]
    secret = {"none": None, "wrong": "tsdb_000000000000" + "x" * 43,
              "ro": tokens.ro, "wo": tokens.wo, "other": tokens.other, "valid": tokens.all}[cred]
    headers = {}
    if secret is not None:
        if scheme == "bearer":
            headers["Authorization"] = f"Bearer {secret}"
        elif scheme == "token":
            headers["Authorization"] = f"Token {secret}"
        elif scheme == "basic":
            headers["Authorization"] = "Basic " + base64.b64encode(f"anyone:{secret}".encode()).decode()
        else:
            path += ("&" if "?" in path else "?") + f"u=anyone&p={secret}"
    return client.request(method, path, content=body.encode() if body else None, headers=headers)


@pytest.mark.parametrize("compat", ["cloud", "influxdb1"])
@pytest.mark.parametrize("endpoint", list(ENDPOINTS))
def test_auth_matrix(tokens, endpoint, compat):
    from tests.http.conftest import make_client

    client = make_client("cloud-dedicated" if compat == "cloud" else "influxdb1", no_auth=False, tokens=tokens)
    for db in ("mydb", "otherdb"):
        client.raw_store.create_database(db)
    results = {}
    for scheme in SCHEMES:
        for cred in CREDS:
            r = _request(client, tokens, endpoint, scheme, cred)
            results[(scheme, cred)] = r.status_code
            if r.status_code == 403:  # influxdb1: a good token without the permission, in 1.x's words
                assert r.headers["x-influxdb-error"] == r.json()["error"]
                assert " is not authorized to " in r.json()["error"] or "not authorized to execute" in r.json()["error"]
            if r.status_code == 401:
                assert "x-influxdb-error" not in r.headers
                if compat == "cloud":
                    assert r.json() == {"code": "unauthorized", "message": "unauthorized access"}
                else:
                    assert r.json()["error"] in ("authorization failed", "unable to parse authentication credentials")
                    assert r.headers["www-authenticate"] == 'Basic realm="InfluxDB"'
    # A known token lacking the permission: 401 in the cloud dialect (the seed), 403 in influxdb1 (as 1.x).
    denied = {c: 401 if compat == "cloud" or c in ("none", "wrong") else 403 for c in CREDS}
    expected = {(s, c): OK[endpoint] if c in ENDPOINTS[endpoint][3] else denied[c] for s in SCHEMES for c in CREDS}
    assert results == expected


@pytest.mark.parametrize("header", ["token {t}", "TOKEN {t}", "Bearer", "Bearer {t} extra", "Basic !!!notbase64",
                                    "Basic " + base64.b64encode(b"no-colon").decode(), "Digest {t}", "{t}"])
def test_malformed_authorization_is_401(tokens, authed, header):
    r = authed.post("/api/v2/write?bucket=mydb", content=b"cpu v=1",
                    headers={"Authorization": header.format(t=tokens.all)})
    assert r.status_code == 401


def test_right_id_wrong_secret_is_401(tokens, authed):
    wrong = tokens.all[:-1] + ("A" if tokens.all[-1] != "A" else "B")
    r = authed.post("/api/v2/write?bucket=mydb", content=b"cpu v=1", headers={"Authorization": f"Token {wrong}"})
    assert r.status_code == 401


def test_no_auth_mode_accepts_anything(cloud):
    for headers in ({}, {"Authorization": "Token nonsense"}, {"Authorization": "garbage"}):
        assert cloud.post("/api/v2/write?bucket=mydb", content=f"cpu v=1 {NOW_NS}".encode(),
                          headers=headers).status_code == 204


def test_show_databases_lists_only_readable(tokens):
    # (InfluxDB 3 has no SHOW DATABASES: the cloud HTTP contract with 1.x's InfluxQL)
    authed = make_client("cloud-dedicated", no_auth=False, tokens=tokens, influxql="influxdb1")
    for db in ("mydb", "otherdb", "third"):
        authed.raw_store.create_database(db)
    def names(token):
        r = authed.get("/query", params={"q": "SHOW DATABASES"}, headers={"Authorization": f"Token {token}"})
        return sorted(v[0] for v in r.json()["results"][0]["series"][0]["values"])
    assert names(tokens.all) == ["mydb", "otherdb", "third"]
    assert names(tokens.ro) == ["mydb"]
    assert names(tokens.other) == ["otherdb"]


def test_token_created_elsewhere_works_at_once(tmp_path):
    from starlette.testclient import TestClient

    import tsdb_core
    from tsdb_http.tokens import TokenStore
    from tsdb_http.app import ShimConfig, create_app

    server_tokens = TokenStore(tmp_path)
    app = create_app(tsdb_core.open(None), server_tokens, ShimConfig())
    c = TestClient(app)
    assert c.post("/api/v2/write?bucket=db", content=f"cpu v=1 {NOW_NS}".encode()).status_code == 401
    secret, info = TokenStore(tmp_path).create("db", read=False, write=True)  # "the CLI", another instance
    hdr = {"Authorization": f"Token {secret}"}
    assert c.post("/api/v2/write?bucket=db", content=f"cpu v=1 {NOW_NS}".encode(), headers=hdr).status_code == 204
    TokenStore(tmp_path).revoke(info.id)
    assert c.post("/api/v2/write?bucket=db", content=f"cpu v=1 {NOW_NS}".encode(), headers=hdr).status_code == 401


@pytest.mark.parametrize("headers,query,token", [
    ({"authorization": "Bearer abc"}, {}, "abc"),
    ({"authorization": "Token abc"}, {}, "abc"),
    ({"authorization": "Token user:abc"}, {}, "abc"),
    ({"authorization": "Basic " + base64.b64encode(b":abc").decode()}, {}, "abc"),
    ({"authorization": "Basic " + base64.b64encode(b"u:abc").decode()}, {}, "abc"),
    ({}, {"u": "x", "p": "abc"}, "abc"),
    ({}, {"p": "abc"}, "abc"),
    ({"authorization": "Bearer zzz"}, {"p": "abc"}, "abc"),  # 1.x looks at u/p first
    ({}, {}, None),
    ({}, {"u": "x"}, None),
])
def test_extract_token(headers, query, token):
    assert extract_token(headers, query) == token


def test_extract_token_rejects_lowercase_token_scheme():
    with pytest.raises(Unauthorized):
        extract_token({"authorization": "token abc"}, {})


def test_a_token_in_the_url_is_kept_in_no_cache(tokens, authed):
    """GET /query shapes and URL parses are cached per query string; never one holding ``p=``."""
    from tsdb_http import params, routes_query

    params._url_values.cache_clear()
    routes_query._get_shape.cache_clear()
    secret = tokens.all
    for _ in range(3):
        r = authed.get(f"/query?db=mydb&q=SHOW+MEASUREMENTS&u=me&p={secret}")
        assert r.status_code == 200, r.text
    r = authed.get("/query?db=mydb&q=SHOW+MEASUREMENTS", headers={"Authorization": f"Token {secret}"})
    assert r.status_code == 200
    assert routes_query._get_shape.cache_info().currsize == 1  # only the URL without the token
    assert params._url_values.cache_info().currsize == 1
