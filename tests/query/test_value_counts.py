"""count() of whole fields answered from file metadata (query/exec/counts.py) equals the
general executor's answer: for files, row groups cut by the time range, buffered rows,
overlapping sources, DELETE, retention, replaced files, decimal columns and twin columns."""
from __future__ import annotations

import dataclasses

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import tsdb_core
from tsdb_core.base.config import StoreConfig

SEC = 1_000_000_000
T0 = 1_700_000_000 * SEC
CONFIG = StoreConfig(parquet_row_group_rows=8)  # many row groups: the range cuts some


def _spied(store):
    """Records what value_counts answered (None: declined)."""
    calls = []
    inner = store.value_counts

    def spy(*a, **k):
        out = inner(*a, **k)
        calls.append(out)
        return out
    store.value_counts = spy
    return calls


def both(store, q: str, db: str = "db"):
    """(the answer with value counts, whether they answered, the general executor's answer)."""
    calls = _spied(store)
    fast = store.query(q, db=db).to_json()
    answered = bool(calls) and calls[-1] is not None
    caps = store.capabilities
    store.capabilities = dataclasses.replace(caps, value_counts=False)
    try:
        slow = store.query(q, db=db).to_json()
    finally:
        store.capabilities = caps
    return fast, answered, slow


def _lines(n: int, hosts: int = 3, step: int = SEC) -> str:
    out = []
    for i in range(n):
        fields = [f"x={i % 7 * 1.25}"]  # two decimals: a decimal column on disk
        if i % 3:
            fields.append(f"y={i}i")
        if i % 5 == 0:
            fields.append(f'z="s{i}"')
        out.append(f"m,h=h{i % hosts} {','.join(fields)} {T0 + (i // hosts) * step}")
    return "\n".join(out) + "\n"


QUERIES = [
    "SELECT count(*) FROM m",
    "SELECT count(x), count(y) FROM m",
    f"SELECT count(*) FROM m WHERE time >= {T0 + 5 * SEC} AND time < {T0 + 23 * SEC}",
    f"SELECT count(z) FROM m WHERE time > {T0 + 3 * SEC}",
    f"SELECT count(y) FROM m WHERE time < {T0 + SEC}",
    f"SELECT count(z) FROM m WHERE time > {T0 + 1000 * SEC}",
    "SELECT count(y) AS n, count(x) FROM m",
]


@pytest.fixture
def disk(tmp_path):
    with tsdb_core.open(tmp_path / "s", config=CONFIG, clock=lambda: T0 + 100 * SEC) as store:
        yield store


@pytest.mark.parametrize("q", QUERIES)
def test_files_and_boundary_row_groups(disk, q):
    disk.write("db", _lines(90))
    disk.flush()
    fast, answered, slow = both(disk, q)
    assert answered and fast == slow


def test_counts_are_the_values():
    with tsdb_core.open(config=CONFIG) as store:
        store.write("db", _lines(90))
        store.flush()
        fast, answered, slow = both(store, "SELECT count(*) FROM m")
    assert answered and fast == slow
    assert fast["results"][0]["series"][0]["values"] == [["1970-01-01T00:00:00Z", 90, 60, 18]]


@pytest.mark.parametrize("q", QUERIES)
def test_buffered_rows_beside_files(disk, q):
    disk.write("db", _lines(60))
    disk.flush()
    disk.write("db", "\n".join(f"m,h=h9 x=1,y={i}i {T0 + (200 + i) * SEC}" for i in range(40)) + "\n")
    fast, answered, slow = both(disk, q)
    assert answered and fast == slow


def test_overlapping_sources_take_the_merge(disk):
    disk.write("db", _lines(60))
    disk.flush()
    disk.write("db", f"m,h=h0 y=5i {T0}\nm,h=h1 z=\"new\" {T0 + 2 * SEC}\n")  # same points: merged
    fast, answered, slow = both(disk, "SELECT count(*) FROM m")
    assert not answered and fast == slow
    disk.flush()
    fast, answered, slow = both(disk, "SELECT count(*) FROM m")
    assert not answered and fast == slow
    disk.compact()  # one file again, the replaced ones no longer read
    fast, answered, slow = both(disk, "SELECT count(*) FROM m")
    assert answered and fast == slow
    assert fast["results"][0]["series"][0]["values"][0][1:] == [60, 41, 13]


def test_delete(disk):
    disk.write("db", _lines(90))
    disk.flush()
    disk.query(f"DELETE FROM m WHERE h = 'h1' AND time < {T0 + 10 * SEC}", db="db")
    for q in QUERIES:
        fast, answered, slow = both(disk, q)
        assert answered and fast == slow, q
    assert both(disk, "SELECT count(x) FROM m")[0]["results"][0]["series"][0]["values"][0][1] == 80


def test_retention(tmp_path):
    now = [T0 + 30 * SEC]
    with tsdb_core.open(tmp_path / "s", config=CONFIG, clock=lambda: now[0]) as store:
        store.query("CREATE DATABASE db WITH DURATION 1h", db="db")
        store.write("db", _lines(90))
        store.flush()
        now[0] = T0 + 3600 * SEC + 12 * SEC  # rows before T0 + 12 s have expired
        for q in QUERIES:
            fast, answered, slow = both(store, q)
            assert answered and fast == slow, q
        values = both(store, "SELECT count(x) FROM m")[0]["results"][0]["series"][0]["values"]
        assert values[0][1] == 90 - 12 * 3


def test_twin_column(disk):
    disk.write("db", f"m h=1i,x=2 {T0}\nm h=3i {T0 + SEC}\n")  # a field h before any tag h
    disk.write("db", f"m,h=a x=4 {T0 + 2 * SEC}\n")  # the field moves to its twin column
    disk.flush()
    for q in ["SELECT count(*) FROM m", "SELECT count(x) FROM m", "SELECT count(h) FROM m",
              'SELECT count("h"::field) FROM m']:
        fast, _, slow = both(disk, q)
        assert fast == slow, q
    fast, answered, _ = both(disk, "SELECT count(*) FROM m")
    assert answered and fast["results"][0]["series"][0]["values"][0][1:] == [2, 2]  # h (the field), x


def test_declined_shapes_do_not_ask(disk):
    disk.write("db", _lines(30))
    disk.flush()
    for q in ["SELECT count(x) FROM m GROUP BY h", "SELECT count(x) FROM m WHERE h = 'h1'",
              "SELECT count(x) FROM m WHERE x > 2", "SELECT count(x), max(y) FROM m",
              f"SELECT count(x) FROM m WHERE time >= {T0} AND time < {T0 + 9 * SEC} GROUP BY time(3s)",
              "SELECT count(x) * 2 FROM m", "SELECT count(distinct(x)) FROM m"]:
        calls = _spied(disk)
        fast, _, slow = both(disk, q)
        assert calls == [] and fast == slow, q


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(steps=st.lists(st.tuples(st.integers(0, 40), st.integers(0, 3), st.sampled_from(["x", "y", "x,y"]),
                                st.sampled_from(["write", "flush", "compact"])), min_size=1, max_size=12),
       lo=st.integers(-2, 45), width=st.integers(0, 50))
def test_property_matches_the_general_path(steps, lo, width):
    with tsdb_core.open(config=CONFIG) as store:
        for t, h, fields, op in steps:
            body = ",".join(f"{f}={t + h}" for f in fields.split(","))
            store.write("db", f"m,h=h{h} {body} {T0 + t * SEC}\n")
            if op == "flush":
                store.flush()
            elif op == "compact":
                store.flush()
                store.compact()
        q = f"SELECT count(*) FROM m WHERE time >= {T0 + lo * SEC} AND time <= {T0 + (lo + width) * SEC}"
        fast, _, slow = both(store, q)
        assert fast == slow


@pytest.mark.parametrize("q, asked", [
    ("SELECT count(*) FROM m ORDER BY time DESC", True),
    ("SELECT count(*) FROM m LIMIT 1 OFFSET 1", True),
    ("SELECT count(x) FROM m tz('Europe/Paris')", True),
    (f"SELECT count(x) FROM m WHERE time >= {T0} tz('Europe/Paris')", True),
    ("SELECT count(*) FROM /m/", True),
    ("SELECT count(x), count(x) FROM m", True),
    ("SELECT count(*) FROM m SLIMIT 1", False),
    ("SELECT count(x) FROM (SELECT x FROM m)", False),
    ("SELECT count(nope) FROM m", False),
    ("SELECT count(h) FROM m", False),
])
def test_output_shapes(q, asked):
    with tsdb_core.open(config=CONFIG) as store:
        store.write("db", _lines(50))
        store.flush()
        fast, answered, slow = both(store, q)
    assert answered == asked and fast == slow
