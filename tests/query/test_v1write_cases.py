"""Issue 20 section 3: the writes influxd 1.6.7 keeps, and what it answers after them.

The bodies of tests/cases/query/v1write_cases.py go through Store.write (the influxdb1
dialect) as influxd got them; each write's status and error, and each query's answer, must
be what influxd 1.6.7 gave (tests/cases/query/v1write.json, recorded by v1write_record.py).
"""
from __future__ import annotations

import json
import sys

import pytest

from tsdb_http.routes_write import v1_message

from .test_noaa_cases import CASE_DIR, _check, _ids

sys.path.insert(0, str(CASE_DIR))
from v1write_cases import V1WRITE_DB  # noqa: E402

RECORDED = json.loads((CASE_DIR / "v1write.json").read_text())

def v1_answer(result) -> tuple[int, str | None]:
    """The status and error the influxdb1 shim gives for a WriteResult (routes_write.py)."""
    if result.ok:
        return 204, None
    return 400, result.failure or v1_message(result.errors, result.points_written)


@pytest.fixture(scope="module")
def v1write_store(request):
    from tests.stores import settle, shared_store
    from tsdb_core.base.time import fixed_clock

    from .conftest import NOW
    store = shared_store(request, fixed_clock(NOW))
    store.create_database(V1WRITE_DB)
    answers = [v1_answer(store.write(V1WRITE_DB, w["body"])) for w in RECORDED["writes"]]
    settle(store)
    store.answers = answers
    yield store
    store.close()


def test_each_write_answers_as_influxd(v1write_store):
    assert v1write_store.answers == [(w["status"], w["error"]) for w in RECORDED["writes"]]


@pytest.mark.parametrize("case", RECORDED["queries"], ids=_ids(RECORDED["queries"]))
def test_v1write_query(v1write_store, case):
    _check(v1write_store, case)
