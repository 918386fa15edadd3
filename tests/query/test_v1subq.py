"""Subquery limits under another grouping in influxd 1.6.7's answers, row for row
(tests/cases/query/v1subq_cases.py): an aggregating subquery's LIMIT/OFFSET under another outer
GROUP BY, the outer SLIMIT/SOFFSET added to the inner's, transforms over a limited subquery,
outer GROUP BY * and /regex/, several subqueries in one FROM (over one measurement too),
top()/bottom() over GROUP BY time under another grouping, a selector subquery's rows beside other
sources, filled subqueries under an outer GROUP BY time() and fill() (exec/regroup.py, exec/stretches.py),
raw subqueries beside measurements tied on time, transforms of calls in subqueries (exec/run_transforms.py),
an outer GROUP BY time()'s calls of several fields over them (exec/outer_calls.py).
Recorded by v1subq_record.py (asked twice, and again over the lines written in reverse)."""
from __future__ import annotations

import json
import sys

import pytest

from tsdb_core.query.engine import execute

from .conftest import NOW, recorded_store
from .test_noaa_cases import CASE_DIR, _ids, assert_as_recorded

sys.path.insert(0, str(CASE_DIR))
from v1subq_cases import AGG, NESTED, SUBQ_DB, shard_lines, subq_lines  # noqa: E402

CASES = json.loads((CASE_DIR / "v1subq.json").read_text())


subq_store = recorded_store(SUBQ_DB, lambda: subq_lines() + shard_lines())


def test_every_recorded_answer_was_stable():
    assert len(CASES) == 823 and not [c["query"] for c in CASES if c.get("varies")]
    assert not [c for c in CASES if c.get("unmodelled")]


def _marked(case: dict):
    """A case we do not answer yet is expected to differ (strictly: a fix shows up)."""
    why = case.get("unmodelled")
    return pytest.param(case, marks=pytest.mark.xfail(strict=True, reason=why)) if why else case


@pytest.mark.parametrize("case", [_marked(c) for c in CASES], ids=_ids(CASES))
def test_subquery_limits_as_influxd(subq_store, case):
    assert_as_recorded(subq_store, case)


@pytest.mark.parametrize("query", NESTED)
def test_nested_subqueries_answer_without_error(subq_store, query):
    """Depth 2-3 with limits at each level: an answer, never an error (influxd answers them all;
    the recorded ones above compare it row for row, the open ones strictly xfail)."""
    case = next(c for c in CASES if c["query"] == query)
    assert "error" not in case["expected"]["results"][0]
    got = execute(subq_store, query, db=SUBQ_DB, now=NOW).to_json()["results"][0]
    assert "error" not in got, got["error"]
    assert ("series" in got) == ("series" in case["expected"]["results"][0]) or case.get("unmodelled")


def _rows(store, q: str, dialect: str) -> list:
    return store.query(q, db=SUBQ_DB, dialect=dialect).to_json()["results"][0]["series"][0]["values"]


def test_influxdb3_keeps_each_inner_groups_limit(subq_store):
    """v3 limits an aggregating subquery per inner group (the runs of tags are influxd 1.x's);
    the outer SLIMIT adds to the inner's in 1.x (v3 rejects SLIMIT)."""
    q = f"SELECT * FROM (SELECT max(usage) AS m {AGG}, host LIMIT 2)"
    v1, v3 = _rows(subq_store, q, "influxdb1"), _rows(subq_store, q, "influxdb3")
    assert (len(v1), len(v3)) == (31, 12)
    assert sorted(r[1] for r in v3) == [f"h{i}" for i in range(6) for _ in range(2)]
    q = "SELECT * FROM (SELECT usage FROM cpu GROUP BY host SLIMIT 3) GROUP BY region SLIMIT 1"
    v1 = subq_store.query(q, db=SUBQ_DB, dialect="influxdb1").to_json()["results"][0]["series"]
    assert [s["tags"]["region"] for s in v1] == ["", "r0", "r1"]
