"""EXPLAIN of a tag's regex match in a raw SELECT's WHERE, in the influxdb3 dialect (rawwhere3.like).

Quoted ground truth: insta snapshots of ``iox_query_influxql/src/plan/planner.rs`` (tests
``select::regex_in_where`` and ``select_raw::where_clause_conditional_expressions``), copied as they are into
v3_snapshots/ from influxdata/influxdb3_core at 349d802bf9a54ab5876399ab013502eeb0d52a6b: EXPLAIN VERBOSE's
``initial_logical_plan`` row. The planner's rewrite_conditional_expr reads a null tag as ``''`` and
DataFusion's simplifier makes a literal regex a LIKE: ``foo =~ /f/`` is ``CAST(foo AS Utf8) LIKE Utf8("%f%")``,
``foo !~ /^host/`` is ``foo IS NULL OR CAST(foo AS Utf8) NOT LIKE Utf8("host%")``.

Derived, not quoted: DataFusion 50.1 (datafusion-python 50.1.0; once, by hand, no dependency) kept both
forms through its rules (``arrow_cast`` standing in for the planner's CAST); push_down_filter hands them to
IOx's table with the other conjuncts, the OR whole.
"""
from __future__ import annotations

import pytest

from tests.dialects.test_v3_explain_show import planner_catalog, rows, snapshot  # noqa: F401 - fixture
from tsdb_core.influxql.dialects.rawwhere3 import like

SNAPSHOTS = ["select__regex_in_where", "select__regex_in_where-4",
             "select_raw__where_clause_conditional_expressions-3", "select_raw__where_clause_conditional_expressions-4"]


@pytest.mark.parametrize("name", SNAPSHOTS)
def test_the_initial_plan_is_v3s_planner_plan(planner_catalog, name):  # noqa: F811 - the fixture
    q, plan = snapshot(name)
    assert rows(planner_catalog, f"EXPLAIN VERBOSE {q}")["initial_logical_plan"] == [plan]


@pytest.mark.parametrize("op, pattern, expected", [
    ("=~", "f", 'CAST(t AS Utf8) LIKE Utf8("%f%")'),
    ("=~", "^host", 'CAST(t AS Utf8) LIKE Utf8("host%")'),
    ("!~", "f", 'CAST(t AS Utf8) NOT LIKE Utf8("%f%")'),
    ("=~", "a.b", None), ("=~", "^a$", None), ("=~", "", None), ("!~", "a|b", None),  # not drawn
])
def test_a_literal_pattern_is_a_like(op, pattern, expected):
    got = like("t", op, pattern)
    assert got == (None if expected is None else expected if op == "=~" else f"t IS NULL OR {expected}")


def test_the_or_whole_in_the_scans_filters(planner_catalog):  # noqa: F811
    got = rows(planner_catalog, "EXPLAIN SELECT f64_field FROM data WHERE foo !~ /^host/ AND time >= 0")
    assert got["logical_plan"][0].split("\n")[-1].strip() == (
        "TableScan: data projection=[f64_field, time], full_filters=[data.time >= TimestampNanosecond(0, None), "
        'foo IS NULL OR CAST(foo AS Utf8) NOT LIKE Utf8("host%"), data.f64_field IS NOT NULL]')
    initial = rows(planner_catalog, "EXPLAIN VERBOSE SELECT f64_field FROM data WHERE foo !~ /^host/ AND time >= 0")
    assert initial["initial_logical_plan"][0].split("\n")[2].strip() == (
        'Filter: data.time >= TimestampNanosecond(0, None) AND (foo IS NULL OR CAST(foo AS Utf8) NOT LIKE '
        'Utf8("host%"))')
