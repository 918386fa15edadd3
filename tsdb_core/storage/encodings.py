"""Parquet encodings per column, chosen from the data a file starts with.

Every float column stays a Parquet DOUBLE, so any reader (Polars, DuckDB, pyiceberg,
Spark) reads the same numbers without help; only how the doubles are laid out in the
pages differs, and every layout keeps each value bit for bit (NaN payloads, -0.0).

Which layout is smallest depends on the values: full-precision measurements share
little but their sign, exponent and high mantissa bytes, which BYTE_STREAM_SPLIT
groups so zstd can squeeze them; values reported with a few decimals repeat often,
and whole repeated doubles are what PLAIN lets zstd match (BYTE_STREAM_SPLIT scatters
them over eight streams), while a column with few distinct values is smallest as a
dictionary, the more so the larger the row groups (its page is written once per row group).
The choice is made by compressing a sample of the column each way (its first row group, at
most ``SAMPLE_ROWS`` values), so it costs a few milliseconds per file.
Tags stay dictionary-encoded, integers and time delta-encoded.

``python -m bench.disk_encodings`` measures each choice on the benchmark data.
"""
from __future__ import annotations

import numpy as np
import pyarrow as pa

DICTIONARY, PLAIN, BYTE_STREAM_SPLIT = "RLE_DICTIONARY", "PLAIN", "BYTE_STREAM_SPLIT"
SAMPLE_ROWS = 65_536  # at most: a column is judged on its first row group, or this much of it
_CODEC = "zstd"


def _compressed(data: bytes) -> int:
    return len(pa.compress(data, codec=_CODEC, asbytes=True))


def float_sizes(values: np.ndarray) -> dict[str, int]:
    """Estimated bytes of ``values`` (float64, nulls left out) under each encoding, zstd-compressed.

    The dictionary estimate is its page (distinct values in order of appearance) plus
    bit-packed indices, which zstd rarely shrinks."""
    raw = np.ascontiguousarray(values, dtype=np.float64)
    if raw.size == 0:
        return {BYTE_STREAM_SPLIT: 0, PLAIN: 0, DICTIONARY: 0}
    as_bits = raw.view(np.uint64)
    split = as_bits.view(np.uint8).reshape(-1, 8).T.tobytes()
    distinct, first = np.unique(as_bits, return_index=True)  # by bits: NaN payloads and -0.0 stay apart
    page = as_bits[np.sort(first)].tobytes()
    width = max(1, int(len(distinct) - 1).bit_length())
    return {
        BYTE_STREAM_SPLIT: _compressed(split),
        PLAIN: _compressed(as_bits.tobytes()),
        DICTIONARY: _compressed(page) + (raw.size * width + 7) // 8,
    }


def float_encoding(values: np.ndarray) -> str:
    """The smallest encoding for a float column judged on ``values`` (its first row group's
    non-null values, at most ``SAMPLE_ROWS`` are used); BYTE_STREAM_SPLIT, the layout for
    measurements, on a tie or when there is nothing to judge."""
    sizes = float_sizes(values[:SAMPLE_ROWS])
    best = min(sizes.values())
    return BYTE_STREAM_SPLIT if sizes[BYTE_STREAM_SPLIT] == best else min(sizes, key=sizes.get)
