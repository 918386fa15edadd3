"""Selectors (first, last, min, max) under GROUP BY in the influxdb3 dialect's physical plan (aggexec3.py).

Sources:
- influxdb3_core 349d802b, query_functions ``selectors.rs`` (lines 147-238, 250-325): selector_first,
  selector_last, selector_min, selector_max are plain AggregateUDFs over (value, time) returning a
  struct ``{value, time}``, with no display of their own; the planner's snapshot
  ``..__select__functions__selectors_aggregate_gby_time_gapfill.snap`` names the column
  ``selector_first(cpu.usage_idle,cpu.time)`` and reads ``get_field(.., Utf8("value"))`` over it.
- DataFusion 50.1 (datafusion-python 50.1.0 with a stand-in UDAF named selector_first over (Float64,
  Timestamp) returning that struct, over a Parquet file sorted on host, region, time; once, by hand;
  no dependency) printed for ``SELECT 'm' AS "iox::measurement", get_field(selector_first(f, time),
  'time') AS time, host, get_field(selector_first(f, time), 'value') AS first FROM m GROUP BY host
  ORDER BY host ASC NULLS LAST, time ASC NULLS LAST``::

    SortExec: expr=[host@2 ASC NULLS LAST, time@1 ASC NULLS LAST], preserve_partitioning=[false]
      ProjectionExec: expr=[m as iox::measurement, get_field(selector_first(m.f,m.time)@1, time) as time, host@0 as host, get_field(selector_first(m.f,m.time)@1, value) as first]
        AggregateExec: mode=Single, gby=[host@1 as host], aggr=[selector_first(m.f,m.time)], ordering_mode=Sorted
          DataSourceExec: file_groups={1 group: [[..m.parquet]]}, projection=[f, host, time], output_ordering=[host@1 ASC], file_type=parquet

  (the aggregate's physical name is its schema name, arguments joined by ``,`` without a space).
Under GROUP BY time the GapFillExec and its sort are the aggregates' (test_v3_explain_physical_agg.py),
each selector's fill strategy printed over its struct column (gapfill/mod.rs display_with_expr).
Not drawn: a lone selector's row time over several partitions or under a LIMIT/OFFSET.
"""
from __future__ import annotations

import pytest

from .physical_plans import STRIDE, physical, v3_store


@pytest.fixture
def store():
    yield from v3_store()


def test_a_lone_selector_by_a_tag_matches_datafusions_print(store):
    store.flush()
    got = physical(store, "SELECT first(f) FROM m GROUP BY host")
    assert got[:3] == [
        "SortExec: expr=[host@2 ASC NULLS LAST, time@1 ASC NULLS LAST], preserve_partitioning=[false]",
        "ProjectionExec: expr=[m as iox::measurement, get_field(selector_first(m.f,m.time)@1, time) as time, "
        "host@0 as host, get_field(selector_first(m.f,m.time)@1, value) as first]",
        "AggregateExec: mode=Single, gby=[host@1 as host], aggr=[selector_first(m.f,m.time)], ordering_mode=Sorted"]
    assert got[3].startswith("DataSourceExec: file_groups={1 group: [[")
    assert "projection=[f, host, time], output_ordering=[host@1 ASC], file_type=parquet" in got[3]


@pytest.mark.parametrize("q,fields,aggr", [
    # several selectors: time is the constant start of the range (planner.rs), dropped from the Sort
    ("SELECT last(f), min(g) FROM m GROUP BY host",
     "0 as time, host@0 as host, get_field(selector_last(m.f,m.time)@1, value) as last, "
     "get_field(selector_min(m.g,m.time)@2, value) as min",
     "gby=[host@2 as host], aggr=[selector_last(m.f,m.time), selector_min(m.g,m.time)], ordering_mode=Sorted"),
    ("SELECT max(f), count(f) FROM m GROUP BY host",
     "0 as time, host@0 as host, get_field(selector_max(m.f,m.time)@1, value) as max, count(m.f)@2 as count",
     "gby=[host@1 as host], aggr=[selector_max(m.f,m.time), count(m.f)], ordering_mode=Sorted"),
])
def test_selectors_with_others_by_a_tag(store, q, fields, aggr):
    got = physical(store, q)
    assert got[0] == "SortExec: expr=[host@2 ASC NULLS LAST], preserve_partitioning=[false]"
    assert got[1] == f"ProjectionExec: expr=[m as iox::measurement, {fields}]"
    assert got[2] == f"AggregateExec: mode=Single, {aggr}"  # the scan reads [f, (g,) host, time]


@pytest.mark.parametrize("clause,fills", [
    ("", "selector_first(m.f,m.time)@2, selector_max(m.g,m.time)@3"),  # fill(null): the struct as it is
    ("fill(previous)", "LOCF(selector_first(m.f,m.time)@2), LOCF(selector_max(m.g,m.time)@3)"),
])
def test_selectors_under_group_by_time_are_gap_filled(store, clause, fills):
    got = physical(store, f"SELECT first(f), max(g) FROM m WHERE time >= 0 AND time < 5s GROUP BY time(1s), host {clause}")
    assert got[:5] == [
        "SortExec: expr=[host@2 ASC NULLS LAST, time@1 ASC NULLS LAST], preserve_partitioning=[false]",
        "ProjectionExec: expr=[m as iox::measurement, time@1 as time, host@0 as host, "
        "get_field(selector_first(m.f,m.time)@2, value) as first, get_field(selector_max(m.g,m.time)@3, value) as max]",
        f"GapFillExec: series_expr=[host@1], time_expr=date_bin_wallclock({STRIDE}, time@0, 0), fill_expr=[{fills}], "
        'time_range=Included("0")..Included("4999999999")',
        "SortExec: expr=[host@1 ASC, time@0 ASC], preserve_partitioning=[false]",
        f"AggregateExec: mode=Single, gby=[date_bin_wallclock({STRIDE}, time@3, 0) as time, host@2 as host], "
        "aggr=[selector_first(m.f,m.time), selector_max(m.g,m.time)], ordering_mode=PartiallySorted([1])"]


def test_a_selector_under_a_limit_is_series_limited_on_its_value(store):
    got = physical(store, "SELECT last(f) FROM m WHERE time >= 0 AND time < 5s GROUP BY time(1s), host fill(none) LIMIT 1")
    # the SeriesLimit's sort (its series ASC NULLS LAST) meets the final Sort: no SortExec on top
    assert got[1] == ("SeriesLimitExec: series=[host@1], order=[time@0 ASC NULLS LAST], limit_expr=[last@2 RESPECT NULLS "
                      "(default: NULL)], fetch=1")
    assert got[2] == "SortExec: expr=[host@1 ASC NULLS LAST, time@0 ASC NULLS LAST], preserve_partitioning=[false]"
    assert got[3] == "ProjectionExec: expr=[time@0 as time, host@1 as host, get_field(selector_last(m.f,m.time)@2, value) as last]"


def _two_partitions(store):
    store.flush()
    assert store.write("db", "m,host=a,region=r f=3,g=4i 3000000000").ok


def test_selectors_over_several_partitions_are_partial_then_final(store):
    _two_partitions(store)
    got = physical(store, "SELECT first(f), last(f) FROM m GROUP BY host")
    assert got[:6] == [
        "ProjectionExec: expr=[m as iox::measurement, 0 as time, host@0 as host, get_field(selector_first(m.f,m.time)@1, "
        "value) as first, get_field(selector_last(m.f,m.time)@2, value) as last]",
        "AggregateExec: mode=Final, gby=[host@0 as host], aggr=[selector_first(m.f,m.time), selector_last(m.f,m.time)], "
        "ordering_mode=Sorted",
        "SortPreservingMergeExec: [host@0 ASC NULLS LAST]",
        "SortExec: expr=[host@0 ASC NULLS LAST], preserve_partitioning=[true]",
        "AggregateExec: mode=Partial, gby=[host@1 as host], aggr=[selector_first(m.f,m.time), selector_last(m.f,m.time)], "
        "ordering_mode=Sorted",
        "UnionExec"]


@pytest.mark.parametrize("q,two", [
    ("SELECT first(f) FROM m GROUP BY host", True),  # the row time over several partitions
    ("SELECT first(f) FROM m GROUP BY host LIMIT 1", False),  # the row time under a SeriesLimit
])
def test_a_lone_selectors_row_time_is_not_drawn_there(store, q, two):
    if two:
        _two_partitions(store)
    assert not any(line.startswith("AggregateExec") for line in physical(store, q))
