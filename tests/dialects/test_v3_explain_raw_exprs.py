"""EXPLAIN of raw SELECTs of expressions in the influxdb3 dialect (rawexpr3.py): casts, arithmetic, math calls.

Quoted ground truth: insta snapshots of ``iox_query_influxql/src/plan/planner.rs`` (tests
``select::select_cast_postfix_operator``, ``select::column_matching_rules``, ``select::time_column``,
``select::scalar_functions``, ``select_raw::simple_arithmetic_in_projection``,
``select_raw::mathematical_scalar_functions``, ``select_raw::mixture_of_existing_and_missing_fields``, ...),
copied as they are into v3_snapshots/ from influxdata/influxdb3_core at
349d802bf9a54ab5876399ab013502eeb0d52a6b: EXPLAIN VERBOSE's ``initial_logical_plan`` row.

A ``::type`` to the field's own type is the column, between numeric types a CAST, else NULL
(``SELECT f64_field::integer``: ``CAST(all_types.f64_field AS Int64) AS f64_field``; ``::string``:
``NULL AS f64_field``), the field still tested by the filter; a column not in the table is NULL, and
no field of the table read at all is an EmptyRelation, as is a FROM clause naming no table of the catalog
(``select_raw::measurement_doesnt_exist``).

Derived, not quoted: the optimized plan (push_down_filter puts the filter in the scan; optimize_projections
narrows the scan to what the projection reads, as test_v3_explain_select.py's tag tests show: a field
read only by the filter is not scanned). What stays ours: the physical plan (except EmptyExec).
"""
from __future__ import annotations

import pytest

from tests.dialects.test_v3_explain_show import planner_catalog, rows, snapshot  # noqa: F401 - fixture

CASTS = ["select__select_cast_postfix_operator", *(f"select__select_cast_postfix_operator-{i}" for i in range(2, 28)),
         "select__column_matching_rules", *(f"select__column_matching_rules-{i}" for i in (2, 4, 5, 6, 7, 8))]
EXPRESSIONS = [
    "select__scalar_functions", "select__scalar_functions-2", "select__scalar_functions-3", "select__time_column",
    "select__time_column-2", "select_raw__field_matching_rules-3",
    *(f"select_raw__mathematical_scalar_functions{s}" for s in ("", "-2", "-3", "-4", "-5")),
    "select_raw__mixture_of_existing_and_missing_fields", "select_raw__mixture_of_existing_and_missing_fields-2",
    *(f"select_raw__select_single_measurement_group_by-{i}" for i in (6, 7, 8)),  # GROUP BY a missing column
    *(f"select_raw__simple_arithmetic_in_projection{s}" for s in ("", "-2", "-3", "-4", "-5", "-6")),
    "select_raw__single_measurement-2", "select_raw__single_measurement-3",
    # ``*`` and ``/regex/``: the table's fields and tags by name (rawexpr3._expanded)
    "select_raw__single_measurement-6", "select_raw__single_measurement-7", "select_raw__field_matching_rules-5",
    # no table in the catalog: select_query_to_plan's EmptyRelation, whatever is selected (v3plans._no_table)
    *(f"select_raw__measurement_doesnt_exist{s}" for s in ("", "-2", "-3", "-4")),
]


@pytest.mark.parametrize("name", CASTS + EXPRESSIONS)
def test_the_initial_plan_is_v3s_planner_plan(planner_catalog, name):  # noqa: F811 - the fixture
    q, plan = snapshot(name)
    assert rows(planner_catalog, f"EXPLAIN VERBOSE {q}")["initial_logical_plan"] == [plan]


def test_the_casts_snapshots_are_the_ones_quoted():
    q, plan = snapshot("select__select_cast_postfix_operator-26")
    assert q == "SELECT f64_field::integer + i64_field + u64_field::integer FROM all_types"
    assert ("CAST(all_types.f64_field AS Int64) + all_types.i64_field + CAST(all_types.u64_field AS Int64) "
            "AS f64_field_i64_field_u64_field") in plan


FILTER = "full_filters=[all_types.f64_field IS NOT NULL]"
OPTIMIZED = [  # query -> the optimized plan's scan (the fields the projection reads; NULL reads none)
    ("SELECT f64_field::integer FROM all_types", f"TableScan: all_types projection=[f64_field, time], {FILTER}"),
    ("SELECT f64_field::string FROM all_types", f"TableScan: all_types projection=[time], {FILTER}"),
    ("SELECT tag0, abs(f64_field) FROM all_types",
     f"TableScan: all_types projection=[f64_field, tag0, time], {FILTER}"),
    ("SELECT f64_field + i64_field::float FROM all_types",
     "TableScan: all_types projection=[f64_field, i64_field, time], "
     "full_filters=[all_types.f64_field IS NOT NULL OR all_types.i64_field IS NOT NULL]"),
]


# DataFusion's type_coercion casts an integer argument or operand beside a float to Float64, an integer literal
# too, which simplify_expressions folds (DataFusion 50.1 printed these for the same calls, once, by hand:
# "log(Float64(8), t.i)" -> "log(Float64(8), CAST(t.i AS Float64))", "power(t.f, Int64(3))" -> "power(t.f,
# CAST(Int64(3) AS Float64))" -> "power(t.f, Float64(3))", "t.f + t.i" -> "t.f + CAST(t.i AS Float64)", "abs(t.i)" kept)
COERCED = [  # query -> its expression after type_coercion, after simplify_expressions (None: no change)
    ("SELECT LOG(i64_field, 8) FROM all_types", "log(Float64(8), CAST(all_types.i64_field AS Float64))", None),
    ("SELECT atan2(u64_field, 2) FROM all_types", "atan2(CAST(all_types.u64_field AS Float64), Float64(2))", None),
    ("SELECT pow(f64_field, 3) FROM all_types", "power(all_types.f64_field, CAST(Int64(3) AS Float64))",
     "power(all_types.f64_field, Float64(3))"),
    ("SELECT pow(u64_field, 3) FROM all_types",
     "power(CAST(all_types.u64_field AS Float64), CAST(Int64(3) AS Float64))",
     "power(CAST(all_types.u64_field AS Float64), Float64(3))"),
    ("SELECT sin(i64_field) FROM all_types", "sin(CAST(all_types.i64_field AS Float64))", None),
    ("SELECT i64_field * f64_field FROM all_types", "CAST(all_types.i64_field AS Float64) * all_types.f64_field", None),
]


@pytest.mark.parametrize("q,coerced,simplified", COERCED)
def test_type_coercion_casts_what_is_not_a_float(planner_catalog, q, coerced, simplified):  # noqa: F811 - the fixture
    got = rows(planner_catalog, f"EXPLAIN VERBOSE {q}")
    projection = got["logical_plan after type_coercion"][0].split("\n")[1]
    assert projection.endswith(f"all_types.time AS time, {coerced} AS {projection.rsplit(' AS ', 1)[1]}")
    after = got["logical_plan after type_coercion"][0]
    assert got["logical_plan after simplify_expressions"][0] == (
        "SAME TEXT AS ABOVE" if simplified is None else after.replace(coerced, simplified))
    assert (simplified or coerced) in got["logical_plan"][0]


def test_abs_keeps_an_integer(planner_catalog):  # noqa: F811 - the fixture
    got = rows(planner_catalog, "EXPLAIN VERBOSE SELECT abs(i64_field) FROM all_types")
    assert got["logical_plan after type_coercion"] == ["SAME TEXT AS ABOVE"]
    assert "abs(all_types.i64_field) AS abs" in got["logical_plan"][0]


@pytest.mark.parametrize("q,scan", OPTIMIZED)
def test_the_optimized_plan_narrows_the_scan(planner_catalog, q, scan):  # noqa: F811 - the fixture
    got = rows(planner_catalog, f"EXPLAIN {q}")
    initial = rows(planner_catalog, f"EXPLAIN VERBOSE {q}")["initial_logical_plan"][0].split("\n")
    assert got["logical_plan"][0].split("\n") == [*initial[:2], "    " + scan]


def test_an_alias_names_the_column(planner_catalog):  # noqa: F811 - the fixture
    # select__subqueries__raw-2's inner plan: "Projection: cpu.time AS time, cpu.usage_idle AS usage_idle,
    # cpu.usage_system AS value"
    got = rows(planner_catalog, "EXPLAIN VERBOSE SELECT usage_system AS value, usage_idle::float AS idle FROM cpu")
    assert got["initial_logical_plan"] == [
        "Sort: time ASC NULLS LAST\n"
        '  Projection: Dictionary(Int32, Utf8("cpu")) AS iox::measurement, cpu.time AS time, '
        "cpu.usage_system AS value, cpu.usage_idle AS idle\n"
        "    Filter: cpu.usage_idle IS NOT NULL OR cpu.usage_system IS NOT NULL\n"
        "      TableScan: cpu"]


@pytest.mark.parametrize("q", ["SELECT foo, missing FROM data", "SELECT mean(f64_field) FROM data_1",
                               "SELECT f64_field FROM /^nothing/",
                               # rewriter.rs test projection_expand_wildcards: "Selective wildcard for tags
                               # only should not select any measurements" (``SELECT *::tag FROM cpu``)
                               "SELECT *::tag FROM all_types"])
def test_no_field_or_table_is_an_empty_relation_throughout(planner_catalog, q):  # noqa: F811 - the fixture
    assert rows(planner_catalog, f"EXPLAIN {q}") == {"logical_plan": ["EmptyRelation: rows=0"],
                                                     "physical_plan": ["EmptyExec\n"]}


@pytest.mark.parametrize("q", [
    "SELECT i64_field / 2 FROM all_types",  # (divide_carefully over a literal; two fields: test_v3_explain_raw_division.py)
    "SELECT i64_field % 2 FROM all_types",  # (``%``: not drawn)
    "SELECT f64_field + 1 FROM all_types",  # a literal beside another type
    # (SELECT tag0 FROM all_types, a tag alone: from_drop_empty's EmptyRelation, test_v3_explain_union_cast.py)
    "SELECT f64_field::integer FROM all_types LIMIT 1",  # (ORDER BY time DESC: test_v3_explain_subquery.py)
    "SELECT f64_field::tag FROM all_types",
    "SELECT * FROM all_types GROUP BY tag0",  # (a wildcard leaves the GROUP BY tags out: not drawn)
])
def test_other_expressions_keep_this_stores_plan(planner_catalog, q):  # noqa: F811 - the fixture
    got = rows(planner_catalog, f"EXPLAIN {q}")
    assert got["logical_plan"] == got["physical_plan"]


# output_requirements.rs require_top_ordering: the root SortExec (the planner's root Sort) gets its keys as the
# plan's requirement, on one partition; the second OutputRequirements takes it off again (explain3.required)
REQUIRED = [
    ("SELECT f64_field FROM data", "order_by=[(time@1, asc)], dist_by=SinglePartition"),
    ("SELECT foo, f64_field FROM data", "order_by=[(time@1, asc), (foo@2, asc)], dist_by=SinglePartition"),
    ("SELECT f64_field FROM data ORDER BY time DESC", "order_by=[(time@1, desc)], dist_by=SinglePartition"),
    ("SELECT mean(f64_field) FROM data GROUP BY time(1m), foo",
     "order_by=[(foo@2, asc), (time@1, asc)], dist_by=SinglePartition"),
    ("SHOW TAG VALUES WITH KEY = foo",
     "order_by=[(iox::measurement@0, asc), (key@1, asc), (value@2, asc)], dist_by=SinglePartition"),
    ("SELECT f64_field FROM data_1", "order_by=[], dist_by=Unspecified"),  # an EmptyExec: no Sort
]


@pytest.mark.parametrize("q,requirement", REQUIRED)
def test_output_requirements_wraps_the_drawn_plan_in_the_sorts_requirement(planner_catalog, q, requirement):  # noqa: F811
    got = rows(planner_catalog, f"EXPLAIN VERBOSE {q}")
    wrapped, unwrapped = got["physical_plan after OutputRequirements"]
    physical = got["physical_plan"][0]
    indented = "".join(f"  {line}\n" for line in physical.splitlines())
    assert wrapped == f"OutputRequirementExec: {requirement}\n" + indented
    assert unwrapped == physical


def test_this_stores_plan_is_not_wrapped(planner_catalog):  # noqa: F811 - the fixture
    got = rows(planner_catalog, "EXPLAIN VERBOSE SELECT f64_field FROM data WHERE f64_field > 1")
    assert got["physical_plan after OutputRequirements"] == ["SAME TEXT AS ABOVE"] * 2


WHERE = [  # rawwhere3.py: a comparison with a literal, true, a regex on a field or a missing column (false)
    *(f"select__regex_in_where-{i}" for i in (2, 3, 5, 6)), "select__true_and_time_pred",
    "select_raw__where_clause_conditional_expressions", "select_raw__where_clause_conditional_expressions-2",
    *(f"select_raw__where_clause_mathematical_expressions{s}" for s in ("", "-2", "-3", "-4")),
]


@pytest.mark.parametrize("name", WHERE)
def test_the_initial_plan_with_a_condition_is_v3s(planner_catalog, name):  # noqa: F811 - the fixture
    q, plan = snapshot(name)
    assert rows(planner_catalog, f"EXPLAIN VERBOSE {q}")["initial_logical_plan"] == [plan]


def test_a_false_condition_empties_the_plan(planner_catalog):  # noqa: F811 - the fixture
    got = rows(planner_catalog, "EXPLAIN VERBOSE SELECT foo, f64_field FROM data WHERE time >= 0 AND f64_field =~ /f/")
    top = ('Sort: time ASC NULLS LAST, foo ASC NULLS LAST\n  Projection: Dictionary(Int32, Utf8("data")) AS '
           "iox::measurement, data.time AS time, data.foo AS foo, data.f64_field AS f64_field\n")
    assert got["logical_plan after simplify_expressions"][0] == (
        top + "    Filter: Boolean(false)\n      Filter: data.f64_field IS NOT NULL\n        TableScan: data")
    assert got["logical_plan after eliminate_filter"][0] == top + "    EmptyRelation: rows=0"
    assert got["logical_plan after propagate_empty_relation"][0] == "EmptyRelation: rows=0"
    assert got["logical_plan"] == ["EmptyRelation: rows=0"] and got["physical_plan"] == ["EmptyExec\n"]


@pytest.mark.parametrize("q,scan", [
    ("SELECT f64_field FROM data WHERE abs(f64_field) > 10",
     "TableScan: data projection=[f64_field, time], full_filters=[data.f64_field IS NOT NULL, abs(f64_field) > "
     "Float64(10)]"),
    ("SELECT f64_field FROM data WHERE true AND time >= 0",
     "TableScan: data projection=[f64_field, time], full_filters=[data.time >= TimestampNanosecond(0, None), "
     "data.f64_field IS NOT NULL]"),
    ("SELECT f64_field FROM data WHERE time >= 0 AND i64_field - 1 != 2",
     "TableScan: data projection=[f64_field, time], full_filters=[data.time >= TimestampNanosecond(0, None), "
     "i64_field - Int64(1) != Int64(2), data.f64_field IS NOT NULL]"),
])
def test_the_condition_goes_to_the_scan(planner_catalog, q, scan):  # noqa: F811 - the fixture
    assert rows(planner_catalog, f"EXPLAIN {q}")["logical_plan"][0].split("\n")[-1] == "    " + scan


@pytest.mark.parametrize("q", [
    "SELECT f64_field FROM data WHERE foo =~ /f.o/",  # (a tag's regex other than a literal: not drawn; LIKE:
    # test_v3_explain_tag_regex.py)
    "SELECT f64_field FROM data WHERE f64_field > 1 OR i64_field < 2",
    "SELECT f64_field FROM data WHERE (f64_field + 1) * 2 > 1",
    "SELECT f64_field FROM data WHERE i64_field > 1.5",
])
def test_other_conditions_keep_this_stores_plan(planner_catalog, q):  # noqa: F811 - the fixture
    got = rows(planner_catalog, f"EXPLAIN {q}")
    assert got["logical_plan"] == got["physical_plan"]
