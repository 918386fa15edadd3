"""EXPLAIN of a division over aggregates in the influxdb3 dialect: v3's CASE, then DataFusion's rules.

v3's planner (iox_query_influxql src/plan/planner.rs l. 2433, ``field_to_df_expr``:
``planner_rewrite_expression::rewrite_field_expr(expr, schema)``) rewrites each division
(planner_rewrite_expression.rs ``rewrite_binary_expr``: l. 371 ``Operator::Divide =>
yes(divide_carefully(left, right, DataType::Float64)?)`` when a side is Float64; l. 437
``divide_carefully(left, right, DataType::UInt64)`` for UInt64; l. 452 ``divide_carefully(cast(left,
DataType::Float64), cast(right, DataType::Float64), DataType::Float64)`` for two Int64 sides) as
(l. 572-588)::

    let zero_condition = rhs.clone().eq(zero.clone()).and(Expr::IsNotNull(Box::new(lhs.clone())));
    let division = binary_expr(lhs, Operator::Divide, rhs);
    when(zero_condition, zero).otherwise(division)

An Int64 beside a UInt64 (rewrite_binary_expr's "Mixed Int64/UInt64" arm, l. 375-430): two
non-literals are a plan error (l. 400 ``plan_err!("cannot use {op} between an integer and unsigned,
an explicit cast is required")``: nothing drawn); an Int64 literal is wrapped (l. 591-600
``nvl(try_cast(expr.clone(), DataType::UInt64), lit(u64::MAX) - try_cast(expr.neg(),
DataType::UInt64))``), "then rewrite again to handle careful division cases" (l. 428).
No Decimal128 cast follows: v3 never hands DataFusion an Int64/UInt64 mix.

Quoted ground truth: insta snapshot ``select_aggregate__single_measurement__group_by_time_gapfill_plus_math-3``
(the planner's plan, copied into v3_snapshots/ from influxdb3_core 349d802).

Derived, not quoted: the rows after type_coercion and the optimized rows below are what DataFusion
50.1 (datafusion-python 50.1.0, once, by hand; no dependency) printed for the planner's expression
over v3's plan shape (Sort, Projection, Filter __aggr_count, Aggregate): it coerces the comparison
and the division, not the ``IS NOT NULL``; folds a literal divisor's test to ``Boolean(false)``,
keeping the CASE; drops ``IS NOT NULL`` of a literal or of a count (never null) and ``/ 1``; and
extracts (common_sub_expression_eliminate: ``__common_expr_1``) a divisor that is more than a
column, which it tests first and reads again (cse3.py). The 84 expressions drawn by the division
tables of this session (every pair of mean/count/sum over f64/i64 and literals, in +, -, *, /, abs)
printed the same planner and optimized projections (and extracted Projection) in both; so did 67
with a literal 0 (``A * 0`` folded to 0 for a count only, a division by 0 testing the dividend
alone, ``+ 0`` and ``- 0`` kept).
"""
from __future__ import annotations

import pytest

from tests.dialects.test_v3_explain_show import planner_catalog, rows, snapshot  # noqa: F401 - fixture

HEAD = "Projection: Dictionary(Int32, Utf8(\"{m}\")) AS iox::measurement, TimestampNanosecond(0, None) AS time, "
F0 = "Float64(0)"
AVG_F, AVG_I, COUNT_F = "avg(data.f64_field)", "avg(data.i64_field)", "count(data.f64_field)"
SUM_U = "sum(all_types.u64_field)"
CASTC = f"CAST({COUNT_F} AS Float64)"


def case(test: str, division: str, zero: str = F0) -> str:
    return f"CASE WHEN {test} THEN {zero} ELSE {division} END"


DIVISIONS = [  # query, column, planner's expression, after type_coercion (None: the same), optimized
    ("SELECT mean(f64_field) / mean(i64_field) FROM data", "mean_mean",
     case(f"{AVG_I} = {F0} AND {AVG_F} IS NOT NULL", f"{AVG_F} / {AVG_I}"), None,
     case(f"{AVG_I} = {F0} AND {AVG_F} IS NOT NULL", f"{AVG_F} / {AVG_I}")),
    ("SELECT count(f64_field) / mean(i64_field) FROM data", "count_mean",
     case(f"{AVG_I} = {F0} AND {COUNT_F} IS NOT NULL", f"{COUNT_F} / {AVG_I}"),
     case(f"{AVG_I} = {F0} AND {COUNT_F} IS NOT NULL", f"{CASTC} / {AVG_I}"),
     case(f"{AVG_I} = {F0}", f"{CASTC} / {AVG_I}")),
    ("SELECT mean(f64_field) / 2 FROM data", "mean",
     case(f"Int64(2) = {F0} AND {AVG_F} IS NOT NULL", f"{AVG_F} / Int64(2)"),
     case(f"CAST(Int64(2) AS Float64) = {F0} AND {AVG_F} IS NOT NULL", f"{AVG_F} / CAST(Int64(2) AS Float64)"),
     case("Boolean(false)", f"{AVG_F} / Float64(2)")),
    ("SELECT count(f64_field) / 2 FROM data", "count",  # two Int64 sides: the planner casts both
     case(f"CAST(Int64(2) AS Float64) = {F0} AND {CASTC} IS NOT NULL", f"{CASTC} / CAST(Int64(2) AS Float64)"), None,
     case("Boolean(false)", f"{CASTC} / Float64(2)")),
    ("SELECT 1 / mean(i64_field) FROM data", "mean",
     case(f"{AVG_I} = {F0} AND Int64(1) IS NOT NULL", f"Int64(1) / {AVG_I}"),
     case(f"{AVG_I} = {F0} AND Int64(1) IS NOT NULL", f"CAST(Int64(1) AS Float64) / {AVG_I}"),
     case(f"{AVG_I} = {F0}", f"Float64(1) / {AVG_I}")),
    ("SELECT (mean(f64_field) - mean(i64_field)) / 1 FROM data", "mean_mean",
     case(f"Int64(1) = {F0} AND {AVG_F} - {AVG_I} IS NOT NULL", f"({AVG_F} - {AVG_I}) / Int64(1)"),
     case(f"CAST(Int64(1) AS Float64) = {F0} AND {AVG_F} - {AVG_I} IS NOT NULL",
          f"({AVG_F} - {AVG_I}) / CAST(Int64(1) AS Float64)"),
     case("Boolean(false)", f"{AVG_F} - {AVG_I}")),
    ("SELECT (count(f64_field) + 3) / mean(i64_field) FROM data", "count_mean",
     case(f"{AVG_I} = {F0} AND {COUNT_F} + Int64(3) IS NOT NULL", f"({COUNT_F} + Int64(3)) / {AVG_I}"),
     case(f"{AVG_I} = {F0} AND {COUNT_F} + Int64(3) IS NOT NULL", f"CAST({COUNT_F} + Int64(3) AS Float64) / {AVG_I}"),
     case(f"{AVG_I} = {F0}", f"CAST({COUNT_F} + Int64(3) AS Float64) / {AVG_I}")),
    ("SELECT count(f64_field) / mean(i64_field) * 3 FROM data", "count_mean",
     case(f"{AVG_I} = {F0} AND {COUNT_F} IS NOT NULL", f"{COUNT_F} / {AVG_I}") + " * Int64(3)",
     case(f"{AVG_I} = {F0} AND {COUNT_F} IS NOT NULL", f"{CASTC} / {AVG_I}") + " * CAST(Int64(3) AS Float64)",
     case(f"{AVG_I} = {F0}", f"{CASTC} / {AVG_I}") + " * Float64(3)"),
    ("SELECT abs(mean(f64_field) / mean(i64_field)) FROM data", "abs",
     f"abs({case(f'{AVG_I} = {F0} AND {AVG_F} IS NOT NULL', f'{AVG_F} / {AVG_I}')})", None,
     f"abs({case(f'{AVG_I} = {F0} AND {AVG_F} IS NOT NULL', f'{AVG_F} / {AVG_I}')})"),
    ("SELECT sum(u64_field) / sum(u64_field) * 2.5 FROM all_types", "sum_sum",  # two UInt64 sides: a UInt64 CASE
     case(f"{SUM_U} = UInt64(0) AND {SUM_U} IS NOT NULL", f"{SUM_U} / {SUM_U}", "UInt64(0)") + " * Float64(2.5)",
     f"CAST({case(f'{SUM_U} = UInt64(0) AND {SUM_U} IS NOT NULL', f'{SUM_U} / {SUM_U}', 'UInt64(0)')} AS Float64)"
     " * Float64(2.5)",
     f"CAST({case(f'{SUM_U} = UInt64(0) AND {SUM_U} IS NOT NULL', f'{SUM_U} / {SUM_U}', 'UInt64(0)')} AS Float64)"
     " * Float64(2.5)"),
]


def _projection(plan: str) -> str:
    return plan.splitlines()[1]


@pytest.mark.parametrize("q, name, planned, coerced, optimized", DIVISIONS, ids=[d[0] for d in DIVISIONS])
def test_a_division_through_v3s_planner_and_datafusions_rules(
        planner_catalog, q, name, planned, coerced, optimized):  # noqa: F811 - the fixture
    got = rows(planner_catalog, f"EXPLAIN VERBOSE {q}")
    head = "  " + HEAD.format(m=q.rsplit(" ", 1)[1])
    assert _projection(got["initial_logical_plan"][0]) == f"{head}{planned} AS {name}"
    after = got["logical_plan after type_coercion"][0]
    if coerced is None and "mean(i64_field)" not in q:
        assert after == "SAME TEXT AS ABOVE"
    elif coerced is None:  # its Aggregate's avg() changes (test_v3_explain_avg_cast.py), not the projection
        assert _projection(after) == f"{head}{planned} AS {name}"
    else:
        assert _projection(after) == f"{head}{coerced} AS {name}"
    assert _projection(got["logical_plan"][0]) == f"{head}{optimized} AS {name}"
    (plain,) = rows(planner_catalog, f"EXPLAIN {q}")["logical_plan"]
    assert _projection(plain) == f"{head}{optimized} AS {name}"


def test_a_selector_divided_by_one_is_v3s_planner_plan(planner_catalog):  # noqa: F811
    q, plan = snapshot("select_aggregate__single_measurement__group_by_time_gapfill_plus_math-3")
    got = rows(planner_catalog, f"EXPLAIN VERBOSE {q}")
    assert got["initial_logical_plan"] == [plan]
    first = 'get_field(selector_first(data.f64_field,data.time), Utf8("value"))'
    assert _projection(got["logical_plan"][0]) == (
        f'  Projection: Dictionary(Int32, Utf8("data")) AS iox::measurement, time, '
        f"CASE WHEN Boolean(false) THEN Float64(0) ELSE {first} END AS first")


NOT_DRAWN = [  # this store's plan: v3's plan error, or what cse3.py does not draw
    "SELECT mean(f64_field) / mean(i64_field), mean(f64_field) / mean(i64_field) * 2 FROM data",  # a CASE twice
    "SELECT count(f64_field) / mean(f64_field) FROM data GROUP BY time(10s)",  # a count after GapFill: nullable?
    "SELECT mean(f64_field) / count(i64_field) FROM data GROUP BY time(10s)",  # an extracted divisor over GapFill
    "SELECT mean(f64_field) / count(i64_field) FROM data LIMIT 1",  # an extracted divisor over a SeriesLimit
]


@pytest.mark.parametrize("q", NOT_DRAWN)
def test_divisions_not_drawn_print_this_stores_plan(planner_catalog, q):  # noqa: F811
    (plan,) = rows(planner_catalog, f"EXPLAIN {q}")["logical_plan"]
    assert plan.startswith("Project [time, "), plan


def test_the_int_division_snapshot_is_the_planners_cast_case():
    """The planner's expression of the snapshot not drawn (its optimized plan extracts the cast)
    is the one :func:`aggexpr3.render` writes."""
    from tsdb_core.influxql.dialects import aggexpr3 as X
    q, plan = snapshot("select__integer_division_float_promotion-2")
    node = X.Div(X.Agg("sum", "i64_field", "Int64"), X.Agg("sum", "i64_field", "Int64"), X.FLOAT, widen=True)
    text = X.render(node, lambda a: f"{a.fn}(all_types.{a.field})")
    assert f"{text} AS sum_sum" in plan.splitlines()[1]


WRAP = "nvl(TRY_CAST(Int64({v}) AS UInt64), UInt64(18446744073709551615) - TRY_CAST((- Int64({v})) AS UInt64))"


@pytest.mark.parametrize("e, kinds, text", [  # planner_rewrite_expression.rs l. 748-767, ``rewrite(expr)`` snapshots
    ("5.0 / float_field", {}, "CASE WHEN float_field = Float64(0) AND Float64(5) IS NOT NULL THEN Float64(0) "
                              "ELSE Float64(5) / float_field END"),
    ("5 / float_field", {}, "CASE WHEN float_field = Float64(0) AND Int64(5) IS NOT NULL THEN Float64(0) "
                            "ELSE Int64(5) / float_field END"),
    ("5.0 / unsigned_field", {}, "CASE WHEN unsigned_field = Float64(0) AND Float64(5) IS NOT NULL THEN Float64(0) "
                                 "ELSE Float64(5) / unsigned_field END"),
    ("5.0 / integer_field", {}, "CASE WHEN integer_field = Float64(0) AND Float64(5) IS NOT NULL THEN Float64(0) "
                                "ELSE Float64(5) / integer_field END"),
    ("5 / unsigned_field", {}, f"CASE WHEN unsigned_field = UInt64(0) AND {WRAP.format(v=5)} IS NOT NULL THEN "
                               f"UInt64(0) ELSE {WRAP.format(v=5)} / unsigned_field END"),
    ("5 / integer_field", {}, "CASE WHEN CAST(integer_field AS Float64) = Float64(0) AND CAST(Int64(5) AS Float64) "
                              "IS NOT NULL THEN Float64(0) ELSE CAST(Int64(5) AS Float64) / CAST(integer_field AS "
                              "Float64) END"),
])
def test_the_planners_expression_is_v3s_rewrite(e, kinds, text):
    """The same rewrite over columns standing for aggregates of each type."""
    from tsdb_core.influxql import parse
    from tsdb_core.influxql.dialects import aggexpr3 as X
    arrow = {"float_field": "Float64", "unsigned_field": "UInt64", "integer_field": "Int64"}
    (stmt,) = parse(f"SELECT {e} FROM m")
    expr = stmt.fields[0].expr
    swapped = type(expr)(expr.op, expr.lhs, _call(expr.rhs))
    node = X.build(swapped, lambda c: X.Agg("v", c.args[0].name, arrow[c.args[0].name]))
    assert X.render(node, lambda a: a.field) == text


def _call(ref):
    from tsdb_core.influxql.ast import expr as A
    return A.Call("v", (ref,))


SUM_U_D = "sum(all_types.u64_field)"
MIXED = [  # an Int64 literal beside a UInt64 aggregate: v3's wrapping cast, folded by DataFusion 50.1
    ("SELECT sum(u64_field) + 2 FROM all_types", "sum", f"{SUM_U_D} + {WRAP.format(v=2)}", f"{SUM_U_D} + UInt64(2)"),
    ("SELECT sum(u64_field) * -3 FROM all_types", "sum", f"{SUM_U_D} * {WRAP.format(v=-3)}",
     f"{SUM_U_D} * UInt64(18446744073709551612)"),
    ("SELECT sum(u64_field) / 2 FROM all_types", "sum",
     case(f"{WRAP.format(v=2)} = UInt64(0) AND {SUM_U_D} IS NOT NULL", f"{SUM_U_D} / {WRAP.format(v=2)}", "UInt64(0)"),
     case("Boolean(false)", f"{SUM_U_D} / UInt64(2)", "UInt64(0)")),
    ("SELECT (sum(u64_field) + 2) * 1.5 FROM all_types", "sum", f"({SUM_U_D} + {WRAP.format(v=2)}) * Float64(1.5)",
     f"CAST({SUM_U_D} + UInt64(2) AS Float64) * Float64(1.5)"),
]


@pytest.mark.parametrize("q, name, planned, optimized", MIXED, ids=[m[0] for m in MIXED])
def test_an_int_literal_beside_an_unsigned_aggregate(planner_catalog, q, name, planned, optimized):  # noqa: F811
    got = rows(planner_catalog, f"EXPLAIN VERBOSE {q}")
    head = "  " + HEAD.format(m="all_types")
    assert _projection(got["initial_logical_plan"][0]) == f"{head}{planned} AS {name}"
    assert _projection(got["logical_plan"][0]) == f"{head}{optimized} AS {name}"


@pytest.mark.parametrize("op", ["+", "/"])
def test_an_int_aggregate_beside_an_unsigned_one_is_v3s_plan_error(planner_catalog, op):  # noqa: F811
    """rewrite_binary_expr: ``(_, IsLiteral::No, IsLiteral::No) => plan_err!("cannot use {op} between
    an integer and unsigned, an explicit cast is required")``: EXPLAIN fails as the query does
    (test_v3_unsigned_arith.py)."""
    q = f"EXPLAIN SELECT sum(u64_field) {op} count(u64_field) FROM all_types"
    (res,) = planner_catalog.query(q, db="db").to_json()["results"]
    assert res["error"] == ("datafusion error: Error during planning: "
                            f"cannot use {op} between an integer and unsigned, an explicit cast is required")


AGG_D = "Aggregate: groupBy=[[]], aggr=[[avg(data.f64_field), count(data.i64_field), count(Int64(1)) AS __aggr_count]]"
SCAN_D = "TableScan: data{}, full_filters=[data.f64_field IS NOT NULL OR data.i64_field IS NOT NULL]"
MEAN_COUNT = (f'Projection: Dictionary(Int32, Utf8("data")) AS iox::measurement, TimestampNanosecond(0, None) AS time, '
              f"{case(f'__common_expr_1 = {F0} AND {AVG_F} IS NOT NULL', f'{AVG_F} / __common_expr_1')} AS mean_count")


def test_an_extracted_divisor_is_projected_under_the_fields(planner_catalog):  # noqa: F811
    """DataFusion 50.1 printed these two steps for v3's plan of ``avg / CAST(count AS Float64)``:
    the divisor projected with every input column, then only with those still read."""
    got = rows(planner_catalog, "EXPLAIN VERBOSE SELECT mean(f64_field) / count(i64_field) FROM data")

    def plan(columns: str, scan: str) -> str:
        return "\n".join(["Sort: time ASC NULLS LAST", "  " + MEAN_COUNT,
                          f"    Projection: CAST({'count(data.i64_field)'} AS Float64) AS __common_expr_1, {columns}",
                          "      Filter: __aggr_count > Int64(0)", "        " + AGG_D, "          " + scan])
    # (each rule runs again in a second pass, changing nothing: SAME TEXT AS ABOVE)
    assert got["logical_plan after common_sub_expression_eliminate"] == [
        plan(f"{AVG_F}, count(data.i64_field), __aggr_count", SCAN_D.format("")), "SAME TEXT AS ABOVE"]
    narrowed = plan(AVG_F, SCAN_D.format(" projection=[f64_field, i64_field]"))
    assert got["logical_plan after optimize_projections"] == [narrowed, "SAME TEXT AS ABOVE"]
    assert got["logical_plan"] == [narrowed]


@pytest.mark.parametrize("q, fields, extracted", [
    ("SELECT sum(i64_field) / sum(i64_field) FROM all_types",  # the snapshot integer_division_float_promotion-2
     f"{case('__common_expr_1 = Float64(0) AND __common_expr_1 IS NOT NULL', '__common_expr_1 / __common_expr_1')}"
     " AS sum_sum", "CAST(sum(all_types.i64_field) AS Float64) AS __common_expr_1"),
    ("SELECT mean(f64_field) / (mean(f64_field) + mean(i64_field)) FROM data",
     f"{case(f'__common_expr_1 = {F0} AND {AVG_F} IS NOT NULL', f'{AVG_F} / __common_expr_1')} AS mean_mean_mean",
     f"{AVG_F} + {AVG_I} AS __common_expr_1, {AVG_F}"),
    ("SELECT count(f64_field) / count(i64_field) FROM data",
     f"{case(f'__common_expr_1 = {F0}', f'{CASTC} / __common_expr_1')} AS count_count",
     f"CAST(count(data.i64_field) AS Float64) AS __common_expr_1, {COUNT_F}"),
    ("SELECT mean(f64_field) / count(i64_field), mean(f64_field) + count(i64_field) FROM data GROUP BY foo",
     f"data.foo AS foo, {case(f'__common_expr_1 = {F0} AND {AVG_F} IS NOT NULL', f'{AVG_F} / __common_expr_1')}"
     f" AS mean_count, {AVG_F} + __common_expr_1 AS mean_count_1",
     f"CAST(count(data.i64_field) AS Float64) AS __common_expr_1, data.foo, {AVG_F}"),
])
def test_the_optimized_plan_reads_the_extracted_divisor(planner_catalog, q, fields, extracted):  # noqa: F811
    (plan,) = rows(planner_catalog, f"EXPLAIN {q}")["logical_plan"]
    lines = plan.split("\n")
    assert lines[1].endswith(" AS time, " + fields)
    assert lines[2] == "    Projection: " + extracted


ZERO = [  # a literal 0, as DataFusion 50.1 optimized v3's plan (A * 0 is 0 for a count only; a division
    # by 0 tests the dividend alone)
    ("SELECT count(f64_field) * 0 FROM data", "count", "Int64(0)"),
    ("SELECT 0 * count(f64_field) FROM data", "count", "Int64(0)"),
    ("SELECT count(f64_field) + 0 FROM data", "count", f"{COUNT_F} + Int64(0)"),
    ("SELECT sum(i64_field) * 0 FROM data", "sum", "sum(data.i64_field) * Int64(0)"),  # a sum may be null
    ("SELECT mean(f64_field) * 0 FROM data", "mean", f"{AVG_F} * Float64(0)"),  # NaN * 0 is NaN
    ("SELECT count(f64_field) * 0.0 FROM data", "count", f"{CASTC} * Float64(0)"),
    ("SELECT count(f64_field) * 0 + mean(f64_field) FROM data", "count_mean", f"Float64(0) + {AVG_F}"),
    ("SELECT 0 - mean(f64_field) FROM data", "mean", f"Float64(0) - {AVG_F}"),
    ("SELECT mean(f64_field) / 0 FROM data", "mean",
     case(f"{AVG_F} IS NOT NULL", f"{AVG_F} / Float64(0)")),
    ("SELECT count(f64_field) / 0.0 FROM data", "count", case("Boolean(true)", f"{CASTC} / Float64(0)")),
    ("SELECT sum(i64_field) / 0.0 FROM data", "sum",
     case("sum(data.i64_field) IS NOT NULL", "CAST(sum(data.i64_field) AS Float64) / Float64(0)")),
    ("SELECT 0 / mean(f64_field) FROM data", "mean", case(f"{AVG_F} = {F0}", f"Float64(0) / {AVG_F}")),
    ("SELECT 0 / count(f64_field) FROM data", "count",  # (two Int64 sides: the cast divisor extracted)
     case(f"__common_expr_1 = {F0}", "Float64(0) / __common_expr_1")),
]


@pytest.mark.parametrize("q, name, optimized", ZERO, ids=[z[0] for z in ZERO])
def test_a_literal_zero(planner_catalog, q, name, optimized):  # noqa: F811
    (plan,) = rows(planner_catalog, f"EXPLAIN {q}")["logical_plan"]
    assert _projection(plan) == "  " + HEAD.format(m="data") + f"{optimized} AS {name}"


@pytest.mark.parametrize("q", [
    "SELECT sum(i64_field) / 0 FROM data",  # CAST(sum) tested and read: extracted, the dividend (not drawn)
    "SELECT (mean(f64_field) + 1) / 0 FROM data",  # likewise an operation
    "SELECT count(f64_field) * 0 FROM data GROUP BY time(10s)",  # a count after GapFill
])
def test_literal_zeros_not_drawn(planner_catalog, q):  # noqa: F811
    (plan,) = rows(planner_catalog, f"EXPLAIN {q}")["logical_plan"]
    assert plan.startswith("Project [time, "), plan
