"""``time`` renamed in a subquery, and cast in a projection, as InfluxDB 3 plans them.

Sources (influxdata/influxdb3_core at 349d802bf9a54ab5876399ab013502eeb0d52a6b):

- ``iox_query_influxql/src/plan/rewriter.rs`` rewrite_statement runs ``from_drop_empty`` before
  ``field_list_normalize_time``, whose normalize_time says "time aliases in subqueries is
  ignored" (``c.name = "time".to_string()``): the outer ``ts`` keeps the subquery (it names one of
  its fields), then names no column of it and is NULL (planner.rs varref_to_df_expr: "No
  gap-filling config or value, return NULL"); planner.rs plan_from_data_source filters a table's
  rows (``Column::from_name(name).is_not_null()``), a subquery's not: each of its rows is a row.
- ``planner.rs`` varref_to_df_expr: ``(ExprScope::Projection, "time") => "time".as_expr()``, the
  cast dropped, while expr_type_evaluator.rs eval_var_ref types ``time::integer`` as an integer,
  so the rewriter lets ``time::integer + 1`` through and DataFusion 50 refuses a Timestamp beside a
  number (datafusion expr-common type_coercion/binary.rs BinaryTypeCoercer::signature: "Cannot
  coerce arithmetic expression {} {} {} to valid types", "Cannot infer common type for bitwise
  operation {} {} {}"; arrow 56 prints ``Timestamp(Nanosecond, None)``; tz() casts the column to
  its zone: ``ctx.project_timezone``).

influxd 1.6.7 (asked, the v1 column): no series for the subquery; ``null`` for arithmetic on
``time``, a field no measurement has (tests/query/test_v1time.py).
"""
from __future__ import annotations

import pytest

from tsdb_core.influxql.dialects.timearith3 import time_arithmetic_error
from tsdb_core.influxql.parser.driver import parse_statement

from .both_dialects import assert_answers, store_in_both_dialects

LINES = "m,t=a f=1,g=2i 1000000000\nm,t=b f=3,g=4i 2000000000"
PLANNING = "datafusion error: Error during planning: "
TS = "Timestamp(Nanosecond, None)"

store = store_in_both_dialects(LINES)


@pytest.mark.parametrize("query,v3,v1", [
    ("SELECT ts FROM (SELECT time AS ts, f FROM m)", [[None], [None]], []),
    ("SELECT ts, f FROM (SELECT time AS ts, f FROM m)", [[None, 1.0], [None, 3.0]], [[None, 1.0], [None, 3.0]]),
    ("SELECT time::integer, f FROM m", [[1.0], [3.0]], [[1.0], [3.0]]),  # the time column itself
    ("SELECT time::integer + 1, f FROM m",
     PLANNING + f"Cannot coerce arithmetic expression {TS} + Int64 to valid types", [[None, 1.0], [None, 3.0]]),
    ("SELECT f * 2 + time::float FROM m",
     PLANNING + f"Cannot coerce arithmetic expression Float64 + {TS} to valid types", [[None], [None]]),
    ("SELECT (time::integer + 1) * g FROM m",
     PLANNING + f"Cannot coerce arithmetic expression {TS} + Int64 to valid types", [[None], [None]]),
    ("SELECT time::integer & 1, f FROM m tz('Europe/London')",
     PLANNING + 'Cannot infer common type for bitwise operation Timestamp(Nanosecond, Some("Europe/London")) & Int64',
     [[None, 1.0], [None, 3.0]]),
    ("SELECT x FROM (SELECT time::integer - 1 AS x, f FROM m)",
     PLANNING + f"Cannot coerce arithmetic expression {TS} - Int64 to valid types", [[None], [None]]),
    # v3's rewriter types a bare time: its own error first (operands3.py)
    ("SELECT time + 1, f FROM m", "datafusion error: rewriting statement\ncaused by\nexpand projection\ncaused by\n"
     "Error during planning: incompatible operands for operator +: timestamp and integer", [[None, 1.0], [None, 3.0]]),
])
def test_time_in_projections(store, query, v3, v1):
    assert_answers(store, query, v3, v1)


@pytest.mark.parametrize("fields", [
    "time::integer - time::integer",  # Timestamp - Timestamp: a Duration in DataFusion
    "time::unsigned + 1u",  # 1u: a duration literal (an interval beside a timestamp)
    "abs(time::integer) + 1",  # a call: not judged here
    "time::integer + f::string",  # a cast to NULL
])
def test_what_is_not_judged(fields):
    stmt = parse_statement(f"SELECT {fields} FROM m")
    assert time_arithmetic_error([f.expr for f in stmt.fields], {"f": "float"}, None) is None
