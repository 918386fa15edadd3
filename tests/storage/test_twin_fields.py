"""A field whose key is also a tag key of its measurement (InfluxDB 1.x stores both): its own
column (``base.types.TWIN`` + key) through the WAL, flushes, compaction, deletes and reopening;
what is refused and why."""
from __future__ import annotations

import subprocess
import sys
import textwrap

import polars as pl
import pytest

import tsdb_core
from tsdb_core.base.types import TWIN, FieldType

BODY = "tf,k=x k=1,v=2 1000000000\ntf,k=y v=3 2000000000\ntf k=4 3000000000"
ROWS = [[10**9, 1.0, "x", 2.0], [2 * 10**9, None, "y", 3.0], [3 * 10**9, 4.0, None, None]]


def star(s, q="SELECT * FROM tf"):
    series = s.query(q, db="db", epoch="ns").to_json()["results"][0].get("series", [])
    return series[0]["values"] if series else []


def test_the_field_has_its_own_column_in_the_files(tmp_path):
    with tsdb_core.open(tmp_path / "s") as s:
        assert s.write("db", BODY).ok
        s.flush()
        (f,) = s.files()
        assert f.columns == ("time", "k", TWIN + "k", "v")
        assert star(s) == ROWS
        assert s.schema("db", "tf").fields == {"k": FieldType.FLOAT, "v": FieldType.FLOAT}
        assert s.schema("db", "tf").tags == ("k",)


def test_wal_replay_flush_compaction_and_reopen_keep_both(tmp_path):
    root = tmp_path / "s"
    code = textwrap.dedent(f"""
        import os, tsdb_core
        s = tsdb_core.open({str(root)!r})
        assert s.write("db", {BODY!r}).ok
        os._exit(0)  # no flush, no close: the rows are only in the WAL
    """)
    subprocess.run([sys.executable, "-c", code], check=True)
    with tsdb_core.open(root) as s:
        assert star(s) == ROWS  # replayed from the WAL
        assert s.write("db", "tf k=5 4000000000\ntf,k=z k=6 5000000000").ok
        s.flush()
        s.write("db", "tf,k=x k=7 6000000000")
        s.flush()
        assert s.compact() == 1
    with tsdb_core.open(root) as s:
        assert star(s, "SELECT k::tag, k::field FROM tf") == [
            [10**9, "x", 1.0], [3 * 10**9, None, 4.0], [4 * 10**9, None, 5.0], [5 * 10**9, "z", 6.0],
            [6 * 10**9, "x", 7.0]]


@pytest.mark.no_catalog
def test_delete_by_the_tag_leaves_the_field_of_other_series():
    """influxd 1.6.7: a bare key both tag and field is the field in a delete's WHERE (refused),
    ``k::tag`` the tag."""
    s = tsdb_core.open(None)
    s.write("db", BODY)
    for q in ("DELETE FROM tf WHERE k = 'x'", "DROP SERIES FROM tf WHERE k = 'x'"):
        assert s.query(q, db="db").to_json()["results"][0]["error"] == \
            "fields not supported in WHERE clause during deletion"
    s.query("DELETE FROM tf WHERE k::tag = 'x'", db="db")
    assert star(s) == ROWS[1:]
    s.query("DROP SERIES FROM tf WHERE k::tag = 'y'", db="db")
    assert star(s) == ROWS[2:]


@pytest.mark.parametrize("flush", [False, True])
def test_a_tag_naming_a_field_stored_before_any_such_tag(tmp_path, flush):
    """influxd 1.6.7 stores it (v1write.json, ``tl``): the field's rows move to its twin column
    first (the buffer flushed, each file holding the key rewritten), through compaction and reopen."""
    root = tmp_path / "s"
    with tsdb_core.open(root) as s:
        assert s.write("db", "tb k=1 1000000000\ntb,h=a k=5 1500000000").ok
        if flush:
            s.flush()
        r = s.write("db", "tb,k=x v=2 2000000000\ntb v=3 3000000000")
        assert r.ok and r.points_written == 2
        assert all(TWIN + "k" in f.columns for f in s.files())
        assert star(s, "SELECT k::tag, k::field, v FROM tb") == [
            [10**9, None, 1.0, None], [1_500_000_000, None, 5.0, None], [2 * 10**9, "x", None, 2.0],
            [3 * 10**9, None, None, 3.0]]
        assert s.write("db", "tb,k=y k=4 4000000000").ok
        s.flush()
        assert s.compact() == 1
    with tsdb_core.open(root) as s:
        assert s.schema("db", "tb").tags == ("h", "k")
        assert s.schema("db", "tb").fields == {"k": FieldType.FLOAT, "v": FieldType.FLOAT}
        assert star(s, "SELECT k::tag, k::field FROM tb") == [
            [10**9, None, 1.0], [1_500_000_000, None, 5.0], [4 * 10**9, "y", 4.0]]
        assert star(s, "SELECT count(k) FROM tb") == [[0, 3]]
    # in one body the order does not matter: nothing is stored yet
    s = tsdb_core.open(None)
    assert s.write("db", "tc k=1 1000000000\ntc,k=x v=2 2000000000").ok
    assert star(s, "SELECT * FROM tc") == [[10**9, 1.0, None, None], [2 * 10**9, None, "x", 2.0]]


@pytest.mark.no_catalog
def test_a_field_naming_no_tag_is_not_moved():
    """Writes adding no tag key that names a stored field leave the files alone."""
    s = tsdb_core.open(None)
    s.write("db", "tb k=1 1000000000")
    s.flush()
    before = s.files()
    assert s.write("db", "tb,h=a k=2 2000000000").ok
    assert s.files() == before  # nothing rewritten (the write is buffered)


@pytest.mark.no_catalog
def test_keys_reading_as_such_a_column_are_refused_from_dataframes():
    s = tsdb_core.open(None)
    df = pl.DataFrame({"time": [1, 2], "v": [1.0, 2.0], TWIN + "k": [1.0, None]})
    r = s.write_dataframe("db", df, "m")
    assert [(e.line, e.reason) for e in r.errors] == [
        (1, 'invalid field key: input field "\\nfield:k" on measurement "m" is invalid')]
    assert r.points_written == 1
    df = pl.DataFrame({"time": [1], "v": [1.0], "k": ["x"], "k2": [2.0]})
    assert s.write_dataframe("db", df, "n", tags=["k"]).ok  # an ordinary frame: no change


@pytest.mark.no_catalog
@pytest.mark.parametrize("body", ["tf,k=x k=1 1", "tf,k=x v=1 1\ntf k=2 2"])
def test_line_protocol_formats_the_field_under_its_key(body):
    from tsdb_core.ingest.line_protocol import format_batch, parse

    batch = parse(body, now=0).batches["tf"]
    assert TWIN + "k" in batch.fields
    again = parse(format_batch(batch), now=0).batches["tf"]
    assert again.frame.equals(batch.frame) and again.fields == batch.fields
    assert format_batch(batch).split("\n")[0] in ("tf,k=x k=1.0 1", "tf,k=x v=1.0 1")


# InfluxDB 3 refuses such a key ("disallowed in IOx but accepted in TSM": influxdb3_core's
# mutable_batch_lp, test_duplicate_is_tag_and_field): the later line, with the words the
# store always gave, under the influxdb3 write dialect (the shim's cloud-dedicated compat)
V3_REFUSALS = [
    ("cpu,k=a v=1 1\ncpu k=1 2",
     [(2, 'invalid field key: input field "k" on measurement "cpu" is already a tag key in this batch')]),
    ("cpu k=1 1\ncpu,k=a v=1 2",
     [(2, 'invalid tag key: input tag "k" on measurement "cpu" is already a field key in this batch')]),
    ("cpu,k=a k=1 1",
     [(1, 'invalid field key: input field "k" on measurement "cpu" is already a tag key in this batch')]),
    ("cpu,k=a k=1,v=1 1\ncpu,k=b v=2 2\ncpu k=3 3\ncpu,j=x j=1i 4",
     [(1, 'invalid field key: input field "k" on measurement "cpu" is already a tag key in this batch'),
      (3, 'invalid field key: input field "k" on measurement "cpu" is already a tag key in this batch'),
      (4, 'invalid field key: input field "j" on measurement "cpu" is already a tag key in this batch')]),
]


@pytest.mark.no_catalog
@pytest.mark.parametrize("body,expected", V3_REFUSALS, ids=[b for b, _ in V3_REFUSALS])
def test_influxdb3_refuses_a_key_both_tag_and_field(body, expected):
    s = tsdb_core.open(None)
    r = s.write("db", body, dialect="influxdb3")
    assert [(e.line, e.reason) for e in r.errors] == expected
    assert r.points_written == body.count("\n") + 1 - len(expected)
    schema = s.schema("db", "cpu")
    assert schema is None or not set(schema.tags) & set(schema.fields)
    # 1.x keeps both, also a tag naming a field stored before without any tag of its key
    assert s.write("db", body, dialect="influxdb1").ok


@pytest.mark.no_catalog
def test_influxdb3_refuses_a_field_naming_a_stored_tag_and_the_reverse():
    s = tsdb_core.open(None)
    s.write("db", "cpu,host=a value=1 1")
    r = s.write("db", "cpu host=1 2\ncpu,value=x f=1 3", dialect="influxdb3")
    assert [e.reason for e in r.errors] == [
        'field type conflict: input field "host" on measurement "cpu" is type float, already exists as type tag',
        'field type conflict: input tag "value" on measurement "cpu" is a tag, already exists as a field of type float']
    assert s.write("db", "cpu host=1 2").ok  # influxdb1 (the store's default): stored as both
