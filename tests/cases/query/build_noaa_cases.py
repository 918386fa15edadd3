"""Record InfluxDB 1.6.7's answers to the NOAA query table into noaa.json.

Run against an influxd holding data/NOAA_water_database.txt.gz in database
NOAA_water_database:  ``python tests/cases/query/build_noaa_cases.py http://127.0.0.1:18186``
(``--v1diff`` records v1diff.json, v1diff_noaa.json and v1sweep.json alone; the last two read the NOAA data).
Tests never need influxd: they read the recorded noaa.json.
Each case: {"query", "db", "epoch", "expected"}; queries are literal (test id = query).
"""
from __future__ import annotations

import json
import sys
import urllib.parse
import urllib.request
from pathlib import Path

DB = "NOAA_water_database"
T1 = "time >= '2019-08-18T00:00:00Z' AND time <= '2019-08-18T00:30:00Z'"
T2 = "time >= '2019-08-18T00:00:00Z' AND time < '2019-08-18T03:00:00Z'"
T3 = "time >= '2019-08-17T00:00:00Z' AND time < '2019-08-20T00:00:00Z'"
T4 = "time >= '2019-08-18T00:00:00Z' AND time <= '2019-08-18T01:00:00Z'"
LOC = "location = 'santa_monica'"

QUERIES: list[str | tuple[str, dict]] = [
    # -- raw selects --------------------------------------------------------
    f"SELECT * FROM h2o_feet WHERE {T1}",
    f"SELECT water_level FROM h2o_feet WHERE {T1}",
    f'SELECT "level description",location,water_level FROM h2o_feet WHERE {T1}',
    f"SELECT water_level, location FROM h2o_feet WHERE {LOC} AND {T1}",
    f"SELECT location FROM h2o_feet WHERE {T1}",
    f"SELECT water_level::field, location::tag FROM h2o_feet WHERE {T1}",
    f"SELECT *::field FROM h2o_feet WHERE {T1}",
    f"SELECT *::tag FROM h2o_feet WHERE {T1}",
    f"SELECT water_level::integer FROM h2o_feet WHERE {T1}",
    f"SELECT water_level::float FROM h2o_feet WHERE {T1}",
    f"SELECT degrees::float FROM h2o_temperature WHERE {T1}",
    f"SELECT degrees::integer FROM h2o_temperature WHERE {T1}",
    f'SELECT "level description"::integer FROM h2o_feet WHERE {T1}',
    f"SELECT * FROM h2o_quality WHERE {T1}",
    f"SELECT index, randtag FROM h2o_quality WHERE {T1} AND randtag = '2'",
    f"SELECT * FROM h2o_feet, h2o_pH WHERE {T1}",
    f"SELECT * FROM /^h2o_p/ WHERE {T1}",
    f"SELECT * FROM /temperature/ WHERE {T1} AND location = 'coyote_creek'",
    f'SELECT * FROM "NOAA_water_database"."autogen"."h2o_feet" WHERE {T1}',
    f'SELECT * FROM "NOAA_water_database".."h2o_feet" WHERE {T1}',
    f"SELECT water_level FROM h2o_feet WHERE {T1} ORDER BY time DESC",
    f"SELECT water_level FROM h2o_feet WHERE {T1} LIMIT 3",
    f"SELECT water_level FROM h2o_feet WHERE {T1} LIMIT 3 OFFSET 2",
    f"SELECT water_level FROM h2o_feet WHERE {T1} GROUP BY location LIMIT 2",
    f"SELECT water_level FROM h2o_feet WHERE {T1} GROUP BY * LIMIT 2 OFFSET 1",
    f"SELECT water_level FROM h2o_feet WHERE {T1} GROUP BY * SLIMIT 1",
    f"SELECT water_level FROM h2o_feet WHERE {T1} GROUP BY * SLIMIT 1 SOFFSET 1",
    f"SELECT water_level FROM h2o_feet WHERE {T1} GROUP BY * ORDER BY time DESC LIMIT 2",
    f"SELECT water_level FROM h2o_feet WHERE {T1} GROUP BY /loc/",
    f"SELECT * FROM h2o_quality WHERE {T1} GROUP BY randtag",
    f"SELECT index FROM h2o_quality WHERE {T1} GROUP BY location, randtag",
    f"SELECT water_level FROM h2o_feet WHERE {T1} GROUP BY nosuchtag",
    # -- WHERE ---------------------------------------------------------------
    f"SELECT water_level FROM h2o_feet WHERE water_level > 8 AND {T2}",
    f"SELECT water_level FROM h2o_feet WHERE water_level >= 8.5 OR water_level < 0.5 AND {T2}",
    f"SELECT water_level FROM h2o_feet WHERE (water_level >= 8.5 OR water_level < 0.5) AND {T2}",
    f"SELECT * FROM h2o_feet WHERE \"level description\" = 'below 3 feet' AND {T2}",
    f"SELECT * FROM h2o_feet WHERE \"level description\" != 'below 3 feet' AND {T1}",
    f"SELECT * FROM h2o_feet WHERE \"level description\" =~ /between/ AND {T1}",
    f"SELECT * FROM h2o_feet WHERE \"level description\" !~ /between/ AND {T2}",
    f"SELECT water_level FROM h2o_feet WHERE location <> 'santa_monica' AND {T1}",
    f"SELECT water_level FROM h2o_feet WHERE location =~ /^santa/ AND {T1}",
    f"SELECT water_level FROM h2o_feet WHERE location !~ /^santa/ AND {T1}",
    f"SELECT water_level FROM h2o_feet WHERE location = 'coyote_creek' OR location = 'santa_monica' AND {T1}",
    f"SELECT water_level FROM h2o_feet WHERE (location = 'coyote_creek' OR location = 'santa_monica') AND {T1}",
    f"SELECT water_level FROM h2o_feet WHERE location = 'nowhere' AND {T1}",
    f"SELECT water_level FROM h2o_feet WHERE water_level + 2 > 10 AND {T2}",
    f"SELECT water_level FROM h2o_feet WHERE water_level * 2 - 1 < 0 AND {T2}",
    f"SELECT index FROM h2o_quality WHERE index % 2 = 0 AND {T1}",
    f"SELECT index FROM h2o_quality WHERE randtag = '1' AND index > 50 AND {T2}",
    f"SELECT water_level FROM h2o_feet WHERE time > '2019-08-18T00:00:00Z' AND time < '2019-08-18T00:20:00Z'",
    "SELECT water_level FROM h2o_feet WHERE time >= '2019-08-18 00:00:00' AND time <= '2019-08-18 00:12:00'",
    "SELECT water_level FROM h2o_feet WHERE time >= '2019-08-18' AND time <= '2019-08-18T00:12:00Z'",
    "SELECT water_level FROM h2o_feet WHERE time >= 1566086400000000000 AND time <= 1566087120000000000",
    "SELECT water_level FROM h2o_feet WHERE time >= 1566086400s AND time <= 1566087120s",
    "SELECT water_level FROM h2o_feet WHERE time >= 1566086400000ms AND time <= 1566087120000ms",
    "SELECT water_level FROM h2o_feet WHERE time >= '2019-08-18T00:00:00Z' AND time <= '2019-08-18T00:00:00Z' + 12m",
    "SELECT water_level FROM h2o_feet WHERE time >= '2019-08-18T00:30:00Z' - 18m AND time <= '2019-08-18T00:30:00Z'",
    "SELECT water_level FROM h2o_feet WHERE time = '2019-08-18T00:12:00Z'",
    "SELECT water_level FROM h2o_feet WHERE time > now() - 1h",
    "SELECT water_level FROM h2o_feet WHERE time >= '2019-09-17T21:30:00Z'",
    "SELECT water_level FROM h2o_feet WHERE time < '2019-08-17T00:12:00Z'",
    "SELECT water_level FROM h2o_feet WHERE time >= '2019-08-18T00:00:00Z' OR time <= '2019-08-18T00:12:00Z'",
    f"SELECT water_level FROM h2o_feet WHERE {T1} AND water_level = 4.242",
    f"SELECT water_level FROM h2o_feet WHERE {T1} AND nosuchfield > 1",
    f"SELECT nosuchfield FROM h2o_feet WHERE {T1}",
    f"SELECT water_level, nosuchfield FROM h2o_feet WHERE {T1}",
    f"SELECT water_level FROM nosuchmeasurement WHERE {T1}",
    # -- math ------------------------------------------------------------------
    f"SELECT water_level * 2 + 4 FROM h2o_feet WHERE {T1} AND {LOC}",
    f"SELECT (water_level + 2) * 3 FROM h2o_feet WHERE {T1} AND {LOC}",
    f'SELECT water_level / 2 AS "half", water_level - 1 FROM h2o_feet WHERE {T1} AND {LOC}',
    f"SELECT water_level % 2 FROM h2o_feet WHERE {T1} AND {LOC}",
    f"SELECT index / 2, index % 3, index * 2 FROM h2o_quality WHERE {T1} AND location = 'coyote_creek'",
    f"SELECT index & 3, index | 8, index ^ 5 FROM h2o_quality WHERE {T1} AND location = 'coyote_creek'",
    f"SELECT water_level + water_level FROM h2o_feet WHERE {T1} AND {LOC}",
    f"SELECT - water_level FROM h2o_feet WHERE {T1} AND {LOC}",
    f"SELECT 1 / 0 + water_level FROM h2o_feet WHERE {T1} AND {LOC}",
    f"SELECT water_level / 0 FROM h2o_feet WHERE {T1} AND {LOC}",
    f"SELECT water_level AS wl FROM h2o_feet WHERE {T1} AND {LOC}",
    f'SELECT "level description" + \'x\' FROM h2o_feet WHERE {T1} AND {LOC}',
    # -- aggregates -------------------------------------------------------------
    f"SELECT count(water_level) FROM h2o_feet WHERE {T3}",
    f"SELECT count(*) FROM h2o_feet WHERE {T3}",
    f'SELECT count("level description") FROM h2o_feet WHERE {T3}',
    f"SELECT count(distinct(\"level description\")) FROM h2o_feet WHERE {T3}",
    f"SELECT count(DISTINCT index) FROM h2o_quality WHERE {T3}",
    f"SELECT distinct(\"level description\") FROM h2o_feet WHERE {T3}",
    f"SELECT distinct(index) FROM h2o_quality WHERE {T1} GROUP BY location",
    f"SELECT mean(water_level) FROM h2o_feet WHERE {T3}",
    f"SELECT mean(*) FROM h2o_feet WHERE {T3}",
    f"SELECT mean(water_level) FROM h2o_feet WHERE {T3} GROUP BY location",
    f"SELECT mean(index) FROM h2o_quality WHERE {T3} GROUP BY *",
    f"SELECT median(water_level) FROM h2o_feet WHERE {T3}",
    f"SELECT median(index) FROM h2o_quality WHERE {T1} GROUP BY location",
    f"SELECT mode(water_level) FROM h2o_feet WHERE {T3}",
    f'SELECT mode("level description") FROM h2o_feet WHERE {T3} GROUP BY location',
    f"SELECT mode(index) FROM h2o_quality WHERE {T3} GROUP BY location",
    f"SELECT spread(water_level) FROM h2o_feet WHERE {T3}",
    f"SELECT spread(index) FROM h2o_quality WHERE {T3} GROUP BY location",
    f"SELECT stddev(water_level) FROM h2o_feet WHERE {T3}",
    f"SELECT stddev(index) FROM h2o_quality WHERE {T1} GROUP BY location",
    f"SELECT sum(water_level) FROM h2o_feet WHERE {T3}",
    f"SELECT sum(index) FROM h2o_quality WHERE {T3} GROUP BY location",
    f"SELECT integral(water_level) FROM h2o_feet WHERE {T1} AND {LOC}",
    f"SELECT integral(water_level, 1m) FROM h2o_feet WHERE {T1} AND {LOC}",
    f"SELECT integral(water_level, 1h) FROM h2o_feet WHERE {T2} GROUP BY time(1h), location",
    f"SELECT integral(*) FROM h2o_feet WHERE {T1}",
    f"SELECT count(water_level), mean(water_level), sum(water_level) FROM h2o_feet WHERE {T3} GROUP BY location",
    f"SELECT mean(water_level) * 2, max(water_level) - min(water_level) FROM h2o_feet WHERE {T3}",
    f"SELECT mean(water_level * 2) FROM h2o_feet WHERE {T3}",
    f"SELECT sum(water_level + 1) FROM h2o_feet WHERE {T1} GROUP BY location",
    f"SELECT mean(water_level) AS avg FROM h2o_feet WHERE {T3}",
    f"SELECT mean(nosuchfield) FROM h2o_feet WHERE {T3}",
    f"SELECT sum(\"level description\") FROM h2o_feet WHERE {T3}",
    f"SELECT count(water_level) FROM h2o_feet WHERE {T3} AND water_level > 9",
    f"SELECT mean(/water/) FROM h2o_feet WHERE {T3}",
    f"SELECT max(/water|level/) FROM h2o_feet WHERE {T3}",
    f"SELECT count(*) FROM /h2o_(feet|pH)/ WHERE {T3}",
    f"SELECT mean(degrees) FROM h2o_temperature, average_temperature WHERE {T3} GROUP BY location",
    # -- selectors ----------------------------------------------------------------
    f"SELECT max(water_level) FROM h2o_feet WHERE {T3}",
    f"SELECT max(water_level) FROM h2o_feet WHERE {T3} GROUP BY location",
    f"SELECT max(water_level), location FROM h2o_feet WHERE {T3}",
    f'SELECT max(water_level), "level description" FROM h2o_feet WHERE {T3}',
    f"SELECT min(water_level) FROM h2o_feet WHERE {T3}",
    f"SELECT min(index) FROM h2o_quality WHERE {T3} GROUP BY location",
    f"SELECT max(water_level), min(water_level) FROM h2o_feet WHERE {T3}",
    f"SELECT first(water_level) FROM h2o_feet WHERE {T3}",
    f'SELECT first("level description") FROM h2o_feet WHERE {T3} GROUP BY location',
    f"SELECT last(water_level) FROM h2o_feet WHERE {T3}",
    f"SELECT last(*) FROM h2o_feet WHERE {T3} GROUP BY location",
    f"SELECT first(*) FROM h2o_quality WHERE {T3}",
    f"SELECT max(*) FROM h2o_feet WHERE {T3}",
    f"SELECT percentile(water_level, 5) FROM h2o_feet WHERE {T3}",
    f"SELECT percentile(water_level, 50) FROM h2o_feet WHERE {T3} GROUP BY location",
    f"SELECT percentile(water_level, 95.5) FROM h2o_feet WHERE {T3}",
    f"SELECT percentile(water_level, 100) FROM h2o_feet WHERE {T1}",
    f"SELECT percentile(water_level, 0) FROM h2o_feet WHERE {T1}",
    f"SELECT percentile(index, 20), percentile(index, 80) FROM h2o_quality WHERE {T3} GROUP BY location",
    f"SELECT top(water_level, 3) FROM h2o_feet WHERE {T3}",
    f"SELECT top(water_level, location, 2) FROM h2o_feet WHERE {T3}",
    f"SELECT top(water_level, 2) FROM h2o_feet WHERE {T3} GROUP BY location",
    f"SELECT top(index, 3), location FROM h2o_quality WHERE {T1}",
    f"SELECT top(index, randtag, 3) FROM h2o_quality WHERE {T2}",
    f"SELECT top(index, location, randtag, 3) FROM h2o_quality WHERE {T2}",
    f"SELECT top(water_level, 2) FROM h2o_feet WHERE {T2} GROUP BY time(1h)",
    f"SELECT top(water_level, 3) FROM h2o_feet WHERE {T1} ORDER BY time DESC",
    f"SELECT bottom(water_level, 3) FROM h2o_feet WHERE {T3}",
    f"SELECT bottom(water_level, location, 2) FROM h2o_feet WHERE {T3}",
    f"SELECT bottom(index, 2) FROM h2o_quality WHERE {T2} GROUP BY location",
    f"SELECT bottom(water_level, 2) FROM h2o_feet WHERE {T2} GROUP BY time(1h), location",
    f"SELECT top(water_level, 100) FROM h2o_feet WHERE {T1} AND {LOC}",
    f"SELECT sample(water_level, 2) FROM h2o_feet WHERE {T1} AND {LOC} AND water_level > 100",
    f"SELECT max(water_level) FROM h2o_feet WHERE {T2} GROUP BY time(30m), location",
    f"SELECT first(water_level), last(water_level) FROM h2o_feet WHERE {T2} GROUP BY time(1h)",
    f"SELECT min(water_level), max(water_level), mean(water_level) FROM h2o_feet WHERE {T2} GROUP BY time(1h), location",
    f"SELECT max(water_level) * 2 FROM h2o_feet WHERE {T3}",
    # -- GROUP BY time -------------------------------------------------------------
    f"SELECT count(water_level) FROM h2o_feet WHERE {T4} GROUP BY time(12m)",
    f"SELECT count(water_level) FROM h2o_feet WHERE {T4} GROUP BY time(12m), location",
    f"SELECT mean(water_level) FROM h2o_feet WHERE {T4} GROUP BY time(18m)",
    f"SELECT mean(water_level) FROM h2o_feet WHERE {T4} GROUP BY time(18m, 6m)",
    f"SELECT mean(water_level) FROM h2o_feet WHERE {T4} GROUP BY time(18m, -12m)",
    f"SELECT mean(water_level) FROM h2o_feet WHERE {T4} GROUP BY time(7m)",
    "SELECT count(water_level) FROM h2o_feet WHERE time >= '2019-08-18T00:06:00Z' AND time < '2019-08-18T00:54:00Z' GROUP BY time(12m)",
    "SELECT count(water_level) FROM h2o_feet WHERE location='coyote_creek' AND time >= '2019-08-18T00:06:00Z' AND time < '2019-08-18T00:54:00Z' GROUP BY time(12m, 6m)",
    f"SELECT mean(water_level) FROM h2o_feet WHERE {T3} GROUP BY time(1d)",
    f"SELECT mean(water_level) FROM h2o_feet WHERE {T3} GROUP BY time(1d, 6h), location",
    "SELECT count(water_level) FROM h2o_feet WHERE time >= '2019-08-15T00:00:00Z' AND time < '2019-09-30T00:00:00Z' GROUP BY time(1w)",
    f"SELECT sum(index) FROM h2o_quality WHERE {T4} GROUP BY time(20m), randtag",
    f"SELECT mean(water_level) FROM h2o_feet WHERE {T4} GROUP BY time(12m) ORDER BY time DESC",
    f"SELECT mean(water_level) FROM h2o_feet WHERE {T4} GROUP BY time(12m) LIMIT 2",
    f"SELECT mean(water_level) FROM h2o_feet WHERE {T4} GROUP BY time(12m) LIMIT 2 OFFSET 3",
    f"SELECT mean(water_level) FROM h2o_feet WHERE {T4} GROUP BY time(12m), * SLIMIT 1",
    f"SELECT mean(water_level) FROM h2o_feet WHERE {T4} GROUP BY time(12m), * SLIMIT 1 SOFFSET 1",
    f"SELECT mean(water_level) FROM h2o_feet WHERE {T4} AND location = 'nowhere' GROUP BY time(12m)",
    "SELECT mean(water_level) FROM h2o_feet WHERE time >= '2019-09-17T21:00:00Z' AND time <= '2019-09-17T23:00:00Z' GROUP BY time(30m)",
    "SELECT mean(water_level) FROM h2o_feet WHERE time >= '2019-08-16T22:00:00Z' AND time <= '2019-08-17T01:00:00Z' GROUP BY time(30m)",
    # -- fill --------------------------------------------------------------------
    "SELECT mean(water_level) FROM h2o_feet WHERE time >= '2019-09-17T21:00:00Z' AND time <= '2019-09-17T23:00:00Z' GROUP BY time(30m) fill(null)",
    "SELECT mean(water_level) FROM h2o_feet WHERE time >= '2019-09-17T21:00:00Z' AND time <= '2019-09-17T23:00:00Z' GROUP BY time(30m) fill(none)",
    "SELECT mean(water_level) FROM h2o_feet WHERE time >= '2019-09-17T21:00:00Z' AND time <= '2019-09-17T23:00:00Z' GROUP BY time(30m) fill(0)",
    "SELECT mean(water_level) FROM h2o_feet WHERE time >= '2019-09-17T21:00:00Z' AND time <= '2019-09-17T23:00:00Z' GROUP BY time(30m) fill(-1.5)",
    "SELECT mean(water_level) FROM h2o_feet WHERE time >= '2019-09-17T21:00:00Z' AND time <= '2019-09-17T23:00:00Z' GROUP BY time(30m) fill(previous)",
    "SELECT mean(water_level) FROM h2o_feet WHERE time >= '2019-09-17T21:00:00Z' AND time <= '2019-09-17T23:00:00Z' GROUP BY time(30m) fill(linear)",
    "SELECT count(water_level) FROM h2o_feet WHERE time >= '2019-09-17T21:00:00Z' AND time <= '2019-09-17T23:00:00Z' GROUP BY time(30m)",
    "SELECT count(water_level) FROM h2o_feet WHERE time >= '2019-09-17T21:00:00Z' AND time <= '2019-09-17T23:00:00Z' GROUP BY time(30m) fill(null)",
    "SELECT count(water_level) FROM h2o_feet WHERE time >= '2019-09-17T21:00:00Z' AND time <= '2019-09-17T23:00:00Z' GROUP BY time(30m) fill(7)",
    "SELECT max(water_level), count(water_level) FROM h2o_feet WHERE time >= '2019-09-17T21:00:00Z' AND time <= '2019-09-17T23:00:00Z' GROUP BY time(30m) fill(previous)",
    f"SELECT mean(water_level) FROM h2o_feet WHERE {T4} AND water_level > 8 GROUP BY time(6m), location fill(linear)",
    f"SELECT mean(water_level) FROM h2o_feet WHERE {T4} AND water_level > 8 GROUP BY time(6m), location fill(previous)",
    f"SELECT mean(water_level) FROM h2o_feet WHERE {T4} AND water_level > 8 GROUP BY time(6m), location fill(100)",
    f"SELECT mean(water_level) FROM h2o_feet WHERE {T4} AND water_level > 8 GROUP BY time(6m), location fill(none)",
    f"SELECT mean(index) FROM h2o_quality WHERE {T4} AND index > 80 GROUP BY time(12m) fill(linear)",
    "SELECT mean(water_level) FROM h2o_feet WHERE time >= '2019-09-17T21:00:00Z' AND time <= '2019-09-17T23:00:00Z' GROUP BY time(30m) fill(previous) ORDER BY time DESC",
    # -- tz ----------------------------------------------------------------------
    f"SELECT water_level FROM h2o_feet WHERE {LOC} AND {T1} tz('America/Chicago')",
    f"SELECT mean(water_level) FROM h2o_feet WHERE {T3} GROUP BY time(1d) tz('America/Chicago')",
    f"SELECT max(water_level) FROM h2o_feet WHERE {T3} tz('Asia/Kolkata')",
    "SELECT count(water_level) FROM h2o_feet WHERE time >= '2019-08-17T00:00:00Z' AND time < '2019-09-17T00:00:00Z' GROUP BY time(1w) tz('Europe/Paris')",
    f"SELECT mean(water_level) FROM h2o_feet WHERE {T2} GROUP BY time(1h) tz('Asia/Kolkata')",
    # -- multiple statements ----------------------------------------------------------
    f"SELECT mean(water_level) FROM h2o_feet WHERE {T3}; SELECT max(index) FROM h2o_quality WHERE {T3}",
    f"SELECT count(water_level) FROM h2o_feet WHERE {T3}; SELECT * FROM nosuch; SELECT max(water_level) FROM h2o_feet WHERE {T3}",
    # -- epoch ------------------------------------------------------------------------
    (f"SELECT water_level FROM h2o_feet WHERE {T1} AND {LOC}", {"epoch": "s"}),
    (f"SELECT water_level FROM h2o_feet WHERE {T1} AND {LOC}", {"epoch": "ms"}),
    (f"SELECT water_level FROM h2o_feet WHERE {T1} AND {LOC}", {"epoch": "ns"}),
    (f"SELECT water_level FROM h2o_feet WHERE {T1} AND {LOC}", {"epoch": "h"}),
    (f"SELECT mean(water_level) FROM h2o_feet WHERE {T4} GROUP BY time(12m)", {"epoch": "m"}),
    (f"SELECT mean(water_level) FROM h2o_feet WHERE {T4} GROUP BY time(12m)", {"epoch": "u"}),
    # -- subqueries -------------------------------------------------------------------
    f"SELECT SUM(max) FROM (SELECT MAX(water_level) FROM h2o_feet WHERE {T3} GROUP BY location)",
    f"SELECT MEAN(difference) FROM (SELECT difference(water_level) FROM h2o_feet WHERE {T1} AND {LOC})",
    f"SELECT max(mean) FROM (SELECT mean(water_level) FROM h2o_feet WHERE {T3} GROUP BY time(1h), location) GROUP BY location",
    f"SELECT mean FROM (SELECT mean(water_level) FROM h2o_feet WHERE {T3} GROUP BY time(1d))",
    f"SELECT * FROM (SELECT water_level, location FROM h2o_feet WHERE {T1}) WHERE location = 'coyote_creek'",
    f"SELECT water_level FROM (SELECT * FROM h2o_feet WHERE {T1}) WHERE water_level > 5",
    f"SELECT count(water_level) FROM (SELECT * FROM h2o_feet WHERE {T3}) GROUP BY location",
    f"SELECT mean(wl) FROM (SELECT water_level * 2 AS wl FROM h2o_feet WHERE {T1})",
    f"SELECT sum(total) FROM (SELECT count(index) AS total FROM h2o_quality WHERE {T3} GROUP BY time(1d), randtag) WHERE {T3} GROUP BY time(1d)",
    f"SELECT max(total) FROM (SELECT sum(index) AS total FROM h2o_quality WHERE {T3} GROUP BY location) ",
    # -- transformations -----------------------------------------------------------------
    f"SELECT derivative(water_level) FROM h2o_feet WHERE {T1} AND {LOC}",
    f"SELECT derivative(water_level, 6m) FROM h2o_feet WHERE {T1} AND {LOC}",
    f"SELECT derivative(mean(water_level), 6m) FROM h2o_feet WHERE {T4} GROUP BY time(12m)",
    f"SELECT non_negative_derivative(water_level) FROM h2o_feet WHERE {T1} AND {LOC}",
    f"SELECT difference(water_level) FROM h2o_feet WHERE {T1} AND {LOC}",
    f"SELECT difference(max(water_level)) FROM h2o_feet WHERE {T4} GROUP BY time(12m)",
    f"SELECT non_negative_difference(water_level) FROM h2o_feet WHERE {T1} AND {LOC}",
    f"SELECT moving_average(water_level, 2) FROM h2o_feet WHERE {T1} AND {LOC}",
    f"SELECT moving_average(max(water_level), 2) FROM h2o_feet WHERE {T4} GROUP BY time(12m)",
    f"SELECT cumulative_sum(water_level) FROM h2o_feet WHERE {T1} AND {LOC}",
    f"SELECT cumulative_sum(mean(water_level)) FROM h2o_feet WHERE {T4} GROUP BY time(12m)",
    f"SELECT elapsed(water_level) FROM h2o_feet WHERE {T1} AND {LOC}",
    f"SELECT elapsed(water_level, 1m) FROM h2o_feet WHERE {T1} AND {LOC}",
    f"SELECT abs(water_level), ceil(water_level), floor(water_level), round(water_level) FROM h2o_feet WHERE {T1} AND {LOC}",
    f"SELECT sqrt(water_level), exp(water_level), ln(water_level), log2(water_level), log10(water_level) FROM h2o_feet WHERE {T1} AND {LOC}",
    f"SELECT log(water_level, 4), pow(water_level, 2) FROM h2o_feet WHERE {T1} AND {LOC}",
    f"SELECT sin(water_level), cos(water_level), tan(water_level) FROM h2o_feet WHERE {T1} AND {LOC}",
    f"SELECT asin(water_level / 10), acos(water_level / 10), atan(water_level), atan2(water_level, 2) FROM h2o_feet WHERE {T1} AND {LOC}",
    f"SELECT abs(mean(water_level)) FROM h2o_feet WHERE {T4} GROUP BY time(12m)",
    f"SELECT round(mean(water_level) * 100) / 100 FROM h2o_feet WHERE {T3} GROUP BY location",
    f"SELECT derivative(water_level) FROM h2o_feet WHERE {T1} GROUP BY location",
    f"SELECT difference(water_level) FROM h2o_feet WHERE {T1} ORDER BY time DESC",
    f"SELECT exponential_moving_average(water_level, 2) FROM h2o_feet WHERE {T1} AND {LOC}",
    f"SELECT double_exponential_moving_average(water_level, 2) FROM h2o_feet WHERE {T4} AND {LOC}",
    f"SELECT triple_exponential_moving_average(water_level, 2) FROM h2o_feet WHERE {T4} AND {LOC}",
    f"SELECT relative_strength_index(water_level, 2) FROM h2o_feet WHERE {T4} AND {LOC}",
    f"SELECT chande_momentum_oscillator(water_level, 2) FROM h2o_feet WHERE {T4} AND {LOC}",
    f"SELECT kaufmans_efficiency_ratio(water_level, 2) FROM h2o_feet WHERE {T4} AND {LOC}",
    f"SELECT kaufmans_adaptive_moving_average(water_level, 2) FROM h2o_feet WHERE {T4} AND {LOC}",
    f"SELECT triple_exponential_derivative(water_level, 2) FROM h2o_feet WHERE {T4} AND {LOC}",
    f"SELECT holt_winters(first(water_level), 4, 4) FROM h2o_feet WHERE {LOC} AND {T3} GROUP BY time(6h)",
    f"SELECT holt_winters_with_fit(first(water_level), 2, 4) FROM h2o_feet WHERE {LOC} AND {T3} GROUP BY time(6h)",
    # -- more combinations ----------------------------------------------------------------
    f"SELECT mean(water_level) FROM h2o_feet WHERE {T4} GROUP BY time(12m, 6m), location fill(linear)",
    f"SELECT mean(water_level) FROM h2o_feet WHERE {T4} AND water_level > 7.3 GROUP BY time(6m), location fill(linear)",
    f"SELECT mean(water_level) FROM h2o_feet WHERE {T4} AND water_level > 7.3 GROUP BY time(6m) fill(previous) LIMIT 4",
    f"SELECT count(water_level) FROM h2o_feet WHERE {T4} AND water_level > 7.3 GROUP BY time(6m), location fill(none) SLIMIT 1",
    f"SELECT max(water_level) FROM h2o_feet WHERE {T3} GROUP BY time(1d), location SLIMIT 1 SOFFSET 1",
    f"SELECT max(water_level) FROM h2o_feet WHERE {T3} GROUP BY time(1d), location ORDER BY time DESC",
    f"SELECT max(water_level) FROM h2o_feet WHERE {T3} GROUP BY time(1d), location ORDER BY time DESC LIMIT 1",
    f"SELECT mean(index) FROM h2o_quality WHERE {T3} GROUP BY time(1d), randtag SLIMIT 2",
    f"SELECT mean(index) FROM h2o_quality WHERE {T3} GROUP BY location, randtag SLIMIT 3 SOFFSET 2",
    f"SELECT index FROM h2o_quality WHERE {T2} GROUP BY randtag LIMIT 2 SLIMIT 2",
    f"SELECT mean(index) FROM h2o_quality WHERE {T3} GROUP BY /rand/",
    f"SELECT count(*) FROM /temperature/ WHERE {T3} GROUP BY time(1d), location",
    f"SELECT max(degrees), min(degrees) FROM /temperature/ WHERE {T3} GROUP BY location",
    f"SELECT max(degrees) FROM /temperature/ WHERE {T3}",
    f"SELECT mean(pH) FROM h2o_pH WHERE {T3} GROUP BY time(12h, 3h) fill(0)",
    f"SELECT sqrt(mean(water_level)), abs(min(water_level) - 5) FROM h2o_feet WHERE {T2} GROUP BY time(1h), location",
    f"SELECT pow(max(index), 2), log(max(index), 10) FROM h2o_quality WHERE {T2} GROUP BY time(1h)",
    f"SELECT floor(mean(water_level)), ceil(mean(water_level)), round(mean(water_level)) FROM h2o_feet WHERE {T2} GROUP BY time(30m)",
    f"SELECT mean(water_level) / 2, sum(water_level) * count(water_level) FROM h2o_feet WHERE {T2} GROUP BY time(30m)",
    f"SELECT (max(water_level) + min(water_level)) / 2 AS mid FROM h2o_feet WHERE {T3} GROUP BY location",
    f"SELECT spread(water_level) / mean(water_level) FROM h2o_feet WHERE {T3} GROUP BY time(1d)",
    f'SELECT "water_level" FROM "h2o_feet" WHERE "location" = \'santa_monica\' AND {T1}',
    f"SELECT water_level AS \"the level\" FROM h2o_feet WHERE {T1} AND {LOC}",
    f"SELECT water_level, water_level FROM h2o_feet WHERE {T1} AND {LOC}",
    f"SELECT water_level, water_level * 2, water_level_1 FROM h2o_feet WHERE {T1} AND {LOC}",
    f"SELECT time, water_level FROM h2o_feet WHERE {T1} AND {LOC}",
    f"SELECT time AS t, water_level FROM h2o_feet WHERE {T1} AND {LOC}",
    f"SELECT time AS ts, mean(water_level) FROM h2o_feet WHERE {T4} GROUP BY time(20m)",
    "SELECT water_level FROM h2o_feet WHERE time > now() - 3000d AND time < '2019-08-17T00:30:00Z' AND location = 'coyote_creek'",
    "SELECT count(water_level) FROM h2o_feet WHERE time >= '2019-09-01T00:00:00Z'",
    "SELECT first(water_level), last(water_level) FROM h2o_feet",
    "SELECT count(water_level) FROM h2o_feet WHERE time < '2019-08-18T00:00:00Z' GROUP BY location",
    "SELECT min(water_level) FROM h2o_feet WHERE time >= '2019-08-17T00:00:00.000000001Z' AND time <= '2019-08-17T00:12:00Z'",
    "SELECT water_level FROM h2o_feet WHERE time >= '2019-08-17T23:59:59.999999999Z' AND time <= '2019-08-18T00:06:00Z' AND location = 'coyote_creek'",
    f"SELECT water_level FROM h2o_feet WHERE {T1} AND location = 'coyote_creek' AND (water_level < 3 OR water_level > 3.3)",
    f"SELECT water_level FROM h2o_feet WHERE {T2} AND water_level >= 7.5 AND location = 'santa_monica' OR water_level < 2.6 AND {T2}",
    f"SELECT * FROM h2o_feet WHERE {T2} AND \"level description\" = 'between 6 and 9 feet' AND location = 'coyote_creek'",
    f"SELECT * FROM h2o_feet WHERE {T1} AND location = 'coyote_creek' AND \"level description\" <> 'below 3 feet'",
    f"SELECT water_level FROM h2o_feet WHERE {T1} AND location =~ /creek$/ AND water_level > 3",
    f"SELECT water_level FROM h2o_feet WHERE {T1} AND location =~ /.*/",
    f"SELECT water_level FROM h2o_feet WHERE {T1} AND location !~ /.*/",
    f"SELECT index FROM h2o_quality WHERE {T1} AND randtag =~ /[12]/ AND location = 'santa_monica'",
    f"SELECT index FROM h2o_quality WHERE {T1} AND index >= 16 AND index <= 44",
    f"SELECT index FROM h2o_quality WHERE {T1} AND index = 16",
    f"SELECT index FROM h2o_quality WHERE {T1} AND index != 16 AND location = 'coyote_creek'",
    f"SELECT index FROM h2o_quality WHERE {T1} AND index * 2 > 100",
    f"SELECT index FROM h2o_quality WHERE {T1} AND index > 40.5",
    f"SELECT index, location FROM h2o_quality WHERE {T1} AND location = 'santa_monica' ORDER BY time DESC LIMIT 3 OFFSET 1",
    f"SELECT count(index) FROM h2o_quality WHERE {T3} GROUP BY time(6h) LIMIT 3 OFFSET 2",
    f"SELECT count(index) FROM h2o_quality WHERE {T3} GROUP BY time(6h), location LIMIT 2 OFFSET 10",
    f"SELECT median(index), spread(index), stddev(index) FROM h2o_quality WHERE {T3} GROUP BY time(1d)",
    f"SELECT percentile(index, 50), median(index) FROM h2o_quality WHERE {T3} GROUP BY time(1d), location",
    f"SELECT percentile(water_level, 99.9) FROM h2o_feet WHERE {T3} GROUP BY time(12h)",
    f"SELECT first(index), last(index), min(index), max(index) FROM h2o_quality WHERE {T3} GROUP BY time(12h), randtag",
    f"SELECT last(water_level), \"level description\" FROM h2o_feet WHERE {T3} GROUP BY location",
    f"SELECT first(water_level), location FROM h2o_feet WHERE {T3}",
    f"SELECT min(water_level), * FROM h2o_feet WHERE {T3}",
    f"SELECT percentile(water_level, 20), location FROM h2o_feet WHERE {T3}",
    f"SELECT top(water_level, location, 2), \"level description\" FROM h2o_feet WHERE {T3}",
    f"SELECT bottom(index, randtag, 2) FROM h2o_quality WHERE {T3} GROUP BY location",
    f"SELECT top(index, 3) FROM h2o_quality WHERE {T3} GROUP BY time(1d), location",
    f"SELECT distinct(randtag) FROM h2o_quality WHERE {T3}",
    f"SELECT count(distinct(index)) FROM h2o_quality WHERE {T3} GROUP BY time(1d), location",
    f"SELECT distinct(index) FROM h2o_quality WHERE {T1} GROUP BY time(12m)",
    f"SELECT cumulative_sum(count(index)) FROM h2o_quality WHERE {T3} GROUP BY time(12h)",
    f"SELECT derivative(max(index), 1h) FROM h2o_quality WHERE {T3} GROUP BY time(12h), location",
    f"SELECT non_negative_derivative(mean(water_level), 1h) FROM h2o_feet WHERE {T3} GROUP BY time(6h)",
    f"SELECT elapsed(mean(water_level), 1h) FROM h2o_feet WHERE {T4} AND water_level > 7.3 GROUP BY time(6m) fill(none)",
    f"SELECT moving_average(water_level, 3) FROM h2o_feet WHERE {T1} GROUP BY location",
    f"SELECT difference(mean(water_level)) FROM h2o_feet WHERE {T4} GROUP BY time(12m) fill(previous)",
    f"SELECT derivative(mean(water_level)) FROM h2o_feet WHERE {T4} GROUP BY time(12m) fill(0)",
    f"SELECT mean(water_level), derivative(mean(water_level)) FROM h2o_feet WHERE {T4} GROUP BY time(12m)",
    f"SELECT max(water_level) FROM (SELECT water_level FROM h2o_feet WHERE {T2}) WHERE {T2} GROUP BY time(1h)",
    f"SELECT mean(max) FROM (SELECT max(water_level) FROM h2o_feet WHERE {T3} GROUP BY time(1d), location)",
    f"SELECT max(mean), min(mean) FROM (SELECT mean(water_level) FROM h2o_feet WHERE {T3} GROUP BY time(6h), location)",
    f"SELECT mean FROM (SELECT mean(index) FROM h2o_quality WHERE {T3} GROUP BY randtag) WHERE mean > 49",
    f"SELECT * FROM (SELECT mean(index) FROM h2o_quality WHERE {T3} GROUP BY randtag)",
    f"SELECT top(max, 2) FROM (SELECT max(index) FROM h2o_quality WHERE {T3} GROUP BY time(6h))",
    f"SELECT count(water_level) FROM (SELECT water_level FROM h2o_feet WHERE {T3} AND water_level > 8)",
    f"SELECT sum(water_level) FROM (SELECT water_level FROM h2o_feet WHERE {T1} GROUP BY location) GROUP BY location",
    f"SELECT a + b FROM (SELECT max(water_level) AS a, min(water_level) AS b FROM h2o_feet WHERE {T3} GROUP BY location)",
    f"SELECT derivative(mean, 1h) FROM (SELECT mean(water_level) FROM h2o_feet WHERE {T3} GROUP BY time(6h))",
    (f"SELECT mean(water_level) FROM h2o_feet WHERE {T4} GROUP BY time(12m) tz('America/Chicago')", {"epoch": "s"}),
    (f"SELECT water_level FROM h2o_feet WHERE {T1} AND {LOC} tz('Asia/Kolkata')", {"epoch": "ms"}),
    (f"SELECT mean(water_level) FROM h2o_feet WHERE {T4} GROUP BY time(12m), location", {"epoch": "h"}),
    f"SELECT mean(water_level) FROM h2o_feet WHERE {T3} GROUP BY time(1d, 2h) tz('America/New_York')",
    f"SELECT count(water_level) FROM h2o_feet WHERE {T3} GROUP BY time(4h) tz('Australia/Adelaide')",
    f"SELECT max(water_level) FROM h2o_feet WHERE {T3} GROUP BY time(1d) tz('Asia/Tokyo') fill(none)",
    f"SELECT max(water_level) FROM (SELECT water_level FROM h2o_feet WHERE {T1} ORDER BY time DESC)",
    f"SELECT water_level FROM (SELECT water_level FROM h2o_feet WHERE {T1} AND {LOC}) ORDER BY time DESC",
    f"SELECT max(water_level) FROM (SELECT water_level FROM h2o_feet WHERE {T2}) WHERE {T2} GROUP BY time(1h) ORDER BY time DESC",
    f"SELECT difference(m) FROM (SELECT mean(water_level) AS m FROM h2o_feet WHERE {T3} GROUP BY time(12h)) ORDER BY time DESC",
    # -- edge cases found by live comparison ---------------------------------------------------
    f'SELECT mean(water_level) FROM h2o_feet WHERE {T3} GROUP BY time(1d) fill(linear) ORDER BY time DESC',
    f"SELECT water_level FROM h2o_feet WHERE {T1} AND location = 'santa_monica' tz('UTC')",
    f'SELECT count(water_level) FROM h2o_feet WHERE {T3} GROUP BY time(1d), location SLIMIT 1 SOFFSET 1',
    f'SELECT max(water_level) FROM h2o_feet WHERE {T1} GROUP BY time(10m) LIMIT 1 OFFSET 1',
    f'SELECT first(water_level) FROM h2o_feet WHERE {T1} GROUP BY location ORDER BY time DESC',
    f'SELECT last(water_level), first(water_level) FROM h2o_feet WHERE {T1} GROUP BY location ORDER BY time DESC',
    f'SELECT * FROM h2o_feet WHERE {T1} GROUP BY location ORDER BY time DESC SLIMIT 1',
    f"SELECT mean(water_level) FROM h2o_feet WHERE time >= '2019-08-18T00:00:00Z' AND time <= '2019-08-18T00:30:00Z' GROUP BY time(5m, 2m) fill(none)",
    f'SELECT sum(index) / count(index) FROM h2o_quality WHERE {T3} GROUP BY location',
    f"SELECT index + 1.5 FROM h2o_quality WHERE {T1} AND location = 'coyote_creek'",
    f"SELECT index - index FROM h2o_quality WHERE {T1} AND location = 'coyote_creek'",
    f'SELECT water_level FROM h2o_feet WHERE {T1} AND water_level > 7 AND water_level < 7.4',
    f"SELECT water_level FROM h2o_feet WHERE {T1} AND NOT_A_FIELD = 'x'",
    f"SELECT water_level FROM h2o_feet WHERE {T1} AND location = 'santa_monica' AND location = 'coyote_creek'",
    f"SELECT * FROM h2o_quality WHERE {T1} AND randtag <> '1' AND location =~ /^c/",
    f'SELECT max(index), randtag FROM h2o_quality WHERE {T3}',
    f'SELECT min(index), location, randtag FROM h2o_quality WHERE {T3} GROUP BY location',
    f'SELECT percentile(index, 0.001) FROM h2o_quality WHERE {T3}',
    f'SELECT median(water_level) FROM h2o_feet WHERE {T1} GROUP BY time(12m)',
    f"SELECT stddev(water_level) FROM h2o_feet WHERE {T1} AND location = 'santa_monica' GROUP BY time(6m)",
    f'SELECT spread(water_level) FROM h2o_feet WHERE {T1} GROUP BY time(6m)',
    f"SELECT mean(water_level) FROM h2o_feet WHERE time >= '2019-09-17T20:00:00Z' GROUP BY time(30m) LIMIT 6",
    f"SELECT count(water_level) FROM h2o_feet WHERE location = 'santa_monica' AND {T3} GROUP BY time(1d, -1h)",
    f"SELECT count(water_level) FROM h2o_feet WHERE location = 'santa_monica' AND {T3} GROUP BY time(1d, 25h)",
    f'SELECT cumulative_sum(water_level) FROM h2o_feet WHERE {T1} ORDER BY time DESC',
    f'SELECT moving_average(water_level, 2) FROM h2o_feet WHERE {T1} GROUP BY location ORDER BY time DESC',
    f'SELECT elapsed(water_level) FROM h2o_feet WHERE {T1}',
    f'SELECT derivative(water_level, 1m) FROM h2o_feet WHERE {T1} GROUP BY location LIMIT 2',
    f'SELECT difference(water_level) FROM h2o_feet WHERE {T1} GROUP BY location LIMIT 2 OFFSET 1',
    f"SELECT water_level FROM h2o_feet WHERE {T1} AND location = 'santa_monica' LIMIT 0",
    f'SELECT top(water_level, 3), location FROM h2o_feet WHERE {T3} GROUP BY time(1d)',
    f'SELECT bottom(water_level, 2), "level description" FROM h2o_feet WHERE {T3}',
    f'SELECT distinct("level description") FROM h2o_feet WHERE {T3} GROUP BY location',
    f'SELECT count(distinct("level description")) FROM h2o_feet WHERE {T3} GROUP BY time(1d)',
    f'SELECT mode(water_level) FROM h2o_feet WHERE {T1} GROUP BY location',
    f"SELECT integral(water_level, 1h) FROM h2o_feet WHERE {T3} AND location = 'santa_monica' GROUP BY time(1d)",
    f"SELECT mean(water_level) FROM h2o_feet WHERE {T3} AND location = 'santa_monica' GROUP BY time(1d) tz('Pacific/Chatham')",
    f'SELECT * FROM (SELECT * FROM h2o_feet WHERE {T1}) GROUP BY location',
    f'SELECT count(*) FROM (SELECT water_level, "level description" FROM h2o_feet WHERE {T3})',
    f'SELECT max(water_level) - min(water_level) AS range FROM h2o_feet WHERE {T3} GROUP BY time(12h), location',
    f'SELECT mean(water_level), mean(index) FROM h2o_feet, h2o_quality WHERE {T3} GROUP BY location',
    f"SELECT * FROM h2o_feet, h2o_quality WHERE {T1} AND location = 'coyote_creek' LIMIT 2",
    f'SELECT max(*) FROM h2o_feet, h2o_temperature WHERE {T3} GROUP BY location',
    f'SELECT last(*) FROM /h2o/ WHERE {T3}',
    f'SELECT first(degrees) FROM /temperature/ WHERE {T3}',
    f'SELECT location, water_level FROM h2o_feet WHERE {T1} GROUP BY location',
    f"SELECT *, water_level FROM h2o_feet WHERE {T1} AND location = 'santa_monica'",
    f"SELECT water_level, * FROM h2o_feet WHERE {T1} AND location = 'santa_monica'",
    f"SELECT /water/ FROM h2o_feet WHERE {T1} AND location = 'santa_monica'",
    f"SELECT /l/ FROM h2o_feet WHERE {T1} AND location = 'santa_monica'",
    f'SELECT count(/l/) FROM h2o_feet WHERE {T3}',
    f'SELECT mean(water_level) FROM h2o_feet WHERE {T3} GROUP BY /.*/',
    f'SELECT "water_level"::float * 2 FROM h2o_feet WHERE {T1} AND location = \'santa_monica\'',
    f'SELECT first(index) FROM h2o_quality WHERE {T3} GROUP BY time(1d), * fill(previous)',
    f'SELECT mean(index) FROM h2o_quality WHERE {T3} GROUP BY time(1d), randtag, location SLIMIT 2 SOFFSET 3',
    f"SELECT count(index) FROM h2o_quality WHERE {T3} AND randtag = '1' GROUP BY location",
    f"SELECT max(index) FROM h2o_quality WHERE {T3} AND (randtag = '1' OR randtag = '3') GROUP BY randtag",
    f"SELECT index FROM h2o_quality WHERE {T1} AND (randtag = '1' OR index > 70)",
    f"SELECT mean(index) FROM h2o_quality WHERE {T3} AND (randtag = '1' OR index > 70) GROUP BY time(1d)",
    f"SELECT holt_winters(mean(water_level), 3, 0) FROM h2o_feet WHERE {T3} AND location = 'coyote_creek' GROUP BY time(6h)",
    f'SELECT exponential_moving_average(mean(water_level), 3) FROM h2o_feet WHERE {T3} GROUP BY time(6h)',
    f"SELECT relative_strength_index(max(water_level), 4) FROM h2o_feet WHERE {T3} AND location = 'coyote_creek' GROUP BY time(3h)",
    f"SELECT chande_momentum_oscillator(water_level, 3, 0, 'none') FROM h2o_feet WHERE {T1} AND location = 'coyote_creek'",
    f'SELECT kaufmans_efficiency_ratio(mean(water_level), 3) FROM h2o_feet WHERE {T3} GROUP BY time(6h), location',
    f"SELECT water_level FROM h2o_feet WHERE location = 'santa_monica' AND time >= '2019-08-18T00:00:00Z' AND time <= '2019-08-18T00:30:00Z' LIMIT 2; SELECT count(index) FROM h2o_quality WHERE {T3}",
    f'SELECT mean(water_level) FROM h2o_feet WHERE {T3} GROUP BY time(1d) fill(-1)',
    f"SELECT mean(water_level) FROM h2o_feet WHERE {T3} AND location = 'nowhere' GROUP BY time(1d) fill(0)",
    f'SELECT count(water_level) FROM h2o_feet WHERE {T3} AND water_level > 8.5 GROUP BY time(6h) fill(0)',
    f'SELECT max(water_level), min(water_level) FROM h2o_feet WHERE {T3} AND water_level > 8.4 GROUP BY time(6h) fill(previous)',
    f'SELECT max(water_level), min(water_level) FROM h2o_feet WHERE {T3} AND water_level > 8.4 GROUP BY time(6h) fill(linear)',
    f'SELECT first("level description") FROM h2o_feet WHERE {T3} AND water_level > 8.4 GROUP BY time(6h) fill(previous)',
    f'SELECT first("level description") FROM h2o_feet WHERE {T3} AND water_level > 8.4 GROUP BY time(6h) fill(linear)',
    f'SELECT first("level description") FROM h2o_feet WHERE {T3} AND water_level > 8.4 GROUP BY time(6h) fill(1)',
    f'SELECT percentile(water_level, 50) FROM h2o_feet WHERE {T3} GROUP BY time(12h) fill(none)',
    f'SELECT top(water_level, 1) FROM h2o_feet WHERE {T3} GROUP BY location',
    f'SELECT water_level FROM h2o_feet WHERE location = \'santa_monica\' AND time >= \'2019-08-18T00:00:00Z\' AND time <= \'2019-08-18T00:06:00Z\' AND "level description" = \'between 6 and 9 feet\'',
    f'SELECT index FROM h2o_quality WHERE {T1} AND index = 16.0',
    f"SELECT index FROM h2o_quality WHERE {T1} AND location = 'coyote_creek' AND index <> 16",
    f"SELECT water_level FROM h2o_feet WHERE {T1} AND location = 'santa_monica' AND water_level = 7.36",
    f"SELECT index % 7, index / 7 FROM h2o_quality WHERE {T1} AND location = 'coyote_creek'",
    f"SELECT ln(index), sqrt(index) FROM h2o_quality WHERE {T1} AND location = 'coyote_creek'",
    f"SELECT abs(-1 * index) FROM h2o_quality WHERE {T1} AND location = 'coyote_creek'",
    f"SELECT round(water_level * 10) / 10 FROM h2o_feet WHERE {T1} AND location = 'coyote_creek'",
    # -- more errors -------------------------------------------------------------------------
    f"SELECT * FROM h2o_feet WHERE {T1} GROUP BY time(1h)",
    f"SELECT mean(*) + 1 FROM h2o_feet WHERE {T1}",
    f"SELECT water_level + * FROM h2o_feet WHERE {T1}",
    f"SELECT max(water_level), min(water_level), location FROM h2o_feet WHERE {T3}",
    f"SELECT distinct(water_level), location FROM h2o_feet WHERE {T3}",
    f"SELECT count(max(water_level)) FROM h2o_feet WHERE {T3}",
    f"SELECT derivative(water_level, 'x') FROM h2o_feet WHERE {T1}",
    f"SELECT cumulative_sum(mean(water_level)) FROM h2o_feet WHERE {T3}",
    f"SELECT elapsed(water_level, 0s) FROM h2o_feet WHERE {T1}",
    f"SELECT integral(water_level, 'x') FROM h2o_feet WHERE {T1}",
    f"SELECT sample(water_level, 'x') FROM h2o_feet WHERE {T1}",
    f"SELECT top(water_level, 'x') FROM h2o_feet WHERE {T1}",
    f"SELECT top(1, 2) FROM h2o_feet WHERE {T1}",
    f"SELECT top(water_level, 2 + 1, 3) FROM h2o_feet WHERE {T1}",
    f"SELECT atan2(water_level) FROM h2o_feet WHERE {T1}",
    f"SELECT mean(water_level) FROM h2o_feet WHERE {T1} GROUP BY time(1m, 'x')",
    f"SELECT mean(water_level) FROM h2o_feet WHERE {T1} GROUP BY location::field",
    "SELECT mean(water_level) FROM h2o_feet WHERE time > 'not a time'",
    "SELECT water_level FROM h2o_feet WHERE time > true",
    "SELECT FROM h2o_feet",
    "SELECT water_level FROM",
    "SELECT water_level FROM h2o_feet WHERE",
    "SELECT mean(water_level) FROM h2o_feet GROUP BY time(1x)",
    "SELECT water_level FROM h2o_feet LIMIT -1",
    "SELECT water_level FROM h2o_feet tz('Nowhere/Nothing')",
    "SELECT water_level FROM h2o_feet WHERE location =~ /(/",
    "select WATER_LEVEL from H2O_FEET",
    "SELECT MEAN(water_level) FROM h2o_feet",
    f'SELECT mean(water_level) FROM h2o_feet WHERE {T3} GROUP BY time(1h) fill(linear) LIMIT 3 SLIMIT 1',
    f'SELECT water_level FROM h2o_feet WHERE {T1} fill(linear)',
    f'SELECT water_level FROM h2o_feet WHERE {T1} fill(0)',
    f'SELECT water_level FROM h2o_feet WHERE {T1} GROUP BY time(1m), location',
    f'SELECT mean(water_level), water_level FROM h2o_feet WHERE {T1} GROUP BY time(1m)',
    f'SELECT top(water_level, 2), bottom(water_level, 2) FROM h2o_feet WHERE {T3}',
    f'SELECT max(water_level), top(water_level, 2) FROM h2o_feet WHERE {T3}',
    f'SELECT distinct(water_level), distinct(index) FROM h2o_feet WHERE {T3}',
    f'SELECT distinct(*) FROM h2o_feet WHERE {T3}',
    f'SELECT count(distinct(*)) FROM h2o_feet WHERE {T3}',
    f'SELECT mean(distinct(water_level)) FROM h2o_feet WHERE {T3}',
    f'SELECT derivative(mean(water_level)) FROM h2o_feet WHERE {T3}',
    f'SELECT derivative(water_level, 1h, 2) FROM h2o_feet WHERE {T1}',
    f'SELECT difference(water_level, 1) FROM h2o_feet WHERE {T1}',
    f'SELECT cumulative_sum() FROM h2o_feet WHERE {T1}',
    f'SELECT mean() FROM h2o_feet WHERE {T1}',
    f'SELECT percentile(water_level, 50, 2) FROM h2o_feet WHERE {T1}',
    f'SELECT integral() FROM h2o_feet WHERE {T1}',
    f'SELECT integral(water_level, 0s) FROM h2o_feet WHERE {T1}',
    f'SELECT elapsed(mean(water_level)) FROM h2o_feet WHERE {T1}',
    f'SELECT holt_winters(mean(water_level), 2) FROM h2o_feet WHERE {T1} GROUP BY time(1m)',
    f'SELECT holt_winters_with_fit(mean(water_level), 2, -1) FROM h2o_feet WHERE {T1} GROUP BY time(1m)',
    f'SELECT exponential_moving_average(water_level) FROM h2o_feet WHERE {T1}',
    f'SELECT exponential_moving_average(water_level, 2, -2) FROM h2o_feet WHERE {T1}',
    f"SELECT exponential_moving_average(water_level, 2, 1, 'bogus') FROM h2o_feet WHERE {T1}",
    f'SELECT triple_exponential_derivative(water_level, 2, 0) FROM h2o_feet WHERE {T1}',
    f"SELECT kaufmans_adaptive_moving_average(water_level, 2, 1, 'simple') FROM h2o_feet WHERE {T1}",
    f"SELECT chande_momentum_oscillator(water_level, 2, 0, 'bogus') FROM h2o_feet WHERE {T1}",
    f'SELECT moving_average(water_level, 2.5) FROM h2o_feet WHERE {T1}',
    f'SELECT water_level FROM h2o_feet WHERE {T1} AND max(water_level) > 1',
    f'SELECT water_level FROM h2o_feet WHERE {T1} AND abs(water_level) > 7',
    f'SELECT water_level FROM h2o_feet WHERE {T1} GROUP BY time',
    f'SELECT water_level FROM h2o_feet WHERE {T1} GROUP BY mean(water_level)',
    f'SELECT water_level FROM h2o_feet WHERE {T1} ORDER BY water_level',
    f'SELECT water_level FROM h2o_feet WHERE {T1} ORDER BY time ASC, water_level',
    f"SELECT sum(water_level) + 'x' FROM h2o_feet WHERE {T1}",
    f'SELECT water_level + true FROM h2o_feet WHERE {T1}',
    f'SELECT "level description" * 2 FROM h2o_feet WHERE {T1}',
    f"SELECT water_level FROM h2o_feet WHERE {T1} AND water_level = 'x'",
    f'SELECT water_level FROM h2o_feet WHERE {T1} AND "level description" > 5',
    f"SELECT water_level FROM h2o_feet WHERE {T1} AND location > 'r'",
    f'SELECT water_level FROM h2o_feet WHERE {T1} AND time > now() - 10000d AND time < now() + 1h',
    f'SELECT top(water_level, location) FROM h2o_feet WHERE {T3}',
    f'SELECT top(water_level, location, 1.5) FROM h2o_feet WHERE {T3}',
    f'SELECT top(mean(water_level), 2) FROM h2o_feet WHERE {T3}',
    f'SELECT top(water_level, mean(water_level), 2) FROM h2o_feet WHERE {T3}',
    f'SELECT count(water_level) FROM h2o_feet WHERE {T3} GROUP BY time(1d) fill(previous) ORDER BY time DESC LIMIT 2',
    f'SELECT sum(index) FROM h2o_quality WHERE {T3} GROUP BY time(1d) fill(linear) ORDER BY time DESC',
    # -- SELECT INTO (answers only; the target db exists) --------------------------------
    f"SELECT water_level INTO h2o_feet_copy FROM h2o_feet WHERE {T1}; SELECT * FROM h2o_feet_copy",
    f"SELECT mean(water_level) INTO h2o_feet_mean FROM h2o_feet WHERE {T3} GROUP BY time(1d), *; "
    "SELECT * FROM h2o_feet_mean GROUP BY *",
    f"SELECT * INTO noaa_copy.autogen.:MEASUREMENT FROM /^h2o_p/ WHERE {T1} GROUP BY *; "
    "SELECT * FROM noaa_copy.autogen./.*/ GROUP BY *",
    f"SELECT max(index) INTO noaa_copy..quality_max FROM h2o_quality WHERE {T3} GROUP BY time(1d), location; "
    "SELECT * FROM noaa_copy..quality_max",
    # -- errors -------------------------------------------------------------------------------
    f"SELECT mean(water_level), water_level FROM h2o_feet WHERE {T3}",
    f"SELECT water_level FROM h2o_feet WHERE {T3} GROUP BY time(1h)",
    f"SELECT derivative(water_level) FROM h2o_feet WHERE {T4} GROUP BY time(12m)",
    f"SELECT mean(water_level, 2) FROM h2o_feet WHERE {T3}",
    f"SELECT top(water_level) FROM h2o_feet WHERE {T3}",
    f"SELECT top(water_level, 0) FROM h2o_feet WHERE {T3}",
    f"SELECT percentile(water_level) FROM h2o_feet WHERE {T3}",
    f"SELECT nosuchfunc(water_level) FROM h2o_feet WHERE {T3}",
    f"SELECT mean(water_level) FROM h2o_feet WHERE {T3} GROUP BY time(0s)",
    "SELECT mean(water_level) FROM h2o_feet WHERE time >= '2019-08-18T00:00:00Z' GROUP BY time(1m) fill(none) LIMIT 1",
    f"SELECT count(water_level), count(water_level) FROM h2o_feet WHERE {T3}",
    f"SELECT top(water_level, 2), max(water_level) FROM h2o_feet WHERE {T3}",
    f"SELECT count(distinct(water_level)) FROM h2o_feet WHERE {T1}",
    f"SELECT moving_average(water_level) FROM h2o_feet WHERE {T1}",
    f"SELECT holt_winters(water_level, 4, 4) FROM h2o_feet WHERE {T3}",
    f"SELECT mean(water_level) FROM h2o_feet WHERE {T3} fill(0)",
    (f"SELECT water_level FROM h2o_feet WHERE {T1}", {"db": "nosuchdb"}),
    (f"SELECT water_level FROM h2o_feet WHERE {T1}", {"db": ""}),
    f'SELECT water_level FROM "nosuchdb".."h2o_feet" WHERE {T1}',
    f'SELECT water_level FROM "NOAA_water_database"."nosuchrp"."h2o_feet" WHERE {T1}',
    f"SELECT sample(water_level, 0) FROM h2o_feet WHERE {T3}",
    f"SELECT time FROM h2o_feet WHERE {T1}",
    f"SELECT location FROM h2o_feet WHERE {T1} GROUP BY location",
    f"SELECT min(water_level) FROM h2o_feet WHERE {T3} GROUP BY time(1h) fill(linear) LIMIT 3",
    f"SELECT percentile(water_level, 101) FROM h2o_feet WHERE {T3}",
]


def fetch(base: str, query: str, db: str, epoch: str | None, bind: dict | None = None) -> dict:
    return json.loads(fetch_raw(base, query, db, epoch, bind)[2])


def fetch_raw(base: str, query: str, db: str, epoch: str | None, bind: dict | None = None) -> tuple[int, str, bytes]:
    """(status, content type, body) of a /query request (an HTTP error status included)."""
    params = {"q": query}
    if bind:
        params["params"] = json.dumps(bind)
    if db:
        params["db"] = db
    if epoch:
        params["epoch"] = epoch
    data = urllib.parse.urlencode(params).encode()
    try:
        with urllib.request.urlopen(urllib.request.Request(base + "/query", data=data)) as r:
            return r.status, r.headers.get("Content-Type"), r.read()
    except urllib.error.HTTPError as e:
        return e.code, e.headers.get("Content-Type"), e.read()


def record(base: str, queries, default_db: str, out_name: str) -> None:
    """Each case: {"query", "db", "epoch", "expected": the parsed answer}, or where influxd's
    body is no JSON (json.Marshal's error text for a ±Inf) "status", "content_type", "body"."""
    cases = []
    for item in queries:
        query, opts = (item, {}) if isinstance(item, str) else item
        db = opts.get("db", default_db)
        epoch = opts.get("epoch")
        bind = opts.get("params")
        status, ctype, body = fetch_raw(base, query, db, epoch, bind)
        try:
            case = {"query": query, "db": db, "epoch": epoch, "expected": json.loads(body)}
        except ValueError:
            case = {"query": query, "db": db, "epoch": epoch, "status": status, "content_type": ctype,
                    "body": body.decode()}
        if bind:
            case["params"] = bind
        cases.append(case)
    out = Path(__file__).with_name(out_name)
    out.write_text(json.dumps(cases, indent=1) + "\n")
    print(f"{len(cases)} cases → {out}")


def _drop_into_targets(base: str) -> None:
    for m in ("h2o_feet_copy", "h2o_feet_mean"):
        fetch(base, f"DROP MEASUREMENT {m}", DB, None)
    fetch(base, "DROP DATABASE noaa_copy", DB, None)
    fetch(base, "CREATE DATABASE noaa_copy", DB, None)


def main(base: str) -> None:
    _drop_into_targets(base)
    reads = [q for q in QUERIES if " INTO " not in (q if isinstance(q, str) else q[0])]
    intos = [q for q in QUERIES if " INTO " in (q if isinstance(q, str) else q[0])]
    record(base, reads + intos, DB, "noaa.json")
    _drop_into_targets(base)
    from mixed_cases import MIXED_DB, MIXED_QUERIES, mixed_lines
    fetch(base, f"DROP DATABASE {MIXED_DB}", MIXED_DB, None)
    fetch(base, f"CREATE DATABASE {MIXED_DB}", MIXED_DB, None)
    req = urllib.request.Request(f"{base}/write?db={MIXED_DB}", data="\n".join(mixed_lines()).encode())
    urllib.request.urlopen(req)
    record(base, MIXED_QUERIES, MIXED_DB, "mixed.json")
    from fuzz_cases import fuzz_queries
    record(base, fuzz_queries(1) + fuzz_queries(2), DB, "fuzz.json")
    record_v1diff(base)


def _write(base: str, db: str, body: str) -> None:
    try:
        urllib.request.urlopen(urllib.request.Request(f"{base}/write?db={db}", data=body.encode()))
    except urllib.error.HTTPError as e:  # a partial write (the conflict body) answers 400
        print(f"write: {e.code} {e.read().decode().strip()}")


def record_v1diff(base: str) -> None:
    """v1diff.json: the 1.x behaviours of v1diff_cases.py, on a fresh database of its own; the
    NOAA family and the differential sweep (v1sweep_cases.py) beside it."""
    from v1diff_cases import V1DIFF_DB, V1DIFF_QUERIES, v1diff_writes
    for name in (V1DIFF_DB, "a b", "a.b", "...", "ü", "x1"):
        fetch(base, f'DROP DATABASE "{name}"', V1DIFF_DB, None)
    fetch(base, f"CREATE DATABASE {V1DIFF_DB}", V1DIFF_DB, None)
    for body in v1diff_writes():
        _write(base, V1DIFF_DB, body)
    record(base, V1DIFF_QUERIES, V1DIFF_DB, "v1diff.json")
    from v1diff_cases import V1DIFF_NOAA_QUERIES  # needs the NOAA sample loaded (see above)
    record(base, V1DIFF_NOAA_QUERIES, DB, "v1diff_noaa.json")
    from v1sweep_cases import V1SWEEP_QUERIES  # both databases
    record(base, V1SWEEP_QUERIES, V1DIFF_DB, "v1sweep.json")


if __name__ == "__main__":
    sys.path.insert(0, str(Path(__file__).parent))
    args = [a for a in sys.argv[1:] if a != "--v1diff"]
    url = args[0] if args else "http://127.0.0.1:18186"
    record_v1diff(url) if "--v1diff" in sys.argv else main(url)  # --v1diff: that file only
