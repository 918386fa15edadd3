"""The physical plan of GROUP BY aggregates in the influxdb3 dialect's EXPLAIN (aggexec3.py).

Quoted ground truth, copied into v3_physical/ (each file names its source commit and lines):

- ``gapfill_mod_rs_plan_tests.txt``, iox_query ``exec/gapfill/mod.rs`` tests (one query partition:
  ``Executor::new_testing()``): ``ProjectionExec`` over ``GapFillExec: series_expr=[loc@0,
  concat(Utf8("zz"),temps.loc)@2], time_expr=date_bin(IntervalMonthDayNano { months: 0, days: 0,
  nanoseconds: 60000000000 }, date_bin_gapfill(...)@1, 0), fill_expr=[avg(temps.temp)@3],
  time_range=Included("315532800000000000")..Excluded("347155200000000000")`` over ``SortExec:
  expr=[loc@0 ASC, concat(...)@2 ASC, date_bin_gapfill(...)@1 ASC], preserve_partitioning=[false]``
  over ``AggregateExec: mode=Single, gby=[...]``.
- ``issue_6112_explain.expected`` (IOx's query_tests, DataFusion of December 2023, four query
  partitions), the m1 branch of ``EXPLAIN SELECT COUNT(f64), SUM(f64), stddev(f64) FROM m0, m1 GROUP
  BY tag0``: ``ProjectionExec: expr=[m1 as iox::measurement, 0 as time, tag0@0 as tag0, ...]`` over
  ``AggregateExec: mode=FinalPartitioned, gby=[tag0@0 as tag0], ..., ordering_mode=FullyOrdered``
  over the repartitioning over ``AggregateExec: mode=Partial, gby=[tag0@1 as tag0], ...,
  ordering_mode=FullyOrdered`` over the repartitioning over ``ParquetExec: ..., projection=[f64,
  tag0], output_ordering=[tag0@1 ASC]``.

Derived, not quoted: with one query partition (as scanplan3.py draws IOx's scan) DataFusion adds no
RepartitionExec and fuses Partial and Final into ``mode=Single`` (CombinePartialFinalAggregate);
DataFusion 50 names FullyOrdered ``Sorted`` and drops a constant column from a SortExec; its text
for the Sort, Projection and AggregateExec over a Parquet file sorted as IOx's was printed by
datafusion-python 50.1.0 (once, by hand; no dependency). SeriesLimitExec (LIMIT/OFFSET) prints as its
Display in iox_query ``exec/series_limit/physical.rs`` (tests there: ``SeriesLimitExec: series=[tag@0],
order=[time@1 ASC], limit_expr=[value@2 RESPECT NULLS (default: 0)], skip=5, fetch=10`` over ``SortExec:
expr=[tag@0 ASC, time@1 ASC], preserve_partitioning=[false]``, a sort those tests build by hand); where DataFusion puts its sort (directly
below it, above the fields' projection) follows DataFusion 50.1 on a window's required order (same
session, by hand). Over several partitions (IOx's chunk groups in a union) DataFusion 50.1 printed, for
two Parquet scans (by hand), the Partial aggregate under the Final one, merged sorted or coalesced.
What stays ours: fill(<value>) over tags (tz(): test_v3_explain_physical_tz.py), percentile/mode/spread (selectors:
test_v3_explain_physical_selectors.py); over several partitions, GROUP BY time with tags
gap-filled (fill(none): test_v3_explain_physical_merged.py), tags sorted in part and LIMIT/OFFSET.
"""
from __future__ import annotations

import re
from pathlib import Path

import pytest

import tsdb_core

from .physical_plans import ROWS, v3_store
from .physical_plans import physical_text as physical

HERE = Path(__file__).parent / "v3_physical"


@pytest.fixture
def store():
    yield from v3_store()


def _file(store) -> str:
    store.flush()
    (path,) = [p for _, p, *_ in store.stored_pieces("db", None, "m", 0, 2**62)]
    return path


def test_group_by_a_tag_over_one_file(store):
    path = _file(store)
    assert physical(store, "SELECT count(f), sum(f) FROM m GROUP BY host") == (
        "SortExec: expr=[host@2 ASC NULLS LAST], preserve_partitioning=[false]\n"
        "  ProjectionExec: expr=[m as iox::measurement, 0 as time, host@0 as host, count(m.f)@1 as count, "
        "sum(m.f)@2 as sum]\n"
        "    AggregateExec: mode=Single, gby=[host@1 as host], aggr=[count(m.f), sum(m.f)], ordering_mode=Sorted\n"
        f"      DataSourceExec: file_groups={{1 group: [[{path}]]}}, projection=[f, host], output_ordering=[host@1 ASC], "
        "file_type=parquet, predicate=f@0 IS NOT NULL, pruning_predicate=f_null_count@1 != row_count@0, "
        "required_guarantees=[]\n")


def test_group_by_time_and_a_tag_is_gap_filled(store):
    path = _file(store)
    got = physical(store, "SELECT mean(f), count(g) FROM m WHERE time >= 0 AND time < 10s "
                          "GROUP BY time(1s, 500ms), host fill(linear) ORDER BY time DESC")
    stride = "IntervalMonthDayNano { months: 0, days: 0, nanoseconds: 1000000000 }"
    assert got.splitlines()[:6] == [
        "SortExec: expr=[host@2 ASC NULLS LAST, time@1 DESC NULLS LAST], preserve_partitioning=[false]",
        "  ProjectionExec: expr=[m as iox::measurement, time@1 as time, host@0 as host, avg(m.f)@2 as mean, "
        "count(m.g)@3 as count]",
        f"    GapFillExec: series_expr=[host@1], time_expr=date_bin_wallclock({stride}, time@0, 500000000), "
        'fill_expr=[INTERPOLATE(avg(m.f)@2), INTERPOLATE(count(m.g)@3)], time_range=Included("0")..Included("9999999999")',
        "      SortExec: expr=[host@1 ASC, time@0 ASC], preserve_partitioning=[false]",
        f"        AggregateExec: mode=Single, gby=[date_bin_wallclock({stride}, time@3, 500000000) as time, "
        "host@2 as host], aggr=[avg(m.f), count(m.g)], ordering_mode=PartiallySorted([1])",
        f"          DataSourceExec: file_groups={{1 group: [[{path}]]}}, projection=[f, g, host, time], "
        "output_ordering=[host@2 ASC], file_type=parquet, predicate=time@4 >= 0 AND time@4 <= 9999999999 AND "
        "(f@0 IS NOT NULL OR g@1 IS NOT NULL), pruning_predicate=time_null_count@1 != row_count@2 AND "
        "time_max@0 >= 0 AND time_null_count@1 != row_count@2 AND time_min@3 <= 9999999999 AND "
        "(f_null_count@4 != row_count@2 OR g_null_count@5 != row_count@2), required_guarantees=[]"]


@pytest.mark.parametrize("clause,gapfill,fills", [
    ("", True, "avg(m.f)@1, COALESCE(count(m.g)@2, 0)"),  # fill(null): count's default is 0
    ("fill(null)", True, "avg(m.f)@1, COALESCE(count(m.g)@2, 0)"),
    ("fill(previous)", True, "LOCF(avg(m.f)@1), LOCF(count(m.g)@2)"),
    ("fill(none)", False, None),
])
def test_group_by_time_fills(store, clause, gapfill, fills):
    got = physical(store, f"SELECT mean(f), count(g) FROM m WHERE time >= 1s AND time <= 5s GROUP BY time(1s) {clause}")
    lines = [line.strip() for line in got.splitlines()]
    assert lines[0] == "SortExec: expr=[time@1 ASC NULLS LAST], preserve_partitioning=[false]"
    head = [line.split(":")[0] for line in lines[:5]]
    if gapfill:
        assert head == ["SortExec", "ProjectionExec", "GapFillExec", "SortExec", "AggregateExec"]
        assert lines[2] == ("GapFillExec: series_expr=[], time_expr=date_bin_wallclock(IntervalMonthDayNano { months: 0, "
                            f"days: 0, nanoseconds: 1000000000 }}, time@0, 0), fill_expr=[{fills}], "
                            'time_range=Included("1000000000")..Included("5000000000")')
        assert lines[3] == "SortExec: expr=[time@0 ASC], preserve_partitioning=[false]"
    else:
        assert head[:3] == ["SortExec", "ProjectionExec", "AggregateExec"]
        assert lines[1] == ("ProjectionExec: expr=[m as iox::measurement, time@0 as time, avg(m.f)@1 as mean, "
                            "count(m.g)@2 as count]")
    agg = next(line for line in lines if line.startswith("AggregateExec"))
    assert agg.endswith("aggr=[avg(m.f), count(m.g)]")  # the bucket is not known sorted: no ordering_mode


@pytest.mark.parametrize("q,mode", [
    ("SELECT count(f) FROM m GROUP BY host", ", ordering_mode=Sorted"),
    ("SELECT count(f) FROM m GROUP BY host, region", ", ordering_mode=Sorted"),
    ("SELECT count(f) FROM m GROUP BY region", ""),  # host, first in the key, is not read: no order
    ("SELECT count(f) FROM m GROUP BY time(1s), host fill(none)", ", ordering_mode=PartiallySorted([1])"),
    ("SELECT count(f) FROM m GROUP BY time(1s), region fill(none)", ""),
])
def test_ordering_mode_follows_the_scans_order(store, q, mode):
    agg = next(line.strip() for line in physical(store, q).splitlines() if "AggregateExec" in line)
    assert agg.endswith("aggr=[count(m.f)]" + mode)


@pytest.mark.parametrize("q", [
    "SELECT count(f) FROM m WHERE time >= 0 AND time < 5s GROUP BY time(1s), host fill(0)",  # a value fill over tags
    "SELECT mode(f) FROM m GROUP BY host",
    "SELECT spread(f) FROM m GROUP BY host",
])
def test_shapes_not_drawn_stay_this_stores(store, q):
    assert "AggregateExec" not in physical(store, q)


def _two_partitions(store) -> str:
    path = _file(store)
    assert store.write("db", "m,host=a,region=r f=3,g=4i 3000000000").ok  # after the file: a second group
    return path


def test_partitions_sorted_on_the_tags_are_sorted_and_merged_below_the_final_aggregate(store):
    # DataFusion 50.1 over a union of two Parquet scans sorted on host (by hand): the final Sort's order is
    # met below the Final aggregate, no SortExec on top
    _two_partitions(store)
    got = [line.strip() for line in physical(store, "SELECT count(f), sum(f) FROM m GROUP BY host").splitlines()]
    assert got[:6] == [
        "ProjectionExec: expr=[m as iox::measurement, 0 as time, host@0 as host, count(m.f)@1 as count, "
        "sum(m.f)@2 as sum]",
        "AggregateExec: mode=Final, gby=[host@0 as host], aggr=[count(m.f), sum(m.f)], ordering_mode=Sorted",
        "SortPreservingMergeExec: [host@0 ASC NULLS LAST]",
        "SortExec: expr=[host@0 ASC NULLS LAST], preserve_partitioning=[true]",
        "AggregateExec: mode=Partial, gby=[host@1 as host], aggr=[count(m.f), sum(m.f)], ordering_mode=Sorted",
        "UnionExec"]


@pytest.mark.parametrize("q,head", [
    ("SELECT count(f) FROM m GROUP BY region",
     ["SortExec: expr=[region@2 ASC NULLS LAST], preserve_partitioning=[false]",
      "ProjectionExec: expr=[m as iox::measurement, 0 as time, region@0 as region, count(m.f)@1 as count]",
      "AggregateExec: mode=Final, gby=[region@0 as region], aggr=[count(m.f)]",
      "CoalescePartitionsExec",
      "AggregateExec: mode=Partial, gby=[region@1 as region], aggr=[count(m.f)]",
      "UnionExec"]),
    ("SELECT count(f) FROM m WHERE time >= 0 AND time < 10s GROUP BY time(1s) fill(none)",
     ["SortExec: expr=[time@1 ASC NULLS LAST], preserve_partitioning=[false]",
      "ProjectionExec: expr=[m as iox::measurement, time@0 as time, count(m.f)@1 as count]",
      "AggregateExec: mode=Final, gby=[time@0 as time], aggr=[count(m.f)]",
      "CoalescePartitionsExec",
      "AggregateExec: mode=Partial, gby=[date_bin_wallclock(IntervalMonthDayNano { months: 0, days: 0, nanoseconds: "
      "1000000000 }, time@1, 0) as time], aggr=[count(m.f)]",
      "UnionExec"]),
])
def test_unsorted_partitions_are_coalesced_between_partial_and_final(store, q, head):
    _two_partitions(store)
    assert [line.strip() for line in physical(store, q).splitlines()][:len(head)] == head


@pytest.mark.parametrize("q", [
    "SELECT count(f) FROM m GROUP BY host LIMIT 1",  # a SeriesLimit
])
def test_other_shapes_over_several_partitions_are_not_drawn(store, q):
    _two_partitions(store)
    assert "AggregateExec" not in physical(store, q)


def _expected_m1() -> list[str]:
    """The m1 branch of the quoted EXPLAIN, its nodes as they print (indentation dropped)."""
    text = (HERE / "issue_6112_explain.expected").read_text().split("name: physical_plan\n plan\n")[1]
    lines = [line.strip() for line in text.splitlines()]
    return lines[lines.index(next(x for x in lines if x.startswith("ProjectionExec: expr=[m1 "))):]


def _one_partition(lines: list[str]) -> list[str]:
    """The plan DataFusion builds with one target partition: no RepartitionExec (nor the
    CoalesceBatchesExec above a hash repartition, nor the SortExec restoring the order it lost),
    Partial and FinalPartitioned fused into Single with the Partial's GROUP BY (over the scan's
    columns); DataFusion 50's words (``Sorted`` for FullyOrdered, lower-case function names)."""
    out = []
    for i, line in enumerate(lines):
        below = lines[i + 1] if i + 1 < len(lines) else ""
        if line.startswith("RepartitionExec") or (line.startswith("CoalesceBatchesExec")
                                                  and below.startswith("RepartitionExec")):
            continue
        if line.startswith("SortExec") and out and "mode=FinalPartitioned" in out[-1]:
            continue
        if "mode=Partial," in line:
            out[-1] = line.replace("mode=Partial", "mode=Single")
            continue
        out.append(line)
    fixed = [re.sub(r"\b(COUNT|SUM|STDDEV)\(", lambda m: m.group(1).lower() + "(", x) for x in out]
    return [x.replace("ordering_mode=FullyOrdered", "ordering_mode=Sorted") for x in fixed]


def test_a_tag_aggregate_matches_ioxs_printed_plan_at_one_partition():
    store = tsdb_core.open(dialect="influxdb3")
    try:
        assert store.write("db", "m1,tag0=val00 f64=100.1 1\nm1,tag0=val00 f64=201 2\nm1,tag0=val01 f64=101.7 3\n").ok
        store.flush()
        (res,) = store.query("EXPLAIN SELECT COUNT(f64), SUM(f64), stddev(f64) FROM m1 GROUP BY tag0",
                             db="db").to_json()["results"]
        ours = [line.strip() for line in {s["name"]: s["values"][0][0] for s in res["series"]}["physical_plan"]
                .splitlines()]
    finally:
        store.close()
    theirs = _one_partition(_expected_m1())
    # v3 has since dropped count's coalesce_struct (planner snapshots: ``count(data.f64_field) AS count``)
    assert ours[1] == theirs[0].replace("coalesce_struct(count(m1.f64)@1, 0)", "count(m1.f64)@1")
    assert ours[2] == theirs[1]
    # the scan: IOx's Parquet scan of the one file, its columns and order as the file holds them
    assert theirs[2].startswith("ParquetExec: ") and ours[3].startswith("DataSourceExec: ")
    assert theirs[2].endswith("projection=[f64, tag0], output_ordering=[tag0@1 ASC]")
    assert "projection=[f64, tag0], output_ordering=[tag0@1 ASC], file_type=parquet" in ours[3]
    # the Sort on top: ``tag0`` (the constant time dropped, as DataFusion 50 does)
    assert ours[0] == "SortExec: expr=[tag0@2 ASC NULLS LAST], preserve_partitioning=[false]"


def test_gap_fill_prints_as_ioxs_snapshot():
    """Our GapFillExec line and the quoted one have the same fields, in the same words."""
    quoted = [line for line in (HERE / "gapfill_mod_rs_plan_tests.txt").read_text().splitlines()
              if "GapFillExec: series_expr=[loc@0" in line][0]
    shape = re.compile(r'GapFillExec: series_expr=\[(?P<series>[^\]]*)\], time_expr=(?P<fn>\w+)\('
                       r'IntervalMonthDayNano \{ months: 0, days: 0, nanoseconds: (?P<ns>\d+) \}, (?P<col>.+)@(?P<at>\d+), '
                       r'0\), fill_expr=\[(?P<fills>[^\]]*)\], time_range=Included\("(?P<lo>-?\d+)"\)\.\.'
                       r'(?:Included|Excluded)\("(?P<hi>-?\d+)"\)')
    theirs = shape.search(quoted.replace('\\"', '"'))
    store = tsdb_core.open(dialect="influxdb3")
    try:
        assert store.write("db", ROWS).ok
        got = physical(store, "SELECT mean(f) FROM m WHERE time >= 0 AND time < 60s GROUP BY time(1m), host")
    finally:
        store.close()
    ours = shape.search(got)
    assert theirs is not None and ours is not None
    assert (theirs["ns"], theirs["fills"], theirs["series"].split(", ")[0]) == ("60000000000", "avg(temps.temp)@3", "loc@0")
    assert (ours["fn"], ours["ns"], ours["col"], ours["at"], ours["series"], ours["fills"]) == (
        "date_bin_wallclock", "60000000000", "time", "0", "host@1", "avg(m.f)@2")
    # below it, as in the snapshot: the sort GapFillExec requires (series, then time, ASC), then the aggregate
    lines = [line.strip() for line in got.splitlines()]
    at = next(i for i, line in enumerate(lines) if line.startswith("GapFillExec"))
    assert lines[at + 1] == "SortExec: expr=[host@1 ASC, time@0 ASC], preserve_partitioning=[false]"
    assert lines[at + 2].startswith("AggregateExec: mode=Single, gby=[")


def test_a_limit_is_a_series_limit_over_the_fields_projection(store):
    # the scan under a SeriesLimit reads every column (optimize_projections stops at it); the aggregate sorted
    # on the tags already meets the SeriesLimit's order (the constant time drops out): no sort below it
    path = _file(store)
    assert physical(store, "SELECT count(f), sum(f) FROM m GROUP BY host LIMIT 1") == (
        "SortExec: expr=[host@2 ASC NULLS LAST], preserve_partitioning=[false]\n"
        "  ProjectionExec: expr=[m as iox::measurement, time@0 as time, host@1 as host, count@2 as count, sum@3 as sum]\n"
        "    SeriesLimitExec: series=[host@1], order=[time@0 ASC NULLS LAST], limit_expr=[count@2 RESPECT NULLS "
        "(default: NULL), sum@3 RESPECT NULLS (default: NULL)], fetch=1\n"
        "      ProjectionExec: expr=[0 as time, host@0 as host, count(m.f)@1 as count, sum(m.f)@2 as sum]\n"
        "        AggregateExec: mode=Single, gby=[host@2 as host], aggr=[count(m.f), sum(m.f)], ordering_mode=Sorted\n"
        f"          DataSourceExec: file_groups={{1 group: [[{path}]]}}, projection=[f, g, host, region, time], "
        "output_ordering=[host@2 ASC, region@3 ASC, time@4 ASC], file_type=parquet, predicate=f@0 IS NOT NULL, "
        "pruning_predicate=f_null_count@1 != row_count@0, required_guarantees=[]\n")


def test_a_limit_under_group_by_time_sorts_each_series_for_the_series_limit(store):
    got = [line.strip() for line in physical(
        store, "SELECT mean(f) FROM m WHERE time >= 0 AND time < 10s GROUP BY time(1s), host ORDER BY time DESC "
               "LIMIT 3 OFFSET 1").splitlines()]
    # the series' requirement has no direction (physical.rs compute_ordering): sorted ASC NULLS LAST, which
    # meets the final Sort (no SortExec on top)
    assert got[:5] == [
        "ProjectionExec: expr=[m as iox::measurement, time@0 as time, host@1 as host, mean@2 as mean]",
        "SeriesLimitExec: series=[host@1], order=[time@0 DESC NULLS LAST], limit_expr=[mean@2 RESPECT NULLS "
        "(default: NULL)], skip=1, fetch=3",
        "SortExec: expr=[host@1 ASC NULLS LAST, time@0 DESC NULLS LAST], preserve_partitioning=[false]",
        "ProjectionExec: expr=[time@1 as time, host@0 as host, avg(m.f)@2 as mean]",
        "GapFillExec: series_expr=[host@1], time_expr=date_bin_wallclock(IntervalMonthDayNano { months: 0, days: 0, "
        'nanoseconds: 1000000000 }, time@0, 0), fill_expr=[avg(m.f)@2], time_range=Included("0")..Included("9999999999")']
    assert got[6].startswith("AggregateExec: mode=Single, gby=[date_bin_wallclock(IntervalMonthDayNano { months: 0, "
                             "days: 0, nanoseconds: 1000000000 }, time@4, 0) as time, host@2 as host]")


@pytest.mark.parametrize("q,top", [
    # without tags the SeriesLimit's order is the final Sort's: the projection is the root
    ("SELECT count(f) FROM m WHERE time >= 0 AND time < 5s GROUP BY time(1s) LIMIT 2",
     ["ProjectionExec: expr=[m as iox::measurement, time@0 as time, count@1 as count]",
      "SeriesLimitExec: series=[], order=[time@0 ASC NULLS LAST], limit_expr=[count@1 RESPECT NULLS (default: NULL)], "
      "fetch=2",
      "SortExec: expr=[time@0 ASC NULLS LAST], preserve_partitioning=[false]"]),
    # a tag the scan's order does not sort: the SeriesLimit's sort on it, ASC NULLS LAST (its requirement has no
    # direction), which meets the final Sort
    ("SELECT count(f) FROM m GROUP BY region OFFSET 1",
     ["ProjectionExec: expr=[m as iox::measurement, time@0 as time, region@1 as region, count@2 as count]",
      "SeriesLimitExec: series=[region@1], order=[time@0 ASC NULLS LAST], limit_expr=[count@2 RESPECT NULLS "
      "(default: NULL)], skip=1",
      "SortExec: expr=[region@1 ASC NULLS LAST], preserve_partitioning=[false]"]),
])
def test_series_limit_sorts(store, q, top):
    assert [line.strip() for line in physical(store, q).splitlines()][:len(top)] == top


@pytest.mark.parametrize("q", [
    "SELECT mean(f) FROM m WHERE time >= 0 AND time < 5s GROUP BY time(1s), host, region LIMIT 1",
    "SELECT mean(f) FROM m WHERE time >= 0 AND time < 5s GROUP BY time(1s), host fill(none) ORDER BY time DESC OFFSET 1",
    "SELECT count(f) FROM m WHERE time >= 0 AND time < 5s GROUP BY time(1s), region fill(previous) LIMIT 2",
    "SELECT count(f) FROM m GROUP BY region LIMIT 1",
])
def test_the_series_limits_sort_asks_no_direction_of_its_series(store, q):
    """Derived, not quoted (no v3 snapshot prints EnforceSorting's sort under a SeriesLimitExec;
    physical.rs's own tests build theirs by hand, ``tag@0 ASC``): SeriesLimitExec requires its
    series with ``options: None`` (influxdb3_core 349d802 iox_query ``exec/series_limit/physical.rs``
    compute_ordering, lines 436-452), and DataFusion turns such a requirement into ``ASC NULLS LAST``
    (physical-expr-common ``sort_expr.rs``: From<PhysicalSortRequirement> for PhysicalSortExpr).
    That order meets the final Sort, so no SortExec stays on top (DataFusion 50.1 printed both for a
    window's PARTITION BY, whose requirement has no direction either, by hand)."""
    got = [line.strip() for line in physical(store, q).splitlines()]
    at = next(i for i, line in enumerate(got) if line.startswith("SeriesLimitExec"))
    series = got[at].split("series=[")[1].split("]")[0].split(", ")
    assert at == 1 and got[0].startswith("ProjectionExec: expr=[m as iox::measurement")
    keys = got[at + 1].removeprefix("SortExec: expr=[").split("], ")[0].split(", ")
    assert keys[:len(series)] == [f"{s} ASC NULLS LAST" for s in series]
