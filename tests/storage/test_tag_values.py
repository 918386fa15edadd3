"""SHOW TAG VALUES from the series index's remembered values: fresh after every change."""
from __future__ import annotations

from tests.stores import memory_and_disk

T0 = 1_700_000_000_000_000_000


def show(store, q="SHOW TAG VALUES WITH KEY = host"):
    st = store.query(q, db="db").statements[0]
    assert st.error is None, st.error
    return {s.name: [tuple(r) for r in s.values] for s in st.series}


store = memory_and_disk(f"cpu,host=b v=1 {T0}\ncpu,host=a v=1 {T0}\ncpu,dc=x v=1 {T0}\nmem,host=c v=1 {T0}")


def test_values_follow_writes_drops_and_flushes(store):
    assert show(store) == {"cpu": [("host", "a"), ("host", "b")], "mem": [("host", "c")]}
    store.write("db", f"cpu,host=Z v=1 {T0 + 1}\ncpu,host=é v=1 {T0 + 1}")
    assert show(store)["cpu"] == [("host", "Z"), ("host", "a"), ("host", "b"), ("host", "é")]
    store.flush()
    assert show(store)["cpu"] == [("host", "Z"), ("host", "a"), ("host", "b"), ("host", "é")]
    store.drop_measurement("db", "mem")
    assert show(store) == {"cpu": [("host", "Z"), ("host", "a"), ("host", "b"), ("host", "é")]}
    store.write("db", f"mem,host=d v=1 {T0}")
    assert show(store)["mem"] == [("host", "d")]


def test_other_keys_and_policies(store):
    assert show(store, "SHOW TAG VALUES FROM cpu WITH KEY IN (dc, host)") == {
        "cpu": [("dc", "x"), ("host", "a"), ("host", "b")]}
    store.create_retention_policy("db", "two", duration=0)
    store.write("db", f"cpu,host=q v=1 {T0}", rp="two")
    assert show(store, "SHOW TAG VALUES FROM cpu WITH KEY = host")["cpu"] == [
        ("host", "a"), ("host", "b"), ("host", "q")]  # every policy, as influxd
    assert store.tag_values("db", "two", "cpu", "host") == ["q"]
    assert store.tag_keys("db", None, "cpu") == ["dc", "host"]


def test_a_where_clause_takes_the_general_path(store):
    assert show(store, "SHOW TAG VALUES WITH KEY = host WHERE dc = 'x'") == {}
    assert show(store, "SHOW TAG VALUES WITH KEY = host WHERE host =~ /a|c/") == {
        "cpu": [("host", "a")], "mem": [("host", "c")]}
