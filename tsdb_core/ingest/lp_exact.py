"""The exact line-protocol parser: a faithful port of InfluxDB 1.6.7's scanner.

``models/points.go`` decides what 1.x accepts, with all its quirks (escapes
judged by the previous byte in keys, a backslash skipping the next byte in
the field scanner, quoted strings that may span lines). This module follows
that code step by step so that every accepted line, stored value and error
text is the one influxd gives. It is slow (a Python loop per character) and
only runs on the lines the vectorised path (``lp_fast``) cannot prove simple.

Deliberate differences from 1.6.7 (listed in the README): a trailing ``\\r``
of a line is dropped (CRLF bodies are accepted, as in InfluxDB 3); unsigned
``u`` values are accepted (1.x needs a build flag).
"""
from __future__ import annotations

import re
from typing import NamedTuple

from ..base.types import FieldType
from ..base.time import MAX_TIME, MIN_TIME

MAX_KEY_LENGTH = 65535
TIME_RANGE_ERROR = f"time outside range {MIN_TIME} - {MAX_TIME}"
_WS = " \t\x00"
_NUMERIC_START = "0123456789-.nNiIu"
_ESCAPE_CHARS = ', "='
_TAG_ESCAPES = (("\\,", ","), ("\\ ", " "), ("\\=", "="))
_BOOLS = {"t": True, "T": True, "true": True, "True": True, "TRUE": True,
          "f": False, "F": False, "false": False, "False": False, "FALSE": False}
_INT64_MIN, _INT64_MAX = -(1 << 63), (1 << 63) - 1
_LINE_SPECIAL = re.compile(r'[\\ =,"\n]')
_QUOTED_SPECIAL = re.compile(r'["\\]')
_UNESCAPE_NAME = re.compile(r'\\([,"= ])')
_UNESCAPE_STRING = re.compile(r'\\([\\"])')
_UINT64_MAX = (1 << 64) - 1


class LineReject(Exception):
    """A line that influxd refuses; ``reason`` is its error text (without the line)."""

    def __init__(self, reason: str):
        super().__init__(reason)
        self.reason = reason


class Point(NamedTuple):
    """One accepted line: unescaped names, typed values, time in ns."""

    measurement: str
    tags: tuple[tuple[str, str], ...]
    fields: tuple[tuple[str, FieldType, object], ...]
    time: int


# ---------------------------------------------------------------- lines

def scan_line(buf: str, i: int) -> int:
    """End of the logical line starting at ``i`` (Go's scanLine): quoted field
    values and backslash-escaped newlines do not end a line."""
    n = len(buf)
    quoted = fields = False
    equals = commas = 0
    find = _LINE_SPECIAL.search
    while i < n:
        m = find(buf, i)  # nothing else changes the scanner's state
        if m is None:
            return n
        i = m.start()
        c = buf[i]
        if c == "\\" and i + 2 < n:
            i += 2
            continue
        if c == " ":
            fields = True
        if fields:
            if not quoted and c == "=":
                i += 1
                equals += 1
                continue
            if not quoted and c == ",":
                i += 1
                commas += 1
                continue
            if c == '"' and equals > commas:
                i += 1
                quoted = not quoted
                continue
        if c == "\n" and not quoted:
            break
        i += 1
    return i


def skip_whitespace(buf: str, i: int) -> int:
    n = len(buf)
    while i < n and buf[i] in _WS:
        i += 1
    return i


def strip_line(block: str) -> str | None:
    """The text influxd parses from one logical line, or None to skip it
    (blank, whitespace only, or a ``#`` comment). Drops one trailing CR."""
    if block.endswith("\r"):
        block = block[:-1]
    start = skip_whitespace(block, 0)
    if start >= len(block) or block[start] == "#":
        return None
    return block[start:]


# ---------------------------------------------------------------- key

def _scan_to(buf: str, i: int, stop: str) -> int:
    n = len(buf)
    while i < n:
        if buf[i] == stop and (i == 0 or buf[i - 1] != "\\"):
            break
        i += 1
    return i


def _scan_key(buf: str) -> tuple[int, str, list[tuple[str, str]]]:
    """Measurement and tags (raw, still escaped); returns (end, measurement, tags)."""
    n = len(buf)
    i = start = skip_whitespace(buf, 0)
    if i >= n or buf[i] == ",":
        raise LineReject("missing measurement")
    while True:
        i += 1
        if i >= n:
            raise LineReject("missing fields")
        if buf[i - 1] == "\\":
            continue
        if buf[i] == ",":
            has_tags = True
            break
        if buf[i] == " ":
            has_tags = False
            break
    measurement = buf[start:i]
    tags: list[tuple[str, str]] = []
    if has_tags:
        i += 1
        while True:
            # tag key
            kstart = i
            if i >= n or buf[i] in " ,=":
                raise LineReject("missing tag key")
            while True:
                i += 1
                if i >= n or (buf[i] in " ," and buf[i - 1] != "\\"):
                    raise LineReject("missing tag value")
                if buf[i] == "=" and buf[i - 1] != "\\":
                    break
            key = buf[kstart:i]
            i += 1
            # tag value
            vstart = i
            if i >= n or buf[i] in ", ":
                raise LineReject("missing tag value")
            while True:
                i += 1
                if i >= n:
                    raise LineReject("missing fields")
                c = buf[i]
                if c == "=" and buf[i - 1] != "\\":
                    raise LineReject("invalid tag format")
                if (c == "," or c == " ") and buf[i - 1] != "\\":
                    break
            tags.append((key, buf[vstart:i]))
            if buf[i] == ",":
                i += 1
                continue
            break
        if len({k for k, _ in tags}) != len(tags):
            raise LineReject("duplicate tags")
    key_len = _byte_len(buf[start:i])
    if key_len > MAX_KEY_LENGTH:
        raise LineReject(f"max key length exceeded: {key_len} > {MAX_KEY_LENGTH}")
    return i, measurement, tags


def _byte_len(s: str) -> int:
    return len(s) if s.isascii() else len(s.encode("utf-8", "surrogatepass"))


# ---------------------------------------------------------------- fields

def _scan_number(buf: str, i: int) -> int:
    n = len(buf)
    start = i
    is_int = is_unsigned = decimal = scientific = False
    if i < n and buf[i] == "-":
        i += 1
        if i == n:
            raise LineReject("invalid number")
    while i < n:
        c = buf[i]
        if c == "," or c == " ":
            break
        if c == "i" and i > start and not (is_int or is_unsigned):
            is_int = True
            i += 1
            continue
        if c == "u" and i > start and not (is_int or is_unsigned):
            is_unsigned = True
            i += 1
            continue
        if c == ".":
            if decimal:
                raise LineReject("invalid number")
            decimal = True
        if i > start and (c == "e" or c == "E"):
            scientific = True
            i += 1
            continue
        if (c == "+" or c == "-") and buf[i - 1] in "eE":
            i += 1
            continue
        if not ("0" <= c <= "9" or c == "."):
            raise LineReject("invalid number")
        i += 1
    if (is_int or is_unsigned) and (decimal or scientific):
        raise LineReject("invalid number")
    digits = i - start - is_int - decimal - (buf[start] == "-")
    if digits == 0:
        raise LineReject("invalid number")
    text = buf[start:i - 1]
    if is_int:
        if buf[i - 1] != "i":
            raise LineReject("invalid number")
        if len(text) >= 19 and not _INT64_MIN <= int(text) <= _INT64_MAX:
            raise LineReject(f"unable to parse integer {text}: "
                             f'strconv.ParseInt: parsing "{text}": value out of range')
    elif is_unsigned:
        if buf[i - 1] != "u" or buf[start] == "-":
            raise LineReject("invalid number")
        if len(text) >= 20 and int(text) > _UINT64_MAX:
            raise LineReject(f"unable to parse unsigned {text}: "
                             f'strconv.ParseUint: parsing "{text}": value out of range')
    elif scientific or i - start >= 25:
        if parse_float(buf[start:i]) is None:
            raise LineReject("invalid float")
    return i


def parse_float(text: str) -> float | None:
    """Go's strconv.ParseFloat over the characters scanNumber lets through
    (digits, '.', 'e', 'E', signs): None where Go fails (syntax or overflow)."""
    try:
        v = float(text)
    except ValueError:
        return None
    if v in (float("inf"), float("-inf")) or "_" in text:
        return None
    return v


def _scan_boolean(buf: str, i: int) -> int:
    n = len(buf)
    start = i
    if i < n and buf[i] not in "tfTF":
        raise LineReject("invalid boolean")
    i += 1
    while i < n and buf[i] != "," and buf[i] != " ":
        i += 1
    if buf[start:i] not in _BOOLS:
        raise LineReject("invalid boolean")
    return i


def _scan_fields(buf: str, i: int) -> tuple[int, str]:
    n = len(buf)
    i = start = skip_whitespace(buf, i)
    quoted = False
    equals = commas = 0
    while i < n:
        if quoted:  # only a backslash or a quote matters inside quotes
            m = _QUOTED_SPECIAL.search(buf, i)
            if m is None:
                i = n
                break
            i = m.start()
        c = buf[i]
        if c == "\\" and i + 1 < n:
            i += 2
            continue
        if c == '"' and equals > commas:
            quoted = not quoted
            i += 1
            continue
        if c == "=" and not quoted:
            equals += 1
            if buf[i - 1] == " " and buf[i - 2] != "\\":
                raise LineReject("missing field key")
            if buf[i - 1] == "," and buf[i - 2] != "\\":
                raise LineReject("missing field key")
            if i + 1 >= n:
                raise LineReject("missing field value")
            nxt = buf[i + 1]
            if nxt == "," or nxt == " ":
                raise LineReject("missing field value")
            if "0" <= nxt <= "9" or nxt in ".-Nn":
                i = _scan_number(buf, i + 1)
                continue
            if nxt != '"':
                i = _scan_boolean(buf, i + 1)
                continue
        if c == "," and not quoted:
            commas += 1
        if c == " " and not quoted:
            break
        i += 1
    if quoted:
        raise LineReject("unbalanced quotes")
    if equals == 0 or commas != equals - 1:
        raise LineReject("invalid field format")
    return i, buf[start:i]


def _scan_field_value(buf: str, i: int) -> int:
    n = len(buf)
    quoted = False
    while i < n:
        if quoted:
            m = _QUOTED_SPECIAL.search(buf, i)
            if m is None:
                return n
            i = m.start()
        c = buf[i]
        if c == "\\" and i + 1 < n and buf[i + 1] in '"\\':
            i += 2
            continue
        if c == '"':
            i += 1
            quoted = not quoted
            continue
        if c == "," and not quoted:
            break
        i += 1
    return i


def _walk_fields(fields: str, key_len: int) -> None:
    """parsePoint's walkFields pass: series key size limit and dangling keys."""
    buf = fields
    while buf:
        i = _scan_to(buf, 0, "=")
        if i > len(buf) - 2:
            raise LineReject(f"invalid value: field-key={buf[:i]}")
        size = key_len + 4 + _byte_len(buf[:i])
        if size > MAX_KEY_LENGTH:
            raise LineReject(f"max key length exceeded: {size} > {MAX_KEY_LENGTH}")
        buf = buf[i + 1:]
        buf = buf[_scan_field_value(buf, 0):]
        if buf:
            buf = buf[1:]


def _iter_fields(fields: str):
    """The point's field iterator: (unescaped key, type, value) as influxd stores them."""
    end, n = 0, len(fields)
    while end < n:
        kend = _scan_to(fields, end, "=")
        key = unescape(fields[end:kend])
        vend = _scan_field_value(fields, kend + 1)
        raw = fields[kend + 1:vend]
        end = vend + 1
        if not raw or not key:
            continue  # influxd skips empty keys and empty values
        c = raw[0]
        try:
            if c == '"':
                yield key, FieldType.STRING, unescape_string(raw[1:-1])
            elif c in _NUMERIC_START:
                if raw[-1] == "i":
                    yield key, FieldType.INTEGER, int(raw[:-1])
                elif raw[-1] == "u":
                    yield key, FieldType.UNSIGNED, int(raw[:-1])
                else:
                    yield key, FieldType.FLOAT, float(raw)
            else:
                yield key, FieldType.BOOLEAN, _BOOLS[raw]
        except (ValueError, KeyError):  # influxd fails the write itself here
            raise LineReject(f"unable to parse field value {raw!r}") from None


# ---------------------------------------------------------------- unescaping

def unescape(s: str) -> str:
    """escape.Unescape: ``\\,`` ``\\"`` ``\\ `` ``\\=`` (measurement, field keys)."""
    if "\\" not in s:
        return s
    return _UNESCAPE_NAME.sub(r"\1", s)


def unescape_tag(s: str) -> str:
    """unescapeTag: ``\\,`` ``\\ `` ``\\=`` only."""
    if "\\" not in s:
        return s
    for esc, ch in _TAG_ESCAPES:
        if ch in s:  # influxd's quirk: it looks for the plain character first
            s = s.replace(esc, ch)
    return s


def unescape_string(s: str) -> str:
    """unescapeStringField: ``\\\\`` and ``\\"``."""
    if "\\" not in s:
        return s
    return _UNESCAPE_STRING.sub(r"\1", s)


# ---------------------------------------------------------------- point

def parse_timestamp(ts: str, multiplier: int) -> int:
    """The ns time of a timestamp token made of an optional '-' and digits."""
    try:
        value = int(ts) if ts not in ("-", "") else None
    except ValueError:
        value = None
    if value is None:
        raise LineReject(f'strconv.ParseInt: parsing "{ts}": invalid syntax')
    if not _INT64_MIN <= value <= _INT64_MAX:
        raise LineReject(f'strconv.ParseInt: parsing "{ts}": value out of range')
    ns = value * multiplier
    if not MIN_TIME <= ns <= MAX_TIME:
        raise LineReject(TIME_RANGE_ERROR)
    return ns


def parse_point(buf: str, multiplier: int, default_time: int) -> Point:
    """Parse one stripped line (see :func:`strip_line`) or raise :class:`LineReject`."""
    pos, raw_measurement, raw_tags = _scan_key(buf)
    key_len = _byte_len(buf[:pos])
    pos, fields = _scan_fields(buf, pos)
    if not fields:
        raise LineReject("missing fields")
    _walk_fields(fields, key_len)
    # timestamp
    n = len(buf)
    i = start = skip_whitespace(buf, pos)
    while i < n:
        c = buf[i]
        if c == "\n" or c == " ":
            break
        if i == start and c == "-":
            i += 1
            continue
        if not "0" <= c <= "9":
            raise LineReject("bad timestamp")
        i += 1
    if i == start:
        time = default_time
    else:
        time = parse_timestamp(buf[start:i], multiplier)
        if buf[i:].strip(" "):
            raise LineReject("point is invalid")
    has_escape = "\\" in raw_measurement or any("\\" in k or "\\" in v for k, v in raw_tags)
    if has_escape:
        tags = tuple((unescape_tag(k), unescape_tag(v)) for k, v in raw_tags)
    else:
        tags = tuple(raw_tags)
    return Point(unescape(raw_measurement), tags, tuple(_iter_fields(fields)), time)


# ---------------------------------------------------------------- rows

def check_point(p: Point) -> tuple[Point | None, str | None]:
    """influxd's write-time checks after parsing (tsdb/shard.go): a ``time`` tag
    drops the point, ``time`` fields are dropped (the point too if nothing
    else is left), a field repeated in one line keeps its last value (with a
    type conflict if the types differ: the reason comes with the point cut before the
    conflicting field, what 1.x creates before failing). A key both tag and field is kept
    twice, as 1.x keeps it (the field's column is ``field_column``'s)."""
    if any(k == "time" for k, _ in p.tags):
        return None, f'invalid tag key: input tag "time" on measurement "{p.measurement}" is invalid'
    fields: dict[str, tuple[FieldType, object]] = {}
    for k, t, v in p.fields:
        if k == "time":
            continue
        old = fields.get(k)
        if old is not None and old[0] != t:
            before = p.fields[:next(i for i, f in enumerate(p.fields) if f[0] == k and f[1] != old[0])]
            return p._replace(fields=before), (
                f'field type conflict: input field "{k}" on measurement '
                f'"{p.measurement}" is type {t.value}, already exists as type {old[0].value}')
        fields.pop(k, None)
        fields[k] = (t, v)
    if not fields and not p.fields:
        return None, "missing fields"
    if not fields:
        return None, f'invalid field name: input field "time" on measurement "{p.measurement}" is invalid'
    if len(fields) != len(p.fields):
        p = p._replace(fields=tuple((k, t, v) for k, (t, v) in fields.items()))
    return p, None


def parse_block(block: str, multiplier: int, default_time: int) -> tuple[str | None, Point | None, str | None]:
    """One logical line → (parsed text or None if skipped, point, error reason)."""
    stripped = strip_line(block)
    if stripped is None:
        return None, None, None
    try:
        point = parse_point(stripped, multiplier, default_time)
    except LineReject as e:
        return stripped, None, f"unable to parse '{stripped}': {e.reason}"
    point, reason = check_point(point)
    return stripped, point, reason


def points_to_parts(rows: list[tuple[int, Point]]) -> list:
    """Accepted points → assembly parts, one per (measurement, tag keys, typed field keys)."""
    import polars as pl

    from ..base.types import TIME, field_column
    from .lp_assemble import LINE, Part

    groups: dict[tuple, list[tuple[int, Point]]] = {}
    for line, p in rows:
        sig = (p.measurement, tuple(k for k, _ in p.tags), tuple((k, t) for k, t, _ in p.fields))
        groups.setdefault(sig, []).append((line, p))
    parts = []
    for (measurement, tag_keys, field_sig), members in groups.items():
        data: dict[str, list] = {LINE: [l for l, _ in members], TIME: [p.time for _, p in members]}
        schema: dict[str, pl.DataType] = {LINE: pl.Int64, TIME: pl.Int64}
        for j, k in enumerate(tag_keys):
            data[k] = [p.tags[j][1] for _, p in members]
            schema[k] = pl.String
        columns = {}
        for j, (k, t) in enumerate(field_sig):
            c = field_column(k, tag_keys)
            data[c] = [p.fields[j][2] for _, p in members]
            schema[c], columns[c] = t.polars, t
        frame = pl.DataFrame(data, schema=schema)
        parts.append(Part(measurement, frame, tag_keys, columns))
    return parts
