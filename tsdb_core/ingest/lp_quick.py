"""A regex shortcut of the exact parser for lines with plain quoted strings.

Lines with double quotes cannot take the vectorised path (a string may hold
spaces, commas, equals signs, newlines), so they go to the exact parser,
whose character loop is slow per line. Most such lines are simple:
no backslash anywhere, strings without escapes, single spaces. One anchored
regex recognises exactly those, and a few ``findall`` calls give their parts.
Anything the regex does not cover in full (escapes, odd whitespace, long or
out-of-range numbers, duplicate tags) returns None and takes the exact
parser, so the result is always the exact parser's (property-tested).
"""
from __future__ import annotations

import re

from ..base.types import FieldType
from ..base.time import MAX_TIME, MIN_TIME
from .lp_exact import Point

_NAME = r'[^ ,="\\\t\x00]+'
_FLOAT = r"-?(?:[0-9]+\.?[0-9]*|\.[0-9]+)(?:[eE][+-]?[0-9]+)?"
_BOOL = r"(?:t|T|true|True|TRUE|f|F|false|False|FALSE)"
_VALUE = rf'(?:"[^"\\]*"|{_FLOAT}|-?[0-9]{{1,18}}i|[0-9]{{1,19}}u|{_BOOL})'
_LINE = re.compile(
    rf'(?P<m>[^ ,="\\\t\x00#][^ ,="\\\t\x00]*)(?P<t>(?:,{_NAME}={_NAME})*)'
    rf' (?P<f>{_NAME}={_VALUE}(?:,{_NAME}={_VALUE})*)(?: (?P<ts>-?[0-9]{{1,19}}))?')
_TAG = re.compile(rf",({_NAME})=({_NAME})")
_FIELD = re.compile(rf'({_NAME})=("[^"\\]*"|[^,]*)')
_TRUE = {"t", "T", "true", "True", "TRUE"}
MAX_QUICK_LINE = 60000  # longer lines may hit influxd's key length limits


def is_quick_line(line: str) -> bool:
    """A whole physical line the regex covers: its quotes are balanced string
    values, so influxd's line scanner ends the line at its newline."""
    start = 0
    while start < len(line) and line[start] in " \t\x00":
        start += 1
    end = len(line) - 1 if line.endswith("\r") else len(line)
    return _LINE.fullmatch(line, start, end) is not None


def quick_point(line: str, multiplier: int, default_time: int) -> Point | None:
    """The point of a simple stripped line (see ``lp_exact.strip_line``), or None."""
    if len(line) > MAX_QUICK_LINE or "\\" in line:
        return None
    m = _LINE.fullmatch(line)
    if m is None:
        return None
    tags = tuple(_TAG.findall(m["t"])) if m["t"] else ()
    if len({k for k, _ in tags}) != len(tags):
        return None  # duplicate tags: the exact parser words the error
    fields = []
    for key, raw in _FIELD.findall(m["f"]):
        c = raw[0]
        if c == '"':
            fields.append((key, FieldType.STRING, raw[1:-1]))
        elif raw[-1] == "i":
            fields.append((key, FieldType.INTEGER, int(raw[:-1])))
        elif raw[-1] == "u":
            fields.append((key, FieldType.UNSIGNED, int(raw[:-1])))
        elif c in "tTfF":
            fields.append((key, FieldType.BOOLEAN, raw in _TRUE))
        else:
            v = float(raw)
            if v in (float("inf"), float("-inf")):
                return None
            fields.append((key, FieldType.FLOAT, v))
    ts = m["ts"]
    if ts is None:
        time = default_time
    else:
        time = int(ts) * multiplier  # 19 digits fit in int64 once the range holds
        if not MIN_TIME <= time <= MAX_TIME or not -(1 << 63) <= int(ts) < (1 << 63):
            return None
    return Point(m["m"], tags, tuple(fields), time)
