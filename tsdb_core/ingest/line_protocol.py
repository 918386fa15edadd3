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

from ..model import LineError, ParsedBody
from ..timeutil import precision_multiplier
from . import lp_exact, lp_fast
from .lp_assemble import assemble
from .lp_format import format_batch

__all__ = ["parse", "parse_exact", "format_batch"]


def parse(body: bytes | str, *, precision: str = "ns", now: int) -> ParsedBody:
    """Parse a write body; bad lines become errors, never exceptions."""
    multiplier = precision_multiplier(precision)
    default_time = now - now % multiplier
    if isinstance(body, (bytes, bytearray, memoryview)) and body.isascii():
        text, raw = None, bytes(body)  # ASCII: valid UTF-8, decoded only if needed
    else:
        text = decode(body)
        raw = body if isinstance(body, bytes) and _is_utf8(body, text) else None
    parts, errors, lines_seen, text_of = lp_fast.parse_text(text, multiplier, default_time, raw)
    batches, conflicts = assemble(parts, text_of)
    if conflicts:
        errors = sorted(errors + conflicts, key=lambda e: e.line)
    return ParsedBody(batches=batches, errors=errors, lines_seen=lines_seen)


def parse_exact(body: bytes | str, *, precision: str = "ns", now: int) -> ParsedBody:
    """:func:`parse` through the exact parser only (slow): the reference the
    fast path is tested against."""
    multiplier = precision_multiplier(precision)
    default_time = now - now % multiplier
    text = decode(body)
    pos, n, line = 0, len(text), 1
    rows, errors, texts = [], [], {}
    while pos < n:
        end = lp_exact.scan_line(text, pos)
        block = text[pos:end]
        stripped, point, reason = lp_exact.parse_block(block, multiplier, default_time)
        if stripped is not None:
            texts[line] = stripped
            if reason is not None:
                errors.append(LineError(line, stripped, reason))
            else:
                rows.append((line, point))
        line += block.count("\n") + 1
        pos = end + 1
    batches, conflicts = assemble(lp_exact.points_to_parts(rows), texts.__getitem__)
    if conflicts:
        errors = sorted(errors + conflicts, key=lambda e: e.line)
    return ParsedBody(batches=batches, errors=errors, lines_seen=len(texts))


def _is_utf8(body: bytes, text: str) -> bool:
    """True when ``text`` is ``body`` decoded without replacements."""
    return text.isascii() if len(text) == len(body) else "\ufffd" not in text


def decode(body: bytes | str) -> str:
    """Bytes → str. Invalid UTF-8 is replaced by U+FFFD (deviation: 1.x stores raw bytes)."""
    if isinstance(body, str):
        return body
    body = bytes(body)
    try:
        return body.decode("utf-8")
    except UnicodeDecodeError:
        return body.decode("utf-8", errors="replace")
