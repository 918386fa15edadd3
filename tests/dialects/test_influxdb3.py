"""The influxdb3 dialect: InfluxDB 3's refusals in its words, and its result shapes.

Every expected text is quoted from InfluxDB 3's sources (tests/dialects/table.py names the
file of each; iox = influxdata/influxdb3_core).
"""
from __future__ import annotations

import pytest

import tsdb_core
from tests.dialects.conftest import answer, loaded
from tests.dialects.table import NOW, ROWS
from tsdb_core.testing import ManualClock


@pytest.mark.parametrize("q,v3_error,v1_error", ROWS, ids=[r[0][:60] for r in ROWS])
def test_table_row(v3, q, v3_error, v1_error):
    res = answer(v3, q)
    assert res.get("error") == v3_error, res
    if v3_error is None:
        assert res.get("series") or q.startswith("DELETE"), res


def test_a_parse_error_fails_the_whole_request_at_its_byte_offset(v3):
    # influxdb_influxql_parser/src/lib.rs: "invalid InfluxQL statement at pos 18. Parsing Error: Nom(\"BAD SQL\", Tag)"
    doc = v3.query("SHOW MEASUREMENTS;BAD SQL", db="mydb").to_json()
    assert doc == {"results": [{"statement_id": 0, "error": (
        'error in InfluxQL statement: parsing error: invalid InfluxQL statement at pos 18. '
        'Parsing Error: Nom("BAD SQL", Tag)')}]}
    # positions count UTF-8 bytes: "é" is two
    doc = v3.query("SELECT \"é\" FROM cpu; SHOW SERIES", db="mydb").to_json()
    assert doc["results"][0]["error"].endswith("following SHOW at pos 27")


def test_statements_after_a_failed_one_still_run(v3):
    doc = v3.query("SELECT usage FROM cpu SLIMIT 1; SHOW MEASUREMENTS", db="mydb").to_json()
    first, second = doc["results"]
    assert first["error"].endswith("SLIMIT or SOFFSET")
    assert second["series"] == [{"name": "measurements", "columns": ["name"], "values": [["cpu"], ["gone"]]}]


def test_mistakes_in_statements_v3_parses_but_does_not_run_have_its_words(v3):
    # v3's own words for the SELECT, SHOW, CREATE DATABASE, DROP MEASUREMENT and DELETE mistakes: table_errors.py;
    # drop.rs test_drop_measurement: "invalid DROP MEASUREMENT statement, expected identifier"
    res = answer(v3, "DROP MEASUREMENT")
    assert res["error"] == ("error in InfluxQL statement: parsing error: invalid DROP MEASUREMENT statement, "
                            "expected identifier at pos 16")


def test_times_have_fractions_in_groups_of_three(v3):
    # iox_v1_query_api/src/value.rs: to_rfc3339_opts(SecondsFormat::AutoSi, true)
    res = answer(v3, "SELECT usage FROM cpu")
    assert [v[0] for v in res["series"][0]["values"]] == ["2024-01-01T00:00:00.500Z", "2024-01-01T00:01:00Z"]
    v3.write("mydb", "t v=1 1704067200000001000\nt v=2 1704067200123456789")
    res = answer(v3, "SELECT v FROM t")
    assert [v[0] for v in res["series"][0]["values"]] == ["2024-01-01T00:00:00.000001Z",
                                                          "2024-01-01T00:00:00.123456789Z"]
    assert answer(v3, "SELECT usage FROM cpu", epoch="ms")["series"][0]["values"][0][0] == 1704067200500


def test_show_retention_policies_is_v3s_placeholder(v3):
    # iox_query_influxql/src/plan/planner.rs show_retention_policies_to_plan: "autogen", "0s", "168h0m0s", 1, true
    v3.create_retention_policy("mydb", "day", duration=86400 * 10**9)
    res = answer(v3, "SHOW RETENTION POLICIES ON mydb")
    assert res["series"] == [{"name": "retention_policies",
                              "columns": ["name", "duration", "shardGroupDuration", "replicaN", "default"],
                              "values": [["autogen", "0s", "168h0m0s", 1, True]]}]


@pytest.mark.parametrize("q,name", [
    ("SHOW TAG VALUES WITH KEY = host", "cpu"),
    ("SHOW TAG KEYS WHERE host =~ /./", "cpu"),
    ("SHOW MEASUREMENTS WHERE host =~ /./", "measurements"),
])
def test_metadata_without_a_time_bound_covers_the_last_24_hours(q, name):
    # iox_query/src/config.rs: influxql_metadata_cutoff default MetadataCutoff::Relative(3600 * 24 s)
    with loaded("influxdb3") as store:
        assert answer(store, q)["series"][0]["name"] == name  # points an hour old
        store.clock.advance("23h")
        store.write("mydb", "cpu,host=c usage=3")  # now: 2024-01-02T00:00:00Z
        store.clock.advance("1h30m")  # host a and b's points are now 25 h old, c's 1.5 h
        res = answer(store, q)
        if q.startswith("SHOW TAG VALUES"):
            assert res["series"][0]["values"] == [["host", "c"]]
        else:
            assert res["series"][0]["values"] == ([["host"]] if "KEYS" in q else [["cpu"]])
        store.clock.advance("1d")
        assert "series" not in answer(store, q)
        # a time bound in the WHERE clause replaces the window
        bounded = q + (" WHERE" if "WHERE" not in q else " AND") + " time > '2023-12-31T00:00:00Z'"
        assert answer(store, bounded)["series"]


@pytest.mark.parametrize("bound", [
    "time >= '1677-09-21T00:12:43.145224194Z'",  # the minimum time: still a bound
    "time <= '2262-04-11T23:47:16.854775806Z'",  # the maximum
    "time < now() + 1d",  # an upper bound alone
])
@pytest.mark.parametrize("q", ["SHOW TAG VALUES WITH KEY = host WHERE ", "SHOW TAG KEYS WHERE host =~ /./ AND ",
                               "SHOW MEASUREMENTS WHERE host =~ /./ AND "])
def test_any_time_bound_replaces_the_24_hours(q, bound):
    # influxdb_influxql_parser/src/time_range.rs: a time comparison makes TimeRange.lower or .upper
    # Some(value) whatever the value; iox_query_influxql/src/plan/planner.rs plan_where_clause adds
    # the cutoff only `if time_range.is_unbounded()` (both None)
    with loaded("influxdb3") as store:
        store.clock.advance("30d")
        assert "series" not in answer(store, q.removesuffix(" AND ").removesuffix(" WHERE "))
        res = answer(store, q + bound)
        assert res["series"][0]["values"] == ([["host", "a"], ["host", "b"]] if "VALUES" in q
                                              else [["host"]] if "KEYS" in q else [["cpu"]]), res


def test_show_tag_keys_without_where_reads_the_index(v3):
    v3.clock.advance("30d")
    assert answer(v3, "SHOW TAG KEYS")["series"][0]["values"] == [["host"]]


def test_database_and_retention_policy_name_one_v3_database(v3):
    # iox_query_influxql_rewrite/src/lib.rs resolve_dbrp: db/rp unless rp is autogen or default
    for rp in (None, "", "autogen", "default"):
        assert answer(v3, "SELECT usage FROM cpu", rp=rp)["series"]
    # iox_v1_query_api/src/error.rs: "Database {0} not found"
    assert answer(v3, "SELECT usage FROM cpu", rp="week") == {"statement_id": 0, "error": "Database mydb/week not found"}
    v3.create_retention_policy("mydb", "week", duration=7 * 86400 * 10**9)
    v3.write("mydb", "cpu,host=w usage=9 1704067200000000000", rp="week")
    res = answer(v3, "SELECT usage FROM cpu", rp="week")
    assert res["series"][0]["values"] == [["2024-01-01T00:00:00Z", 9.0]]
    assert answer(v3, "SELECT usage FROM cpu", db="mydb/week")["series"][0]["values"] == [["2024-01-01T00:00:00Z", 9.0]]
    assert answer(v3, "SELECT usage FROM cpu", db="nodb")["error"] == "Database nodb not found"


def test_a_database_is_required(v3):
    # iox_v1_query_api/src/error.rs InfluxqlNoDatabase
    res = v3.query("SHOW MEASUREMENTS").to_json()["results"][0]
    assert res["error"] == "must specify a 'db' parameter, or provide the database in the InfluxQL query"
    assert answer(v3, "SELECT usage FROM mydb.autogen.cpu", db=None)["series"]


def test_prepare_raises_v3s_words_and_execute_runs_them(v3):
    with pytest.raises(tsdb_core.ParseError) as e:
        v3.prepare("SHOW SERIES")
    assert str(e.value).endswith("following SHOW at pos 5")
    prepared = v3.prepare("SELECT usage FROM cpu SLIMIT 1")
    assert v3.execute(prepared, db="mydb").statements[0].error.endswith("SLIMIT or SOFFSET")


def test_the_dialect_is_per_store_and_per_call():
    with tsdb_core.open(clock=ManualClock(NOW)) as store:
        assert store.dialect is tsdb_core.Dialect.INFLUXDB1
        store.write("mydb", "cpu v=1")
        assert store.query("SHOW SERIES", db="mydb").statements[0].error is None
        assert store.query("SHOW SERIES", db="mydb", dialect="influxdb3").statements[0].error.endswith("at pos 5")
    with pytest.raises(tsdb_core.UserError, match="unknown InfluxQL dialect 'influxdb2': expected one of"):
        tsdb_core.open(dialect="influxdb2")


def test_one_database_per_select(v3):
    # iox_query_influxql_rewrite/src/lib.rs Error::MultiDatabase "can only perform queries on a single database"
    doc = v3.query("SELECT usage FROM cpu, mydb.autogen.cpu; SHOW MEASUREMENTS", db="mydb").to_json()
    assert doc == {"results": [{"statement_id": 0, "error": (
        "error in InfluxQL statement: can only perform queries on a single database")}]}
    assert answer(v3, "SELECT usage FROM mydb.autogen.cpu, mydb.autogen.gone")["series"]
