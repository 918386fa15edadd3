"""The OpenAPI 3.1 document of a shim, built from its own route table.

    from tsdb_http.openapi import document
    doc = document(app.routes, config)       # served as GET /openapi.json

Paths and methods come from the app's routes (Starlette adds HEAD to every GET):
each (path, method) must have an entry in :data:`OPERATIONS`, or :func:`document`
raises, so a route added without a description fails at start and in the tests
(``tests/http/test_openapi.py`` also checks the parameters the handlers read and
the status codes they raise). Error bodies, statuses and security follow the
server's settings: the cloud dialect answers ``{"code", "message"}``, influxdb1
``{"error"}``; ``/query`` renders its errors with the negotiated formatter;
without auth there is no security, and the Host/Origin guard may answer 403.
"""
from __future__ import annotations

from dataclasses import dataclass

from .explorer import ASSETS
from .params import CODES, Dialect

JSON, CSV, MSGPACK, TEXT, HTML = "application/json", "text/csv", "application/x-msgpack", "text/plain", "text/html"
V3_CSV = "application/csv"  # InfluxDB 3's /query CSV


@dataclass(frozen=True, slots=True)
class Param:
    """One parameter: ``where`` is ``query``, ``header`` or ``path``; ``v1_schema`` replaces ``schema``
    under the influxdb1 dialect (which accepts more, as 1.x)."""

    name: str
    where: str
    description: str
    schema: tuple = (("type", "string"),)
    required: bool = False
    v1_schema: tuple | None = None

    def as_dict(self, dialect: Dialect = Dialect.CLOUD) -> dict:
        schema = self.v1_schema if dialect is Dialect.V1 and self.v1_schema is not None else self.schema
        return {"name": self.name, "in": self.where, "description": self.description,
                "required": self.required or self.where == "path", "schema": dict(schema)}


@dataclass(frozen=True, slots=True)
class Operation:
    """What a route answers. ``errors``: the statuses its failures take per dialect (cloud, influxdb1);
    ``ok``: success statuses → media types (empty: no body); ``body``: a key of :func:`_bodies`."""

    summary: str
    description: str
    tag: str
    ok: tuple[tuple[int, tuple[str, ...]], ...]
    cloud_errors: tuple[int, ...] = ()
    v1_errors: tuple[int, ...] = ()
    params: tuple[Param, ...] = ()
    body: str | None = None
    authed: bool = False  # needs a token (401, 429) unless the server runs without auth
    guarded: bool = True  # the no-auth Host/Origin guard applies (origins.py): 403
    query_errors: bool = False  # errors written by /query's negotiated formatter
    v3_errors: bool = False  # errors as InfluxDB 3 writes them: {"error": message} (routes_v3.py)
    v3_query: bool = False  # /query as the influxdb3 dialect answers it (v3_params.py): errors without a header


def _enum(*values: str) -> tuple:
    return (("type", "string"), ("enum", list(values)))


_U = Param("u", "query", "User name (ignored: the token is the password, `p`).")
_ACCEPT_ENCODING = Param("Accept-Encoding", "header", "`gzip` compresses the answer (other values: not).")
_CONTENT_ENCODING = Param("Content-Encoding", "header", "`gzip`: the body is gzip-compressed (415 for others).",
                          _enum("gzip", "identity", ""))
_RP = Param("rp", "query", "Retention policy (default: the database's default policy).")
_QUERY_PARAMS = (
    Param("db", "query", "Database the statements run in (cloud dialect: `db/rp` names a policy too)."),
    Param("q", "query", "InfluxQL statements, separated by `;` (in the URL or the form body).",
          (("type", "string"), ("pattern", r"\S")), required=True),
    _RP,
    Param("epoch", "query", "Times as integers in this unit (`ns`, `u`, `ms`, `s`, `m`, `h`; others: ns) "
          "instead of RFC3339 text."),
    Param("chunked", "query", "`true`: stream the answer, one JSON object per line and chunk (others: whole)."),
    Param("chunk_size", "query", "Rows per chunk when chunked (default, and for anything but a positive "
          "integer: 10000)."),
    Param("pretty", "query", "`true`: indented JSON (others: compact)."),
    Param("params", "query", "Bound parameters as a JSON object (`$name` in `q`)."),
    _U, _ACCEPT_ENCODING,
)
_V1_PRECISIONS = _enum("n", "ns", "u", "us", "µ", "μ", "ms", "s", "m", "h", "")
_WRITE_V1_PARAMS = (
    Param("db", "query", "Database to write to.", (("type", "string"), ("minLength", 1)), required=True), _RP,
    Param("precision", "query", "Unit of the line protocol's timestamps (default ns; influxdb1: unknown ones "
          "are ns, as 1.x).", _V1_PRECISIONS, v1_schema=(("type", "string"),)),
    _U, _CONTENT_ENCODING,
)
_WRITE_V2_PARAMS = (
    Param("bucket", "query", "Database to write to (`db/rp` names a policy); `db` also works."),
    Param("db", "query", "Database to write to, when `bucket` is absent."),
    Param("org", "query", "Organization (ignored)."), _RP,
    Param("precision", "query", "Unit of the timestamps (default ns).", _enum("ns", "us", "ms", "s", "")),
    _CONTENT_ENCODING,
)

_QUERY_ERRORS = ((400, 404, 413, 415, 422, 500, 503), (400, 403, 404, 413, 415, 500))
_WRITE_ERRORS = ((400, 404, 413, 415, 422, 500, 503), (400, 403, 404, 413, 415, 500))
_QUERY_OK = ((200, (JSON, CSV, MSGPACK)),)


def _query_op(method: str) -> Operation:
    how = {"GET": "`q` in the URL.", "POST": "`q` and the other values in the URL or a form body.",
           "HEAD": "As GET, without the body."}[method]
    params = _QUERY_PARAMS if method != "POST" else tuple(
        Param(p.name, p.where, p.description, (("type", "string"),) if p.name == "q" else p.schema)
        for p in _QUERY_PARAMS)  # q may be in the body instead: the URL's may be empty
    return Operation(f"Run InfluxQL ({method})", f"InfluxDB 1.x's query endpoint: {how} The answer's format "
                     "follows `Accept` (JSON, CSV or msgpack), and so do its errors.", "query", _QUERY_OK,
                     *_QUERY_ERRORS, params=params, body="query" if method == "POST" else None,
                     authed=True, query_errors=True)


_V3_BOOL = _enum("true", "false")
_V3_QUERY_PARAMS = (
    Param("db", "query", "Database the statements run in (`db/rp` names a policy too; an empty value is none)."),
    Param("q", "query", "InfluxQL statements, separated by `;`. A `q` without statements (empty, blanks, `;`, "
          "comments) is answered 200 with an empty body.", required=True),
    _RP,
    Param("epoch", "query", "Times as integers in this unit instead of RFC3339 text; any other value, an empty one "
          "too, is refused: 400 `error decoding params from url: unknown variant ...`.",
          _enum("ns", "u", "µ", "ms", "s", "m", "h", "d", "w")),
    Param("chunked", "query", "`true`: the answer in pieces, JSON documents back to back, every series split at "
          "`chunk_size` rows. `true` or `false` only (else 400).", _V3_BOOL),
    Param("chunk_size", "query", "Rows per piece when chunked (default 10000; `0` splits nothing). An unsigned "
          "integer (else 400).", (("type", "string"), ("pattern", r"^\+?[0-9]{1,19}$"))),
    Param("pretty", "query", "`true`: JSON indented by 2 spaces. `true` or `false` only (else 400).", _V3_BOOL),
    Param("params", "query", "Bound parameters (`$name` in `q`): a JSON object of null, boolean, number or string "
          "values; what serde_json cannot read is 400 `error decoding query body: <serde_json's words>`."),
    _U, Param("Accept-Encoding", "header", "Ignored: no answer is compressed, as InfluxDB 3 compresses none."),
)


def _v3_query_op(method: str) -> Operation:
    """/query in the influxdb3 dialect (iox_v1_query_api handler.rs extract_request)."""
    how = {"GET": "Values in the URL.", "HEAD": "As GET, without the body.",
           "POST": "Values in the URL and the body: a form (URL-encoded or multipart, over the URL's values), "
                   "or with no Content-Type or `application/vnd.influxql` the query itself (when the URL has no "
                   "`q`); other body types: 400 `invalid mime type (...)`."}[method]
    params = _V3_QUERY_PARAMS if method != "POST" else tuple(
        Param(p.name, p.where, p.description, p.schema) for p in _V3_QUERY_PARAMS)  # q may be in the body
    return Operation(f"Run InfluxQL ({method})", f"InfluxDB 3's v1 query endpoint. {how} Each value at most once "
                     "(else 400 `duplicate field`). The format follows `Accept`, compared whole: absent, "
                     "`application/json` or `*/*` JSON, `application/csv` or `text/csv` CSV (sent as "
                     "`application/csv`), `application/x-msgpack` msgpack, anything else 400. Statement errors "
                     "are in the 200 answer; a failed request is `{\"error\": message}`, sent without a "
                     "Content-Type or X-Influxdb-Error header, as InfluxDB 3 sends it.", "query",
                     ((200, (JSON, V3_CSV, MSGPACK)),), *_QUERY_ERRORS, params=params,
                     body="query_v3" if method == "POST" else None, authed=True, query_errors=True, v3_query=True)


def _write_op(v2: bool) -> Operation:
    if v2:
        return Operation("Write line protocol (v2/v3)", "Lines that fail are reported (400) and the others are "
                         "written. An unknown database is created (cloud dialect).", "write",
                         ((204, ()),), (400, 404, 413, 415, 422, 500, 503), (400, 403, 404, 413, 415, 500),
                         _WRITE_V2_PARAMS, "lines", authed=True)
    return Operation("Write line protocol (1.x)", "Cloud dialect: 201 when some lines were written and others "
                     "rejected, 400 when none was. influxdb1: the database must exist (404).", "write",
                     ((204, ()), (201, (JSON,))), *_WRITE_ERRORS, _WRITE_V1_PARAMS, "lines", authed=True)


PARQUET, JSONL, PRETTY = "application/vnd.apache.parquet", "application/jsonl", "text/plain; charset=utf-8"
_V3_FORMAT = Param("format", "query", "The answer's encoding (default: from `Accept`, else json); `json_lines` is "
                   "`jsonl`.", _enum("json", "jsonl", "json_lines", "csv", "pretty", "parquet"))
_V3_PARAMS = Param("params", "query", "Bound parameters as a JSON object (`$name` in `q`).")


def _v3_op(dialect: str, method: str) -> Operation:
    """InfluxDB 3 Core's query endpoints (an addition to the Cloud Dedicated API)."""
    sql = dialect == "SQL"
    what = ("One SQL SELECT over the database's tables (`Store.sql`)." if sql else
            "One InfluxQL SELECT, SHOW or EXPLAIN, answered as one table with an `iox::measurement` column.")
    how = {"GET": "Values in the URL.", "POST": "Values in a JSON body.", "HEAD": "As GET, without the body."}[method]
    db = Param("db", "query", "Database (`db/rp` names a policy)." + ("" if sql else " May be named in `q`."),
               required=sql)
    q = Param("q", "query", f"The {dialect} query.", required=True)
    params = (db, q, _V3_FORMAT, _V3_PARAMS) if method != "POST" else ()
    return Operation(f"Run {dialect} ({method}, InfluxDB 3)", f"InfluxDB 3 Core's `/api/v3/query_{dialect.lower()}`. "
                     f"{what} {how} Errors are `{{\"error\": message}}`.", "query",
                     ((200, (JSON, JSONL, CSV, PRETTY, PARQUET)),), (400, 403, 404, 413, 415, 422, 500, 503),
                     (400, 403, 404, 413, 415, 422, 500, 503), params,
                     ("v3sql" if sql else "v3influxql") if method == "POST" else None, authed=True, v3_errors=True)


_PING = Operation("Is the server up?", "204, or 200 with the version when `verbose` is set.", "status",
                  ((204, ()), (200, (JSON,))),
                  params=(Param("verbose", "query", "Any value but `false`/`0`: a JSON body."),),
                  guarded=False)
_HEALTH = Operation("Health", "`pass`, or `warn` while flushes fail or batches sit set aside.", "status",
                    ((200, (JSON,)),), guarded=False)
_PREFLIGHT = Operation("CORS preflight", "Answered 204 (with CORS headers for allowed origins).", "status",
                       ((204, ()),))
_V2_QUERY = Operation("Flux (not served)", "Always 400: send InfluxQL to /query.", "query", (), (400,), (400,))
_OPENAPI = Operation("This document", "The OpenAPI 3.1 description of this server, as configured.", "meta",
                     ((200, (JSON,)),))
_CHECK = Operation("Check InfluxQL portability (this server's own)", "Not an InfluxDB endpoint: for each statement "
                   "of `q`, whether InfluxDB 1.x and InfluxDB 3 (Cloud Dedicated) run it, the error each would answer, "
                   "the InfluxDB 3 way to write it and how the answers differ (`tsdb check`). Reads no data; any "
                   "valid token may ask.", "check", ((200, (JSON,)),), (400, 413, 415), (400, 413, 415),
                   body="check", authed=True)
_PAGE = Operation("Data explorer", "The browser page (same origin; the token is typed into the page).", "explorer",
                  ((200, (HTML,)),))
_DOCS = Operation("API reference", "This document rendered as a page.", "explorer", ((200, (HTML,)),))
_ASSET = Operation("Explorer asset", "A script, style sheet or license of the page.", "explorer",
                   ((200, ("text/javascript", "text/css", TEXT)),), (404,), (404,),
                   (Param("asset", "path", "File name.", _enum(*ASSETS)),))


def _head(op: Operation) -> Operation:
    return Operation(op.summary + " (HEAD)", op.description, op.tag, tuple((s, ()) for s, _ in op.ok),
                     op.cloud_errors, op.v1_errors, op.params, None, op.authed, op.guarded, op.query_errors,
                     op.v3_errors, op.v3_query)


OPERATIONS: dict[tuple[str, str], Operation] = {
    ("/ping", "GET"): _PING, ("/ping", "HEAD"): _head(_PING),
    ("/health", "GET"): _HEALTH, ("/health", "HEAD"): _head(_HEALTH),
    ("/query", "GET"): _query_op("GET"), ("/query", "POST"): _query_op("POST"), ("/query", "HEAD"): _query_op("HEAD"),
    ("/query", "OPTIONS"): _PREFLIGHT, ("/write", "OPTIONS"): _PREFLIGHT,
    ("/write", "POST"): _write_op(False), ("/api/v2/write", "POST"): _write_op(True),
    ("/api/v2/query", "GET"): _V2_QUERY, ("/api/v2/query", "POST"): _V2_QUERY,
    ("/api/v2/query", "HEAD"): _head(_V2_QUERY),
    **{(f"/api/v3/query_{d.lower()}", m): _v3_op(d, m) for d in ("SQL", "InfluxQL") for m in ("GET", "POST", "HEAD")},
    ("/api/tsdb/check", "POST"): _CHECK,
    ("/openapi.json", "GET"): _OPENAPI, ("/openapi.json", "HEAD"): _head(_OPENAPI),
    ("/", "GET"): _PAGE, ("/", "HEAD"): _head(_PAGE), ("/docs", "GET"): _DOCS, ("/docs", "HEAD"): _head(_DOCS),
    ("/explorer/{asset}", "GET"): _ASSET, ("/explorer/{asset}", "HEAD"): _head(_ASSET),
}

# /query when it runs the influxdb3 dialect (the default, cloud-dedicated)
V3_QUERY_OPERATIONS: dict[tuple[str, str], Operation] = {
    ("/query", "GET"): _v3_query_op("GET"), ("/query", "POST"): _v3_query_op("POST"),
    ("/query", "HEAD"): _head(_v3_query_op("HEAD")),
}


# -- schemas --------------------------------------------------------------------------------

_SERIES = {"type": "object", "required": ["name", "columns"], "properties": {
    "name": {"type": "string"}, "tags": {"type": "object", "additionalProperties": {"type": "string"}},
    "columns": {"type": "array", "items": {"type": "string"}}, "values": {"type": "array", "items": {"type": "array"}},
    "partial": {"type": "boolean"}}}
_RESULT = {"type": "object", "properties": {
    "statement_id": {"type": "integer"}, "series": {"type": "array", "items": {"$ref": "#/components/schemas/Series"}},
    "messages": {"type": "array", "items": {"type": "object", "properties": {
        "level": {"type": "string"}, "text": {"type": "string"}}}},
    "error": {"type": "string"}, "partial": {"type": "boolean"}}}
_QUERY_ANSWER = {"type": "object", "properties": {"results": {
    "type": "array", "items": {"$ref": "#/components/schemas/StatementResult"}}}}
_HEALTH_BODY = {"type": "object", "required": ["name", "message", "status", "checks", "version"], "properties": {
    "name": {"type": "string"}, "message": {"type": "string"}, "status": {"enum": ["pass", "warn", "fail"]},
    "checks": {"type": "array", "items": {"type": "object"}}, "version": {"type": "string"}}}
_CLOUD_ERROR = {"type": "object", "required": ["code", "message"], "properties": {
    "code": {"type": "string", "enum": sorted(set(CODES.values()))}, "message": {"type": "string"},
    "line": {"type": "integer", "description": "The first rejected line (1-based), for writes."}}}
_V1_ERROR = {"type": "object", "required": ["error"], "properties": {"error": {"type": "string"}}}
_V3_ERROR = {"type": "object", "required": ["error"], "properties": {"error": {"type": "string"}},
             "description": "InfluxDB 3's error body: `{\"error\": message}`."}
_V3_ROWS = {"type": "array", "items": {"type": "object"}, "description": "One object per row; null values left out."}
_QUERY_ERROR = {"type": "object", "required": ["error"], "properties": {"error": {"type": "string"}},
                "description": "1.x's query error body (both dialects): `{\"error\": message}`."}

_RUNS = {"type": "object", "required": ["runs", "error"], "properties": {
    "runs": {"type": "boolean"}, "error": {"type": ["string", "null"], "description": "The product's error, in its words."}}}
_RUNS_V3 = {"type": "object", "required": ["runs", "error", "v3_way", "note"], "properties": {
    **_RUNS["properties"], "v3_way": {"type": ["string", "null"], "description": "How to get the answer from InfluxDB 3."},
    "note": {"type": ["string", "null"], "description": "How InfluxDB 3's answer differs, when both run it."}}}
_CHECK_ANSWER = {"type": "object", "required": ["verdicts"], "properties": {"verdicts": {"type": "array", "items": {
    "type": "object", "required": ["statement", "portable", "influxdb1", "influxdb3"], "properties": {
        "statement": {"type": "string"}, "portable": {"type": "boolean"}, "influxdb1": _RUNS, "influxdb3": _RUNS_V3}}}}}

_SCHEMAS = {"CheckAnswer": _CHECK_ANSWER, "Series": _SERIES, "StatementResult": _RESULT, "QueryAnswer": _QUERY_ANSWER, "Health": _HEALTH_BODY,
            "CloudError": _CLOUD_ERROR, "V3Error": _V3_ERROR, "V3Rows": _V3_ROWS, "V1Error": _V1_ERROR, "QueryError": _QUERY_ERROR,
            "Ping": {"type": "object", "required": ["version"], "properties": {"version": {"type": "string"}}}}

_SECURITY_SCHEMES = {
    "TokenAuthentication": {"type": "apiKey", "in": "header", "name": "Authorization",
                            "description": "`Authorization: Token TOKEN` (the word `Token` is case-sensitive)."},
    "BearerAuthentication": {"type": "http", "scheme": "bearer", "description": "`Authorization: Bearer TOKEN`."},
    "BasicAuthentication": {"type": "http", "scheme": "basic",
                            "description": "`Authorization: Basic base64(user:TOKEN)`; the user is ignored."},
    "QuerystringAuthentication": {"type": "apiKey", "in": "query", "name": "p",
                                  "description": "`?p=TOKEN` (and `u=`, ignored), as 1.x; avoid it: URLs get logged."},
}

_COMMON_HEADERS = {
    "X-Influxdb-Version": {"description": "The 1.x API level the server speaks.", "required": True,
                           "schema": {"type": "string"}},
    "X-Influxdb-Build": {"description": "`cloud-dedicated` or `OSS`.", "required": True, "schema": {"type": "string"}},
    "Request-Id": {"description": "The request's id (the client's `X-Request-Id`, or a new one).", "required": True,
                   "schema": {"type": "string"}},
    "X-Request-Id": {"description": "As Request-Id.", "required": True, "schema": {"type": "string"}},
}


def _ref(name: str) -> dict:
    return {"$ref": f"#/components/schemas/{name}"}


_OK_SCHEMAS = {JSON: None, CSV: {"type": "string"}, V3_CSV: {"type": "string"}, MSGPACK: {"type": "string", "contentMediaType": MSGPACK},
               HTML: {"type": "string"}, TEXT: {"type": "string"}, "text/javascript": {"type": "string"},
               "text/css": {"type": "string"}, PRETTY: {"type": "string"}, "application/jsonl": {"type": "string"},
               "application/vnd.apache.parquet": {"type": "string", "contentMediaType": "application/vnd.apache.parquet"}}
_OK_JSON = {"/ping": _ref("Ping"), "/health": _ref("Health"), "/query": _ref("QueryAnswer"),
            "/openapi.json": {"type": "object"}, "/write": _ref("CloudError"),
            "/api/v3/query_sql": _ref("V3Rows"), "/api/tsdb/check": _ref("CheckAnswer"), "/api/v3/query_influxql": _ref("V3Rows")}


_V3_NOTHING = {"type": "null", "description": "No body at all (read as null): `q` held no statement. InfluxDB 3 "
               "answers such a query 200 with an empty body, in every format."}
_V3_QUERY_ANSWER = {"anyOf": [_ref("QueryAnswer"), _V3_NOTHING]}


def _bodies(key: str) -> dict:
    if key in ("v3sql", "v3influxql"):
        props = {"db": {"type": "string"}, "q": {"type": "string"}, "format": dict(_V3_FORMAT.schema),
                 "params": {"type": "object"}}
        required = ["db", "q"] if key == "v3sql" else ["q"]
        return {"required": True, "description": "The query as a JSON object (InfluxDB 3's `QueryRequest`).",
                "content": {JSON: {"schema": {"type": "object", "required": required, "properties": props}}}}
    if key == "check":
        schema = {"type": "object", "required": ["q"], "properties": {
            "q": {"type": "string", "description": "InfluxQL statements, separated by `;`."}}}
        return {"required": True, "description": "`q` in a JSON object or a form (never in the URL).",
                "content": {JSON: {"schema": schema}, "application/x-www-form-urlencoded": {"schema": schema},
                            "multipart/form-data": {"schema": schema}}}
    if key == "lines":
        return {"required": False, "description": "Line protocol, one point a line (gzip with Content-Encoding).",
                "content": {"text/plain": {"schema": {"type": "string"}},
                            "application/octet-stream": {"schema": {"type": "string"}}}}
    if key == "query_v3":
        form = {"type": "object", "properties": {p.name: dict(p.schema) for p in _V3_QUERY_PARAMS if p.name != "u"}}
        return {"required": False, "description": "A form (its values over the URL's; a multipart part's `epoch` is "
                "JSON: `\"ms\"`), or the query itself.",
                "content": {"application/x-www-form-urlencoded": {"schema": form},
                            "multipart/form-data": {"schema": form},
                            "application/vnd.influxql": {"schema": {"type": "string"}}}}
    form = {"type": "object", "properties": {p.name: dict(p.schema) for p in _QUERY_PARAMS if p.where == "query"}}
    return {"required": False, "description": "The /query values as a form (they override the URL's).",
            "content": {"application/x-www-form-urlencoded": {"schema": form},
                        "multipart/form-data": {"schema": form}}}


def _headers(status: int, plain: bool = False) -> dict:
    """``plain``: an InfluxDB 3 /query error (no X-Influxdb-Error)."""
    headers = dict(_COMMON_HEADERS)
    if status // 100 != 2 and status != 401 and not plain:
        headers["X-Influxdb-Error"] = {"description": "The error message, on one line.", "schema": {"type": "string"}}
    if status in (429, 503):
        headers["Retry-After"] = {"description": "Seconds to wait before trying again.", "schema": {"type": "string"}}
    return headers


def _v3_query_error(op: Operation, status: int, no_auth: bool) -> bool:
    """An error InfluxDB 3's /query sends without a Content-Type (the 401/429 of auth, the guard's 403 aside)."""
    return op.v3_query and status not in (401, 429) and not (status == 403 and no_auth)


def _error_schema(op: Operation, status: int, dialect: Dialect, no_auth: bool = False) -> dict:
    if op.v3_errors and not (status == 403 and no_auth):  # (without auth a 403 is the Host/Origin guard's)
        return {JSON: {"schema": _ref("V3Error")}}
    if op.query_errors and status not in (401, 429) and not (status == 403 and dialect is Dialect.CLOUD):
        return {JSON: {"schema": _ref("QueryError")}, CSV: {"schema": {"type": "string"}},
                MSGPACK: {"schema": {"type": "string"}}}
    if status == 404 and dialect is Dialect.V1:  # a path no route takes: 1.x's text 404
        return {JSON: {"schema": _ref("V1Error")}, TEXT: {"schema": {"type": "string"}}}
    return {JSON: {"schema": _ref("CloudError" if dialect is Dialect.CLOUD else "V1Error")}}


def _responses(path: str, method: str, op: Operation, dialect: Dialect, no_auth: bool) -> dict:
    out: dict[str, dict] = {}
    for status, types in op.ok:
        content = {t: {"schema": _OK_SCHEMAS[t] or (_V3_QUERY_ANSWER if op.v3_query else _OK_JSON[path])}
                   for t in types if method != "HEAD"}
        out[str(status)] = {"description": "Success." if status != 201 else "Some lines were rejected.",
                            "headers": _headers(status), **({"content": content} if content else {})}
    errors = set(op.cloud_errors if dialect is Dialect.CLOUD else op.v1_errors)
    if op.authed and not no_auth:
        errors |= {401, 429}
    if op.guarded and no_auth:
        errors.add(403)
    for status in sorted(errors):
        plain = _v3_query_error(op, status, no_auth)
        entry = {"description": CODES.get(status, "error").capitalize() + "." + (
            " The body is `{\"error\": message}` (JSON), sent without a Content-Type header." if plain else ""),
            "headers": _headers(status, plain)}
        if method != "HEAD" and not plain:
            entry["content"] = _error_schema(op, status, dialect, no_auth)
        out[str(status)] = entry
    return out


def _operation(path: str, method: str, op: Operation, dialect: Dialect, no_auth: bool) -> dict:
    slug = "".join(c if c.isalnum() else "_" for c in path.replace("{", "").replace("}", "")).rstrip("_")
    out = {"operationId": f"{method.lower()}{slug or '_root'}",
           "summary": op.summary, "description": op.description, "tags": [op.tag],
           "parameters": [p.as_dict(dialect) for p in op.params],
           "responses": _responses(path, method, op, dialect, no_auth)}
    if op.body is not None:
        out["requestBody"] = _bodies(op.body)
    out["security"] = [{name: []} for name in _SECURITY_SCHEMES] if op.authed and not no_auth else []
    return out


def routes_of(routes) -> list[tuple[str, str]]:
    """The (path, method) pairs a route table serves, in its order."""
    seen: dict[tuple[str, str], None] = {}
    for route in routes:
        for method in sorted(getattr(route, "methods", None) or ()):
            seen.setdefault((route.path, method), None)
    return list(seen)


def document(routes, config) -> dict:
    """The OpenAPI 3.1 document of an app's ``routes`` under ``config`` (a ShimConfig)."""
    dialect = config.dialect
    import tsdb_core

    v3 = config.influxql_dialect is tsdb_core.Dialect.INFLUXDB3
    paths: dict[str, dict] = {}
    for path, method in routes_of(routes):
        op = (V3_QUERY_OPERATIONS.get((path, method)) if v3 else None) or OPERATIONS.get((path, method))
        if op is None:
            raise LookupError(f"route {method} {path} has no OpenAPI description (tsdb_http/openapi.py OPERATIONS)")
        paths.setdefault(path, {})[method.lower()] = _operation(path, method, op, dialect, config.no_auth)
    return {
        "openapi": "3.1.0",
        "info": {"title": "tsdb HTTP API", "version": config.version,
                 "description": f"InfluxDB's HTTP API as this server answers it (compat={config.compat}, "
                                f"auth={'off' if config.no_auth else 'on'})."},
        "servers": [{"url": "/"}],
        "paths": paths,
        "components": {"schemas": _SCHEMAS, "securitySchemes": _SECURITY_SCHEMES},
    }


async def endpoint(request) -> object:
    """GET /openapi.json: the document built when the app was made (``app.state.openapi``)."""
    from starlette.responses import Response

    state = request.app.state
    body = getattr(state, "openapi_json", None)
    if body is None:
        import orjson

        body = state.openapi_json = orjson.dumps(state.openapi)
    return Response(body, 200, media_type=JSON)
