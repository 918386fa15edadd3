"""EXPLAIN of a raw SELECT in the influxdb3 dialect: v3's planner plan, DataFusion's optimized
plan, IOx's physical plan over this store's chunks.

Quoted ground truth (copied as they are into v3_snapshots/):
- ``iox_query_influxql/src/plan/snapshots/..._select__explain.snap`` and
  ``..._select__time_range_in_where.snap``, ``..._select__order_by_desc.snap`` (influxdata/influxdb3_core at
  349d802bf9a54ab5876399ab013502eeb0d52a6b): the planner's plan, the ``initial_logical_plan`` row;
- ``influxdb3_server/tests/snapshots/lib__deduplicate_rows_in_write_buffer_{memory,parquet,
  both_memory_and_parquet}.snap`` (influxdata/influxdb at d7834110b3680ba8e53d16333d158b18b8847bc7):
  InfluxDB 3 Core's physical plans of a table scan over its write buffer, its Parquet files and both
  (``SELECT * FROM bar``: no filter; Core's files carry no sort key; that version prints chunk types).

Derived, not quoted (no snapshot of these shapes exists in the public sources): the optimized
logical plan (DataFusion 50.1 printed it for the planner's builder calls over a table taking
every filter, once, by hand), the split of a filter at DeduplicateExec and the projections
around it (read from physical_optimizer/predicate_pushdown.rs and projection_pushdown.rs), and
DataFusion's pruning predicate (printed by DataFusion 50.1 for the same predicates on a Parquet
file), split_dedup's groups (read from dedup/split.rs and provider/overlap.rs) and the merge over
several of them (DataFusion 50.1 printed it for a union). What this store prints in place of what
it cannot know: its own Parquet paths (v3's are object-store paths: namespace, table, partition
hash, file uuid), its partition windows as IOx partitions (v3 Cloud Dedicated's are days), one
RecordBatchesExec chunk for its rows not yet persisted in each window (an ingester's partition),
and one query partition (v3 has one per querier core: RepartitionExecs and file ranges).
"""
from __future__ import annotations

import re
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import tsdb_core
from tests.dialects.test_v3_explain_show import planner_catalog, rows, snapshot  # noqa: F401 - fixture
from tsdb_core.influxql.dialects.scanplan3 import Chunk, Chunks, Conjunct, _split, scan
from tsdb_core.testing import ManualClock

SNAPSHOTS = Path(__file__).with_name("v3_snapshots")
NOW = "2023-01-01T00:00:00Z"


def core_plan(name: str) -> str:
    """The physical_plan cell of an influxdb3_server snapshot (a pretty-printed Arrow table)."""
    lines = (SNAPSHOTS / f"lib__deduplicate_rows_in_write_buffer_{name}.snap").read_text().splitlines()
    cells = [line.split("|")[1:3] for line in lines if line.startswith("|")]
    out, inside = [], False
    for kind, plan in cells:
        inside = kind.strip() == "physical_plan" or (inside and not kind.strip())
        if inside and plan.strip():
            out.append(plan[1:].rstrip())
    return "\n".join(out)


@pytest.mark.parametrize("name,chunks,columns", [
    ("memory", Chunks(1, (), sorted_files=False, kind="Buffer"), ("time", "val")),
    ("parquet", Chunks(0, tuple(f"test-node/dbs/1/0/1970-01-01/00-00/00000000{n:02d}.parquet" for n in (3, 6, 9, 12)),
                       sorted_files=False), ("time", "val")),
    ("both_memory_and_parquet", Chunks(1, ("test-node/dbs/1/0/1970-01-01/00-00/0000000003.parquet",),
                                       sorted_files=False, kind="Buffer"), ("time", "value")),
])
def test_the_scan_is_iox_s(name, chunks, columns):
    assert "\n".join(scan(columns, (), columns, (), chunks)) == core_plan(name)


def test_a_filter_splits_at_the_deduplication():
    # predicate_pushdown: the key columns' part below DeduplicateExec (into Parquet), the rest above
    tests = (Conjunct(">=", ("time",), 5), Conjunct("=", ("host",), "a"), Conjunct("notnull", ("usage",)))
    got = scan(("host", "idle", "time", "usage"), ("host",), ("time", "usage"), tests, Chunks(1, ("f1.parquet",)))
    assert "\n".join(got) == """\
CoalesceBatchesExec: target_batch_size=8192
  FilterExec: usage@1 IS NOT NULL
    ProjectionExec: expr=[time@0 as time, usage@1 as usage]
      DeduplicateExec: [host@2 ASC,time@0 ASC]
        SortPreservingMergeExec: [host@2 ASC, time@0 ASC, __chunk_order@3 ASC]
          UnionExec
            SortExec: expr=[host@2 ASC, time@0 ASC, __chunk_order@3 ASC], preserve_partitioning=[false]
              CoalesceBatchesExec: target_batch_size=8192
                FilterExec: time@0 >= 5 AND host@2 = a
                  RecordBatchesExec: chunks=1, projection=[time, usage, host, __chunk_order]
            DataSourceExec: file_groups={1 group: [[f1.parquet]]}, projection=[time, usage, host, __chunk_order], \
output_ordering=[host@2 ASC, time@0 ASC, __chunk_order@3 ASC], file_type=parquet, predicate=time@2 >= 5 AND host@0 = a, \
pruning_predicate=time_null_count@1 != row_count@2 AND time_max@0 >= 5 AND host_null_count@5 != row_count@2 AND \
host_min@3 <= a AND a <= host_max@4, required_guarantees=[host in (a)]"""


def test_sorted_files_are_one_group_each_and_merged():
    got = scan(("time", "v"), (), ("time", "v"), (), Chunks(0, tuple(f"{n}.parquet" for n in range(7))))
    assert got[2] == "    SortPreservingMergeExec: [time@0 ASC, __chunk_order@2 ASC]"
    assert got[3].startswith("      DataSourceExec: file_groups={7 groups: [[0.parquet], [1.parquet], [2.parquet], "
                             "[3.parquet], [4.parquet], ...]}")


@pytest.mark.parametrize("name", ["select__explain", "select__time_range_in_where", "select__order_by_desc"])
def test_the_initial_plan_is_v3s_planner_plan(planner_catalog, name):  # noqa: F811 - the fixture
    q, plan = snapshot(name)
    if q.startswith("EXPLAIN "):
        q, plan = q.removeprefix("EXPLAIN "), "\n".join(line[2:] for line in plan.splitlines()[1:])
    got = rows(planner_catalog, f"EXPLAIN VERBOSE {q}")
    assert got["initial_logical_plan"] == [plan]


LINES = "cpu,host=a,region=x usage=1,idle=2i 1672531100000000000\ncpu,host=b usage=3 1672531101000000000"
LOGICAL = """\
Sort: time ASC NULLS LAST
  Projection: Dictionary(Int32, Utf8("cpu")) AS iox::measurement, cpu.time AS time, cpu.usage AS usage
    TableScan: cpu projection=[time, usage], full_filters=[cpu.time >= TimestampNanosecond(1672527600000000001, None), \
host = Dictionary(Int32, Utf8("a")), cpu.usage IS NOT NULL]"""
TOP = """\
SortExec: expr=[time@1 ASC NULLS LAST], preserve_partitioning=[false]
  ProjectionExec: expr=[cpu as iox::measurement, time@0 as time, usage@1 as usage]
    CoalesceBatchesExec: target_batch_size=8192
      FilterExec: usage@1 IS NOT NULL
        ProjectionExec: expr=[time@0 as time, usage@1 as usage]
          DeduplicateExec: [host@2 ASC,region@3 ASC,time@0 ASC]
"""
BUFFERED = """\
            SortExec: expr=[host@2 ASC, region@3 ASC, time@0 ASC, __chunk_order@4 ASC], preserve_partitioning=[false]
              CoalesceBatchesExec: target_batch_size=8192
                FilterExec: time@0 >= 1672527600000000001 AND host@2 = a
                  RecordBatchesExec: chunks=1, projection=[time, usage, host, region, __chunk_order]
"""
Q = "EXPLAIN SELECT usage FROM cpu WHERE time > now() - 1h AND host = 'a'"


@pytest.fixture()
def store(tmp_path):
    s = tsdb_core.open(tmp_path, clock=ManualClock(NOW), dialect="influxdb3")
    assert s.write("db", LINES).ok
    yield s
    s.close()


def plans(store, q: str) -> dict[str, str]:
    (res,) = store.query(q, db="db").to_json()["results"]
    return {s["name"]: s["values"][0][0] for s in res["series"]}


def test_rows_not_yet_persisted_are_a_record_batches_exec(store):
    got = plans(store, Q)
    assert got["logical_plan"] == LOGICAL
    assert got["physical_plan"] == TOP + BUFFERED


def _file_scan(path: str, projection: str, extra: str = "") -> str:
    return (f"DataSourceExec: file_groups={{1 group: [[{path}]]}}, projection=[{projection}]{extra}, file_type=parquet, "
            "predicate=time@3 >= 1672527600000000001 AND host@0 = a")


PRUNING = ("pruning_predicate=time_null_count@1 != row_count@2 AND time_max@0 >= 1672527600000000001 AND "
           "host_null_count@5 != row_count@2 AND host_min@3 <= a AND a <= host_max@4")


def test_a_file_alone_is_read_without_deduplication(store):
    # dedup/split.rs detect_dedup_requirement: one chunk that cannot hold duplicates (a compacted file; this
    # store's files are deduplicated) needs no DeduplicateExec; then the whole filter goes to Parquet
    store.flush()
    (path,) = [p for _, p, *_ in store.stored_pieces("db", None, "cpu", 0, 2**62)]
    assert plans(store, Q)["physical_plan"] == (
        "SortExec: expr=[time@1 ASC NULLS LAST], preserve_partitioning=[false]\n"
        "  ProjectionExec: expr=[cpu as iox::measurement, time@0 as time, usage@1 as usage]\n"
        "    " + _file_scan(path, "time, usage") + " AND usage@4 IS NOT NULL, " + PRUNING
        + " AND usage_null_count@6 != row_count@2, required_guarantees=[host in (a)]\n")


def test_newer_buffered_rows_are_a_second_group_merged_on_time(store):
    store.flush()
    (path,) = [p for _, p, *_ in store.stored_pieces("db", None, "cpu", 0, 2**62)]
    assert store.write("db", "cpu,host=a,region=x usage=5 1672531102000000000").ok  # after the file's last time
    assert plans(store, Q)["physical_plan"] == (
        "SortPreservingMergeExec: [time@1 ASC NULLS LAST]\n"
        "  SortExec: expr=[time@1 ASC NULLS LAST], preserve_partitioning=[true]\n"
        "    ProjectionExec: expr=[cpu as iox::measurement, time@0 as time, usage@1 as usage]\n"
        "      UnionExec\n"
        "        " + _file_scan(path, "time, usage") + " AND usage@4 IS NOT NULL, " + PRUNING
        + " AND usage_null_count@6 != row_count@2, required_guarantees=[host in (a)]\n"
        + "".join("    " + line + "\n" for line in (*TOP.splitlines()[2:], *BUFFERED.splitlines())))


def test_a_key_column_no_chunk_holds_is_left_out_of_deduplication(store):
    # dedup_null_columns.rs: the sort key of a DeduplicateExec keeps the key columns some chunk's schema has
    store.flush()
    assert store.write("db", "cpu,host=a usage=5 1672531102000000000").ok  # no region
    got = [line.strip() for line in plans(store, Q)["physical_plan"].splitlines()]
    assert got[-5:] == ["DeduplicateExec: [host@2 ASC,time@0 ASC]",
                        "SortExec: expr=[host@2 ASC, time@0 ASC, __chunk_order@3 ASC], preserve_partitioning=[false]",
                        "CoalesceBatchesExec: target_batch_size=8192",
                        "FilterExec: time@0 >= 1672527600000000001 AND host@2 = a",
                        "RecordBatchesExec: chunks=1, projection=[time, usage, host, __chunk_order]"]


def test_overlapping_rows_are_deduplicated_together(store):
    store.flush()
    (path,) = [p for _, p, *_ in store.stored_pieces("db", None, "cpu", 0, 2**62)]
    assert store.write("db", "cpu,host=a usage=5 1672531100500000000").ok  # inside the file's time range
    scan_line = _file_scan(path, "time, usage, host, region, __chunk_order",
                           ", output_ordering=[host@2 ASC, region@3 ASC, time@0 ASC, __chunk_order@4 ASC]")
    assert plans(store, Q)["physical_plan"] == (
        TOP + "            SortPreservingMergeExec: [host@2 ASC, region@3 ASC, time@0 ASC, __chunk_order@4 ASC]\n"
        "              UnionExec\n" + "".join("    " + line + "\n" for line in BUFFERED.splitlines())
        + "                " + scan_line + ", " + PRUNING + ", required_guarantees=[host in (a)]\n")


@pytest.mark.parametrize("chunks,groups", [
    ([Chunk("f1", 0, 10, duplicates=False)], [(["f1"], False)]),
    ([Chunk("", 0, 10)], [([""], True)]),
    ([Chunk("f1", 0, 10, duplicates=False), Chunk("f2", 20, 30, duplicates=False)], [(["f1", "f2"], False)]),
    ([Chunk("f1", 0, 10, duplicates=False), Chunk("f2", 10, 30, duplicates=False)], [(["f1", "f2"], True)]),
    ([Chunk("f1", 0, 10, duplicates=False), Chunk("", 5, 30)], [(["f1", ""], True)]),
    ([Chunk("f2", 20, 30, duplicates=False), Chunk("", 40, 50), Chunk("f1", 0, 10, duplicates=False)],
     [(["f1", "f2"], False), ([""], True)]),
    # other partitions: apart, though their times overlap; then fused, needing no dedup either
    ([Chunk("f1", 0, 10, 1, duplicates=False), Chunk("f2", 5, 30, 2, duplicates=False)], [(["f1", "f2"], False)]),
])
def test_split_dedup_groups(chunks, groups):
    # dedup/split.rs: by partition, then by overlapping time (overlap.rs: touching ends overlap); one chunk
    # without duplicates needs no dedup; groups sorted by their first time; no-dedup neighbours fused
    assert [([c.path for c in g], d) for g, d in _split(tuple(chunks))] == groups
def test_a_table_without_tags_needs_no_sort(store):
    assert store.write("db", "mem used=1 1672531100000000000").ok
    got = plans(store, "EXPLAIN SELECT used FROM mem")
    assert got["logical_plan"].splitlines()[-1] == "    TableScan: mem projection=[time, used], full_filters=[mem.used IS NOT NULL]"
    assert got["physical_plan"].startswith("ProjectionExec: expr=[mem as iox::measurement, time@0 as time, used@1 as used]\n")


def test_verbose_prints_the_rules_that_change_the_plan(store):
    (res,) = store.query("EXPLAIN VERBOSE " + Q.removeprefix("EXPLAIN "), db="db").to_json()["results"]
    got: dict[str, str] = {}
    for s in res["series"]:  # the first pass's rows (the second prints SAME TEXT AS ABOVE)
        got.setdefault(s["name"], s["values"][0][0])
    assert got["logical_plan after push_down_filter"].splitlines()[-1] == (
        "    TableScan: cpu, full_filters=[cpu.time >= TimestampNanosecond(1672527600000000001, None), "
        "host = Dictionary(Int32, Utf8(\"a\")), cpu.usage IS NOT NULL]")
    assert got["logical_plan after optimize_projections"] == LOGICAL
    assert got["logical_plan after simplify_expressions"] == "SAME TEXT AS ABOVE"


@pytest.mark.parametrize("q", [
    "EXPLAIN SELECT mean(usage) FROM cpu WHERE time > now() - 1h GROUP BY time(10m), host fill(1)",  # (a value fill over tags)
    "EXPLAIN SELECT usage FROM cpu WHERE usage > 1 OR usage < 0",  # (an alias: test_v3_explain_raw_exprs.py)
    # (SELECT host FROM cpu, a tag alone: from_drop_empty's EmptyRelation, test_v3_explain_union_cast.py)
    "EXPLAIN SELECT usage FROM db.autogen.cpu",
    "EXPLAIN SELECT usage, host FROM cpu ORDER BY time DESC",  # (GROUP BY a missing column: test_v3_explain_raw_exprs.py)
])
def test_other_shapes_keep_this_stores_plan(store, q):
    got = plans(store, q)
    assert got["logical_plan"] == got["physical_plan"]  # this store's plan, printed as both


def test_each_partition_is_deduplicated_apart(store):
    assert store.write("db", "cpu,host=a,region=y usage=1 1000000000").ok  # 1970: another partition window
    got = plans(store, "EXPLAIN SELECT usage FROM cpu")["physical_plan"].splitlines()
    assert got[:4] == ["SortPreservingMergeExec: [time@1 ASC NULLS LAST]",
                       "  SortExec: expr=[time@1 ASC NULLS LAST], preserve_partitioning=[true]",
                       "    ProjectionExec: expr=[cpu as iox::measurement, time@0 as time, usage@1 as usage]",
                       "      UnionExec"]
    assert [line.strip() for line in got if "DeduplicateExec" in line or "RecordBatchesExec" in line] == [
        "DeduplicateExec: [host@2 ASC,region@3 ASC,time@0 ASC]",
        "RecordBatchesExec: chunks=1, projection=[time, usage, host, region, __chunk_order]"] * 2


def test_an_explain_of_it_is_the_explain_node_over_v3s_plan(store):
    # select__explain-10.snap: DataFusion's Explain node over the inner statement's plan
    (res,) = store.query("EXPLAIN " + Q, db="db").to_json()["results"]
    assert [(s["name"], s["values"][0][0]) for s in res["series"]][0] == (
        "logical_plan", "Explain\n" + "\n".join("  " + line for line in LOGICAL.splitlines()))


def test_descending_time_is_sorted_even_without_tags(store):
    assert store.write("db", "mem used=1 1672531100000000000").ok
    got = plans(store, "EXPLAIN SELECT used FROM mem ORDER BY time DESC")
    assert got["logical_plan"].startswith("Sort: time DESC NULLS LAST\n")
    assert got["physical_plan"].startswith("SortExec: expr=[time@1 DESC NULLS LAST], preserve_partitioning=[false]\n"
                                           "  ProjectionExec: expr=[mem as iox::measurement, time@0 as time, used@1 as used]")


@pytest.mark.parametrize("q", ["SELECT usage FROM cpu ORDER BY TIME DESC", "SELECT usage FROM cpu ORDER BY Time desc"])
def test_order_by_time_is_any_case_in_v3(store, q):
    # common.rs order_by_clause: verify(identifier, |v| Token(&v.0) == Token("time")), a case-insensitive Token;
    # the 1.x grammar (and influxd) take `time` only
    (res,) = store.query(q, db="db").to_json()["results"]
    assert [row[0] for row in res["series"][0]["values"]] == ["2022-12-31T23:58:21Z", "2022-12-31T23:58:20Z"]
    v1 = tsdb_core.open(clock=ManualClock(NOW))
    assert v1.query(q, db="db").error == "error parsing query: only ORDER BY time supported at this time"
    v1.close()


_chunk = st.builds(lambda i, lo, n, p, dup: Chunk(f"f{i}" if not dup else "", lo, lo + n, p, duplicates=dup),
                   st.integers(0, 999), st.integers(0, 100), st.integers(0, 30), st.integers(0, 2), st.booleans())


@settings(max_examples=300, deadline=None)
@given(st.lists(_chunk, max_size=8, unique=True))
def test_split_dedup_properties(chunks):
    groups = _split(tuple(chunks))
    assert sorted((c for g, _ in groups for c in g), key=repr) == sorted(chunks, key=repr)  # each chunk once
    where = {c: i for i, (g, _) in enumerate(groups) for c in g}
    for a in chunks:  # chunks of one partition whose times overlap are deduplicated together
        for b in chunks:
            if a.partition == b.partition and a.tmin <= b.tmax and b.tmin <= a.tmax and a != b:
                assert where[a] == where[b] and groups[where[a]][1]
    for g, dedup in groups:  # read plain: chunks without duplicates, none overlapping another of its partition
        assert dedup or not any(c.duplicates for c in g)
    firsts = [min(c.tmin for c in g) for g, _ in groups]
    assert firsts == sorted(firsts)  # sort_groups: by first time


@settings(max_examples=20, deadline=None)
@given(st.lists(st.tuples(st.integers(0, 40), st.booleans()), min_size=1, max_size=6))
def test_every_chunk_is_read_once(writes):
    s = tsdb_core.open(clock=ManualClock(NOW), dialect="influxdb3")
    try:
        for t, flush in writes:
            assert s.write("db", f"cpu,host=h{t % 3} usage={t} {1672531000 + t}000000000").ok
            if flush:
                s.flush()
        plan = plans(s, "EXPLAIN SELECT usage FROM cpu")["physical_plan"]
        pieces = s.stored_pieces("db", None, "cpu", -2**62, 2**62)
        groups = re.findall(r"file_groups=\{\d+ groups?: \[(.*?)\]\}", plan)
        read = [p for g in groups for p in re.findall(r"[^\[\], ]+\.parquet", g)]
        assert sorted(read) == sorted(p for _, p, *_ in pieces if p)
        assert plan.count("RecordBatchesExec") == (1 if any(not p for _, p, *_ in pieces) else 0)
        # several groups (a union under the projection) are merged on time
        assert plan.startswith("SortPreservingMergeExec: [time@1 ASC NULLS LAST]") == ("\n      UnionExec\n" in plan)
    finally:
        s.close()
