"""Flight SQL messages packed in ``google.protobuf.Any`` (generated bindings in FlightSql_pb2)."""
from __future__ import annotations

from google.protobuf import any_pb2
from google.protobuf.message import DecodeError, Message

from . import FlightSql_pb2 as pb
from .errors import invalid, unsupported

TYPE_PREFIX = "type.googleapis.com/arrow.flight.protocol.sql."

# The messages a client may send us; the others (updates, ingest, Substrait, transactions) are refused.
SUPPORTED = frozenset({
    "CommandStatementQuery", "TicketStatementQuery", "CommandGetSqlInfo", "CommandGetCatalogs",
    "CommandGetDbSchemas", "CommandGetTables", "CommandGetTableTypes", "CommandPreparedStatementQuery",
    "ActionCreatePreparedStatementRequest", "ActionClosePreparedStatementRequest", "CommandGetXdbcTypeInfo",
    "CommandGetPrimaryKeys", "CommandGetExportedKeys", "CommandGetImportedKeys", "CommandGetCrossReference",
})
# DoAction types of the prepared statements (the other Flight SQL actions are refused as UNIMPLEMENTED).
CREATE_PREPARED = "CreatePreparedStatement"
CLOSE_PREPARED = "ClosePreparedStatement"
ACTIONS = frozenset({
    CREATE_PREPARED, CLOSE_PREPARED, "CreatePreparedSubstraitPlan", "BeginTransaction", "BeginSavepoint",
    "EndTransaction", "EndSavepoint", "CancelQuery", "CancelFlightInfo", "RenewFlightEndpoint",
})


def pack(message: Message) -> bytes:
    """``message`` as the serialized Any that Flight SQL puts in commands and tickets."""
    wrapped = any_pb2.Any()
    wrapped.Pack(message)
    return wrapped.SerializeToString()


def _any(raw: bytes) -> any_pb2.Any | None:
    wrapped = any_pb2.Any()
    try:
        wrapped.ParseFromString(raw)
    except DecodeError:
        return None
    return wrapped if wrapped.type_url.startswith(TYPE_PREFIX) else None


def is_flight_sql(raw: bytes) -> bool:
    """Whether a ticket or command is Flight SQL's (InfluxDB 3's own ticket is JSON text)."""
    return not raw.lstrip().startswith(b"{") and _any(raw) is not None


def unpack(raw: bytes) -> Message:
    """The Flight SQL command in ``raw``; INVALID_ARGUMENT or UNIMPLEMENTED otherwise."""
    wrapped = _any(raw)
    if wrapped is None:
        raise invalid("invalid Flight SQL command: expected a packed arrow.flight.protocol.sql message")
    name = wrapped.type_url[len(TYPE_PREFIX):]
    cls = getattr(pb, name, None)
    if cls is None or name not in SUPPORTED:
        raise unsupported(f"Flight SQL message not supported: {name}")
    message = cls()
    if not wrapped.Unpack(message):
        raise invalid(f"invalid Flight SQL message: {name}")
    return message
