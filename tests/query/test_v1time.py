"""``time`` inside expressions, calls, conditions and subqueries as influxd 1.6.7 answers it,
row for row (tests/cases/query/v1time_cases.py): the time column only where RewriteTimeFields
finds it in the SELECT list, elsewhere a field no measurement has (null, its type unknown) unless
a subquery selects one by that name. Recorded by v1time_record.py (asked twice, and again over
the lines written in reverse)."""
from __future__ import annotations

import json
import sys

import pytest

from .conftest import recorded_store
from .test_noaa_cases import CASE_DIR, _ids, assert_as_recorded

sys.path.insert(0, str(CASE_DIR))
from v1time_cases import TIME_DB, time_lines  # noqa: E402

CASES = json.loads((CASE_DIR / "v1time.json").read_text())

time_store = recorded_store(TIME_DB, time_lines)


def test_every_recorded_answer_was_stable():
    assert len(CASES) == 156 and not [c["query"] for c in CASES if c.get("varies")]


@pytest.mark.parametrize("case", CASES, ids=_ids(CASES))
def test_time_in_expressions_as_influxd(time_store, case):
    assert_as_recorded(time_store, case)
