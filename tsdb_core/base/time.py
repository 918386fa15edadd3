"""Time: precisions, durations, RFC3339, and the injectable clock.

Times are int64 nanoseconds since the Unix epoch everywhere inside the store.
"""
from __future__ import annotations

import time as _time
from datetime import datetime, timezone
import re
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

# Units of InfluxQL duration literals (influxql's scanner).
DURATION_UNITS: dict[str, int] = {
    "ns": NS, "u": US, "µ": US, "ms": MS, "s": S, "m": M, "h": H, "d": D, "w": W,
}
# Further spellings accepted outside InfluxQL text (the testing helpers, the CLI).
DURATION_ALIASES: dict[str, int] = {"us": US, "μ": US}

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
    """InfluxQL's duration text: the largest unit dividing evenly, sign kept (influxql FormatDuration).

    ``5400000000000`` -> ``90m``, ``-3600000000000`` -> ``-1h``, ``1500`` -> ``1500ns``, ``0`` -> ``0s``.
    """
    if ns == 0:
        return "0s"
    for unit, size in _FORMAT_UNITS:
        if ns % size == 0:
            return f"{ns // size}{unit}"
    return f"{ns}ns"


_FORMAT_UNITS = (("w", W), ("d", D), ("h", H), ("m", M), ("s", S), ("ms", MS), ("u", US))


def _duration_part(units) -> re.Pattern:
    spellings = sorted(units, key=len, reverse=True)  # "ms" before "m"
    return re.compile(r"([0-9]+)(" + "|".join(map(re.escape, spellings)) + ")")


_PART = _duration_part(DURATION_UNITS)
_PART_WITH_ALIASES = _duration_part({**DURATION_UNITS, **DURATION_ALIASES})
_INT64_MAX = 2**63 - 1


def parse_duration(text: str, *, aliases: bool = False) -> int:
    """influxql ParseDuration: ``1h30m`` -> ns, a leading ``-`` negates; ValueError with Go's words.

    ``aliases`` also accepts :data:`DURATION_ALIASES` (``us``, Greek ``μ``).
    """
    if len(text) < 2:
        raise ValueError("invalid duration")
    neg = text.startswith("-")
    body = text[1:] if neg else text
    part = _PART_WITH_ALIASES if aliases else _PART
    units = {**DURATION_UNITS, **DURATION_ALIASES} if aliases else DURATION_UNITS
    pos, total, n, unit = 0, 0, 0, ""
    while pos < len(body):
        m = part.match(body, pos)
        if m is None:
            raise ValueError("invalid duration")
        n, unit = int(m.group(1)), m.group(2)
        if n > _INT64_MAX:
            raise ValueError("invalid duration")
        total += n * units[unit]
        pos = m.end()
    if total > _INT64_MAX and not neg:
        raise ValueError(f"overflowed duration {n}{unit}: choose a smaller duration or INF")
    return -total if neg else total


def go_duration(ns: int) -> str:
    """Go's ``time.Duration.String()`` (``72h0m0s``, ``1h0m0s``, ``35µs``, ``0s``), as SHOW prints it."""
    if ns == 0:
        return "0s"
    u = abs(ns)
    if u < S:
        if u < US:
            out = f"{u}ns"
        elif u < MS:
            out = _decimal(u, US) + "µs"
        else:
            out = _decimal(u, MS) + "ms"
    else:
        out = _go_clock(u)
    return "-" + out if ns < 0 else out


def _go_clock(u: int) -> str:
    """``1h2m3.5s``: hours and minutes only when not zero, seconds always."""
    secs, rem = divmod(u, S)
    out = str(secs % 60) + ("." + f"{rem:09d}".rstrip("0") if rem else "") + "s"
    mins = secs // 60
    if mins:
        out = f"{mins % 60}m" + out
        if mins // 60:
            out = f"{mins // 60}h" + out
    return out


def _decimal(u: int, unit: int) -> str:
    whole, rem = divmod(u, unit)
    if not rem:
        return str(whole)
    width = len(str(unit)) - 1
    return f"{whole}." + f"{rem:0{width}d}".rstrip("0")
