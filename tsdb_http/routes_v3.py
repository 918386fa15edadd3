"""GET|POST /api/v3/query_sql and /api/v3/query_influxql: InfluxDB 3 Core's HTTP query API.

Read from InfluxDB 3 (``influxdb3_server/src/http.rs``: ``extract_query_request``,
``query_sql``, ``query_influxql_inner``): a GET carries ``db``, ``q``, ``format`` and
``params`` (a JSON object) in the URL, a POST the same names in a JSON body (``params``
an object); ``format`` (json, jsonl, csv, pretty, parquet) else the Accept header
picks the answer's encoding. SQL runs through ``Store.sql``; InfluxQL (one SELECT,
SHOW or EXPLAIN) through the /query machinery, answered as one table with an
``iox::measurement`` column, as InfluxDB 3 does. Errors are ``{"error": message}``.

Auth is the shim's (tokens, the failure limit); a token without read permission on
the database gets 403, as InfluxDB 3's authorizer answers, and an unknown database
is 404 only for a token that could read it.
"""
from __future__ import annotations

import logging
from dataclasses import dataclass

import orjson
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import Response

from tsdb_core import DatabaseNotFound, ParseError, PermissionDenied, TsdbError
from tsdb_core import Dialect as InfluxQL

from . import permissions, v3_params
from .encode_arrow import ALIASES, CONTENT_TYPES, FORMATS, encode
from .offload import Offload
from .params import Dialect, HttpError, read_body, url_values

log = logging.getLogger("tsdb_http")

INLINE_ROWS = 1_000  # answers this small are encoded on the event loop
UNAUTHENTICATED = "the request was not authenticated"  # http.rs AuthenticationError::Unauthenticated
FORBIDDEN = "unauthorized to perform requested action with the token"  # influxdb3_authz ResourceAuthorizationError
NO_DATABASE = "must specify a 'db' parameter, or provide the database in the InfluxQL query"
ONE_STATEMENT = "must provide only one InfluxQl statement per query"
_READS = ("SelectStatement", "ExplainStatement")


class V3Error(Exception):
    """An answer other than 200, written as ``{"error": message}``."""

    def __init__(self, status: int, message: str, headers: dict | None = None):
        super().__init__(message)
        self.status, self.message, self.headers = status, message, headers or {}


@dataclass(frozen=True, slots=True)
class QueryRequest:
    db: str | None
    q: str
    fmt: str
    params: dict | None


def _format_of_accept(accept: str | None) -> str:
    """``QueryFormat::try_from_headers``: the Accept header's format, json by default."""
    exact = {"application/vnd.apache.parquet": "parquet", "text/csv": "csv", "text/plain": "pretty",
             "application/json": "json", "*/*": "json"}
    if accept is None or accept in exact:
        return exact.get(accept, "json")
    if "text/html" in accept or "*/*" in accept:
        return "json"
    raise V3Error(400, f"invalid mime type ({accept})")


def _format(raw, accept: str | None, serde: str) -> str:
    if raw is None:
        return _format_of_accept(accept)
    fmt = ALIASES.get(raw, raw) if isinstance(raw, str) else None
    if fmt not in FORMATS:
        raise V3Error(400, f"{serde}: unknown variant `{raw}`, expected one of "
                           "`parquet`, `csv`, `pretty`, `json`, `json_lines`")
    return fmt


async def _values(request: Request, max_bytes: int) -> tuple[dict, str]:
    """The request's values (URL of a GET, JSON body of a POST) and the words of its decoding errors."""
    if request.method == "POST":
        try:
            body = await read_body(request, max_bytes)
        except HttpError as e:
            raise V3Error(e.status, e.message) from None
        try:
            values = orjson.loads(body)
        except orjson.JSONDecodeError as e:
            raise V3Error(400, f"serde json error: {e}") from None
        if not isinstance(values, dict):
            raise V3Error(400, "serde json error: invalid type: expected struct QueryRequest")
        return values, "serde json error"
    qs = request.scope["query_string"]
    if not qs and not v3_params.bare_query(request.scope):  # ``?q..`` absent; ``/api/v3/query_sql?`` has none
        raise V3Error(400, "missing query parameters 'db' and 'q'")
    values = dict(url_values(qs))
    if "params" in values:
        try:
            values["params"] = orjson.loads(values["params"])
        except orjson.JSONDecodeError as e:
            raise V3Error(400, f"serde json error: {e}") from None
    return values, "serde error"


def _query_request(values: dict, accept: str | None, serde: str, db_required: bool) -> QueryRequest:
    q, db, params = values.get("q"), values.get("db"), values.get("params")
    for name, value, required in (("db", db, db_required), ("q", q, True)):
        if value is None and required:
            raise V3Error(400, f"{serde}: missing field `{name}`")
        if value is not None and not isinstance(value, str):
            raise V3Error(400, f"{serde}: invalid type for `{name}`: expected a string")
    if params is not None and not isinstance(params, dict):
        raise V3Error(400, f"{serde}: invalid type for `params`: expected a map")
    return QueryRequest(db, q, _format(values.get("format"), accept, serde), params or None)


async def _request(request: Request, db_required: bool):
    """(QueryRequest, principal): credentials first (no body byte read before), then the values."""
    shim = request.app.state.shim
    try:
        principal = await shim.auth.authenticate(request.headers, url_values(request.scope["query_string"]),
                                                 request.client)
    except HttpError as e:
        raise V3Error(e.status, UNAUTHENTICATED if e.status == 401 else e.message, e.headers) from None
    values, serde = await _values(request, shim.config.max_body_bytes)
    return _query_request(values, request.headers.get("accept"), serde, db_required), principal


def _database(shim, name: str, principal) -> tuple[str, str]:
    """(database, policy) of ``name``; 403 without read permission (an unknown one stays hidden), 404."""
    try:
        db, rp = shim.store.resolve_database(name)
    except DatabaseNotFound:
        if not principal.can("read", name):
            raise V3Error(403, FORBIDDEN) from None
        raise V3Error(404, f"query error: database not found: {name}") from None
    if not principal.can("read", db):
        raise V3Error(403, FORBIDDEN)
    return db, rp


async def _answer(table, fmt: str) -> Response:
    if table.num_rows <= INLINE_ROWS:
        body = encode(table, fmt)
    else:
        body = await run_in_threadpool(encode, table, fmt)
    return Response(body, 200, headers={"Content-Type": CONTENT_TYPES[fmt]})  # (as InfluxDB 3: no charset added)


def _error(e: Exception) -> V3Error:
    """A core error (or a bug) as InfluxDB 3 words it: user errors 400, an unknown database 404."""
    if isinstance(e, V3Error):
        return e
    if isinstance(e, PermissionDenied):
        return V3Error(403, str(e))
    from .app import status_for

    status = status_for(e, Dialect.CLOUD)
    if not isinstance(e, TsdbError):
        log.exception("v3 query failed", exc_info=e)
        return V3Error(500, f"internal error: {type(e).__name__}")
    if status >= 500:
        log.error("v3 query failed: %s", e)
    return V3Error(status, str(e), {"Retry-After": "30"} if status == 503 else None)


def error_response(e: V3Error) -> Response:
    return Response(orjson.dumps({"error": e.message}), e.status, headers=e.headers, media_type="application/json")


# -- SQL ---------------------------------------------------------------------------------------

async def query_sql(request: Request) -> Response:
    shim = request.app.state.shim
    try:
        req, principal = await _request(request, db_required=True)
        _database(shim, req.db, principal)
        key = Offload.key("sql", req.db, req.q, orjson.dumps(req.params).decode() if req.params else "")
        table = await shim.offload.run(key, shim.store.sql, req.db, req.q, req.params)
        return await _answer(table, req.fmt)
    except Exception as e:  # noqa: BLE001 - every failure in InfluxDB 3's shape
        return error_response(_error(e))


# -- InfluxQL ----------------------------------------------------------------------------------

def _statement(shim, req: QueryRequest):
    """The one read statement of ``req.q`` (parsed by the core), or 400."""
    try:
        prepared = shim.store.prepare(req.q, req.params, dialect=InfluxQL.INFLUXDB3)
    except ParseError as e:  # worded by the influxdb3 dialect: "error in InfluxQL statement: parsing error: ..."
        raise V3Error(400, e.message) from None
    if len(prepared.statements) != 1:
        raise V3Error(400, ONE_STATEMENT)
    stmt = prepared.statements[0]
    name = type(stmt).__name__
    if not (name in _READS or name.startswith("Show")) or getattr(stmt, "into", None) is not None:
        raise V3Error(400, "error in InfluxQL statement: only SELECT, SHOW and EXPLAIN are served here, not "
                           f"{permissions.statement_words(stmt)}")
    return prepared, stmt


def _influxql_database(req: QueryRequest, stmt) -> str | None:
    """``db`` or the database the statement names (both: they must agree), as InfluxDB 3 resolves it."""
    named = {d for _, d in permissions.needs(stmt, None) if d and d != "*"}
    own = next(iter(named)) if len(named) == 1 else None
    if req.db and own and req.db.split("/")[0] != own:
        raise V3Error(400, f"provided a database in both the parameters ({req.db}) and query string ({own}) "
                           "that do not match, if providing a query that specifies the database, you can omit "
                           "the 'database' parameter from your request")
    return req.db or own


def _run_influxql(shim, req: QueryRequest, principal):
    """The statement's answer as InfluxDB 3's Arrow table (on a worker thread)."""
    from .flight import influxql_to_arrow

    prepared, stmt = _statement(shim, req)
    name = _influxql_database(req, stmt)
    db = rp = None
    if name is not None:
        db, rp = _database(shim, name, principal)
    elif type(stmt).__name__ != "ShowDatabasesStatement":
        raise V3Error(400, NO_DATABASE)
    for action, need_db in permissions.needs(stmt, db):
        if not principal.can(action, need_db):
            raise V3Error(403, FORBIDDEN)
    # InfluxDB 3 Core answers SHOW DATABASES here (Cloud Dedicated's /query does not)
    dialect = InfluxQL.INFLUXDB1 if type(stmt).__name__ == "ShowDatabasesStatement" else InfluxQL.INFLUXDB3
    result = shim.store.execute(prepared, db=db, rp=rp, epoch="ns", dialect=dialect)
    if result.error is not None:
        raise V3Error(400, f"error in InfluxQL statement: {result.error}")
    permissions.filter_show_databases(prepared.statements, result.statements, principal)
    st = result.statements[0]
    if st.error is not None:
        if st.error.startswith("internal error"):
            raise RuntimeError(st.error)
        raise V3Error(400, st.error)
    tags: set[str] = set()
    for measurement in {s.name for s in st.series if s.name} if db else ():
        schema = shim.store.schema(db, measurement)
        tags.update(schema.tags if schema else ())
    return influxql_to_arrow(st, tags)


async def query_influxql(request: Request) -> Response:
    shim = request.app.state.shim
    try:
        req, principal = await _request(request, db_required=False)
        key = Offload.key("influxql", req.db or "", req.q, orjson.dumps(req.params).decode() if req.params else "")
        table = await shim.offload.run(key, _run_influxql, shim, req, principal)
        return await _answer(table, req.fmt)
    except Exception as e:  # noqa: BLE001 - every failure in InfluxDB 3's shape
        return error_response(_error(e))


__all__ = ["query_sql", "query_influxql", "V3Error"]
