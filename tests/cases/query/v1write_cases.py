"""Writes InfluxDB 1.x keeps where a plain store would refuse or half-write (issue 20, section 3):
a key both tag and field of one measurement, and a field type conflict inside one body.
Recorded from influxd 1.6.7 by v1write_record.py into v1write.json (each write's status
and error, then the queries); shared by the recorder and tests/query/test_v1write_cases.py.

The bodies go, in order, to a fresh database. The ``cfn`` conflicts meet the shard group the
``t*`` points opened (1970's first week): partial writes. The later conflicts are in shard
groups their bodies open (2033, 1973, 1979): 1.6.7 fails each whole, and keeps the types it
created before the failing one (v1diff_cases.py has the same in a group of its own).
"""
from __future__ import annotations

V1WRITE_DB = "v1write"

WRITES = [
    # a key both tag and field: in one line, in two lines of a body, in two bodies (tag first)
    "tf,k=x k=1,v=2 1000000000\ntf,k=y v=3 2000000000\ntf k=4 3000000000",
    "tg,k=x v=1 1000000000\ntg k=2 2000000000",
    "th,k=x v=1 1000000000",
    "th k=2 2000000000",
    'ts,k=x k="s" 1000000000',
    "tb k=1 5000000000",
    # type conflicts inside a body: in a shard group it opens (fails whole), then again (partial)
    'cfn f=1 1000000000\ncfn f="s" 2000000000\ncfn g=1 3000000000',
    'cfn f=1 1000000000\ncfn f="s" 2000000000\ncfn g=1 3000000000',
    # a body over an existing group and a new one: the existing group's points are written
    'cfn f=5 4000000000\nx2 a=1 2000000000000000000\nx2 a="s" 2000000001000000000\nx2 b=1 2000000002000000000',
    # inside one line; then a key both tag and field whose field conflicts
    'cfl b=1i,v=1,time=3,v="x",c=1 100000000000000000',
    "cft,k=x k=1 300000000000000000\ncft k=1i 300000000000000001",
    # a tag key naming a field an earlier body stored before any tag of that key
    "tl f=1 1000000000",
    "tl,f=a v=2 2000000000",
    'tls f="s" 1000000000',
    'tls,f=a v=2 2000000000\ntls f="t" 3000000000\ntls,f=b f="u" 4000000000',
    "tli f=1i 1000000000",
    "tli,f=a f=2.5 2000000000\ntli,f=b v=1 3000000000",
]

QUERIES: list = [
    "SELECT * FROM tf",
    "SELECT k FROM tf",
    "SELECT k::tag FROM tf",
    "SELECT k::field FROM tf",
    "SELECT k::tag, v FROM tf",
    "SELECT k::tag, k::field, k FROM tf",
    "SELECT v FROM tf WHERE k = 'x'",
    "SELECT v FROM tf WHERE k = 1",
    "SELECT v FROM tf WHERE k::tag = 'x'",
    "SELECT v FROM tf WHERE k::field = 1",
    "SELECT v FROM tf WHERE k =~ /x/",
    "SELECT v FROM tf WHERE k::tag =~ /x/",
    "SELECT * FROM tf WHERE k::tag = 'x'",
    "SELECT v, k FROM tf GROUP BY k",
    "SELECT count(k) FROM tf",
    "SELECT count(*) FROM tf",
    "SELECT mean(k) FROM tf GROUP BY k",
    "SELECT * FROM tf GROUP BY *",
    "SELECT * FROM tf GROUP BY k",
    "SELECT k::float * 2 FROM tf",
    "SELECT max(k), k::tag FROM tf",
    "SHOW TAG KEYS FROM tf",
    "SHOW TAG VALUES FROM tf WITH KEY = k",
    "SHOW FIELD KEYS FROM tf",
    "SHOW SERIES FROM tf",
    "SELECT * FROM (SELECT k::tag, k::field FROM tf)",
    "SELECT k FROM (SELECT * FROM tf)",
    "SELECT * FROM tf, tb",
    "SELECT mean(k) FROM tf, tb",
    "SELECT k FROM tb, tf WHERE k > 0",
    "SHOW TAG VALUES FROM tf WITH KEY = k WHERE k = 'x'",
    "SHOW SERIES FROM tf WHERE k = 'x'",
    "SHOW MEASUREMENTS WHERE k = 'x'",
    "SELECT * FROM tg",
    "SELECT k::tag, k::field FROM tg",
    "SELECT * FROM th",
    "SELECT * FROM ts",
    "SHOW FIELD KEYS FROM ts",
    "SELECT * FROM cfn",
    "SHOW FIELD KEYS FROM cfn",
    "SELECT * FROM x2",
    "SHOW FIELD KEYS FROM x2",
    "SELECT * FROM cfl",
    "SHOW FIELD KEYS FROM cfl",
    "SELECT * FROM cft",
    "SHOW FIELD KEYS FROM cft",
    "SHOW TAG KEYS FROM cft",
    "SHOW MEASUREMENTS",
    "SHOW SERIES",
    'SELECT * FROM tl',
    'SELECT f::tag, f::field FROM tl',
    'SELECT f FROM tl',
    'SHOW TAG KEYS FROM tl',
    'SHOW FIELD KEYS FROM tl',
    'SHOW SERIES FROM tl',
    'SELECT * FROM tl GROUP BY f',
    'SHOW TAG VALUES FROM tl WITH KEY = f',
    'SELECT * FROM tls',
    'SELECT f::tag, f::field FROM tls',
    'SELECT f FROM tls',
    'SHOW TAG KEYS FROM tls',
    'SHOW FIELD KEYS FROM tls',
    'SHOW SERIES FROM tls',
    'SELECT * FROM tls GROUP BY f',
    'SHOW TAG VALUES FROM tls WITH KEY = f',
    'SELECT * FROM tli',
    'SELECT f::tag, f::field FROM tli',
    'SELECT f FROM tli',
    'SHOW TAG KEYS FROM tli',
    'SHOW FIELD KEYS FROM tli',
    'SHOW SERIES FROM tli',
    'SELECT * FROM tli GROUP BY f',
    'SHOW TAG VALUES FROM tli WITH KEY = f',
    'SELECT count(f) FROM tls',
    "SELECT v FROM tl WHERE f = 'a'",
    "SELECT v FROM tl WHERE f::tag = 'a'",
    'SELECT f FROM tl WHERE f = 1',
    'SELECT max(f) FROM tl GROUP BY f',
]
