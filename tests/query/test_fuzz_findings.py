"""Statements the fuzzer turned into internal errors, answered as influxd 1.6.7 does."""
from __future__ import annotations

import tsdb_core


def test_into_a_field_of_another_type_is_a_partial_write_not_an_internal_error():
    s = tsdb_core.open(None)
    s.write("fz", "m,host=a v=2 1\nm,host=b v=3 2")
    s.write("fz", "out a=5u 1")
    res = s.query('SELECT v AS "a" INTO "fz"."autogen"."out" FROM m WHERE v > 1', db="fz").to_json()
    assert res["results"][0] == {"statement_id": 0, "error": (
        'partial write: field type conflict: input field "a" on measurement "out" is type float, '
        "already exists as type unsigned dropped=2")}
    assert s.query("SELECT * FROM out", db="fz").to_json()["results"][0]["series"][0]["values"] == \
        [["1970-01-01T00:00:00.000000001Z", 5]]  # the stored point is untouched


def test_a_repeated_name_in_a_subquery_keeps_its_first_column():
    s = tsdb_core.open(None)
    s.write("db", "\n".join(f'm,host=h{i % 2} v={i},i={i}i {i * 600 * 10**9}' for i in range(3)))
    res = s.query("SELECT a FROM (SELECT v + 3 AS a, v + 0 AS a FROM m)", db="db").to_json()
    assert res["results"][0]["series"][0]["values"] == [  # influxd 1.6.7: a = v + 3
        ["1970-01-01T00:00:00Z", 3.0], ["1970-01-01T00:10:00Z", 4.0], ["1970-01-01T00:20:00Z", 5.0]]
    res = s.query('SELECT host FROM (SELECT v * 50 AS "a", i + 1 AS "a", v AS "a" FROM m)', db="db").to_json()
    assert res["results"][0] == {"statement_id": 0}  # influxd: no rows (host is not a column of it)


def test_an_aggregate_beside_a_transform_of_a_field_no_point_has():
    s = tsdb_core.open(None)
    s.write("db", "\n".join(f'm,host=h{i % 2} v={i} {i * 600 * 10**9}' for i in range(3)))
    q = 'SELECT mean(nope) AS "a", exponential_moving_average(nope, 2) FROM m GROUP BY *'
    assert s.query(q, db="db").to_json()["results"][0] == {"statement_id": 0}  # influxd 1.6.7: no series


def test_into_a_field_named_like_a_group_by_tag_writes_both():
    """influxd 1.6.7: the tag and the field are both written (``SELECT *`` shows host, host_1)."""
    s = tsdb_core.open(None)
    s.write("db", "m,host=a v=1 1\nm,host=b v=2 2")
    res = s.query("SELECT host::tag, v INTO out FROM m GROUP BY host", db="db").to_json()
    assert res["results"][0]["series"][0]["values"] == [["1970-01-01T00:00:00Z", 2]]
    res = s.query("SELECT * FROM out", db="db").to_json()["results"][0]["series"][0]
    assert res["columns"] == ["time", "host", "host_1", "v"]
    assert res["values"] == [["1970-01-01T00:00:00.000000001Z", "a", "a", 1.0],
                             ["1970-01-01T00:00:00.000000002Z", "b", "b", 2.0]]
    assert s.query("SHOW FIELD KEYS FROM out", db="db").to_json()["results"][0]["series"][0]["values"] == [
        ["host", "string"], ["v", "float"]]
    s.drop_measurement("db", "out")
    res = s.query("SELECT host, v INTO out FROM m", db="db").to_json()  # no GROUP BY: host is a field
    assert res["results"][0]["series"][0]["values"] == [["1970-01-01T00:00:00Z", 2]]
