"""Rows of equal time in influxd 1.6.7's order, row for row (tests/cases/query/v1ties_cases.py:
string aux values that may be null, raw and aggregating subqueries, distinct(), top()/bottom(),
percentile(), series keys that sort otherwise once escaped, tags a series lacks, GROUP BY tags
a series lacks, subqueries over several measurements, an inner LIMIT/OFFSET or SLIMIT under
another outer grouping).
Recorded by v1ties_record.py from two influxds (one loaded in reverse), asked twice each."""
from __future__ import annotations

import json
import sys

import pytest

from .conftest import NOW
from .test_noaa_cases import CASE_DIR, _ids, assert_as_recorded

sys.path.insert(0, str(CASE_DIR))
from v1ties_cases import TIES_DB, escaped_lines, group_lines, shard_lines, ties_lines  # noqa: E402

CASES = json.loads((CASE_DIR / "v1ties.json").read_text())


@pytest.fixture(scope="module")
def ties_store(request):
    """The NOAA sample and the ``v1ties`` database, in a store of this module's own."""
    from tests.stores import settle, shared_store
    from tsdb_core.base.time import fixed_clock

    from .conftest import load_noaa
    store = shared_store(request, fixed_clock(NOW))
    load_noaa(store)
    store.create_database(TIES_DB)
    assert store.write(TIES_DB, "\n".join(ties_lines() + escaped_lines() + group_lines() + shard_lines())).ok
    settle(store)
    yield store
    store.close()


def test_every_recorded_order_was_stable():
    assert len(CASES) == 121 and not [c["query"] for c in CASES if c.get("varies")]
    assert not [c["query"] for c in CASES if c.get("unmodelled")]


def _marked(case: dict):
    """A case we do not answer yet is expected to differ (strictly: a fix shows up)."""
    why = case.get("unmodelled")
    return pytest.param(case, marks=pytest.mark.xfail(strict=True, reason=why)) if why else case


@pytest.mark.parametrize("case", [_marked(c) for c in CASES], ids=_ids(CASES))
def test_equal_times_as_influxd_orders_them(ties_store, case):
    assert_as_recorded(ties_store, case)


def test_influxdb3_limits_each_inner_group(ties_store):
    """The run-of-tags limits are influxd 1.x's (exec/regroup.py): v3 keeps LIMIT per inner
    group, each field's values counted on their own (exec/field_limits.py): ``s`` lacks one of
    the first three points of five hosts (ties_lines), whose fourth point is kept for ``s``
    alone, ``v`` past its three read as null."""
    q = "SELECT * FROM (SELECT s, v FROM t GROUP BY host LIMIT 3)"
    v1 = ties_store.query(q, db=TIES_DB, dialect="influxdb1").to_json()["results"][0]["series"][0]["values"]
    v3 = ties_store.query(q, db=TIES_DB, dialect="influxdb3").to_json()["results"][0]["series"][0]["values"]
    assert (len(v1), len(v3)) == (24, 23)
    hosts = {f"h{(5 * i) % 6}": i for i in range(6)}  # host -> series i of ties_lines
    assert sorted(r[1] for r in v3) == sorted([h for h in hosts for _ in range(3)] + [h for h in hosts if h != "h4"])
    fourth = sorted((r[1], r[0][:20], r[2], r[3]) for r in v3 if r[0].startswith("1970-01-01T00:00:04"))
    assert [(h, v) for h, _, _, v in fourth] == [(h, None) for h in sorted(hosts) if h != "h4"]
    assert all(s is not None for _, _, s, _ in fourth)
