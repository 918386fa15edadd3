"""The portability check: Store.check, ``tsdb check`` and the shim's portability warning."""
from __future__ import annotations

import logging
from pathlib import Path

import pytest
from click.testing import CliRunner

import tsdb_core
from tests.dialects.table import ROWS
from tsdb_core.cli import cli

QUERIES = Path(__file__).with_name("queries50.txt")


@pytest.mark.parametrize("q,v3_error,v1_error", ROWS, ids=[r[0][:60] for r in ROWS])
def test_each_table_row_gets_v3s_exact_error(q, v3_error, v1_error):
    (v,) = tsdb_core.Store.check(q)
    assert v.statement == q and v.influxdb3 == v3_error
    assert v.influxdb1 == ("undefined function count_hll()" if "count_hll" in q else None)


@pytest.mark.parametrize("q,way", [
    ("SELECT v FROM cpu GROUP BY host SLIMIT 2",
     "pick the series with a WHERE on their tags: `SELECT v FROM cpu GROUP BY host` plus e.g. WHERE host =~ /^(a|b)$/"),
    ("SELECT mean(v) INTO cpu_1h FROM cpu GROUP BY time(1h)",
     "a scheduled write: run `SELECT mean(v) FROM cpu GROUP BY time(1h)` on a schedule and write its rows to "
     "cpu_1h (a client job or a Processing Engine trigger)"),
    ("SHOW SERIES FROM cpu WHERE host = 'a'",
     "SHOW TAG VALUES FROM cpu WITH KEY =~ /.*/ WHERE host = 'a' (one row per tag value, not per series)"),
    ("SELECT count_hll(v) FROM cpu", "count(distinct(...)) counts exactly"),
    ("CREATE DATABASE x", "not in InfluxQL on InfluxDB 3: use the Cloud Dedicated management API or influxctl "
                          "(influxctl database create)"),
])
def test_the_v3_way(q, way):
    (v,) = tsdb_core.Store.check(q)
    assert v.influxdb3 is not None and v.v3_way == way and not v.portable


def test_portable_and_differing_statements():
    a, b, c, d = tsdb_core.Store.check("SELECT mean(v) FROM cpu GROUP BY time(1m); SHOW TAG VALUES WITH KEY = host; "
                                       "SHOW TAG VALUES WITH KEY = host WHERE time > now() - 1h; SELEC")
    assert a.portable and c.portable
    assert (b.influxdb1, b.influxdb3) == (None, None) and b.note.startswith("InfluxDB 3 reads only the last 24 h")
    assert d.influxdb1.startswith("error parsing query: found SELEC") and "Nom(\"SELEC\", Tag)" in d.influxdb3


def test_tsdb_check_on_a_file_of_50_queries():
    r = CliRunner().invoke(cli, ["check", "--file", str(QUERIES)])
    assert r.exit_code == 1, r.output  # statements fail on InfluxDB 3
    lines = r.output.splitlines()
    assert lines[0].split() == ["#", "InfluxDB", "1.x", "InfluxDB", "3", "statement"]
    rows = {int(line.split()[0]): line.split()[1:3] for line in lines[2:52]}
    assert len(rows) == 50
    assert rows[1] == ["runs", "runs"] and rows[24] == ["runs", "differs"] and rows[30] == ["runs", "fails"]
    assert rows[46] == ["fails", "fails"] and rows[50] == ["fails", "fails"]
    assert lines[2 + 33].endswith('SHOW SERIES FROM "cpu"')
    assert "34. SHOW SERIES FROM \"cpu\"" in r.output
    assert ("   InfluxDB 3 way: SHOW TAG VALUES FROM cpu WITH KEY =~ /.*/ (one row per tag value, not per series)"
            in r.output)
    assert "   InfluxDB 3: datafusion error: rewriting statement\n      caused by\n      This feature is not " \
           "implemented: SLIMIT or SOFFSET" in r.output
    assert lines[-1] == ("50 statements: 24 portable, 5 answered differently by InfluxDB 3, "
                         "21 failing on InfluxDB 3, 2 failing on InfluxDB 1.x")


def test_tsdb_check_one_query():
    r = CliRunner().invoke(cli, ["check", "SELECT mean(v) FROM cpu"])
    assert r.exit_code == 0 and r.output.splitlines()[-1].startswith("1 statements: 1 portable")
    r = CliRunner().invoke(cli, ["check"])
    assert r.exit_code == 1 and "give a QUERY or --file FILE" in r.output


# time_range.rs test_rewrite_time_expression_no_timezone: process_expr("5m - now()") "invalid expression
# \"5m - now()\": unexpected literal '2004-04-09T12:13:14+00:00' for duration expression" (now() as RFC 3339)
# (rewriter.rs: the condition split in the rewriter's "split condition" context, a planning error)
NOW_MESSAGE = ("datafusion error: rewriting statement\ncaused by\nsplit condition\ncaused by\n"
               "Error during planning: invalid expression \"5m - now()\": unexpected "
               "literal '{}' for duration expression")


@pytest.mark.parametrize("now,printed", [
    (1704070800 * 10**9, "2024-01-01T01:00:00+00:00"),
    (1081512794 * 10**9, "2004-04-09T12:13:14+00:00"),  # the instant of time_range.rs's test
])
def test_the_check_reads_now_from_its_caller(now, printed):
    (v,) = tsdb_core.Store.check("SELECT v FROM cpu WHERE time > 5m - now()", now=now)
    assert v.influxdb3 == NOW_MESSAGE.format(printed)
    (again,) = tsdb_core.Store.check("SELECT v FROM cpu WHERE time > 5m - now()", now=now)
    assert again == v  # the same answer whenever it is asked


@pytest.mark.parametrize("flag", ["2004-04-09T12:13:14Z", "2004-04-09T14:13:14+02:00", "1081512794000000000"])
def test_tsdb_check_now_flag(flag):
    r = CliRunner().invoke(cli, ["check", "--now", flag, "SELECT v FROM cpu WHERE time > 5m - now()"])
    assert r.exit_code == 1, r.output
    assert "unexpected literal '2004-04-09T12:13:14+00:00' for duration expression" in r.output


@pytest.mark.parametrize("flag", ["yesterday", "2004-04-09T12:13:14"])  # no offset: which zone is meant?
def test_tsdb_check_refuses_a_now_it_cannot_read(flag):
    r = CliRunner().invoke(cli, ["check", "--now", flag, "SELECT v FROM cpu"])
    assert r.exit_code == 1 and f"invalid --now '{flag}': expected RFC 3339" in r.output


def test_the_cloud_shim_logs_a_portability_warning(caplog):
    from tests.http.conftest import make_client
    from tsdb_http.routes_query import portability_warning

    portability_warning.cache_clear()
    for compat in ("influxdb1", "cloud-dedicated"):
        c = make_client(compat)
        c.post("/write?db=mydb", content=b"cpu,host=a v=1")
        with caplog.at_level(logging.WARNING, logger="tsdb_http"):
            caplog.clear()
            r = c.get("/query", params={"db": "mydb", "q": "SELECT v FROM cpu SLIMIT 1; SELECT v FROM cpu"})
            assert r.status_code == 200
        warnings = [rec.getMessage() for rec in caplog.records if "portability" in rec.getMessage()]
        if compat == "influxdb1":
            assert warnings == []
        else:
            assert warnings == [
                "portability: statement 0 (SELECT v FROM cpu SLIMIT 1) runs differently on InfluxDB 1.x: here "
                "datafusion error: rewriting statement / caused by / This feature is not implemented: SLIMIT or "
                "SOFFSET; InfluxDB 3 way: pick the series with a WHERE on their tags: `SELECT v FROM cpu` plus e.g. "
                "WHERE host =~ /^(a|b)$/"]
            assert "error" in r.json()["results"][0]  # logged, and answered as v3 answers
