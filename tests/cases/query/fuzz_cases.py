"""Random (seeded, so fixed) SELECTs over the NOAA sample: combinations nobody would write
by hand, recorded from influxd like the hand-written table. ``fuzz_queries()`` is stable."""
from __future__ import annotations

import random

FIELDS = ["water_level", '"level description"', "index", "degrees", "pH", "*", "location"]
AGGS = ["mean", "max", "min", "first", "last", "count", "sum", "median", "spread", "stddev",
        "mode", "distinct"]
MEASUREMENTS = ["h2o_feet", "h2o_quality", "h2o_temperature", "/h2o_(feet|pH)/", "h2o_feet, h2o_pH"]

# Answers where influxd's result hangs on an unstable sort (mode/percentile ties) or on a
# fill() corner we do not copy; see the report / README deviations.
EXCLUDED_WORDS = ("mode(",)


def fuzz_queries(seed: int = 1, n: int = 300) -> list[str]:
    rng = random.Random(seed)
    out = []
    for _ in range(n):
        m = rng.choice(MEASUREMENTS)
        if rng.random() < 0.6:
            sel = ", ".join(f"{rng.choice(AGGS)}({rng.choice(FIELDS)})" for _ in range(rng.randint(1, 2)))
        else:
            sel = ", ".join(rng.choice(FIELDS) for _ in range(rng.randint(1, 2)))
        where = (f"time >= '2019-08-18T0{rng.randint(0, 5)}:00:00Z' "
                 f"AND time < '2019-08-18T0{rng.randint(6, 9)}:00:00Z'")
        if rng.random() < 0.3:
            where += rng.choice([" AND location = 'santa_monica'", " AND water_level > 5",
                                 " AND index < 50", " AND randtag =~ /[12]/"])
        gb = []
        if rng.random() < 0.5:
            gb.append(f"time({rng.choice(['7m', '30m', '1h', '90m'])})")
        if rng.random() < 0.4:
            gb.append(rng.choice(["location", "*", "randtag", "/loc/"]))
        q = f"SELECT {sel} FROM {m} WHERE {where}"
        if gb:
            q += " GROUP BY " + ", ".join(gb)
        if rng.random() < 0.3:
            q += " fill(" + rng.choice(["none", "previous", "linear", "0", "null"]) + ")"
        if rng.random() < 0.2:
            q += " ORDER BY time DESC"
        if rng.random() < 0.2:
            q += f" LIMIT {rng.randint(1, 4)}"
        if rng.random() < 0.1:
            q += " SLIMIT 1"
        if not any(w in q for w in EXCLUDED_WORDS) and q not in out:
            out.append(q)
    return out
