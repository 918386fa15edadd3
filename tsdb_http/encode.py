"""Encoders for /query answers, byte-compatible with InfluxDB 1.x's formatters.

InfluxDB writes JSON with Go's ``encoding/json`` (floats in shortest form, ``2``
not ``2.0``, ``1e+21``, HTML characters escaped as ``\\u003c``), CSV with
``encoding/csv`` (``name,tags,<columns>``; times as ns integers; floats never in
exponent form) and msgpack with tinylib/msgp (signed integer encodings, times as
extension type 5). The tests compare our bytes with influxd 1.6.7's.

Every encoder takes a :class:`Response` whose time columns are still int64 ns
(the shim always asks the core for ``epoch="ns"``); :func:`render_times` turns
them into what the client asked for.
"""
from __future__ import annotations

import math
import re
import struct
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

import msgpack
import orjson
import polars as pl

from tsdb_core.query.result import Series, StatementResult

try:  # vectorised timestamp packing; a struct loop does the same without numpy
    import numpy as np
except ImportError:  # pragma: no cover
    np = None

_Fragment = getattr(orjson, "Fragment", None)

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


# -- content negotiation -----------------------------------------------------------

_ACCEPT_TYPES = (("application", "json", JSON), ("application", "csv", CSV), ("text", "csv", CSV),
                 ("application", "x-msgpack", MSGPACK))


def negotiate(accept: str | None) -> tuple[str, str]:
    """(encoder kind, Content-Type) for an Accept header, as 1.x picks it.

    1.x walks the Accept entries in q-order and takes the first supported one;
    ``*/*`` and absent headers give JSON. CSV answers carry ``text/csv``.
    """
    for mt in _parse_accept(accept or ""):
        typ, _, sub = mt.partition("/")
        for t, s, kind in _ACCEPT_TYPES:
            if (typ in ("*", t)) and (sub in ("*", s)):
                return kind, ("text/csv" if kind == CSV else kind)
    return JSON, JSON


def _parse_accept(header: str) -> list[str]:
    out = []
    for i, part in enumerate(header.split(",")):
        bits = [b.strip() for b in part.split(";")]
        if not bits[0]:
            continue
        q = 1.0
        for b in bits[1:]:
            if b.startswith("q="):
                try:
                    q = float(b[2:])
                except ValueError:
                    q = 0.0
        out.append((-q, i, bits[0].lower()))
    return [mt for _, _, mt in sorted(out)]


# -- time rendering ---------------------------------------------------------------------

def _has_time(s: Series) -> bool:
    return bool(s.columns) and s.columns[0] == "time" and bool(s.values)


def render_times(results: list[StatementResult], epoch: str | None, kind: str) -> None:
    """Turn int64-ns time cells into the client's form, in place.

    JSON without ``epoch``: RFC3339Nano strings (trailing zeros trimmed), formatted by
    Polars in one pass over every series of the response. CSV and msgpack without
    ``epoch``: ns integers as they are (the msgpack encoder writes them as timestamp
    extensions). With ``epoch``: integers in that unit, truncated toward zero as Go's
    integer division does.
    """
    div = EPOCH_DIVISORS.get(epoch or "", 1)
    if (epoch and div == 1) or (not epoch and kind != JSON):
        return
    targets, times = [], []
    for st in results:
        for s in st.series:
            if not _has_time(s):
                continue
            col = [row[0] for row in s.values]
            if not set(map(type, col)) <= {int}:
                continue  # already rendered (or not a time column after all)
            targets.append(s)
            times.extend(col)
    if not times:
        return
    if epoch:
        new = [v // div if v >= 0 else -((-v) // div) for v in times]
    else:
        new = format_rfc3339(times)
    i = 0
    for s in targets:
        for row in s.values:
            row[0] = new[i]
            i += 1


_TIME_EXT = np.dtype([("h0", "u1"), ("h1", "u1"), ("h2", "u1"), ("sec", ">i8"), ("nsec", ">u4")]) \
    if np is not None else None
_TIME_STRUCT = struct.Struct(">BBBqI")


def _mp_times(col: tuple) -> list[bytes]:
    """int64 ns → msgp's time extension (ext8, type 5: int64 seconds, uint32 ns), vectorised."""
    if np is None:
        return [_TIME_STRUCT.pack(0xC7, 12, 5, *divmod(v, 1_000_000_000)) for v in col]
    ns = np.asarray(col, dtype=np.int64)
    arr = np.empty(len(ns), dtype=_TIME_EXT)
    arr["h0"], arr["h1"], arr["h2"] = 0xC7, 12, 5
    arr["sec"], arr["nsec"] = np.divmod(ns, 1_000_000_000)
    buf = arr.tobytes()
    return [buf[i:i + 15] for i in range(0, len(buf), 15)]


def format_rfc3339(ns: list[int]) -> list[str]:
    """Go's RFC3339Nano for int64 ns values (vectorised)."""
    text = pl.Series(ns, dtype=pl.Int64).cast(pl.Datetime("ns")).dt.to_string("%Y-%m-%dT%H:%M:%S%.9f")
    return (text.str.strip_chars_end("0").str.strip_chars_end(".") + "Z").to_list()


# -- JSON ---------------------------------------------------------------------------------

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
    return _go_f(f)


def _go_f(f: float) -> str:
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


def _json_float(v: float) -> Any:
    """Replace a float whose orjson text differs from Go's by an int or a raw fragment."""
    if v != v or v in (math.inf, -math.inf):
        return _Fragment(b"null") if _Fragment else None
    if v.is_integer():
        if abs(v) < 2 ** 53 and not (v == 0 and math.copysign(1.0, v) < 0):
            return int(v)
    else:
        a = abs(v)
        if 1e-4 <= a < 1e16:
            return v  # orjson prints the same shortest decimal
    return _Fragment(go_json_float(v).encode()) if _Fragment else v


def _fix_float_column(col: tuple) -> list | None:
    """A float column (None allowed) with Go's forms, or None when orjson already agrees.

    Integral values become ints (``2``, not ``2.0``) and the rare values orjson writes
    otherwise than Go (``1e-05``, ``1e+16``, ``-0.0``) raw fragments; the masks are Polars'.
    """
    s = pl.Series(col, dtype=pl.Float64, strict=False)
    a = s.abs()
    integral = (s == s.floor()) & (a < 2.0 ** 53) & ~((s == 0) & ((1 / s) < 0))
    odd = (a >= 1e16) | ((a < 1e-4) & (s != 0)) | ((s == 0) & ((1 / s) < 0)) | s.is_nan() | s.is_infinite()
    odd = odd & ~integral
    n_int, n_odd = integral.sum() or 0, odd.sum() or 0
    if not n_int and not n_odd:
        return None
    if n_odd:
        return [_json_float(v) if type(v) is float else v for v in col]
    ints = s.cast(pl.Int64, strict=False).to_list()
    return [i if m else v for v, i, m in zip(col, ints, integral.to_list())]


def _fix_floats(values: list[list]) -> list[list]:
    """Rows with Go-incompatible floats replaced; column-wise, untouched when there are none."""
    cols = list(zip(*values))
    changed = False
    for j, col in enumerate(cols):
        types = set(map(type, col))
        if float not in types:
            continue
        new = _fix_float_column(col) if types <= {float, type(None)} and len(col) >= 64 else \
            [_json_float(v) if type(v) is float else v for v in col]
        if new is not None:
            cols[j] = new
            changed = True
    return list(map(list, zip(*cols))) if changed else values


def _series_obj(s: Series) -> dict:
    out: dict[str, Any] = {}
    if s.name:
        out["name"] = s.name
    if s.tags:
        out["tags"] = dict(sorted(s.tags.items()))
    if s.columns:
        out["columns"] = list(s.columns)
    if s.values:
        out["values"] = _fix_floats(s.values)
    if s.partial:
        out["partial"] = True
    return out


def _result_obj(r: StatementResult) -> dict:
    out: dict[str, Any] = {"statement_id": r.statement_id}
    if r.series:
        out["series"] = [_series_obj(s) for s in r.series]
    if r.messages:
        out["messages"] = [m.to_json() if hasattr(m, "to_json") else m for m in r.messages]
    if r.partial:
        out["partial"] = True
    if r.error:
        out["error"] = r.error
    return out


def response_obj(resp: Response) -> dict:
    """The Go ``httpd.Response`` shape (``results`` omitted when empty, ``error`` when unset)."""
    out: dict[str, Any] = {}
    if resp.results:
        out["results"] = [_result_obj(r) for r in resp.results]
    if resp.error:
        out["error"] = resp.error
    return out


_HTML = (("<", b"\\u003c"), (">", b"\\u003e"), ("&", b"\\u0026"),
         ("\u2028", b"\\u2028"), ("\u2029", b"\\u2029"))
_INDENT = re.compile(rb"(?m)^( +)")


def go_json(obj: Any, pretty: bool = False) -> bytes:
    """``json.Marshal`` (or ``MarshalIndent(obj, "", "    ")``) of a JSON-ready object."""
    if pretty:
        out = orjson.dumps(obj, option=orjson.OPT_INDENT_2)
        out = _INDENT.sub(lambda m: m.group(1) * 2, out)
    else:
        out = orjson.dumps(obj)
    for ch, esc in _HTML:
        b = ch.encode()
        if b in out:
            out = out.replace(b, esc)  # only strings can hold these characters
    return out


def encode_json(resp: Response, pretty: bool = False) -> bytes:
    return go_json(response_obj(resp), pretty) + b"\n"


# -- CSV ------------------------------------------------------------------------------------

_NEEDS_QUOTE = re.compile(r'[,"\r\n]')
# Go's unicode.IsSpace (Unicode White_Space); Python's str.isspace also takes \x1c-\x1f.
_GO_SPACE = frozenset("\t\n\v\f\r \x85\xa0\u1680\u2000\u2001\u2002\u2003\u2004\u2005\u2006"
                      "\u2007\u2008\u2009\u200a\u2028\u2029\u202f\u205f\u3000")


def _csv_field(s: str) -> str:
    if not s:
        return s
    if s == "\\." or _NEEDS_QUOTE.search(s) or s[0] in _GO_SPACE:
        return '"' + s.replace('"', '""') + '"'
    return s


def _csv_value(v: Any) -> str:
    if v is None:
        return ""
    t = type(v)
    if t is str:
        return v
    if t is bool:
        return "true" if v else "false"
    if t is int:
        return str(v)
    if t is float:
        if math.isnan(v):
            return "NaN"
        if math.isinf(v):
            return "+Inf" if v > 0 else "-Inf"
        if v == 0:
            return "-0" if math.copysign(1.0, v) < 0 else "0"
        return _go_f(v)
    return str(v)


def _csv_str(v: str) -> str:
    return _csv_field(v) if v else v


_QUOTE_RE = r'[,"\r\n]|^\s|^\\\.$'


def _csv_column(col: tuple) -> pl.Series:
    """One column's CSV text as a String Series, vectorised per type (Python for mixed types)."""
    types = set(map(type, col)) - {type(None)}
    if types <= {int} and types:
        try:
            return pl.Series(col, dtype=pl.Int64).cast(pl.String).fill_null("")
        except (OverflowError, TypeError):  # beyond int64 (unsigned fields)
            return pl.Series(list(map(_csv_value, col)), dtype=pl.String)
    if types == {str}:
        v = pl.Series(col, dtype=pl.String)
        quoted = '"' + v.str.replace_all('"', '""', literal=True) + '"'
        return pl.select(pl.when(v.str.contains(_QUOTE_RE)).then(quoted).otherwise(v)).to_series().fill_null("")
    if types == {bool}:
        return pl.Series(col, dtype=pl.Boolean).cast(pl.String).fill_null("")  # "true"/"false"
    if types == {float}:
        return _csv_float_column(col)
    return pl.Series([_csv_field(_csv_value(v)) for v in col], dtype=pl.String)


def _csv_float_column(col: tuple) -> pl.Series:
    """strconv.FormatFloat(v, 'f', -1, 64) for a whole column; Python only for rare values."""
    s = pl.Series(col, dtype=pl.Float64)
    a = s.abs()
    neg_zero = (s == 0) & ((1 / s) < 0)
    integral = (s == s.floor()) & (a < 2.0 ** 53) & ~neg_zero
    normal = (a >= 1e-4) & (a < 1e16) & (s != s.floor())
    text = pl.select(pl.when(integral).then(s.cast(pl.Int64, strict=False).cast(pl.String))
                     .when(normal).then(s.cast(pl.String)).otherwise(None)).to_series()
    missing = text.is_null() & s.is_not_null()
    if missing.any():
        vals = text.to_list()
        for i in missing.arg_true().to_list():
            vals[i] = _csv_value(col[i])
        text = pl.Series(vals, dtype=pl.String)
    return text.fill_null("")


_TAG_ESC = str.maketrans({",": "\\,", " ": "\\ ", "=": "\\="})


def tags_key(tags: dict[str, str] | None) -> str:
    """models.Tags.HashKey without its leading comma: sorted, escaped, empty values skipped."""
    if not tags:
        return ""
    return ",".join(f"{k.translate(_TAG_ESC)}={v.translate(_TAG_ESC)}"
                    for k, v in sorted(tags.items()) if v)


class CsvEncoder:
    """1.x's csvFormatter: one header per statement (and whenever columns change).

    Stateful so that chunks of one response continue the same table.
    Statement errors are not written (as in 1.x); a request-level error is.
    """

    def __init__(self) -> None:
        self.statement_id = -1

    @staticmethod
    def _rows(heads: list[str], values: list[list]) -> list[str]:
        """CSV lines of ``values`` (one ``heads[i]`` = "name,tags," per row).

        Small batches are formatted in Python; large ones column by column in Polars.
        """
        width = len(values[0]) if values else 0
        if len(values) < 64 or width == 0 or any(len(r) != width for r in values):
            return [h + ",".join(_csv_field(_csv_value(v)) for v in r) for h, r in zip(heads, values)]
        cols = [pl.Series("h", heads, dtype=pl.String),
                *(_csv_column(c).alias(f"c{i}") for i, c in enumerate(zip(*values)))]
        return pl.DataFrame(cols).select(
            pl.concat_str([pl.col("h"), pl.concat_str(pl.exclude("h"), separator=",")])).to_series().to_list()

    def encode(self, resp: Response) -> bytes:
        lines: list[str] = []
        if resp.error is not None:
            return ("error\n" + _csv_field(resp.error) + "\n").encode()
        for r in resp.results:
            if r.statement_id != self.statement_id:
                if not r.series:
                    continue
                if self.statement_id >= 0:
                    lines.append("")
                self.statement_id = r.statement_id
                lines.append(",".join(_csv_field(c) for c in ["name", "tags", *r.series[0].columns]))
            prev = None
            heads: list[str] = []
            rows: list[list] = []
            for s in r.series:
                if prev is not None and prev.columns != s.columns:
                    lines.extend(self._rows(heads, rows))
                    heads, rows = [], []
                    lines.append("")
                    lines.append(",".join(_csv_field(c) for c in ["name", "tags", *s.columns]))
                prev = s
                head = _csv_field(s.name) + "," + _csv_field(tags_key(s.tags)) + ","
                heads.extend([head] * len(s.values))
                rows.extend(s.values)
            if rows:
                lines.extend(self._rows(heads, rows))
        if not lines:
            return b""
        return ("\n".join(lines) + "\n").encode()


# -- msgpack ----------------------------------------------------------------------------------


_SMALL = {v: struct.pack(">b", v) for v in range(-32, 128)}


def _mp_int(v: int) -> bytes:
    """tinylib/msgp's AppendInt64: signed encodings (uint64 above int64's range)."""
    small = _SMALL.get(v)
    if small is not None:
        return small
    if 0 <= v <= 127 or -32 <= v < 0:
        return struct.pack(">b", v)
    if -128 <= v <= 127:
        return b"\xd0" + struct.pack(">b", v)
    if -32768 <= v <= 32767:
        return b"\xd1" + struct.pack(">h", v)
    if -2 ** 31 <= v < 2 ** 31:
        return b"\xd2" + struct.pack(">i", v)
    if -2 ** 63 <= v < 2 ** 63:
        return b"\xd3" + struct.pack(">q", v)
    return b"\xcf" + struct.pack(">Q", v)


_FLOAT = struct.Struct(">Bd")


def _mp_float(v: float) -> bytes:
    return _FLOAT.pack(0xCB, v)


def _mp_column(col: tuple, packer) -> list[bytes]:
    """One column's values encoded, with one encoder per type (msgp's int encodings)."""
    types = set(map(type, col))
    if types <= {int}:
        return list(map(_mp_int, col))
    if types <= {float}:
        return list(map(_mp_float, col))
    if int not in types and float not in types:
        return list(map(packer.pack, col))
    return [_mp_int(v) if type(v) is int else _mp_float(v) if type(v) is float else packer.pack(v) for v in col]


def _mp_rows(values: list[list], packer, ns_time: bool = False) -> bytes:
    """Rows of values; with ``ns_time`` the first column (int ns) becomes timestamps."""
    if not values:
        return b""
    width = len(values[0])
    if any(len(r) != width for r in values):
        return b"".join(packer.pack_array_header(len(r)) + b"".join(_mp_column(tuple(r), packer)) for r in values)
    head = packer.pack_array_header(width)
    cols = list(zip(*values))
    if ns_time and set(map(type, cols[0])) <= {int}:
        cols = [_mp_times(cols[0]), *[_mp_column(c, packer) for c in cols[1:]]]
    else:
        cols = [_mp_column(c, packer) for c in cols]
    return b"".join(head + b"".join(parts) for parts in zip(*cols))


def encode_msgpack(resp: Response, ns_times: bool = False) -> bytes:
    """1.x's msgpack body; ``ns_times``: time columns hold int ns to send as timestamps."""
    p = msgpack.Packer(use_bin_type=True)
    if resp.error is not None:
        return p.pack_map_header(1) + p.pack("error") + p.pack(resp.error)
    out = [p.pack_map_header(1), p.pack("results"), p.pack_array_header(len(resp.results))]
    for r in resp.results:
        if r.error:
            out += [p.pack_map_header(1), p.pack("error"), p.pack(r.error)]
            continue
        out += [p.pack_map_header(2 + bool(r.messages) + bool(r.partial)),
                p.pack("statement_id"), _mp_int(r.statement_id)]
        if r.messages:
            out += [p.pack("messages"), p.pack_array_header(len(r.messages))]
            for m in r.messages:
                d = m.to_json() if hasattr(m, "to_json") else m
                out += [p.pack_map_header(2), p.pack("level"), p.pack(d["level"]),
                        p.pack("text"), p.pack(d["text"])]
        out += [p.pack("series"), p.pack_array_header(len(r.series))]
        for s in r.series:
            out.append(p.pack_map_header(2 + bool(s.name) + bool(s.tags) + bool(s.partial)))
            if s.name:
                out += [p.pack("name"), p.pack(s.name)]
            if s.tags:
                out += [p.pack("tags"), p.pack(dict(sorted(s.tags.items())))]
            out += [p.pack("columns"), p.pack(list(s.columns)),
                    p.pack("values"), p.pack_array_header(len(s.values))]
            out.append(_mp_rows(s.values, p, ns_times and _has_time(s)))
            if s.partial:
                out += [p.pack("partial"), p.pack(True)]
        if r.partial:
            out += [p.pack("partial"), p.pack(True)]
    return b"".join(out)


class Encoder:
    """Encodes successive :class:`Response` objects of one request in one format."""

    def __init__(self, kind: str, pretty: bool = False, epoch: str | None = None):
        self.kind = kind
        self.pretty = pretty
        self.ns_times = not epoch  # msgpack: times still int ns, sent as timestamps
        self._csv = CsvEncoder() if kind == CSV else None

    def encode(self, resp: Response) -> bytes:
        if self.kind == CSV:
            return self._csv.encode(resp)
        if self.kind == MSGPACK:
            return encode_msgpack(resp, self.ns_times)
        return encode_json(resp, self.pretty)
