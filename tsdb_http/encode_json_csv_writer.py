"""A compact answer's ``values`` written by Polars' CSV writer: rows spliced in Rust, no Python rows.

The column-by-column path (:mod:`.encode_json_frame`) casts every float to text and joins
the texts with ``concat_str``; most of a large answer's cost is that text and that join.
Polars' CSV writer formats floats and integers itself (a float's shortest digits, which are
Go's for finite, non-integral values with 1e-4 <= |v| < 1e16) and writes a row's cells in
one pass. So every column is handed to it as what JSON needs there, unquoted
(``quote_style="never"``): integers, booleans, nulls (``null_value="null"``) and floats that
need nothing as they are; other floats and strings as their JSON text, built as the
column-by-column path builds it (neighbouring strings that need no escaping quoted in one
``concat_str``). The separator is ``,`` and the line ending ``],[``: a piece of rows is
``a,"b",c],[...],[``, written into one buffer and sent as it is.
"""
from __future__ import annotations

import io
from collections.abc import Iterator

import numpy as np
import polars as pl

from .encode_json_frame import _float_text, _may_escape, _Patched, _string_text
from .frame_pieces import PIECE_ROWS

_ROW_END = "],["


def _clean_floats(s: pl.Series) -> bool:
    """Whether the CSV writer writes every cell of a float column as the answer does: finite,
    non-integral, 1e-4 <= |v| < 1e16 (nulls are ``null``)."""
    x = s.cast(pl.Float64).drop_nulls().to_numpy()
    with np.errstate(invalid="ignore"):
        a = np.abs(x)
        return bool(((a >= 1e-4) & (a < 1e16) & (x != np.floor(x))).all())


def _columns(frame: pl.DataFrame, v3: bool) -> tuple[pl.DataFrame, list[pl.Expr], dict[str, _Patched], str]:
    """The columns to slice per piece, the expressions giving the CSV writer each cell's
    JSON text (or a value it writes as JSON does), the float columns to patch per piece, and
    the writer's ``quote_style``: ``non_numeric`` (it quotes the strings) when every column
    is a number, a null or a string needing nothing but quotes (the common case), else
    ``never``."""
    prepared: dict[str, pl.Series] = {}
    patched: dict[str, _Patched] = {}
    out: list[pl.Expr] = []
    quoted: dict[int, bool] = {}  # where the strings needing nothing but quotes are in ``out``: holding a null?
    plain = pl.Boolean not in frame.dtypes  # (the writer would quote a boolean)
    for i, s in enumerate(frame.get_columns()):
        name = f"c{i}"
        s = s.alias(name)
        prepared[name] = s
        text: pl.Expr | pl.Series | _Patched | None = None
        if s.dtype in (pl.Float64, pl.Float32):
            if s.dtype == pl.Float32:
                prepared[name] = s.cast(pl.Float64)  # (the writer would write a float32's own digits)
            if not _clean_floats(s):
                text = _float_text(s, v3)
        elif s.dtype == pl.String:
            if _may_escape(s):
                text = _string_text(s, v3)
            else:  # (``never``: quoted in :func:`_quoted`; ``non_numeric``: by the writer, a null written as null)
                quoted[len(out)] = bool(s.null_count())
        plain = plain and not isinstance(text, (pl.Expr, pl.Series, _Patched))
        if isinstance(text, _Patched):
            patched[name], text = text, pl.col(name)
        elif isinstance(text, pl.Series):
            prepared[name], text = text.alias(name), pl.col(name)
        out.append(pl.col(name) if text is None else text.alias(name))
    return pl.DataFrame(prepared), out if plain else _quoted(out, quoted), patched, \
        "non_numeric" if plain else "never"


def _quoted(exprs: list[pl.Expr], quoted: dict[int, bool]) -> list[pl.Expr]:
    """``exprs`` with the strings at ``quoted`` between their quotes: a run of neighbours
    holding no null in one ``concat_str``, one holding a null alone (its nulls ``null``)."""
    out: list[pl.Expr] = []
    run: list[pl.Expr] = []
    for i, e in enumerate(exprs):
        if quoted.get(i) is False:
            run += [e, pl.lit('","')]
            if quoted.get(i + 1) is not False:
                out.append(pl.concat_str([pl.lit('"'), *run[:-1], pl.lit('"')]).alias(f"q{i}"))
                run = []
        elif i in quoted:
            out.append(pl.concat_str([pl.lit('"'), e, pl.lit('"')]).fill_null(pl.lit("null")).alias(f"q{i}"))
        else:
            out.append(e)
    return out


def values_pieces(frame: pl.DataFrame, piece_rows: int | None = None, v3: bool = False) -> Iterator[bytes]:
    """``[[...],[...],...]``, compact: the frame's rows as JSON arrays in pieces of
    ``piece_rows`` (default ``PIECE_ROWS``) rows, byte for byte what
    :func:`.encode_json_frame.values_pieces` writes (``v3``: InfluxDB 3's forms)."""
    piece_rows = piece_rows or PIECE_ROWS
    prepared, exprs, patched, quote_style = _columns(frame, v3)
    n = prepared.height
    if not n:
        yield b"[]"
        return
    yield b"[["
    for start in range(0, n, piece_rows):
        piece = prepared.slice(start, piece_rows)
        if patched:
            piece = piece.with_columns(p.piece(piece.get_column(k), start).alias(k) for k, p in patched.items())
        buf = io.BytesIO()
        piece.select(exprs).write_csv(buf, include_header=False, separator=",", line_terminator=_ROW_END,
                                      quote_style=quote_style, null_value="null")
        body = buf.getbuffer()
        yield body if start + piece_rows < n else body[:-2]  # (the last row's "]" kept, its ",[" dropped)
    yield b"]"
