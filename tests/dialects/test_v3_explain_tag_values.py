"""EXPLAIN of a SHOW TAG VALUES over several tables or keys in the influxdb3 dialect: v3's plans.

The planner's plan is quoted: ``iox_query_influxql/src/plan/snapshots/
iox_query_influxql__plan__planner__tests__metadata_queries__show_tag_values_many_measurements.snap``
(influxdata/influxdb3_core at 349d802bf9a54ab5876399ab013502eeb0d52a6b; planner.rs
show_tag_values_to_plan: one flat Union of a branch per table and key). Derived, not quoted: every
DataFusion rule changes each branch as it changes the one branch of a single key (showscan3.py, tested
in test_v3_explain_show.py), and the branches' sorted plans are merged under a UnionExec
(DataFusion 50.1 printed both for two-branch unions of the same builder calls over one-partition
tables: the same rules change the plan as for one branch, and ``SortPreservingMergeExec:
[iox::measurement@0 ASC NULLS LAST, key@1 ASC NULLS LAST, value@2 ASC NULLS LAST]`` over ``UnionExec``
over each branch's ``SortExec: expr=[value@2 ASC NULLS LAST]``; once, by hand: it is no dependency).
The scans are this store's rows not yet persisted, as IOx's RecordBatchesExec (scanplan3.py).
"""
from __future__ import annotations

import re

import pytest

from tests.dialects.test_v3_errors import OPTIMIZERS
from tests.dialects.test_v3_explain_show import planner_catalog, rows, snapshot  # noqa: F401 - fixture

MERGE = "SortPreservingMergeExec: [iox::measurement@0 ASC NULLS LAST, key@1 ASC NULLS LAST, value@2 ASC NULLS LAST]"


def optimized(plan: str) -> str:
    """Each branch of the planner's plan as DataFusion leaves it: the Distinct an Aggregate on the
    key, the filter in the scan, the scan narrowed to the key."""
    pattern = re.compile(r"( +)Distinct:\n +Projection: (\w+)\.(\w+)\n +Filter: (.*)\n +TableScan: \w+")
    return pattern.sub(lambda m: f"{m[1]}Aggregate: groupBy=[[{m[2]}.{m[3]}]], aggr=[[]]\n{m[1]}  TableScan: {m[2]} "
                                 f"projection=[{m[3]}], full_filters=[{m[4]}]", plan)


def test_many_tables_of_one_key(planner_catalog):  # noqa: F811 - the fixture
    q, plan = snapshot("metadata_queries__show_tag_values_many_measurements")
    got = rows(planner_catalog, f"EXPLAIN {q}")
    assert got["logical_plan"] == [optimized(plan)]
    assert got["logical_plan"][0].count("TableScan: m") == 5
    lines = got["physical_plan"][0].splitlines()
    assert lines[:3] == [MERGE, "  UnionExec", "    SortExec: expr=[value@2 ASC NULLS LAST], preserve_partitioning=[false]"]
    heads = [line.strip() for line in lines if line.startswith("      ProjectionExec")]
    assert heads == [f"ProjectionExec: expr=[m{n} as iox::measurement, many_measurements as key, "
                     "many_measurements@0 as value]" for n in range(5)]


def test_two_keys_of_one_table(planner_catalog):  # noqa: F811
    got = rows(planner_catalog, "EXPLAIN SHOW TAG VALUES FROM data WITH KEY IN (bar, foo)")
    cutoff = "full_filters=[data.time >= TimestampNanosecond(1672444800000000000, None)]"
    assert got["logical_plan"] == [f"""\
Sort: iox::measurement ASC NULLS LAST, key ASC NULLS LAST, value ASC NULLS LAST
  Union
    Projection: Dictionary(Int32, Utf8("data")) AS iox::measurement, Dictionary(Int32, Utf8("bar")) AS key, data.bar AS value
      Aggregate: groupBy=[[data.bar]], aggr=[[]]
        TableScan: data projection=[bar], {cutoff}
    Projection: Dictionary(Int32, Utf8("data")) AS iox::measurement, Dictionary(Int32, Utf8("foo")) AS key, data.foo AS value
      Aggregate: groupBy=[[data.foo]], aggr=[[]]
        TableScan: data projection=[foo], {cutoff}"""]
    # bar leads the table's key (bar, foo, time): its branch groups sorted input, foo's does not
    assert got["physical_plan"] == [f"""\
{MERGE}
  UnionExec
    SortExec: expr=[value@2 ASC NULLS LAST], preserve_partitioning=[false]
      ProjectionExec: expr=[data as iox::measurement, bar as key, bar@0 as value]
        AggregateExec: mode=Single, gby=[bar@0 as bar], aggr=[], ordering_mode=Sorted
          ProjectionExec: expr=[bar@0 as bar]
            DeduplicateExec: [bar@0 ASC,foo@1 ASC,time@2 ASC]
              SortExec: expr=[bar@0 ASC, foo@1 ASC, time@2 ASC, __chunk_order@3 ASC], preserve_partitioning=[false]
                CoalesceBatchesExec: target_batch_size=8192
                  FilterExec: time@2 >= 1672444800000000000
                    RecordBatchesExec: chunks=1, projection=[bar, foo, time, __chunk_order]
    SortExec: expr=[value@2 ASC NULLS LAST], preserve_partitioning=[false]
      ProjectionExec: expr=[data as iox::measurement, foo as key, foo@0 as value]
        AggregateExec: mode=Single, gby=[foo@0 as foo], aggr=[]
          ProjectionExec: expr=[foo@0 as foo]
            DeduplicateExec: [bar@1 ASC,foo@0 ASC,time@2 ASC]
              SortExec: expr=[bar@1 ASC, foo@0 ASC, time@2 ASC, __chunk_order@3 ASC], preserve_partitioning=[false]
                CoalesceBatchesExec: target_batch_size=8192
                  FilterExec: time@2 >= 1672444800000000000
                    RecordBatchesExec: chunks=1, projection=[foo, bar, time, __chunk_order]
"""]


def test_the_same_rules_change_every_branch(planner_catalog):  # noqa: F811
    verbose = rows(planner_catalog, "EXPLAIN VERBOSE SHOW TAG VALUES WITH KEY =~ /^(bar|foo)$/ WHERE foo = 'x'")
    changed = [r for r in OPTIMIZERS if verbose[f"logical_plan after {r}"][0] != "SAME TEXT AS ABOVE"]
    assert changed == ["replace_distinct_aggregate", "push_down_filter", "optimize_projections"]
    assert verbose["logical_plan after push_down_filter"][0].count("full_filters=[data.time >= TimestampNanosecond("
                                                                   "1672444800000000000, None), foo = Dictionary("
                                                                   "Int32, Utf8(\"x\"))]") == 2


# DataFusion 50.1 on the same builder calls (datafusion-python 50.1.0; once, by hand): simplify_expressions folds a
# branch's "time >= .. AND Boolean(false)" to "Boolean(false)", eliminate_filter makes it an EmptyRelation and
# propagate_empty_relation drops the branch (the Aggregate over it has groups), a lone branch left without its Union
EMPTIED = [  # query over every table -> the same query over the tables with the compared tag (the optimized plans agree)
    ("SHOW TAG VALUES WITH KEY =~ /.*/ WHERE foo = 'x'", "SHOW TAG VALUES FROM data WITH KEY =~ /.*/ WHERE foo = 'x'"),
    ("SHOW TAG VALUES FROM cpu, data WITH KEY IN (cpu, foo) WHERE foo = 'x'",
     "SHOW TAG VALUES FROM data WITH KEY = foo WHERE foo = 'x'"),
]


@pytest.mark.parametrize("q, kept", EMPTIED, ids=[e[0] for e in EMPTIED])
def test_a_table_without_the_compared_tag_is_dropped(planner_catalog, q, kept):  # noqa: F811
    got, want = rows(planner_catalog, f"EXPLAIN VERBOSE {q}"), rows(planner_catalog, f"EXPLAIN VERBOSE {kept}")
    assert "Boolean(false)" in got["initial_logical_plan"][0]
    assert got["logical_plan"] == want["logical_plan"] and got["physical_plan"] == want["physical_plan"]
    changed = [r for r in OPTIMIZERS if got[f"logical_plan after {r}"][0] != "SAME TEXT AS ABOVE"]
    assert changed == ["simplify_expressions", "replace_distinct_aggregate", "eliminate_filter",
                       "propagate_empty_relation", "push_down_filter", "optimize_projections"]


def test_no_table_with_the_compared_tag_leaves_an_empty_relation(planner_catalog):  # noqa: F811
    got = rows(planner_catalog, "EXPLAIN SHOW TAG VALUES FROM cpu WITH KEY = host WHERE foo = 'x'")
    assert got == {"logical_plan": ["EmptyRelation: rows=0"], "physical_plan": ["EmptyExec\n"]}
