"""A compact answer's ``values`` written by Polars' CSV writer: rows spliced in Rust, no Python rows.

The column-by-column path (:mod:`.encode_json_frame`) casts every float to text and joins
the texts with ``concat_str``; most of a large answer's cost is that text and that join.
Polars' CSV writer formats floats and integers itself (a float's shortest digits, which are
Go's for finite, non-integral values with 1e-4 <= |v| < 1e16) and writes a row's cells in
one pass. So every column is handed to it as what JSON needs there: integers, nulls
(``null_value="null"``) and floats as they are (integral ones below 1e15 come out ``2.0``:
the ``.0`` is cut from each piece, unless a string could hold ``.0,``), strings quoted by
the writer (``quote_style="non_numeric"``). When some column needs its own text (strings
needing escapes, booleans, other floats) it is built as the column-by-column path builds
it and everything is written unquoted (``never``; neighbouring plain strings quoted in one
``concat_str``). The separator is ``,`` and the line ending ``],[``: a piece of rows is
``a,"b",c],[...],[``, written into one buffer and sent as it is.
"""
from __future__ import annotations

import io
from collections.abc import Iterator

import numpy as np
import polars as pl

from .encode_json_frame import _MAYBE_ESCAPED, _float_text, _Patched, _string_text
from .frame_pieces import PIECE_ROWS

_ROW_END = "],["


def _float_kind(s: pl.Series, v3: bool) -> str:
    """How the CSV writer can write a float column: ``clean`` (its text is the answer's for
    every cell: finite, non-integral, 1e-4 <= |v| < 1e16; nulls are ``null``), ``ints`` (the
    other cells integral below 1e15, written ``2.0`` for ``2``: the ``.0`` is cut from the
    piece afterwards; not InfluxDB 3's ``-0.0``, which it writes ``0``), else ``text``."""
    x = s.cast(pl.Float64).drop_nulls().to_numpy()
    with np.errstate(invalid="ignore"):
        a = np.abs(x)
        integral = x == np.floor(x)
        clean = (a >= 1e-4) & (a < 1e16) & ~integral
        if clean.all():
            return "clean"
        ints = integral & (a < 1e15)
        if v3:
            ints &= ~((x == 0) & np.signbit(x))
        return "ints" if (clean | ints).all() else "text"


_FAKE_INTS = (b".0,", b".0]")  # (in a string, they would look like the cut's integral floats)


def _string_marks(s: pl.Series) -> tuple[bool, bool]:
    """Whether some value of a string column may need escaping, and whether one holds ``.0,``
    or ``.0]`` (one look at its bytes)."""
    data = s.to_arrow(compat_level=pl.CompatLevel.oldest()).buffers()[2]
    if data is None:
        return False, False
    text = data.to_pybytes()
    return len(text.translate(None, _MAYBE_ESCAPED)) != len(text), b"." in text and any(f in text for f in _FAKE_INTS)


def _columns(frame: pl.DataFrame, v3: bool) -> tuple[pl.DataFrame, list[pl.Expr], dict[str, _Patched], str, bool]:
    """The columns to slice per piece, the expressions giving the CSV writer each cell's
    JSON text (or a value it writes as JSON does), the float columns to patch per piece,
    the writer's ``quote_style`` (``non_numeric``: it quotes the strings, when every column
    is a number, a null or a string needing nothing but quotes, the common case; else
    ``never``) and whether integral floats' ``.0`` is to be cut from each piece."""
    cols = [s.alias(f"c{i}") for i, s in enumerate(frame.get_columns())]
    marks = {s.name: _string_marks(s) for s in cols if s.dtype == pl.String}
    cut = not any(fake for _, fake in marks.values())
    prepared: dict[str, pl.Series] = {}
    patched: dict[str, _Patched] = {}
    out: list[pl.Expr] = []
    quoted: dict[int, bool] = {}  # where the strings needing nothing but quotes are in ``out``: holding a null?
    plain = pl.Boolean not in frame.dtypes  # (the writer would quote a boolean)
    ints = False
    for s in cols:
        name = s.name
        prepared[name] = s
        text: pl.Expr | pl.Series | _Patched | None = None
        if s.dtype in (pl.Float64, pl.Float32):
            if s.dtype == pl.Float32:
                prepared[name] = s.cast(pl.Float64)  # (the writer would write a float32's own digits)
            kind = _float_kind(s, v3)
            if kind == "text" or (kind == "ints" and not cut):
                text = _float_text(s, v3)
            ints = ints or kind == "ints"
        elif s.dtype == pl.String:
            if marks[name][0]:
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
        "non_numeric" if plain else "never", ints and cut


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


_FEW_CUTS = 256  # integral floats in a piece cut by joining the bytes around them, more by a mask


def _cut_ints(body: memoryview, few: int = _FEW_CUTS) -> memoryview | bytes:
    """A piece with integral floats' ``.0`` cut (``2.0,`` -> ``2,``, ``2.0]`` -> ``2]``): nothing
    else ends a cell in ``.0`` (``.0`` found as a 2-byte word at even and at odd offsets, in
    NumPy; a few cuts joined around, many dropped by one mask)."""
    buf = np.frombuffer(body, dtype=np.uint8)
    size = len(buf)
    if size < 3:
        return body
    dots = np.concatenate([np.flatnonzero(buf[k:k + (size - k) // 2 * 2].view("<u2") == 0x302E) * 2 + k
                           for k in (0, 1)])
    dots = dots[dots < size - 2]  # (a cut's ".0" is followed by "," or "]")
    after = buf[dots + 2]
    cut = dots[(after == 44) | (after == 93)]
    if not cut.size:
        return body
    if cut.size > few:
        keep = np.ones(size, dtype=bool)
        keep[cut] = keep[cut + 1] = False
        return buf[keep].tobytes()
    cut = np.sort(cut).tolist()
    ends = [0, *(c + 2 for c in cut)]
    return b"".join(body[a:b] for a, b in zip(ends, [*cut, size]))


def values_pieces(frame: pl.DataFrame, piece_rows: int | None = None, v3: bool = False) -> Iterator[bytes]:
    """``[[...],[...],...]``, compact: the frame's rows as JSON arrays in pieces of
    ``piece_rows`` (default ``PIECE_ROWS``) rows, byte for byte what
    :func:`.encode_json_frame.values_pieces` writes (``v3``: InfluxDB 3's forms). The cells'
    texts are computed once over the whole frame (no per-piece ``select``: a float column to
    patch keeps its name and is patched in each piece)."""
    piece_rows = piece_rows or PIECE_ROWS
    prepared, exprs, patched, quote_style, cut = _columns(frame, v3)
    n = prepared.height
    if not n:
        yield b"[]"
        return
    if quote_style == "never":  # (else ``exprs`` are the prepared columns themselves)
        prepared = prepared.select(exprs)
    yield b"[["
    for start in range(0, n, piece_rows):
        piece = prepared.slice(start, piece_rows)
        if patched:
            piece = piece.with_columns(p.piece(piece.get_column(k), start).alias(k) for k, p in patched.items())
        buf = io.BytesIO()
        piece.write_csv(buf, include_header=False, separator=",", line_terminator=_ROW_END,
                        quote_style=quote_style, null_value="null")
        body = buf.getbuffer()
        if cut:
            body = _cut_ints(body)
        yield body if start + piece_rows < n else body[:-2]  # (the last row's "]" kept, its ",[" dropped)
    yield b"]"
