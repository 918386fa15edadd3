"""``time`` inside expressions, calls, conditions and subqueries as influxd 1.6.7 answers it,
row for row (tests/cases/query/v1time_cases.py): the time column only where RewriteTimeFields
finds it in the SELECT list, elsewhere a field no measurement has (null, its type unknown) unless
a subquery selects one by that name. Recorded by v1time_record.py (asked twice, and again over
the lines written in reverse)."""
from __future__ import annotations

import json
import sys

import pytest

from tsdb_core.query.engine import execute

from .conftest import NOW, recorded_store
from .test_noaa_cases import CASE_DIR, _ids, approx_equal

sys.path.insert(0, str(CASE_DIR))
from v1time_cases import TIME_DB, time_lines  # noqa: E402

CASES = json.loads((CASE_DIR / "v1time.json").read_text())

time_store = recorded_store(TIME_DB, time_lines)


def test_every_recorded_answer_was_stable():
    assert len(CASES) == 156 and not [c["query"] for c in CASES if c.get("varies")]


@pytest.mark.parametrize("case", CASES, ids=_ids(CASES))
def test_time_in_expressions_as_influxd(time_store, case):
    got = json.loads(json.dumps(execute(time_store, case["query"], db=case["db"], now=NOW).to_json()))
    assert approx_equal(got, case["expected"]), f"\n got: {json.dumps(got)[:2000]}\nwant: {json.dumps(case['expected'])[:2000]}"
