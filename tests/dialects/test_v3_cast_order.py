"""Which value a failing cast names in the influxdb3 dialect when several are out of range.

arrow's cast stops at the first value it cannot cast (arrow-cast try_numeric_cast: ``Can't cast
value {:?} to type {}``) in the order v3 reads the rows. v3 reads a table as IOx's files hold it:
sorted by the sort key, the tags then time, a missing tag first (tests/dialects/v3_physical/
issue_6112_explain.expected: ``ParquetExec: .. output_ordering=[tag0@1 ASC]`` — DataFusion prints
``ASC`` for nulls first — under ``SortPreservingMergeExec: [iox::measurement@0 ASC NULLS
LAST,tag0@2 ASC NULLS LAST,time@1 ASC NULLS LAST]``). Decided here (exec/cast_trace.py): the
value named is the first by measurement, then the tag values in tag-key order (a missing tag
first), then time. The tag columns in name order: v3's sort key orders them by the table's series
key (Core: first-written order) or each partition's cardinality at its first persist (Clustered),
which agree with names written in order (exec/cast_trace.py quotes both). Not established: which
partition reports first when v3 scans several files in parallel. The base tree named whichever value Polars' group or chunk met first
(``sum(i::unsigned) .. GROUP BY host`` answered -4 or -5 from one run to the next).
"""
from __future__ import annotations

import pytest

from .both_dialects import answer, influxdb3_store

# series m (no tag) -4@5; m,dc=x,host=a -8@4; m,host=a -7@2 3@3; m,host=b -5@1; m,host=c -1@0
LINES = "\n".join(["m,host=b i=-5i,f=1e30 1", "m,host=a i=-7i,f=3e30 2", "m,host=a i=3i,f=1 3",
                   "m,host=c i=-1i,f=2e30 0", "m i=-4i 5", "m2 i=-2i 0", "m,host=a,dc=x i=-8i 4"])
CAST = "datafusion error: Arrow error: Cast error: Can't cast value {} to type {}"

store = influxdb3_store(LINES)


@pytest.mark.parametrize("query,value", [
    ("SELECT i::unsigned FROM m", -4),                      # the series without tags first
    ("SELECT sum(i::unsigned) FROM m", -4),
    ("SELECT sum(i::unsigned) FROM m GROUP BY host", -4),
    ("SELECT sum(i::unsigned) FROM m WHERE time >= 0 AND time < 10 GROUP BY time(2ns)", -4),
    ("SELECT i::unsigned FROM m WHERE host = 'a'", -7),     # host=a before dc=x,host=a (dc missing first)
    ("SELECT i::unsigned FROM m WHERE host =~ /a|b/ AND time >= 1", -7),
    ("SELECT i::unsigned FROM m WHERE host = 'b' OR host = 'c'", -5),
    ("SELECT sum(x) FROM (SELECT i::unsigned AS x FROM m)", -4),
    ("SELECT sum(x::unsigned) FROM (SELECT i AS x FROM m)", -4),
    ("SELECT i::unsigned FROM m2, m", -4),                  # measurement m before m2
])
def test_first_failing_value_in_series_order(store, query, value):
    assert answer(store, query) == CAST.format(value, "UInt64")


def test_float_cast_names_the_first_in_series_order(store):
    assert answer(store, "SELECT max(f::integer) FROM m") == CAST.format("3e30", "Int64")  # host=a


def test_no_failure_no_rerun(store):
    assert answer(store, "SELECT sum(i::unsigned) FROM m WHERE i > 0") == [[3]]


def test_a_rerun_that_fails_keeps_the_first_error():
    from tsdb_core.query.exec.cast_trace import CastFailure, first_failure
    first = CastFailure("datafusion error: Arrow error: Cast error: Can't cast value -5 to type UInt64")
    assert first_failure(lambda: 1 / 0, first) is first


def test_failures_whose_keys_do_not_compare_keep_the_first_error():
    """Two casts' rows ordered by columns of different layouts (a tag's text against a time)
    cannot be compared: the error Polars raised first stands, not a TypeError."""
    from tsdb_core.query.exec.cast_trace import CastFailure, TRACE, first_failure

    def rerun():
        trace = TRACE.get()
        trace.record([("cpu", "a")], ["named by the text"])
        trace.record([("cpu", 5)], ["named by the time"])

    first = CastFailure("first met")
    assert first_failure(rerun, first) is first
