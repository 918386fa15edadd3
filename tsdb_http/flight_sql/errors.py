"""Flight SQL errors as the gRPC status codes clients act on.

pyarrow's Python server turns a ``FlightError`` into a bare status: FlightUnauthenticatedError,
FlightUnauthorizedError, FlightTimedOutError, FlightCancelledError and FlightInternalError give
UNAUTHENTICATED, PERMISSION_DENIED, DEADLINE_EXCEEDED, CANCELLED and INTERNAL with our message
alone. INVALID_ARGUMENT, NOT_FOUND and UNIMPLEMENTED have no FlightError: they come only from
``ArrowInvalid``, ``ArrowKeyError`` and ``NotImplementedError``, which Arrow converts with a
``PythonErrorDetail``, and its transport appends that detail (the formatted traceback) to the
gRPC message. The code is what clients branch on, so Flight SQL answers with it; the Flight
boundary raises these without the frames below it (``tsdb_http.flight._bare``).
"""
from __future__ import annotations

import pyarrow as pa
import pyarrow.flight as flight

TIMEOUT_TEXT = "query-timeout limit exceeded"


def invalid(message: str) -> Exception:
    """INVALID_ARGUMENT (DEADLINE_EXCEEDED for the store's query timeout)."""
    if TIMEOUT_TEXT in message:
        return flight.FlightTimedOutError(message)
    return pa.ArrowInvalid(message)


def not_found(message: str) -> Exception:
    """NOT_FOUND."""
    return pa.ArrowKeyError(message)


def unsupported(message: str) -> Exception:
    """UNIMPLEMENTED."""
    return NotImplementedError(message)


def denied(message: str) -> Exception:
    """PERMISSION_DENIED."""
    return flight.FlightUnauthorizedError(message)


def cancelled(message: str) -> Exception:
    """CANCELLED."""
    return flight.FlightCancelledError(message)


def internal(request_id: str) -> Exception:
    """INTERNAL with the request id under which the log keeps the traceback."""
    return flight.FlightInternalError(f"internal error (request id {request_id})")
