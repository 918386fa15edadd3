"""The ``values`` of a frame-backed series as Go's JSON, written column by column.

A large answer reaches the shim as Polars frames (``Series.frame``), not Python rows.
Each column becomes JSON text in Polars (numbers cast to text, strings quoted), a row is
the columns' texts joined, and rows go out in pieces of ``PIECE_ROWS``: the first bytes
leave before the rest is converted and no piece holds more than a slice of the answer.
The text is the rows path's, byte for byte (tests/http/test_encode_frame.py): Polars
writes a float's shortest digits as orjson and Go do for 1e-4 <= |v| < 1e15 (``2.0``
is trimmed to Go's ``2``); the few values outside that range, non-finite values (``null``)
and strings holding characters Go escapes are written by the rows path's own functions.
With ``v3=True`` floats take InfluxDB 3's forms (:mod:`.v3_floats`), as the rows path's do.
"""
from __future__ import annotations

from collections.abc import Iterator

import numpy as np
import polars as pl

from .formats import go_json, go_json_float, v3_json
from .frame_pieces import INTS, PIECE_ROWS, binary_value, encodable, holds_any  # noqa: F401 (encodable re-exported)
from .v3_floats import I64_LIMIT, v3_json_float

# bytes of a UTF-8 string that may need escaping: controls, '"', '\\', '<', '>', '&' and the
# lead byte of U+2028/U+2029 (a false alarm only sends the column the careful way)
_MAYBE_ESCAPED = bytes(range(0x20)) + b'"\\<>&\xe2'
# characters orjson escapes in a string (then go_json's HTML and line-separator forms)
_ESCAPED = r'["\\<>&\x00-\x1f\x{2028}\x{2029}]'



def _float_text(s: pl.Series, v3: bool = False) -> _Patched | pl.Expr:
    """A float column as Go writes it (``null`` for NaN, infinities and nulls).

    Polars' text is Go's for finite, non-integral values with 1e-4 <= |v| < 1e15 (the
    common case: one cast, per piece); the other values are patched in: integral ones
    as Polars' integers, non-finite ones as ``null``, the rest written by
    :func:`go_json_float` (``v3``: by :func:`v3_json_float`; InfluxDB 3 writes ``-0.0``
    as ``0`` and integral values up to 2**63 as integers).
    """
    x = s.cast(pl.Float64)
    v = x.to_numpy()  # (a null is NaN here)
    with np.errstate(invalid="ignore"):
        a = np.abs(v)
        finite = np.isfinite(a)
        integral = finite & (a == np.floor(a))
        if not integral.any() and finite.all() and ((a >= 1e-4) & (a < 1e15)).all():
            return pl.col(s.name).cast(pl.Float64).cast(pl.String)
        ints = integral & (a < I64_LIMIT) if v3 else integral & (a < 2.0 ** 53) & ~((v == 0) & np.signbit(v))
        odd = finite & ~ints & ((a < 1e-4) | (a >= 1e15))
    where = np.flatnonzero(ints | odd | ~finite)
    texts = pl.repeat("null", len(where), eager=True)
    for mask, new in ((ints, lambda i: x.gather(i).cast(pl.Int64).cast(pl.String)),
                      (odd, lambda i: [(v3_json_float if v3 else go_json_float)(f) for f in x.gather(i).to_list()])):
        i = np.flatnonzero(mask)
        if i.size:
            texts = texts.scatter(np.searchsorted(where, i), new(i))
    return _Patched(where, texts)


class _Patched:
    """A float column's text, written piece by piece: Polars' cast with the values it
    writes otherwise (at ``where``, ascending) replaced by ``texts``."""

    __slots__ = ("where", "texts")

    def __init__(self, where: np.ndarray, texts: pl.Series) -> None:
        self.where, self.texts = where, texts

    def piece(self, col: pl.Series, start: int) -> pl.Series:
        """The text of ``col``, the rows from ``start`` of the whole column, patched."""
        lo, hi = np.searchsorted(self.where, [start, start + len(col)])
        text = col.cast(pl.Float64).cast(pl.String)
        return text.scatter(self.where[lo:hi] - start, self.texts[lo:hi]) if hi > lo else text


def _may_escape(s: pl.Series) -> bool:
    """Whether some byte of the column's text may need escaping (one look at its Arrow data)."""
    return holds_any(s, _MAYBE_ESCAPED)


def _string_text(s: pl.Series, v3: bool = False) -> pl.Series | pl.Expr | None:
    """A string column as JSON strings: None when the row's literal quotes are all it needs
    (no null, nothing to escape); values holding escaped characters through go_json (``v3``:
    serde_json's escapes, :func:`.formats.v3_json`)."""
    if not _may_escape(s):
        return None if not s.null_count() else pl.format('"{}"', pl.col(s.name)).fill_null(pl.lit("null"))
    escaped = s.str.contains(_ESCAPED)
    c = pl.col(s.name)
    odd = s.filter(escaped).unique()
    dump = v3_json if v3 else go_json
    texts = [dump(v).decode() for v in odd.to_list()]
    quoted = pl.format('"{}"', c).fill_null(pl.lit("null"))
    return s.to_frame().select(pl.when(escaped).then(c.replace_strict(odd, texts, default=None))
                               .otherwise(quoted)).to_series()


def _text(s: pl.Series, v3: bool = False) -> _Patched | pl.Series | pl.Expr | None:
    """One column's JSON text: an expression applied per piece, a float column's text
    patched per piece, a prepared Series (strings with escapes), or None: a string written
    between the row's literal quotes."""
    dt = s.dtype
    if dt in (pl.Float64, pl.Float32):
        return _float_text(s, v3)
    if dt == pl.String:
        return _string_text(s, v3)
    text = pl.col(s.name).cast(pl.String)  # integers, booleans, nulls
    return text.fill_null(pl.lit("null")) if s.null_count() else text


class _Layout:
    """Where a values array's brackets, commas and line breaks go: compact, or indented as
    Go's ``MarshalIndent(v, "", "    ")`` writes an array at ``indent`` spaces (``step=2``:
    serde_json's PrettyFormatter)."""

    __slots__ = ("open_row", "cell_sep", "close_row", "row_sep", "first", "last")

    def __init__(self, indent: int | None = None, step: int = 4) -> None:
        if indent is None:
            self.open_row, self.cell_sep, self.close_row, self.row_sep = "[", ",", "]", ","
            self.first, self.last = b"[", b"]"
            return
        row, cell = "\n" + " " * (indent + step), "\n" + " " * (indent + 2 * step)
        self.open_row, self.cell_sep, self.close_row, self.row_sep = "[" + cell, "," + cell, row + "]", "," + row
        self.first, self.last = ("[" + row).encode(), ("\n" + " " * indent + "]").encode()


def _row_expr(frame: pl.DataFrame, lay: _Layout, v3: bool = False) -> tuple[pl.DataFrame, pl.Expr, dict]:
    """The columns to slice (prepared texts replacing their columns), one expression
    writing a piece's rows: ``[a,"b",c],[...]``, literals and column texts concatenated
    (a run of neighbours of one kind joined with their separator in one step), and the
    columns to patch in each piece first (name -> :class:`_Patched`)."""
    runs: list[tuple[bool, list[pl.Expr]]] = []  # (between quotes, texts)
    prepared, patched = {}, {}
    for i, s in enumerate(frame.get_columns()):
        name = f"c{i}"
        t = _text(s.alias(name), v3)
        prepared[name] = t.alias(name) if isinstance(t, pl.Series) else s.alias(name)
        if isinstance(t, _Patched):
            patched[name] = t
        text = t if isinstance(t, pl.Expr) else pl.col(name)
        if runs and runs[-1][0] == (t is None):
            runs[-1][1].append(text)
        else:
            runs.append((t is None, [text]))
    parts: list[pl.Expr] = []
    lit = lay.open_row
    for quoted, texts in runs:
        q = '"' if quoted else ""
        parts += [pl.lit(lit + q), texts[0] if len(texts) == 1 else
                  pl.concat_str(texts, separator=q + lay.cell_sep + q)]
        lit = q + lay.cell_sep
    parts.append(pl.lit(lit[:-len(lay.cell_sep)] + lay.close_row))
    return pl.DataFrame(prepared), pl.concat_str(parts).str.join(lay.row_sep).cast(pl.Binary), patched


def values_pieces(frame: pl.DataFrame, piece_rows: int | None = None, indent: int | None = None,
                  v3: bool = False) -> Iterator[bytes]:
    """``[[...],[...],...]``: the frame's rows as JSON arrays, in pieces of ``piece_rows``
    (default ``PIECE_ROWS``) rows, each between its opening or separating bytes and, last,
    the closing ones (bytes-like: a piece is a view of its Arrow buffer); with ``indent``, as Go's MarshalIndent writes them there;
    ``v3``: floats, strings and indentation in InfluxDB 3's (serde_json's) forms."""
    piece_rows = piece_rows or PIECE_ROWS
    lay = _Layout(indent, 2 if v3 else 4)
    texts, row, patched = _row_expr(frame, lay, v3)
    n = texts.height
    between = lay.row_sep.encode()
    for start in range(0, n, piece_rows):
        piece = texts.slice(start, piece_rows)
        if patched:
            piece = piece.with_columns(p.piece(piece.get_column(k), start).alias(k) for k, p in patched.items())
        yield lay.first if start == 0 else between
        yield binary_value(piece, row)  # (seen in place: the caller sends large pieces as they are)
        if start + piece_rows >= n:
            yield lay.last
