"""The rows of a frame-backed series as InfluxDB 3's CSV and msgpack, written column by column.

A large answer reaches the shim as Polars frames (``Series.frame``), not Python rows. The
forms are :mod:`.encode_v3`'s (csv.rs, msgpack.rs with rmp_serde) and the bytes are its rows
path's, checked in tests/http/test_v3_frame_formats.py:

- CSV: each column becomes its text in Polars (floats in Rust's ``Display`` form: the
  shortest digits without an exponent, ``NaN``, ``inf``, ``-inf``, ``-0``; strings quoted
  only when they hold ``,`` or ``"``; nulls empty) and lines go out in pieces, as
  :mod:`.encode_csv_frame` writes 1.x's CSV.
- msgpack: each column becomes one cell per row in NumPy, laid out as
  :mod:`.encode_msgpack_frame` lays out 1.x's: integers in msgpack's smallest forms
  (unsigned ones for values >= 0, as the rows path's packer writes them), a float NaN or
  null as nil, an integral float below 2**63 as that integer, other floats as float64.
"""
from __future__ import annotations

from collections.abc import Iterator

import msgpack
import numpy as np
import polars as pl
import pyarrow as pa
import pyarrow.compute as pc

from .encode_csv_frame import float_text, lines_pieces
from .encode_msgpack_frame import (
    column_cells,
    filled_values,
    int_matrix,
    null_mask,
    with_nil,
)
from .frame_pieces import INTS, PIECE_ROWS, encodable, holds_any  # noqa: F401 (encodable re-exported)

_BIN = pa.large_binary()
_EMPTY = pa.scalar(b"", _BIN)
_PACKER = msgpack.Packer(use_bin_type=True)
_I64 = 2.0 ** 63

# -- CSV ------------------------------------------------------------------------------------------


def _csv_string(s: pl.Series) -> pl.Series | pl.Expr:
    """csv.rs ``csv_escape`` of a string column: quoted (quotes doubled) only where a value
    holds ``,`` or ``"`` (one look at the column's bytes first)."""
    c = pl.col(s.name)
    if not holds_any(s, b',"'):
        return c.fill_null("") if s.null_count() else c
    quoted = '"' + c.str.replace_all('"', '""', literal=True) + '"'
    return s.to_frame().select(pl.when(c.str.contains('[,"]')).then(quoted).otherwise(c).fill_null("")).to_series()


def _csv_column(s: pl.Series) -> pl.Series | pl.Expr:
    """One column's CSV fields (Rust's ``Display`` of each value)."""
    dt = s.dtype
    if dt in (pl.Float64, pl.Float32):
        return float_text(s, inf="inf")
    if dt == pl.String:
        return _csv_string(s)
    text = pl.col(s.name).cast(pl.String)  # integers, booleans ("true"/"false"), nulls
    return text.fill_null("") if s.null_count() or dt == pl.Null else text


def csv_pieces(frame: pl.DataFrame, head: str) -> Iterator[bytes]:
    """``head`` (the series' ``name,tags,``) + the row's fields, a line per row, in pieces."""
    return lines_pieces(frame, head, column_text=_csv_column)


# -- msgpack --------------------------------------------------------------------------------------

# msgpack-python's integer forms: (lowest, highest, tag, payload bytes), narrowest last
_FORMS = ((0, 2 ** 32 - 1, 0xCE, 4), (0, 65535, 0xCD, 2), (0, 255, 0xCC, 1),
          (-2 ** 31, -1, 0xD2, 4), (-32768, -1, 0xD1, 2), (-128, -1, 0xD0, 1))


def _int_matrix(v: np.ndarray, big: np.ndarray | None = None) -> tuple[np.ndarray, np.ndarray]:
    """int64 values (``big``: uint64 values past int64, held wrapped) as msgpack's smallest
    forms: a byte matrix of tag + big-endian payload, and each cell's length."""
    n = len(v)
    tag = np.where(v >= 0, np.uint8(0xCF), np.uint8(0xD3))
    k = np.full(n, 8, dtype=np.int64)
    for lo, hi, t, size in _FORMS:
        m = (v >= lo) & (v <= hi)
        if big is not None:
            m &= ~big
        tag[m], k[m] = t, size
    if big is not None:
        tag[big] = 0xCF
    return int_matrix(v, tag, k, big)


def _int_cells(a: pa.Array) -> pa.Array:
    raw = filled_values(a, 0)
    if raw.dtype == np.uint64:
        matrix, lengths = _int_matrix(raw.view(np.int64), raw > np.uint64(2 ** 63 - 1))
    else:
        matrix, lengths = _int_matrix(raw.astype(np.int64))
    return with_nil(matrix, lengths, null_mask(a))


def _float_cells(a: pa.Array) -> pa.Array:
    """value.rs: NaN (and null) nil, an integral value below 2**63 that integer, else float64."""
    x = filled_values(a, np.nan).astype(np.float64)
    with np.errstate(invalid="ignore"):
        at = np.flatnonzero(np.isfinite(x) & (x == np.floor(x)) & (np.abs(x) < _I64))
    matrix = np.empty((len(x), 9), dtype=np.uint8)
    matrix[:, 0] = 0xCB
    matrix[:, 1:] = x.astype(">f8").view(np.uint8).reshape(-1, 8)
    lengths = None
    if at.size:  # (usually a few: the integers' forms are worked out for those alone)
        lengths = np.full(len(x), 9, dtype=np.int64)
        matrix[at], lengths[at] = _int_matrix(x[at].astype(np.int64))
    nan = np.isnan(x)
    return with_nil(matrix, lengths, nan if nan.any() else None)


def _joined(frame: pl.DataFrame, head: pa.Scalar) -> tuple[memoryview, np.ndarray]:
    """Every row's msgpack array, in one buffer, and where each row starts in it (and the last ends)."""
    cells = [c for s in frame.get_columns() for c in column_cells(s, _int_cells, _float_cells)]
    joined = pc.binary_join_element_wise(head, *cells, _EMPTY)
    offsets = np.frombuffer(joined.buffers()[1], dtype=np.int64)[joined.offset:joined.offset + len(joined) + 1]
    return memoryview(joined.buffers()[2]), offsets


def _rows(frame: pl.DataFrame, head: pa.Scalar) -> memoryview:
    data, offsets = _joined(frame, head)
    return data[offsets[0]:offsets[-1]]  # (in place: no copy)


def msgpack_rows(frame: pl.DataFrame) -> tuple[memoryview, np.ndarray]:
    """A block's rows as msgpack arrays in one buffer, and each row's offset in it (the series
    sharing the block take runs of its rows)."""
    return _joined(frame, pa.scalar(_PACKER.pack_array_header(frame.width), _BIN))


def msgpack_values(frame: pl.DataFrame, piece_rows: int | None = None) -> Iterator[bytes]:
    """The frame's rows as msgpack arrays (no array header), in pieces of ``piece_rows``
    (default ``PIECE_ROWS``) rows."""
    piece_rows = piece_rows or PIECE_ROWS
    if not frame.width:
        return
    head = pa.scalar(_PACKER.pack_array_header(frame.width), _BIN)
    for start in range(0, frame.height, piece_rows):
        yield _rows(frame.slice(start, piece_rows), head)
