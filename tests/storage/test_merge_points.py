"""merge_points: one row per series and time, in a fixed order (a float sum over the merged
rows then adds in one order on every call)."""
from __future__ import annotations

import random

import polars as pl
import pytest

from tsdb_core.storage.partitions import merge_points


@pytest.mark.no_catalog
def test_rows_keep_their_first_order_and_the_last_value_wins():
    rng = random.Random(7)
    keys = [(f"h{rng.randrange(50)}", rng.randrange(2_000)) for _ in range(20_000)]
    first = list(dict.fromkeys(keys))
    frame = pl.DataFrame({"host": [k[0] for k in keys], "time": [k[1] for k in keys],
                          "v": [float(i) for i in range(len(keys))]})
    got = merge_points(frame.lazy(), ["host", "time"], ["v"]).collect()
    assert list(zip(got["host"], got["time"])) == first
    last = {k: float(i) for i, k in enumerate(keys)}
    assert got["v"].to_list() == [last[k] for k in first]


@pytest.mark.no_catalog
def test_without_fields_the_rows_kept_in_their_order():
    frame = pl.DataFrame({"host": ["b", "a", "b", "c", "a"], "time": [2, 1, 2, 3, 1]})
    got = merge_points(frame.lazy(), ["host", "time"], []).collect()
    assert got.rows() == [("b", 2), ("c", 3), ("a", 1)]  # each key's last row, in input order
