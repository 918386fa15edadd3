"""EXPLAIN of a division between two fields in a raw SELECT, in the influxdb3 dialect (rawterms3._division).

Quoted ground truth: the insta snapshot ``select__integer_division_float_promotion`` of
``iox_query_influxql/src/plan/planner.rs``, copied as it is into v3_snapshots/ from influxdata/influxdb3_core
at 349d802bf9a54ab5876399ab013502eeb0d52a6b: divide_carefully's CASE over the operands widened to Float64.

Derived, not quoted: DataFusion 50.1 (datafusion-python 50.1.0; once, by hand, no dependency) kept the CASE
through type_coercion and simplify_expressions, then common_sub_expression_eliminate extracted the repeated
``CAST(all_types.i64_field AS Float64)`` as ``__common_expr_1`` in a Projection of it and the input's columns,
which optimize_projections narrowed to what the fields read (cse3.py); IOx's table takes the filter.
"""
from __future__ import annotations

import pytest

from tests.dialects.test_v3_explain_show import planner_catalog, rows, snapshot  # noqa: F401 - fixture

CASE = "CASE WHEN __common_expr_1 = Float64(0) AND __common_expr_1 IS NOT NULL THEN Float64(0) " \
       "ELSE __common_expr_1 / __common_expr_1 END AS i64_field_i64_field"
TOP = ['Sort: time ASC NULLS LAST',
       f'  Projection: Dictionary(Int32, Utf8("all_types")) AS iox::measurement, all_types.time AS time, {CASE}']


def test_the_initial_plan_is_v3s_planner_plan(planner_catalog):  # noqa: F811 - the fixture
    q, plan = snapshot("select__integer_division_float_promotion")
    assert rows(planner_catalog, f"EXPLAIN VERBOSE {q}")["initial_logical_plan"] == [plan]


@pytest.mark.parametrize("rule, plan", [
    ("logical_plan after common_sub_expression_eliminate", [
        *TOP, "    Projection: CAST(all_types.i64_field AS Float64) AS __common_expr_1, all_types.bool_field, "
        "all_types.f64_field, all_types.i64_field, all_types.str_field, all_types.tag0, all_types.tag1, all_types.time, "
        "all_types.u64_field", "      TableScan: all_types, full_filters=[all_types.i64_field IS NOT NULL]"]),
    ("logical_plan", [
        *TOP, "    Projection: CAST(all_types.i64_field AS Float64) AS __common_expr_1, all_types.time",
        "      TableScan: all_types projection=[i64_field, time], full_filters=[all_types.i64_field IS NOT NULL]"]),
])
def test_datafusions_cse_over_the_widened_operands(planner_catalog, rule, plan):  # noqa: F811
    got = rows(planner_catalog, "EXPLAIN VERBOSE SELECT i64_field / i64_field FROM all_types")
    assert got[rule][0] == "\n".join(plan)


def test_floats_need_no_cast_and_no_cse(planner_catalog):  # noqa: F811
    got = rows(planner_catalog, "EXPLAIN VERBOSE SELECT f64_field / f64_field FROM all_types")
    assert "CASE WHEN all_types.f64_field = Float64(0) AND all_types.f64_field IS NOT NULL THEN Float64(0) ELSE " \
           "all_types.f64_field / all_types.f64_field END AS f64_field_f64_field" in got["logical_plan"][0]
    assert "__common_expr" not in got["logical_plan"][0]


@pytest.mark.parametrize("q", ["SELECT i64_field / 2 FROM all_types", "SELECT (i64_field + 1) / f64_field FROM all_types"])
def test_other_divisions_stay_this_stores(planner_catalog, q):  # noqa: F811
    assert not rows(planner_catalog, f"EXPLAIN {q}")["logical_plan"][0].startswith("Sort:")
