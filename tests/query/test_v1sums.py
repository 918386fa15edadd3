"""Float sums and means of windows of more than 128 points in influxd 1.6.7's answers, bit for
bit (tests/cases/query/v1sums_cases.py, recorded by v1sums_record.py: asked twice, and again
over the lines written in reverse): influxd adds a series' points of a window one after
another, in time order."""
from __future__ import annotations

import json
import sys

import pytest

from tsdb_core.query.engine import execute

from .conftest import NOW, recorded_store
from .test_noaa_cases import CASE_DIR, _ids

sys.path.insert(0, str(CASE_DIR))
from v1sums_cases import KEPT, QUERIES, SUMS_DB, sums_lines  # noqa: E402

CASES = json.loads((CASE_DIR / "v1sums.json").read_text())


sums_store = recorded_store(SUMS_DB, sums_lines)


def test_every_query_recorded_and_stable():
    assert [c["query"] for c in CASES] == QUERIES
    assert not [c["query"] for c in CASES if c.get("varies")]


def _marked(case: dict):
    """A case we knowingly answer otherwise is expected to differ (strictly: a fix shows up)."""
    why = KEPT.get(case["query"])
    return pytest.param(case, marks=pytest.mark.xfail(strict=True, reason=why)) if why else case


@pytest.mark.parametrize("case", [_marked(c) for c in CASES], ids=_ids(CASES))
def test_sums_as_influxd(sums_store, case):
    got = json.loads(json.dumps(execute(sums_store, case["query"], db=case["db"], now=NOW).to_json()))
    assert got == case["expected"], f"\n got: {json.dumps(got)[:2000]}\nwant: {json.dumps(case['expected'])[:2000]}"
