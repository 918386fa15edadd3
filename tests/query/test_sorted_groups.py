"""exec/sorted_groups.py: groups found as runs of equal keys, a group's runs brought together,
each group aggregated as one slice — the same bits as hashing the keys (whose float sums,
means and deviations reduce a group's values as a list: functions/aggregates._in_row_order),
and as each group's own rows taken as a slice."""
from __future__ import annotations

import numpy as np
import polars as pl
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tsdb_core.query.exec import sorted_groups
from tsdb_core.query.functions.aggregates import scalar_agg

CALLS = ("mean", "sum", "stddev", "count", "max", "first", "median")


def _exprs():
    return [scalar_agg(f, pl.col("v"), (), pl.Float64).alias(f) for f in CALLS]


def _frame(seed: int, series: int, rows: int, nulls: bool) -> pl.DataFrame:
    """Rows series by series, times ascending (as files hold them): tags repeat across series."""
    rng = np.random.default_rng(seed)
    n = series * rows
    v = rng.standard_normal(n) * 10.0 ** rng.integers(-3, 7, n)
    return pl.DataFrame({
        "host": np.repeat([f"h{i}" for i in range(series)], rows),
        "dc": np.repeat([f"dc{i % 3}" for i in range(series)], rows),
        "time": np.tile(np.arange(rows, dtype=np.int64) * 10, series),
        "w": np.tile(np.arange(rows, dtype=np.int64) * 10 // 70 * 70, series),
        "v": pl.Series(v).scatter(np.flatnonzero(rng.random(n) < 0.1), None) if nulls else v,
    })


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(seed=st.integers(0, 2**32 - 1), series=st.integers(1, 7), rows=st.integers(1, 400),
       keys=st.sampled_from([["w"], ["dc", "w"], ["host", "w"], ["dc"], ["w", "dc", "host"]]),
       nulls=st.booleans())
def test_same_bits_as_hashing(seed, series, rows, keys, nulls):
    df = _frame(seed, series, rows, nulls)
    got = sorted_groups.agg(df, keys, ["time"], _exprs())
    assert got is not None
    want = df.group_by(keys).agg(pl.col("time").first(), *_exprs())
    assert got.columns == want.columns
    # floats compared through their bits: equal NaNs and signed zeros count too
    assert got.sort(keys).write_csv(float_precision=17) == want.sort(keys).write_csv(float_precision=17)


def test_a_group_reduces_as_its_rows_as_a_slice():
    df = _frame(5, series=6, rows=5000, nulls=False)
    got = sorted_groups.agg(df, ["dc", "w"], [], _exprs())
    assert got.height == 3 * (5000 * 10 // 70 + 1)
    for row in got.sample(40, seed=1).iter_rows(named=True):
        rows = df.filter((pl.col("dc") == row["dc"]) & (pl.col("w") == row["w"]))
        part = rows.get_column("v")
        assert (row["mean"], row["sum"], row["stddev"]) == (part.mean(), part.sum(), part.std(ddof=1))
        # first(): the earliest time, the larger value of equal times (two series share times)
        earliest = rows.filter(pl.col("time") == rows.get_column("time").min()).get_column("v")
        assert row["first"] == earliest.max() and row["count"] == part.len()


def test_runs_brought_together_only_when_a_group_has_several():
    df = _frame(3, series=4, rows=100, nulls=False)
    by_host = sorted_groups.find(df, ["host", "w"])
    by_dc = sorted_groups.find(df, ["dc", "w"])
    assert by_host.rows is None and by_host.keys.height == 4 * 15  # each run a group, in row order
    assert by_dc.rows is not None and by_dc.keys.height == 3 * 15
    # a group's rows stay in their order: dc0's series are h0 then h3
    first = by_dc.rows[:by_dc.group.tolist().count(0)]
    assert first.tolist() == [*range(0, 7), *range(300, 307)]
    assert by_dc.firsts.tolist()[0] == 0


@pytest.mark.parametrize("frame, why", [
    (pl.DataFrame({"k": np.arange(1000) % 2, "v": np.ones(1000)}), "a run every row"),
    (pl.DataFrame({"k": [1, None, None], "v": [1.0, 2.0, 3.0]}), "a null key"),
])
def test_declines(frame, why):
    assert sorted_groups.find(frame, ["k"]) is None, why
    assert sorted_groups.agg(frame, ["k"], [], [pl.col("v").sum()]) is None
