"""The rows of a frame-backed series as 1.x's CSV, written column by column.

A large answer reaches the shim as Polars frames (``Series.frame``), not Python rows. Each
column becomes its CSV text in Polars (integers and booleans cast, floats in Go's ``'f'``
form, strings quoted where Go's encoding/csv quotes them), a line is the series' ``name,tags,``
and the columns' texts joined, and lines go out in pieces of ``PIECE_ROWS``. The bytes are
the rows path's (:meth:`.encode_csv.CsvEncoder._rows`), checked in
tests/http/test_encode_frame_formats.py.
"""
from __future__ import annotations

from collections.abc import Iterator

import numpy as np
import polars as pl

from .formats import go_f
from .frame_pieces import INTS, PIECE_ROWS, binary_value, encodable, holds_any  # noqa: F401 (encodable re-exported)

# encoding/csv's fieldNeedsQuotes: a comma, quote or line break, a leading Unicode space, `\.`
QUOTE_RE = r'[,"\r\n]|^\s|^\\\.$'
# bytes without which no value needs quotes: those, the ASCII spaces, the lead bytes of the
# other Unicode spaces (U+0085, U+00A0, U+1680, U+2000-U+3000) and the backslash of `\.`
_MAY_QUOTE = b',"\r\n\t\v\f \\\xc2\xe1\xe2\xe3'



def quoted(v: pl.Expr) -> pl.Expr:
    """A string column's CSV fields: quoted (inner quotes doubled) where Go quotes them."""
    return pl.when(v.str.contains(QUOTE_RE)).then('"' + v.str.replace_all('"', '""', literal=True) + '"') \
        .otherwise(v)


def float_text(s: pl.Series, inf: str = "+Inf") -> pl.Series | pl.Expr:
    """strconv.FormatFloat(v, 'f', -1, 64) of a column (NaN, ``+Inf``, ``-Inf``, ``-0``; null
    empty; ``inf``: the word for +Inf, ``-`` + it stripped of its sign for -Inf). Polars' text is Go's for fractional values with 1e-4 <= |v| < 1e16 (the common
    case: one cast per piece) and, without its ``.0``, for integral ones below 1e16 (``-0``
    too); Python writes the rest."""
    x = s.cast(pl.Float64)
    v = x.to_numpy()  # (a null is NaN here)
    c = pl.col(s.name).cast(pl.Float64)
    with np.errstate(invalid="ignore"):
        a = np.abs(v)
        integral = a == np.floor(a)
        if not integral.any() and ((a >= 1e-4) & (a < 1e16)).all():
            return c.cast(pl.String)
        odd = np.flatnonzero(np.isfinite(a) & (a != 0) & ((a < 1e-4) | (a >= 1e16)))
    text = c.cast(pl.String).str.strip_suffix(".0")
    if np.isinf(a).any() or np.isnan(a).any():
        text = pl.when(c.is_nan()).then(pl.lit("NaN")).when(c == float("inf")).then(pl.lit(inf)) \
            .when(c == float("-inf")).then(pl.lit("-" + inf.lstrip("+"))).otherwise(text)
    text = text.fill_null("")
    if not odd.size:
        return text
    return s.to_frame().select(text).to_series().scatter(odd, [go_f(f) for f in x.gather(odd).to_list()])


def _string_text(s: pl.Series) -> pl.Series | pl.Expr:
    """A string column's fields: the column itself unless some value needs quotes (one pass
    in C over the column's bytes; the regular expression only when one of them is there)."""
    c = pl.col(s.name)
    if not holds_any(s, _MAY_QUOTE) or not s.str.contains(QUOTE_RE).any():
        return c.fill_null("") if s.null_count() else c
    return s.to_frame().select(quoted(c).fill_null("")).to_series()


def _column_text(s: pl.Series) -> pl.Series | pl.Expr:
    """One column's CSV fields: an expression applied per piece, or a prepared Series."""
    dt = s.dtype
    if dt in (pl.Float64, pl.Float32):
        return float_text(s)
    if dt == pl.String:
        return _string_text(s)
    c = pl.col(s.name)
    text = c.cast(pl.String)  # integers, booleans ("true"/"false"), nulls
    return text.fill_null("") if s.null_count() or dt == pl.Null else text


def lines_pieces(frame: pl.DataFrame, head: str | pl.Series, piece_rows: int | None = None,
                 column_text=_column_text) -> Iterator[bytes]:
    """``head`` + the row's fields, one line per row (each ending in a line break), in pieces
    of ``piece_rows`` (default ``PIECE_ROWS``) rows (views of their Arrow buffers); ``column_text``: a column's fields (an
    expression applied per piece, or a prepared Series), 1.x's by default. ``head`` may be
    a String Series: each row's own (the series sharing a block, each with its name and tags)."""
    piece_rows = piece_rows or PIECE_ROWS
    prepared, parts = {}, []
    if isinstance(head, pl.Series):
        prepared["head"], head = head.alias("head"), pl.col("head")
    else:
        head = pl.lit(head)
    for i, s in enumerate(frame.get_columns()):
        s = s.alias(f"c{i}")
        t = column_text(s)
        prepared[s.name] = t.alias(s.name) if isinstance(t, pl.Series) else s
        parts.append(pl.col(s.name) if isinstance(t, pl.Series) else t)
    texts = pl.DataFrame(prepared)
    line = (pl.concat_str([head, pl.concat_str(parts, separator=",")]).str.join("\n") + "\n").cast(pl.Binary)
    for start in range(0, texts.height, piece_rows):
        yield binary_value(texts.slice(start, piece_rows), line)
