"""tz('...') in the influxdb3 dialect: v3 reads a WHERE clause's timestamp strings in the zone.

v3's rewriter folds a SELECT's time comparisons with the statement's zone (rewriter.rs:
``ReduceContext { now, tz: stmt.timezone }``); a SHOW's with none (planner.rs plan_where_clause:
``tz: None``). timestamp.rs parse_timestamp reads a time without offset as the zone's wall
clock (``tz.from_local_datetime(..).earliest()``: none for a time a clock change skips) and
keeps the zone's offset, which v3's messages print.
"""
from __future__ import annotations

import pytest

from tsdb_core.influxql.ast import expr as A
from tsdb_core.influxql.dialects import timerange3

HOBART, NEW_YORK = "Australia/Hobart", "America/New_York"


@pytest.mark.parametrize("text,tz,shown", [
    # influxdb_influxql_parser/src/timestamp.rs test_parse_timestamp: parse_timestamp(s, tz).to_string()
    ("2004-04-09 10:30:45.123456789", None, "2004-04-09 10:30:45.123456789 +00:00"),
    ("2004-04-09 10:30:45.1234567", None, "2004-04-09 10:30:45.123456700 +00:00"),
    ("2004-04-09 10:30:45.123456", None, "2004-04-09 10:30:45.123456 +00:00"),
    ("2004-04-09 10:30:45", None, "2004-04-09 10:30:45 +00:00"),
    ("2004-04-09T10:30:45.123456789Z", None, "2004-04-09 10:30:45.123456789 +00:00"),
    ("2004-04-09T10:30:45.123456789+10:00", None, "2004-04-09 00:30:45.123456789 +00:00"),
    ("2004-04-09T10:30:45.123456789-05:00", None, "2004-04-09 15:30:45.123456789 +00:00"),
    ("2004-04-09", None, "2004-04-09 00:00:00 +00:00"),
    ("2004-04-09 10:30:45.123456789", HOBART, "2004-04-09 10:30:45.123456789 +10:00"),
    ("2004-04-09 10:30:45.123456789", NEW_YORK, "2004-04-09 10:30:45.123456789 -04:00"),
    ("2004-04-09 10:30:45.1234567", HOBART, "2004-04-09 10:30:45.123456700 +10:00"),
    ("2004-04-09 10:30:45.123456", HOBART, "2004-04-09 10:30:45.123456 +10:00"),
    ("2004-04-09 10:30:45", HOBART, "2004-04-09 10:30:45 +10:00"),
    ("2004-04-09 00:00:00", HOBART, "2004-04-09 00:00:00 +10:00"),
    ("2004-04-09T10:30:45.123456789Z", HOBART, "2004-04-09 20:30:45.123456789 +10:00"),
    ("2004-04-09T10:30:45.123456789+10:00", HOBART, "2004-04-09 10:30:45.123456789 +10:00"),
    ("2004-04-09T10:30:45.123456789-05:00", HOBART, "2004-04-10 01:30:45.123456789 +10:00"),
    ("2004-04-09", HOBART, "2004-04-09 00:00:00 +10:00"),
])
def test_timestamps_are_read_as_v3_reads_them(text, tz, shown):
    ns, offset = timerange3.parse_timestamp(text, tz)
    assert timerange3._chrono(ns, offset) == shown


@pytest.mark.parametrize("text,shown", [
    # time_range.rs test_rewrite_time_expression_with_timezone (tz: Australia::Hobart): expr.to_string()
    ("2004-04-09 10:05:00.123456789", "2004-04-09T10:05:00.123456789+10:00"),
    ("2004-04-09", "2004-04-09T00:00:00+10:00"),
    ("2004-04-09T10:05:00.123456789Z", "2004-04-09T20:05:00.123456789+10:00"),
])
def test_a_folded_timestamp_prints_in_the_zone(text, shown):
    ts = timerange3._reduce_time(A.StringLiteral(text), 0, HOBART)
    assert timerange3._show(("ts", ts)) == shown


def test_the_same_string_is_another_instant_in_another_zone():
    utc, _ = timerange3.parse_timestamp("2004-04-09 10:30:45", None)
    hobart, _ = timerange3.parse_timestamp("2004-04-09 10:30:45", HOBART)
    assert utc - hobart == 10 * 3600 * 10**9


SPLIT = "datafusion error: rewriting statement\ncaused by\nsplit condition\ncaused by\nError during planning: "


@pytest.mark.parametrize("q,message", [
    # New York skipped 02:00-03:00 on 2024-03-10: chrono's earliest() finds no such wall time
    ("SELECT usage FROM cpu WHERE time >= '2024-03-10 02:30:00' tz('America/New_York')",
     """invalid expression "'2024-03-10 02:30:00'": '2024-03-10 02:30:00' is not a valid timestamp"""),
    # the same string without tz is UTC, a valid timestamp: the query runs
    ("SELECT usage FROM cpu WHERE time >= '2024-03-10 02:30:00'", None),
    # a timestamp read in the zone keeps its offset (Hobart: +11:00 in January), in v3's literal Display
    ("SELECT usage FROM cpu WHERE time > 5m - '2024-01-01 10:00:00' tz('Australia/Hobart')",
     """invalid expression "5m - '2024-01-01 10:00:00'": unexpected literal '2024-01-01T10:00:00+11:00' """
     "for duration expression"),
    ("SELECT usage FROM cpu WHERE time > 5m - '2024-01-01 10:00:00'",
     """invalid expression "5m - '2024-01-01 10:00:00'": unexpected literal '2024-01-01T10:00:00+00:00' """
     "for duration expression"),
    # now() is UTC whatever the zone (rewriter.rs: now from the query's start time)
    ("SELECT usage FROM cpu WHERE time > 5m - now() tz('Australia/Hobart')",
     """invalid expression "5m - now()": unexpected literal '2024-01-01T01:00:00+00:00' for duration expression"""),
    # the fraction as chrono's to_rfc3339 prints it: 3, 6 or 9 digits
    ("SELECT usage FROM cpu WHERE time > 5m - '2024-01-01 10:00:00.5' tz('Australia/Hobart')",
     """invalid expression "5m - '2024-01-01 10:00:00.5'": unexpected literal '2024-01-01T10:00:00.500+11:00' """
     "for duration expression"),
])
def test_v3_reads_where_strings_in_the_statements_zone(v3, v1, q, message):
    (res,) = v3.query(q, db="mydb").to_json()["results"]
    assert res.get("error") == (SPLIT + message if message else None)
    # 1.x: a duration minus a time is not folded, and time is refused beside the expression left
    # (influxd 1.6.7, asked); the other statements run
    v1_error = "invalid operation: time and *influxql.BinaryExpr are not compatible" if "> 5m - " in q else None
    assert v1.query(q, db="mydb").to_json()["results"][0].get("error") == v1_error


def test_the_zone_moves_the_range_of_data(v3, v1):
    # 2024-01-01 11:00:00.5 in Hobart (+11:00) is 00:00:00.5Z, the first point's time
    q = "SELECT usage FROM cpu WHERE time >= '2024-01-01 11:00:00.5' AND time < '2024-01-01 11:01:00' tz('Australia/Hobart')"
    for store in (v3, v1):
        (res,) = store.query(q, db="mydb", epoch="ms").to_json()["results"]
        assert res["series"][0]["values"] == [[1704067200500, 1.5]]


def test_a_show_reads_its_strings_in_utc(v3):
    # planner.rs plan_where_clause: ReduceContext { tz: None } (SHOW has no tz clause)
    (res,) = v3.query("SHOW TAG KEYS WHERE time > 5m - '2024-01-01 10:00:00'", db="mydb").to_json()["results"]
    assert res["error"] == ("datafusion error: Error during planning: invalid expression \"5m - '2024-01-01 "
                            "10:00:00'\": unexpected literal '2024-01-01T10:00:00+00:00' for duration expression")
