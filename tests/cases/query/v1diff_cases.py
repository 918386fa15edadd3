"""InfluxDB 1.x behaviours the influxdb1 dialect reproduces (issue 20, section 3), recorded from
influxd 1.6.7 by build_noaa_cases.py into v1diff.json. Shared by the case builder and the tests.

Each body of v1diff_writes() is sent on its own, in order, as influxd got it; CONFLICT and
CONFLICT_NEW_SHARD hold a field-type conflict inside one body, TAG_FIELD a key both tag and field.
"""
from __future__ import annotations

V1DIFF_DB = "v1diff"
S = 1_000_000_000
T0 = 1_552_000_000 * S  # 2019-03-07T23:06:40Z


def v1diff_lines() -> list[str]:
    out = []
    for i in range(8):
        out.append(f"cpu,host={'ab'[i % 2]},region=r{i % 3} usage={i * 1.5},n={i}i {T0 + i * 60 * S}")
    # hourly points across the US DST switches of 2019 (March 10, November 3), in two shard groups each
    for start in (1_552_089_600, 1_572_652_800):  # 2019-03-09T00:00Z, 2019-11-02T00:00Z
        for h in range(96):
            out.append(f"dst,site=x v={h % 24}i {(start + h * 3600) * S}")
    return out


# in the shard group the cpu points made (1.x: a partial write, the later line dropped) ...
CONFLICT = f'cf f=1 {T0}\ncf f="s" {T0 + S}\ncf g=1 {T0 + 2 * S}'
# ... and in a shard group this body creates (1.6.7: the whole body fails, "field type conflict")
CONFLICT_NEW_SHARD = 'cfn f=1 1000000000\ncfn f="s" 2000000000\ncfn g=1 3000000000'
TAG_FIELD = "tf,k=x k=1,v=2 1000000000\ntf,k=y v=3 2000000000"


def v1diff_writes() -> list[str]:
    return ["\n".join(v1diff_lines()), CONFLICT, CONFLICT_NEW_SHARD, TAG_FIELD]


R = "time >= '2019-03-07T23:05:00Z' AND time < '2019-03-07T23:16:00Z'"
MAR = "time >= '2019-03-09T00:00:00Z' AND time < '2019-03-13T00:00:00Z'"
NOV = "time >= '2019-11-02T00:00:00Z' AND time < '2019-11-06T00:00:00Z'"

V1DIFF_QUERIES: list = [
    # SELECT * over a subquery: the subquery's own columns (its tags group, but are no columns)
    "SELECT * FROM (SELECT usage FROM cpu)",
    "SELECT * FROM (SELECT usage, host FROM cpu)",
    "SELECT * FROM (SELECT usage FROM cpu GROUP BY region) LIMIT 2",
    "SELECT * FROM (SELECT usage FROM cpu) GROUP BY host LIMIT 1",
    "SELECT * FROM (SELECT usage FROM cpu WHERE host = 'a') LIMIT 1",
    "SELECT * FROM (SELECT max(usage) FROM cpu GROUP BY host)",
    "SELECT * FROM (SELECT * FROM cpu) LIMIT 1",
    "SELECT usage, host FROM (SELECT usage FROM cpu) LIMIT 2",
    "SELECT usage FROM (SELECT usage FROM cpu) WHERE host = 'a'",
    "SELECT usage FROM (SELECT usage FROM cpu) WHERE host = ''",
    "SELECT mean(usage) FROM (SELECT usage FROM cpu) GROUP BY *",
    "SELECT mean(usage) FROM (SELECT * FROM cpu) GROUP BY *",
    "SELECT count(*) FROM (SELECT usage FROM cpu)",
    "SELECT count(*) FROM (SELECT * FROM cpu)",
    "SELECT count(*) FROM (SELECT usage, n FROM cpu GROUP BY host)",
    # GROUP BY a field's name: a tag of that name, which no series has
    "SELECT n FROM cpu GROUP BY usage",
    "SELECT count(n) FROM cpu GROUP BY usage",
    "SELECT n FROM cpu GROUP BY usage, host",
    "SELECT mean(n) FROM cpu GROUP BY n",
    "SELECT * FROM cpu GROUP BY usage LIMIT 1",
    "SELECT max(m) FROM (SELECT max(usage) AS m FROM cpu GROUP BY host) GROUP BY m",
    # SHOW ... WHERE: influxd's series filters and their words
    "SHOW MEASUREMENTS WHERE usage > 1",
    "SHOW MEASUREMENTS WHERE usage = 1",
    "SHOW MEASUREMENTS WHERE host = 1",
    "SHOW MEASUREMENTS WHERE host <> 1",
    "SHOW MEASUREMENTS WHERE 'a' = host",
    "SHOW MEASUREMENTS WHERE usage + 1 = 'a'",
    "SHOW MEASUREMENTS WHERE host = 'a' OR n = 2",
    "SHOW MEASUREMENTS WHERE host = 'a'",
    "SHOW SERIES WHERE usage > 1",
    "SHOW SERIES WHERE host > 'a'",
    "SHOW TAG KEYS WHERE host < 'b'",
    "SHOW TAG VALUES WITH KEY = host WHERE usage > 1 OR host = 'a'",
    # cardinality: FROM or WHERE make influxd count exactly, one series per measurement
    "SHOW SERIES CARDINALITY FROM cpu",
    "SHOW SERIES CARDINALITY FROM /c/",
    "SHOW SERIES CARDINALITY WHERE host = 'a'",
    "SHOW SERIES CARDINALITY FROM cpu WHERE host = 'a'",
    "SHOW SERIES CARDINALITY FROM nope",
    "SHOW SERIES CARDINALITY WHERE time > 0",
    "SHOW SERIES EXACT CARDINALITY FROM cpu",
    "SHOW MEASUREMENT CARDINALITY FROM cpu",
    "SHOW MEASUREMENT CARDINALITY WHERE host = 'a'",
    "SHOW MEASUREMENT CARDINALITY",
    ("SHOW SERIES CARDINALITY ON nodb FROM cpu", {"db": ""}),
    # names of databases and retention policies (influxd's meta.ValidName)
    'CREATE DATABASE "a/b"',
    'CREATE DATABASE "a\\\\b"',
    'CREATE DATABASE "."',
    'CREATE DATABASE ".."',
    'CREATE DATABASE ""',
    'CREATE DATABASE "x\ty"',
    'CREATE DATABASE "a/b" WITH DURATION 1d',
    'CREATE DATABASE x1 WITH DURATION 1d NAME "r/1"',
    'CREATE DATABASE "a b"',
    'CREATE DATABASE "a.b"',
    'CREATE DATABASE "..."',
    'CREATE DATABASE "ü"',
    'CREATE RETENTION POLICY "a/b" ON v1diff DURATION 1d REPLICATION 1',
    'CREATE RETENTION POLICY "a/b" ON nodb DURATION 1d REPLICATION 1',
    # fill(<number>) takes the aggregate's type
    f"SELECT sum(n) FROM cpu WHERE {R} GROUP BY time(2m) fill(1.5)",
    f"SELECT count(n) FROM cpu WHERE {R} GROUP BY time(2m) fill(2.7)",
    f"SELECT max(n) FROM cpu WHERE {R} GROUP BY time(2m) fill(-1.5)",
    f"SELECT first(n), mean(n) FROM cpu WHERE {R} GROUP BY time(2m) fill(1.5)",
    f"SELECT sum(n) FROM cpu WHERE {R} GROUP BY time(2m), host fill(1.5)",
    f"SELECT sum(usage) FROM cpu WHERE {R} GROUP BY time(2m) fill(7)",
    # GROUP BY time with an offset, tz() and a DST change
    f"SELECT count(v) FROM dst WHERE {MAR} GROUP BY time(1d, 6h) tz('America/Chicago')",
    f"SELECT count(v) FROM dst WHERE {NOV} GROUP BY time(1d, 6h) tz('America/Chicago')",
    f"SELECT sum(v) FROM dst WHERE {MAR} GROUP BY time(1d, -3h) tz('America/Chicago')",
    f"SELECT count(v) FROM dst WHERE {MAR} GROUP BY time(12h, 6h) tz('America/Chicago')",
    f"SELECT count(v) FROM dst WHERE {MAR} GROUP BY time(1d, 6h) tz('America/Chicago') fill(none)",
    f"SELECT max(v) FROM dst WHERE {MAR} GROUP BY time(1d, 6h) tz('America/Chicago') fill(previous)",
    f"SELECT mean(v) FROM dst WHERE {MAR} GROUP BY time(1d, 6h) tz('America/Chicago') fill(linear)",
    f"SELECT sum(v) FROM dst WHERE {NOV} GROUP BY time(1d, -3h) tz('America/Chicago')",
    f"SELECT count(v) FROM dst WHERE {NOV} GROUP BY time(2h, 1h) tz('America/Chicago') fill(none)",
    f"SELECT count(v) FROM dst WHERE {MAR} GROUP BY time(1d, 6h), site tz('America/Chicago')",
    # OFFSET without LIMIT: influxd's storage reads OFFSET+1 points per series and shard group
    "SELECT usage FROM cpu OFFSET 2",
    "SELECT usage FROM cpu OFFSET 6",
    "SELECT usage, host FROM cpu OFFSET 5",
    "SELECT usage FROM cpu GROUP BY host OFFSET 3",
    "SELECT usage FROM cpu GROUP BY * OFFSET 2",
    "SELECT usage FROM cpu ORDER BY time DESC OFFSET 2",
    "SELECT v FROM dst OFFSET 3",
    "SELECT v FROM dst ORDER BY time DESC OFFSET 2",
    "SELECT v FROM dst WHERE v > 20 OFFSET 1",
    "SELECT v * 2 FROM dst OFFSET 3",
    "SELECT * FROM cpu, dst OFFSET 2",
    "SELECT * FROM (SELECT usage FROM cpu) OFFSET 2",
    "SELECT count(usage) FROM cpu WHERE time >= '2019-03-07T23:00:00Z' AND time < '2019-03-07T23:20:00Z' GROUP BY time(1m) OFFSET 2",
    "SELECT derivative(v) FROM dst OFFSET 90",
    # regex literals: only \\/ is an escape, so a regex cannot end in a backslash
    "SELECT usage FROM cpu WHERE host =~ /a\\\\/",
    "SELECT usage FROM cpu WHERE host =~ /\\\\/ AND n > 1",
    "SELECT usage FROM cpu WHERE host =~ /a\\\\/b/",
    "SELECT usage FROM cpu WHERE host =~ /a\\\\b/",
    "SELECT usage FROM cpu WHERE host =~ /a\\/b\\\\/",
    # writes: a type conflict inside one body keeps the other lines; a key both tag and field
    "SELECT * FROM cf",
    "SHOW FIELD KEYS FROM cf",
    "SELECT * FROM cfn",
    "SHOW FIELD KEYS FROM cfn",
    "SELECT * FROM tf",
    "SELECT k::tag, k::field FROM tf",
    "SHOW FIELD KEYS FROM tf",
]
