"""Integer ``%`` by 0 and out-of-range ``::`` casts in the influxdb3 dialect: execution errors.

Sources:
- influxdata/influxdb3_core at 349d802bf9a54ab5876399ab013502eeb0d52a6b,
  iox_query_influxql/src/plan/planner_rewrite_expression.rs l.435-454: only ``Operator::Divide``
  is rewritten (divide_carefully); ``%`` on UInt64 or Int64 operands passes to DataFusion as is;
- arrow-arith numeric.rs ``rem`` (docs.rs arrow-arith 56.2.0): "Division by zero will result in
  an error, with exception to floating point numbers"; apache/arrow-rs arrow-schema/src/error.rs:
  ``ArrowError::DivideByZero => write!(f, "Divide by zero error")``;
- iox_query_influxql/src/plan/planner.rs l.2552-2559: a numeric ``field::type`` is
  ``column.cast_to(&dst_type, ..)``, a CAST, not a TRY_CAST; DataFusion's DEFAULT_CAST_OPTIONS is
  ``safe: false``; arrow-cast try_numeric_cast: ``ArrowError::CastError(format!("Can't cast value
  {:?} to type {}", value, R::DATA_TYPE))``, arrow-schema error.rs ``CastError(desc) =>
  "Cast error: {desc}"``;
- planner.rs l.3376-3387: a raw row is kept by its source columns (``Column::from_name(name)
  .is_not_null()``), so the row whose cast fails is read and fails;
- iox_v1_query_api/src/response/stream.rs l.178-182 ``.map_err(Error::from)`` and error.rs l.49
  ``#[error("datafusion error: {0}")]``: DataFusionError::ArrowError prints as "Arrow error: ...".
Arrow's kernels skip null slots (try_unary / try_binary over valid indices), so a NULL dividend
or cast value is no error. The influxdb1 dialect keeps 1.x's answers (0, or null).
"""
from __future__ import annotations

import pytest

from .both_dialects import answer, store_in_both_dialects

LINES = "m i=7i,u=7u,f=2.5 1\nm i=-3i,u=3u,f=-0.5 2\nm i=-1i,u=18446744073709551615u,f=1e30 3\nm g=1i 4"
DIV0 = "datafusion error: Arrow error: Divide by zero error"
CAST = "datafusion error: Arrow error: Cast error: Can't cast value {} to type {}"


store = store_in_both_dialects(LINES)


@pytest.mark.parametrize("query,v3,v1", [
    ("SELECT i % 0 FROM m", DIV0, [[0], [0], [0]]),
    ("SELECT u % 0 FROM m", DIV0, [[0], [0], [0]]),
    ("SELECT sum(i) % 0 FROM m", DIV0, [[0]]),
    ("SELECT i FROM m WHERE i % 0 = 0", DIV0, [[7], [-3], [-1]]),
    ("SELECT i % 0 FROM m WHERE i > 100", [], []),                  # no row, nothing divided
    ("SELECT i % 2, u % 4 FROM m", [[1, 3], [-1, 3], [-1, 3]],
     [[1, 3], [-1, 3], [-1, 2 ** 64 - 1]]),                         # Rust's %: the dividend's sign
    ("SELECT u % -3 FROM m", [[7], [3], [2]],                       # -3 wraps to u64::MAX - 2
     [[1], [0], [2 ** 64 + 1023]]),
    ("SELECT i / 0 FROM m", [[0.0], [0.0], [0.0]], [[0.0], [0.0], [0.0]]),  # divide_carefully
])
def test_remainder(store, query, v3, v1):
    dialect, s = store
    assert answer(s, query) == (v3 if dialect == "influxdb3" else v1)


@pytest.mark.parametrize("query,v3,v1", [
    ("SELECT i::unsigned FROM m", CAST.format(-3, "UInt64"), [[7]]),
    ("SELECT i::unsigned, u FROM m", CAST.format(-3, "UInt64"),
     [[7, 7], [None, 3], [None, 2 ** 64 - 1]]),
    ("SELECT i::unsigned + 1 FROM m", CAST.format(-3, "UInt64"), [[8]]),
    ("SELECT u::integer FROM m", CAST.format(2 ** 64 - 1, "Int64"), [[7], [3]]),
    ("SELECT f::integer FROM m", CAST.format("1e30", "Int64"), [[2], [0]]),
    ("SELECT i FROM m WHERE i::unsigned > 3", CAST.format(-3, "UInt64"), [[7]]),
    ("SELECT i::unsigned FROM m WHERE i > 0", [[7]], [[7]]),        # the failing rows are filtered first
    ("SELECT f::unsigned FROM m WHERE f < 2", [[0]], [[0]]),        # -0.5 truncates to 0: in range
    ("SELECT i::float FROM m", [[7.0], [-3.0], [-1.0]], [[7.0], [-3.0], [-1.0]]),
])
def test_cast(store, query, v3, v1):
    dialect, s = store
    assert answer(s, query) == (v3 if dialect == "influxdb3" else v1)
