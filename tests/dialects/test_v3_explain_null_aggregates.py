"""EXPLAIN of aggregates of a field the table lacks, in the influxdb3 dialect (nullagg3.py).

Quoted ground truth: insta snapshots of ``iox_query_influxql/src/plan/planner.rs`` (tests
``select_aggregate::single_measurement::aggregate_non_existent_field``, ``..._and_group_by`` and
``no_group_by_aggregate_tag``),
copied as they are into v3_snapshots/ from influxdata/influxdb3_core at 349d802bf9a54ab5876399ab013502eeb0d52a6b:
EXPLAIN VERBOSE's ``initial_logical_plan`` row. ``MEAN(f64_field) + MEAN(non_existent)`` is ``NULL AS mean_mean``;
alone, the plan is one row (EmptyRelation: rows=1); under GROUP BY a tag, an Aggregate of the groups alone
(``aggr=[[]]``) over the filter of the fields the table has.

Derived, not quoted: the optimized plan is the other fields' with the untyped NULL kept; under GROUP BY,
push_down_filter's scan narrowed to the groups (a filter IOx's table takes needs no column: ``TableScan: temps
projection=[time], full_filters=[temps.time >= TimestampNanosecond(1000, None), temps.time <
TimestampNanosecond(2000, None), temps.loc = Utf8(\"foo\")]`` in iox_query's tests). The physical plan
stays this store's.
"""
from __future__ import annotations

import pytest

from tests.dialects.test_v3_explain_show import planner_catalog, rows, snapshot  # noqa: F401 - fixture

PREFIX = "select_aggregate__single_measurement__"


@pytest.mark.parametrize("name", [f"{PREFIX}aggregate_non_existent_field", f"{PREFIX}no_group_by_aggregate_tag",
                                  f"{PREFIX}aggregate_non_existent_field_and_group_by"])
def test_the_initial_plan_is_v3s_planner_plan(planner_catalog, name):  # noqa: F811 - the fixture
    q, plan = snapshot(name)
    assert rows(planner_catalog, f"EXPLAIN VERBOSE {q}")["initial_logical_plan"] == [plan]


@pytest.mark.parametrize("q,plan", [
    ("SELECT MEAN(f64_field), MEAN(f64_field) + MEAN(non_existent) FROM data", [
        "Sort: time ASC NULLS LAST",
        '  Projection: Dictionary(Int32, Utf8("data")) AS iox::measurement, TimestampNanosecond(0, None) AS time, '
        "avg(data.f64_field) AS mean, NULL AS mean_mean",
        "    Filter: __aggr_count > Int64(0)",
        "      Aggregate: groupBy=[[]], aggr=[[avg(data.f64_field), count(Int64(1)) AS __aggr_count]]",
        "        TableScan: data projection=[f64_field], full_filters=[data.f64_field IS NOT NULL]"]),
    ("SELECT MEAN(f64_field) + 2 * SUM(non_existent) AS x FROM data", [
        "Sort: time ASC NULLS LAST",
        '  Projection: Dictionary(Int32, Utf8("data")) AS iox::measurement, TimestampNanosecond(0, None) AS time, '
        "NULL AS x",
        "    EmptyRelation: rows=1"]),
    ("SELECT SUM(non_existent) + MEAN(i64_field) AS x FROM data GROUP BY foo, nope, bar", [
        "Sort: bar ASC NULLS LAST, foo ASC NULLS LAST, time ASC NULLS LAST",
        '  Projection: Dictionary(Int32, Utf8("data")) AS iox::measurement, TimestampNanosecond(0, None) AS time, '
        "data.bar AS bar, data.foo AS foo, NULL AS nope, NULL AS x",
        "    Aggregate: groupBy=[[data.bar, data.foo]], aggr=[[]]",
        "      TableScan: data projection=[bar, foo], full_filters=[data.i64_field IS NOT NULL]"]),
])
def test_the_optimized_plan(planner_catalog, q, plan):  # noqa: F811
    assert rows(planner_catalog, f"EXPLAIN {q}")["logical_plan"] == ["\n".join(plan)]


@pytest.mark.parametrize("q", [
    "SELECT MEAN(f64_field) + MEAN(non_existent) FROM data WHERE time > 0 GROUP BY foo",  # (a WHERE: not drawn)
    "SELECT MEAN(f64_field) + MEAN(non_existent), MEAN(f64_field) FROM data GROUP BY foo",  # a field beside
    "SELECT MEAN(f64_field) + MEAN(non_existent), MEAN(f64_field) FROM data",  # the NULL first
    "SELECT MEAN(f64_field), MEAN(i64_field) + MEAN(non_existent) FROM data",  # i64_field in the filter
    "SELECT MEAN(f64_field) + MEAN(non_existent) FROM data WHERE time > 0",  # the row's time: the range's start
])
def test_other_shapes_stay_this_stores(planner_catalog, q):  # noqa: F811
    assert not rows(planner_catalog, f"EXPLAIN {q}")["logical_plan"][0].startswith("Sort:")


# NULL fields beside one selector (nullagg3._beside_selector; snapshots select_raw__select_function_tag_column, -2
# in test_v3_explain_planner_more.py). Derived from planner.rs select_aggregate ("if there's only a single selector,
# wrap non-aggregated fields into that selector": each NULL not named as a GROUP BY tag an ``other_<n>``) and its
# time rule (not a ProjectionType::Selector: ``ctx.default_timestamp()``, "the lower bound of the time range").
SEL = "selector_first(cpu.usage_idle,cpu.time,NULL)"
CPU = 'Projection: Dictionary(Int32, Utf8("cpu")) AS iox::measurement, '


@pytest.mark.parametrize("q,projection,aggregate,answer", [
    ("SELECT first(usage_idle), mean(nope) FROM cpu GROUP BY host",
     CPU + f'TimestampNanosecond(0, None) AS time, cpu.host AS host, get_field({SEL}, Utf8("value")) AS first, '
     f'get_field({SEL}, Utf8("other_1")) AS mean',
     "Aggregate: groupBy=[[cpu.host]], aggr=[[selector_first(cpu.usage_idle, cpu.time, NULL)]]",
     (["time", "first", "mean"], [["1970-01-01T00:00:00Z", 1.0, None]])),
    ("SELECT first(usage_idle), last(nope) FROM cpu WHERE time > '2022-12-31T00:00:00Z'",
     CPU + f'TimestampNanosecond(1672444800000000001, None) AS time, get_field({SEL}, Utf8("value")) AS first, '
     f'get_field({SEL}, Utf8("other_1")) AS last',
     "Aggregate: groupBy=[[]], aggr=[[selector_first(cpu.usage_idle, cpu.time, NULL), count(Int64(1)) AS __aggr_count]]",
     (["time", "first", "last"], [["2022-12-31T00:00:00.000000001Z", 1.0, None]])),
    ("SELECT last(foo) AS foo, first(usage_idle) FROM cpu GROUP BY foo",  # the snapshot's: its answer
     None, None, (["time", "foo", "first"], [["1970-01-01T00:00:00Z", None, 1.0]])),
    ("SELECT count(foo) AS foo, first(usage_idle) FROM cpu GROUP BY foo",
     None, None, (["time", "foo_1", "first"], [["1970-01-01T00:00:00Z", None, 1.0]])),
])
def test_null_fields_beside_one_selector(planner_catalog, q, projection, aggregate, answer):  # noqa: F811
    if projection is not None:
        lines = [line.strip() for line in rows(planner_catalog, f"EXPLAIN VERBOSE {q}")["initial_logical_plan"][0]
                 .split("\n")]
        assert (lines[1], aggregate) == (projection, next(x for x in lines if x.startswith("Aggregate: ")))
    (res,) = planner_catalog.query(q, db="db").to_json()["results"]
    assert [(s["columns"], s["values"]) for s in res["series"]] == [answer]
