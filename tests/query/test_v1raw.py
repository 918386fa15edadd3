"""Raw SELECT expressions as influxd 1.6.7 answers them, row for row and word for word
(tests/cases/query/v1raw_cases.py): each field reduced by influxql's Reduce with the MathValuer
before it is compiled, a math call on a string or boolean literal answered as influxd's recovered
panic, then validateTypes over the names as RewriteFields types them. Recorded by
v1time_record.py (``BASE v1raw``: asked twice, and again over the lines written in reverse)."""
from __future__ import annotations

import json
import sys

import pytest

from .conftest import recorded_store
from .test_noaa_cases import CASE_DIR, _ids, assert_as_recorded

sys.path.insert(0, str(CASE_DIR))
from v1raw_cases import DB, lines  # noqa: E402

CASES = json.loads((CASE_DIR / "v1raw.json").read_text())

raw_store = recorded_store(DB, lines)


def test_every_recorded_answer_was_stable():
    assert len(CASES) == 245 and not [c["query"] for c in CASES if c.get("varies")]


@pytest.mark.parametrize("case", CASES, ids=_ids(CASES))
def test_raw_expressions_as_influxd(raw_store, case):
    assert_as_recorded(raw_store, case)
