"""Arrow Flight query service: SQL and InfluxQL for InfluxDB 3 clients, over the same store.

InfluxDB 3's clients (``influxdb3-python`` and the other official ones) call
``DoGet`` with a JSON ticket ``{"database", "sql_query", "query_type": "sql"|"influxql",
"params"?}`` and an ``authorization: Bearer TOKEN`` header. Every call is
authenticated by a server middleware against the shim's :class:`TokenStore` and
needs ``read`` on the database, as over HTTP. Answers stream as record batches
of at most ``chunk_rows`` rows.

- SQL runs through :mod:`tsdb_core.query.sql.execute` (InfluxDB 3's table view, Arrow
  types: ``time`` timestamp[ns], tags dictionary<int32, utf8>, typed fields).
- InfluxQL runs through the same engine as ``/query`` and is reshaped as
  InfluxDB 3 answers it: ``iox::measurement``, then ``time``, then the series'
  tags, then the other columns.

Errors are gRPC statuses with a message only: UNAUTHENTICATED, PERMISSION_DENIED
(a token or a SQL allow-list refusal), DEADLINE_EXCEEDED (``query_timeout_s``),
UNKNOWN for the other user errors (bad SQL, unknown database, limits), INTERNAL
with a request id for bugs, whose traceback goes to the log under that id. Every
answer carries a ``request-id`` header. (pyarrow's Python server can send
INVALID_ARGUMENT or NOT_FOUND only from a Python exception, and then appends its
traceback and source paths to the message: those codes are not used.)

Arrow Flight SQL (:mod:`tsdb_http.flight_sql`: ADBC, JDBC, Grafana) is served on the same
port: GetFlightInfo/GetSchema of Flight SQL command descriptors, DoGet of their tickets,
DoAction/DoPut for prepared statements; the database comes from the ``database`` call header
(or ``bucket``, ``bucket-name``, ``iox-namespace-name``), and Flight SQL errors use the codes
INVALID_ARGUMENT and NOT_FOUND too. SQL answers (both kinds of ticket) are computed while they
are sent (:meth:`tsdb_core.Store.sql_stream`); a call that ends early (the client cancelled, its
deadline passed, the server stops) stops the query. Everything below is about InfluxDB 3's own
ticket.

``pyarrow.flight`` is needed only here: ``tsdb_core`` never imports this module.

    from tsdb_http.flight import start_flight
    service = start_flight(store, tokens, host="127.0.0.1", port=8181)
    ...
    service.stop()
"""
from __future__ import annotations

import json
import logging
import threading
from dataclasses import dataclass, field

import polars as pl
import pyarrow as pa
import pyarrow.flight as flight

import tsdb_core
from tsdb_core import DatabaseNotFound, ParseError, PermissionDenied, UserError, influxdb3_arrow
from tsdb_http.tokens import TokenInfo, TokenStore

from . import permissions
from .auth import Authenticator, TooManyFailures, Unauthorized
from .flight_sql import FLIGHT_SQL_ACTIONS, DatabaseHeaderFactory, FlightSqlService, is_flight_sql
from .request_id import RequestIds

log = logging.getLogger("tsdb_http.flight")

__all__ = ["FlightService", "TsdbFlightServer", "start_flight", "influxql_to_arrow"]

CHUNK_ROWS = 65_536
MEASUREMENT_COLUMN = "iox::measurement"
_IOX_STRING = pa.dictionary(pa.int32(), pa.string())
_READ_ONLY = ("SelectStatement", "ExplainStatement")
_TIMEOUT = "query-timeout limit exceeded"


# -- authentication: one middleware checks every call -------------------------------

class _Auth(flight.ServerMiddleware):
    """One call's bearer token, verified when a handler first asks (it knows the peer)."""

    def __init__(self, auth: Authenticator | None, token: str | None, request_id: str):
        self.auth, self.raw, self.request_id = auth, token, request_id  # auth None: auth disabled
        self.info: TokenInfo | None = None

    def sending_headers(self):
        return {"request-id": self.request_id}

    def verify(self, peer: str) -> TokenInfo | None:
        if self.auth is None or self.info is not None:
            return self.info
        try:
            self.info = self.auth.verify_blocking(self.raw, _peer_host(peer))
        except Unauthorized:
            raise flight.FlightUnauthenticatedError("unauthenticated: authorization failed") from None
        except TooManyFailures as e:
            raise flight.FlightUnavailableError(e.message) from None
        except Exception:  # noqa: BLE001 - the client gets a status, the log the traceback
            log.exception("flight: token check failed (request id %s)", self.request_id)
            raise flight.FlightInternalError(f"internal error (request id {self.request_id})") from None
        return self.info


def _peer_host(peer: str) -> str:
    """The address of a gRPC peer (``ipv4:127.0.0.1:5000``, ``ipv6:[::1]:5000``) without its port."""
    address = peer.partition(":")[2] or peer
    return address.rsplit(":", 1)[0].strip("[]")


@dataclass
class _Ids:
    """Request ids for calls served on many gRPC threads."""

    ids: RequestIds = field(default_factory=RequestIds)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def next(self) -> str:
        with self.lock:
            return self.ids.next_str()


class _AuthFactory(flight.ServerMiddlewareFactory):
    """``authorization: Bearer TOKEN`` (or ``Token TOKEN``) required on every call.

    The token is verified by the shim's :class:`Authenticator` (cache, per-client failure
    limit, one cost for every wrong token) when the handler first needs it: only the
    handler sees the caller's address.
    """

    def __init__(self, tokens: TokenStore | None, enabled: bool):
        self.auth = Authenticator(tokens) if enabled and tokens is not None else None
        self.ids = _Ids()

    def start_call(self, info, headers):
        rid = self.ids.next()
        if self.auth is None:
            return _Auth(None, None, rid)
        values = headers.get("authorization") or headers.get("Authorization") or []
        scheme, _, token = (values[0] if values else "").strip().partition(" ")
        token = token.strip()
        if scheme not in ("Bearer", "Token") or not token:
            raise flight.FlightUnauthenticatedError("unauthenticated: missing bearer token")
        return _Auth(self.auth, token, rid)


def _token(context) -> TokenInfo | None:
    mw = context.get_middleware("auth")
    return mw.verify(context.peer()) if mw is not None else None


def _request_id(context) -> str:
    mw = context.get_middleware("auth")
    return mw.request_id if mw is not None else "-"


def _require_read(token: TokenInfo | None, db: str) -> None:
    if token is not None and not token.can("read", db):
        raise flight.FlightUnauthorizedError(f"permission denied: no read permission on database {db}")


# -- the ticket ----------------------------------------------------------------------

@dataclass(frozen=True, slots=True)
class Ticket:
    """What an InfluxDB 3 client asks for."""

    database: str
    query: str
    query_type: str  # "sql" | "influxql"
    params: dict | None = None

    @classmethod
    def parse(cls, raw: bytes) -> "Ticket":
        try:
            doc = json.loads(raw)
        except (ValueError, UnicodeDecodeError):
            raise _invalid("invalid ticket: expected JSON with database, sql_query and query_type") from None
        if not isinstance(doc, dict):
            raise _invalid("invalid ticket: expected a JSON object")
        db, q = doc.get("database"), doc.get("sql_query")
        qt = (doc.get("query_type") or "sql")
        params = doc.get("params")
        if not isinstance(db, str) or not db:
            raise _invalid("invalid ticket: database is required")
        if not isinstance(q, str) or not q.strip():
            raise _invalid("invalid ticket: sql_query is required")
        if not isinstance(qt, str) or qt.lower() not in ("sql", "influxql"):
            raise _invalid(f"invalid ticket: query_type must be sql or influxql, not {qt!r}")
        if params is not None and not isinstance(params, dict):
            raise _invalid("invalid ticket: params must be a JSON object")
        return cls(db, q, qt.lower(), params or None)


# -- the server --------------------------------------------------------------------------

def _bare(call, *args):
    """``call(*args)``, its error raised again without the frames below: pyarrow appends the
    traceback of an INVALID_ARGUMENT or NOT_FOUND error to the message the client reads."""
    try:
        return call(*args)
    except Exception as e:
        raise e.with_traceback(None) from None


class TsdbFlightServer(flight.FlightServerBase):
    """``DoGet`` of InfluxDB 3 tickets, and Flight SQL (GetFlightInfo, DoGet, GetSchema) beside it."""

    def __init__(self, store, tokens: TokenStore | None, location: str, *, no_auth: bool = False,
                 chunk_rows: int = CHUNK_ROWS, max_join_rows: int | None = None):
        super().__init__(location, middleware={"auth": _AuthFactory(tokens, not no_auth),
                                               "flightsql": DatabaseHeaderFactory()})
        self.store, self.chunk_rows = store, chunk_rows
        self.max_join_rows = max_join_rows
        self.flight_sql = FlightSqlService(store, chunk_rows=chunk_rows, max_join_rows=max_join_rows)

    def do_get(self, context, ticket):
        if is_flight_sql(ticket.ticket):
            return _bare(self.flight_sql.do_get, context, ticket.ticket, _token(context), _request_id(context))
        t = Ticket.parse(ticket.ticket)
        token = _token(context)
        answer = self._status(context, t, self._answer, t, token, context)
        if isinstance(answer, pa.Table):  # InfluxQL: the whole answer, reshaped
            return flight.RecordBatchStream(pa.RecordBatchReader.from_batches(answer.schema,
                                                                               _chunks(answer, self.chunk_rows)))
        batches = iter(answer)
        first = self._status(context, t, next, batches, None)  # its errors before the stream starts
        schema = self._status(context, t, getattr, answer, "schema")
        return flight.GeneratorStream(schema, self._send(context, t, answer, batches, first))

    def _send(self, context, t: "Ticket", stream, batches, batch):
        """A SQL answer's batches as they are computed (tables: GeneratorStream sends their dictionaries)."""
        with self.flight_sql.running.track(stream):
            while batch is not None:
                yield pa.Table.from_batches([batch])
                batch = self._status(context, t, next, batches, None)
            if stream.stopped:  # never a truncated answer with an OK status
                raise flight.FlightCancelledError("query cancelled")

    def _status(self, context, t: "Ticket", fn, *args):
        """``fn(*args)`` with errors as the statuses InfluxDB 3's clients get; bugs logged, not sent."""
        try:
            return fn(*args)
        except flight.FlightError:
            raise
        except UserError as e:
            raise _user_error(e) from None
        except (Exception, pl.exceptions.PanicException):  # a bug: its details stay in the log
            rid = _request_id(context)
            log.exception("flight: internal error (request id %s) for %s query on %s", rid, t.query_type, t.database)
            raise flight.FlightInternalError(f"internal error (request id {rid})") from None

    def _answer(self, t: "Ticket", token: TokenInfo | None, context):
        try:
            db, rp = self._database(t.database)
        except DatabaseNotFound:
            _require_read(token, t.database)  # an unknown database stays hidden from tokens that cannot read it
            raise
        _require_read(token, db)
        if t.query_type == "sql":
            return self.store.sql_stream(t.database, t.query, t.params, max_join_rows=self.max_join_rows,
                                         batch_rows=self.chunk_rows, cancelled=context.is_cancelled)
        return self._influxql(t, db, rp, token)

    # The rest of Flight: clean statuses (pyarrow's defaults send a traceback with UNIMPLEMENTED).
    def list_flights(self, context, criteria):
        _token(context)  # a wrong token is refused here too
        return iter(())

    def list_actions(self, context):
        _token(context)  # a wrong token is refused here too
        return []

    def get_flight_info(self, context, descriptor):
        token = _token(context)  # a wrong token is refused here too
        if _is_flight_sql(descriptor):  # Flight SQL
            return _bare(self.flight_sql.flight_info, context, descriptor, token, _request_id(context))
        raise _unsupported("GetFlightInfo")

    def get_schema(self, context, descriptor):
        token = _token(context)  # a wrong token is refused here too
        if _is_flight_sql(descriptor):  # Flight SQL
            return _bare(self.flight_sql.schema, context, descriptor, token, _request_id(context))
        return flight.SchemaResult(pa.schema([]))  # pyarrow sends any error here with a traceback

    def do_put(self, context, descriptor, reader, writer):
        token = _token(context)  # a wrong token is refused here too
        if _is_flight_sql(descriptor):  # Flight SQL: prepared query parameters
            return _bare(self.flight_sql.do_put, context, descriptor, reader, writer, token, _request_id(context))
        raise _unsupported("DoPut")

    def do_exchange(self, context, descriptor, reader, writer):
        _token(context)  # a wrong token is refused here too
        raise _unsupported("DoExchange")

    def do_action(self, context, action):
        token = _token(context)  # a wrong token is refused here too
        if action.type in FLIGHT_SQL_ACTIONS:
            return _bare(self.flight_sql.do_action, context, action, token, _request_id(context))
        raise _unsupported("DoAction")

    def _database(self, name: str) -> tuple[str, str]:
        return self.store.resolve_database(name)

    def _influxql(self, t: Ticket, db: str, rp: str, token: TokenInfo | None) -> pa.Table:
        prepared = self._prepare(t.query, t.params)
        stmts = prepared.statements
        if len(stmts) != 1:
            raise _invalid("InfluxQL over Flight takes exactly one statement")
        name = type(stmts[0]).__name__
        if not (name in _READ_ONLY or name.startswith("Show")) or getattr(stmts[0], "into", None) is not None:
            raise _invalid(f"statement not supported over Flight (read-only: SELECT, SHOW, EXPLAIN): {name}")
        if token is not None:
            for action, need_db in permissions.needs(stmts[0], db):
                if not token.can(action, need_db):
                    raise flight.FlightUnauthorizedError(
                        f"permission denied: no {action} permission on database {need_db}")
        result = self.store.execute(prepared, db=db, rp=rp, epoch="ns", dialect=INFLUXQL)
        if result.error is not None:
            raise _invalid(result.error)
        if token is not None:
            permissions.filter_show_databases(stmts, result.statements, token)
        st = result.statements[0]
        if st.error is not None:
            if st.error.startswith("internal error"):
                raise RuntimeError(st.error)  # logged with the request id; not sent
            raise _invalid(st.error)
        tags = set()
        for name in {s.name for s in st.series}:
            schema = self.store.schema(db, name) if name else None
            tags.update(schema.tags if schema else ())
        return influxql_to_arrow(st, tags)

    def _prepare(self, q: str, params):
        try:
            return self.store.prepare(q, params, dialect=INFLUXQL)
        except ParseError as e:
            raise _invalid(str(e)) from None  # InfluxDB 3's words: "error in InfluxQL statement: ..."


INFLUXQL = tsdb_core.Dialect.INFLUXDB3  # query_type "influxql" is InfluxDB 3's InfluxQL, whatever --compat says


def _is_flight_sql(descriptor) -> bool:
    return descriptor.descriptor_type == flight.DescriptorType.CMD and is_flight_sql(descriptor.command)


def _invalid(message: str) -> Exception:
    """A user error for the client, its message alone (gRPC status UNKNOWN).

    InfluxDB 3 answers INVALID_ARGUMENT; a Python ``ArrowInvalid`` would carry that
    code, but pyarrow appends the server's traceback to its text, so we prefer the
    clean message. A timeout is DEADLINE_EXCEEDED.
    """
    if _TIMEOUT in message:
        return flight.FlightTimedOutError(message)
    return flight.FlightServerError(message)


def _unsupported(method: str) -> Exception:
    return flight.FlightServerError(f"{method} is not supported: query with DoGet and an InfluxDB 3 ticket")


def _user_error(e: UserError) -> Exception:
    if isinstance(e, PermissionDenied):
        return flight.FlightUnauthorizedError(str(e))
    return _invalid(str(e))


def _chunks(table: pa.Table, rows: int):
    table = table.unify_dictionaries().combine_chunks()
    if table.num_rows == 0:
        return
    yield from table.to_batches(max_chunksize=rows)


# -- InfluxQL answers in InfluxDB 3's Arrow shape -------------------------------------------

def influxql_to_arrow(statement, tag_columns=frozenset()) -> pa.Table:
    """One statement's series as one table: iox::measurement, time, tags, the other columns.

    Series tags and the columns named in ``tag_columns`` (the measurements' tag keys,
    e.g. in a raw ``SELECT *``) are dictionary-encoded, as InfluxDB 3 sends tags.
    """
    tag_keys = sorted({k for s in statement.series for k in (s.tags or {})} - {"time", MEASUREMENT_COLUMN})
    groups: dict[tuple, list] = {}  # series of one column layout become one frame, built row-wise once
    for s in statement.series:
        groups.setdefault(tuple(s.columns), []).append(s)
    frames = []
    for columns, series in groups.items():
        cols = _dedupe(list(columns))
        extra = [k for k in tag_keys if k not in cols]
        names = [MEASUREMENT_COLUMN, *extra, *cols]
        rows = []
        for s in series:
            tags = s.tags or {}
            lead = (s.name or "", *(tags.get(k) for k in extra))
            rows.extend((*lead, *v) for v in s.values)
        if rows:
            frames.append(pl.DataFrame(rows, schema=names, orient="row", infer_schema_length=None, strict=False))
        else:
            frames.append(pl.DataFrame(schema={c: (pl.String if c in (MEASUREMENT_COLUMN, *extra) else pl.Null)
                                               for c in names}))
    if not frames:
        return pa.table({MEASUREMENT_COLUMN: pa.array([], _IOX_STRING)})
    df = pl.concat(frames, how="diagonal_relaxed") if len(frames) > 1 else frames[0]
    lead = [MEASUREMENT_COLUMN] + (["time"] if "time" in df.columns else []) + tag_keys
    df = df.select(lead + [c for c in df.columns if c not in lead])
    if "time" in df.columns and df.schema["time"].is_integer():
        df = df.with_columns(pl.col("time").cast(pl.Datetime("ns")))
    dict_cols = [MEASUREMENT_COLUMN, *tag_keys,
                 *(c for c in df.columns if c in tag_columns and c not in tag_keys and df.schema[c] == pl.String)]
    df = df.with_columns(pl.col(dict_cols).cast(pl.Categorical()))
    table = influxdb3_arrow(df)
    fields = [f.with_nullable(False) if f.name == MEASUREMENT_COLUMN else f for f in table.schema]
    return table.cast(pa.schema(fields))


def _dedupe(cols: list[str]) -> list[str]:
    seen: dict[str, int] = {}
    out = []
    for c in cols:
        n = seen.get(c, 0)
        seen[c] = n + 1
        out.append(c if n == 0 else f"{c}_{n}")
    return out


# -- running it ------------------------------------------------------------------------------

@dataclass
class FlightService:
    """A running Flight server (its gRPC threads serve until :meth:`stop`)."""

    server: TsdbFlightServer
    host: str
    port: int

    @property
    def location(self) -> str:
        host = f"[{self.host}]" if ":" in self.host else self.host
        return f"grpc+tcp://{host}:{self.port}"

    def stop(self) -> None:
        self.server.flight_sql.running.close_all()  # streaming answers end at their next batch
        self.server.shutdown()


def start_flight(store, tokens: TokenStore | None, host: str = "127.0.0.1", port: int = 0, *,
                 no_auth: bool = False, chunk_rows: int = CHUNK_ROWS,
                 quiet: bool = False, max_join_rows: int | None = None) -> FlightService:
    """Listen on ``host:port`` (loopback by default; port 0 picks a free one) and serve at once."""
    bind = f"[{host}]" if ":" in host else host
    server = TsdbFlightServer(store, tokens, f"grpc+tcp://{bind}:{port}", no_auth=no_auth,
                              chunk_rows=chunk_rows, max_join_rows=max_join_rows)
    # pyarrow serves from its own threads once constructed; serve() only blocks, so run it aside.
    threading.Thread(target=server.serve, daemon=True, name="tsdb-flight").start()
    service = FlightService(server, host, server.port)
    if not quiet:
        import sys
        print(f"tsdb: serving Arrow Flight {service.location} (auth={'off' if no_auth else 'on'})",
              file=sys.stderr, flush=True)
    return service
