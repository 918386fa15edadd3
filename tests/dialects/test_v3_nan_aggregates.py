"""percentile(), mode(), spread(), median() and min() over NaN rows in the influxdb3 dialect.

A NaN arises in v3 from a subquery's math (line protocol has none): ``x = sqrt(f) * asin(f)``
over the lines below is, by time, [-NaN, c, c, +NaN, -NaN, +NaN] with c = 0.12634012757103932
(sqrt of a negative is x86's default NaN, sign bit set; asin(4) and asin(9) libm's NaN, sign bit
clear; a product keeps its first NaN operand). DataFusion 50.1.0 (datafusion-python, the
DataFusion/arrow of influxdb3_core 349d802's Cargo.toml) printed that column and its sign bits
([1, 0, 0, 0, 1, 0]) for ``SELECT sqrt(f)*asin(f) AS x FROM m ORDER BY t``.

Sources of each answer:
- percentile() with other calls: IOx's PercentileAccumulator (iox_query_influxql
  src/aggregate/percentile.rs ``evaluate``: ``arrow::compute::sort_to_indices(&array, None,
  None)``, then the value at ``percentile_idx``); arrow-ord 56.2.0 sort.rs ``sort_primitive``
  sorts by ``T::Native::compare``, which for floats is ``<$t>::total_cmp`` (arrow-array
  arithmetic.rs): -NaN < numbers < NaN.
- percentile() alone (a point: its time and fields): planner.rs ``project_select_selector``
  numbers a window's rows by ``PERCENT_ROW_NUMBER`` ordered ``field_key.as_expr().sort(true,
  false), ctx.time_sort_expr()``. DataFusion 50.1.0 ordered ``SELECT x, t .. ORDER BY x ASC
  NULLS LAST, t ASC`` as t = [1, 5, 2, 3, 4, 6], and with ``t DESC`` as [5, 1, 3, 2, 6, 4].
- mode(): mode.rs ``mode`` sorts (value, time) pairs by ScalarValue's ``partial_cmp`` (DataFusion
  scalar/mod.rs: ``(Float64(v1), Float64(v2)) => .. Some(f1.total_cmp(f2))``; equal when
  ``f1.to_bits() == f2.to_bits()``), then walks the runs as 1.x's ModeReduceSlice: here -NaN
  (t1, t5), c (t2, t3), +NaN (t4, t6) each twice; c takes over from -NaN (its first time 2 <= 5),
  +NaN does not (4 > 3). The base tree merged both NaNs (four points) and answered NaN.
- spread(): spread.rs ``SpreadAccumulator::new``: ``min = ScalarValue::try_from(&data_type)`` (null)
  but ``max = ScalarValue::new_zero(&data_type)``; ``maybe_set_max``: ``if v > self.max`` (total
  order); ``spread``: ``self.max.sub(&self.min)`` (wrapping). So a +NaN makes the max NaN, a -NaN
  the min, and a group of negative values answers ``0 - min``: influxdata/influxdb issue #27384
  ("The raw values within the filtered timerange were all constant (-3.6 exactly) and
  ``SPREAD()`` returned 3.6", Core 3.9.0); the fix proposed there (PR #27403) was closed unmerged
  and both mirrored sources (influxdb3_core 349d802, influxdb d7834110b3) still start at zero.
- min()/median() keep the NaN's sign: DataFusion 50.1.0 answered c for ``SELECT max(m) FROM
  (SELECT min(x) AS m .. WHERE t < 6 GROUP BY t / 2)`` and for the same over ``median(x)``: each
  window's -NaN stays below c in the outer max (the base tree wrote a +NaN, above it).
"""
from __future__ import annotations

import pytest

from .both_dialects import NAN, influxdb3_store
from .test_v3_nan_selectors import points

LINES = "\n".join(["m f=-1 1", "m f=0.25 2", "m f=0.25 3", "m f=4 4", "m f=-4 5", "m f=9 6",
                   "n i=-3i 1", "n i=-10i 2", "n i=4i 3"])
X = "(SELECT sqrt(f) * asin(f) AS x, f FROM m)"
C = 0.12634012757103932

store = influxdb3_store(LINES)


def at(ns: int) -> str:
    return f"1970-01-01T00:00:00.00000000{ns}Z"


@pytest.mark.parametrize("query,want", [
    (f"SELECT x FROM {X}", [[at(1), NAN], [at(2), C], [at(3), C], [at(4), NAN], [at(5), NAN], [at(6), NAN]]),
    # six values sorted -NaN, -NaN, c, c, NaN, NaN: index 2 (p50), index 1 (p34)
    (f"SELECT mode(x), percentile(x, 50), percentile(x, 34), median(x), spread(x), count(x) FROM {X}",
     [["1970-01-01T00:00:00Z", C, C, NAN, C, NAN, 6]]),
    (f"SELECT percentile(x, 50), f FROM {X}", [[at(2), C, 0.25]]),
    (f"SELECT percentile(x, 50), f FROM {X} ORDER BY time DESC", [[at(3), C, 0.25]]),
    (f"SELECT percentile(x, 34) FROM {X}", [[at(5), NAN]]),
    (f"SELECT percentile(x, 34) FROM {X} ORDER BY time DESC", [[at(1), NAN]]),
    (f"SELECT percentile(x, 100), f FROM {X}", [[at(6), NAN, 9.0]]),
    (f"SELECT mode(x) FROM {X} WHERE time >= 0 AND time < 8 GROUP BY time(4ns)",
     [["1970-01-01T00:00:00Z", C], [at(4), NAN]]),
    (f"SELECT spread(x) FROM {X} WHERE f > 0", [["1970-01-01T00:00:00Z", NAN]]),   # c, c, +NaN, +NaN
    (f"SELECT spread(x) FROM {X} WHERE f < 1", [["1970-01-01T00:00:00Z", NAN]]),   # -NaN, c, c, -NaN
    (f"SELECT max(m) FROM (SELECT min(x) AS m FROM {X} WHERE time >= 0 AND time < 6 GROUP BY time(2ns))",
     [[at(2), C]]),
    (f"SELECT max(m) FROM (SELECT median(x) AS m FROM {X} WHERE time >= 0 AND time < 6 GROUP BY time(2ns))",
     [[at(2), C]]),
])
def test_nan_aggregates(store, query, want):
    assert points(store, query) == want


@pytest.mark.parametrize("query,want", [
    ("SELECT spread(f) FROM m WHERE f < 0", 4.0),       # 0 - (-4); max - min would be 3
    ("SELECT spread(f) FROM m", 13.0),                  # 9 - (-4)
    ("SELECT spread(f) FROM m WHERE f > 0", 8.75),      # 9 - 0.25: the zero never wins
    ("SELECT spread(i) FROM n WHERE i < 0", 10),        # 0 - (-10); max - min would be 7
    ("SELECT spread(i) FROM n", 14),
])
def test_spread_starts_its_max_at_zero(store, query, want):
    assert points(store, query) == [["1970-01-01T00:00:00Z", want]]


def test_spread_of_no_point_is_no_row(store):
    assert points(store, "SELECT spread(f) FROM m WHERE f > 100") == []


# A lone selector over a group holding NaNs of both signs (query_functions src/selectors/internal.rs):
# max/min take DataFusion's MaxAccumulator/MinAccumulator of the batch (total order: +NaN the max,
# -NaN the min; DataFusion 50.1.0 printed sign bits 0 and 1 for ``max(x)``, ``min(x)`` here), then
# ``update_value_based`` keeps the least time among rows where ``neq(value, value_arr)`` is false
# (equal bits: the other sign's NaNs are not that value), "we still use the MINIMUM timestamp here
# even if this is the max VALUE aggregator" (whatever ORDER BY says), and reads the other fields
# at that row; first/last (``update_time_based``) take the least/greatest time, NaN or not.
@pytest.mark.parametrize("query,want", [
    (f"SELECT max(x), f FROM {X}", [[at(4), NAN, 4.0]]),              # +NaN at t4, t6
    (f"SELECT min(x), f FROM {X}", [[at(1), NAN, -1.0]]),             # -NaN at t1, t5
    (f"SELECT max(x), f FROM {X} ORDER BY time DESC", [[at(4), NAN, 4.0]]),
    (f"SELECT min(x), f FROM {X} ORDER BY time DESC", [[at(1), NAN, -1.0]]),
    (f"SELECT first(x), f FROM {X}", [[at(1), NAN, -1.0]]),
    (f"SELECT last(x), f FROM {X}", [[at(6), NAN, 9.0]]),
    (f"SELECT max(x) FROM {X} WHERE time >= 0 AND time < 8 GROUP BY time(4ns)",
     [["1970-01-01T00:00:00Z", C], [at(4), NAN]]),
])
def test_lone_selector_over_nans_of_both_signs(store, query, want):
    assert points(store, query) == want
