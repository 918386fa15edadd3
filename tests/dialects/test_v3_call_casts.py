"""``::`` casts inside calls in the influxdb3 dialect: DataFusion's CAST there too, so a value out
of the target's range fails the query (as outside calls: test_v3_checked_ops.py).

Sources (influxdata/influxdb3_core at 349d802bf9a54ab5876399ab013502eeb0d52a6b,
iox_query_influxql/src/plan/planner.rs):
- l.2517-2563 varref_to_df_expr: a numeric ``name::type`` is ``column.cast_to(&dst_type,
  &schema.df_schema)?`` (a CAST; DataFusion's DEFAULT_CAST_OPTIONS ``safe: false``), whatever the
  expression it sits in;
- l.2705 ``"distinct" => self.expr_to_df_expr(.., &args[0], schema)``, l.2706-2742 ``"count"``
  (also ``count(distinct(..))``: ``&c.args[0]``), l.2743-2767 ``"sum"``, the other aggregates and
  selectors after them (``let expr = self.expr_to_df_expr(tz, fill_config, scope, &args[0],
  schema)?``), l.3163 ``"top" | "bottom" => self.expr_to_df_expr(..)`` and l.3181
  scalar_math_func_to_df_expr's ``.map(|e| self.expr_to_df_expr(..))``: every call's argument goes
  through varref_to_df_expr, so the aggregate reads the CAST of every row it aggregates;
- arrow-cast try_numeric_cast: ``Can't cast value {:?} to type {}``; arrow-schema error.rs
  ``CastError(desc) => "Cast error: {desc}"``; iox_v1_query_api/src/error.rs l.49
  ``#[error("datafusion error: {0}")]``.
A WHERE condition drops rows before the projection reads them. The influxdb1 dialect keeps 1.x's
answers (an out-of-range value is a null the call skips).
"""
from __future__ import annotations

import pytest

from .both_dialects import answer, store_in_both_dialects

LINES = ("m i=7i,u=7u,f=2.5 1\nm i=-3i,u=18446744073709551615u,f=1e30 2\n"
         "m i=1i,u=1u,f=0.5 3\nm i=12i,u=12u,f=12.5 11")
CAST = "datafusion error: Arrow error: Cast error: Can't cast value {} to type {}"
NEG = CAST.format(-3, "UInt64")
BIG = CAST.format(2 ** 64 - 1, "Int64")
HUGE = CAST.format("1e30", "Int64")

store = store_in_both_dialects(LINES)


W = " WHERE time >= 0 AND time < 20 GROUP BY time(10ns)"


@pytest.mark.parametrize("query,v3,v1", [
    ("SELECT sum(i::unsigned) FROM m", NEG, [[20]]),
    ("SELECT count(i::unsigned) FROM m", NEG, [[4]]),
    ("SELECT count(distinct(i::unsigned)) FROM m", NEG, [[3]]),
    ("SELECT mean(f::integer) FROM m", HUGE, [[14 / 3]]),          # 1.x: 1e30 is a null
    ("SELECT max(u::integer) FROM m", BIG, [[12]]),
    ("SELECT first(u::integer), last(u::integer) FROM m", BIG, [[7, 12]]),
    ("SELECT top(i::unsigned, 2) FROM m", NEG, [[7], [12]]),
    ("SELECT percentile(f::integer, 50) FROM m", HUGE, [[2]]),
    ("SELECT distinct(i::unsigned) FROM m", NEG, [[7], [1], [12]]),
    ("SELECT derivative(i::unsigned) FROM m", NEG, [[-6e9 / 2], [11e9 / 8]]),
    ("SELECT abs(i::unsigned) FROM m", NEG, [[7], [1], [12]]),
    ("SELECT sum(i::unsigned)" + " FROM m" + W, NEG, [[8], [12]]),
    ("SELECT derivative(sum(i::unsigned), 10ns) FROM m" + W, NEG, [[4]]),
    ("SELECT sum(x) FROM (SELECT i::unsigned AS x FROM m)", NEG, [[20]]),
    ("SELECT sum(x::unsigned) FROM (SELECT i AS x FROM m)", NEG, [[20]]),
    # in range: the same answers in both dialects
    ("SELECT sum(i::unsigned), count(u::integer) FROM m WHERE i > 0", [[20, 3]], [[20, 3]]),
    ("SELECT sum(u::integer) FROM m WHERE u < 100" + " AND time >= 0 AND time < 20 GROUP BY time(10ns)",
     [[8], [12]], [[8], [12]]),
    ("SELECT mean(f::integer), max(f::integer) FROM m WHERE f < 100", [[14 / 3, 12]], [[14 / 3, 12]]),
    ("SELECT sum(i::float), max(u::float) FROM m", [[17.0, 1.8446744073709552e19]],
     [[17.0, 1.8446744073709552e19]]),                              # to float: never out of range
    ("SELECT sum(i::unsigned) FROM m WHERE time > 100", [], []),     # no row read
    # the call keeps its cast's type in arithmetic (arith3.type_name)
    ("SELECT sum(i::unsigned) / 3 FROM m WHERE i > 0", [[6]], [[20 / 3]]),  # UInt64 / UInt64
    # influxd 1.6.7 refuses it too (its evalBinaryExprType; asked over g, an integer field:
    # "type error: sum(g::unsigned) - sum(g::integer): cannot use - between ...")
    ("SELECT sum(i::unsigned) - sum(i) FROM m WHERE i > 0",
     "datafusion error: Error during planning: cannot use - between an integer and unsigned, "
     "an explicit cast is required",
     "type error: sum(i::unsigned) - sum(i::integer): cannot use - between an integer and unsigned, "
     "an explicit cast is required"),
])
def test_cast_in_call(store, query, v3, v1):
    dialect, s = store
    assert answer(s, query) == (v3 if dialect == "influxdb3" else v1)
