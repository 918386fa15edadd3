"""Parquet encodings per column, chosen from the data a file starts with.

Every layout keeps each value bit for bit (NaN payloads, -0.0). A float column whose
values are all decimals with a few digits (every ``x`` equal, as IEEE doubles, to
``k / 10**s`` for an integer ``|k| <= 2**53`` and ``s <= MAX_SCALE``: readings reported as
``12.34``) is stored as DECIMAL(18, s) on INT64 with DELTA_BINARY_PACKED: neighbouring
readings of a series differ by a few units of ``10**-s``, so the deltas take ~9-10 bits
where a double takes 64. Any Parquet reader gets the decimal numbers; the double is their
correctly rounded quotient (``k`` and ``10**s`` are exact doubles and IEEE division is
correctly rounded), which Polars' and DuckDB's casts to double compute and :func:`as_floats`
uses to read them back; pyarrow's own decimal-to-double cast does not (it misses by an ulp
for many values). The schema metadata ``tsdb.decimal_floats`` lists such columns.
Every other float column stays a Parquet DOUBLE; only how the doubles are laid out in the
pages differs.

Which layout is smallest depends on the values: full-precision measurements share
little but their sign, exponent and high mantissa bytes, which BYTE_STREAM_SPLIT
groups so zstd can squeeze them; values reported with a few decimals repeat often,
and whole repeated doubles are what PLAIN lets zstd match (BYTE_STREAM_SPLIT scatters
them over eight streams), while a column with few distinct values is smallest as a
dictionary, the more so the larger the row groups (its page is written once per row group).
The choice is made by compressing a sample of the column each way (its first row group, at
most ``SAMPLE_ROWS`` values), so it costs a few milliseconds per file; a decimal layout is
then checked on every value written (:func:`to_decimal`).
Tags stay dictionary-encoded, integers and time delta-encoded.

``python -m bench.disk_encodings`` measures each choice on the benchmark data.
"""
from __future__ import annotations

import numpy as np
import polars as pl
import pyarrow as pa

DICTIONARY, PLAIN, BYTE_STREAM_SPLIT = "RLE_DICTIONARY", "PLAIN", "BYTE_STREAM_SPLIT"
DECIMAL = "DECIMAL"  # DECIMAL(18, scale) on INT64, DELTA_BINARY_PACKED
SAMPLE_ROWS = 65_536  # at most: a column is judged on its first row group, or this much of it
MAX_SCALE = 9  # decimal digits tried
PRECISION = 18  # the most an INT64 decimal holds; |k| <= 2**53 keeps k an exact double anyway
DECIMAL_COLUMNS_KEY = "tsdb.decimal_floats"  # schema metadata: float columns stored as decimals
_EXACT = float(1 << 53)
_CODEC = "zstd"


def _compressed(data: bytes) -> int:
    return len(pa.compress(data, codec=_CODEC, asbytes=True))


def float_sizes(values: np.ndarray) -> dict[str, int]:
    """Estimated bytes of ``values`` (float64, nulls left out) under each encoding, zstd-compressed."""
    raw = np.ascontiguousarray(values, dtype=np.float64)
    if raw.size == 0:
        return {BYTE_STREAM_SPLIT: 0, PLAIN: 0, DICTIONARY: 0}
    as_bits = raw.view(np.uint64)
    split = as_bits.view(np.uint8).reshape(-1, 8).T.tobytes()
    return {
        BYTE_STREAM_SPLIT: _compressed(split),
        PLAIN: _compressed(as_bits.tobytes()),
        DICTIONARY: dictionary_size(raw),
    }


def dictionary_size(values: np.ndarray) -> int:
    """Estimated bytes of float64 ``values`` as a dictionary: its page (distinct values in order
    of appearance) compressed plus bit-packed indices, which zstd rarely shrinks."""
    as_bits = values.view(np.uint64)
    distinct, first = np.unique(as_bits, return_index=True)  # by bits: NaN payloads and -0.0 stay apart
    page = as_bits[np.sort(first)].tobytes()
    width = max(1, int(len(distinct) - 1).bit_length())
    return _compressed(page) + (values.size * width + 7) // 8


def float_encoding(values: np.ndarray) -> str:
    """The smallest encoding for a float column judged on ``values`` (its first row group's
    non-null values, at most ``SAMPLE_ROWS`` are used); BYTE_STREAM_SPLIT, the layout for
    measurements, on a tie or when there is nothing to judge."""
    sizes = float_sizes(values[:SAMPLE_ROWS])
    best = min(sizes.values())
    return BYTE_STREAM_SPLIT if sizes[BYTE_STREAM_SPLIT] == best else min(sizes, key=sizes.get)


def scaled(values: np.ndarray, scale: int) -> np.ndarray | None:
    """``k`` (int64) with ``k / 10**scale`` equal to ``values`` bit for bit and ``|k| <= 2**53``,
    or None when some value is not such a decimal (NaN, infinities and -0.0 never are)."""
    x = np.ascontiguousarray(values, dtype=np.float64)
    p = 10.0 ** scale
    with np.errstate(all="ignore"):
        r = np.rint(x * p)
        if not (np.abs(r) <= _EXACT).all():
            return None
    k = r.astype(np.int64)
    if not np.array_equal((k / p).view(np.uint64), x.view(np.uint64)):
        return None
    return k


def decimal_scale(values: np.ndarray) -> int | None:
    """The fewest decimal digits (<= MAX_SCALE) that write every one of ``values`` exactly; None
    when none do. A short prefix rejects full-precision data before the whole is tried."""
    if values.size == 0:
        return None
    head = values[:256]
    for s in range(MAX_SCALE + 1):
        if scaled(head, s) is not None and scaled(values, s) is not None:
            return s
    return None


def delta_size(k: np.ndarray) -> int:
    """Estimated bytes of int64 ``k`` under DELTA_BINARY_PACKED: blocks of 128 deltas less the
    block's least, bit-packed per miniblock of 32 at the widest one's width, plus headers
    (zstd rarely shrinks packed deltas of measurements, so it is left out)."""
    d = np.diff(k)
    if d.size == 0:
        return 16
    pad = (-d.size) % 128
    if pad:
        d = np.concatenate([d, np.full(pad, d[-1], dtype=np.int64)])
    blocks = d.reshape(-1, 128)
    spread = (blocks - blocks.min(axis=1, keepdims=True)).reshape(-1, 4, 32).max(axis=2)
    widths = np.frexp(spread.astype(np.float64))[1]  # the bit length (0 for 0)
    return int(widths.sum()) * 4 + blocks.shape[0] * 14 + 16


def float_layout(values: np.ndarray) -> tuple[str, int | None]:
    """(encoding, decimal scale or None) for a float column judged on ``values`` (its first
    row group's non-null values, at most ``SAMPLE_ROWS``): DECIMAL when they are all decimals
    of a few digits and the packed deltas are smaller than the best DOUBLE layout."""
    sample = np.ascontiguousarray(values[:SAMPLE_ROWS], dtype=np.float64)
    scale = decimal_scale(sample)
    if scale is None:
        return float_encoding(sample), None
    # Decimals with few digits: packed deltas, or a dictionary when there are few distinct
    # values (BYTE_STREAM_SPLIT and PLAIN lose to one of the two on such data, and cost most).
    if delta_size(scaled(sample, scale)) <= dictionary_size(sample):
        return DECIMAL, scale
    return DICTIONARY, None


def to_decimal(column: pa.Array | pa.ChunkedArray, scale: int) -> pa.Array | None:
    """A float64 column as DECIMAL(PRECISION, scale) (nulls kept); None when a value is not
    exactly such a decimal (the column must then stay DOUBLE)."""
    arr = column.combine_chunks() if isinstance(column, pa.ChunkedArray) else column
    x = arr.to_numpy(zero_copy_only=False)
    mask = None
    if arr.null_count:
        mask = arr.is_null().to_numpy(zero_copy_only=False)
        x = np.where(mask, 0.0, x)
    k = scaled(x, scale)
    if k is None:
        return None
    return pa.array(k, mask=mask).view(pa.decimal64(PRECISION, scale))


def decimal_columns(schema) -> list[str]:
    """Names of the DECIMAL columns of a Polars schema (float columns stored as decimals)."""
    return [c for c, t in schema.items() if t.base_type() is pl.Decimal]


def as_floats(frame, schema=None, counted: frozenset[str] = frozenset()):
    """``frame`` (Polars, eager or lazy; ``schema`` its schema when known) with its DECIMAL
    columns read back as the doubles that were written: Polars' decimal-to-double cast divides
    the exact integer by the exact power of ten, so the result is correctly rounded, the double
    written (tests/storage/test_decimal.py). A column in ``counted`` (the reader only counts its
    values) keeps only its nulls: 0.0 where a value is, no conversion of the values."""
    if schema is None:
        schema = frame.schema if isinstance(frame, pl.DataFrame) else frame.collect_schema()
    cols = decimal_columns(schema)
    if not cols:
        return frame
    return frame.with_columns([pl.col(c).cast(pl.Float64) if c not in counted else
                               pl.when(pl.col(c).is_not_null()).then(pl.lit(0.0)).alias(c) for c in cols])
