"""Chunk.is_unique told from the parser's series codes agrees with the check on the tag strings."""
from __future__ import annotations

import numpy as np
import polars as pl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tsdb_core.base.series_codes import SeriesCodes
from tsdb_core.storage.buffer import Chunk

HOSTS = ["a", "b", None]


@pytest.mark.no_catalog
@settings(max_examples=200, deadline=None)
@given(st.lists(st.tuples(st.integers(0, 2), st.integers(0, 1), st.integers(0, 5)), min_size=2, max_size=40),
       st.booleans())
def test_codes_agree_with_strings(rows, reorder_codes):
    host = [HOSTS[h] for h, _, _ in rows]
    region = ["x" if r else "y" for _, r, _ in rows]
    frame = pl.DataFrame({"host": pl.Series(host, dtype=pl.String), "region": region,
                          "time": [t for _, _, t in rows], "v": [1.0] * len(rows)})
    keys = np.array([h * 2 + r for h, r, _ in rows], dtype=np.int64)
    if reorder_codes:  # one tag set under two codes, as two bodies' tables would give
        keys = np.where(np.arange(len(rows)) % 2 == 0, keys, keys + 100)
    codes = SeriesCodes.from_keys(keys, frame.select("host", "region"))
    fast = Chunk(frame, ("host", "region"), 0, 5, series=codes)
    slow = Chunk(frame, ("host", "region"), 0, 5)
    assert fast.is_unique() == slow.is_unique()


@pytest.mark.no_catalog
def test_repeated_point_found():
    frame = pl.DataFrame({"host": ["a", "a", "b"], "time": [1, 1, 1], "v": [1.0, 2.0, 3.0]})
    codes = SeriesCodes.from_keys(np.array([7, 7, 9]), frame.select("host"))
    assert Chunk(frame, ("host",), 1, 1, series=codes).is_unique() is False
    assert Chunk(frame.slice(1), ("host",), 1, 1, series=codes.slice(1)).is_unique() is True
