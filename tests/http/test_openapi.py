"""The OpenAPI document cannot drift from the routes: every route and method is in it (and
nothing else), the parameters the handlers read and the statuses they raise are declared,
it validates as OpenAPI 3.1, and /openapi.json and /docs serve it."""
from __future__ import annotations

import ast
import inspect
import textwrap

import orjson
import pytest
from click.testing import CliRunner
from starlette.routing import Route
from starlette.testclient import TestClient

import tsdb_core
from tsdb_http import app as app_module
from tsdb_http import auth, openapi, params, routes_write
from tsdb_http.app import ERRORS, ShimConfig, create_app
from tsdb_http.explorer import ASSETS, vendor
from tsdb_http.params import Dialect

CONFIGS = {"cloud-auth": ShimConfig(), "cloud-no-auth": ShimConfig(no_auth=True),
           "v1-auth": ShimConfig(compat="influxdb1"), "v1-no-auth-ui": ShimConfig(compat="influxdb1", no_auth=True, ui=True),
           "cloud-auth-ui": ShimConfig(ui=True)}


def _app(config: ShimConfig):
    from tsdb_http.tokens import TokenStore

    return create_app(tsdb_core.open(), None if config.no_auth else TokenStore(None), config)


@pytest.fixture(scope="module", params=sorted(CONFIGS))
def built(request):
    app = _app(CONFIGS[request.param])
    return app, app.state.openapi, CONFIGS[request.param]


def _ops(doc):
    return {(path, method.upper()) for path, ops in doc["paths"].items() for method in ops}


def test_the_document_is_valid_openapi_3_1(built):
    from openapi_spec_validator import validate

    _, doc, _ = built
    assert doc["openapi"] == "3.1.0"
    validate(doc)


def test_every_route_and_method_is_described_and_nothing_else(built):
    app, doc, config = built
    served = {(r.path, m) for r in app.routes for m in r.methods}
    assert _ops(doc) == served
    assert ("/query", "POST") in served and ("/ping", "HEAD") in served and ("/openapi.json", "GET") in served
    assert (("/", "GET") in served) is config.ui and (("/docs", "GET") in served) is config.ui


def test_a_route_without_a_description_stops_the_app():
    async def hello(request):  # pragma: no cover - never called
        raise AssertionError

    with pytest.raises(LookupError, match="route GET /hello has no OpenAPI description"):
        openapi.document([*app_module.ROUTES, Route("/hello", hello, methods=["GET"])], ShimConfig())


def _names_read(function, receiver_names=("q", "form", "query", "values")) -> set[str]:
    """The string keys ``function`` reads with ``<name>.get("key")`` (the parameters it takes)."""
    tree = ast.parse(textwrap.dedent(inspect.getsource(function)))
    return {node.args[0].value for node in ast.walk(tree)
            if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr == "get"
            and isinstance(node.func.value, ast.Name) and node.func.value.id in receiver_names
            and node.args and isinstance(node.args[0], ast.Constant) and isinstance(node.args[0].value, str)}


def _params_of(doc, path, method, where="query") -> set[str]:
    return {p["name"] for p in doc["paths"][path][method]["parameters"] if p["in"] == where}


@pytest.mark.parametrize("path, functions", [
    ("/write", (routes_write.write_v1,)), ("/api/v2/write", (routes_write.write_v2,))])
def test_write_parameters_read_by_the_handlers_are_declared(path, functions):
    doc = _app(ShimConfig()).state.openapi
    read = set().union(*(_names_read(f) for f in functions))
    assert read and read <= _params_of(doc, path, "post")


def test_query_parameters_read_by_the_handlers_are_declared():
    doc = _app(ShimConfig()).state.openapi
    read = _names_read(params.query_params) | {"params"}
    assert {"q", "db", "rp", "epoch", "chunked", "chunk_size", "pretty"} <= read
    for method in ("get", "post", "head"):
        assert read <= _params_of(doc, "/query", method)
    form = doc["paths"]["/query"]["post"]["requestBody"]["content"]["application/x-www-form-urlencoded"]["schema"]
    assert read <= set(form["properties"])
    assert "verbose" in _params_of(doc, "/ping", "get")


def test_token_locations_are_the_security_schemes():
    doc = _app(ShimConfig()).state.openapi
    schemes = doc["components"]["securitySchemes"]
    assert _names_read(auth.extract_token) == {"p"}  # the query string's token
    assert schemes["QuerystringAuthentication"] == {**schemes["QuerystringAuthentication"], "in": "query", "name": "p"}
    assert {schemes["BearerAuthentication"]["scheme"], schemes["BasicAuthentication"]["scheme"]} == {"bearer", "basic"}
    assert doc["paths"]["/query"]["get"]["security"] and doc["paths"]["/ping"]["get"]["security"] == []
    no_auth = _app(ShimConfig(no_auth=True)).state.openapi
    assert no_auth["paths"]["/query"]["get"]["security"] == []


def _raised_statuses(*modules_or_functions) -> set[int]:
    """The literal statuses of ``HttpError(<status>, ...)`` in source."""
    found = set()
    for obj in modules_or_functions:
        for node in ast.walk(ast.parse(textwrap.dedent(inspect.getsource(obj)))):
            if (isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id == "HttpError"
                    and node.args and isinstance(node.args[0], ast.Constant)):
                found.add(node.args[0].value)
    return found


def _statuses(doc, path, method) -> set[int]:
    return {int(s) for s in doc["paths"][path][method]["responses"]}


def test_statuses_the_write_path_raises_are_documented():
    raised = _raised_statuses(routes_write, params.read_body, params.write_precision)
    assert {400, 404, 413, 415, 201} <= raised
    for compat in ("cloud-dedicated", "influxdb1"):
        doc = _app(ShimConfig(compat=compat)).state.openapi
        documented = _statuses(doc, "/write", "post") | _statuses(doc, "/api/v2/write", "post")
        expected = raised - ({201, 415} if compat == "influxdb1" else set())
        assert expected <= documented, (compat, expected - documented)


@pytest.mark.parametrize("compat", ["cloud-dedicated", "influxdb1"])
def test_statuses_of_the_error_table_are_documented_for_query_and_write(compat):
    doc = _app(ShimConfig(compat=compat)).state.openapi
    table = {cloud if compat == "cloud-dedicated" else v1 for _, cloud, v1 in ERRORS}
    table.discard(401)  # (the permission check: documented with the token's 401)
    for path in ("/query", "/write", "/api/v2/write"):
        method = "post"
        assert table <= _statuses(doc, path, method), (path, table - _statuses(doc, path, method))
        assert 401 in _statuses(doc, path, method) and 429 in _statuses(doc, path, method)


def test_error_bodies_follow_the_dialect():
    cloud = _app(ShimConfig()).state.openapi["paths"]
    v1 = _app(ShimConfig(compat="influxdb1")).state.openapi["paths"]
    ref = lambda paths, path, method, status: paths[path][method]["responses"][status]["content"]["application/json"]["schema"]["$ref"]  # noqa: E731
    assert ref(cloud, "/write", "post", "400").endswith("/CloudError")
    assert ref(v1, "/write", "post", "400").endswith("/V1Error")
    assert ref(v1, "/query", "get", "400").endswith("/QueryError")  # /query: 1.x's {"error"}
    # InfluxDB 3's /query errors: {"error"} without a Content-Type (no media type to document), no X-Influxdb-Error
    bad = cloud["/query"]["get"]["responses"]["400"]
    assert "content" not in bad and "X-Influxdb-Error" not in bad["headers"] and '{"error": message}' in bad["description"]
    assert ref(cloud, "/query", "get", "401").endswith("/CloudError")
    assert set(cloud["/query"]["get"]["responses"]["200"]["content"]) == {
        "application/json", "application/csv", "application/x-msgpack"}
    assert set(v1["/query"]["get"]["responses"]["200"]["content"]) == {
        "application/json", "text/csv", "application/x-msgpack"}
    assert "content" not in cloud["/query"]["head"]["responses"]["200"]


def test_openapi_json_is_served_and_the_ui_only_when_asked():
    plain = TestClient(_app(ShimConfig(no_auth=True)))
    r = plain.get("/openapi.json")
    assert r.status_code == 200 and r.headers["content-type"] == "application/json"
    assert r.json() == orjson.loads(orjson.dumps(plain.app.state.openapi))
    assert "/" not in r.json()["paths"]
    assert plain.get("/").status_code == 404 and plain.get("/docs").status_code == 404
    assert plain.get("/explorer/explorer.js").status_code == 404
    ui = TestClient(_app(ShimConfig(no_auth=True, ui=True)))
    assert ui.get("/").status_code == 200 and "/" in ui.get("/openapi.json").json()["paths"]


def test_docs_page_lists_every_operation_without_script():
    client = TestClient(_app(ShimConfig(ui=True)))
    r = client.get("/docs")
    assert r.status_code == 200 and r.headers["content-type"] == "text/html; charset=utf-8"
    assert "script-src 'self'" in r.headers["content-security-policy"] and "<script" not in r.text
    for path, ops in client.app.state.openapi["paths"].items():
        for op in ops.values():
            assert f'id="{op["operationId"]}"' in r.text
    assert "<code>/api/v2/write</code>" in r.text and "QueryAnswer" in r.text
    assert "&lt;" not in openapi.OPERATIONS[("/ping", "GET")].description  # (escaping is done by the page)


def test_assets_come_from_a_fixed_table():
    client = TestClient(_app(ShimConfig(ui=True)), raise_server_exceptions=False)
    for name in ASSETS:
        assert client.get(f"/explorer/{name}").status_code == 200
    for name in ("index.html", "..%2Fexplorer.js", "vendor%2FuPlot.min.css", "..%2F..%2Fapp.py", "%2Fetc%2Fpasswd"):
        r = client.get(f"/explorer/{name}")
        assert r.status_code == 404 and r.json() == {"code": "not found", "message": "path not found"}


def test_vendored_chart_library_is_the_pinned_release():
    assert vendor.mismatches() == []
    assert (vendor.VENDOR / "uPlot.LICENSE").read_text().startswith("The MIT License (MIT)")
    first = (vendor.VENDOR / "uPlot.iife.min.js").read_text()[:80]
    assert f"(v{vendor.VERSION})" in first


def test_serve_turns_the_ui_on_for_loopback_only(tmp_path, capfd):
    import httpx

    from tsdb_http.serve import start_in_thread

    for host, ui, expect in (("127.0.0.1", None, 200), ("127.0.0.1", False, 404), ("0.0.0.0", None, 404)):
        handle = start_in_thread(tmp_path / host, host=host, ui=ui)
        try:
            port = handle.url.rsplit(":", 1)[1]
            assert httpx.get(f"http://127.0.0.1:{port}/").status_code == expect, (host, ui)
            assert httpx.get(f"http://127.0.0.1:{port}/openapi.json").status_code == 200
        finally:
            handle.stop()
    assert capfd.readouterr().err.count("tsdb: data explorer at http://127.0.0.1:") == 1


def test_cli_ui_flags(monkeypatch, tmp_path):
    import tsdb_http.serve
    from tsdb_core.cli import cli

    calls = []
    monkeypatch.setattr(tsdb_http.serve, "serve", lambda *a, **kw: calls.append(kw["ui"]))
    for flags, expect in (((), None), (("--ui",), True), (("--no-ui",), False)):
        result = CliRunner().invoke(cli, ["serve", "--data-dir", str(tmp_path), *flags], catch_exceptions=False)
        assert result.exit_code == 0, result.output
        assert calls.pop() is expect
    assert "--ui / --no-ui" in CliRunner().invoke(cli, ["serve", "--help"]).output


def test_dialect_enum_is_complete():
    assert {d.value for d in Dialect} == {"cloud-dedicated", "influxdb1"}


def test_the_pages_are_never_a_redirect_target():
    """Starlette redirects a path with (or without) a trailing slash to a route that has the other;
    the explorer's routes answer only their own path (an empty one stays 404, as without the UI)."""
    client = TestClient(_app(ShimConfig(no_auth=True, ui=True)), raise_server_exceptions=False, follow_redirects=False)
    for path in ("/docs/", "/explorer/explorer.js/"):
        assert client.get(path).status_code == 404, path
    assert client.get("/query/").status_code == 307  # (the API's own routes keep Starlette's redirect)
