"""What InfluxDB 1.x keeps across a restart after writes it refused (issue 20, section 3):
the shard group a failed write opened stays (a later conflict in it is a partial write), the
series and fields the refused points created are gone (1.6.7's in-memory index and field sets
are rebuilt from the stored points). Recorded from influxd 1.6.7 by v1restart_record.py into
v1restart.json; shared by the recorder and tests/storage/test_failed_write_reopen.py.
"""
from __future__ import annotations

V1RESTART_DB = "v1restart"

WRITES = [
    # a conflict inside a body, in the shard group it opens: the whole group fails
    'fg,h=a f=1 1000000000\nfg,h=b f="s" 2000000000\nfg,h=c g=1 3000000000',
    # a conflict in an existing group: a partial write, the refused point's series created
    "pa,h=a f=1 500000000000000000",
    'pa,h=b f="x" 500000000000000001',
]
QUERIES = [
    "SHOW SERIES",
    "SHOW SERIES EXACT CARDINALITY",
    "SHOW MEASUREMENTS",
    "SHOW MEASUREMENT EXACT CARDINALITY",
    "SHOW TAG VALUES WITH KEY = h",
    "SHOW TAG KEYS",
    "SHOW FIELD KEYS",
    "SELECT * FROM fg",
    "SELECT * FROM pa",
]
# after the restart: a conflict in the group the failed write opened, a field of another type
LATER_WRITES = [
    'fg2 f=1 1000000000\nfg2 f="s" 2000000000\nfg2 g=1 3000000000',
    'fg,h=z f="str" 4000000000',
    'pa,h=c f="y" 500000000000000002',
]
LATER_QUERIES = QUERIES + ["SELECT * FROM fg2"]
