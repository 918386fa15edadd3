"""EXPLAIN of SHOW statements in the influxdb3 dialect: v3's plans, quoted from its planner tests.

v3_snapshots/ holds insta snapshots of ``iox_query_influxql/src/plan/planner.rs`` (its tests
``metadata_queries`` and ``explain``), copied as they are from influxdata/influxdb3_core at
349d802bf9a54ab5876399ab013502eeb0d52a6b. They print the planner's plan with each node's
schema (``display_indent_schema``); EXPLAIN prints it without (``display_indent``): that is
the ``initial_logical_plan`` row of EXPLAIN VERBOSE. The store below holds the tables of the
planner tests' catalog (their tags and fields read from the snapshots' TableScan schemas), its
clock at the tests' ``now`` (2023-01-01T00:00:00Z: the 24 h metadata cutoff is 1672444800000000000).

For a SHOW that scans data (SHOW TAG VALUES, and SHOW MEASUREMENTS / TAG KEYS with WHERE) what
DataFusion's optimizer makes of the plan is drawn (showscan3.py, showwhere3.py; several tables or keys:
test_v3_explain_tag_values.py; with WHERE: test_v3_explain_show_where.py), with LIMIT/OFFSET too (v3's
SeriesLimit, where optimize_projections stops). What stays ours: the ``physical_plan`` row under a LIMIT or
OFFSET (this store's); without, the physical plan is drawn from this store's chunks as
test_v3_explain_select.py tests it. A WHERE
comparing more than time and one tag with a string is not drawn (this store's plan, "IndexScan: ..."). Statistics
(``..._with_stats`` rows) are never printed: v3's count the bytes of its in-memory batches.
The plans of SHOW statements v3 answers from a table it fills in memory are v3's throughout:
their rows were compared, rule by rule, with the EXPLAIN VERBOSE that DataFusion 50 itself
prints for the same plans (datafusion-python 50.1.0 on MemTables of the same schemas, once,
by hand: it is no dependency of this project); v3's own rules' rows aside.
"""
from __future__ import annotations

import re
from pathlib import Path

import pytest

import tsdb_core
from tests.dialects.test_v3_errors import OPTIMIZERS, PHYSICAL, verbose_rows
from tsdb_core.testing import ManualClock

SNAPSHOTS = Path(__file__).with_name("v3_snapshots")
PREFIX = "iox_query_influxql__plan__planner__tests__"
NOW = "2023-01-01T00:00:00Z"  # planner.rs tests: the session's query_execution_start_time


def snapshot(name: str) -> tuple[str, str]:
    """(the InfluxQL of its ``expression: "plan(...)"`` line, the plan without schemas)."""
    head, _, body = (SNAPSHOTS / f"{PREFIX}{name}.snap").read_text().partition("\n---\n")
    q = re.search(r'expression: "plan\(\\"(.*)\\"\)"', head).group(1).replace("\\'", "'")
    return q, "\n".join(_without_schema(line) for line in body.strip("\n").split("\n"))


def _without_schema(line: str) -> str:
    """A plan line without its trailing `` [schema]`` (matched bracket by bracket: a schema can
    hold brackets, ``ORDER BY [..]`` in a window column's name)."""
    if not line.endswith("]"):
        return line
    depth = 0
    for i in range(len(line) - 1, -1, -1):
        depth += {"]": 1, "[": -1}.get(line[i], 0)
        if depth == 0:
            return line[:i].removesuffix(" ")
    return line


def catalog_lines() -> str:
    """Line protocol for the planner tests' tables: each column of each TableScan's schema, a
    Dictionary column as a tag, the others as fields of their type."""
    values = {"Float64": "1", "Int64": "1i", "UInt64": "1u", "Utf8": '"s"', "Boolean": "true"}
    out = set()
    for path in SNAPSHOTS.glob(f"{PREFIX}metadata_queries__show_tag_keys_3.snap"):
        for table, cols in re.findall(r"TableScan: (\w+) \[(.*)\]", path.read_text()):
            tags, fields = [], []
            for col in re.split(r", (?=[^,()]+:)", cols):
                name, _, kind = col.partition(":")
                kind = kind.removesuffix(";N")
                if name == "time":
                    continue
                key = name.replace(" ", "\\ ")
                (tags if kind.startswith("Dictionary") else fields).append(
                    f"{key}=x" if kind.startswith("Dictionary") else f"{key}={values[kind]}")
            out.add(",".join([table, *tags]) + " " + ",".join(fields) + " 1672531100000000000")
    return "\n".join(sorted(out))


@pytest.fixture(scope="module")
def planner_catalog():
    store = tsdb_core.open(clock=ManualClock(NOW), dialect="influxdb3")
    result = store.write("db", catalog_lines())
    assert result.ok and result.points_written == 16, result
    yield store
    store.close()


def rows(store, q: str) -> dict[str, list[str]]:
    (res,) = store.query(q, db="db").to_json()["results"]
    assert "error" not in res, res
    out: dict[str, list[str]] = {}
    for s in res["series"]:
        out.setdefault(s["name"], []).append(s["values"][0][0])
    return out


@pytest.mark.parametrize("name", [
    "metadata_queries__show_measurements", "metadata_queries__show_measurements-2",
    "metadata_queries__show_measurements-3", "metadata_queries__show_measurements-4",
    "metadata_queries__show_tag_keys_1", "metadata_queries__show_tag_keys_2",
    "metadata_queries__show_tag_keys_1-2", "metadata_queries__show_tag_keys_3",
    "metadata_queries__show_field_keys", "metadata_queries__show_field_keys-2",
    "metadata_queries__show_tag_values_1", "metadata_queries__show_tag_values_2", "metadata_queries__show_tag_values_3",
    "metadata_queries__show_tag_values_4", "metadata_queries__show_tag_values_many_measurements",
    "metadata_queries__show_retention_policies",
])
def test_the_initial_plan_is_v3s_planner_plan(planner_catalog, name):
    q, plan = snapshot(name)
    assert rows(planner_catalog, f"EXPLAIN VERBOSE {q}")["initial_logical_plan"] == [plan]


@pytest.mark.parametrize("n,name", [(5, "show_measurements"), (6, "show_tag_keys_1"), (7, "show_field_keys"),
                                    (8, "show_retention_policies")])
def test_explain_of_a_show_explains_the_shows_plan(planner_catalog, n, name):
    # select__explain-5..8: plan("EXPLAIN SHOW ...") is DataFusion's Explain node over the SHOW's own plan
    q, plan = snapshot(f"metadata_queries__{name}")
    assert snapshot(f"select__explain-{n}") == (f"EXPLAIN {q}", "Explain\n  " + plan)
    assert rows(planner_catalog, f"EXPLAIN VERBOSE {q}")["initial_logical_plan"] == [plan]


# A scan of a table v3 fills in memory: DataFusion 50's optimizer and physical planner on the planner's plan
# (datafusion/sqllogictest/test_files/explain.slt: "logical_plan after optimize_projections TableScan:
# simple_explain_test projection=[a, b, c]", "physical_plan after OutputRequirements\n01)OutputRequirementExec:
# order_by=[], dist_by=Unspecified"; MemorySourceConfig's "DataSourceExec: partitions=1, partition_sizes=[1]";
# limit.slt: "GlobalLimitExec: skip=..., fetch=...", a scan's fetch = skip + fetch)
MEMORY = "DataSourceExec: partitions=1, partition_sizes=[1]\n"


@pytest.mark.parametrize("q,logical,physical", [
    ("SHOW MEASUREMENTS", "TableScan: measurements projection=[iox::measurement, name]", MEMORY),
    ("SHOW TAG KEYS", "TableScan: tag_keys projection=[iox::measurement, tagKey]", MEMORY),
    ("SHOW FIELD KEYS", "TableScan: field_keys projection=[iox::measurement, fieldKey, fieldType]", MEMORY),
    ("SHOW RETENTION POLICIES", "TableScan: retention policies projection=[iox::measurement, name, duration, "
                                "shardGroupDuration, replicaN, default]", MEMORY),
    ("SHOW MEASUREMENTS LIMIT 1 OFFSET 2",
     "Limit: skip=2, fetch=1\n  TableScan: measurements projection=[iox::measurement, name], fetch=3",
     "GlobalLimitExec: skip=2, fetch=1\n  DataSourceExec: partitions=1, partition_sizes=[1], fetch=3\n"),
    ("SHOW MEASUREMENTS OFFSET 2", "Limit: skip=2, fetch=None\n  TableScan: measurements projection=[iox::measurement, "
                                   "name]", "GlobalLimitExec: skip=2, fetch=None\n" + "  " + MEMORY),
])
def test_explain_of_a_show_from_memory_is_v3s(planner_catalog, q, logical, physical):
    assert rows(planner_catalog, f"EXPLAIN {q}") == {"logical_plan": [logical], "physical_plan": [physical]}


def test_explain_verbose_of_a_show_from_memory_rule_by_rule(planner_catalog):
    got = rows(planner_catalog, "EXPLAIN VERBOSE SHOW MEASUREMENTS LIMIT 1 OFFSET 2")
    # a first optimizer pass that changes the plan, then a second that changes nothing (optimizer.rs)
    assert list(got) == list(dict.fromkeys(verbose_rows(2)))
    assert len(got["logical_plan after push_down_limit"]) == 2  # one row per pass
    assert got["logical_plan after push_down_limit"] == [
        "Limit: skip=2, fetch=1\n  TableScan: measurements, fetch=3", "SAME TEXT AS ABOVE"]
    assert got["logical_plan after optimize_projections"] == [
        "Limit: skip=2, fetch=1\n  TableScan: measurements projection=[iox::measurement, name], fetch=3",
        "SAME TEXT AS ABOVE"]
    assert got["physical_plan after OutputRequirements"] == [
        "OutputRequirementExec: order_by=[], dist_by=Unspecified\n  GlobalLimitExec: skip=2, fetch=1\n"
        "    DataSourceExec: partitions=1, partition_sizes=[1]\n",
        "GlobalLimitExec: skip=2, fetch=1\n  DataSourceExec: partitions=1, partition_sizes=[1]\n"]
    assert got["physical_plan after LimitPushdown"] == [
        "GlobalLimitExec: skip=2, fetch=1\n  DataSourceExec: partitions=1, partition_sizes=[1], fetch=3\n"]
    schema = ", schema=[iox::measurement:Dictionary(Int32, Utf8), name:Dictionary(Int32, Utf8)]"
    assert got["physical_plan_with_schema"] == [
        f"GlobalLimitExec: skip=2, fetch=1{schema}\n  DataSourceExec: partitions=1, partition_sizes=[1], fetch=3{schema}\n"]
    unchanged = [k for k in got if k.endswith(("after eliminate_filter", "after check-limits", "after handle_gap_fill",
                                               "with_stats"))]
    assert len(unchanged) == 5 and all(set(got[k]) == {"SAME TEXT AS ABOVE"} for k in unchanged)
    # the first physical rule's plan differs from the row above it (the plan with its schema): printed
    assert got["physical_plan after split_dedup"] == got["initial_physical_plan"]


def test_a_show_tag_values_of_one_table_and_key_is_drawn(planner_catalog):
    # showscan3.py: DataFusion 50.1's rule steps for the planner's builder calls (printed once, by hand); the
    # scan as test_v3_explain_select.py's (the catalog's rows are not yet persisted: one RecordBatchesExec)
    q, plan = snapshot("metadata_queries__show_tag_values_1")
    got = rows(planner_catalog, f"EXPLAIN {q}")
    scan = "TableScan: data projection=[bar], full_filters=[data.time >= TimestampNanosecond(1672444800000000000, None)]"
    assert got["logical_plan"] == [plan.replace("Distinct:", "Aggregate: groupBy=[[data.bar]], aggr=[[]]").rsplit(
        "\n", 3)[0] + "\n      " + scan]
    assert got["physical_plan"] == ["""\
SortExec: expr=[value@2 ASC NULLS LAST], preserve_partitioning=[false]
  ProjectionExec: expr=[data as iox::measurement, bar as key, bar@0 as value]
    AggregateExec: mode=Single, gby=[bar@0 as bar], aggr=[], ordering_mode=Sorted
      ProjectionExec: expr=[bar@0 as bar]
        DeduplicateExec: [bar@0 ASC,foo@1 ASC,time@2 ASC]
          SortExec: expr=[bar@0 ASC, foo@1 ASC, time@2 ASC, __chunk_order@3 ASC], preserve_partitioning=[false]
            CoalesceBatchesExec: target_batch_size=8192
              FilterExec: time@2 >= 1672444800000000000
                RecordBatchesExec: chunks=1, projection=[bar, foo, time, __chunk_order]
"""]
    verbose = rows(planner_catalog, f"EXPLAIN VERBOSE {q}")
    assert list(verbose) == list(dict.fromkeys(verbose_rows(2)))  # the rules change it: a second pass
    changed = [r for r in OPTIMIZERS if verbose[f"logical_plan after {r}"][0] != "SAME TEXT AS ABOVE"]
    assert changed == ["replace_distinct_aggregate", "push_down_filter", "optimize_projections"]


def test_a_show_tag_values_with_a_limit_keeps_our_physical_plan(planner_catalog):
    # DataFusion's rules that reach below v3's SeriesLimit change the plan (replace_distinct_aggregate,
    # push_down_filter); optimize_projections stops at it (optimize_projections/mod.rs: an Extension without
    # necessary_children_exprs, "Requirements from parent cannot be routed down to user defined logical plan
    # safely"): the Projection over the scan stays, the scan reads every column
    q, plan = snapshot("metadata_queries__show_tag_values_2")
    got = rows(planner_catalog, f"EXPLAIN {q}")
    limit, _, rest = plan.partition("\n")
    assert got["logical_plan"] == [limit + "\n" + rest.replace("      Distinct:", "      Aggregate: groupBy=[[data.bar]], "
                                   "aggr=[[]]").replace(
        "        Projection: data.bar\n          Filter: data.time >= TimestampNanosecond(1672444800000000000, None)\n"
        "            TableScan: data",
        "        Projection: data.bar\n          TableScan: data, full_filters=[data.time >= "
        "TimestampNanosecond(1672444800000000000, None)]")]
    assert got["physical_plan"] == [f"IndexScan: db [{q}]"]
    verbose = rows(planner_catalog, f"EXPLAIN VERBOSE {q}")
    changed = [r for r in OPTIMIZERS if verbose[f"logical_plan after {r}"][0] != "SAME TEXT AS ABOVE"]
    assert changed == ["replace_distinct_aggregate", "push_down_filter"]
    assert all(set(verbose[f"physical_plan after {r}"]) == {"SAME TEXT AS ABOVE"} for r in PHYSICAL)


def test_a_show_tag_keys_or_field_keys_with_a_limit_is_v3s_logical_plan(planner_catalog):
    # the SeriesLimit is the root: optimize_projections stops there, no other rule applies (the plan is v3's)
    for name in ("metadata_queries__show_tag_keys_1-2", "metadata_queries__show_field_keys-2"):
        q, plan = snapshot(name)
        verbose = rows(planner_catalog, f"EXPLAIN VERBOSE {q}")
        assert verbose["logical_plan"] == [plan]
        assert all(verbose[f"logical_plan after {r}"] == ["SAME TEXT AS ABOVE"] for r in OPTIMIZERS)


@pytest.mark.parametrize("q", [
    "SHOW TAG VALUES WITH KEY = bar WHERE foo != 'some_foo'",  # rewrite_conditional_expr's handling not followed
    "SHOW TAG VALUES WITH KEY = bar WHERE foo = 'a' AND bar = 'b'",
    "SHOW TAG VALUES WITH KEY = bar WHERE foo =~ /a/",
    "SHOW TAG VALUES WITH KEY = bar WHERE str_field = 'a'",  # a field of data: v3 compares its Utf8 column
])
def test_other_wheres_are_not_drawn(planner_catalog, q):
    assert rows(planner_catalog, f"EXPLAIN {q}") == {"logical_plan": [f"IndexScan: db [{q}]"],
                                                      "physical_plan": [f"IndexScan: db [{q}]"]}


def test_no_table_has_the_key(planner_catalog):
    # show_tag_values_to_plan: no plan for any table → an EmptyRelation under the Sort
    got = rows(planner_catalog, "EXPLAIN SHOW TAG VALUES WITH KEY = nope")
    assert got["logical_plan"] == ["Sort: iox::measurement ASC NULLS LAST, key ASC NULLS LAST, value ASC NULLS LAST\n"
                                   "  EmptyRelation: rows=0"]


@pytest.mark.parametrize("q,count", [("SHOW MEASUREMENTS", "16"), ("SHOW RETENTION POLICIES", "1")])
def test_explain_analyze_of_a_show_from_memory(planner_catalog, q, count):
    # DataFusion 50 EXPLAIN ANALYZE of a MemTable scan (analyze.rs; a MemorySourceConfig records no metrics):
    # "Plan with Metrics | DataSourceExec: partitions=1, partition_sizes=[1], metrics=[]"
    got = rows(planner_catalog, f"EXPLAIN ANALYZE VERBOSE {q}")
    plan = "DataSourceExec: partitions=1, partition_sizes=[1], metrics=[]\n"
    assert got["Plan with Metrics"] == got["Plan with Full Metrics"] == [plan]
    assert got["Output Rows"] == [count]
