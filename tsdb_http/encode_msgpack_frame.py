"""The ``values`` of a frame-backed series as tinylib/msgp writes them, column by column.

A large answer reaches the shim as Polars frames (``Series.frame``), not Python rows. Each
column becomes one msgpack cell per row in NumPy: a cell is laid out in a fixed-width byte
matrix (the widest form of its column: tag byte + 8 payload bytes for numbers, 15 bytes
for a time extension, the length header of a string) with its length beside it, and one
boolean mask keeps each cell's bytes. Arrow joins a row's cells behind the row's array
header. Rows go out in pieces of ``PIECE_ROWS``. The bytes are the rows path's
(:func:`.encode_msgpack._mp_rows`), checked in tests/http/test_encode_frame_formats.py.
"""
from __future__ import annotations

from collections.abc import Iterator

import msgpack
import numpy as np
import polars as pl
import pyarrow as pa
import pyarrow.compute as pc

from .frame_pieces import INTS, PIECE_ROWS, encodable  # noqa: F401 (encodable re-exported)

_NIL, _TRUE, _FALSE, _FLOAT = 0xC0, 0xC3, 0xC2, 0xCB
_BIN = pa.large_binary()
_EMPTY = pa.scalar(b"", _BIN)
_PACKER = msgpack.Packer(use_bin_type=True)



def packed_cells(matrix: np.ndarray, lengths: np.ndarray | None) -> pa.Array:
    """Each row's first ``lengths[i]`` bytes of ``matrix`` as one binary cell (all of them
    when ``lengths`` is None): the cells' bytes are the masked matrix, in row order."""
    n, width = matrix.shape
    if lengths is None:
        data = np.ascontiguousarray(matrix).reshape(-1)
        offsets = np.arange(0, (n + 1) * width, width, dtype=np.int64)
    else:
        data = matrix[np.arange(width, dtype=np.int64)[None, :] < lengths[:, None]]
        offsets = np.zeros(n + 1, dtype=np.int64)
        np.cumsum(lengths, out=offsets[1:])
    return pa.Array.from_buffers(_BIN, n, [None, pa.py_buffer(offsets), pa.py_buffer(data)])


def arrow_array(s: pl.Series) -> pa.Array:
    """The column as Arrow (renamed: a name may hold a NUL, which an Arrow schema refuses)."""
    return s.alias("s").to_arrow(compat_level=pl.CompatLevel.oldest())


def null_mask(a: pa.Array) -> np.ndarray | None:
    """Where ``a`` is null, as NumPy booleans; None when nothing is (the common case costs nothing)."""
    return a.is_null().to_numpy(zero_copy_only=False) if a.null_count else None


def filled_values(a: pa.Array, fill) -> np.ndarray:
    """``a`` as NumPy with nulls replaced by ``fill`` (their cells are written as nil elsewhere)."""
    return (pc.fill_null(a, fill) if a.null_count else a).to_numpy(zero_copy_only=False)


def _int_cells(a: pa.Array) -> pa.Array:
    """msgp's AppendInt64 (signed encodings; a uint64 beyond int64's range as ``cf``)."""
    n = len(a)
    raw = filled_values(a, 0)
    v = raw.astype(np.int64) if raw.dtype != np.uint64 else raw.view(np.int64)
    # payload bytes and tag of each value's form: fixint, d0 (int8), d1, d2, d3 (int64)
    k = np.full(n, 8, dtype=np.int64)
    tag = np.full(n, 0xD3, dtype=np.uint8)
    for lo, hi, size, t in ((-2 ** 31, 2 ** 31 - 1, 4, 0xD2), (-32768, 32767, 2, 0xD1), (-128, -33, 1, 0xD0)):
        m = (v >= lo) & (v <= hi)
        k[m], tag[m] = size, t
    big = None
    if raw.dtype == np.uint64:
        big = raw > np.uint64(2 ** 63 - 1)
        k[big], tag[big] = 8, 0xCF
    matrix, lengths = int_matrix(v, tag, k, big)
    return with_nil(matrix, lengths, null_mask(a))


def int_matrix(v: np.ndarray, tag: np.ndarray, k: np.ndarray, big: np.ndarray | None) -> tuple[np.ndarray, np.ndarray]:
    """Each integer's msgpack bytes (a row of 9, and its length): ``tag`` then the last ``k``
    of its big-endian bytes; -32..127 (unless ``big``: a uint64 past int64) as one fixint byte."""
    be = v.astype(">i8").view(np.uint8).reshape(len(v), 8)
    matrix = np.empty((len(v), 9), dtype=np.uint8)
    matrix[:, 0] = tag
    matrix[:, 1:] = np.take_along_axis(be, np.minimum((8 - k)[:, None] + np.arange(8), 7), axis=1)
    lengths = k + 1
    fix = (v >= -32) & (v <= 127)
    if big is not None:
        fix &= ~big
    matrix[fix, 0] = be[fix, 7]
    lengths[fix] = 1
    return matrix, lengths


def with_nil(matrix: np.ndarray, lengths: np.ndarray | None, nulls: np.ndarray | None) -> pa.Array:
    """:func:`packed_cells` with null rows written as nil (``c0``)."""
    if nulls is not None:
        if lengths is None:
            lengths = np.full(len(matrix), matrix.shape[1], dtype=np.int64)
        matrix[nulls, 0] = _NIL
        lengths[nulls] = 1
    return packed_cells(matrix, lengths)


def _float_cells(a: pa.Array) -> pa.Array:
    """float64 (``cb`` + 8 bytes; a float32 widened as the rows path widens it)."""
    x = filled_values(a, 0.0).astype(">f8")
    matrix = np.empty((len(x), 9), dtype=np.uint8)
    matrix[:, 0] = _FLOAT
    matrix[:, 1:] = x.view(np.uint8).reshape(-1, 8)
    return with_nil(matrix, None, null_mask(a))


def bool_cells(a: pa.Array) -> pa.Array:
    """Booleans as msgpack's one-byte true/false cells, nulls as nil."""
    matrix = np.where(filled_values(a, False), np.uint8(_TRUE), np.uint8(_FALSE)).astype(np.uint8)[:, None]
    return with_nil(matrix, None, null_mask(a))


def string_cells(a: pa.Array) -> list[pa.Array]:
    """str with msgpack-python's headers (``use_bin_type``: fixstr, str8, str16, str32): each
    value's header cell, then its UTF-8 bytes (nil and no bytes for a null)."""
    nulls = null_mask(a)
    text = (pc.fill_null(a, "") if a.null_count else a).cast(_BIN)
    size = pc.binary_length(text).to_numpy(zero_copy_only=False).astype(np.int64)
    if not size.size or size.max() < 32:  # tags and short strings: fixstr only
        return [with_nil((0xA0 | size).astype(np.uint8)[:, None], None, nulls), text]
    n = len(size)
    be = size.astype(">u4").view(np.uint8).reshape(n, 4)
    fix, m8, m16 = size < 32, size < 256, size < 65536
    matrix = np.empty((n, 5), dtype=np.uint8)
    matrix[:, 0] = np.where(fix, 0xA0 | size, np.where(m8, 0xD9, np.where(m16, 0xDA, 0xDB)))
    matrix[:, 1:] = np.where(m8[:, None], be[:, [3, 0, 0, 0]], np.where(m16[:, None], be[:, [2, 3, 0, 0]], be))
    lengths = np.where(fix, 1, np.where(m8, 2, np.where(m16, 3, 5)))
    return [with_nil(matrix, lengths, nulls), text]


_TIME = np.dtype([("tag", "u1"), ("size", "u1"), ("type", "u1"), ("sec", ">i8"), ("nsec", ">u4")])


def _time_cells(s: pl.Series) -> pa.Array:
    """int64 ns as msgp's time extension (ext8 type 5: int64 seconds, uint32 ns)."""
    rec = np.empty(len(s), dtype=_TIME)
    rec["tag"], rec["size"], rec["type"] = 0xC7, 12, 5
    rec["sec"], rec["nsec"] = np.divmod(s.to_numpy().astype(np.int64), 1_000_000_000)
    return packed_cells(rec.view(np.uint8).reshape(len(s), 15), None)


def column_cells(s: pl.Series, int_cells=None, float_cells=None) -> list[pa.Array]:
    """A column's bytes per row, as one or more binary arrays to write one after the other;
    numbers in msgp's forms unless ``int_cells``/``float_cells`` write them (InfluxDB 3's)."""
    dt = s.dtype
    if dt == pl.Null:
        return [packed_cells(np.full((len(s), 1), _NIL, dtype=np.uint8), None)]
    a = arrow_array(s)
    if dt == pl.String:
        return string_cells(a)
    if dt in INTS:
        return [(int_cells or _int_cells)(a)]
    if dt in (pl.Float64, pl.Float32):
        return [(float_cells or _float_cells)(a)]
    return [bool_cells(a)]


def _rows(frame: pl.DataFrame, head: pa.Scalar, ns_time: bool) -> memoryview:
    data, offsets = rows_bytes(frame, head, ns_time)
    return data[offsets[0]:offsets[-1]]  # (in place: no copy)


def rows_bytes(frame: pl.DataFrame, head: pa.Scalar, ns_time: bool) -> tuple[memoryview, np.ndarray]:
    """Every row's msgpack array, in one buffer, and where each row starts in it (and the last ends)."""
    cols = frame.get_columns()
    cells = [_time_cells(cols[0])] if ns_time else column_cells(cols[0])
    for s in cols[1:]:
        cells += column_cells(s)
    joined = pc.binary_join_element_wise(head, *cells, _EMPTY)
    offsets = np.frombuffer(joined.buffers()[1], dtype=np.int64)[joined.offset:joined.offset + len(joined) + 1]
    return memoryview(joined.buffers()[2]), offsets


def block_rows(frame: pl.DataFrame, ns_time: bool = False) -> tuple[memoryview, np.ndarray]:
    """:func:`rows_bytes` of a block's frame (the series sharing it take runs of its rows)."""
    ns_time = ns_time and frame.dtypes[0] in INTS and not frame.get_column(frame.columns[0]).null_count()
    return rows_bytes(frame, pa.scalar(_PACKER.pack_array_header(frame.width), _BIN), ns_time)


def values_pieces(frame: pl.DataFrame, ns_time: bool = False, piece_rows: int | None = None) -> Iterator[bytes]:
    """The frame's rows as msgpack arrays, in pieces of ``piece_rows`` (default
    ``PIECE_ROWS``) rows; ``ns_time``: the first column (int ns, no null) as timestamps."""
    piece_rows = piece_rows or PIECE_ROWS
    if not frame.width or not frame.height:
        return
    ns_time = ns_time and frame.dtypes[0] in INTS and not frame.get_column(frame.columns[0]).null_count()
    head = pa.scalar(_PACKER.pack_array_header(frame.width), _BIN)
    for start in range(0, frame.height, piece_rows):
        yield _rows(frame.slice(start, piece_rows), head, ns_time)
