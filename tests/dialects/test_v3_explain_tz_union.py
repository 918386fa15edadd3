"""tz() over several measurements in the influxdb3 dialect: answers and EXPLAIN (unionplan3.py).

Quoted, from influxdata/influxdb3_core at 349d802bf9a54ab5876399ab013502eeb0d52a6b
(``iox_query_influxql/src/plan/snapshots/``), plans printed without their schemas:

- ``iox_query_influxql__plan__planner__tests__select__timezone_clause.snap`` (one table under tz())::

    Sort: time AS time ASC NULLS LAST
      Projection: Dictionary(Int32, Utf8("data")) AS iox::measurement, time AS time, data.f64_field AS f64_field
        Filter: time >= TimestampNanosecond(1667181600000000000, Some("America/Los_Angeles")) AND time <= ..
          Projection: data.TIME, data.bar, .., tz(data.time, Utf8("America/Los_Angeles")) AS time, data.with space
            Filter: data.f64_field IS NOT NULL
              TableScan: data

- ``iox_query_influxql__plan__planner__tests__select__from_zero_to_many.snap`` (several tables)::

    Sort: iox::measurement ASC NULLS LAST, time ASC NULLS LAST, cpu ASC NULLS LAST, device ASC NULLS LAST, host ..
      Union
        Projection: Dictionary(Int32, Utf8("cpu")) AS iox::measurement, cpu.time AS time, ..

  and ``..__from_zero_to_many-3.snap``: ``SELECT host, usage_idle FROM cpu, non_existent`` is the plan of cpu
  alone (``Sort: time ASC NULLS LAST`` over its projection).

No snapshot holds tz() over several tables: the union of the lone tables' plans is derived from planner.rs
select_query_to_plan (each table planned alone, project_with_measurement, union_and_coerce, plan_with_sort
with ``sort_by_measurement``). DataFusion 50.1 (datafusion-python 50.1.0, target_partitions=1, a stand-in
``tz`` UDF over MemTables; once, by hand, no dependency) printed that planner plan for the same builder calls,
the Sort over the Union as above, eliminate_nested_union flattening three tables' nested Unions and
optimize_projections merging each branch's projections into ``Projection: Dictionary(Int32, Utf8("a")) AS
iox::measurement, tz(a.time, Utf8("Europe/Paris")) AS time, a.f AS f``; its MemTable keeps the filters
(Inexact) where IOx's table takes them (provider.rs: Exact), as for one table (test_v3_explain_raw_group.py).
Other shapes over several tables (without tz(), under a LIMIT, GROUP BY time) are drawn the same way, each
branch the lone table's plan (test_a_branch_is_the_lone_tables_plan), not printed by v3.
"""
from __future__ import annotations

import pytest

import tsdb_core
from tests.dialects.test_v3_explain_show import rows

LINES = "a,host=x f=1 1000000000\nb,host=y f=2,g=1i 2000000000\nc f=3 3000000000\nd f=4i 1000000000"
PARIS = 'Utf8("Europe/Paris")'
RANGE = "WHERE time >= 0 AND time < 10s"
BOUNDS = ('TimestampNanosecond(0, Some("Europe/Paris"))', 'TimestampNanosecond(9999999999, Some("Europe/Paris"))')


@pytest.fixture
def store():
    s = tsdb_core.open(dialect="influxdb3")
    assert s.write("db", LINES).ok
    yield s
    s.close()


def branch(name: str, columns: str) -> list[str]:
    """One table's plan under tz() as timezone_clause.snap draws it, below its Sort."""
    return [f'Projection: Dictionary(Int32, Utf8("{name}")) AS iox::measurement, time AS time, {name}.f AS f',
            f"  Filter: time >= {BOUNDS[0]} AND time <= {BOUNDS[1]}",
            f"    Projection: {columns.replace('TIME', f'tz({name}.time, {PARIS}) AS time')}",
            f"      Filter: {name}.f IS NOT NULL",
            f"        TableScan: {name}"]


def test_the_planner_plan_is_each_tables_under_one_union(store):
    got = rows(store, f"EXPLAIN VERBOSE SELECT f FROM a, b {RANGE} TZ('Europe/Paris')")["initial_logical_plan"]
    expected = ["Sort: iox::measurement ASC NULLS LAST, time ASC NULLS LAST", "  Union",
                *("    " + line for line in branch("a", "a.f, a.host, TIME")),
                *("    " + line for line in branch("b", "b.f, b.g, b.host, TIME"))]
    assert got == ["\n".join(expected)]


SHAPES = [  # (select list, the rest): each table's plan is drawn alone (selectplan3.py, aggplan3.py)
    ("f", f"{RANGE} TZ('Europe/Paris')"),
    ("f", RANGE),
    ("f", f"{RANGE} LIMIT 1 OFFSET 1"),
    ("mean(f)", f"{RANGE} GROUP BY time(5s) fill(none) TZ('Europe/Paris')"),
    ("count(f)", f"{RANGE} GROUP BY time(5s)"),
]


@pytest.mark.parametrize("kind", ["initial_logical_plan", "logical_plan"])
@pytest.mark.parametrize("fields,rest", SHAPES)
@pytest.mark.parametrize("name", ["a", "b", "c"])
def test_a_branch_is_the_lone_tables_plan(store, name, fields, rest, kind):
    """Each branch is the plan of its table alone, under its Sort (select_query_to_plan plans each table
    alone, then project_with_measurement, which a lone table's plan has too), before and after the rules."""
    union = rows(store, f"EXPLAIN VERBOSE SELECT {fields} FROM a, b, c {rest}")[kind][-1]
    alone = rows(store, f"EXPLAIN VERBOSE SELECT {fields} FROM {name} {rest}")[kind][-1]
    assert union.startswith("Sort: iox::measurement ASC NULLS LAST, time ")
    lone_lines = [line[2:] for line in alone.splitlines()[1:]]
    start = next(i for i, line in enumerate(union.splitlines()) if f'Utf8("{name}")) AS iox::measurement' in line)
    depth = len(union.splitlines()[start]) - len(union.splitlines()[start].lstrip())
    assert [line[depth:] for line in union.splitlines()[start:start + len(lone_lines)]] == lone_lines


def test_without_tz_a_branch_reads_as_from_zero_to_many_draws_it(store):
    """from_zero_to_many.snap's branch: ``Projection: Dictionary(Int32, Utf8("cpu")) AS iox::measurement,
    cpu.time AS time, .., cpu.usage_idle AS usage_idle`` over ``Filter: cpu.usage_idle IS NOT NULL`` over
    ``TableScan: cpu`` (fields of one type in every table: no CAST)."""
    got = rows(store, "EXPLAIN VERBOSE SELECT f FROM b, a")["initial_logical_plan"][0]
    assert got.splitlines() == [
        "Sort: iox::measurement ASC NULLS LAST, time ASC NULLS LAST", "  Union",
        *(line for n in "ab" for line in (
            f'    Projection: Dictionary(Int32, Utf8("{n}")) AS iox::measurement, {n}.time AS time, {n}.f AS f',
            f"      Filter: {n}.f IS NOT NULL", f"        TableScan: {n}"))]


def test_three_tables_nest_then_flatten(store):
    got = rows(store, f"EXPLAIN VERBOSE SELECT f FROM c, /^[ab]$/ {RANGE} TZ('Europe/Paris')")
    initial = got["initial_logical_plan"][0].splitlines()
    assert initial[:3] == ["Sort: iox::measurement ASC NULLS LAST, time ASC NULLS LAST", "  Union", "    Union"]
    assert initial[3].startswith('      Projection: Dictionary(Int32, Utf8("a"))')  # by name: a, b, then c
    flat = got["logical_plan after eliminate_nested_union"][0].splitlines()
    assert flat[:2] == initial[:2] and flat.count("  Union") == 1 and "    Union" not in flat
    assert [line for line in flat if "iox::measurement," in line] == [
        f'    Projection: Dictionary(Int32, Utf8("{n}")) AS iox::measurement, time AS time, {n}.f AS f' for n in "abc"]


def test_two_tables_have_no_nested_union(store):
    got = rows(store, f"EXPLAIN VERBOSE SELECT f FROM a, b {RANGE} TZ('Europe/Paris')")
    assert got["logical_plan after eliminate_nested_union"][0] == "SAME TEXT AS ABOVE"


def test_the_optimized_plan(store):
    tz = f"tz(a.time, {PARIS})"
    full = f"full_filters=[{tz} >= {BOUNDS[0]}, {tz} <= {BOUNDS[1]}, a.f IS NOT NULL]"
    plan = rows(store, f"EXPLAIN SELECT f FROM a, c {RANGE} TZ('Europe/Paris')")["logical_plan"][0].splitlines()
    assert plan[:4] == ["Sort: iox::measurement ASC NULLS LAST, time ASC NULLS LAST", "  Union",
                        f'    Projection: Dictionary(Int32, Utf8("a")) AS iox::measurement, {tz} AS time, a.f AS f',
                        f"      TableScan: a projection=[f, time], {full}"]
    assert plan[4:] == [line.replace("a.", "c.").replace('"a"', '"c"').replace(": a ", ": c ") for line in plan[2:4]]


@pytest.mark.parametrize("source", ["/^a$/", "a, nowhere"])
def test_a_from_clause_naming_one_table_plans_it_alone(store, source):
    """rewriter.rs expands a regex to the tables it matches and find_table_names keeps each once."""
    alone = rows(store, f"EXPLAIN VERBOSE SELECT f FROM a {RANGE}")
    assert rows(store, f"EXPLAIN VERBOSE SELECT f FROM {source} {RANGE}") == alone


def test_a_table_named_by_two_sources_is_not_planned_alone(store):
    """rewriter.rs expand_from keeps ``a`` once per source naming it (no dedup), and union_from plans
    each source of the table: a Union under one projection (planner snapshot from_zero_to_many-4, ``FROM
    cpu, cpu``), not drawn: this store's plan."""
    alone = rows(store, f"EXPLAIN VERBOSE SELECT f FROM a {RANGE}")
    twice = rows(store, f"EXPLAIN VERBOSE SELECT f FROM /^a/, a {RANGE}")
    assert twice["initial_logical_plan"] != alone["initial_logical_plan"]
    assert not twice["initial_logical_plan"][0].startswith("Sort: ")


def test_one_table_in_the_catalog_is_planned_alone(store):
    """from_zero_to_many-3: a table not in the catalog drops out, the other is planned alone."""
    alone = rows(store, "EXPLAIN SELECT f FROM a TZ('Europe/Paris')")["logical_plan"]
    assert rows(store, "EXPLAIN SELECT f FROM a, nowhere TZ('Europe/Paris')")["logical_plan"] == alone
    assert alone[0].startswith("Sort: time AS time ASC NULLS LAST\n")


@pytest.mark.parametrize("q", [
    "SELECT f FROM a, d TZ('Europe/Paris')",  # f a float in a, an integer in d: union_and_coerce casts
    "SELECT f, host FROM a, b TZ('Europe/Paris')",  # a tag: cast to Utf8 across tables
    "SELECT f FROM a, b WHERE host = 'x' TZ('Europe/Paris')",  # a tag test
    "SELECT f FROM a, b LIMIT 1 TZ('Europe/Paris')",  # (a lone table's tz() under a LIMIT: not drawn)
    "SELECT count(f) FROM a, b WHERE time >= 0 AND time < 10s GROUP BY time(5s), host",  # a tag
])  # (``SELECT * FROM a, b``, each table's own columns: test_v3_explain_union_cast.py)
def test_other_shapes_stay_this_stores(store, q):
    assert not rows(store, f"EXPLAIN {q}")["logical_plan"][0].startswith("Sort:")


def test_the_answer_is_sorted_by_measurement_then_time_in_the_zone(store):
    (res,) = store.query(f"SELECT f FROM c, a, b {RANGE} TZ('Europe/Paris')", db="db").to_json()["results"]
    assert [(s["name"], s["values"]) for s in res["series"]] == [
        ("a", [["1970-01-01T01:00:01+01:00", 1.0]]),
        ("b", [["1970-01-01T01:00:02+01:00", 2.0]]),
        ("c", [["1970-01-01T01:00:03+01:00", 3.0]])]
