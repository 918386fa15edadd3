"""tz() under GROUP BY time in the influxdb3 dialect's physical plan (aggexec3.py, scanplan3.py).

Sources:
- the logical plan (tzplan3.py, from iox_query_influxql ``planner.rs`` project_timezone): the Aggregate
  over ``Projection: m.f, tz(m.time, Utf8("<zone>")) AS time`` over the scan taking the filters
  ``tz(m.time, Utf8("<zone>")) >= TimestampNanosecond(<ns>, Some("<zone>"))``.
- influxdb3_core 349d802b, query_functions ``tz.rs`` (``impl ScalarUDFImpl for TzUDF``, lines 64-165):
  no ``simplify``, ``output_ordering`` nor ``evaluate_bounds``: the projection stays a function call,
  the bucket over it is not known sorted.
- influxdata/influxdb d7834110, influxdb3_write ``src/lib.rs`` ChunkFilter::new (lines 664-762): the
  time bounds come from DataFusion's interval analysis of each filter on ``time``; it cannot bound
  ``tz(time, ..)``, so no chunk is left out by the range (the file outside it is scanned too).
- DataFusion 50.1 (datafusion-python 50.1.0 with stand-in ``tz`` and ``date_bin_wallclock`` UDFs over a
  Parquet file sorted on host, region, time, Parquet filter pushdown on as in IOx; once, by hand; no
  dependency) printed::

    AggregateExec: mode=Single, gby=[date_bin_wallclock(IntervalMonthDayNano { months: 0, days: 0, nanoseconds: 1000000000 }, time@2, 0) as .., host@1 as host], aggr=[count(m.f)], ordering_mode=PartiallySorted([1])
      ProjectionExec: expr=[f@0 as f, host@1 as host, tz(time@2, Europe/Paris) as time]
        DataSourceExec: file_groups={1 group: [[..m.parquet]]}, projection=[f, host, time], output_ordering=[host@1 ASC], file_type=parquet, predicate=tz(time@2, Europe/Paris) >= 0 AND f@0 IS NOT NULL, pruning_predicate=f_null_count@1 != row_count@0, required_guarantees=[]

  and, for ``tz(time, ..) >= ..`` alone, ``predicate=tz(time@1, Europe/Paris) >= 0`` with no pruning
  predicate nor guarantees (a tz() test prunes nothing). Its column indices there are the pushed
  filter's; IOx's scan numbers its predicate over the table's columns (scanplan3.py).
With a tag test (derived: the two drawn pieces composed): the tag test joins the scan's tests after the
time ones (IOx's full_filters order, as without tz()): below the deduplication with them (its columns
are key columns), in the Parquet predicate and its pruning predicate (the tz() tests prune nothing).
"""
from __future__ import annotations

import pytest

from .physical_plans import STRIDE, physical, v3_store


@pytest.fixture
def store():
    yield from v3_store(flush=True)


def test_group_by_time_and_a_tag_reads_time_through_tz(store):
    got = physical(store, "SELECT mean(f) FROM m WHERE time >= 0 AND time < 5s GROUP BY time(1s), host fill(none) "
                          "tz('Europe/Paris')")
    assert got[:4] == [
        "SortExec: expr=[host@2 ASC NULLS LAST, time@1 ASC NULLS LAST], preserve_partitioning=[false]",
        "ProjectionExec: expr=[m as iox::measurement, time@0 as time, host@1 as host, avg(m.f)@2 as mean]",
        f"AggregateExec: mode=Single, gby=[date_bin_wallclock({STRIDE}, time@2, 0) as time, host@1 as host], "
        "aggr=[avg(m.f)], ordering_mode=PartiallySorted([1])",
        "ProjectionExec: expr=[f@0 as f, host@1 as host, tz(time@2, Europe/Paris) as time]"]
    assert got[4].startswith("DataSourceExec: file_groups={1 group: [[")
    assert got[4].endswith(
        "projection=[f, host, time], output_ordering=[host@1 ASC], file_type=parquet, "
        "predicate=tz(time@4, Europe/Paris) >= 0 AND tz(time@4, Europe/Paris) <= 4999999999 AND f@0 IS NOT NULL, "
        "pruning_predicate=f_null_count@1 != row_count@0, required_guarantees=[]")


def test_gap_fill_under_tz_prints_the_range_in_ns(store):
    got = physical(store, "SELECT count(f) FROM m WHERE time >= 0 AND time < 5s GROUP BY time(1s) tz('America/Chicago')")
    assert got[2] == (f"GapFillExec: series_expr=[], time_expr=date_bin_wallclock({STRIDE}, time@0, 0), "
                      'fill_expr=[COALESCE(count(m.f)@1, 0)], time_range=Included("0")..Included("4999999999")')
    assert got[4] == f"AggregateExec: mode=Single, gby=[date_bin_wallclock({STRIDE}, time@1, 0) as time], aggr=[count(m.f)]"
    assert got[5] == "ProjectionExec: expr=[f@0 as f, tz(time@1, America/Chicago) as time]"
    assert "predicate=tz(time@4, America/Chicago) >= 0 AND tz(time@4, America/Chicago) <= 4999999999" in got[6]


def test_a_file_outside_the_range_is_scanned_under_tz(store):
    assert store.write("db", f"m,host=a,region=r f=5 {3 * 86400 * 10**9}").ok
    store.flush()
    q = "SELECT count(f) FROM m WHERE time >= 0 AND time < 5s GROUP BY time(1s)"
    plain, zoned = physical(store, q), physical(store, q + " tz('Europe/Paris')")
    scan = next(line for line in plain if line.startswith("DataSourceExec"))
    assert scan.startswith("DataSourceExec: file_groups={1 group: [[") and ".parquet, " not in scan.split("]]")[0]
    scan = next(line for line in zoned if line.startswith("DataSourceExec"))
    assert scan.split("]]")[0].count(".parquet") == 2  # both files: the range does not prune under tz()


def test_a_limit_under_tz_reads_every_column_through_tz(store):
    # optimize_projections stops at the SeriesLimit: the tz projection keeps every column
    got = physical(store, "SELECT count(f) FROM m WHERE time >= 0 AND time < 5s GROUP BY time(1s) LIMIT 1 tz('Europe/Paris')")
    assert got[1].startswith("SeriesLimitExec: series=[], order=[time@0 ASC NULLS LAST]") and got[1].endswith("fetch=1")
    assert "ProjectionExec: expr=[f@0 as f, g@1 as g, host@2 as host, region@3 as region, tz(time@4, Europe/Paris) as time]" \
        in got


TAGGED = "WHERE time >= 0 AND time < 5s AND host = 'a'"


def test_a_tag_test_under_tz_joins_the_parquet_predicate(store):
    got = physical(store, f"SELECT mean(f) FROM m {TAGGED} GROUP BY time(1s), region tz('Europe/Paris')")
    assert got[4:] == [
        f"AggregateExec: mode=Single, gby=[date_bin_wallclock({STRIDE}, time@2, 0) as time, region@1 as region], aggr=[avg(m.f)]",
        "ProjectionExec: expr=[f@0 as f, region@1 as region, tz(time@2, Europe/Paris) as time]",
        got[6]]  # no ordering_mode: the file's order starts with host, which is not read
    assert got[6].startswith("DataSourceExec: file_groups={1 group: [[")
    assert got[6].endswith(
        "projection=[f, region, time], file_type=parquet, predicate=tz(time@4, Europe/Paris) >= 0 AND "
        "tz(time@4, Europe/Paris) <= 4999999999 AND host@2 = a AND f@0 IS NOT NULL, pruning_predicate=host_null_count@2 != "
        "row_count@3 AND host_min@0 <= a AND a <= host_max@1 AND f_null_count@4 != row_count@3, required_guarantees=[host in (a)]")


@pytest.mark.parametrize("q,window", [
    (f"SELECT derivative(f) FROM m {TAGGED} tz('Europe/Paris')", "derivative(m.f)"),
    (f"SELECT difference(mean(f)) FROM m {TAGGED} GROUP BY time(1s) fill(none) tz('Europe/Paris')", "difference(avg(m.f))"),
])
def test_a_window_under_tz_with_a_tag_test(q, window):
    """Rows not persisted: the tag test below the deduplication, after the tz() tests."""
    s = next(v3_store())
    got = physical(s, q)
    s.close()
    assert got[4].startswith(f"WindowAggExec: wdw=[{window}: Ok(")
    low = -1000000000 if "mean" in q else 0  # a window of aggregates reads one interval more
    assert f"FilterExec: tz(time@1, Europe/Paris) >= {low} AND tz(time@1, Europe/Paris) <= 4999999999 AND host@2 = a" in got
    assert "RecordBatchesExec: chunks=1, projection=[f, time, host, region, __chunk_order]" in got
    assert got.index("ProjectionExec: expr=[f@0 as f, tz(time@1, Europe/Paris) as time]") > 4
