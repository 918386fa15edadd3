"""Flight SQL calls over the store: GetFlightInfo, DoGet of its tickets, GetSchema.

``CommandStatementQuery`` is planned at GetFlightInfo (its errors are raised there and the
answer's schema goes into the FlightInfo, which ADBC checks against the stream); nothing is run
yet. The returned ``TicketStatementQuery`` carries the statement (database, SQL, parameters) and
DoGet runs it, sending record batches as Polars' streaming engine produces them: a large answer
is never whole in memory, and a client that cancels or whose deadline passes stops the work
between batches. Metadata commands are answered by DoGet of a ticket holding the command itself.
"""
from __future__ import annotations

import json
import logging
import secrets
import threading
import time
from collections import OrderedDict
from contextlib import contextmanager

import polars as pl
import pyarrow as pa
import pyarrow.flight as flight

from tsdb_core import DatabaseNotFound, PermissionDenied, UserError

from . import FlightSql_pb2 as pb
from . import metadata, xdbc
from .errors import cancelled, denied, internal, invalid, not_found, unsupported
from .protocol import CLOSE_PREPARED, CREATE_PREPARED, pack, unpack

log = logging.getLogger("tsdb_http.flight")

# The call headers InfluxDB 3 reads the database from, in its order of preference
# (influxdb3_core, service_grpc_flight: "database" preferred, "iox-namespace-name" deprecated).
DATABASE_HEADERS = ("database", "bucket", "bucket-name", "iox-namespace-name")
PLAN_TTL_S = 60.0
MAX_PLANS = 64


class _DatabaseHeader(flight.ServerMiddleware):
    def __init__(self, found: list[tuple[str, str]]):
        self.found = found


class DatabaseHeaderFactory(flight.ServerMiddlewareFactory):
    """Keeps a call's database headers for the Flight SQL handlers."""

    def start_call(self, info, headers):
        lowered = {k.lower(): v for k, v in headers.items()}
        return _DatabaseHeader([(h, v) for h in DATABASE_HEADERS for v in lowered.get(h, ())])


def database_header(context) -> str:
    """The call's database, worded as InfluxDB 3 refuses a missing or ambiguous one."""
    mw = context.get_middleware("flightsql")
    found = mw.found if mw is not None else []
    names = sorted({h for h, _ in found})
    if len(names) > 1:
        raise invalid(f"More than one headers are found in request: {names}. Please include only one of them")
    if not found or not found[0][1]:
        raise invalid("no 'database' header in request")
    return found[0][1]


_KEYS = (pb.CommandGetPrimaryKeys, pb.CommandGetExportedKeys, pb.CommandGetImportedKeys, pb.CommandGetCrossReference)


class _Plans:
    """Statements planned at GetFlightInfo, kept for the DoGet of their ticket (a plan, no rows:
    small; bounded in count and age). A ticket whose plan is gone is planned again."""

    def __init__(self):
        self.items: OrderedDict[str, tuple[float, object]] = OrderedDict()
        self.lock = threading.Lock()

    def put(self, stream) -> str:
        key, now = secrets.token_hex(16), time.monotonic()
        with self.lock:
            self.items[key] = (now + PLAN_TTL_S, stream)
            while self.items and (len(self.items) > MAX_PLANS or next(iter(self.items.values()))[0] < now):
                self.items.popitem(last=False)
        return key

    def take(self, key: str):
        with self.lock:
            expires, stream = self.items.pop(key, (0.0, None))
        return stream if expires >= time.monotonic() else None


class Running:
    """The statements being streamed now, so that tests and shutdown can see and stop them."""

    def __init__(self):
        self.lock = threading.Lock()
        self.streams: dict[int, object] = {}

    @contextmanager
    def track(self, stream):
        with self.lock:
            self.streams[id(stream)] = stream
        try:
            yield
        finally:
            stream.close()
            with self.lock:
                self.streams.pop(id(stream), None)

    def __len__(self) -> int:
        with self.lock:
            return len(self.streams)

    def close_all(self) -> None:
        with self.lock:
            streams = list(self.streams.values())
        for stream in streams:
            stream.close()


class FlightSqlService:
    """The Flight SQL side of :class:`tsdb_http.flight.TsdbFlightServer`."""

    def __init__(self, store, *, chunk_rows: int, max_join_rows: int | None):
        self.store, self.chunk_rows, self.max_join_rows = store, chunk_rows, max_join_rows
        self.running = Running()
        self.plans = _Plans()

    # -- the Flight calls ------------------------------------------------------------
    def flight_info(self, context, descriptor, token, request_id: str) -> flight.FlightInfo:
        return _guarded(request_id, self._flight_info, context, descriptor, token)

    def schema(self, context, descriptor, token, request_id: str) -> flight.SchemaResult:
        info = _guarded(request_id, self._flight_info, context, descriptor, token, False)
        return flight.SchemaResult(info.schema)

    def do_get(self, context, raw: bytes, token, request_id: str):
        answer = _guarded(request_id, self._do_get, context, raw, token)
        if isinstance(answer, pa.Table):  # a metadata answer, small
            batches = answer.unify_dictionaries().combine_chunks().to_batches(max_chunksize=self.chunk_rows)
            return flight.RecordBatchStream(pa.RecordBatchReader.from_batches(answer.schema, batches))
        schema = _guarded(request_id, getattr, answer, "schema")  # the plan's, as GetFlightInfo said
        return flight.GeneratorStream(schema, self._send(answer, context, request_id))

    def _send(self, stream, context, request_id: str):
        """The statement's batches as they are computed; the work stops when the call ends."""
        batches = iter(stream)
        with self.running.track(stream):
            while (batch := _guarded(request_id, next, batches, None)) is not None:
                yield pa.Table.from_batches([batch])  # a table: GeneratorStream sends its dictionaries
            if stream.stopped:  # never a truncated answer with an OK status
                raise cancelled("query cancelled" if context.is_cancelled() else "query cancelled: the server is stopping")

    def do_action(self, context, action, token, request_id: str) -> list[bytes]:
        return _guarded(request_id, self._do_action, context, action, token)

    def do_put(self, context, descriptor, reader, writer, token, request_id: str) -> None:
        handle = _guarded(request_id, self._bind, descriptor, reader, token)
        writer.write(pa.py_buffer(pb.DoPutPreparedStatementResult(prepared_statement_handle=handle)
                                  .SerializeToString()))

    def _do_action(self, context, action, token) -> list[bytes]:
        kind = action.type
        if kind not in (CREATE_PREPARED, CLOSE_PREPARED):
            raise unsupported(f"Flight SQL action not supported: {kind}")
        cmd = unpack(action.body.to_pybytes())
        if kind == CLOSE_PREPARED:
            return []  # nothing is kept on the server
        if not isinstance(cmd, pb.ActionCreatePreparedStatementRequest):
            raise invalid(f"{kind} expects an ActionCreatePreparedStatementRequest")
        db = database_header(context)
        self._read_database(db, token)
        handle = _handle(db, cmd.query, None)
        return [pack(pb.ActionCreatePreparedStatementResult(prepared_statement_handle=handle))]

    def _bind(self, descriptor, reader, token) -> bytes:
        """The handle of a prepared statement with the parameters DoPut sent (one row)."""
        cmd = unpack(descriptor.command)
        if not isinstance(cmd, pb.CommandPreparedStatementQuery):
            raise unsupported("DoPut takes only the parameters of a prepared query (no updates or ingest)")
        db, sql, _ = _open(cmd.prepared_statement_handle)
        self._read_database(db, token)
        table = reader.read_all()
        if table.num_rows > 1:
            raise invalid("one set of parameters per prepared query execution")
        row = table.slice(0, 1).to_pylist()
        params = {}
        for i, name in enumerate(table.column_names):
            value = _plain(row[0][name]) if row else None
            params[str(i + 1)] = value
            if not name.isdigit():
                params[name] = value
        return _handle(db, sql, params)

    def _flight_info(self, context, descriptor, token, keep: bool = True) -> flight.FlightInfo:
        cmd = unpack(descriptor.command)
        if isinstance(cmd, (pb.CommandStatementQuery, pb.CommandPreparedStatementQuery)):
            if isinstance(cmd, pb.CommandStatementQuery):
                db, sql, params = database_header(context), cmd.query, None
            else:
                db, sql, params = _open(cmd.prepared_statement_handle)
            stream = self._stream(context, db, sql, token, params)  # planned and checked, not run
            key = self.plans.put(stream) if keep else ""
            schema, rows = stream.schema, -1
            ticket = pack(pb.TicketStatementQuery(statement_handle=_handle(db, sql, params, key)))
        elif isinstance(cmd, pb.TicketStatementQuery):
            raise invalid("TicketStatementQuery is a ticket: send it with DoGet")
        else:
            table, ticket = self._metadata(context, cmd, token), pack(cmd)
            schema, rows = table.schema, table.num_rows
        return flight.FlightInfo(schema, descriptor, [flight.FlightEndpoint(ticket, [])], rows, -1)

    def _do_get(self, context, raw: bytes, token):
        """A metadata answer (a table) or the statement's stream, planned, not yet run."""
        cmd = unpack(raw)
        if not isinstance(cmd, pb.TicketStatementQuery):
            if isinstance(cmd, pb.CommandStatementQuery):
                raise invalid("CommandStatementQuery goes to GetFlightInfo; DoGet takes the ticket it returns")
            return self._metadata(context, cmd, token)
        db, sql, params = _open(cmd.statement_handle)
        self._read_database(db, token)  # the ticket's bearer must be able to read it too
        stream = self.plans.take(_plan_key(cmd.statement_handle))
        if stream is None:
            return self._stream(context, db, sql, token, params)
        stream.cancelled = context.is_cancelled
        return stream

    # -- answers ---------------------------------------------------------------------
    def _read_database(self, name: str, token) -> tuple[str, str]:
        """(database, rp) of ``name`` if ``token`` may read it; NOT_FOUND only for those who may."""
        try:
            db, rp = self.store.resolve_database(name)
        except DatabaseNotFound:
            if token is not None and not token.can("read", name):
                raise denied(f"permission denied: no read permission on database {name}") from None
            raise not_found(f"Database '{name}' not found") from None
        if token is not None and not token.can("read", db):
            raise denied(f"permission denied: no read permission on database {db}")
        return db, rp

    def _stream(self, context, database: str, query: str, token, params: dict | None):
        self._read_database(database, token)
        return self.store.sql_stream(database, query, params or None, max_join_rows=self.max_join_rows,
                                     batch_rows=self.chunk_rows, cancelled=context.is_cancelled)

    def _sql(self, database: str, query: str, token, params: dict | None = None) -> pa.Table:
        self._read_database(database, token)
        return self.store.sql(database, query, params or None, max_join_rows=self.max_join_rows)

    def _metadata(self, context, cmd, token) -> pa.Table:
        if isinstance(cmd, pb.CommandGetSqlInfo):
            return metadata.sql_info_table(list(cmd.info))
        if isinstance(cmd, pb.CommandGetCatalogs):
            return metadata.catalogs()
        if isinstance(cmd, pb.CommandGetDbSchemas):
            return metadata.db_schemas(cmd)
        if isinstance(cmd, pb.CommandGetTableTypes):
            return metadata.table_types()
        if isinstance(cmd, pb.CommandGetXdbcTypeInfo):
            return xdbc.type_info(cmd)
        if isinstance(cmd, _KEYS):
            return metadata.keys(cmd)
        name = database_header(context)
        listed = self._sql(name, "SELECT table_schema, table_name, table_type FROM information_schema.tables",
                           token).to_pylist()
        listed = [r for r in listed if r["table_schema"] == "iox" or self._readable(name, r)]
        return metadata.tables(cmd, listed, lambda schema, table: self._table_schema(name, schema, table))

    def _readable(self, database: str, row: dict) -> bool:
        """Whether SQL here reads this catalog table (it lists some it does not serve, as InfluxDB 3 does)."""
        try:
            self._table_schema(database, row["table_schema"], row["table_name"])
        except PermissionDenied:
            return False
        return True

    def _table_schema(self, database: str, schema: str, table: str) -> pa.Schema:
        quoted = ".".join('"' + part.replace('"', '""') + '"' for part in (schema, table))
        return self.store.sql(database, f"SELECT * FROM {quoted} LIMIT 0", None,
                              max_join_rows=self.max_join_rows).schema


def _handle(database: str, sql: str, params: dict | None, plan: str = "") -> bytes:
    doc = {"database": database, "sql": sql, "params": params}
    return json.dumps({**doc, "plan": plan} if plan else doc).encode()


def _plan_key(handle: bytes) -> str:
    return str(json.loads(handle).get("plan") or "")


def _open(handle: bytes) -> tuple[str, str, dict | None]:
    """(database, sql, params) of a statement or prepared statement handle."""
    try:
        doc = json.loads(handle)
        params = doc.get("params")
        if params is not None and not isinstance(params, dict):
            raise TypeError
        return str(doc["database"]), str(doc["sql"]), params
    except (ValueError, KeyError, TypeError, AttributeError):
        raise invalid("invalid statement handle") from None


def _plain(value):
    """A parameter value the SQL literal writer and JSON both take (times as ISO 8601 text)."""
    if hasattr(value, "isoformat"):
        return value.isoformat()
    if isinstance(value, (bytes, bytearray)):
        raise invalid("binary parameters are not supported")
    return value


_OURS = (flight.FlightError, pa.ArrowInvalid, pa.ArrowKeyError, NotImplementedError)


def _guarded(request_id: str, fn, *args):
    """``fn(*args)`` with the store's errors as statuses; bugs logged under the request id."""
    try:
        return fn(*args)
    except _OURS:
        raise
    except PermissionDenied as e:
        raise denied(str(e)) from None
    except DatabaseNotFound as e:
        raise not_found(f"Database '{e.name}' not found") from None
    except UserError as e:
        raise invalid(str(e)) from None
    except (Exception, pl.exceptions.PanicException):  # a bug: its details stay in the log
        log.exception("flight sql: internal error (request id %s)", request_id)
        raise internal(request_id) from None
