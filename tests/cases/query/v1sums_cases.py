"""Float sums and means of windows of more than 128 points, influxd 1.6.7's answers (issue 20).
Recorded by v1sums_record.py into v1sums.json; read by tests/query/test_v1sums.py.

influxd adds a series' points of a window one after another in time order (``sum += v``);
Polars sums 128 values and more in blocks, so a long window's last digits differed.

Data (``SUMS_DB``, :func:`sums_lines`): ``s``, three series in one shard group (the first
six hours of 1970): ``a`` a point every 10 s (2,160), ``b`` every 7 s from 01:00 to 05:00
with a gap, ``c`` every 60 s; a float ``x`` of many magnitudes (whose sums depend on the
order) and an integer ``k``. Window lengths 127, 128 and 129 points (``a``: time(1270s),
time(1280s), time(1290s)), 360 (time(1h)) and whole series.
"""
from __future__ import annotations

SUMS_DB = "v1sums"
R = "time >= '1970-01-01T00:00:00Z' AND time < '1970-01-01T06:00:00Z'"
A = f"host = 'a' AND {R}"


def sums_lines() -> list[str]:
    out, seed = [], 29
    for host, first, last, step in (("a", 0, 21_600, 10), ("b", 3_600, 18_000, 7), ("c", 0, 21_600, 60)):
        for t in range(first, last, step):
            seed = (seed * 1103515245 + 12345) % 2**31
            if host == "b" and 9_000 <= t < 9_700:
                continue  # a gap: windows of b of several lengths
            x = ((seed >> 4) % 2_000_001 - 1_000_000) / 997 * 10.0 ** ((seed >> 2) % 9 - 3)
            out.append(f"s,host={host} x={x!r},k={(seed >> 7) % 1000 - 500}i {t}000000000")
    return out


QUERIES = [
    f"SELECT sum(x) FROM s WHERE {A}",
    f"SELECT mean(x) FROM s WHERE {A}",
    f"SELECT sum(x), mean(x) FROM s WHERE {A} GROUP BY time(1h)",
    f"SELECT sum(x), mean(x) FROM s WHERE {A} GROUP BY time(1270s)",
    f"SELECT sum(x), mean(x) FROM s WHERE {A} GROUP BY time(1280s)",
    f"SELECT sum(x), mean(x) FROM s WHERE {A} GROUP BY time(1290s)",
    f"SELECT sum(x), mean(x) FROM s WHERE {A} GROUP BY time(1h) ORDER BY time DESC",
    f"SELECT mean(x), max(x), count(x) FROM s WHERE {A} GROUP BY time(30m)",
    f"SELECT sum(x) * 2, mean(x) + 1 FROM s WHERE {A} GROUP BY time(1h)",
    f"SELECT mean(x) FROM s WHERE host = 'a' AND time >= '1970-01-01T00:17:00Z' AND time < '1970-01-01T05:03:00Z' "
    "GROUP BY time(1h) fill(0)",
    f"SELECT sum(x), mean(x) FROM s WHERE {R} GROUP BY time(1h), host",
    f"SELECT mean(x) FROM s WHERE {R} GROUP BY time(1h), host ORDER BY time DESC",
    f"SELECT sum(x), mean(k) FROM s WHERE {R} GROUP BY time(2h), host fill(none)",
    f"SELECT sum(x), mean(x) FROM s WHERE {R} GROUP BY host",
    f"SELECT sum(x) FROM s WHERE host = 'b' AND {R} GROUP BY time(25m) fill(none)",
    f"SELECT stddev(x), mean(x) FROM s WHERE {A} GROUP BY time(1h)",
    f"SELECT sum(x), mean(x) FROM s WHERE {R} GROUP BY time(1h)",
    f"SELECT sum(x), mean(x) FROM (SELECT x FROM s WHERE {A}) WHERE {R} GROUP BY time(1h)",
    f"SELECT mean(x) FROM s WHERE host = 'b' AND {R} GROUP BY time(1h) ORDER BY time DESC",
]

# answers we do not give bit for bit: the query -> why (tests/query/test_v1sums.py expects them to differ)
KEPT = {q: "a mean grouped by tags: Polars' list mean (exec/runs.py), in-order costs double-groupby 15-20%"
        for q in QUERIES if "mean(x)" in q and "GROUP BY" in q and "host" in q.split("GROUP BY")[-1]}
