"""Time: precisions, durations, RFC3339, and the injectable clock.

Times are int64 nanoseconds since the Unix epoch everywhere inside the store.
"""
from __future__ import annotations

import time as _time
from datetime import datetime, timezone
from typing import Callable

from .errors import UserError

NS = 1
US = 1_000
MS = 1_000_000
S = 1_000_000_000
M = 60 * S
H = 60 * M
D = 24 * H
W = 7 * D

# Every precision spelling of the 1.x (/write) and v2 (/api/v2/write) APIs.
PRECISIONS: dict[str, int] = {
    "n": NS, "ns": NS,
    "u": US, "us": US, "µ": US, "µs": US, "μ": US, "μs": US,
    "ms": MS,
    "s": S,
    "m": M,
    "h": H,
}

# Units of InfluxQL duration literals (and of ``epoch=``).
DURATION_UNITS: dict[str, int] = {
    "ns": NS, "u": US, "µ": US, "μ": US, "us": US, "ms": MS,
    "s": S, "m": M, "h": H, "d": D, "w": W,
}

# InfluxDB's representable time range (models.MinNanoTime / MaxNanoTime).
MIN_TIME = -9223372036854775806
MAX_TIME = 9223372036854775806

Clock = Callable[[], int]


def system_clock() -> int:
    """Now, in ns since the epoch."""
    return _time.time_ns()


def fixed_clock(ns: int) -> Clock:
    """A clock frozen at ``ns`` (tests)."""
    return lambda: ns


def precision_multiplier(precision: str | None) -> int:
    """ns per unit for a write precision; None/'' means ns."""
    if not precision:
        return NS
    try:
        return PRECISIONS[precision]
    except KeyError:
        raise UserError(f"invalid precision {precision!r}: expected one of "
                        "ns, us, u, µ, ms, s, m, h") from None


def format_rfc3339(ns: int) -> str:
    """InfluxDB's RFC3339Nano rendering: trailing zeros of the fraction dropped."""
    sec, frac = divmod(ns, S)
    base = datetime.fromtimestamp(sec, tz=timezone.utc).strftime("%Y-%m-%dT%H:%M:%S")
    if frac:
        return f"{base}.{frac:09d}".rstrip("0") + "Z"
    return base + "Z"


def format_duration(ns: int) -> str:
    """InfluxQL's canonical duration text (e.g. ``1h30m``, ``0s``), as SHOW RETENTION POLICIES prints it."""
    if ns == 0:
        return "0s"
    out = []
    for unit, size in (("w", W), ("d", D), ("h", H), ("m", M), ("s", S), ("ms", MS), ("u", US), ("ns", NS)):
        if ns >= size and ns % size == 0 and not out:
            return f"{ns // size}{unit}"
    return f"{ns}ns"
