"""Each row's series as a code into a small table of tag sets, handed from the parser to the buffer.

The line-protocol parser parses each distinct series key of a body once (``ingest/lp_keys``),
so it knows which lines share a key. Kept beside the rows (``MeasurementBatch.series``, then
the buffer's chunks), that saves the buffer's sort for queries (``storage/buffer_view``) from
hashing every row's tag strings to tell series apart: it numbers the few rows of the tables
instead. Equal codes mean equal tags; equal tags may carry different codes (a key written with
its tags in another order, or the codes of two bodies), which :meth:`SeriesCodes.numbered` merges.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import polars as pl

_CODE, _KEY = "\x00code", "\x00key"


@dataclass(frozen=True, slots=True)
class SeriesCodes:
    """``codes[i]``: row ``i``'s row of ``table`` (one String column per tag key; an absent tag
    is null or no column)."""

    codes: np.ndarray  # int64, one per row
    table: pl.DataFrame

    @classmethod
    def from_keys(cls, keys: np.ndarray, tags: pl.DataFrame) -> "SeriesCodes":
        """Codes for rows whose ``keys`` (any integers) are equal only where their ``tags``
        (the rows' tag columns) are: one table row per distinct key."""
        first, inv = _distinct(np.asarray(keys, dtype=np.int64))
        return cls(inv, tags.gather(pl.Series(first)))

    def __len__(self) -> int:
        return len(self.codes)

    def slice(self, offset: int, length: int | None = None) -> "SeriesCodes":
        """The codes of rows ``offset`` to ``offset + length`` (the same table)."""
        end = len(self.codes) if length is None else offset + length
        return SeriesCodes(self.codes[offset:end], self.table)

    @staticmethod
    def concat(parts: list["SeriesCodes"]) -> "SeriesCodes":
        """The codes of the parts' rows one after the other (their tables stacked)."""
        if len(parts) == 1:
            return parts[0]
        offsets = np.cumsum([0] + [p.table.height for p in parts[:-1]])
        codes = np.concatenate([p.codes + off for p, off in zip(parts, offsets)])
        return SeriesCodes(codes, pl.concat([p.table for p in parts], how="diagonal_relaxed"))

    def numbered(self, tcols: list[str]) -> tuple[np.ndarray, pl.DataFrame]:
        """(a number per row, the tag sets over ``tcols`` by number): equal numbers exactly
        where the rows' tags are equal (``tcols``: every tag key the rows hold a value of);
        only the sets of these rows (a slice leaves some of the table unused)."""
        codes, table = self.codes, self.table
        used = np.bincount(codes, minlength=table.height) > 0
        if not used.all():
            codes, table = (np.cumsum(used) - 1)[codes], table.filter(pl.Series(used))
        have = table.columns
        t = table.select([pl.col(c) if c in have else pl.lit(None, pl.String).alias(c) for c in tcols])
        keys = t.unique(maintain_order=True)
        if keys.height == t.height:  # (the usual case: each set once)
            return codes, t
        ids = (t.with_row_index(_CODE)
               .join(keys.with_row_index(_KEY), on=tcols, how="left", nulls_equal=True)
               .sort(_CODE).get_column(_KEY).to_numpy().astype(np.int64))
        return ids[codes], keys


def _distinct(keys: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """``np.unique(keys, return_index=True, return_inverse=True)`` without its sort when the
    keys are few numbers close together (the parser's: a body's keys are consecutive codes),
    in O(n): (each distinct key's first row, in key order; each row's rank of its key)."""
    n = keys.size
    lo = int(keys.min()) if n else 0
    span = int(keys.max()) - lo + 1 if n else 0
    if not n or span > 4 * n + 1024:
        _, first, inv = np.unique(keys, return_index=True, return_inverse=True)
        return first, inv.reshape(-1).astype(np.int64)
    k = keys - lo
    present = np.zeros(span, dtype=bool)
    present[k] = True
    first = np.full(span, n, dtype=np.int64)
    np.minimum.at(first, k, np.arange(n, dtype=np.int64))
    return first[present], (np.cumsum(present) - 1)[k]
