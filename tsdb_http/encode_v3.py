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
and streamed piece by piece, and so are the series sharing a SeriesBlock (a GROUP BY answer's:
a run of them in one pass over the block); answers held as Python rows take the rows path
below, which the tests also use as the reference for the column paths' bytes.
"""
from __future__ import annotations

import math
from collections.abc import Iterator
from typing import Any

import msgpack
import numpy as np
import polars as pl

from tsdb_core import Series, StatementResult

from . import encode_v3_frame as v3_frame
from .encode_csv import plain_float
from .formats import Response
from .frame_pieces import block_rows_frame, block_run, pass_large

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


def _epoch_frame(frame: pl.DataFrame, epoch: str) -> pl.DataFrame:
    """``frame`` with its int ns time column (first) in ``epoch`` units; as it is without one."""
    if frame.width and frame.dtypes[0] == pl.Int64:
        return frame.with_columns(_epoch_expr(pl.col(frame.columns[0]), epoch))
    return frame


def render_times(results: list[StatementResult], epoch: str | None) -> None:
    """int ns time cells (rows or frames) → ``epoch`` units, in place; without ``epoch`` times
    stay as they are (RFC 3339 text from the core, or ns for CSV)."""
    if not epoch or epoch == "ns":
        return
    blocks: set[int] = set()  # (a block's time column converted once, for all its series)
    for st in results:
        for s in st.series:
            if not s.columns or s.columns[0] != "time":
                continue
            frame, span = s.frame, s.span
            if span is not None:
                if id(span[0]) not in blocks:
                    blocks.add(id(span[0]))
                    span[0].frame = _epoch_frame(span[0].frame, epoch)
                continue
            if frame is not None:
                s.frame = _epoch_frame(frame, epoch)
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
            skip = 0
            for i, s in enumerate(r.series):
                if i < skip or not s.n_rows:
                    continue
                if r.statement_id not in self.headed:
                    self.headed.add(r.statement_id)
                    if r.statement_id != 0:
                        lines.append("")
                    lines.append("name,tags" + "".join("," + c for c in s.columns))
                run = block_run(r.series, i)
                if run is not None:  # series sharing a block (a GROUP BY answer's): written from its columns
                    if lines:
                        yield ("\n".join(lines) + "\n").encode()
                        lines = []
                    frame, heads = _block_lines(r.series, i, run)
                    skip = run
                    yield from v3_frame.csv_pieces(frame, heads)
                    continue
                head = _head(s)
                frame = _written_frame(s)
                if frame is not None:
                    if lines:
                        yield ("\n".join(lines) + "\n").encode()
                        lines = []
                    yield from v3_frame.csv_pieces(frame, head)
                    continue
                lines.extend(_csv_rows(head, s.values))
        if lines:
            yield ("\n".join(lines) + "\n").encode()


def _head(s: Series) -> str:
    """A row's ``name,tags,`` (every tag, empty values too, sorted)."""
    tags = ",".join(f"{k}={v}" for k, v in sorted((s.tags or {}).items()))
    return _escape(s.name or "") + "," + _escape(tags) + ","


def _block_lines(series: list[Series], i: int, j: int) -> tuple[pl.DataFrame, pl.Series]:
    """The rows of series ``i`` to ``j`` (spans of one block), and each row's head."""
    spans = [s.span for s in series[i:j]]
    heads = pl.Series([_head(s) for s in series[i:j]], dtype=pl.String)
    which = np.repeat(np.arange(len(spans)), [n for _, _, n in spans])
    return spans[0][0].frame.slice(spans[0][1], len(which)), heads.gather(which)


def _written_frame(s: Series) -> pl.DataFrame | None:
    """The frame the series' rows are written from (its own, or its rows of a block), or None
    when they are written from Python rows (rows not built, types the frame encoders write)."""
    frame, span = s.frame, s.span
    if span is not None:
        frame = span[0].frame.slice(span[1], span[2])
    if frame is not None and frame.width > 0 and (frame.height > 0 or span is not None) and v3_frame.encodable(frame):
        return frame
    return None


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
        blocked: dict[int, tuple] = {}  # series index -> (rows' bytes, their offsets, first row)
        for i, s in enumerate(r.series):
            if i not in blocked:
                blocked.update(_block_rows(r.series, i))
            if i in blocked:  # a span of a block written from its columns: its rows' bytes, in place
                data, offsets, first = blocked.pop(i)
                _, start, n = s.span
                out += [_mp_series_head(s, p), data[offsets[start - first]:offsets[start - first + n]]]
                if s.partial:
                    out.append(p.pack(True))
                continue
            frame = _written_frame(s)
            if frame is None or (s.span is not None and frame.height < _MP_FRAME_ROWS):
                out.append(p.pack(_mp_series(s)))
                continue
            out.append(_mp_series_head(s, p))
            yield from pass_large(out, v3_frame.msgpack_values(frame))
            if s.partial:
                out.append(p.pack(True))
        if r.partial:
            out.append(p.pack(True))
        if r.error:
            out.append(p.pack(r.error))
    yield b"".join(out)


# below this many rows a block's rows are packed faster from Python rows: the Arrow path's fixed
# cost (~0.5 ms) outweighs its per-row gain (measured, 3 and 11 columns: even at 500 to 600 rows)
_MP_FRAME_ROWS = 512


def _block_rows(series: list[Series], i: int) -> dict[int, tuple]:
    """For a run of series from ``i`` sharing one block (a GROUP BY answer's), the block's
    rows written once from its columns, by series index; nothing when there is no such run
    or it is small (``_MP_FRAME_ROWS``: its series are packed from their rows)."""
    run = block_rows_frame(series, i)
    if run is None or run[1].height < _MP_FRAME_ROWS:
        return {}
    j, frame = run
    data, offsets = v3_frame.msgpack_rows(frame)
    return {k: (data, offsets, series[i].span[1]) for k in range(i, j)}


def _mp_series_head(s: Series, p: msgpack.Packer) -> bytes:
    """A frame-backed series' array up to its values' rows (:func:`_mp_series`'s fields, the
    values' array header only when it has rows)."""
    head = [s.name] if s.name else []
    tags = s.tags
    if tags:
        head.append(dict(sorted(tags.items())) if len(tags) > 1 else tags)
    if s.columns:
        head.append(s.columns)
    # the fields packed as one array of at most 3 (a one-byte header), its header then swapped
    # for the series' own: fields, values, partial (a GROUP BY answer has a head per series)
    n = s.n_rows  # (no rows: no values field)
    out = bytes((0x90 | (len(head) + bool(n) + bool(s.partial)),)) + p.pack(head)[1:]
    return out + p.pack_array_header(n) if n else out


__all__ = ["CsvEncoder", "encode_msgpack", "epoch_value", "msgpack_pieces", "render_times"]
