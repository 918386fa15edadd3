"""EXPLAIN of raw SELECTs over measurements whose columns differ, in the influxdb3 dialect (unioncast3.py).

Quoted ground truth: insta snapshots of ``iox_query_influxql/src/plan/planner.rs`` (tests
``select_raw::select_multiple_measurements_group_by``, ``select::multiple_measurements_schema_differences``
and ``select::from_zero_to_many``), copied as they are into v3_snapshots/ from influxdata/influxdb3_core at
349d802bf9a54ab5876399ab013502eeb0d52a6b: EXPLAIN VERBOSE's ``initial_logical_plan`` row. Each table is
planned alone and union_and_coerce CASTs its columns to the union's types::

    Projection: Dictionary(Int32, Utf8("cpu")) AS iox::measurement, cpu.time AS time, CAST(cpu.cpu AS Utf8) AS cpu,
      cpu.usage_idle AS usage_idle, CAST(NULL AS Int64) AS bytes_free

Derived, not quoted: DataFusion 50.1 (datafusion-python 50.1.0 over MemTables, target_partitions=1; once, by
hand, no dependency) printed the same initial plan for the same builder calls, then simplify_expressions
folding ``CAST(NULL AS Int64)`` into ``Int64(NULL)`` (``CAST(cpu.cpu AS Utf8)`` stays), eliminate_nested_union
flattening three tables, optimize_projections narrowing each scan; its MemTable keeps the filters (Inexact)
where IOx's table takes them (provider.rs: Exact), as for one table (test_v3_explain_raw_group.py).
"""
from __future__ import annotations

import pytest

import tsdb_core
from tests.dialects.test_v3_explain_show import planner_catalog, rows, snapshot  # noqa: F401 - fixture
from tsdb_core.influxql.dialects.unioncast3 import coerced

SNAPSHOTS = [
    "select__from_zero_to_many",
    "select__multiple_measurements_schema_differences",
    "select__multiple_measurements_schema_differences-3",  # SELECT * ... GROUP BY cpu, device
    *(f"select_raw__select_multiple_measurements_group_by{n}" for n in ("", "-2", "-3", "-4", "-5", "-6", "-7")),
    "select__error_cases-3",  # SELECT MEAN(foo) FROM data: foo a tag, from_drop_empty drops data, no table left
]


@pytest.mark.parametrize("name", SNAPSHOTS)
def test_the_initial_plan_is_v3s_planner_plan(planner_catalog, name):  # noqa: F811 - the fixture
    q, plan = snapshot(name)
    assert rows(planner_catalog, f"EXPLAIN VERBOSE {q}")["initial_logical_plan"] == [plan]


CPU = 'Projection: Dictionary(Int32, Utf8("cpu")) AS iox::measurement, cpu.time AS time'
DISK = 'Projection: Dictionary(Int32, Utf8("disk")) AS iox::measurement, disk.time AS time'
SORT = "Sort: iox::measurement ASC NULLS LAST, device ASC NULLS LAST, time ASC NULLS LAST, cpu ASC NULLS LAST"
Q7 = "SELECT cpu, usage_idle, bytes_free, non_existent FROM cpu, disk GROUP BY device"
CPU7 = f"{CPU}, Utf8(NULL) AS device, CAST(cpu.cpu AS Utf8) AS cpu, cpu.usage_idle AS usage_idle, " \
       "Int64(NULL) AS bytes_free, NULL AS non_existent"
DISK7 = f"{DISK}, CAST(disk.device AS Utf8) AS device, Utf8(NULL) AS cpu, Float64(NULL) AS usage_idle, " \
        "disk.bytes_free AS bytes_free, NULL AS non_existent"
STEPS = [  # (rule, the plan after it): DataFusion 50.1's, the scans IOx's (the filters in them)
    ("logical_plan after simplify_expressions",
     [SORT, "  Union", f"    {CPU7}", "      Filter: cpu.usage_idle IS NOT NULL", "        TableScan: cpu",
      f"    {DISK7}", "      Filter: disk.bytes_free IS NOT NULL", "        TableScan: disk"]),
    ("logical_plan after push_down_filter",
     [SORT, "  Union", f"    {CPU7}", "      TableScan: cpu, full_filters=[cpu.usage_idle IS NOT NULL]",
      f"    {DISK7}", "      TableScan: disk, full_filters=[disk.bytes_free IS NOT NULL]"]),
    ("logical_plan",
     [SORT, "  Union", f"    {CPU7}",
      "      TableScan: cpu projection=[cpu, time, usage_idle], full_filters=[cpu.usage_idle IS NOT NULL]",
      f"    {DISK7}",
      "      TableScan: disk projection=[bytes_free, device, time], full_filters=[disk.bytes_free IS NOT NULL]"]),
]


@pytest.mark.parametrize("rule, plan", STEPS, ids=[s[0] for s in STEPS])
def test_datafusions_rules_over_the_casts(planner_catalog, rule, plan):  # noqa: F811
    got = rows(planner_catalog, f"EXPLAIN VERBOSE {Q7}")
    assert got[rule][0] == "\n".join(plan)  # (listed again, SAME TEXT, in the second pass)
    assert got["logical_plan after type_coercion"] == ["SAME TEXT AS ABOVE"]  # the planner coerced the Union


@pytest.mark.parametrize("kinds, expected", [
    (["Dictionary", "Null"], "Utf8"),  # a tag beside a NULL: the dictionary's value type
    (["Null", "Dictionary"], "Utf8"),
    (["Dictionary", "Dictionary"], "Dictionary"),
    (["Float64", "Null"], "Float64"),
    (["Null", "Int64"], "Int64"),
    (["Null", "Null"], "Null"),
    (["Float64", "Null", "Float64"], "Float64"),
    (["Float64", "Int64"], None),  # a numeric coercion: not drawn
    (["Dictionary", "Null", "Dictionary"], None),  # Utf8 then a dictionary again: the Union re-projected
    (["Null", "Null", "Int64"], None),
])
def test_a_columns_type_across_the_tables(kinds, expected):
    assert coerced(kinds) == expected


@pytest.fixture
def store():
    s = tsdb_core.open(dialect="influxdb3")
    assert s.write("db", "a,t=x f=1 1000000000\nb g=2i 2000000000\nc,t=y f=3,g=4i 3000000000").ok
    yield s
    s.close()


def _branch(m: str, exprs: str, scan: str) -> list[str]:
    return [f'    Projection: Dictionary(Int32, Utf8("{m}")) AS iox::measurement, {m}.time AS time, {exprs}',
            f"      TableScan: {m} {scan}"]


def test_three_tables_the_casts_of_the_first_two(store):
    got = rows(store, "EXPLAIN VERBOSE SELECT f, g FROM a, b, c")
    assert got["initial_logical_plan"][0].split("\n")[:3] == [
        "Sort: iox::measurement ASC NULLS LAST, time ASC NULLS LAST", "  Union", "    Union"]
    assert got["logical_plan"] == ["\n".join([
        "Sort: iox::measurement ASC NULLS LAST, time ASC NULLS LAST", "  Union",
        *_branch("a", "a.f AS f, Int64(NULL) AS g", "projection=[f, time], full_filters=[a.f IS NOT NULL]"),
        *_branch("b", "Float64(NULL) AS f, b.g AS g", "projection=[g, time], full_filters=[b.g IS NOT NULL]"),
        *_branch("c", "c.f AS f, c.g AS g",
                 "projection=[f, g, time], full_filters=[c.f IS NOT NULL OR c.g IS NOT NULL]")])]


def test_a_table_none_of_whose_fields_is_read_is_dropped(store):
    got = rows(store, "EXPLAIN VERBOSE SELECT t, f FROM a, b")  # rewriter.rs from_drop_empty: b reads no field
    assert got["initial_logical_plan"] == ["\n".join([
        "Sort: time ASC NULLS LAST, t ASC NULLS LAST",
        '  Projection: Dictionary(Int32, Utf8("a")) AS iox::measurement, a.time AS time, a.t AS t, a.f AS f',
        "    Filter: a.f IS NOT NULL", "      TableScan: a"])]


def test_a_type_the_third_table_changes_is_not_drawn(store):
    # t: a dictionary, a NULL (Utf8), a dictionary again: union_and_coerce re-projects the first Union
    got = rows(store, "EXPLAIN VERBOSE SELECT t, f, g FROM a, b, c")
    assert not got["initial_logical_plan"][0].startswith("Sort: ")


def test_a_wildcard_over_every_tables_columns():
    s = tsdb_core.open(dialect="influxdb3")
    assert s.write("db", "a,host=x f=1 1000000000\nb,host=y f=2,g=1i 2000000000").ok
    got = rows(s, "EXPLAIN SELECT * FROM a, b")["logical_plan"]  # f, g, host: a's g a NULL, host a tag in both
    s.close()
    assert got == ["\n".join([
        "Sort: iox::measurement ASC NULLS LAST, time ASC NULLS LAST, host ASC NULLS LAST", "  Union",
        *_branch("a", "a.f AS f, Int64(NULL) AS g, a.host AS host",
                 "projection=[f, host, time], full_filters=[a.f IS NOT NULL]"),
        *_branch("b", "b.f AS f, b.g AS g, b.host AS host",
                 "projection=[f, g, host, time], full_filters=[b.f IS NOT NULL OR b.g IS NOT NULL]")])]


@pytest.mark.parametrize("q", ["SELECT mean(t) FROM a, c", "SELECT t FROM a", "SELECT count(DISTINCT t) FROM a"])
def test_every_table_dropped_is_an_empty_relation(store, q):
    got = rows(store, f"EXPLAIN VERBOSE {q}")
    assert got["initial_logical_plan"] == ["EmptyRelation: rows=0"] and got["physical_plan"] == ["EmptyExec\n"]


def test_a_table_named_twice_through_datafusions_rules(planner_catalog):  # noqa: F811
    """selfunion3.py: DataFusion 50.1 printed the same builder calls' plan, optimize_projections narrowing
    each scan (the filters IOx's table's)."""
    got = rows(planner_catalog, "EXPLAIN SELECT host, usage_idle FROM cpu, cpu")["logical_plan"]
    branch = ["      Projection: cpu.host AS host, cpu.time AS time, cpu.usage_idle AS usage_idle",
              "        TableScan: cpu projection=[host, time, usage_idle], full_filters=[cpu.usage_idle IS NOT NULL]"]
    assert got == ["\n".join([
        "Sort: time AS time ASC NULLS LAST, host AS host ASC NULLS LAST",
        '  Projection: Dictionary(Int32, Utf8("cpu")) AS iox::measurement, time AS time, host AS host, '
        "usage_idle AS usage_idle", "    Union", *branch, *branch])]
