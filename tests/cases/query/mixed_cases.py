"""A small hand-shaped data set for what NOAA lacks: booleans, sparse fields and tags,
DST days, bound parameters. Shared by the case builder and the tests."""
from __future__ import annotations

MIXED_DB = "mixed"
T0 = 1_552_000_000_000_000_000  # 2019-03-07T23:06:40Z
S = 1_000_000_000
H = 3600 * S


def mixed_lines() -> list[str]:
    out = []
    hosts = [("a", "us"), ("b", None), ("c", "eu")]
    for i in range(60):
        host, region = hosts[i % 3]
        tags = f"host={host}" + (f",region={region}" if region else "")
        fields = [f"up={'true' if (i * 7) % 5 < 3 else 'false'}", f"load={(i * 13) % 11}i"]
        if i % 4 != 1:
            fields.append(f"temp={15 + ((i * 37) % 100) / 10}")
        if i % 3 != 2:
            fields.append(f'msg="{["ok", "warn", "fail"][(i * 5) % 3]}"')
        out.append(f"status,{tags} {','.join(fields)} {T0 + i * 10 * S}")
    # hourly points across the US DST switches of 2019 (March 10, November 3)
    for start in (1_552_089_600, 1_572_652_800):  # 2019-03-09T00:00Z, 2019-11-02T00:00Z
        for h in range(96):
            out.append(f"dst,site=x v={h % 24}i {(start + h * 3600) * S}")
    return out


R = "time >= '2019-03-07T23:00:00Z' AND time < '2019-03-08T00:00:00Z'"
MIXED_QUERIES = [
    f"SELECT * FROM status WHERE {R}",
    f"SELECT up, msg FROM status WHERE {R}",
    f"SELECT * FROM status WHERE up = true AND {R}",
    f"SELECT * FROM status WHERE up = false AND {R}",
    f"SELECT * FROM status WHERE up != true AND {R}",
    f"SELECT load FROM status WHERE region = '' AND {R}",
    f"SELECT load FROM status WHERE region != 'us' AND {R}",
    f"SELECT load, region FROM status WHERE region =~ /u/ AND {R}",
    f"SELECT load FROM status WHERE region !~ /u/ AND {R}",
    f"SELECT msg FROM status WHERE msg =~ /^w/ AND {R}",
    f"SELECT msg FROM status WHERE msg = 'ok' OR load > 8 AND {R}",
    f"SELECT temp FROM status WHERE {R} GROUP BY region",
    f"SELECT temp FROM status WHERE {R} GROUP BY *",
    f"SELECT load * 2, load / 2, -load, load - temp FROM status WHERE {R}",
    f"SELECT load::float, temp::integer, up::boolean, msg::string FROM status WHERE {R}",
    f"SELECT up::integer FROM status WHERE {R}",
    f"SELECT count(up), count(msg), count(load), count(temp) FROM status WHERE {R}",
    f"SELECT count(*) FROM status WHERE {R} GROUP BY host",
    f"SELECT first(up), last(up) FROM status WHERE {R}",
    f"SELECT first(msg) FROM status WHERE {R} GROUP BY host",
    f"SELECT last(*) FROM status WHERE {R}",
    f"SELECT max(up) FROM status WHERE {R}",
    f"SELECT min(up), max(load) FROM status WHERE {R}",
    f"SELECT distinct(msg) FROM status WHERE {R}",
    f"SELECT distinct(up) FROM status WHERE {R}",
    f"SELECT mode(up), mode(msg), mode(load) FROM status WHERE {R}",
    f"SELECT mean(up) FROM status WHERE {R}",
    f"SELECT sum(load), mean(load), median(load), spread(load), stddev(load) FROM status WHERE {R} GROUP BY host",
    f"SELECT mean(*) FROM status WHERE {R}",
    f"SELECT max(*) FROM status WHERE {R} GROUP BY host",
    f"SELECT top(load, 3), host FROM status WHERE {R}",
    f"SELECT top(load, host, 2) FROM status WHERE {R}",
    f"SELECT bottom(temp, region, 3) FROM status WHERE {R}",
    f"SELECT percentile(load, 50), percentile(temp, 90) FROM status WHERE {R}",
    f"SELECT mean(load) FROM status WHERE {R} GROUP BY time(2m) fill(linear)",
    f"SELECT mean(load) FROM status WHERE {R} AND load > 8 GROUP BY time(1m) fill(linear)",
    f"SELECT sum(load) FROM status WHERE {R} AND load > 8 GROUP BY time(1m) fill(linear)",
    f"SELECT last(msg) FROM status WHERE {R} AND host = 'b' GROUP BY time(1m) fill(previous)",
    f"SELECT first(up) FROM status WHERE {R} AND load > 5 GROUP BY time(1m) fill(previous)",
    f"SELECT count(temp) FROM status WHERE {R} GROUP BY time(3m), region fill(none)",
    f"SELECT temp FROM status WHERE {R} LIMIT 4 OFFSET 2",
    f"SELECT temp FROM status WHERE {R} GROUP BY host LIMIT 2 SLIMIT 2 SOFFSET 1",
    f"SELECT derivative(load, 1m) FROM status WHERE {R} GROUP BY host",
    f"SELECT non_negative_derivative(load) FROM status WHERE {R} AND host = 'a'",
    f"SELECT non_negative_difference(load), difference(load) FROM status WHERE {R} AND host = 'a'",
    f"SELECT cumulative_sum(load) FROM status WHERE {R} AND host = 'c'",
    f"SELECT elapsed(temp, 1s) FROM status WHERE {R} AND host = 'a'",
    f"SELECT mean(load) + max(load) FROM status WHERE {R} GROUP BY host",
    f"SELECT load FROM status WHERE {R} ORDER BY time DESC LIMIT 5",
    f"SELECT * FROM status WHERE {R} AND time > '2019-03-07T23:15:00Z' LIMIT 3",
    (f"SELECT load FROM status WHERE host = $h AND {R}", {"params": {"h": "a"}}),
    (f"SELECT load FROM status WHERE load > $n AND {R}", {"params": {"n": 7}}),
    (f"SELECT load FROM status WHERE host = $h AND load >= $n AND {R}", {"params": {"h": "c", "n": 5}}),
    # DST: days are 23 and 25 hours long in America/Chicago
    "SELECT count(v), sum(v) FROM dst WHERE time >= '2019-03-09T00:00:00Z' AND time < '2019-03-13T00:00:00Z' GROUP BY time(1d) tz('America/Chicago')",
    "SELECT count(v) FROM dst WHERE time >= '2019-11-02T00:00:00Z' AND time < '2019-11-06T00:00:00Z' GROUP BY time(1d) tz('America/Chicago')",
    "SELECT count(v) FROM dst WHERE time >= '2019-03-10T06:00:00Z' AND time < '2019-03-10T10:00:00Z' GROUP BY time(1h) tz('America/Chicago')",
    "SELECT count(v) FROM dst WHERE time >= '2019-11-03T04:00:00Z' AND time < '2019-11-03T09:00:00Z' GROUP BY time(1h) tz('America/Chicago')",
    "SELECT v FROM dst WHERE time >= '2019-11-03T05:00:00Z' AND time < '2019-11-03T08:00:00Z' tz('America/Chicago')",
    "SELECT count(v) FROM dst WHERE time >= '2019-03-09T00:00:00Z' AND time < '2019-03-13T00:00:00Z' GROUP BY time(12h) tz('Europe/London')",
    "SELECT count(v) FROM dst WHERE time >= '2019-03-09 00:00:00' AND time < '2019-03-12 00:00:00' GROUP BY time(1d) tz('America/Chicago')",
    "SELECT count(v) FROM dst WHERE time < '2019-03-12T00:00:00Z' GROUP BY time(1d) tz('America/Chicago')",
    "SELECT count(v) FROM dst WHERE time < '2019-03-12T00:00:00Z' GROUP BY time(1d)",
    "SELECT mean(v) FROM dst WHERE time < '2019-11-04T00:00:00Z' GROUP BY time(6h) tz('America/Chicago') fill(linear)",
    f'SELECT up, load FROM status WHERE {R} AND up = true AND load > 3',
    f"SELECT * FROM status WHERE {R} AND (up = false OR msg = 'ok')",
    f'SELECT count(up) FROM status WHERE {R} GROUP BY time(10m) fill(none)',
    f'SELECT count(up), first(msg) FROM status WHERE {R} GROUP BY time(10m), host',
    f'SELECT last(up), last(msg), last(load), last(temp) FROM status WHERE {R} GROUP BY host',
    f'SELECT max(temp), min(temp) FROM status WHERE {R} GROUP BY region',
    f"SELECT mean(temp) FROM status WHERE {R} AND region = 'us' GROUP BY time(5m) fill(previous)",
    f'SELECT mean(temp) FROM status WHERE {R} GROUP BY time(5m), region fill(linear)',
    f'SELECT sum(load) FROM status WHERE {R} GROUP BY time(7m, 3m)',
    f'SELECT spread(temp) FROM status WHERE {R} GROUP BY host',
    f'SELECT top(temp, 2), region FROM status WHERE {R}',
    f'SELECT bottom(load, host, 2), region FROM status WHERE {R}',
    f'SELECT top(load, region, 5) FROM status WHERE {R}',
    f'SELECT distinct(load) FROM status WHERE {R} GROUP BY host',
    f'SELECT count(distinct(msg)) FROM status WHERE {R} GROUP BY host',
    f"SELECT temp * 2 + load FROM status WHERE {R} AND host = 'a'",
    f'SELECT temp FROM status WHERE {R} AND temp > load',
    f'SELECT load FROM status WHERE {R} AND load = 4 OR load = 5',
    f"SELECT msg FROM status WHERE {R} AND msg != 'ok'",
    f'SELECT msg FROM status WHERE {R} AND msg !~ /o/',
    f'SELECT * FROM status WHERE {R} AND region !~ /e/',
    f'SELECT load FROM status WHERE {R} AND host =~ /a|b/ GROUP BY host',
    f'SELECT * FROM status WHERE {R} GROUP BY region LIMIT 1',
    f'SELECT mean(load) FROM status WHERE {R} GROUP BY * fill(0)',
    f'SELECT derivative(mean(temp), 1m) FROM status WHERE {R} GROUP BY time(5m)',
    f'SELECT difference(last(load)) FROM status WHERE {R} GROUP BY time(5m), host',
    f'SELECT cumulative_sum(sum(load)) FROM status WHERE {R} GROUP BY time(10m) fill(0)',
    f'SELECT moving_average(mean(temp), 3) FROM status WHERE {R} GROUP BY time(3m)',
    f'SELECT non_negative_difference(max(load)) FROM status WHERE {R} GROUP BY time(2m)',
    # transforms of raw points beside aggregates: influxd zips the two by time
    f"SELECT derivative(load, 1m), count(temp) FROM status WHERE {R} AND host = 'a'",
    f"SELECT difference(temp), max(load), mean(temp) FROM status WHERE {R} GROUP BY host",
    f"SELECT cumulative_sum(load), min(load) FROM status WHERE {R} AND host = 'c'",
    f"SELECT moving_average(temp, 2), sum(load) FROM status WHERE {R} AND host = 'b' LIMIT 3",
    f"SELECT derivative(temp), first(load) FROM status WHERE {R} AND host = 'a' ORDER BY time DESC",
    f"SELECT non_negative_difference(load), count(load) FROM status WHERE {R} GROUP BY host LIMIT 2 OFFSET 1",
    f"SELECT difference(load), count(load) FROM status WHERE {R} GROUP BY time(5m)",
    f"SELECT derivative(load), spread(load) FROM status WHERE {R} AND host = 'z'",
    f"SELECT elapsed(load, 1s) FROM status WHERE {R} AND host = 'b' ORDER BY time DESC",
    f'SELECT load FROM status WHERE {R} ORDER BY time DESC LIMIT 3 OFFSET 3',
    f'SELECT temp FROM status WHERE {R} GROUP BY host ORDER BY time DESC LIMIT 1',
    f'SELECT max(load) FROM status WHERE {R} GROUP BY time(10m), host ORDER BY time DESC LIMIT 2',
    f'SELECT first(temp) FROM status WHERE {R} GROUP BY time(10m) ORDER BY time DESC fill(linear)',
    f'SELECT mean(load) FROM (SELECT load FROM status WHERE {R} AND up = true) GROUP BY host',
    f'SELECT max(m) FROM (SELECT mean(load) AS m FROM status WHERE {R} GROUP BY time(5m), host) GROUP BY host',
    f'SELECT * FROM (SELECT first(msg) AS f, last(load) AS l FROM status WHERE {R} GROUP BY host)',
    f"SELECT f FROM (SELECT first(msg) AS f FROM status WHERE {R} GROUP BY host) WHERE f = 'ok'",
    f"SELECT count(v) FROM dst WHERE time >= '2019-11-02T00:00:00Z' AND time < '2019-11-06T00:00:00Z' GROUP BY time(1d, 3h) tz('America/Chicago')",
    f"SELECT max(v) FROM dst WHERE time >= '2019-03-09T00:00:00Z' AND time < '2019-03-12T00:00:00Z' GROUP BY time(1w) tz('America/Chicago')",
    f"SELECT v FROM dst WHERE time >= '2019-03-10 01:00:00' AND time <= '2019-03-10 04:00:00' tz('America/Chicago')",
    f"SELECT sum(v) FROM dst WHERE time >= '2019-03-09T00:00:00Z' AND time < '2019-03-12T00:00:00Z' GROUP BY time(1d) tz('Asia/Kathmandu')",
    # errors
    f"SELECT count(up) FROM status WHERE {R} GROUP BY time(1m) fill(linear)",
    f"SELECT distinct(msg), count(msg) FROM status WHERE {R}",
    f"SELECT max(load), min(load), host FROM status WHERE {R}",
    f"SELECT top(msg, 2) FROM status WHERE {R}",
    f"SELECT load FROM status WHERE {R} fill(none)",
    f"SELECT mean(load) FROM status WHERE {R} GROUP BY time(1m), time(2m)",
    f"SELECT derivative(load, -1s) FROM status WHERE {R}",
    f"SELECT moving_average(load, 1) FROM status WHERE {R}",
    f"SELECT difference(mean(load)) FROM status WHERE {R}",
    f"SELECT holt_winters(mean(load), 0, 1) FROM status WHERE {R} GROUP BY time(1m)",
    f"SELECT exponential_moving_average(load, 0) FROM status WHERE {R}",
    f"SELECT percentile(load, 'x') FROM status WHERE {R}",
    f"SELECT top(load, 2) FROM status WHERE {R} LIMIT 1",
    f"SELECT load FROM status WHERE mean(load) > 1 AND {R}",
    f"SELECT mean(load) FROM status WHERE {R} GROUP BY load + 1",
    f"SELECT 1 + 2 FROM status WHERE {R}",
    f"SELECT load + * FROM status WHERE {R}",
    f"SELECT mean(load) FROM status WHERE {R} ORDER BY load",
    # a GROUP BY name the data lacks: an empty key, yet an unknown field to the SELECT list
    f"SELECT nope FROM status WHERE {R} GROUP BY nope",
    f"SELECT nope - 0 FROM status WHERE {R} GROUP BY nope",
    f"SELECT nope, load FROM status WHERE {R} GROUP BY nope",
    f"SELECT nope + load FROM status WHERE {R} GROUP BY nope",
    f"SELECT count(nope), count(load) FROM status WHERE {R} GROUP BY nope",
    f"SELECT count(nope) FROM status WHERE {R} GROUP BY nope",
    # mode() and percentile() ties, broken by Go 1.19's sort.Sort in influxd (exec/go_sort.py)
    f"SELECT mode(load) FROM status WHERE {R} GROUP BY time(4m)",
    f"SELECT mode(msg) FROM status WHERE {R} GROUP BY time(3m) ORDER BY time DESC",
    f"SELECT percentile(load, 50), host FROM status WHERE {R}",
    f"SELECT percentile(load, 30), host, msg FROM status WHERE {R} ORDER BY time DESC",
    # a subquery's fill(<number>) into a text column: the outer query reads the number
    f"SELECT * FROM (SELECT load, msg, up FROM status WHERE {R} AND host = 'c' fill(9)) LIMIT 5",
    f"SELECT load, msg FROM (SELECT load, msg FROM status WHERE {R} fill(9)) WHERE msg = 9",
    f"SELECT load, msg FROM (SELECT load, msg FROM status WHERE {R} fill(9)) WHERE msg > 8 AND load > 5",
    f"SELECT max(load), msg FROM (SELECT load, msg FROM status WHERE {R} AND host = 'c' fill(2.5))",
    f"SELECT load, msg FROM (SELECT load, msg FROM status WHERE {R} fill(9)) WHERE msg = 'ok' LIMIT 3",
]
