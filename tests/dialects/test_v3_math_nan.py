"""A NaN out of a math function: a value in the influxdb3 dialect, null in influxdb1.

Sources:
- influxdb3: DataFusion's math functions are Rust's f64 methods (``f64::sqrt(-7.5)``,
  ``f64::asin(7.5)``, ``f64::ln(-1.0)`` are NaN; ``ln(0)`` is -inf); a NaN is then a value like
  ``x % 0``'s (test_v3_float_rem.py): counted, summed to NaN, compared by total order in WHERE;
  written null in JSON and msgpack (iox_v1_query_api value.rs l.237-239), ``NaN`` in CSV (csv.rs
  l.493-509).
- influxdb1: influxd 1.6.7 (Debian package) asked on 2026-12-07 over ``m`` of test_v1_rem.py:
  ``SELECT sqrt(f) ..`` {"values":[["..01Z",1000000000000000],["..02Z",null],["..03Z",2.7386127875258306],
  ["..04Z",null],["..05Z",1e+150],["..06Z",0],["..07Z",null]]}; ``asin(f)`` [null,null,null,null,null,0,
  -0.5235987755982989]; ``abs(f % 0)`` null in every row; ``sqrt(f) % 2`` [0,null,0.7386127875258306,
  null,0,0,null]; CSV of ``ln(f)``: ``69.07755278982137,,2.0149030205422647,,690.7755278982137,-Inf,``.
"""
from __future__ import annotations

import math

import pytest


from .both_dialects import NAN, answer, http_cells, store_in_both_dialects
from .test_v1_rem import LINES

store = store_in_both_dialects(LINES)




def both(v1: list) -> list:
    """The influxdb3 column of an influxdb1 one: its nulls are NaN."""
    return [[NAN if v is None else v for v in r] for r in v1]


SQRT = [[1e15], [None], [2.7386127875258306], [None], [1e150], [0.0], [None]]
ASIN = [[None], [None], [None], [None], [None], [0.0], [-0.5235987755982989]]
LN = [[69.07755278982137], [None], [2.0149030205422647], [None], [690.7755278982137], [-math.inf], [None]]
SQRT_REM = [[0.0], [None], [0.7386127875258306], [None], [0.0], [0.0], [None]]


@pytest.mark.parametrize("query,v3,v1", [
    ("SELECT sqrt(f) FROM m", both(SQRT), SQRT),
    ("SELECT asin(f) FROM m", both(ASIN), ASIN),
    ("SELECT ln(f) FROM m", both(LN), LN),
    ("SELECT abs(f % 0) FROM m", [[NAN]] * 7, [[None]] * 7),
    ("SELECT sqrt(f) % 2 FROM m", both(SQRT_REM), SQRT_REM),
    ("SELECT abs(sqrt(f)), floor(asin(f)) FROM m WHERE f < 0",
     [[NAN, NAN], [NAN, NAN], [NAN, -1.0]], [[None, None], [None, None], [None, -1.0]]),
    ("SELECT sqrt(min(f)), sqrt(max(f)) FROM m", [[NAN, 1e150]], [[None, 1e150]]),
    ("SELECT count(x), sum(x) FROM (SELECT sqrt(f) AS x FROM m)", [[7, NAN]], [[4, 1e150 + 1e15 + 2.7386127875258306]]),
    ("SELECT f FROM m WHERE sqrt(f) > 1000000", [[1e30], [-7.5], [-1e30], [1e300], [-0.5]], [[1e30], [1e300]]),
    ("SELECT i FROM n WHERE sqrt(i) = sqrt(i)", [[-9223372036854775808], [-9223372036854775807],
                                                 [9223372036854775807]], [[9223372036854775807]]),
])
def test_math_nan(store, query, v3, v1):
    dialect, s = store
    assert answer(s, query) == (v3 if dialect == "influxdb3" else v1)


@pytest.mark.parametrize("compat,csv_cells,json_cells", [
    ("cloud-dedicated", ["0", "NaN", "NaN"], [0, None, None]),
    ("influxdb1", ["0", "", ""], [0, None, None]),
])
def test_math_nan_over_http(compat, csv_cells, json_cells):
    got = http_cells(compat, "m f=0 1000000000\nm f=-2 2000000000\nm f=2 3000000000", "SELECT asin(f) FROM m")
    assert ([r[1] for r in got[0]], got[1]) == (json_cells, csv_cells)
