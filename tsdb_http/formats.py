"""What every encoder shares: the media types, one response body, Go's float and JSON text.

InfluxDB writes floats with Go's ``strconv``; :func:`go_f` is its ``'f', -1``
form (shortest digits, never an exponent), used by the JSON and CSV encoders;
:func:`go_json_float` and :func:`go_json` are ``encoding/json``'s forms, used by the
JSON encoders (rows and frames).
"""
from __future__ import annotations

import math
import re
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

import orjson

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
    """A time column first and some rows (a frame-backed series' rows are not built)."""
    return bool(s.columns) and s.columns[0] == "time" and s.n_rows > 0


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


def go_json_float(f: float) -> str:
    """A float64 as Go's encoding/json writes it."""
    if math.isnan(f) or math.isinf(f):
        return "null"  # Go refuses; null keeps the body valid
    a = abs(f)
    if a != 0 and (a < 1e-6 or a >= 1e21):
        mant, _, exp = repr(f).partition("e")
        sign, digits = exp[0], exp[1:].lstrip("0") or "0"
        return f"{mant}e{sign}{digits if sign == '-' else digits.rjust(2, '0')}"
    if f == 0:
        return "-0" if math.copysign(1.0, f) < 0 else "0"
    return go_f(f)


_HTML = ((b"<", b"\\u003c"), (b">", b"\\u003e"), (b"&", b"\\u0026"),
         ("\u2028".encode(), b"\\u2028"), ("\u2029".encode(), b"\\u2029"))
_INDENT = re.compile(rb"(?m)^((?:  )+)")  # orjson's two-space steps (strings hold no raw line break)


def go_json(obj: Any, pretty: bool = False) -> bytes:
    """``json.Marshal`` (or ``MarshalIndent(obj, "", "    ")``) of a JSON-ready object."""
    if pretty:
        out = orjson.dumps(obj, option=orjson.OPT_INDENT_2)
        out = _INDENT.sub(rb"\1\1", out)  # Go's four (a template: no Python call per line)
    else:
        out = orjson.dumps(obj)
    if b"<" in out or b">" in out or b"&" in out or (not out.isascii() and b"\xe2\x80" in out):  # rare
        # (one memchr each; the two-byte search is dearer, and ASCII text has none)
        for b, esc in _HTML:
            if b in out:
                out = out.replace(b, esc)  # only strings can hold these characters
    return out


def v3_json(obj: Any, pretty: bool = False) -> bytes:
    """serde_json's ``to_writer`` (CompactFormatter) or PrettyFormatter (two spaces), as InfluxDB 3
    writes /query JSON: orjson's bytes as they are (the same escapes: ``"``, ``\\`` and control
    characters only, ``\u001f`` in lower case; ``[]`` and ``{}`` for empty ones; ``"k": v``)."""
    return orjson.dumps(obj, option=orjson.OPT_INDENT_2) if pretty else orjson.dumps(obj)
