"""One exception hierarchy for the whole store.

User errors (bad input: 4xx in the shim) derive from :class:`UserError`;
bugs and environment failures (5xx) from :class:`InternalError`. Every error
carries exact, testable wording; parse errors carry positions.
"""
from __future__ import annotations


class TsdbError(Exception):
    """Root of every error raised by tsdb_core."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message

    def __str__(self) -> str:  # keep the exact wording, nothing added
        return self.message


class UserError(TsdbError):
    """The caller's input is wrong; retrying the same input fails the same way."""


class ParseError(UserError):
    """InfluxQL text that does not parse. ``line``/``column`` are 1-based."""

    def __init__(self, message: str, line: int = 1, column: int = 1, pos: int = 0):
        super().__init__(message)
        self.line = line
        self.column = column
        self.pos = pos


class LineProtocolError(UserError):
    """A whole line-protocol body was refused (every line bad, or the body itself)."""

    def __init__(self, message: str, errors: list | None = None):
        super().__init__(message)
        self.errors = errors or []


class QueryError(UserError):
    """A statement parsed but cannot be executed (InfluxDB's wording)."""


class Panicked(QueryError):
    """influxd 1.6.7 panicked on the statement and recovered: its answer is a result of
    statement_id -1 whose error is the query text and the panic (query/executor.go recover),
    and no further statement runs."""

    statement_id = -1


class RowError(QueryError):
    """A value met while executing fails the statement (InfluxDB 3's arrow errors). Raised
    inside a Polars function; Polars re-raises it as ``type(e)(message + context)``, so the
    context it appends is cut off to keep the exact words."""
    def __init__(self, message: str):
        super().__init__(message.split("\n\nThis error occurred in the following expression")[0])


class UnsupportedType(QueryError):
    """A function cannot read values of a type (influxd's "unsupported ... iterator type")."""


class DatabaseNotFound(UserError):
    """The named database does not exist (InfluxDB's `database not found: NAME`)."""
    def __init__(self, name: str):
        super().__init__(f"database not found: {name}")
        self.name = name


class RetentionPolicyNotFound(UserError):
    """The named retention policy does not exist in its database."""
    def __init__(self, name: str, database: str | None = None):
        super().__init__(f"retention policy not found: {name}")
        self.name = name
        self.database = database


class FieldTypeConflict(UserError):
    """A field written with another type than the one the measurement fixed."""


class PointsBeyondRetention(UserError):
    """Points older than the retention policy allows."""


class LimitExceeded(UserError):
    """A configured limit (max-select-point, body size, ...) was passed."""


class PermissionDenied(UserError):
    """The credential is missing, unknown, or lacks the permission asked for."""


class ReadOnlyStore(UserError):
    """A write, DDL, flush or other change asked of a store opened with ``read_only=True``."""

    def __init__(self, what: str = "this"):
        super().__init__(f"the store is open read-only: {what} is refused (only the writer changes it)")


class InternalError(TsdbError):
    """A bug or an environment failure (disk full, I/O error); 5xx in the shim."""

    def __init__(self, message: str):
        if not message.startswith("internal error:"):
            message = f"internal error: {message}"
        super().__init__(message)


class StorageError(InternalError):
    """The disk refused (ENOSPC, EIO): nothing was acknowledged."""


class CorruptionError(InternalError):
    """A file on disk failed its checksum or could not be decoded."""
