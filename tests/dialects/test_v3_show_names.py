"""How a SHOW statement names its database and measurements in the influxdb3 dialect.

The v1 API takes the database from ``ON`` (iox_query_influxql_rewrite/src/lib.rs: ``ON db``
and, for SHOW MEASUREMENTS, ``ON db.rp``; ``ON *`` and ``ON *.*`` fail with
Error::MultiDatabase "can only perform queries on a single database"); the planner takes no
database or retention policy in a SHOW's FROM or WITH MEASUREMENT (iox_query_influxql
planner.rs expand_show_from_clause, expand_with_measurement_clause).
"""
from __future__ import annotations

import pytest

import tsdb_core

NOT_IMPLEMENTED = "datafusion error: This feature is not implemented: "
PLANNING = "datafusion error: Error during planning: "
MULTI = "error in InfluxQL statement: can only perform queries on a single database"


@pytest.mark.parametrize("q,error", [
    # planner.rs: error::not_implemented("database name in from clause"), ("retention policy in from clause")
    ("SHOW TAG KEYS FROM mydb.autogen.cpu", NOT_IMPLEMENTED + "database name in from clause"),
    ("SHOW TAG KEYS FROM autogen.cpu", NOT_IMPLEMENTED + "retention policy in from clause"),
    ("SHOW FIELD KEYS FROM mydb..cpu", NOT_IMPLEMENTED + "database name in from clause"),
    ("SHOW TAG VALUES FROM autogen./c/ WITH KEY = host", NOT_IMPLEMENTED + "retention policy in from clause"),
    ("SHOW MEASUREMENTS WITH MEASUREMENT = mydb..cpu", NOT_IMPLEMENTED + "database name in from clause"),
    ("EXPLAIN SHOW TAG KEYS FROM autogen.cpu", NOT_IMPLEMENTED + "retention policy in from clause"),
    # the FROM is expanded before the WHERE clause is planned
    ("SHOW TAG KEYS FROM autogen.cpu WHERE time > 'x'", NOT_IMPLEMENTED + "retention policy in from clause"),
    # planner.rs: error::query("expected string but got regex"), ("expected regex but got string")
    ("SHOW MEASUREMENTS WITH MEASUREMENT = /cpu/", PLANNING + "expected string but got regex"),
    ("SHOW MEASUREMENTS WITH MEASUREMENT=/cpu/", PLANNING + "expected string but got regex"),
    ("SHOW MEASUREMENTS WITH MEASUREMENT =~ cpu", PLANNING + "expected regex but got string"),
    ("EXPLAIN SHOW MEASUREMENTS WITH MEASUREMENT =~ cpu", PLANNING + "expected regex but got string"),
])
def test_v3_refuses_what_the_planner_refuses(v3, v1, q, error):
    (res,) = v3.query(q, db="mydb").to_json()["results"]
    assert res == {"statement_id": 0, "error": error}
    (verdict,) = tsdb_core.Store.check(q)
    assert verdict.influxdb3 == error
    if not q.startswith("EXPLAIN") and "WHERE" not in q:
        assert verdict.influxdb1 is None and "error" not in v1.query(q, db="mydb").to_json()["results"][0]


@pytest.mark.parametrize("q,names", [
    ("SHOW MEASUREMENTS WITH MEASUREMENT = cpu", [["cpu"]]),
    ("SHOW MEASUREMENTS WITH MEASUREMENT =~ /c/", [["cpu"]]),
    ("SHOW TAG KEYS FROM cpu", [["host"]]),
])
def test_plain_names_run(v3, q, names):
    (res,) = v3.query(q, db="mydb").to_json()["results"]
    assert res["series"][0]["values"] == names


def test_one_refused_statement_among_others(v3):
    doc = v3.query("SHOW MEASUREMENTS WITH MEASUREMENT =~ /c/; SHOW MEASUREMENTS WITH MEASUREMENT = /c/; "
                   "SHOW TAG KEYS FROM autogen.cpu; SHOW MEASUREMENTS", db="mydb").to_json()
    assert [r.get("error") for r in doc["results"]] == [
        None, PLANNING + "expected string but got regex", NOT_IMPLEMENTED + "retention policy in from clause", None]


@pytest.mark.parametrize("q", ["SHOW MEASUREMENTS ON *", "SHOW MEASUREMENTS ON *.*",
                               "SHOW MEASUREMENTS; SHOW MEASUREMENTS ON *", "EXPLAIN SHOW MEASUREMENTS ON *"])
def test_on_every_database_fails_the_request(v3, q):
    # lib.rs show_measurements_failure_modes: "SHOW MEASUREMENTS ON *.*", "SHOW MEASUREMENTS ON *" → MultiDatabase
    assert v3.query(q, db="mydb").to_json() == {"results": [{"statement_id": 0, "error": MULTI}]}
    assert tsdb_core.Store.check(q.split("; ")[-1])[0].influxdb3 == MULTI


@pytest.mark.parametrize("q,rows", [
    # lib.rs show_measurements: "SHOW MEASUREMENTS ON foo.bar" → db Some("foo"), rp Some("bar"); resolve_dbrp: autogen → db
    ("SHOW MEASUREMENTS ON mydb.autogen", [["cpu"], ["gone"]]),
    ('SHOW MEASUREMENTS ON "mydb"."autogen" WITH MEASUREMENT =~ /c/ LIMIT 1', [["cpu"]]),
    ("SHOW MEASUREMENTS ON mydb", [["cpu"], ["gone"]]),
])
def test_on_a_database_and_policy(v3, q, rows):
    (res,) = v3.query(q, db="other").to_json()["results"]
    assert res["series"][0]["values"] == rows
    assert tsdb_core.Store.check(q)[0].influxdb3 is None


def test_on_a_policy_names_the_database_db_slash_rp(v3):
    # resolve_dbrp: a policy other than autogen/default names the database "db/rp"
    (res,) = v3.query("SHOW MEASUREMENTS ON mydb.weekly", db="mydb").to_json()["results"]
    assert res == {"statement_id": 0, "error": "Database mydb/weekly not found"}
    v3.create_retention_policy("mydb", "weekly", duration=7 * 86400 * 10**9)
    v3.write("mydb", "mem v=1 1704067200000000000", rp="weekly")
    (res,) = v3.query("SHOW MEASUREMENTS ON mydb.weekly", db="other").to_json()["results"]
    assert res["series"][0]["values"] == [["mem"]]
    (res,) = v3.query("EXPLAIN SHOW MEASUREMENTS ON mydb.weekly", db="other").to_json()["results"]
    assert res["series"][0]["values"] == [["TableScan: measurements projection=[iox::measurement, name]"]]


def test_a_policy_is_a_database_of_its_own_for_show(v3, v1):
    # v3's DBRP mapping: db=mydb&rp=weekly is the database "mydb/weekly", which holds only what was written there
    v3.create_retention_policy("mydb", "weekly", duration=7 * 86400 * 10**9)
    v3.write("mydb", "mem,h=x v=1 1704067200000000000", rp="weekly")
    got = {q: v3.query(q, db="mydb", rp="weekly").to_json()["results"][0]["series"] for q in (
        "SHOW MEASUREMENTS", "SHOW TAG KEYS", "SHOW FIELD KEYS", "SHOW TAG VALUES WITH KEY =~ /.*/")}
    assert got == {"SHOW MEASUREMENTS": [{"name": "measurements", "columns": ["name"], "values": [["mem"]]}],
                   "SHOW TAG KEYS": [{"name": "mem", "columns": ["tagKey"], "values": [["h"]]}],
                   "SHOW FIELD KEYS": [{"name": "mem", "columns": ["fieldKey", "fieldType"], "values": [["v", "float"]]}],
                   "SHOW TAG VALUES WITH KEY =~ /.*/": [{"name": "mem", "columns": ["key", "value"],
                                                         "values": [["h", "x"]]}]}
    assert v3.query("SHOW MEASUREMENTS", db="mydb").to_json()["results"][0]["series"][0]["values"] == [
        ["cpu"], ["gone"]]  # the database mydb: the default policy's
    v1.create_retention_policy("mydb", "weekly", duration=7 * 86400 * 10**9)
    v1.write("mydb", "mem,h=x v=1 1704067200000000000", rp="weekly")
    assert v1.query("SHOW MEASUREMENTS", db="mydb", rp="weekly").to_json()["results"][0]["series"][0]["values"] == [
        ["cpu"], ["gone"], ["mem"]]  # 1.x: measurements are the database's, whatever the policy


def test_the_check_says_how_to_name_the_database():
    (v,) = tsdb_core.Store.check("SHOW TAG KEYS FROM mydb.autogen.cpu")
    assert v.v3_way == "name the database (and retention policy) with ON or the request's db and rp, the measurement alone"


LP_TWO_KEYS = ("cpu,host=a,region=eu usage=1 1704067200000000000\ncpu,host=b,region=us usage=2 1704067200000000000\n"
               "mem,host=c,dc=x free=1 1704067200000000000")


@pytest.mark.parametrize("q,v3_rows,v1_rows", [
    # planner.rs show_tag_values_to_plan: series_limit over [iox::measurement, key] (snapshot show_tag_values_2:
    # "SeriesLimit: series=[iox::measurement, key], order=[value ASC NULLS LAST]"): the limit counts each key's values
    ("SHOW TAG VALUES WITH KEY IN (host, region) LIMIT 1",
     {"cpu": [["host", "a"], ["region", "eu"]], "mem": [["host", "c"]]},
     {"cpu": [["host", "a"]], "mem": [["host", "c"]]}),
    ("SHOW TAG VALUES WITH KEY IN (host, region) OFFSET 1",
     {"cpu": [["host", "b"], ["region", "us"]]},
     {"cpu": [["host", "b"], ["region", "eu"], ["region", "us"]]}),
    ("SHOW TAG VALUES WITH KEY =~ /o/ LIMIT 1 OFFSET 1",
     {"cpu": [["host", "b"], ["region", "us"]]}, {"cpu": [["host", "b"]]}),
    ("SHOW TAG VALUES WITH KEY = host LIMIT 1", {"cpu": [["host", "a"]], "mem": [["host", "c"]]},
     {"cpu": [["host", "a"]], "mem": [["host", "c"]]}),
])
def test_show_tag_values_limits_each_key(v3, v1, q, v3_rows, v1_rows):
    for store, want in ((v3, v3_rows), (v1, v1_rows)):
        assert store.write("two", LP_TWO_KEYS).ok
        (res,) = store.query(q, db="two").to_json()["results"]
        assert {s["name"]: s["values"] for s in res.get("series", [])} == want
    (verdict,) = tsdb_core.Store.check(q)
    assert ("each key's values" in (verdict.note or "")) == (v3_rows != v1_rows)
