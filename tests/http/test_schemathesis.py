"""The API tested from its own OpenAPI document: schemathesis against a live ``tsdb serve``.

For every operation of ``/openapi.json``, generated requests (valid and invalid values)
are sent with a valid token, with none and with a malformed one; every response must
match the document (status, content type, headers, body schema), never be a 5xx, and
an operation that needs a token must refuse a request without one. Two servers: the
cloud dialect with auth, and influxdb1 without auth (its Host/Origin guard).

``positive_data_acceptance`` is left out: a string the schema accepts as ``q`` or as
a line is usually not valid InfluxQL or line protocol, and the API rightly answers 400.
Examples per operation: a few in the default run, many more with ``TSDB_SLOW=1``; the coverage
phase's cases (the document's boundaries and missing or wrong-typed parameters, most of the cost) are
the same in both. All requests to a server go over one kept-alive session.
"""
from __future__ import annotations

import os

import pytest
import requests

schemathesis = pytest.importorskip("schemathesis", reason="schemathesis is not installed (the test extra)")
from schemathesis.checks import positive_data_acceptance  # noqa: E402
from schemathesis.config import HealthCheck  # noqa: E402

from tsdb_http.serve import start_in_thread  # noqa: E402
from tsdb_http.tokens import TokenStore  # noqa: E402

EXAMPLES = 300 if os.environ.get("TSDB_SLOW") == "1" else 5
SERVERS = {"cloud-auth": {"compat": "cloud-dedicated"}, "v1-no-auth": {"compat": "influxdb1", "no_auth": True}}


@pytest.fixture(scope="module", params=sorted(SERVERS))
def live(request, tmp_path_factory):
    root = tmp_path_factory.mktemp("schemathesis")
    token = TokenStore(root).create("*", read=True, write=True, manage=True, description="schemathesis")[0]
    handle = start_in_thread(root, ui=True, **SERVERS[request.param])
    handle.token, handle.compat = token, SERVERS[request.param]["compat"]
    handle.session = requests.Session()  # (a connection per request was a third of the run's time)
    yield handle
    handle.session.close()
    handle.stop()


@pytest.fixture(scope="module")
def api_schema(live):
    schema = schemathesis.openapi.from_url(f"{live.url}/openapi.json")
    # (a loaded 2-core machine is no reason to fail: the checks are on the answers, not their speed)
    schema.config.update(base_url=live.url, suppress_health_check=[HealthCheck.too_slow])
    schema.config.generation.update(max_examples=EXAMPLES)
    return schema


schema = schemathesis.pytest.from_fixture("api_schema")


@schemathesis.deserializer("application/json")
def _json_or_no_body(ctx, response):
    """JSON, with an empty body read as ``null``: the cloud document's /query 200 names that case (InfluxDB 3
    answers a ``q`` without statements with no body), so only there does the schema accept it."""
    return None if not response.content else response.json()

# Each generated request is sent three ways: with a valid token, without one, with a malformed one.
AUTH = {"valid": lambda token: f"Token {token}", "none": lambda token: None, "malformed": lambda token: "Token not-a-token"}
# A server without auth never reads the header (Authenticator.authenticate returns before it), so a
# valid token and a malformed one are the same request there: it gets a header and none.
AUTH_WAYS = {"cloud-dedicated": list(AUTH), "influxdb1": ["none", "malformed"]}


@schema.parametrize()
def test_every_operation_matches_the_document(case, live):
    for way in AUTH_WAYS[live.compat]:
        headers = {k: v for k, v in (case.headers or {}).items() if k.lower() != "authorization"}
        if AUTH[way](live.token) is not None:
            headers["Authorization"] = AUTH[way](live.token)
        case.call_and_validate(base_url=live.url, headers=headers, session=live.session,
                               excluded_checks=[positive_data_acceptance])


def test_a_query_without_statements_matches_the_document(api_schema, live):
    """The documented answer to a ``q`` without statements: InfluxDB 3's empty 200 (cloud), 1.x's 400 (influxdb1)."""
    case = api_schema["/query"]["GET"].Case(query={"q": "", "db": "mydb"})
    r = case.call_and_validate(base_url=live.url, headers={"Authorization": f"Token {live.token}"}, session=live.session,
                               excluded_checks=[positive_data_acceptance])
    if live.compat == "cloud-dedicated":
        assert (r.status_code, r.headers["content-type"], r.content) == (200, ["application/json"], b"")
    else:
        assert (r.status_code, r.json()) == (400, {"error": 'missing required parameter "q"'})
