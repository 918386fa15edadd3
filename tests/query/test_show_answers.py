"""SHOW TAG VALUES answers kept between queries (query/meta/answers.py): reused while the
series index and the measurements are unchanged, never stale after a change."""
from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import tsdb_core
from tests.stores import memory_and_disk
from tsdb_core.query import engine
from tsdb_core.query.meta import answers
from tsdb_core.query.meta.answers import ShowAnswers

T0 = 1_700_000_000_000_000_000
HOSTS = ["a", "b", "c", "é", "Z"]
QUERIES = ["SHOW TAG VALUES WITH KEY = host", "SHOW TAG VALUES FROM cpu WITH KEY IN (dc, host)",
           "SHOW TAG VALUES WITH KEY =~ /./ LIMIT 2 OFFSET 1", "SHOW TAG VALUES WITH KEY != host"]


class Forwarding:
    """A provider wrapper as influxdb3.PolicyScoped is one: attributes forwarded, no stamp of its own."""

    def __init__(self, provider):
        self._p = provider

    def __getattr__(self, name):
        return getattr(self._p, name)


def answer(res) -> list:
    st_ = res.statements[0]
    assert st_.error is None, st_.error
    return [(s.name, s.tags, s.columns, s.values) for s in st_.series]


def both(store, q: str) -> tuple[list, list]:
    """(the store's answer, the answer built afresh through a wrapper that keeps none)."""
    return answer(store.query(q, db="db")), answer(engine.execute(Forwarding(store), q, db="db"))


store = memory_and_disk(f"cpu,host=b v=1 {T0}\ncpu,host=a,dc=x v=1 {T0}\nmem,host=c v=1 {T0}")


def show(store, q="SHOW TAG VALUES WITH KEY = host"):
    return {name: [tuple(r) for r in rows] for name, _, _, rows in answer(store.query(q, db="db"))}


def test_kept_answer_is_reused_and_a_new_host_shows_at_once(store):
    first = show(store)
    hits = store.show_answers.hits
    assert show(store) == first == {"cpu": [("host", "a"), ("host", "b")], "mem": [("host", "c")]}
    assert store.show_answers.hits == hits + 1
    store.write("db", f"cpu,host=new v=2 {T0 + 1}")
    assert show(store)["cpu"] == [("host", "a"), ("host", "b"), ("host", "new")]
    store.write("db", f"disk,host=d v=2 {T0 + 1}")  # a new measurement
    assert show(store)["disk"] == [("host", "d")]


def test_a_known_series_written_again_keeps_the_answer(store):
    show(store)
    misses = store.show_answers.misses
    store.write("db", f"cpu,host=a,dc=x v=5 {T0 + 5}")
    assert show(store)["cpu"] == [("host", "a"), ("host", "b")]
    show(store)
    assert store.show_answers.misses <= misses + 1  # (rebuilt at most once, then kept)


def test_deletes_drops_and_flushes_show_at_once(store):
    show(store)
    store.query("DROP SERIES FROM cpu WHERE host = 'b'", db="db")
    assert show(store)["cpu"] == [("host", "a")]
    store.query("DELETE FROM mem WHERE host = 'c'", db="db")
    assert "mem" not in show(store)
    store.flush()
    assert show(store) == {"cpu": [("host", "a")]}
    store.drop_measurement("db", "cpu")
    assert show(store) == {}
    store.write("db", f"cpu,host=back v=1 {T0}")
    assert show(store) == {"cpu": [("host", "back")]}


def test_databases_and_policies_are_apart(store):
    store.create_database("other")
    store.write("other", f"cpu,host=o v=1 {T0}")
    assert show(store) == {"cpu": [("host", "a"), ("host", "b")], "mem": [("host", "c")]}
    assert answer(store.query("SHOW TAG VALUES WITH KEY = host", db="other"))[0][3] == [["host", "o"]]
    assert answer(store.query("SHOW TAG VALUES ON other WITH KEY = host", db="db"))[0][3] == [["host", "o"]]
    store.drop_database("other")
    assert store.query("SHOW TAG VALUES WITH KEY = host", db="other").statements[0].error == \
        "database not found: other"
    store.create_retention_policy("db", "two", duration=0)
    store.write("db", f"cpu,host=q v=1 {T0}", rp="two")
    assert show(store)["cpu"] == [("host", "a"), ("host", "b"), ("host", "q")]


def test_wrappers_and_where_clauses_keep_nothing(store):
    for q in ("SHOW TAG VALUES WITH KEY = host", "SHOW TAG VALUES WITH KEY = host WHERE dc = 'x'"):
        engine.execute(Forwarding(store), q, db="db")
    assert store.show_answers.hits == store.show_answers.misses == 0
    for _ in range(3):
        assert show(store, "SHOW TAG VALUES WITH KEY = host WHERE dc = 'x'") == {"cpu": [("host", "a")]}
    assert store.show_answers.hits == store.show_answers.misses == 0


def test_each_answer_has_its_own_series_and_rows(store):
    store.query("SHOW TAG VALUES WITH KEY = host", db="db")
    one = store.query("SHOW TAG VALUES WITH KEY = host", db="db").statements[0].series[0]
    one.values[0][1] = "changed in place"
    one.values.append(["host", "mine"])
    one.values = []
    again = store.query("SHOW TAG VALUES WITH KEY = host", db="db").statements[0].series[0]
    assert again is not one and again.values == [["host", "a"], ["host", "b"]]
    assert store.show_answers.hits >= 1


def test_large_answers_are_built_each_time(store):
    store.show_answers = ShowAnswers(max_rows=2)
    for _ in range(3):
        assert show(store)["cpu"] == [("host", "a"), ("host", "b")]
    assert store.show_answers.hits == 0


_OPS = st.one_of(
    st.tuples(st.just("write"), st.sampled_from(["cpu", "mem"]), st.sampled_from(HOSTS), st.booleans()),
    st.tuples(st.just("drop series"), st.sampled_from(["cpu", "mem"]), st.sampled_from(HOSTS)),
    st.tuples(st.just("delete"), st.sampled_from(["cpu", "mem"]), st.sampled_from(HOSTS)),
    st.tuples(st.just("flush")),
    st.tuples(st.just("drop measurement"), st.sampled_from(["cpu", "mem"])),
)


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(ops=st.lists(_OPS, max_size=8), q=st.sampled_from(QUERIES))
def test_kept_answers_equal_fresh_ones_after_any_changes(ops, q):
    s = tsdb_core.open(None)
    try:
        s.create_database("db")
        s.write("db", f"cpu,host=b v=1 {T0}\nmem,host=c v=1 {T0}")
        for op in ops:
            kept, fresh = both(s, q)
            assert kept == fresh
            if op[0] == "write":
                dc = ",dc=x" if op[3] else ""
                s.write("db", f"{op[1]},host={op[2]}{dc} v=1 {T0 + 1}")
            elif op[0] in ("drop series", "delete"):
                s.query(f"{op[0].upper()} FROM {op[1]} WHERE host = '{op[2]}'", db="db")
            elif op[0] == "flush":
                s.flush()
            else:
                s.drop_measurement("db", op[1])
            kept, fresh = both(s, q)
            assert kept == fresh
            assert answer(s.query(q, db="db")) == fresh  # (the kept one, asked again)
    finally:
        s.close()


def test_a_reader_sees_the_writers_new_and_dropped_hosts(tmp_path):
    path = tmp_path / "s"
    with tsdb_core.open(path) as w:
        w.create_database("db")
        w.write("db", f"cpu,host=a v=1 {T0}")
        w.flush()
        with tsdb_core.open(path, read_only=True) as r:
            assert show(r) == show(r) == {"cpu": [("host", "a")]}
            w.write("db", f"cpu,host=b v=1 {T0}")
            w.flush()
            assert show(r) == {"cpu": [("host", "a"), ("host", "b")]}
            w.query("DROP SERIES FROM cpu WHERE host = 'a'", db="db")
            assert show(r) == {"cpu": [("host", "b")]}
            assert r.show_answers.hits >= 1


def test_a_reused_answer_reads_its_series_as_building_it_did(store, monkeypatch):
    """The series index folds a measurement's new series in the background while they are
    read lately (storage/index.py): reusing an answer counts as reading them."""
    monkeypatch.setattr(answers, "REWATCH_S", 0.0)
    index = store._engine.state.index
    show(store)
    index._read_at.clear()  # (as if the last read were long ago)
    show(store)
    assert store.show_answers.hits == 1
    assert index.watched(("db", "autogen", "cpu")) and index.watched(("db", "autogen", "mem"))
    store.create_database("other")
    store.write("other", f"cpu,host=o v=1 {T0}")
    assert not index.watched(("other", "autogen", "cpu"))


def test_the_answer_token_names_the_kept_answer_while_it_is_reused(store):
    q = "SHOW TAG VALUES WITH KEY = host"
    prepared = store.prepare(q)
    assert store.answer_token(prepared, "db") is None  # nothing kept yet
    first = store.execute(prepared, "db")
    token = store.answer_token(prepared, "db")
    assert token is not None and store.answer_token(prepared, "db") == token
    assert answer(store.execute(prepared, "db")) == answer(first) and store.answer_token(prepared, "db") == token
    store.write("db", f"cpu,host=a,dc=x v=5 {T0 + 5}")  # a known series: the same answer
    store.execute(prepared, "db")
    same = store.answer_token(prepared, "db")
    store.write("db", f"cpu,host=new v=2 {T0 + 1}")  # a new series: no longer that answer
    assert store.answer_token(prepared, "db") is None
    assert ("host", "new") in show(store)["cpu"]
    assert store.answer_token(prepared, "db") not in (None, token, same)


def test_the_answer_token_follows_the_database(store):
    prepared = store.prepare("SHOW TAG VALUES WITH KEY = host")
    on_db = store.prepare("SHOW TAG VALUES ON db WITH KEY = host")
    for p in (prepared, on_db):
        store.execute(p, "db")
    assert store.answer_token(prepared, "db") is not None and store.answer_token(on_db, None) is not None
    assert store.answer_token(prepared, None) is None and store.answer_token(prepared, "nodb") is None
    store.drop_database("db")
    assert store.answer_token(prepared, "db") is None and store.answer_token(on_db, "db") is None


@pytest.mark.parametrize("q", ["SELECT v FROM cpu", "SHOW TAG VALUES WITH KEY = host WHERE dc = 'x'",
                               "SHOW MEASUREMENTS", "SHOW TAG VALUES WITH KEY = host; SHOW TAG VALUES WITH KEY = dc"])
def test_other_statements_have_no_answer_token(store, q):
    prepared = store.prepare(q)
    for _ in range(2):
        store.execute(prepared, "db")
    assert store.answer_token(prepared, "db") is None
    assert store.answer_token(prepared, "db", dialect="influxdb3") is None


def test_the_influxdb3_dialect_has_no_answer_token(store):
    prepared = store.prepare("SHOW TAG VALUES WITH KEY = host", dialect="influxdb3")
    for _ in range(2):
        store.execute(prepared, "db", dialect="influxdb3")
    assert store.answer_token(prepared, "db", dialect="influxdb3") is None
