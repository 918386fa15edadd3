"""Line protocol → one columnar batch per measurement (and back).

    parsed = parse(b"cpu,host=a usage=0.5 1700000000000000000", precision="ns", now=now_ns)
    parsed.batches["cpu"].frame      # time, host, usage (a Polars DataFrame)
    parsed.errors                    # LineError(line, text, reason) per refused line

Lines are judged as InfluxDB 1.6.7 judges them (``lp_exact`` is a port of its
scanner, with its error texts). ``parse`` routes the lines: plain lines go
to the vectorised path (``lp_fast``); lines with a backslash or a double
quote that one strict regex proves regular go to ``lp_escaped`` (vectorised
too, one regex per shape); the other such lines (and the lines a quoted
string or an escaped newline runs into) go to the exact parser, which also
gets whatever the vectorised paths cannot prove simple; ``lp_assemble`` joins both, refuses in-batch conflicts and
keeps input order. Lines without a timestamp get ``now`` truncated to the
precision, as influxd does. ``format_batch`` (``lp_format``) writes a batch
back; ``parse(format_batch(b))`` gives ``b`` again.

Deliberate differences from 1.6.7:
- a line ending in ``\r`` (CRLF bodies) is accepted, as in InfluxDB 3;
- unsigned integers (``1u``) are accepted, as in InfluxDB 3 (1.x needs a build flag);
- bytes that are not UTF-8 are replaced by U+FFFD (1.x stores the raw bytes).

A field whose type differs from an earlier line of the same body (or of the same line)
refuses that line here (``field type conflict: input field "v" on measurement "cpu" is
type integer, already exists as type float``) and is listed in ``ParsedBody.conflicts``:
``Store.write`` fails the shard group it is in when the body opens that group, as 1.6.7
does. A key both tag and field is kept twice, the field under ``field_column``'s name.
"""
from __future__ import annotations

import numpy as np
import polars as pl

from ..base.types import LineError, ParsedBody, TypeConflict, field_column
from ..base.time import precision_multiplier
from . import lp_escaped, lp_exact, lp_fast
from .lp_assemble import Part, assemble
from .lp_format import format_batch
from .lp_quick import is_quick_line, quick_point

__all__ = ["parse", "parse_exact", "parse_vectorised", "format_batch", "in_flight"]

SMALL_BODY_LINES = 16  # fewer lines than this: the line-by-line parser is faster


def parse(body: bytes | str, *, precision: str = "ns", now: int) -> ParsedBody:
    """Parse a write body; bad lines become errors, never exceptions.

    A body of a few lines (one point per request is common) goes line by line: the
    vectorised path has a fixed cost per body; both give the same answer (tested).
    """
    if _lines_below(body, SMALL_BODY_LINES):
        return parse_exact(body, precision=precision, now=now)
    return parse_vectorised(body, precision=precision, now=now)


def in_flight() -> lp_fast.InFlight:
    """``with in_flight():`` around the parsing *and storing* of a body: while it is in flight
    other big bodies are parsed in one piece, not in two halves at once (see ``lp_fast``)."""
    return lp_fast.InFlight()


def _lines_below(body, n: int) -> bool:
    """Whether ``body`` has fewer than ``n`` newlines (a prefix usually tells: bulk bodies are big)."""
    if isinstance(body, (bytes, bytearray)):
        nl = b"\n"
    elif isinstance(body, str):
        nl = "\n"
    else:
        return False
    return body.count(nl, 0, 1 << 16) < n and body.count(nl) < n


def parse_vectorised(body: bytes | str, *, precision: str = "ns", now: int) -> ParsedBody:
    """:func:`parse` through the vectorised parser whatever the size (bulk bodies)."""
    multiplier = precision_multiplier(precision)
    default_time = now - now % multiplier
    if isinstance(body, (bytes, bytearray, memoryview)) and body.isascii():
        text, raw = None, bytes(body)  # ASCII: valid UTF-8, decoded only if needed
    else:
        text = decode(body)
        raw = body if isinstance(body, bytes) and _is_utf8(body, text) else None
    parts, errors, lines_seen, text_of, conflicts = _parse_text(text, multiplier, default_time, raw)
    batches, refused, times = assemble(parts, text_of)
    if refused:
        errors = sorted(errors + refused, key=lambda e: e.line)
    return ParsedBody(batches=batches, errors=errors, lines_seen=lines_seen, conflicts={**conflicts, **times})


def parse_exact(body: bytes | str, *, precision: str = "ns", now: int) -> ParsedBody:
    """:func:`parse` through the exact parser only (slow): the reference the
    fast path is tested against."""
    multiplier = precision_multiplier(precision)
    default_time = now - now % multiplier
    text = decode(body)
    pos, n, line = 0, len(text), 1
    rows, errors, texts, conflicts = [], [], {}, {}
    while pos < n:
        end = lp_exact.scan_line(text, pos)
        block = text[pos:end]
        stripped, point, reason = lp_exact.parse_block(block, multiplier, default_time)
        if stripped is not None:
            texts[line] = stripped
            if reason is not None:
                errors.append(LineError(line, stripped, reason))
                if point is not None:
                    conflicts[line] = _in_line_conflict(point)
            else:
                rows.append((line, point))
        line += block.count("\n") + 1
        pos = end + 1
    batches, refused, times = assemble(lp_exact.points_to_parts(rows), texts.__getitem__)
    if refused:
        errors = sorted(errors + refused, key=lambda e: e.line)
    return ParsedBody(batches=batches, errors=errors, lines_seen=len(texts), conflicts={**conflicts, **times})


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


def _parse_text(text: str | None, multiplier: int, default_time: int, raw: bytes | None = None):
    """(parts, errors, lines_seen, text_of) for a whole body: ``text`` or its
    valid UTF-8 bytes ``raw`` (then ``text`` may be None: decoded only if the
    exact path needs it)."""
    if raw is None:
        raw = text.encode()
    if text is None:
        text = _LazyText(raw)
    exact_blocks: dict[int, str] = {}  # 0-based physical line -> logical line text
    regular = None  # (lines, 0-based physical numbers) for lp_escaped
    physical: list[str] | None = None
    if b'"' in raw or b"\\" in raw:
        text = str(text)
        physical = text.split("\n")
        if physical[-1] == "":
            physical.pop()
        fast_idx, *regular = _split_special(text, physical, exact_blocks)
        body = ("\n".join([physical[i] for i in fast_idx.tolist()]) + "\n").encode() if fast_idx.size else b""
        nums = fast_idx + 1
    else:
        body, nums = (raw if raw.endswith(b"\n") else raw + b"\n"), None
    if b"\r" in body:
        body = body.replace(b"\r\n", b"\n")
    parts: list[Part] = []
    leftover = lp_fast.fast_lines(body, nums, multiplier, default_time, parts) if body else []
    if regular is not None and regular[1].size:
        leftover += lp_escaped.escaped_lines(*regular, multiplier, default_time, parts)
    # the exact path: leftover simple lines and the special blocks
    if leftover and physical is None:
        physical = str(text).split("\n")
    todo = [(i, physical[i]) for i in leftover] + list(exact_blocks.items())
    todo.sort()
    rows, errors, texts, conflicts = [], [], {}, {}
    for i, block in todo:
        stripped, point, reason = _parse_block(block, multiplier, default_time)
        if stripped is None:
            continue
        texts[i + 1] = stripped
        if reason is not None:
            errors.append(LineError(i + 1, stripped, reason))
            if point is not None:
                conflicts[i + 1] = _in_line_conflict(point)
        else:
            rows.append((i + 1, point))
    seen = len(texts) + sum(p.frame.height for p in parts)
    if rows:
        parts += lp_exact.points_to_parts(rows)

    def text_of(line: int) -> str:
        nonlocal physical
        got = texts.get(line)
        if got is not None:
            return got
        if physical is None:
            physical = str(text).split("\n")
        return physical[line - 1].removesuffix("\r")

    return parts, errors, seen, text_of, conflicts


def _in_line_conflict(point) -> TypeConflict:
    """A line refused for a field given twice with two types (``point``: cut before it)."""
    tags = {k for k, _ in point.tags}
    return TypeConflict(point.time, point.time, point.measurement,
                        tuple((field_column(k, tags), t) for k, t, _ in point.fields if k != "time"),
                        point.tags)


def _parse_block(block: str, multiplier: int, default_time: int):
    """``lp_exact.parse_block``, through the regex shortcut when it applies."""
    stripped = lp_exact.strip_line(block)
    if stripped is not None:
        point = quick_point(stripped, multiplier, default_time)
        if point is not None:
            point, reason = lp_exact.check_point(point)
            return stripped, point, reason
    return lp_exact.parse_block(block, multiplier, default_time)


class _LazyText:
    """The text of an ASCII body, decoded on first use."""

    __slots__ = ("raw", "text")

    def __init__(self, raw: bytes):
        self.raw, self.text = raw, None

    def __str__(self) -> str:
        if self.text is None:
            self.text = self.raw.decode()
        return self.text


def _split_special(text: str, physical: list[str], exact_blocks: dict[int, str]):
    """Route the lines with a backslash or a quote: the regular ones (see
    ``lp_escaped``, matched by one vectorised regex) to the escaped path, the
    others (and the lines they run into) to the exact path. Returns (the
    0-based indices of the plain lines, the regular lines without their CR,
    their 0-based indices)."""
    lines = pl.Series(physical, dtype=pl.String)
    special = lines.str.contains(r'["\\]').to_numpy()
    sidx = np.flatnonzero(special)
    sub = lines.gather(sidx).str.strip_suffix("\r")
    reg = sub.str.contains(lp_escaped.LINE_PATTERN).to_numpy()
    odd = sidx[~reg]
    excluded = None  # lines an earlier logical line runs into
    if odd.size:
        lens = lines.str.len_chars().to_numpy().astype(np.int64)
        offsets = np.zeros(len(physical), dtype=np.int64)
        np.cumsum(lens[:-1] + 1, out=offsets[1:])
        covered = -1
        for i in odd.tolist():
            if i <= covered:
                continue
            line = physical[i]
            if "\\" not in line and is_quick_line(line):
                exact_blocks[i] = line  # balanced plain strings: the line ends here
                covered = i
                continue
            offset = int(offsets[i])
            end = lp_exact.scan_line(text, offset)
            exact_blocks[i] = text[offset:end]
            covered = i + text.count("\n", offset, end)
            if covered > i:
                if excluded is None:
                    excluded = np.zeros(len(physical), dtype=bool)
                excluded[i + 1:covered + 1] = True
    fast = ~special
    if excluded is not None:
        fast &= ~excluded
        keep = ~excluded[sidx[reg]]
        return np.flatnonzero(fast), sub.filter(pl.Series(reg)).filter(pl.Series(keep)), sidx[reg][keep]
    return np.flatnonzero(fast), sub.filter(pl.Series(reg)), sidx[reg]
