"""Windows of fields over a Parquet file and over several partitions in the influxdb3 dialect's physical plan.

Sources: DataFusion 50.1 (datafusion-python 50.1.0, once, by hand; no dependency; target_partitions=1,
Parquet filter pushdown on) printed, for a window of the same frame over Parquet files sorted
``host ASC, time ASC`` (time not nullable):

- one file, ``PARTITION BY host ORDER BY time ASC NULLS LAST``: the window right over the DataSourceExec
  (a partition key's requirement has no direction; ``time ASC`` meets ``NULLS LAST`` on a column that
  cannot be null); without the partition key, a ``SortExec: expr=[time@2 ASC NULLS LAST]`` over it;
- a union of two files, with or without the partition key::

    SortPreservingMergeExec: [host@1 ASC NULLS LAST, time@2 ASC NULLS LAST]
      UnionExec
        SortExec: expr=[host@1 ASC NULLS LAST, time@2 ASC NULLS LAST], preserve_partitioning=[false]
          DataSourceExec: .., output_ordering=[host@1 ASC, time@2 ASC], ..
        SortExec: expr=[host@1 ASC NULLS LAST, time@2 ASC NULLS LAST], preserve_partitioning=[false]
          DataSourceExec: .., output_ordering=[host@1 ASC, time@2 ASC], ..

  (the merge asks ``host`` a direction, ``NULLS LAST``, that a file sorted nulls first does not meet).
The scans are IOx's (scanplan3.py); over rows not persisted the sort sits over the scan's
CoalesceBatchesExec and FilterExec (DataFusion 50.1 printed so for a union input filtered by a FilterExec:
EnforceSorting does not push a sort through it, and CoalesceBatches runs after it).
"""
from __future__ import annotations

import pytest

import tsdb_core

from .physical_plans import ROWS, physical

RANGE = "WHERE time >= 0 AND time < 5s"


@pytest.fixture
def file_store():
    s = tsdb_core.open(dialect="influxdb3")
    assert s.write("db", ROWS).ok
    s.flush()
    yield s
    s.close()


@pytest.fixture
def two():
    """A file and rows not persisted after it: two partitions (a union of IOx's chunk groups)."""
    s = tsdb_core.open(dialect="influxdb3")
    assert s.write("db", ROWS).ok
    s.flush()
    assert s.write("db", "m,host=a,region=r f=3,g=4i 3000000000").ok
    yield s
    s.close()


def test_a_file_sorted_on_the_partition_keys_needs_no_sort(file_store):
    got = physical(file_store, f"SELECT derivative(f) FROM m {RANGE} GROUP BY host, region")
    assert got[4].startswith("WindowAggExec: wdw=[derivative(m.f): Ok(")
    assert got[5].startswith("DataSourceExec: file_groups={1 group: [[")
    assert "projection=[f, host, region, time], output_ordering=[host@1 ASC, region@2 ASC, time@3 ASC], file_type=parquet, " \
           "predicate=time@4 >= 0 AND time@4 <= 4999999999 AND f@0 IS NOT NULL" in got[5]
    assert len(got) == 6


@pytest.mark.parametrize("group,sort", [
    ("host", "host@1 ASC NULLS LAST, time@2 ASC NULLS LAST"),  # region not read: the file's order stops at host
    ("", "time@1 ASC NULLS LAST"),
])
def test_a_file_not_sorted_so_is_sorted(file_store, group, sort):
    group_by = f" GROUP BY {group}" if group else ""
    got = physical(file_store, f"SELECT difference(f) FROM m {RANGE}{group_by}")
    assert got[4].startswith("WindowAggExec: wdw=[difference(m.f): Ok(")
    assert got[5] == f"SortExec: expr=[{sort}], preserve_partitioning=[false]"
    assert got[6].startswith("DataSourceExec: ") and len(got) == 7


def test_several_partitions_are_sorted_each_then_merged(two):
    got = physical(two, f"SELECT derivative(f) FROM m {RANGE} GROUP BY host, region")
    sort = "host@1 ASC NULLS LAST, region@2 ASC NULLS LAST, time@3 ASC NULLS LAST"
    assert got[4].startswith("WindowAggExec: wdw=[derivative(m.f): Ok(")
    assert got[5:8] == [f"SortPreservingMergeExec: [{sort}]", "UnionExec", f"SortExec: expr=[{sort}], preserve_partitioning=[false]"]
    assert got[8].startswith("DataSourceExec: ") and "output_ordering=[host@1 ASC, region@2 ASC, time@3 ASC]" in got[8]
    assert got[9:12] == [f"SortExec: expr=[{sort}], preserve_partitioning=[false]", "CoalesceBatchesExec: target_batch_size=8192",
                         "FilterExec: f@0 IS NOT NULL"]
    assert got[13] == "DeduplicateExec: [host@1 ASC,region@2 ASC,time@3 ASC]"


def test_several_partitions_under_a_limit(two):
    got = physical(two, f"SELECT difference(f) FROM m {RANGE} LIMIT 1")
    assert got[1] == "SeriesLimitExec: series=[], order=[time@0 ASC NULLS LAST], limit_expr=[difference@1 IGNORE NULLS (default: NULL)], fetch=1"
    assert got[6:9] == ["SortPreservingMergeExec: [time@4 ASC NULLS LAST]", "UnionExec",
                        "SortExec: expr=[time@4 ASC NULLS LAST], preserve_partitioning=[false]"]
    assert got.count("SortExec: expr=[time@4 ASC NULLS LAST], preserve_partitioning=[false]") == 2


@pytest.mark.parametrize("q,lines", [
    (f"SELECT derivative(f) FROM m {RANGE} tz('Europe/Paris')", ROWS),  # a union under tz()'s projection
    (f"SELECT derivative(f) FROM m {RANGE}", "m f=1 1000000000\n"),  # no tags: every input sorted on time
])
def test_several_partitions_not_drawn(q, lines):
    s = tsdb_core.open(dialect="influxdb3")
    assert s.write("db", lines).ok
    s.flush()
    assert s.write("db", "m,host=a,region=r f=3,g=4i 3000000000" if "host" in lines else "m f=3 3000000000").ok
    got = physical(s, q)
    s.close()
    assert not any(line.startswith("WindowAggExec") for line in got)
