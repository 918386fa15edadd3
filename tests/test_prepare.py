"""Store.prepare parses once; Store.execute runs the prepared statements with query()'s answers."""
import pytest

import tsdb_core
from tsdb_core import ParseError


@pytest.fixture()
def store():
    s = tsdb_core.open()
    s.write("db", b"cpu,host=a v=1 10\ncpu,host=b v=3 20")
    yield s
    s.close()


def test_prepared_answers_as_query(store):
    q = "SELECT sum(v) FROM cpu GROUP BY host; SHOW MEASUREMENTS"
    prepared = store.prepare(q)
    assert [type(s).__name__ for s in prepared.statements] == ["SelectStatement", "ShowMeasurementsStatement"]
    assert store.execute(prepared, db="db").to_json() == store.query(q, db="db").to_json()


def test_prepare_binds_parameters(store):
    prepared = store.prepare("SELECT v FROM cpu WHERE host = $h", {"h": "b"})
    assert store.execute(prepared, db="db").to_json()["results"][0]["series"][0]["values"] == [
        ["1970-01-01T00:00:00.00000002Z", 3.0]]


def test_prepare_raises_parse_error_with_position(store):
    with pytest.raises(ParseError) as e:
        store.prepare("SELECT FROM cpu")
    assert str(e.value) == "found FROM, expected identifier, string, number, bool at line 1, char 8"
    assert store.query("SELECT FROM cpu").to_json() == {
        "error": "error parsing query: found FROM, expected identifier, string, number, bool at line 1, char 8"}
