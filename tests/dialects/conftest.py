from __future__ import annotations

import pytest

import tsdb_core
from tests.dialects.table import LP, NOW
from tsdb_core.testing import ManualClock


def loaded(dialect: str):
    store = tsdb_core.open(clock=ManualClock(NOW), dialect=dialect)
    assert store.write("mydb", LP).ok
    return store


@pytest.fixture
def v3():
    with loaded("influxdb3") as store:
        yield store


@pytest.fixture
def v1():
    with loaded("influxdb1") as store:
        yield store


def answer(store, q: str, **kw) -> dict:
    """The one statement's JSON answer of ``q`` on ``mydb``."""
    doc = store.query(q, db=kw.pop("db", "mydb"), **kw).to_json()
    assert "error" not in doc, doc
    (res,) = doc["results"]
    return res
