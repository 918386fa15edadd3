"""What every encoder shares: the media types, one response body, Go's float text.

InfluxDB writes floats with Go's ``strconv``; :func:`go_f` is its ``'f', -1``
form (shortest digits, never an exponent), used by the JSON and CSV encoders.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

from tsdb_core import Series, StatementResult

JSON = "application/json"
CSV = "text/csv"
MSGPACK = "application/x-msgpack"

# ns per unit of ``epoch=`` (1.x: anything else, including "ns"/"n", leaves ns).
EPOCH_DIVISORS = {"u": 1_000, "µ": 1_000, "μ": 1_000, "us": 1_000, "ms": 1_000_000,
                  "s": 1_000_000_000, "m": 60_000_000_000, "h": 3_600_000_000_000}


@dataclass(slots=True)
class Response:
    """One body (or, when chunked, one line) of a /query answer."""

    results: list[StatementResult] = field(default_factory=list)
    error: str | None = None


def has_time(s: Series) -> bool:
    return bool(s.columns) and s.columns[0] == "time" and bool(s.values)


def go_f(f: float) -> str:
    """strconv.FormatFloat(f, 'f', -1, 64): shortest digits, never an exponent."""
    a = abs(f)
    if f.is_integer():
        if a < 2 ** 53:
            return str(int(f))
    elif 1e-4 <= a < 1e16:
        return repr(f)  # Python's shortest repr is positional in this range
    s = format(Decimal(repr(f)), "f")
    if "." in s:
        s = s.rstrip("0").rstrip(".")
    return s
