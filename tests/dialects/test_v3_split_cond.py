"""split_cond's internal errors and its walk order (splitcond3.py), each in InfluxDB 3's words.

Source: influxdata/influxdb3_core 349d802b, ``influxdb_influxql_parser/src/time_range.rs``
split_cond; the planner wraps its error (``iox_query_influxql/src/error.rs``)::

    pub(crate) fn expr_error(err: ExprError) -> DataFusionError {
        match err {
            ExprError::Expression(s) => query(s),
            ExprError::Internal(s) => internal(s),
    ...
    #[error("InfluxQL internal error: {0}")]
    Internal(String),
    ...
    pub(crate) fn internal(s: impl Into<String>) -> DataFusionError {
        DataFusionError::External(Box::new(PlannerError::Internal(s.into())))

and DataFusion prints an External error as ``External error: {desc}``. A SELECT's goes through
rewriter.rs ``.map_err(|e| e.context("split condition"))`` and planner.rs
``.map_err(|e| e.context("rewriting statement"))``; a SHOW's (planner.rs plan_where_clause) has
no context. The v1 API answers either as the statement's error, status 200 (handler.rs).
"""
from __future__ import annotations

import pytest

import tsdb_core
from tests.dialects.test_v3_errors import error_of
from tests.http.conftest import make_client
from tsdb_core.influxql.dialects.splitcond3 import split_cond_error
from tsdb_core.influxql.dialects.timerange3 import as_i64
from tsdb_core.influxql.parser.driver import parse

SELECT = "datafusion error: rewriting statement\ncaused by\nsplit condition\ncaused by\n"
SHOW = "datafusion error: "
INTERNAL = "External error: InfluxQL internal error: "
PLANNING = "Error during planning: "
TR = "SELECT usage FROM cpu WHERE "


def _check(v3, q: str, error: str | None) -> None:
    """The in-process answer and the portability check agree on v3's words."""
    assert error_of(v3, q) == error
    (verdict,) = tsdb_core.Store.check(q)
    assert verdict.influxdb3 == error


EXPECTED_EXPR = [
    (TR + "time = (host = 'a')", SELECT + INTERNAL + "expected Expr"),
    (TR + "(host = 'a') = time", SELECT + INTERNAL + "expected Expr"),  # time on the right: the left is folded
    (TR + "time > ((usage > 1))", SELECT + INTERNAL + "expected Expr"),  # Grouped(Grouped(...))
    ("SHOW TAG KEYS WHERE time >= (host =~ /a/)", SHOW + INTERNAL + "expected Expr"),
    (TR + "time > (1)", None),  # parenthesised arithmetic is Expr::Nested: it folds
]


@pytest.mark.parametrize("q,error", EXPECTED_EXPR, ids=[r[0] for r in EXPECTED_EXPR])
def test_expected_expr(v3, q, error):
    """A time comparison whose other side is a parenthesised condition (conditional.rs parens:
    ``ConditionalExpression::Grouped``), not an expression (time_range.rs)::

        let Some(expr) = expr.expr() else {
            return ControlFlow::Break(error::map::internal("expected Expr"));
        };
    """
    _check(v3, q, error)


INVALID_STACK = [
    (TR + "time > 0 AND host", SELECT + INTERNAL + "invalid expr stack"),
    (TR + "host AND time > 0", SELECT + INTERNAL + "invalid expr stack"),
    (TR + "time > 0 OR 1", SELECT + INTERNAL + "invalid expr stack"),
    (TR + "time > 0 AND (true)", SELECT + INTERNAL + "invalid expr stack"),  # Nested, not a boolean literal
    ("SHOW MEASUREMENTS WHERE time > 0 AND host", SHOW + INTERNAL + "invalid expr stack"),
    (TR + "time > 0 AND true", None),  # a boolean literal is pushed
]


@pytest.mark.parametrize("q,error", INVALID_STACK, ids=[r[0] for r in INVALID_STACK])
def test_invalid_expr_stack(v3, q, error):
    """AND/OR with an operand that pushed nothing: only comparisons and boolean literals push
    (time_range.rs)::

        node @ CE::Expr(expr)
            if matches!(expr.as_ref(), Expr::Literal(Literal::Boolean(_))) =>
        ...
        CE::Binary(ConditionalBinary { op: op @ (And | Or), .. }) => {
            let Some(right) = stack.pop() else {
                return ControlFlow::Break(error::map::internal("invalid expr stack"));
            };
            let Some(left) = stack.pop() else {
                return ControlFlow::Break(error::map::internal("invalid expr stack"));
    """
    _check(v3, q, error)


NO_ELEMENT = [
    (TR + "time", SELECT + INTERNAL + "expected an element on stack"),
    (TR + '"time"', SELECT + INTERNAL + "expected an element on stack"),
    ("SHOW TAG VALUES WITH KEY = host WHERE time", SHOW + INTERNAL + "expected an element on stack"),
]


@pytest.mark.parametrize("q,error", NO_ELEMENT, ids=[r[0] for r in NO_ELEMENT])
def test_expected_an_element_on_stack(v3, q, error):
    """A WHERE that is ``time`` alone: has_time_range holds (is_time_field of the node), the
    walk pushes nothing (time_range.rs)::

        let cond = stack
            .pop()
            .ok_or_else(|| error::map::internal("expected an element on stack"))?;
    """
    _check(v3, q, error)


X = PLANNING + """invalid expression "'x'": 'x' is not a valid timestamp"""
WALK_ORDER = [
    (TR + "time > 'x' AND time != 0", SELECT + X),
    (TR + "time != 0 AND time > 'x'", SELECT + PLANNING + "invalid time comparison operator: !="),
    (TR + "time > 0 AND host AND time > 'x'", SELECT + INTERNAL + "invalid expr stack"),
    (TR + "(time > 'x') = true", SELECT + X),  # the walk enters a comparison's operands
    ("SHOW TAG KEYS WHERE time > 'x' OR time != 0", SHOW + X),
]


@pytest.mark.parametrize("q,error", WALK_ORDER, ids=[r[0] for r in WALK_ORDER])
def test_the_first_error_of_the_walk(v3, q, error):
    """walk.rs walk_expression visits a node's children, left then right, before the node and
    stops at the first ``ControlFlow::Break``: the first failing node in that order answers."""
    _check(v3, q, error)


def test_an_internal_error_is_a_statement_error_over_http():
    """handler.rs: a planning error fails the statement (``Err(Error::from(e))?`` in the
    statement's future), so the request is answered 200 with it, as the planning errors are."""
    client = make_client("cloud-dedicated", no_auth=True)
    client.raw_store.create_database("mydb")
    client.raw_store.write("mydb", "cpu,host=a usage=1 1")
    r = client.get("/query", params={"db": "mydb", "q": "SELECT usage FROM cpu WHERE time > 0 AND host"})
    assert (r.status_code, r.json()) == (200, {"results": [{"statement_id": 0, "error": (
        SELECT + INTERNAL + "invalid expr stack")}]})


FLOATS = [
    ("time > 1.5 / 0", None),  # reduce_number: `Self::Div if rhs.is_zero() => T::zero()`
    ("time > 1.5 % 2", None),
    ("time > 1.5 % 0", None),  # NaN, cast to 0 by `v as i64`
    ("time > 1.5 & 1", PLANNING + 'invalid expression "1.5 & 1": invalid operator for float expression'),
    ("time > " + "9" * 400 + ".0", None),  # f64 infinity, saturated by `v as i64`
]


@pytest.mark.parametrize("where,error", FLOATS, ids=[r[0][:30] for r in FLOATS])
def test_float_folding(where, error):
    """reduce_binary_lhs_float folds with BinaryOperator::try_reduce (arithmetic.rs), which takes
    ``Add | Sub | Mul | Div | Mod`` and is None for the bitwise operators::

        .ok_or_else(|| error::map::expr("invalid operator for float expression"))?,

    and a float compared with time becomes ``nanos_to_timestamp(v as i64)`` (a saturating cast)."""
    (stmt,) = parse(TR + where)
    found = split_cond_error(stmt.condition, now=0)
    assert (None if found is None else str(found)) == error


@pytest.mark.parametrize("v,want", [(1.9, 1), (-1.9, -1), (float("nan"), 0), (float("inf"), 2**63 - 1),
                                    (float("-inf"), -2**63), (1e300, 2**63 - 1)])
def test_as_i64_is_rusts_saturating_cast(v, want):
    assert as_i64(v) == want
