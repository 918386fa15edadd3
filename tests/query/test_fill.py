"""Window alignment (InfluxDB's opt.Window) and fill modes."""
from __future__ import annotations

import polars as pl
import pytest

from tsdb_core.base.errors import QueryError
from tsdb_core.query.exec.fill import bucket_grid, fill, window_start

M = 60_000_000_000
H = 60 * M
D = 24 * H
T0 = 1_566_000_000_000_000_000  # 2019-08-17T00:00:00Z


@pytest.mark.parametrize("t,interval,offset,tz,expected", [
    (T0 + 7 * M, 12 * M, 0, None, T0),
    (T0 + 13 * M, 12 * M, 0, None, T0 + 12 * M),
    (T0 + 7 * M, 12 * M, 6 * M, None, T0 + 6 * M),
    (T0 + 1 * M, 12 * M, 6 * M, None, T0 - 6 * M),
    (T0, D, 0, "America/Chicago", T0 - 19 * H),           # local midnight, CDT (-05:00)
    (T0, H, 0, "Asia/Kolkata", T0 - 30 * M),              # +05:30: hours start at :30 UTC
    (-5, 10, 0, None, -10),
], ids=str)
def test_window_start(t, interval, offset, tz, expected):
    assert window_start(t, interval, offset, tz) == expected


def test_dst_day_is_23_hours():
    # 2019-03-10 is 23 hours long in America/Chicago
    start = 1_552_111_200_000_000_000  # 2019-03-09T06:00:00Z = local midnight (CST)
    grid = bucket_grid(start, start + 3 * D, D, 0, "America/Chicago")
    assert [b - a for a, b in zip(grid, grid[1:])] == [D, D - H, D]


def test_bucket_limit():
    with pytest.raises(QueryError, match=r"max-select-buckets limit exceeded: \(10/5\)"):
        bucket_grid(0, 10 * M - 1, M, 0, None, max_buckets=5)


FRAME = pl.DataFrame({"k": ["a", "a", "a"], "\x00b": [0, 20, 40], "v": [1.0, None, 5.0],
                      "n": [1, None, 3]}).filter(pl.col("v").is_not_null())


@pytest.mark.parametrize("mode,value,expected_v,expected_n", [
    ("null", None, [1.0, None, None, None, 5.0], [1, 0, 0, 0, 3]),
    ("none", None, [1.0, 5.0], [1, 3]),
    ("value", 7, [1.0, 7.0, 7.0, 7.0, 5.0], [1, 7, 7, 7, 3]),
    ("previous", None, [1.0, 1.0, 1.0, 1.0, 5.0], [1, 1, 1, 1, 3]),
    ("linear", None, [1.0, 2.0, 3.0, 4.0, 5.0], [1, 1, 2, 2, 3]),
])
def test_fill_modes(mode, value, expected_v, expected_n):
    out = fill(FRAME, ["k"], [0, 10, 20, 30, 40], ["v", "n"], mode, value, count_like={"n"})
    assert out["v"].to_list() == expected_v
    if mode != "linear":
        assert out["n"].to_list() == expected_n
