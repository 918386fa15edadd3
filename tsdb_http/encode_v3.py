"""CSV, msgpack and epochs of /query as InfluxDB 3 writes them (requests: :mod:`.v3_params`).

InfluxDB 3's v1 query API (crate ``iox_v1_query_api`` of influxdata/influxdb and
influxdata/influxdb3_core; the files named below are under its ``src/``):

- ``response/csv.rs`` CsvStream: statements that fail or hold no rows write nothing; a
  statement's first rows are preceded by ``\\n`` (unless it is statement 0) and its header
  ``name,tags,<columns>`` (names as they are); each row is ``name,tags,values`` where the name
  and ``k=v,k2=v2`` (every tag, empty values too) are quoted only when they hold ``,`` or ``"``,
  as are string values; values are Rust's ``Display`` (floats ``1``, ``0.0000001``, ``NaN``,
  ``inf``, ``-inf``, ``-0``; null empty); times are integers in the ``epoch`` unit (default ns).
- ``response/msgpack.rs`` + rmp_serde 1.3.1 ``Serializer::new`` (its default config writes a
  struct as an array of its present fields, no keys): ``[[[statement_id, [series...], partial?,
  error?]...]]``, a series ``[name?, tags?, columns?, values?, partial?]``; ``value.rs``'s forms
  (integral floats below 2**63 as integers, NaN nil, infinities as float64 (``allow_inf``)),
  integers in rmp's smallest encodings (``write_sint``), times RFC 3339 text without ``epoch``.
- ``value.rs`` / chrono: ``epoch`` ``u``/``ms``/``s`` floor the time (``timestamp_micros`` ...),
  ``m``/``h``/``d``/``w`` divide the floored seconds, rounding toward zero.

Frame-backed series (large answers) are written from their columns by :mod:`.encode_v3_frame`
and streamed piece by piece; answers held as Python rows take the rows path below, which the
tests also use as the reference for the frame path's bytes.
"""
from __future__ import annotations

import math
from collections.abc import Iterator
from typing import Any

import msgpack
import polars as pl

from tsdb_core import Series, StatementResult

from . import encode_v3_frame as v3_frame
from .encode_csv import plain_float
from .formats import Response
from .frame_pieces import pass_large

# -- epochs ------------------------------------------------------------------------------------

_FLOORED = {"ns": 1, "u": 1_000, "µ": 1_000, "ms": 1_000_000, "s": 1_000_000_000}
_SECONDS = {"m": 60, "h": 3_600, "d": 86_400, "w": 604_800}


def epoch_value(ns: int, epoch: str) -> int:
    """A time in ``epoch`` units as v3 writes it (see the module docstring)."""
    div = _FLOORED.get(epoch)
    if div is not None:
        return ns // div
    s, k = ns // 1_000_000_000, _SECONDS[epoch]
    return s // k if s >= 0 else -(-s // k)


def _epoch_expr(c: pl.Expr, epoch: str) -> pl.Expr:
    div = _FLOORED.get(epoch)
    if div is not None:
        return c // div
    s, k = c // 1_000_000_000, _SECONDS[epoch]
    return pl.when(s >= 0).then(s // k).otherwise(-((-s) // k))


def render_times(results: list[StatementResult], epoch: str | None) -> None:
    """int ns time cells (rows or frames) → ``epoch`` units, in place; without ``epoch`` times
    stay as they are (RFC 3339 text from the core, or ns for CSV)."""
    if not epoch or epoch == "ns":
        return
    for st in results:
        for s in st.series:
            if not s.columns or s.columns[0] != "time":
                continue
            frame = s.frame
            if frame is not None:
                if frame.width and frame.dtypes[0] == pl.Int64:
                    s.frame = frame.with_columns(_epoch_expr(pl.col(frame.columns[0]), epoch))
                continue
            for row in s.values:
                if type(row[0]) is int:
                    row[0] = epoch_value(row[0], epoch)


# -- CSV -----------------------------------------------------------------------------------------

def _escape(s: str) -> str:
    """csv.rs ``csv_escape``: quoted (quotes doubled) only when it holds ``,`` or ``"``."""
    if "," in s or '"' in s:
        return '"' + s.replace('"', '""') + '"'
    return s


def rust_float(v: float) -> str:
    """Rust's ``Display`` of an f64: shortest digits, never an exponent (Go's ``'f', -1``)."""
    return plain_float(v, inf="inf")


def csv_value(v: Any) -> str:
    """One value as ``format!("{value}")`` writes it, escaped."""
    t = type(v)
    if t is str:
        return _escape(v)
    if v is None:
        return ""
    if t is float:
        return rust_float(v)
    if t is bool:
        return "true" if v else "false"
    return str(v)


_QUOTE = r'[,"]'


def _csv_column(col: tuple) -> pl.Series:
    """One column's texts: Polars for all-int, all-string and all-float columns, else per value."""
    types = set(map(type, col)) - {type(None)}
    if types == {int}:
        try:
            return pl.Series(col, dtype=pl.Int64).cast(pl.String).fill_null("")
        except (OverflowError, TypeError):  # unsigned values past int64
            pass
    elif types == {str}:
        v = pl.Series(col, dtype=pl.String)
        quoted = '"' + v.str.replace_all('"', '""', literal=True) + '"'
        return pl.select(pl.when(v.str.contains(_QUOTE)).then(quoted).otherwise(v)).to_series().fill_null("")
    elif types == {float}:
        s = pl.Series(col, dtype=pl.Float64)
        plain = (s != s.floor()) & (s.abs() >= 1e-4) & (s.abs() < 1e15)  # Polars writes Rust's digits
        text = pl.select(pl.when(plain).then(s.cast(pl.String))).to_series()
        rare = (~plain.fill_null(False)).arg_true()
        if rare.len():
            text = text.scatter(rare, [csv_value(col[i]) for i in rare.to_list()])
        return text
    return pl.Series([csv_value(v) for v in col], dtype=pl.String)


def _csv_rows(head: str, values: list) -> list[str]:
    width = len(values[0])
    if len(values) < 64 or any(len(r) != width for r in values):
        return [head + ",".join(map(csv_value, r)) for r in values]
    cols = [_csv_column(c).alias(f"c{i}") for i, c in enumerate(zip(*values))]
    return (head + pl.DataFrame(cols).select(pl.concat_str(pl.all(), separator=",")).to_series()).to_list()


class CsvEncoder:
    """csv.rs CsvStream over the responses of one request (chunked or not: v3's CSV is one stream)."""

    def __init__(self) -> None:
        self.headed: set[int] = set()

    def encode(self, resp: Response) -> bytes:
        """One response as csv.rs writes it (a header once per statement of the request)."""
        return b"".join(self.pieces(resp))

    def pieces(self, resp: Response) -> Iterator[bytes]:
        """:meth:`encode`'s bytes in pieces: a frame-backed series' lines written from its
        columns (:mod:`.encode_v3_frame`) piece by piece, the rest from its rows."""
        lines: list[str] = []
        for r in resp.results:
            if r.error:
                continue
            for s in r.series:
                if not s.n_rows:
                    continue
                if r.statement_id not in self.headed:
                    self.headed.add(r.statement_id)
                    if r.statement_id != 0:
                        lines.append("")
                    lines.append("name,tags" + "".join("," + c for c in s.columns))
                tags = ",".join(f"{k}={v}" for k, v in sorted((s.tags or {}).items()))
                head = _escape(s.name or "") + "," + _escape(tags) + ","
                if _framed(s):
                    if lines:
                        yield ("\n".join(lines) + "\n").encode()
                        lines = []
                    yield from v3_frame.csv_pieces(s.frame, head)
                    continue
                lines.extend(_csv_rows(head, s.values))
        if lines:
            yield ("\n".join(lines) + "\n").encode()


def _framed(s: Series) -> bool:
    """Whether the series' rows are written from its frame (rows not built, types written)."""
    return s.frame is not None and s.frame.width > 0 and s.frame.height > 0 and v3_frame.encodable(s.frame)


# -- msgpack ---------------------------------------------------------------------------------------

_I64 = 2.0 ** 63


def _mp_float(v: float) -> Any:
    if math.isnan(v):
        return None
    if v.is_integer() and abs(v) < _I64:
        return int(v)
    return v


def _mp_rows(values: list) -> list:
    if not any(type(v) is float for row in values for v in row):
        return values
    return [[_mp_float(v) if type(v) is float else v for v in row] for row in values]


def _mp_series(s: Series) -> list:
    out: list = []
    if s.name:
        out.append(s.name)
    if s.tags:
        out.append(dict(sorted(s.tags.items())))
    if s.columns:
        out.append(list(s.columns))
    if s.n_rows:
        out.append(s.values if s.no_floats else _mp_rows(s.values))
    if s.partial:
        out.append(True)
    return out


def _mp_statement(r: StatementResult) -> list:
    out: list = [r.statement_id]
    if r.series:
        out.append([_mp_series(s) for s in r.series])
    if r.partial:
        out.append(True)
    if r.error:
        out.append(r.error)
    return out


def encode_msgpack(resp: Response) -> bytes:
    """One response as rmp_serde writes ResponseSerializer (structs as arrays)."""
    return b"".join(msgpack_pieces(resp))


def msgpack_pieces(resp: Response) -> Iterator[bytes]:
    """:func:`encode_msgpack`'s bytes in pieces: a frame-backed series' values written from its
    columns (:mod:`.encode_v3_frame`) piece by piece, the rest packed from its rows (pieces
    shorter than ``MIN_PIECE`` are joined to the next, longer ones sent as they are)."""
    if not resp.results:
        return  # no statement: nothing is sent
    p = msgpack.Packer(use_bin_type=True)
    out = [p.pack_array_header(1), p.pack_array_header(len(resp.results))]
    for r in resp.results:
        out += [p.pack_array_header(1 + bool(r.series) + bool(r.partial) + bool(r.error)), p.pack(r.statement_id)]
        if r.series:
            out.append(p.pack_array_header(len(r.series)))
        for s in r.series:
            if not _framed(s):
                out.append(p.pack(_mp_series(s)))
                continue
            out.append(_mp_series_head(s, p))
            yield from pass_large(out, v3_frame.msgpack_values(s.frame))
            if s.partial:
                out.append(p.pack(True))
        if r.partial:
            out.append(p.pack(True))
        if r.error:
            out.append(p.pack(r.error))
    yield b"".join(out)


def _mp_series_head(s: Series, p: msgpack.Packer) -> bytes:
    """A frame-backed series' array up to its values' rows (:func:`_mp_series`'s fields)."""
    head = [s.name] if s.name else []
    if s.tags:
        head.append(dict(sorted(s.tags.items())))
    if s.columns:
        head.append(list(s.columns))
    n = len(head) + 1 + bool(s.partial)
    return p.pack_array_header(n) + b"".join(map(p.pack, head)) + p.pack_array_header(s.n_rows)


__all__ = ["CsvEncoder", "encode_msgpack", "epoch_value", "msgpack_pieces", "render_times"]
