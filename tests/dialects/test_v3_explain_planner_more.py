"""More of v3's planner snapshots against EXPLAIN VERBOSE's ``initial_logical_plan`` (influxdb3 dialect).

v3_snapshots/ (copied as they are from influxdata/influxdb3_core at 349d802bf9a54ab5876399ab013502eeb0d52a6b,
``iox_query_influxql/src/plan/snapshots``) hold the planner's plan of each ``plan("...")`` in planner.rs, with
schemas (test_v3_explain_show.py strips them). Of the 284 snapshots of a plan that are not an EXPLAIN of one
(nested EXPLAIN: test_v3_nested_explain.py), surveyed once over the planner tests' catalog: 153 print the same,
none differs where ours draws a plan, 129 are shapes this store does not draw (its own plan is printed), 2 are
statements this store refuses (``SELECT TIME FROM data``: ``TIME`` a field to v3; a subquery ordered the other
way). The snapshots below are those no other test held. ``FROM cpu, cpu`` (from_zero_to_many-4,
multiple_data_sources-2): v3's union_from unions the table's two scans under one projection (selfunion3.py),
an aggregate's over that Union with its columns unqualified (over_self_union).

Derived, not quoted: the optimized plan of an aggregate over ``FROM disk, disk`` (the lone table's steps, each
branch narrowed to the columns the lone plan's scan reads).
"""
from __future__ import annotations

import json
import re

import pytest

from tests.dialects.test_v3_explain_show import SNAPSHOTS, PREFIX, _without_schema, planner_catalog, rows  # noqa: F401 - fixture

SAME = [
    "select__column_matching_rules-3", "select__error_cases-6", "select__from_zero_to_many-3",
    "select__from_zero_to_many-4",  # FROM cpu, cpu: union_from's Union of the table's two scans (selfunion3.py)
    "select__multiple_data_sources-2",  # last() FROM cpu, cpu: the aggregate over that Union (over_self_union)
    # SELECT time, LAST(usage_idle) ...: a ``time`` written in an aggregate's list planned as none (v3plans._time_first)
    "select__functions__issue_15698",
    "select__time_range_in_where-2", "select__time_range_in_where-4", "select__wildcard_expressions",
    "select__wildcard_expressions-2", "select__wildcard_expressions-3", "select__wildcard_expressions-4",
    "select__wildcard_expressions-5", "select__wildcard_expressions-6", "select__wildcard_expressions-7",  # mean(/re/)
    "select_aggregate__single_measurement__group_by_time_gapfill_defaul_is_fill_null1",
    "select_aggregate__single_measurement__mean-3", "select_aggregate__single_measurement__mean-4",
    "select_aggregate__single_measurement__median", "select_aggregate__single_measurement__median-2",
    "select_aggregate__single_measurement__median-4", "select_aggregate__single_measurement__median-5",
    "select_aggregate__single_measurement__not_implemented__group_by_time_precision",
    "select_aggregate__single_measurement__stddev", "select_aggregate__single_measurement__stddev-4",
    "select_aggregate__single_measurement__stddev-5", "select_aggregate__single_measurement__sum-4",
    "select_aggregate__single_measurement__sum-5", "select_aggregate__single_measurement__sum-6",
    "select_aggregate__single_measurement__sum-7", "select_raw__field_matching_rules",
    "select_raw__field_matching_rules-2", "select_raw__field_matching_rules-4", "select_raw__single_measurement",
    "select_raw__single_measurement-4", "select_raw__single_measurement-5",
    # a NULL field beside one selector (nullagg3._beside_selector): the time 0 of v3's Aggregate projection type,
    # ``last(foo) as foo`` (unknown type) the GROUP BY column itself, ``count(foo) as foo`` the selector's other_1
    "select_raw__select_function_tag_column", "select_raw__select_function_tag_column-2",
]


def planned(name: str) -> tuple[str, str]:
    """(the InfluxQL of the snapshot's ``expression``, unescaped as YAML then as a Rust literal; its plan)."""
    head, _, body = (SNAPSHOTS / f"{PREFIX}{name}.snap").read_text().partition("\n---\n")
    expression = json.loads(re.search(r'^expression: (".*")$', head, re.M).group(1))
    q = re.sub(r"\\(.)", r"\1", expression.removeprefix('plan("').removesuffix('")'))
    return q, "\n".join(_without_schema(line) for line in body.strip("\n").split("\n"))


@pytest.mark.parametrize("name", SAME)
def test_the_initial_plan_is_the_planners(planner_catalog, name):  # noqa: F811 - the fixture
    q, plan = planned(name)
    assert rows(planner_catalog, f"EXPLAIN VERBOSE {q}")["initial_logical_plan"] == [plan]


def test_an_aggregate_over_a_table_named_twice(planner_catalog):  # noqa: F811 - the fixture
    q = "SELECT mean(bytes_free) FROM disk, disk"
    branch = ["          Projection: disk.bytes_free AS bytes_free",
              "            TableScan: disk projection=[bytes_free], full_filters=[disk.bytes_free IS NOT NULL]"]
    assert rows(planner_catalog, f"EXPLAIN {q}")["logical_plan"] == ["\n".join([
        "Sort: time ASC NULLS LAST",
        '  Projection: Dictionary(Int32, Utf8("disk")) AS iox::measurement, TimestampNanosecond(0, None) AS time, '
        "avg(bytes_free) AS mean",
        "    Filter: __aggr_count > Int64(0)",
        "      Aggregate: groupBy=[[]], aggr=[[avg(CAST(bytes_free AS Float64)), count(Int64(1)) AS __aggr_count]]",
        "        Union", *branch, *branch])]
