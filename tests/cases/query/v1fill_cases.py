"""fill() without a lower time bound and ORDER BY time DESC sums, influxd 1.6.7's answers (issue 20).
Recorded by v1fill_record.py into v1fill.json; read by tests/query/test_v1fill.py.

Data (``FILL_DB``): v1subq_cases' ``cpu`` (six hosts, nine points each within the first hour
of 1970, ``h4`` without ``region``) and ``w`` (five hosts over 24 days, every other day).

1. No range start: influxd's fill iterator starts each series at its own first window (ASC)
   and ends it at its own earliest one (DESC), not at the first window of all series.
2. No range start and a GROUP BY offset: ``Window(MinTime)`` subtracts the offset and the
   int64 wraps, so the walk begins in 2262: the first point comes out first, then windows
   filled from 1677 on a grid shifted off the offset's (1677-09-21T00:30:26.290448384Z for
   time(20m, 5m)), up to the range's end; fill(linear) there divides times by the interval
   the Go way and its slope is infinite (the body is json's error). The windows are few
   here (intervals of hundreds of days): for time(20m, 5m) influxd answers 7,686,147 rows a
   series (and was killed for memory answering six series); we answer the max-select-windows
   error instead (tests/query/test_v1fill.py).
3. ORDER BY time DESC: influxd reads a series backwards, and a window's float sum, mean and
   stddev add its points in that order (last digits).
4. tz() with an offset and no start: the wrapped walk as in 2., its steps moved where the
   zone's offset changes (local mean time before 1900: +05:53 in Kolkata).
5. A subquery filling with an offset and no start: every run of its stream walks as in 2.
   (not recorded: an outer GROUP BY time() filled over such a stream, whose fill window
   overflows int64 and whose first window clamps to MinTime).
"""
from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from v1subq_cases import shard_lines, subq_lines  # noqa: E402

FILL_DB = "v1fill"
W = "time < '1970-01-01T01:00:00Z'"
L = "time >= '1970-01-01T00:00:00Z' AND " + W
WW = "time < '1970-01-25T00:00:00Z'"


def fill_lines() -> list[str]:
    return subq_lines() + shard_lines() + tree_lines()


def tree_lines() -> list[str]:
    """``p``: nine series (``host`` h0..h8, ``dc`` d0..d2) over three weeks of 1970 (four
    shard groups: they start on Mondays), a point every 5 to 13 hours, some series starting
    late or ending early; floats of many digits, and an integer field."""
    out, seed = [], 11
    for i in range(9):
        t = (i % 3) * 86_400 + 3_600 * i
        end = 21 * 86_400 - (i % 4) * 2 * 86_400
        while t < end:
            seed = (seed * 1103515245 + 12345) % 2**31
            out.append(f"p,dc=d{i % 3},host=h{i} x={(seed >> 5) % 100_000 / 997},k={(seed >> 9) % 50}i {t}000000000")
            t += 3_600 * (5 + (seed >> 12) % 9)
    return out


# 1. each series from its own first window
OWN_START = [
    f"SELECT count(usage) FROM cpu WHERE {W} GROUP BY time(5m), host fill(0)",
    f"SELECT count(usage) FROM cpu WHERE {W} GROUP BY time(5m), host fill(0) ORDER BY time DESC",
    f"SELECT mean(usage) FROM cpu WHERE {W} GROUP BY time(10m), host fill(0) ORDER BY time DESC",
    f"SELECT max(v) FROM w WHERE {WW} GROUP BY time(2d), host fill(0)",
    f"SELECT max(v) FROM w WHERE {WW} GROUP BY time(2d), host fill(previous) ORDER BY time DESC",
    f"SELECT max(v) FROM w WHERE {WW} GROUP BY time(2d), host fill(linear)",
    f"SELECT max(v) FROM w WHERE {WW} GROUP BY time(2d), host fill(null) LIMIT 3",
    f"SELECT max(v) FROM w, cpu WHERE {WW} GROUP BY time(2d), host fill(0)",
    f"SELECT min(usage) FROM cpu WHERE {W} GROUP BY time(10m), region fill(-1)",
]

# 2. an offset: the wrapped walk from 1677
WRAPPED = [
    f"SELECT count(usage) FROM cpu WHERE {W} GROUP BY time(20m, 5m) fill(none)",
    f"SELECT count(usage) FROM cpu WHERE {W} GROUP BY time(400d, 5m) fill(0)",
    f"SELECT count(usage) FROM cpu WHERE {W} GROUP BY time(400d, -5m) fill(0)",
    f"SELECT count(usage) FROM cpu WHERE {W} GROUP BY time(400d, 5m), host fill(0)",
    f"SELECT count(usage) FROM cpu WHERE {W} GROUP BY time(400d, 5m) fill(null)",
    f"SELECT mean(usage) FROM cpu WHERE {W} GROUP BY time(400d, 5m) fill(null)",
    f"SELECT mean(usage) FROM cpu WHERE {W} GROUP BY time(400d, 5m) fill(previous)",
    f"SELECT mean(usage) FROM cpu WHERE {W} GROUP BY time(400d, 5m) fill(linear)",
    f"SELECT max(n) FROM cpu WHERE {W} GROUP BY time(400d, 5m) fill(linear)",
    f"SELECT max(n) FROM cpu WHERE {W} GROUP BY time(400d, 5m), host fill(linear)",
    f"SELECT mean(usage) FROM cpu WHERE {W} GROUP BY time(400d, 5m), host fill(previous)",
    f"SELECT mean(usage), count(n) FROM cpu WHERE {W} GROUP BY time(400d, 5m), host fill(-1)",
    f"SELECT mean(usage) FROM cpu WHERE {W} GROUP BY time(400d, 5m) fill(0) ORDER BY time DESC",
    f"SELECT mean(usage) FROM cpu WHERE {W} GROUP BY time(400d, 5m), host fill(0) ORDER BY time DESC",
    f"SELECT sum(v) FROM w WHERE {WW} GROUP BY time(1000d, 1d) fill(0)",
    f"SELECT sum(v) FROM w WHERE {WW} GROUP BY time(1000d, 1d), host fill(previous)",
    f"SELECT max(v) FROM w WHERE {WW} GROUP BY time(1000d, 1d), host fill(linear)",
    f"SELECT max(v) FROM w WHERE {WW} GROUP BY time(2000d, 3d), host fill(linear)",
    f"SELECT max(v) FROM w WHERE {WW} GROUP BY time(1000d, -1d), host fill(null)",
    f"SELECT count(v) FROM w WHERE {WW} GROUP BY time(1000d, 1d), host fill(null) LIMIT 3",
    f"SELECT count(v) FROM w WHERE {WW} GROUP BY time(1000d, 1d) fill(null) LIMIT 3 OFFSET 2",
    f"SELECT max(v) FROM w WHERE {WW} GROUP BY time(1000d, 1d) fill(null) LIMIT 3",
    f"SELECT max(v) FROM w WHERE {WW} GROUP BY time(1000d, 1d) fill(none) LIMIT 3",
    f"SELECT max(v) FROM w, cpu WHERE {WW} GROUP BY time(1000d, 12h), host fill(0)",
    f"SELECT max(m) FROM (SELECT max(v) AS m FROM w WHERE {WW} GROUP BY time(2d), host) WHERE {WW} "
    "GROUP BY time(1000d, 12h) fill(0)",
]

# 3. ORDER BY time DESC: sums added backwards (difference(mean) without a lower bound included)
DESC_SUMS = [
    f"SELECT difference(mean(usage)) FROM cpu WHERE {W} GROUP BY time(10m), host fill(0) ORDER BY time DESC",
    f"SELECT difference(mean(usage)) FROM cpu WHERE {L} GROUP BY time(10m), host fill(0) ORDER BY time DESC",
    f"SELECT difference(mean(usage)) FROM cpu WHERE {W} GROUP BY time(10m), host fill(previous) ORDER BY time DESC",
    f"SELECT difference(mean(usage)) FROM cpu WHERE {W} GROUP BY time(10m), host fill(linear) ORDER BY time DESC",
    f"SELECT difference(mean(usage)) FROM cpu WHERE {W} GROUP BY time(10m), host fill(none) ORDER BY time DESC",
    f"SELECT difference(mean(usage)) FROM cpu WHERE {W} GROUP BY time(10m), host fill(0)",
    f"SELECT difference(mean(usage)) FROM cpu WHERE {W} GROUP BY time(10m) fill(0) ORDER BY time DESC",
    f"SELECT mean(usage), sum(usage), stddev(usage) FROM cpu WHERE {L} GROUP BY time(20m), host ORDER BY time DESC",
    f"SELECT mean(v) FROM w WHERE {WW} GROUP BY time(6d) ORDER BY time DESC",
    f"SELECT mean(v), sum(v) FROM w WHERE {WW} GROUP BY time(6d), host ORDER BY time DESC",
]

# 4. tz() and an offset: Window reads the zone at the wrapped time (2262) and the walk's steps move
#    where the zone's offset changes, from its local mean time of 1677 on (printed with Go's
#    truncated minutes: +10:04 for Sydney's +10:04:52)
K, NY = "tz('Asia/Kolkata')", "tz('America/New_York')"
TZ_WRAPPED = [
    f"SELECT max(v) FROM w WHERE {WW} GROUP BY time(100d, 1d) fill(0) {K}",
    f"SELECT max(v) FROM w WHERE {WW} GROUP BY time(100d, -1d) fill(0) {NY}",
    f"SELECT count(v) FROM w WHERE {WW} GROUP BY time(100d, 1d) fill(-1) {NY}",
    f"SELECT max(v) FROM w WHERE {WW} GROUP BY time(400d, 1d), host fill(previous) {K}",
    f"SELECT max(v) FROM w WHERE {WW} GROUP BY time(400d, 1d), host fill(linear) tz('Australia/Sydney')",
    f"SELECT max(v) FROM w WHERE {WW} GROUP BY time(400d, 12h) fill(null) tz('Europe/Paris')",
    f"SELECT max(v) FROM w WHERE {WW} GROUP BY time(30d, 1d) fill(0) LIMIT 5 {K}",
    f"SELECT count(v) FROM w WHERE {WW} GROUP BY time(5d, 1d) fill(linear) LIMIT 3 OFFSET 2 {K}",
    f"SELECT mean(usage) FROM cpu WHERE {W} GROUP BY time(400d, 5m), host fill(0) {K}",
    f"SELECT m FROM (SELECT mean(usage) AS m FROM cpu WHERE {W} GROUP BY time(400d, 5m), host fill(previous) {K})",
    f"SELECT mean(usage) FROM cpu WHERE {W} GROUP BY time(400d, 5m) fill(linear) {K}",
    f"SELECT max(v) FROM w WHERE {WW} GROUP BY time(2d) fill(0) {K}",
    f"SELECT max(v) FROM w WHERE {WW} GROUP BY time(100d, 1d) fill(0) ORDER BY time DESC {K}",
    f"SELECT max(v) FROM w WHERE {WW} GROUP BY time(100d, 1d), host fill(previous) ORDER BY time DESC {NY}",
    f"SELECT max(v) FROM w WHERE {WW} GROUP BY time(3d, 1d) fill(linear) ORDER BY time DESC {K}",
]

# 5. a subquery filling with an offset and no start: each run of its stream walks from 1677
#    (the fill iterator restarts at each run), an outer raw query or aggregate reads the walk
SUB = f"SELECT max(v) AS m FROM w WHERE {WW} GROUP BY time"
SUBQ_WRAPPED = [
    f"SELECT m FROM ({SUB}(1000d, 1d), host fill(0)) WHERE {WW}",
    f"SELECT m FROM ({SUB}(100d, 1d) fill(previous))",
    f"SELECT m FROM ({SUB}(100d, 1d) fill(linear))",
    f"SELECT m FROM ({SUB}(400d, 1d), host fill(-1))",
    f"SELECT m * 2 FROM (SELECT max(v) + 1 AS m FROM w WHERE {WW} GROUP BY time(400d, -1d) fill(7))",
    f"SELECT m FROM ({SUB}(100d, 1d) fill(0)) ORDER BY time DESC",
    f"SELECT m FROM ({SUB}(100d, 1d) fill(0) ORDER BY time DESC)",
    f"SELECT m FROM ({SUB}(100d, 1d) fill(0) {K})",
    f"SELECT count(m) FROM ({SUB}(100d, 1d) fill(0))",
    f"SELECT count(m), sum(m) FROM ({SUB}(5d, 1d) fill(linear))",
    f"SELECT count(m), max(m) FROM ({SUB}(5d, 1d) fill(previous))",
    f"SELECT count(m), sum(m) FROM ({SUB}(100d, 1d), host fill(0)) GROUP BY host",
    f"SELECT max(m), min(m) FROM ({SUB}(1000d, 1d), host fill(previous)) GROUP BY host",
    f"SELECT first(m), last(m) FROM ({SUB}(100d, -1d) fill(previous))",
    f"SELECT mean(m) FROM ({SUB}(1000d, 1d), host fill(linear)) GROUP BY time(1000d) fill(none)",
    f"SELECT m FROM ({SUB}(100d, 1d) fill(linear) ORDER BY time DESC)",
    f"SELECT m FROM ({SUB}(100d, 1d), host fill(linear)) ORDER BY time DESC",
    f"SELECT count(m) FROM ({SUB}(100d, 1d), host fill(previous) {NY}) GROUP BY host ORDER BY time DESC",
]

# 6. influxd's reduce tree (exec/go_reduce.py): float sums and means of several series, of several
#    shard groups (a week each, from Mondays), with and without GROUP BY time and tags, ASC and
#    DESC, in and over subqueries; stddev's running mean
PP = "time < '1970-01-22T00:00:00Z'"
PS = "time >= '1969-12-20T00:00:00Z' AND " + PP  # a start: an offset's windows from there, not from 1677
TREE = [
    f"SELECT sum(x), mean(x) FROM p WHERE {PP}",
    f"SELECT sum(x), mean(x) FROM p WHERE {PP} ORDER BY time DESC",
    f"SELECT sum(x), mean(x), stddev(x) FROM p WHERE {PP} GROUP BY dc",
    f"SELECT sum(x), mean(x) FROM p WHERE {PP} GROUP BY time(2d)",
    f"SELECT sum(x), mean(x) FROM p WHERE {PP} GROUP BY time(2d) ORDER BY time DESC",
    f"SELECT mean(x) FROM p WHERE {PP} GROUP BY time(3d), dc ORDER BY time DESC",
    f"SELECT sum(x) FROM p WHERE {PS} GROUP BY time(10d, 1d), dc fill(0)",
    f"SELECT mean(x) FROM p WHERE {PP} GROUP BY time(1d) fill(none)",
    f"SELECT stddev(x) FROM p WHERE {PP} GROUP BY time(4d)",
    f"SELECT stddev(x) FROM p WHERE {PP} GROUP BY time(4d), dc ORDER BY time DESC",
    f"SELECT stddev(x), mean(x) FROM p WHERE {PP} GROUP BY host",
    f"SELECT stddev(x) FROM p WHERE {PP} ORDER BY time DESC",
    f"SELECT mean(k), stddev(k) FROM p WHERE {PP} GROUP BY time(5d)",
    f"SELECT mean(x) FROM p WHERE {PS} AND host =~ /h[0-4]/ GROUP BY time(7d, 2d)",
    f"SELECT sum(x) FROM p WHERE {PP} AND dc = 'd1' GROUP BY time(6d) fill(0)",
    f"SELECT sum(x), mean(x) FROM p WHERE time >= '1970-01-05T00:00:00Z' AND time < '1970-01-12T00:00:00Z'",
    f"SELECT sum(x) FROM p, w WHERE {PP} GROUP BY time(5d)",
    f"SELECT max(s) FROM (SELECT sum(x) AS s FROM p WHERE {PP} GROUP BY time(4d))",
    f"SELECT sum(m), mean(m) FROM (SELECT mean(x) AS m FROM p WHERE {PP} GROUP BY time(1d), host)",
    f"SELECT difference(mean(x)) FROM p WHERE {PP} GROUP BY time(2d) ORDER BY time DESC",
    f"SELECT mean(usage), stddev(usage) FROM cpu WHERE {W} GROUP BY time(20m)",
    f"SELECT sum(usage), mean(usage) FROM cpu WHERE {W} GROUP BY region ORDER BY time DESC",
    f"SELECT sum(v), mean(v), stddev(v) FROM w WHERE {WW} GROUP BY time(2d)",
]

QUERIES = OWN_START + WRAPPED + DESC_SUMS + TZ_WRAPPED + SUBQ_WRAPPED + TREE

# answers whose floats we do not give bit for bit (compared within 1e-9); none left: influxd's reduce
# tree is replayed (exec/go_reduce.py), a sum over a subquery's stream added row after row
ROUNDED: set[str] = set()
