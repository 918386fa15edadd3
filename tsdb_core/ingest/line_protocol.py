"""Line protocol → one columnar batch per measurement (and back).

    parsed = parse(b"cpu,host=a usage=0.5 1700000000000000000", precision="ns", now=now_ns)
    parsed.batches["cpu"].frame      # time, host, usage
    parsed.errors                    # LineError(line, text, reason) per refused line

Lines are parsed as InfluxDB 1.6.7 parses them (``lp_exact`` is a port of its
scanner); the common case (no backslash, no double quote) is split with
Polars string kernels instead (``lp_fast``), and both give the same result.
Rows keep input order. Lines without a timestamp get ``now`` truncated to the
precision, as influxd does. ``format_batch`` writes a batch back.
"""
from __future__ import annotations

from ..model import ParsedBody
from ..timeutil import precision_multiplier
from . import lp_fast
from .lp_assemble import assemble
from .lp_format import format_batch

__all__ = ["parse", "format_batch"]


def parse(body: bytes | str, *, precision: str = "ns", now: int) -> ParsedBody:
    """Parse a write body; bad lines become errors, never exceptions."""
    multiplier = precision_multiplier(precision)
    default_time = now - now % multiplier
    text = decode(body)
    raw = body if isinstance(body, bytes) and len(text) == len(body) else None
    parts, errors, lines_seen, text_of = lp_fast.parse_text(text, multiplier, default_time, raw)
    batches, conflicts = assemble(parts, text_of)
    if conflicts:
        errors = sorted(errors + conflicts, key=lambda e: e.line)
    return ParsedBody(batches=batches, errors=errors, lines_seen=lines_seen)


def decode(body: bytes | str) -> str:
    """Bytes → str. Invalid UTF-8 is replaced by U+FFFD (deviation: 1.x stores raw bytes)."""
    if isinstance(body, str):
        return body
    try:
        return body.decode("utf-8")
    except UnicodeDecodeError:
        return body.decode("utf-8", errors="replace")
