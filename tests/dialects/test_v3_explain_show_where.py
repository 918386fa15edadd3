"""EXPLAIN of SHOW MEASUREMENTS with a WHERE clause in the influxdb3 dialect: DataFusion's optimizer on v3's plan.

The planner's plans are quoted (the ``initial_logical_plan`` row, test_v3_explain_show.py):
``iox_query_influxql__plan__planner__tests__metadata_queries__show_measurements-3.snap`` (WHERE foo =
'some_foo') and ``-4.snap`` (WHERE time > 1337), influxdata/influxdb3_core at
349d802bf9a54ab5876399ab013502eeb0d52a6b. The optimized plan and the rules that change it are
DataFusion 50.1's for the same builder calls over tables that take every filter, printed once by hand
(datafusion-python 50.1.0 over pyarrow datasets: EXPLAIN VERBOSE changed, in this order,
eliminate_nested_union, simplify_expressions, eliminate_filter, propagate_empty_relation, push_down_filter,
optimize_projections, then in the second pass push_down_limit; with only a time range: the Union's
flattening, push_down_filter, optimize_projections, then push_down_limit). The physical plan stays this
store's (IOx's scan under a fetch is not drawn), except for no table left: an EmptyExec.
"""
from __future__ import annotations

import pytest

from tests.dialects.test_v3_errors import OPTIMIZERS
from tests.dialects.test_v3_explain_show import planner_catalog, rows, snapshot  # noqa: F401 - fixture

HEAD = 'Projection: Dictionary(Int32, Utf8("measurements")) AS iox::measurement, Dictionary(Int32, Utf8("{}")) AS name'
SORT = "Sort: iox::measurement ASC NULLS LAST, name ASC NULLS LAST"


def changed(verbose: dict) -> list[str]:
    """The optimizer rules whose row is not SAME TEXT AS ABOVE, pass after pass."""
    passes = len(verbose["logical_plan after push_down_limit"])
    return [r for p in range(passes) for r in OPTIMIZERS if verbose[f"logical_plan after {r}"][p] != "SAME TEXT AS ABOVE"]


def test_a_tag_comparison_keeps_the_tables_with_the_tag(planner_catalog):  # noqa: F811 - the fixture
    q, plan = snapshot("metadata_queries__show_measurements-3")
    verbose = rows(planner_catalog, f"EXPLAIN VERBOSE {q}")
    assert verbose["initial_logical_plan"] == [plan]
    assert changed(verbose) == ["eliminate_nested_union", "simplify_expressions", "eliminate_filter",
                                "propagate_empty_relation", "push_down_filter", "optimize_projections", "push_down_limit"]
    assert verbose["logical_plan"] == [f"""\
{SORT}
  {HEAD.format("data")}
    Limit: skip=0, fetch=1
      TableScan: data projection=[], full_filters=[data.time >= TimestampNanosecond(1672444800000000000, None), \
foo = Dictionary(Int32, Utf8("some_foo"))], fetch=1"""]
    after = verbose["logical_plan after eliminate_filter"][0].splitlines()
    assert after[1:5] == ["  Union", f"    {HEAD.format('all_types')}", "      Limit: skip=0, fetch=1",
                          "        EmptyRelation: rows=0"]


def test_a_time_range_alone_keeps_every_table(planner_catalog):  # noqa: F811
    q, plan = snapshot("metadata_queries__show_measurements-4")
    verbose = rows(planner_catalog, f"EXPLAIN VERBOSE {q}")
    assert verbose["initial_logical_plan"] == [plan]
    assert changed(verbose) == ["eliminate_nested_union", "push_down_filter", "optimize_projections", "push_down_limit"]
    final = verbose["logical_plan"][0]
    assert final.count("\n    Projection:") == final.count("TableScan:") == 16
    assert "    Projection: " + HEAD.format("cpu").removeprefix("Projection: ") + """
      Limit: skip=0, fetch=1
        TableScan: cpu projection=[], full_filters=[cpu.time >= TimestampNanosecond(1338, None)], fetch=1""" in final


def test_no_table_with_the_tag_is_an_empty_relation(planner_catalog):  # noqa: F811
    got = rows(planner_catalog, "EXPLAIN SHOW MEASUREMENTS WHERE nope = 'x'")
    assert got == {"logical_plan": ["EmptyRelation: rows=0"], "physical_plan": ["EmptyExec\n"]}


def test_a_regex_measurement_and_a_range(planner_catalog):  # noqa: F811
    got = rows(planner_catalog, "EXPLAIN SHOW MEASUREMENTS WITH MEASUREMENT =~ /^disk/ WHERE time > 1337 AND time < 2000")
    scans = [line.strip() for line in got["logical_plan"][0].splitlines() if "TableScan" in line]
    assert scans == [f"TableScan: {t} projection=[], full_filters=[{t}.time >= TimestampNanosecond(1338, None), "
                     f"{t}.time <= TimestampNanosecond(1999, None)], fetch=1" for t in ("disk", "diskio")]
    assert got["physical_plan"][0].startswith("IndexScan: ")  # this store's


# SHOW TAG KEYS with WHERE (showwhere3.py tag_keys_plans): DataFusion 50.1, the same builder calls over tables
# that take every filter (datafusion-python 50.1.0, pyarrow datasets; once, by hand) changed, in order: the
# analyzer's type_coercion ("CASE WHEN CAST(cpu AS Decimal128(20, 0)) > CAST(Int32(0) AS Decimal128(20, 0))"),
# eliminate_nested_union (3 tables or more), simplify_expressions ("CASE WHEN cpu > UInt64(0)"), push_down_filter,
# optimize_projections; its physical plan: "SortPreservingMergeExec: [iox::measurement@0 ASC NULLS LAST, tagKey@1
# ASC NULLS LAST]" / "UnionExec" / per table "SortExec: expr=[tagKey@1 ASC NULLS LAST], ..." / "ProjectionExec:
# expr=[cpu as iox::measurement, tagKey@0 as tagKey]" / CoalesceBatchesExec / "FilterExec: tagKey@0 IS NOT NULL" /
# "UnnestExec" / "ProjectionExec: expr=[make_array(CASE WHEN cpu@0 > 0 THEN cpu END, ...) as tagKey]" /
# "AggregateExec: mode=Single, gby=[], aggr=[cpu, host]" over the scan (here IOx's, scanplan3.py).


def test_show_tag_keys_with_a_time_range_rule_by_rule(planner_catalog):  # noqa: F811
    verbose = rows(planner_catalog, "EXPLAIN VERBOSE SHOW TAG KEYS FROM cpu, disk, diskio WHERE time > 1337")
    assert verbose["logical_plan after type_coercion"][0].count(
        "CASE WHEN CAST(host AS Decimal128(20, 0)) > CAST(Int32(0) AS Decimal128(20, 0)) THEN Utf8(\"host\") END") == 3
    assert verbose["analyzed_logical_plan"] == ["SAME TEXT AS ABOVE"]
    assert changed(verbose) == ["eliminate_nested_union", "simplify_expressions", "push_down_filter",
                                "optimize_projections"]
    final = verbose["logical_plan"][0]
    assert "CASE WHEN host > UInt64(0) THEN Utf8(\"host\") END" in final and "Int32(0)" not in final
    assert "TableScan: diskio projection=[host, region, status], full_filters=[diskio.time >= " \
           "TimestampNanosecond(1338, None)]" in final


def test_show_tag_keys_with_a_tag_comparison_of_one_table(planner_catalog):  # noqa: F811
    got = rows(planner_catalog, "EXPLAIN SHOW TAG KEYS FROM data WHERE foo = 'some_foo'")
    assert got["logical_plan"] == ["""\
Sort: iox::measurement ASC NULLS LAST, tagKey ASC NULLS LAST
  Projection: Dictionary(Int32, Utf8("data")) AS iox::measurement, tagKey
    Filter: tagKey IS NOT NULL
      Unnest: lists[tagKey|depth=1] structs[]
        Projection: make_array(CASE WHEN bar > UInt64(0) THEN Utf8("bar") END, CASE WHEN foo > UInt64(0) THEN \
Utf8("foo") END) AS tagKey
          Aggregate: groupBy=[[]], aggr=[[sum(CAST(data.bar IS NOT NULL AS UInt64)) AS bar, sum(CAST(data.foo IS NOT \
NULL AS UInt64)) AS foo]]
            TableScan: data projection=[bar, foo], full_filters=[data.time >= TimestampNanosecond(1672444800000000000, \
None), foo = Dictionary(Int32, Utf8("some_foo"))]"""]
    assert got["physical_plan"] == ["""\
SortExec: expr=[tagKey@1 ASC NULLS LAST], preserve_partitioning=[false]
  ProjectionExec: expr=[data as iox::measurement, tagKey@0 as tagKey]
    CoalesceBatchesExec: target_batch_size=8192
      FilterExec: tagKey@0 IS NOT NULL
        UnnestExec
          ProjectionExec: expr=[make_array(CASE WHEN bar@0 > 0 THEN bar END, CASE WHEN foo@1 > 0 THEN foo END) as tagKey]
            AggregateExec: mode=Single, gby=[], aggr=[bar, foo]
              ProjectionExec: expr=[bar@0 as bar, foo@1 as foo]
                DeduplicateExec: [bar@0 ASC,foo@1 ASC,time@2 ASC]
                  SortExec: expr=[bar@0 ASC, foo@1 ASC, time@2 ASC, __chunk_order@3 ASC], preserve_partitioning=[false]
                    CoalesceBatchesExec: target_batch_size=8192
                      FilterExec: time@2 >= 1672444800000000000 AND foo@1 = some_foo
                        RecordBatchesExec: chunks=1, projection=[bar, foo, time, __chunk_order]
"""]


# DataFusion 50.1 on the same builder calls (datafusion-python 50.1.0; once, by hand): simplify_expressions folds
# "time >= .. AND Boolean(false)" to "Boolean(false)", eliminate_filter makes it an EmptyRelation, which the
# Aggregate keeps (no groups: one row); optimize_projections puts "Projection: cpu.cpu, cpu.host, cpu.region" over
# it, and the second pass's propagate_empty_relation removes that Projection again.
EMPTY_BRANCH = [  # query -> the rules that change the plan, the false branch's last lines in the optimized plan
    ("SHOW TAG KEYS FROM cpu, data WHERE foo = 'x'",  # (the rules in the first pass's order)
     ["type_coercion", "simplify_expressions", "eliminate_filter", "propagate_empty_relation", "push_down_filter",
      "optimize_projections"],
     ["            Aggregate: groupBy=[[]], aggr=[[sum(CAST(cpu.cpu IS NOT NULL AS UInt64)) AS cpu, "
      "sum(CAST(cpu.host IS NOT NULL AS UInt64)) AS host, sum(CAST(cpu.region IS NOT NULL AS UInt64)) AS region]]",
      "              EmptyRelation: rows=0"]),
    ("SHOW TAG KEYS FROM cpu WHERE foo = 'x' AND time >= 0",  # (nothing to push down)
     ["type_coercion", "simplify_expressions", "eliminate_filter", "propagate_empty_relation", "optimize_projections"],
     ["          Aggregate: groupBy=[[]], aggr=[[sum(CAST(cpu.cpu IS NOT NULL AS UInt64)) AS cpu, "
      "sum(CAST(cpu.host IS NOT NULL AS UInt64)) AS host, sum(CAST(cpu.region IS NOT NULL AS UInt64)) AS region]]",
      "            EmptyRelation: rows=0"]),
]


@pytest.mark.parametrize("q, changed, tail", EMPTY_BRANCH, ids=[e[0] for e in EMPTY_BRANCH])
def test_show_tag_keys_where_a_table_lacks_the_tag(planner_catalog, q, changed, tail):  # noqa: F811
    verbose = rows(planner_catalog, f"EXPLAIN VERBOSE {q}")
    rules = [k.removeprefix("logical_plan after ") for k, v in verbose.items()
             if k.startswith("logical_plan after ") and any(x != "SAME TEXT AS ABOVE" for x in v)]
    assert rules == changed
    plan = verbose["logical_plan"][0].splitlines()
    cut = next(i for i, line in enumerate(plan) if line.strip() == "EmptyRelation: rows=0") + 1
    assert plan[cut - len(tail):cut] == tail
    assert verbose["physical_plan"][0].startswith("IndexScan: db")  # this store's (not drawn over an EmptyRelation)


def test_the_initial_plan_of_a_table_lacking_the_tag_is_v3s(planner_catalog):  # noqa: F811
    q, plan = snapshot("metadata_queries__show_tag_keys_2")
    assert rows(planner_catalog, f"EXPLAIN VERBOSE {q}")["initial_logical_plan"] == [plan]


def test_show_tag_keys_where_with_a_limit(planner_catalog):  # noqa: F811
    # v3's SeriesLimit over the Sort: optimize_projections stops at it (no necessary_children_exprs), so the scan
    # keeps its columns and no Projection is put over the EmptyRelation (nothing for propagate_empty_relation)
    verbose = rows(planner_catalog, "EXPLAIN VERBOSE SHOW TAG KEYS FROM cpu, data WHERE foo = 'x' LIMIT 1")
    rules = [k.removeprefix("logical_plan after ") for k, v in verbose.items()
             if k.startswith("logical_plan after ") and any(x != "SAME TEXT AS ABOVE" for x in v)]
    assert rules == ["type_coercion", "simplify_expressions", "eliminate_filter", "push_down_filter"]
    plan = verbose["logical_plan"][0].splitlines()
    assert plan[0] == ("SeriesLimit: series=[iox::measurement], order=[tagKey ASC NULLS LAST], limit_expr=[tagKey "
                       "RESPECT NULLS (default: Dictionary(Int32, Utf8(NULL)))], fetch=UInt64(1)")
    assert plan[8] == "                EmptyRelation: rows=0"
    assert plan[-1] == ("                TableScan: data, full_filters=[data.time >= TimestampNanosecond("
                        "1672444800000000000, None), foo = Dictionary(Int32, Utf8(\"x\"))]")


# DataFusion 50.1 on the same builder calls with a LIMIT over the Sort (datafusion-python 50.1.0; once, by hand):
# the first pass's push_down_limit, right after propagate_empty_relation, gives the Sort "fetch=<skip + fetch>"
MEASUREMENTS_LIMIT = [  # query -> the rules that change the plan (in the first pass's order), the optimized plan
    ("SHOW MEASUREMENTS WITH MEASUREMENT =~ /^d/ WHERE foo = 'x' LIMIT 2 OFFSET 1",
     ["eliminate_nested_union", "simplify_expressions", "eliminate_filter", "propagate_empty_relation",
      "push_down_limit", "push_down_filter", "optimize_projections"],
     "Limit: skip=1, fetch=2\n  Sort: iox::measurement ASC NULLS LAST, name ASC NULLS LAST, fetch=3\n"
     '    Projection: Dictionary(Int32, Utf8("measurements")) AS iox::measurement, Dictionary(Int32, Utf8("data")) '
     "AS name\n      Limit: skip=0, fetch=1\n        TableScan: data projection=[], full_filters=[data.time >= "
     'TimestampNanosecond(1672444800000000000, None), foo = Dictionary(Int32, Utf8("x"))], fetch=1'),
    ("SHOW MEASUREMENTS WITH MEASUREMENT = cpu WHERE time >= 0 OFFSET 3",  # no fetch to push
     ["push_down_limit", "push_down_filter", "optimize_projections"],  # (push_down_limit: the second pass's)
     "Limit: skip=3, fetch=None\n  Sort: iox::measurement ASC NULLS LAST, name ASC NULLS LAST\n"
     '    Projection: Dictionary(Int32, Utf8("measurements")) AS iox::measurement, Dictionary(Int32, Utf8("cpu")) '
     "AS name\n      Limit: skip=0, fetch=1\n        TableScan: cpu projection=[], full_filters=[cpu.time >= "
     "TimestampNanosecond(0, None)], fetch=1"),
    ("SHOW MEASUREMENTS WHERE nope = 'x' LIMIT 2", None, "EmptyRelation: rows=0"),  # the Limit over it dropped too
]


@pytest.mark.parametrize("q, changed, plan", MEASUREMENTS_LIMIT, ids=[m[0] for m in MEASUREMENTS_LIMIT])
def test_show_measurements_where_with_a_limit(planner_catalog, q, changed, plan):  # noqa: F811
    verbose = rows(planner_catalog, f"EXPLAIN VERBOSE {q}")
    rules = [k.removeprefix("logical_plan after ") for k, v in verbose.items()
             if k.startswith("logical_plan after ") and any(x != "SAME TEXT AS ABOVE" for x in v)]
    assert changed is None or rules == changed
    assert verbose["logical_plan"] == [plan]
