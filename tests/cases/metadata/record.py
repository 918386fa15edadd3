"""Record meta-statement answers from a real influxd 1.6.7 (run by hand, not by pytest).

    python tests/cases/metadata/record.py http://127.0.0.1:18786

Runs STEPS in order against an empty influxd (it drops every database first!)
and writes ``cases.json``: each step's statement, request db, and JSON answer.
A step ``{"write": db, "points": [...]}`` writes points (the test feeds the same
points to its fake provider).
"""
from __future__ import annotations

import json
import sys
from pathlib import Path

import httpx

OUT = Path(__file__).with_name("cases.json")
S = 1_000_000_000

POINTS = [  # measurement, tags, fields {name: [type, value]}, time
    ["cpu", {"host": "a", "region": "us"}, {"v": ["float", 1.0], "w": ["integer", 2]}, 1 * S],
    ["cpu", {"host": "b", "region": "eu"}, {"v": ["float", 2.0], "s": ["string", "x"]}, 2 * S],
    ["cpu", {"host": "c"}, {"v": ["float", 3.0]}, 3 * S],
    ["mem", {"host": "a"}, {"free": ["integer", 10], "ok": ["boolean", True]}, 1 * S],
    ["disk", {}, {"v": ["float", 1.0]}, 1 * S],
    ["my meas", {"tag key": "va,l=x", "z": "1"}, {"v": ["float", 1.0]}, 1 * S],
    ["net", {"dc": "west", "host": "b"}, {"rx": ["integer", 5]}, 4 * S],
    ["net", {"dc": "east", "host": "d"}, {"rx": ["integer", 6]}, 5 * S],
]


def _esc(s: str, chars: str) -> str:
    for c in chars:
        s = s.replace(c, "\\" + c)
    return s


def line(p) -> str:
    m, tags, fields, t = p
    key = _esc(m, ", ") + "".join(f",{_esc(k, ',= ')}={_esc(v, ',= ')}" for k, v in sorted(tags.items()))
    fs = []
    for k, (typ, v) in fields.items():
        if typ == "integer":
            fs.append(f"{k}={v}i")
        elif typ == "string":
            fs.append(f'{k}="{v}"')
        elif typ == "boolean":
            fs.append(f"{k}={'true' if v else 'false'}")
        else:
            fs.append(f"{k}={v}")
    return f"{key} {','.join(fs)} {t}"


STEPS = [
    ("SHOW DATABASES", ""),
    ("SHOW MEASUREMENTS", ""),
    ("SHOW RETENTION POLICIES", ""),
    ("CREATE DATABASE md", ""),
    ("SHOW DATABASES", ""),
    ("SHOW RETENTION POLICIES ON md", ""),
    ("SHOW MEASUREMENTS", "md"),
    ("SHOW SERIES", "md"),
    ("SHOW TAG KEYS", "md"),
    ("SHOW FIELD KEYS", "md"),
    ("SHOW SHARD GROUPS", ""),
    ("SHOW SHARDS", ""),
    ("SHOW CONTINUOUS QUERIES", ""),
    ("SHOW SUBSCRIPTIONS", ""),
    ("SHOW USERS", ""),
    ("SHOW GRANTS FOR bob", ""),
    ("DROP USER bob", ""),
    ("GRANT READ ON md TO bob", ""),
    ("REVOKE ALL PRIVILEGES FROM bob", ""),
    ("SET PASSWORD FOR bob = 'x'", ""),
    ("KILL QUERY 12345", ""),
    ("DROP SHARD 999", ""),
    ("DROP CONTINUOUS QUERY cq1 ON md", ""),
    ("DROP SUBSCRIPTION s1 ON md.autogen", ""),
    {"write": "md"},
    ("SHOW MEASUREMENTS", "md"),
    ("SHOW MEASUREMENTS ON md", ""),
    ("SHOW MEASUREMENTS ON nope", ""),
    ("SHOW MEASUREMENTS WITH MEASUREMENT =~ /c.*/", "md"),
    ("SHOW MEASUREMENTS WITH MEASUREMENT = cpu", "md"),
    ("SHOW MEASUREMENTS WITH MEASUREMENT = nope", "md"),
    ("SHOW MEASUREMENTS WHERE host = 'a'", "md"),
    ("SHOW MEASUREMENTS WHERE host =~ /^[ab]/ AND region = 'eu'", "md"),
    ("SHOW MEASUREMENTS WHERE host = 'b' OR dc = 'east'", "md"),
    ("SHOW MEASUREMENTS WHERE time > 0", "md"),
    ("SHOW MEASUREMENTS LIMIT 2 OFFSET 1", "md"),
    ("SHOW MEASUREMENTS LIMIT 2", "md"),
    ("SHOW MEASUREMENTS OFFSET 10", "md"),
    ("SHOW SERIES", "md"),
    ("SHOW SERIES ON md FROM cpu", ""),
    ("SHOW SERIES FROM cpu WHERE region =~ /u/", "md"),
    ("SHOW SERIES FROM /^(cpu|net)$/ WHERE host = 'b'", "md"),
    ("SHOW SERIES WHERE host != 'a'", "md"),
    ("SHOW SERIES WHERE host !~ /a|b/", "md"),
    ("SHOW SERIES WHERE host = 'a' OR region = 'eu'", "md"),
    ("SHOW SERIES WHERE (host = 'a' OR host = 'b') AND region = 'us'", "md"),
    ("SHOW SERIES WHERE time > 0", "md"),
    ("SHOW SERIES LIMIT 2 OFFSET 1", "md"),
    ("SHOW SERIES FROM nope", "md"),
    ("SHOW SERIES ON nope", ""),
    ("SHOW SERIES", ""),
    ("SHOW TAG KEYS", "md"),
    ("SHOW TAG KEYS FROM cpu", "md"),
    ("SHOW TAG KEYS FROM /e/", "md"),
    ("SHOW TAG KEYS WHERE host = 'b'", "md"),
    ("SHOW TAG KEYS WHERE region = 'eu'", "md"),
    ("SHOW TAG KEYS LIMIT 1", "md"),
    ("SHOW TAG KEYS LIMIT 1 OFFSET 1", "md"),
    ("SHOW TAG KEYS ON nope", ""),
    ("SHOW TAG KEYS", ""),
    ("SHOW TAG VALUES WITH KEY = host", "md"),
    ("SHOW TAG VALUES FROM cpu WITH KEY IN (host, region)", "md"),
    ("SHOW TAG VALUES WITH KEY =~ /o/", "md"),
    ("SHOW TAG VALUES WITH KEY != host", "md"),
    ("SHOW TAG VALUES WITH KEY !~ /h/", "md"),
    ("SHOW TAG VALUES WITH KEY = host WHERE region = 'eu'", "md"),
    ("SHOW TAG VALUES WITH KEY = host WHERE region != 'eu'", "md"),
    ("SHOW TAG VALUES WITH KEY = host LIMIT 1 OFFSET 1", "md"),
    ("SHOW TAG VALUES WITH KEY = \"tag key\"", "md"),
    ("SHOW TAG VALUES WITH KEY = nope", "md"),
    ("SHOW TAG VALUES ON nope WITH KEY = host", ""),
    ("SHOW FIELD KEYS", "md"),
    ("SHOW FIELD KEYS FROM mem", "md"),
    ("SHOW FIELD KEYS FROM /m.*/", "md"),
    ("SHOW FIELD KEYS LIMIT 1 OFFSET 1", "md"),
    ("SHOW FIELD KEYS ON nope", ""),
    ("SHOW SERIES CARDINALITY", "md"),
    ("SHOW SERIES CARDINALITY ON nope", ""),
    ("SHOW SERIES EXACT CARDINALITY", "md"),
    ("SHOW SERIES EXACT CARDINALITY FROM cpu", "md"),
    ("SHOW SERIES EXACT CARDINALITY WHERE host = 'b'", "md"),
    ("SHOW SERIES EXACT CARDINALITY ON nope", ""),
    ("SHOW MEASUREMENT CARDINALITY", "md"),
    ("SHOW MEASUREMENT EXACT CARDINALITY", "md"),
    ("SHOW MEASUREMENT EXACT CARDINALITY FROM /c|n/", "md"),
    ("SHOW TAG KEY CARDINALITY", "md"),
    ("SHOW TAG KEY EXACT CARDINALITY FROM cpu", "md"),
    ("SHOW FIELD KEY CARDINALITY", "md"),
    ("SHOW FIELD KEY EXACT CARDINALITY", "md"),
    ("SHOW TAG VALUES CARDINALITY WITH KEY = host", "md"),
    ("SHOW TAG VALUES EXACT CARDINALITY WITH KEY = host", "md"),
    ("SHOW TAG VALUES EXACT CARDINALITY FROM cpu WITH KEY IN (host, region)", "md"),
    ("SHOW RETENTION POLICIES", "md"),
    ("CREATE DATABASE md", ""),
    ("CREATE DATABASE d2 WITH DURATION 3d REPLICATION 1 SHARD DURATION 1h NAME r1", ""),
    ("SHOW RETENTION POLICIES ON d2", ""),
    ("CREATE DATABASE d2 WITH DURATION 2d", ""),
    ("CREATE DATABASE d2 WITH DURATION 3d SHARD DURATION 1h NAME r1", ""),
    ("CREATE DATABASE d2", ""),
    ("CREATE DATABASE d3 WITH DURATION 30m", ""),
    ("CREATE DATABASE d3 WITH DURATION 2h SHARD DURATION 3h", ""),
    ("CREATE DATABASE d4 WITH DURATION 200d", ""),
    ("CREATE DATABASE d5 WITH NAME only", ""),
    ("SHOW RETENTION POLICIES ON d4", ""),
    ("SHOW RETENTION POLICIES ON d5", ""),
    ("SHOW DATABASES", ""),
    ("SHOW RETENTION POLICIES ON d3", ""),
    ("CREATE RETENTION POLICY r2 ON d2 DURATION 2h REPLICATION 1", ""),
    ("CREATE RETENTION POLICY r3 ON d2 DURATION INF REPLICATION 2 SHARD DURATION 2w DEFAULT", ""),
    ("CREATE RETENTION POLICY r2 ON d2 DURATION 3h REPLICATION 1", ""),
    ("CREATE RETENTION POLICY r2 ON d2 DURATION 2h REPLICATION 1", ""),
    ("CREATE RETENTION POLICY r4 ON nope DURATION 2h REPLICATION 1", ""),
    ("CREATE RETENTION POLICY r5 ON d2 DURATION 10m REPLICATION 1", ""),
    ("CREATE RETENTION POLICY r5 ON d2 DURATION 2h REPLICATION 1 SHARD DURATION 30m", ""),
    ("CREATE RETENTION POLICY r6 ON d2 DURATION 4d REPLICATION 1", ""),
    ("CREATE RETENTION POLICY r7 ON d2 DURATION 2h REPLICATION 1 SHARD DURATION 3h", ""),
    ("SHOW RETENTION POLICIES ON d2", ""),
    ("ALTER RETENTION POLICY r2 ON d2 DURATION 5h DEFAULT", ""),
    ("ALTER RETENTION POLICY nope ON d2 DURATION 5h", ""),
    ("ALTER RETENTION POLICY r2 ON nope DURATION 5h", ""),
    ("ALTER RETENTION POLICY r2 ON d2 DURATION 30m", ""),
    ("ALTER RETENTION POLICY r6 ON d2 SHARD DURATION 2h REPLICATION 3", ""),
    ("ALTER RETENTION POLICY r6 ON d2 DURATION 1h", ""),
    ("SHOW RETENTION POLICIES ON d2", ""),
    ("DROP RETENTION POLICY r2 ON d2", ""),
    ("DROP RETENTION POLICY r2 ON d2", ""),
    ("DROP RETENTION POLICY r2 ON nope", ""),
    ("SHOW RETENTION POLICIES ON d2", ""),
    ("DROP DATABASE d2", ""),
    ("DROP DATABASE d2", ""),
    ("DROP DATABASE d4", ""),
    ("DROP DATABASE d5", ""),
    ("SHOW DATABASES", ""),
    ("DROP MEASUREMENT nope", "md"),
    ("DROP MEASUREMENT cpu", ""),
    ("DROP SERIES FROM cpu", ""),
    ("DELETE FROM cpu", ""),
    ("DROP SERIES FROM cpu WHERE time > 0", "md"),
    ("DELETE FROM nope", "md"),
    ("DELETE WHERE time < 0", "md"),
    ("DROP SERIES WHERE host = 'zz'", "md"),
    ("DROP SERIES FROM cpu WHERE host = 'c'", "md"),
    ("SHOW SERIES", "md"),
    ("DELETE FROM net WHERE dc = 'east'", "md"),
    ("SHOW SERIES", "md"),
    ("SHOW TAG VALUES WITH KEY = dc", "md"),
    ("DROP MEASUREMENT disk", "md"),
    ("SHOW MEASUREMENTS", "md"),
    ("DROP SERIES WHERE region = 'us'", "md"),
    ("SHOW SERIES", "md"),
    ("DELETE FROM mem", "md"),
    ("SHOW MEASUREMENTS", "md"),
    ("SHOW FIELD KEYS", "md"),
    ("DROP DATABASE md", ""),
    ("SHOW DATABASES", ""),
    ("SHOW MEASUREMENTS", "md"),
    ("CREATE DATABASE md2", ""),
    {"write": "md2", "points": "POINTS2"},
    ("SHOW SERIES", "md2"),
    ("SHOW TAG KEYS FROM cpu, mem", "md2"),
    ("SHOW FIELD KEYS FROM cpu, nope", "md2"),
    ("SHOW SERIES FROM \"my meas\"", "md2"),
    ("SHOW MEASUREMENTS WITH MEASUREMENT =~ /e/ LIMIT 1", "md2"),
    ("SHOW MEASUREMENTS WHERE \"tag key\" = 'va,l=x'", "md2"),
    ("SHOW TAG VALUES WITH KEY IN (\"tag key\", z)", "md2"),
    ("SHOW TAG VALUES WITH KEY = host WHERE host =~ /a|b/", "md2"),
    ("SHOW TAG VALUES WITH KEY = host WHERE host != ''", "md2"),
    ("SHOW SERIES WHERE region = ''", "md2"),
    ("SHOW SERIES WHERE host = 'a' AND host = 'b'", "md2"),
    ("SHOW SERIES EXACT CARDINALITY LIMIT 1", "md2"),
    ("SHOW TAG KEY EXACT CARDINALITY LIMIT 1 OFFSET 1", "md2"),
    ("DELETE FROM cpu WHERE time > now() - 1h", "md2"),
    ("SHOW SERIES", "md2"),
    ("DELETE FROM cpu WHERE time < 50s", "md2"),
    ("SHOW SERIES", "md2"),
    ("DELETE WHERE host = 'a' AND time >= 10s AND time <= 20s", "md2"),
    ("SHOW SERIES", "md2"),
    ("DELETE WHERE host = 'a' AND time >= 60s", "md2"),
    ("SHOW SERIES", "md2"),
    ("SHOW TAG VALUES WITH KEY = host", "md2"),
    ("SHOW FIELD KEYS", "md2"),
    ("DROP SERIES FROM /c.*/", "md2"),
    ("SHOW MEASUREMENTS", "md2"),
    ("SHOW SERIES", "md2"),
    ("DROP DATABASE md2", ""),
]

POINTS2 = [
    [m, tags, fields, k * 10 * S]
    for k in range(1, 11)
    for m, tags, fields in (
        ("cpu", {"host": "a", "region": "us"}, {"v": ["float", float(k)]}),
        ("cpu", {"host": "b"}, {"v": ["float", float(k)], "n": ["integer", k]}),
        ("mem", {"host": "a"}, {"free": ["integer", k]}),
        ("my meas", {"tag key": "va,l=x", "z": str(k % 3)}, {"v": ["float", 1.5]}),
    )
    if not (m == "cpu" and k < 3 and "n" in fields)
]


def main(url: str) -> None:
    out = []
    with httpx.Client(base_url=url, timeout=60) as c:
        dbs = c.post("/query", params={"q": "SHOW DATABASES"}).json()["results"][0]["series"][0].get("values", [])
        for (d,) in dbs:
            c.post("/query", params={"q": f'DROP DATABASE "{d}"'})
        for step in STEPS:
            if isinstance(step, dict):
                points = POINTS2 if step.get("points") == "POINTS2" else POINTS
                body = "\n".join(line(p) for p in points)
                r = c.post("/write", params={"db": step["write"]}, content=body.encode())
                assert r.status_code == 204, r.text
                out.append({"write": step["write"], "points": points})
                continue
            q, db = step
            r = c.post("/query", params={"q": q, "db": db})
            out.append({"query": q, "db": db, "expected": r.json()["results"][0]})
    OUT.write_text(json.dumps(out, indent=1) + "\n")
    print(len(out), "steps")


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else "http://127.0.0.1:18786")
