"""The reading of v3's planner snapshots by the corpus tool (tests/dialects/iox_corpus.py)."""
from __future__ import annotations

import pytest

from .iox_corpus import Case, plan_columns, shown

# first lines of iox_query_influxql/src/plan/snapshots/ ... select_raw__single_measurement-8.snap,
# select_raw__select_single_measurement_group_by-5.snap and ..._mixture_of_existing_and_missing_fields.snap
PLANS = [
    ("Sort: time ASC NULLS LAST [iox::measurement:Dictionary(Int32, Utf8), time:Timestamp(Nanosecond, None), "
     "TIME:Boolean;N]\n  Projection: ...", ("time", "TIME")),
    ("Sort: cpu ASC NULLS LAST, time ASC NULLS LAST [iox::measurement:Dictionary(Int32, Utf8), "
     "time:Timestamp(Nanosecond, None), cpu:Dictionary(Int32, Utf8);N, region:Dictionary(Int32, Utf8);N, "
     "usage_idle:Float64;N]", ("time", "cpu", "region", "usage_idle")),
    ("Sort: time ASC NULLS LAST [iox::measurement:Dictionary(Int32, Utf8), time:Timestamp(Nanosecond, None), "
     "with space:Float64;N, missing:Null;N]", ("time", "with space", "missing")),
    ("EmptyRelation: rows=0 [iox::measurement:Dictionary(Int32, Utf8)]", ()),
    ("Explain [plan_type:Utf8, plan:Utf8]", None),
]


@pytest.mark.parametrize("plan,columns", PLANS, ids=[p[:30] for p, _ in PLANS])
def test_plan_columns(plan, columns):
    assert plan_columns(plan) == columns


@pytest.mark.parametrize("q,expected", [
    ("SELECT region, usage_idle FROM cpu GROUP BY cpu", ("time", "region", "usage_idle")),  # cpu: a series tag
    ("SELECT cpu, usage_idle FROM cpu GROUP BY cpu", ("time", "cpu", "region", "usage_idle")),  # selected: kept
    ("SELECT last(usage_idle) FROM cpu GROUP BY cpu ORDER BY TIME DESC", ("time", "region", "usage_idle")),
])
def test_group_by_tags_are_series_tags_unless_selected(q, expected):
    case = Case(q, False, "x", ("time", "cpu", "region", "usage_idle"))
    assert shown(case) == expected
