"""The Starlette app: one route table, one error table, common headers.

    from tsdb_http.app import ShimConfig, create_app
    app = create_app(store, tokens, ShimConfig(compat="influxdb1"))   # an ASGI app

Handlers are thin (parameters → core → encoder). Errors travel as exceptions
and are rendered once, here: the cloud dialect answers ``{"code", "message"}``
(plus ``line`` for rejected writes), the influxdb1 dialect ``{"error": ...}``.
Every non-2xx answer but 401 carries ``X-Influxdb-Error``; every answer carries
``X-Influxdb-Version``, ``X-Influxdb-Build``, ``Request-Id`` and ``X-Request-Id``.
"""
from __future__ import annotations

import functools
import logging
import re
from dataclasses import dataclass, field

import orjson
from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

import tsdb_core as core_errors
from tsdb_http.tokens import TokenStore

from . import openapi
from .auth import Authenticator
from .kept_answers import KeptAnswers
from .offload import DEFAULT_BUDGET_S, Offload
from .origins import Guard
from .params import CODES, Dialect, HttpError, influxql_dialect, url_values
from .request_id import RequestIds
from .routes_check import check as portability_check
from .routes_query import QueryError, query
from .routes_query import answer_now as answer_query_now
from .routes_v3 import query_influxql, query_sql
from .routes_write import write_v1, write_v2

log = logging.getLogger("tsdb_http")

VERSION = "1.8.10"  # what /ping reports: the 1.x API level the shim speaks
DEFAULT_MAX_BODY = 25_000_000  # InfluxDB 1.x's max-body-size


_DIALECTS = {d.value: d for d in Dialect}


@dataclass(frozen=True, slots=True)
class ShimConfig:
    """How the shim answers. ``compat``: ``"cloud-dedicated"`` (default) or ``"influxdb1"``."""

    compat: str = Dialect.CLOUD.value
    no_auth: bool = False
    max_body_bytes: int = DEFAULT_MAX_BODY
    version: str = VERSION
    build: str = field(default="")
    inline_budget_ms: float = DEFAULT_BUDGET_S * 1000  # a read known to take less may run on the loop (0: never)
    allowed_hosts: tuple[str, ...] = ()  # Host names accepted without auth, besides loopback (origins.py)
    cors_origins: tuple[str, ...] = ()  # browser origins given CORS headers (none: see origins.py)
    ui: bool = False  # serve the data explorer at / and the API reference at /docs (tsdb_http/explorer)
    influxql: str = ""  # the InfluxQL dialect of /query; "" = as ``compat`` implies (cloud-dedicated: influxdb3)

    @property
    def dialect(self) -> Dialect:
        return _DIALECTS.get(self.compat) or Dialect(self.compat)  # Dialect(value) per request is an enum lookup we can skip

    @property
    def influxql_dialect(self) -> core_errors.Dialect:
        return core_errors.Dialect(self.influxql) if self.influxql else influxql_dialect(self.dialect)

    @property
    def build_name(self) -> str:
        return self.build or ("OSS" if self.dialect is Dialect.V1 else "cloud-dedicated")


@dataclass(slots=True)
class Shim:
    """What handlers reach through ``request.app.state.shim``."""

    store: object
    tokens: TokenStore | None
    config: ShimConfig
    auth: Authenticator
    offload: Offload = field(default_factory=Offload)  # where /query's core calls run (offload.py)
    influxql: object = None  # the tsdb_core.Dialect /query runs (ShimConfig.influxql_dialect)
    kept: KeptAnswers = field(default_factory=KeptAnswers)  # direct answers kept under the core's token

    def __post_init__(self) -> None:
        self.influxql = self.influxql or self.config.influxql_dialect

    # the store's query, execute and prepare in that dialect (looked up per request)
    def query_fn(self):
        return functools.partial(self.store.query, dialect=self.influxql)

    def execute_fn(self):
        return functools.partial(self.store.execute, dialect=self.influxql)

    def prepare_fn(self):
        return functools.partial(self.store.prepare, dialect=self.influxql)


# -- small endpoints -------------------------------------------------------------------

def ping_body(config: ShimConfig, query_string: bytes) -> bytes | None:
    """/ping's JSON body with ``?verbose`` (anything but ``0``/``false``), else None (a bare 204)."""
    if not query_string:
        return None
    verbose = url_values(query_string).get("verbose", "")
    return orjson.dumps({"version": config.version}) if verbose not in ("", "0", "false") else None


async def ping(request: Request) -> Response:
    body = ping_body(request.app.state.shim.config, request.scope["query_string"])
    if body is not None:
        return Response(body, 200, media_type="application/json")
    return Response(status_code=204)


async def health(request: Request) -> Response:
    """InfluxDB's health answer, plus a ``storage`` check: ``warn`` while flushes fail or
    batches sit set aside (Store.health(); the server still serves, so 200 either way)."""
    shim = request.app.state.shim
    store_health = getattr(shim.store, "health", None)
    storage = store_health() if store_health is not None else {"status": "ok"}
    ok = storage["status"] == "ok"
    check = {"name": "storage", "status": "pass" if ok else "warn",
             "message": "ok" if ok else (storage.get("last_flush_error") or "batches set aside in quarantine/flush/"),
             **{k: v for k, v in storage.items() if k != "status"}}
    return Response(orjson.dumps({"name": "influxdb",
                                  "message": "ready for queries and writes" if ok else "storage degraded: see checks",
                                  "status": "pass" if ok else "warn", "checks": [check],
                                  "version": shim.config.version}),
                    200, media_type="application/json")


async def options(request: Request) -> Response:
    return Response(status_code=204)


async def v2_query(request: Request) -> Response:
    raise HttpError(400, "the /api/v2/query endpoint (Flux) can't query this server: "
                         "send InfluxQL to /query (InfluxDB v1 API) instead")


def _guard(endpoint):
    """Turn an unexpected exception into an InternalError, rendered like every other error.

    (Starlette's outermost error middleware would answer without our headers.)
    """
    async def guarded(request: Request) -> Response:
        try:
            return await endpoint(request)
        except (HttpError, HTTPException, core_errors.TsdbError):
            raise
        except Exception as e:  # noqa: BLE001 - a bug: log it, answer 500
            log.exception("%s %s failed", request.method, request.url.path)
            raise core_errors.InternalError(f"{type(e).__name__}: {e}") from e

    guarded.__name__ = endpoint.__name__
    return guarded


# -- the route table ---------------------------------------------------------------------

ROUTES = [
    Route("/ping", _guard(ping), methods=["GET", "HEAD"]),
    Route("/health", _guard(health), methods=["GET", "HEAD"]),
    Route("/query", _guard(query), methods=["GET", "POST"]),
    Route("/query", _guard(options), methods=["OPTIONS"]),
    Route("/write", _guard(write_v1), methods=["POST"]),
    Route("/write", _guard(options), methods=["OPTIONS"]),
    Route("/api/v2/write", _guard(write_v2), methods=["POST"]),
    Route("/api/v2/query", _guard(v2_query), methods=["GET", "POST"]),
    Route("/api/v3/query_sql", _guard(query_sql), methods=["GET", "POST"]),  # InfluxDB 3 Core's (routes_v3.py)
    Route("/api/v3/query_influxql", _guard(query_influxql), methods=["GET", "POST"]),
    Route("/api/tsdb/check", _guard(portability_check), methods=["POST"]),  # ours, not InfluxDB's (routes_check.py)
    Route("/openapi.json", _guard(openapi.endpoint), methods=["GET"]),
]


# -- the error table ------------------------------------------------------------------------
# core error → (cloud status, influxdb1 status); first match wins (subclasses first).

ERRORS: list[tuple[type[Exception], int, int]] = [
    (core_errors.DatabaseNotFound, 404, 404),
    (core_errors.RetentionPolicyNotFound, 404, 500),   # 1.x: 500 "retention policy not found"
    (core_errors.PermissionDenied, 401, 401),
    (core_errors.PointsBeyondRetention, 422, 400),
    (core_errors.FieldTypeConflict, 400, 400),
    (core_errors.LimitExceeded, 422, 400),
    (core_errors.UserError, 400, 400),                 # parse errors, bad values
    (core_errors.StorageError, 503, 500),              # disk full / I/O: retry later
    (core_errors.InternalError, 500, 500),
]


def status_for(exc: Exception, dialect: Dialect) -> int:
    for cls, cloud, v1 in ERRORS:
        if isinstance(exc, cls):
            return cloud if dialect is Dialect.CLOUD else v1
    return 500


def error_message(exc: Exception, dialect: Dialect) -> str:
    if isinstance(exc, core_errors.DatabaseNotFound) and dialect is Dialect.V1:
        return f'database not found: "{exc.name}"'
    msg = str(exc)
    if not isinstance(exc, core_errors.TsdbError):
        msg = f"internal error: {type(exc).__name__}: {msg}"
    return msg


def error_response(status: int, message: str, dialect: Dialect, *, code: str | None = None,
                   line: int | None = None, headers: dict | None = None) -> Response:
    """The JSON error body of a dialect, with ``X-Influxdb-Error`` (not on 401 or 2xx)."""
    hdrs = dict(headers or {})
    if status == 401:
        if dialect is Dialect.V1:
            hdrs["WWW-Authenticate"] = 'Basic realm="InfluxDB"'
            body = {"error": message}
        else:
            body = {"code": "unauthorized", "message": "unauthorized access"}
    else:
        if status // 100 != 2:
            hdrs["X-Influxdb-Error"] = _header_safe(message)
        if dialect is Dialect.V1:
            body = {"error": message}
        else:
            body = {"code": code or CODES.get(status, "internal error"), "message": message}
            if line is not None:
                body = {"code": body["code"], "line": line, "message": message}
    if status == 503:
        hdrs.setdefault("Retry-After", "30")
    data = orjson.dumps(body, option=orjson.OPT_APPEND_NEWLINE) if dialect is Dialect.V1 else orjson.dumps(body)
    return Response(data, status, headers=hdrs, media_type="application/json")  # 1.x ends its line


_CONTROL = re.compile(r"[\x00-\x1f\x7f]+")


def _header_safe(message: str) -> str:
    """1.x truncates the header at 1024 bytes; a header holds one line of printable ASCII
    (a control byte quoted from a rejected line would make the server drop the answer)."""
    text = _CONTROL.sub(" ", message[:1024])
    return text.encode("ascii", "replace").decode("ascii")


async def _on_http_error(request: Request, exc: HttpError) -> Response:
    dialect = request.app.state.shim.config.dialect
    if isinstance(exc, QueryError):
        if exc.kind is None:  # InfluxDB 3 (influxdb3_server http.rs, IntoResponse for HttpError): status and body only
            return Response(exc.body(), exc.status)
        hdrs = {"X-Influxdb-Error": _header_safe(exc.message), "Content-Type": exc.ctype}
        if exc.gzip:
            hdrs["Content-Encoding"] = "gzip"
        return Response(exc.body(), exc.status, headers=hdrs)
    return error_response(exc.status, exc.message, dialect, code=exc.code, line=exc.line,
                          headers=exc.headers)


# influxd 1.x's Allow header per path (its router's methods; ours also answer HEAD on /query)
_V1_ALLOW = {"/query": "OPTIONS, GET, POST", "/write": "POST, OPTIONS", "/ping": "GET, HEAD"}


def _v1_method_not_allowed(path: str, headers: dict | None) -> Response:
    """1.x answers a wrong method as Go's http.Error does: text, no X-Influxdb-Error."""
    allow = _V1_ALLOW.get(path) or (headers or {}).get("Allow", "")
    return Response(b"Method Not Allowed\n", 405, media_type="text/plain; charset=utf-8",
                    headers={"Allow": allow, "X-Content-Type-Options": "nosniff"})


def _v1_not_found() -> Response:
    """1.x answers an unknown path as Go's http.NotFound does: text, no X-Influxdb-Error."""
    return Response(b"404 page not found\n", 404, media_type="text/plain; charset=utf-8",
                    headers={"X-Content-Type-Options": "nosniff"})


async def _on_starlette_error(request: Request, exc: HTTPException) -> Response:
    dialect = request.app.state.shim.config.dialect
    if exc.status_code == 405 and dialect is Dialect.V1:
        return _v1_method_not_allowed(request.url.path, getattr(exc, "headers", None))
    if exc.status_code == 404 and dialect is Dialect.V1:
        return _v1_not_found()
    if exc.status_code == 404:
        msg = "path not found"
    elif exc.status_code == 405:
        msg = "Method Not Allowed" if dialect is Dialect.V1 else f"method {request.method} not allowed"
    else:
        msg = exc.detail
    return error_response(exc.status_code, msg, dialect, headers=getattr(exc, "headers", None))


async def _on_core_error(request: Request, exc: Exception) -> Response:
    dialect = request.app.state.shim.config.dialect
    status = status_for(exc, dialect)
    if status >= 500 and exc.__cause__ is None:
        log.error("%s %s failed: %s", request.method, request.url.path, exc)
    return error_response(status, error_message(exc, dialect), dialect)


async def _on_unhandled(request: Request, exc: Exception) -> Response:
    """Anything else (a bug past :func:`_guard`): rendered as a core error; the caller re-raises it."""
    return await _on_core_error(request, exc)


HANDLERS = {HttpError: _on_http_error, HTTPException: _on_starlette_error, core_errors.TsdbError: _on_core_error}


# -- the app: common headers, and a direct path to the hot routes -------------------------------

_CORS = [(b"access-control-allow-methods", b"DELETE, GET, OPTIONS, POST, PUT"),
         (b"access-control-allow-headers", b"Accept, Accept-Encoding, Authorization, "
          b"Content-Length, Content-Type, X-CSRF-Token, X-HTTP-Method-Override"),
         (b"access-control-expose-headers", b"Date, X-InfluxDB-Version, X-InfluxDB-Build")]


class ShimApp(Starlette):
    """Starlette, plus X-Influxdb-Version/Build, Request-Id (and CORS) on every response.

    A request whose (path, method) a route of :data:`ROUTES` matches exactly goes
    straight to its endpoint, with the error table applied here; everything else
    (404, 405, trailing slashes, lifespan) takes Starlette's middleware and router.
    Both give the same answers; the direct path skips five layers of ``send``
    wrappers and three Request objects per request.
    """

    def __init__(self, config: ShimConfig, **kwargs):
        super().__init__(**kwargs)
        self.static_headers = [(b"x-influxdb-build", config.build_name.encode()),
                               (b"x-influxdb-version", config.version.encode())]
        self.request_ids = RequestIds()
        self.direct: dict[tuple[str, str], object] = {}
        for route in self.routes:
            for method in getattr(route, "methods", None) or ():
                self.direct.setdefault((route.path, method), route.endpoint)  # first match wins, as routing
        self.offload: Offload | None = None
        self.shim: Shim | None = None  # app.state.shim, without State's __getattr__ per direct answer
        self.guard = Guard(config.no_auth, config.allowed_hosts, config.cors_origins)

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http":
            return await super().__call__(scope, receive, send)
        method = scope["method"]
        if not method.isupper():  # the Cloud Dedicated API document's own example sends `--request post`
            method = method.upper()
            scope = {**scope, "method": method}
        extra = self.common_headers(scope["headers"])

        async def send_with_headers(message):
            if message["type"] == "http.response.start":
                message["headers"] = [*message.get("headers", ()), *extra]
            await send(message)

        scope["app"] = self
        if self.guard.no_auth:
            refused = self.guard.refusal(scope)
            if refused is not None:
                response = error_response(403, refused, self.state.shim.config.dialect)
                return await response(scope, receive, send_with_headers)
        endpoint = self.direct.get((scope["path"], method)) if not scope.get("root_path") else None
        offload = self.offload
        offload.busy += 1
        try:
            if endpoint is None:
                if self.middleware_stack is None:
                    self.middleware_stack = self.build_middleware_stack()
                await self.middleware_stack(scope, receive, send_with_headers)
            else:
                await self._direct(endpoint, scope, receive, send_with_headers)
        finally:
            offload.busy -= 1

    def common_headers(self, headers) -> list[tuple[bytes, bytes]]:
        """What every answer carries: version, build, the request id (the client's, or a new one), CORS."""
        rid = None
        origin = None
        for k, v in headers:
            if k == b"x-request-id" or (k == b"request-id" and rid is None):
                rid = v
            elif k == b"origin":
                origin = v
        rid = rid or self.request_ids.next()
        extra = [*self.static_headers, (b"request-id", rid), (b"x-request-id", rid)]
        if origin and self.guard.cors_ok(origin):
            extra += [(b"access-control-allow-origin", origin), *_CORS]
        return extra

    def answer_now(self, path: bytes, query_string: bytes, headers) -> tuple[list, bytes, int] | None:
        """A keep-alive GET answered without an ASGI task: (headers, body, status), or None.

        The server's protocol asks before it starts a task (uvicorn_server.py); only
        GET /ping and GET /query take this way, /query only when :func:`routes_query.answer_now`
        says the answer is quick and sure. The headers are the ones the ASGI path sends.
        """
        if path == b"/ping":  # (no Host/Origin check: /ping answers every one)
            return self._ping_now(query_string, headers)
        if path != b"/query":
            return None
        if self.guard.no_auth and self.guard.refusal({"headers": headers, "path": "/query", "method": "GET"}):
            return None  # the ASGI path answers the 403
        answer = answer_query_now(self.shim, query_string, headers)
        if answer is None:
            return None
        return [*answer.headers, (b"content-length", b"%d" % len(answer.body)),
                *self.common_headers(headers)], answer.body, 200

    def _ping_now(self, query_string: bytes, headers) -> tuple[list, bytes, int]:
        """:func:`ping`'s answer, with the headers Starlette's Response and the app add."""
        body = ping_body(self.state.shim.config, query_string)
        if body is None:
            return self.common_headers(headers), b"", 204
        return [(b"content-length", b"%d" % len(body)), (b"content-type", b"application/json"),
                *self.common_headers(headers)], body, 200

    async def _direct(self, endpoint, scope, receive, send) -> None:
        request = Request(scope, receive, send)
        try:
            response = await endpoint(request)
        except Exception as exc:
            handler = _handler_for(exc)
            await (await handler(request, exc))(scope, receive, send)
            if handler is _on_unhandled:
                raise  # as Starlette's ServerErrorMiddleware: answered, then re-raised for the server's log
            return
        await response(scope, receive, send)


def _handler_for(exc: Exception):
    for cls in type(exc).__mro__:
        handler = HANDLERS.get(cls)
        if handler is not None:
            return handler
    return _on_unhandled


def create_app(store, tokens: TokenStore | None = None, config: ShimConfig | None = None) -> ShimApp:
    """The ASGI app over ``store``; ``tokens`` None (or ``config.no_auth``) disables auth."""
    config = config or ShimConfig()
    Dialect(config.compat)  # validate early
    routes = ROUTES
    if config.ui:
        from .explorer import routes as explorer_routes

        routes = [*ROUTES, *explorer_routes(_guard)]
    app = ShimApp(config, routes=routes, exception_handlers={**HANDLERS, Exception: _on_unhandled})
    if config.dialect is Dialect.V1:
        app.router.redirect_slashes = False  # 1.x's router: /query/ is an unknown path (404)
    app.state.openapi = openapi.document(app.routes, config)  # every route described, or no app
    auth = Authenticator(tokens, enabled=not config.no_auth, dialect=config.dialect)
    shim = Shim(store, tokens, config, auth, Offload(config.inline_budget_ms / 1000), config.influxql_dialect)
    app.state.shim = app.shim = shim
    app.offload = shim.offload
    return app
