"""The ``values`` of a GROUP BY answer's many small series, written for all of them at once.

The series of such an answer share one :class:`tsdb_core.SeriesBlock` (their rows are runs
of one frame). Each column's cells become JSON text in one call: numbers by orjson from
the NumPy array (the rows path's writer, so its digits), strings straight from their Arrow
buffer, between quotes. A cell is then a (start, length) span of those bytes, and one
NumPy gather lays every row out, ``[cell,cell],``, end to end: a series' ``values`` is one
slice of the result. No Python object is made per row or per cell, and no Polars
expression runs (its fixed cost per call is more than the whole work for a few thousand rows).

Floats the rows path writes otherwise than orjson does (integral ones, those outside
1e-4 <= |v| < 1e16, ``-0.0``) are written by the rows path's own function, one by one.
A column of another type, or strings holding a null or a character Go escapes, make the
block unsuitable (:func:`block_cells` answers None): the rows path takes it.
"""
from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np
import orjson
import polars as pl

from .encode_json_frame import Layout
from .frame_pieces import INTS

_NUMPY = orjson.OPT_SERIALIZE_NUMPY
# bytes of a string that may need escaping (as encode_json_frame: a false alarm only falls back)
_MAYBE_ESCAPED = bytes(range(0x20)) + b'"\\<>&\xe2'


class BlockText:
    """Every row of a block as JSON text followed by the row separator, in one buffer."""

    __slots__ = ("first", "last", "sep", "data", "offsets")

    def __init__(self, lay: Layout, data: np.ndarray, offsets: np.ndarray) -> None:
        self.first, self.last, self.sep = lay.first, lay.last, len(lay.row_sep)
        self.data, self.offsets = memoryview(data), offsets.tolist()  # (Python ints: cheaper to slice with)

    def values(self, start: int, n: int) -> tuple[bytes, memoryview, bytes]:
        """``[row,row,...]`` of the rows ``start`` to ``start + n`` (``n`` > 0), in three pieces."""
        return self.first, self.data[self.offsets[start]:self.offsets[start + n] - self.sep], self.last

    def text(self, start: int, n: int) -> bytes:
        """:meth:`values` as one bytes object."""
        return b"%b%b%b" % self.values(start, n)


class BlockCells:
    """The cells of a block's columns as JSON text (strings without their quotes), before
    they are laid out in rows; ``infinite``: some float is infinite (the answer is an error)."""

    __slots__ = ("text", "cells", "quoted", "height", "infinite", "_laid")

    def __init__(self, text: bytes, cells: list, quoted: list[bool], height: int, infinite: bool) -> None:
        self.text, self.cells, self.quoted, self.height, self.infinite = text, cells, quoted, height, infinite
        self._laid: dict[int | None, BlockText] = {}

    def rows(self, indent: int | None = None, v3: bool = False) -> BlockText:
        """The rows, as Go's MarshalIndent writes a values array at ``indent`` (None: compact;
        ``v3``: serde_json's two-space steps)."""
        laid = self._laid.get(indent)
        if laid is None:
            laid = self._laid[indent] = _laid_out(self, Layout(indent, 2 if v3 else 4))
        return laid


def block_cells(frame: pl.DataFrame, json_float: Callable[[float], Any]) -> BlockCells | None:
    """The frame's cells (``json_float``: the rows path's replacement of a float whose orjson
    text is not the answer's), or None when some column is not written here."""
    texts, cells, quoted = [], [], []
    base, infinite = 0, False
    for s in frame.get_columns():
        dt = s.dtype
        if dt == pl.String:
            cell = _string_cells(s)
        elif dt in (pl.Float64, pl.Float32):
            x = s.cast(pl.Float64).to_numpy()
            infinite = infinite or bool(np.isinf(x).any())
            cell = _float_cells(x, json_float)
        elif dt in INTS or dt == pl.Boolean:
            cell = None if s.null_count() else _split(orjson.dumps(s.to_numpy(), option=_NUMPY))
        elif dt == pl.Null:
            cell = b"null", np.zeros(s.len(), dtype=np.int64), np.full(s.len(), 4, dtype=np.int64)
        else:
            cell = None
        if cell is None:
            return None
        text, starts, lens = cell
        texts.append(text)
        cells.append((starts + base, lens))
        quoted.append(dt == pl.String)
        base += len(text)
    return BlockCells(b"".join(texts), cells, quoted, frame.height, infinite)


def _laid_out(c: BlockCells, lay: Layout) -> BlockText:
    """Rows of literals and cells, laid end to end by one NumPy gather from the cells' text
    and the literals after it: each segment of a row is a (start, length) in that source."""
    q = ['"' if x else "" for x in c.quoted]
    lits = [lay.open_row + q[0], *(q[j - 1] + lay.cell_sep + q[j] for j in range(1, len(q))),
            q[-1] + lay.close_row + lay.row_sep]
    n, width = c.height, 2 * len(c.cells) + 1
    src = np.empty((n, width), dtype=np.int64)
    size = np.empty((n, width), dtype=np.int64)
    at = len(c.text)
    for j, lit in enumerate(lits):
        src[:, 2 * j], size[:, 2 * j] = at, len(lit)
        at += len(lit)
        if j < len(c.cells):
            src[:, 2 * j + 1], size[:, 2 * j + 1] = c.cells[j]
    source = np.frombuffer(c.text + "".join(lits).encode(), dtype=np.uint8)
    flat = size.ravel()
    ends = np.cumsum(flat)
    idx = np.repeat(src.ravel() - (ends - flat), flat) + np.arange(int(ends[-1]))
    offsets = np.zeros(n + 1, dtype=np.int64)
    offsets[1:] = ends[width - 1::width]
    return BlockText(lay, source[idx], offsets)


def _split(text: bytes) -> tuple[bytes, np.ndarray, np.ndarray]:
    """orjson's ``[a,b,c]`` of numbers, booleans and nulls (no comma inside a cell): each cell's span."""
    if len(text) == 2:
        return text, np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.int64)
    commas = np.flatnonzero(np.frombuffer(text, dtype=np.uint8) == 0x2C)
    starts = np.concatenate(([1], commas + 1))
    ends = np.concatenate((commas, [len(text) - 1]))
    return text, starts, ends - starts


def _float_cells(x: np.ndarray, json_float) -> tuple[bytes, np.ndarray, np.ndarray]:
    """Floats through orjson (a null is NaN: ``null``, as the rows path writes it); the cells
    orjson writes otherwise than the rows path, through ``json_float``."""
    text, starts, lens = _split(orjson.dumps(x, option=_NUMPY))
    with np.errstate(invalid="ignore"):
        a = np.abs(x)
        odd = ~((x != np.floor(x)) & (a >= 1e-4) & (a < 1e16)) & ~np.isnan(x)
    if not odd.any():
        return text, starts, lens
    where = np.flatnonzero(odd)
    more, mstarts, mlens = _split(orjson.dumps([json_float(v) for v in x[where].tolist()]))
    starts[where], lens[where] = mstarts + len(text), mlens
    return text + more, starts, lens


def _string_cells(s: pl.Series) -> tuple[bytes, np.ndarray, np.ndarray] | None:
    """Strings (their quotes are the literals'), straight from the Arrow buffer; None when one
    is null or may need escaping."""
    if s.null_count():
        return None
    a = s.to_arrow(compat_level=pl.CompatLevel.oldest())  # (one large_string array: 64-bit offsets)
    data = a.buffers()[2]
    text = data.to_pybytes() if data is not None else b""
    off = np.frombuffer(a.buffers()[1], dtype=np.int64)[a.offset:a.offset + len(a) + 1]
    text = text[off[0]:off[-1]]
    if len(text.translate(None, _MAYBE_ESCAPED)) != len(text):
        return None
    return text, off[:-1] - off[0], np.diff(off)
