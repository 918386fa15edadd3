"""Time values of InfluxDB 3's SQL (DataFusion): interval strings, timestamp strings, date_bin.

DataFusion reads ``INTERVAL '1 hour 30 minutes'`` (and the bare string ``'5 minutes'`` where
an interval is expected) as months plus nanoseconds, and timestamp strings as RFC 3339 (an
offset or ``Z``, or none for UTC). ``date_bin`` floors a time onto the grid ``origin + k*stride``.
These are the plain-Python definitions; :mod:`.translate` turns them into SQL Polars runs.
"""
from __future__ import annotations

import re
from decimal import Decimal, InvalidOperation

from ...base.errors import QueryError
from ..analyze.time_range import parse_time_string

__all__ = ["parse_interval", "parse_timestamp", "date_bin"]

_NS = {
    "nanosecond": 1, "microsecond": 1_000, "millisecond": 1_000_000, "second": 1_000_000_000,
    "minute": 60_000_000_000, "hour": 3_600_000_000_000, "day": 86_400_000_000_000,
    "week": 604_800_000_000_000,
}
_MONTHS = {"month": 1, "year": 12, "decade": 120, "century": 1200}
_ALIASES = {
    "ns": "nanosecond", "us": "microsecond", "ms": "millisecond", "s": "second", "sec": "second",
    "secs": "second", "m": "minute", "min": "minute", "mins": "minute", "h": "hour", "d": "day",
    "w": "week", "mon": "month", "mons": "month", "y": "year", "centuries": "century",
}
_PART = re.compile(r"\s*([+-]?(?:\d+\.?\d*|\.\d+))\s*([A-Za-z]*)\s*")


def _unit(word: str) -> str | None:
    low = word.lower()
    low = _ALIASES.get(low, low)
    if low in _NS or low in _MONTHS:
        return low
    if low.endswith("s") and (low[:-1] in _NS or low[:-1] in _MONTHS):
        return low[:-1]
    return None


def parse_interval(text: str) -> tuple[int, int]:
    """``'1 hour 30 minutes'`` → (months, nanoseconds); a number without a unit is seconds."""
    pos, months, nanos = 0, Decimal(0), Decimal(0)
    text = text.strip()
    if not text:
        raise _bad_interval(text)
    while pos < len(text):
        m = _PART.match(text, pos)
        if not m or m.end() == pos:
            raise _bad_interval(text)
        try:
            amount = Decimal(m.group(1))
        except InvalidOperation:
            raise _bad_interval(text) from None
        unit = _unit(m.group(2) or "second")
        if unit is None:
            raise QueryError(f"SQL error: Arrow error: Not yet implemented: Unknown interval type: {m.group(2)}")
        if unit in _MONTHS:
            months += amount * _MONTHS[unit]
        else:
            nanos += amount * _NS[unit]
        pos = m.end()
    if months != int(months):
        raise QueryError(f'SQL error: Arrow error: Not yet implemented: fractional months in interval "{text}"')
    return int(months), int(nanos)


def _bad_interval(text: str) -> QueryError:
    return QueryError(f'SQL error: Arrow error: Parser error: Invalid input syntax for type interval: "{text}"')


def parse_timestamp(text: str) -> int:
    """An RFC 3339 time string (``2024-01-01T00:00:00Z``, ``+02:00`` offsets, a date) → ns (UTC)."""
    try:
        return parse_time_string(text)
    except QueryError:
        raise QueryError(f"SQL error: Arrow error: Parser error: Error parsing timestamp from '{text}': "
                         "error parsing date") from None


def date_bin(stride: int, t: int, origin: int = 0) -> int:
    """The start of the bin of ``t`` (ns): DataFusion's ``date_bin`` for a fixed stride."""
    diff = t - origin
    rem = abs(diff) % abs(stride) * (1 if diff >= 0 else -1)  # remainder with the dividend's sign
    delta = diff - rem
    if diff < 0 and stride > 1 and delta != diff:
        delta -= stride
    return origin + delta
