"""max/min/median/first/last over NaN rows (a subquery's math) in both dialects.

influxdb3: v3's max()/min() are IOx's selector_max/selector_min (planner.rs l.2937-2960), whose
update_value_based (query_functions/src/selectors/internal.rs l.162-181) takes DataFusion's
MaxAccumulator/MinAccumulator over the batch: arrow's max/min kernels, IEEE 754 total order. A
NaN's sign then matters: x86's ``sqrtsd`` and ``fmod`` give the default NaN, sign bit set
(``0xfff8000000000000``), below every number, while libm's asin/ln/acos give ``0x7ff8...``, above
every number; median sorts by the same total order. The answers below were computed by
DataFusion 50.1.0 (datafusion-python, the arrow 56 of influxdb3_core's Cargo.toml) over the same
seven values of ``f``: ``SELECT max(x), min(x), median(x), first_value(x ORDER BY t),
last_value(x ORDER BY t) FROM (SELECT sqrt(f) AS x, t FROM m)``:
sqrt → [1e+150, nan(-), 0.0, 1e15, nan]; asin → [nan, -0.5235987755982989, nan, nan,
-0.5235987755982989]; f % 0 → [nan] * 5; ln → [nan, -inf, 690.7755278982137, 69.07755278982137, nan].

influxdb1: the math is null (influxd 1.6.7, test_v3_math_nan.py), so the selectors see numbers only.

A selector alone answers the earliest time holding its value (internal.rs l.205-240: the
minimum time where ``neq(value, value_arr)`` is false, arrow's total-order comparison), and a
field beside it is read at that point (l.242-258).
"""
from __future__ import annotations

import math

import pytest

from .both_dialects import NAN, answer, store_in_both_dialects
from .test_v1_rem import LINES

store = store_in_both_dialects(LINES)
SELECT = "SELECT max(x), min(x), median(x), first(x), last(x) FROM (SELECT {} AS x FROM m)"




CASES = [  # (x, v3, v1)
    ("sqrt(f)", [1e150, NAN, 0.0, 1e15, NAN], [1e150, 0.0, (1e15 + 2.7386127875258306) / 2, 1e15, 0.0]),
    ("asin(f)", [NAN, -0.5235987755982989, NAN, NAN, -0.5235987755982989],
     [0.0, -0.5235987755982989, -0.26179938779914946, 0.0, -0.5235987755982989]),
    ("f % 0", [NAN] * 5, "no series"),
    ("ln(f)", [NAN, -math.inf, 690.7755278982137, 69.07755278982137, NAN],
     [690.7755278982137, -math.inf, (2.0149030205422647 + 69.07755278982137) / 2, 69.07755278982137, -math.inf]),
]


@pytest.mark.parametrize("x,v3,v1", CASES)
def test_selectors_over_nan(store, x, v3, v1):
    dialect, s = store
    got = answer(s, SELECT.format(x))
    assert got == ([v3] if dialect == "influxdb3" else ([] if v1 == "no series" else [v1]))


def points(s, q: str):
    (res,) = s.query(q, db="db").to_json()["results"]
    rows = res["series"][0]["values"] if "series" in res else []
    return [[NAN if isinstance(v, float) and math.isnan(v) else v for v in r] for r in rows]


T = "1970-01-01T00:00:0{}Z"


@pytest.mark.parametrize("query,v3,v1", [
    ("SELECT min(x) FROM (SELECT sqrt(f) AS x FROM m)", [[T.format(2), NAN]], [[T.format(6), 0.0]]),
    ("SELECT max(x) FROM (SELECT sqrt(f) AS x FROM m)", [[T.format(5), 1e150]], [[T.format(5), 1e150]]),
    ("SELECT max(x) FROM (SELECT asin(f) AS x FROM m)", [[T.format(1), NAN]], [[T.format(6), 0.0]]),
    ("SELECT min(x), f FROM (SELECT sqrt(f) AS x, f FROM m)", [[T.format(2), NAN, -7.5]],
     [[T.format(6), 0.0, 0.0]]),
    ("SELECT max(x), f FROM (SELECT asin(f) AS x, f FROM m)", [[T.format(1), NAN, 1e30]],
     [[T.format(6), 0.0, 0.0]]),
    ("SELECT max(x), f FROM (SELECT f % 0 AS x, f FROM m)", [[T.format(1), NAN, 1e30]], []),
])
def test_selector_point_over_nan(store, query, v3, v1):
    dialect, s = store
    assert points(s, query) == (v3 if dialect == "influxdb3" else v1)


# DataFusion 50.1.0: ``SELECT median(x), max(x), min(x) FROM (SELECT sqrt(f) AS x, t FROM m WHERE ..)``:
# f < 1e31 → [nan, 1e15, nan]; f > -1 → [2.7386127875258306, 1e+150, nan]; f < 1 → [nan, 0.0, nan]
@pytest.mark.parametrize("where,v3,v1", [
    ("f < 10000000000000000000000000000000.0", [NAN, 1e15, NAN], [2.7386127875258306, 1e15, 0.0]),  # a -NaN in the middle
    ("f > -1", [2.7386127875258306, 1e150, NAN], [(2.7386127875258306 + 1e15) / 2, 1e150, 0.0]),
    ("f < 1", [NAN, 0.0, NAN], [0.0, 0.0, 0.0]),
])
def test_median_over_negative_nan(store, where, v3, v1):
    dialect, s = store
    got = answer(s, f"SELECT median(x), max(x), min(x) FROM (SELECT sqrt(f) AS x FROM m WHERE {where})")
    assert got == [v3 if dialect == "influxdb3" else v1]


@pytest.mark.parametrize("nan_order,want", [(True, [float("nan"), 1.0]), (False, [3.0, 1.0])])
def test_the_nan_order_is_influxdb3s_only(nan_order, want):
    """Only InfluxDB 3's arithmetic makes a NaN, so only its statements pay for ordering one
    (``SelectPlan.emulates_v3``); without it Polars' max/min skip the NaN."""
    import polars as pl

    from tsdb_core.query.functions import aggregates as agg
    df = pl.DataFrame({"v": [1.0, float("nan"), 3.0]})
    got = df.select(agg.scalar_agg("max", pl.col("v"), (), pl.Float64, nan_order=nan_order).alias("max"),
                    agg.scalar_agg("min", pl.col("v"), (), pl.Float64, nan_order=nan_order).alias("min")).row(0)
    assert [NAN if x != x else x for x in got] == [NAN if x != x else x for x in want]
