"""Float ``%`` in the influxdb3 dialect: arrow's rem kernel, so ``x % 0`` is NaN, not null.

Sources:
- influxdata/influxdb3_core at 349d802bf9a54ab5876399ab013502eeb0d52a6b,
  iox_query_influxql/src/plan/planner_rewrite_expression.rs l.435-454: only ``Operator::Divide``
  is rewritten (divide_carefully); ``%`` goes to DataFusion's ``Operator::Modulo``, arrow-arith's
  ``rem`` (Cargo.toml l.87: arrow 56.2.0; docs.rs arrow-arith 56.2.0 numeric.rs ``rem``: "Division
  by zero will result in an error, with exception to floating point numbers"): Rust's ``%`` on
  f64, C's fmod (exact, the dividend's sign; NaN for a 0 divisor). An Int64 or UInt64 operand
  beside a Float64 one is coerced to Float64 first.
- iox_v1_query_api/src/value.rs l.237-239 (ValueSerializer): ``} else if v.is_nan() { // /query 1.x
  serilizes NaN as null for json and msgpack`` ``serializer.serialize_none()``;
  iox_v1_query_api/src/response/csv.rs l.493-509 (single_statement_infinite_value): a NaN cell
  is written ``NaN`` (``m2,,1000000000,t1a,NaN``).
- A NaN is a value, not a NULL: the raw row stays (planner.rs keeps rows by their source columns),
  count() counts it, sum() and max() are NaN (arrow's max: NaN above every number), and WHERE
  compares it by IEEE 754's total order as arrow-ord's cmp kernels do (NaN equals NaN and is above
  every number), as Polars does.
The influxdb1 dialect keeps its answers (null).
"""
from __future__ import annotations

import math

import msgpack
import pytest


from .both_dialects import NAN, answer, http_cells, store_in_both_dialects

LINES = "m i=7i,u=7u,f=2.5 1\nm i=-3i,u=3u,f=-7.5 2\nm i=-1i,u=18446744073709551615u,f=0.3 3\nm g=1i 4"

store = store_in_both_dialects(LINES)


@pytest.mark.parametrize("query,v3,v1", [
    ("SELECT f % 0 FROM m", [[NAN], [NAN], [NAN]], [[None], [None], [None]]),
    ("SELECT f % 0.0, i % 0.0, u % 0.0 FROM m", [[NAN] * 3] * 3, [[None] * 3] * 3),
    ("SELECT f % 2, f % -2, f % i FROM m", [[0.5, 0.5, 2.5], [-1.5, -1.5, -1.5], [0.3, 0.3, 0.3]],
     [[0.5, 0.5, 2.5], [-1.5, -1.5, -1.5], [0.3, 0.3, 0.3]]),       # the dividend's sign
    ("SELECT f % 0.1 FROM m", [[math.fmod(2.5, 0.1)], [math.fmod(-7.5, 0.1)], [math.fmod(0.3, 0.1)]],
     [[0.09999999999999987], [-0.09999999999999959], [0.09999999999999998]]),  # both exact (influxd 1.6.7's math.Mod)
    ("SELECT sum(f) % 0, mean(i) % 0, max(f) % 0.0 FROM m", [[NAN] * 3], [[None] * 3]),
    ("SELECT f % 0 FROM m WHERE f > 100", [], []),                   # no row, nothing to divide
    ("SELECT f FROM m WHERE f % 0 > 1000", [[2.5], [-7.5], [0.3]], []),  # NaN above every number
    ("SELECT f FROM m WHERE f % 0 = f % 0", [[2.5], [-7.5], [0.3]], []),  # and equal to itself
    ("SELECT f FROM m WHERE f % 0 < 1000", [], []),
    ("SELECT count(x), sum(x), max(x) FROM (SELECT f % 0 AS x FROM m)", [[3, NAN, NAN]], []),
    ("SELECT i % 0 FROM m", "datafusion error: Arrow error: Divide by zero error",
     [[0], [0], [0]]),                                                # integers: unchanged
])
def test_float_remainder(store, query, v3, v1):
    dialect, s = store
    assert answer(s, query) == (v3 if dialect == "influxdb3" else v1)


@pytest.mark.parametrize("compat,csv_cell,json_cell", [
    ("cloud-dedicated", "NaN", None),   # value.rs: null in JSON and msgpack; csv.rs: NaN
    ("influxdb1", "", None),            # 1.x: a null
])
def test_nan_over_http(compat, csv_cell, json_cell):
    json_rows, csv_cells, client = http_cells(compat, "m f=2.5 1000000000", "SELECT f % 0 FROM m")
    assert (json_rows, csv_cells) == ([[1, json_cell]], [csv_cell])
    q = {"db": "db", "q": "SELECT f % 0 FROM m", "epoch": "s"}
    packed = client.get("/query", params=q, headers={"Accept": "application/x-msgpack"}).content
    doc = msgpack.unpackb(packed, strict_map_key=False)
    rows = doc[0][0][1][0][2] if compat == "cloud-dedicated" else doc["results"][0]["series"][0]["values"]
    assert rows == [[1, json_cell]]
