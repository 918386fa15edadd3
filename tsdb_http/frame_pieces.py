"""What the frame encoders (JSON, CSV, msgpack) share: which frames they write, how many rows
go in a piece of a streamed answer, and one look at a string column's bytes."""
from __future__ import annotations

from collections.abc import Iterator

import numpy as np
import polars as pl
import pyarrow as pa

PIECE_ROWS = 4096  # rows per piece of a streamed answer

INTS = (pl.Int8, pl.Int16, pl.Int32, pl.Int64, pl.UInt8, pl.UInt16, pl.UInt32, pl.UInt64)


def encodable(frame: pl.DataFrame) -> bool:
    """Whether every column has a type the frame encoders write (else the series goes the rows path)."""
    return all(dt in INTS or dt in (pl.Float64, pl.Float32, pl.Boolean, pl.String, pl.Null)
               for dt in frame.dtypes)


def binary_value(frame: pl.DataFrame, expr: pl.Expr) -> memoryview:
    """The one Binary value ``expr`` writes over ``frame`` (a piece of an answer), seen in
    place in its Arrow buffer: no copy into a Python bytes object (the server copies it once,
    into its socket's buffer)."""
    a = frame.select(expr.alias("v")).to_series().to_arrow()  # (a name may hold a NUL: Arrow refuses it)
    if a.type != pa.large_binary():
        a = a.cast(pa.large_binary())
    data = a.buffers()[2]
    if data is None:
        return memoryview(b"")
    lo, hi = np.frombuffer(a.buffers()[1], dtype=np.int64)[a.offset:a.offset + 2]
    return memoryview(data)[lo:hi]


def holds_any(s: pl.Series, chars: bytes) -> bool:
    """Whether some value of a string column holds one of ``chars`` (bytes): one pass in C over
    the column's Arrow data, no per-value work."""
    data = s.to_arrow(compat_level=pl.CompatLevel.oldest()).buffers()[2]
    if data is None:
        return False
    text = data.to_pybytes()
    return len(text.translate(None, chars)) != len(text)


def block_run(series: list, i: int) -> int | None:
    """The end of the run of series from ``i`` that are consecutive spans of one block (the
    same columns, the block's frame one the frame encoders write), when it holds two or more."""
    span = series[i].span
    if span is None or not span[0].frame.width or not encodable(span[0].frame):
        return None
    block, at = span[0], span[1] + span[2]
    j = i + 1
    while j < len(series):
        sp = series[j].span
        if sp is None or sp[0] is not block or sp[1] != at or series[j].columns != series[i].columns:
            break
        at += sp[2]
        j += 1
    return j if j - i > 1 else None


def block_rows_frame(series: list, i: int):
    """``(end, frame)``: the run of series from ``i`` sharing one block (:func:`block_run`) and
    the block's rows they span, for encoders that write the run once; None without a run."""
    j = block_run(series, i)
    if j is None:
        return None
    first, last = series[i].span, series[j - 1].span
    return j, first[0].frame.slice(first[1], last[1] + last[2] - first[1])


MIN_PIECE = 1 << 16  # bytes: smaller pieces of a streamed answer wait for the next


def pass_large(out: list, pieces) -> Iterator[bytes]:
    """Small ``pieces`` appended to ``out``; a large one (``MIN_PIECE`` or more) sent as it is
    (not copied into a join), after ``out`` joined and emptied."""
    for piece in pieces:
        if len(piece) >= MIN_PIECE:
            if out:
                yield b"".join(out)
                out.clear()
            yield piece
        else:
            out.append(piece)
