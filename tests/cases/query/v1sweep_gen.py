"""Generate the queries of v1sweep_cases.py: python v1sweep_gen.py SEED N (one a line, "db|query").

Every GROUP BY time is bounded in time (an unbounded one makes influxd build windows up to now).
"""
import random
import sys

rnd = random.Random(int(sys.argv[1]) if len(sys.argv) > 1 else 1)
N = int(sys.argv[2]) if len(sys.argv) > 2 else 300
NOAA = "NOAA_water_database|"
T_N = ["time >= '2019-08-18T00:00:00Z' AND time < '2019-08-18T02:00:00Z'",
       "time >= '2019-08-18T00:00:00Z' AND time <= '2019-08-18T01:00:00Z'",
       "time > '2019-08-17T23:30:00Z' AND time < '2019-08-18T00:45:00Z'"]
T_C = ["time >= '2019-03-07T23:05:00Z' AND time < '2019-03-07T23:16:00Z'",
       "time >= '2019-03-07T23:00:00Z' AND time <= '2019-03-07T23:20:00Z'",
       "time > '2019-03-07T23:06:40Z' AND time < '2019-03-07T23:14:00Z'"]
DS = {
  "noaa_feet": (NOAA, "h2o_feet", ["water_level"], ["location"], T_N, ["location = 'santa_monica'", "location =~ /coyote/", "water_level > 4", "location != 'santa_monica' AND water_level < 6"], ["6m", "12m", "20m", "1h"]),
  "noaa_q": (NOAA, "h2o_quality", ["index"], ["location", "randtag"], T_N, ["randtag = '1'", "randtag =~ /[23]/", "index > 50", "location = 'coyote_creek' OR randtag = '2'"], ["6m", "18m", "30m"]),
  "cpu": ("", "cpu", ["usage", "n"], ["host", "region"], T_C, ["host = 'a'", "region =~ /r[01]/", "n > 2", "host = 'b' AND usage < 9"], ["1m", "2m", "150s", "5m"]),
}
AGG = ["count", "sum", "mean", "median", "spread", "stddev", "min", "max", "first", "last", "mode", "distinct"]
SEL2 = ["percentile({f}, 50)", "percentile({f}, 90)", "top({f}, 2)", "bottom({f}, 3)", "count(distinct({f}))"]
TRANS = ["derivative({a})", "difference({a})", "non_negative_derivative({a}, 1m)", "moving_average({a}, 2)", "cumulative_sum({a})", "non_negative_difference({a})", "elapsed({a}, 1m)"]
FILLS = ["", " fill(null)", " fill(none)", " fill(0)", " fill(-1.5)", " fill(previous)", " fill(linear)", " fill(3)"]
TZ = ["", "", "", " tz('America/Chicago')", " tz('Asia/Kolkata')"]

def one():
    key = rnd.choice(list(DS))
    db, m, fields, tags, times, conds, ivs = DS[key]
    f = rnd.choice(fields)
    t = rnd.choice(times)
    where = t + (" AND " + rnd.choice(conds) if rnd.random() < 0.5 else "")
    shape = rnd.choice(["raw", "agg", "win", "win", "trans", "sub", "math", "sel2"])
    gb, tail = [], ""
    if shape == "raw":
        sel = rnd.choice([f, f"{f}, {rnd.choice(tags)}", "*", f"{f} * 2 + 1", f"{f}::integer", f"{f}, {tags[0]}::tag"])
    elif shape == "math":
        sel = rnd.choice([f"abs({f})", f"round({f} / 3)", f"{f} % 3", f"sqrt({f})", f"log({f}, 2)", f"pow({f}, 2)", f"floor({f}) - ceil({f})"])
    elif shape == "sel2":
        sel = rnd.choice(SEL2).format(f=f)
        if rnd.random() < 0.5: gb.append(f"time({rnd.choice(ivs)})")
    else:
        a = rnd.choice(AGG)
        call = f"{a}({f})"
        if shape == "agg":
            sel = call if rnd.random() < 0.6 else f"{call}, {rnd.choice(AGG)}({f})"
        elif shape == "win":
            sel = call if rnd.random() < 0.7 else f"{call}, {rnd.choice(AGG)}({f})"
            off = rnd.choice(["", "", ", 1m", ", -2m"])
            gb.append(f"time({rnd.choice(ivs)}{off})")
        elif shape == "trans":
            inner = rnd.choice(["mean", "max", "sum", "count", "last"])
            if rnd.random() < 0.5:
                sel = rnd.choice(TRANS).format(a=f"{inner}({f})"); gb.append(f"time({rnd.choice(ivs)})")
            else:
                sel = rnd.choice(TRANS).format(a=f)
        else:  # sub
            inner_gb = rnd.choice(["", f" GROUP BY {tags[-1]}", f" GROUP BY time({rnd.choice(ivs)})", f" GROUP BY time({rnd.choice(ivs)}), {tags[0]}"])
            inner_sel = rnd.choice([f, f"mean({f})", f"max({f})", f"{f}, {tags[0]}", f"count({f})"])
            col = inner_sel.split("(")[0] if "(" in inner_sel else f
            if "time(" in inner_gb and "(" not in inner_sel:
                inner_gb = f" GROUP BY {tags[-1]}"  # raw rows cannot be grouped by time
            outer = rnd.choice([f"{col}", f"max({col})", f"sum({col})", f"count({col})", "*", f"mean({col})"])
            q = f"SELECT {outer} FROM (SELECT {inner_sel} FROM {m} WHERE {where}{inner_gb})"
            ogb = rnd.choice(["", f" GROUP BY {tags[0]}", " GROUP BY *"])
            q += ogb + rnd.choice(["", " ORDER BY time DESC", " LIMIT 2", " ORDER BY time DESC LIMIT 1 OFFSET 1"])
            return db + q
    if rnd.random() < 0.4 and shape not in ("raw", "math"):
        gb.append(rnd.choice([tags[0], "*", tags[-1]]))
    elif rnd.random() < 0.2:
        gb.append(rnd.choice([tags[0], "*"]))
    q = f"SELECT {sel} FROM {m} WHERE {where}"
    if gb: q += " GROUP BY " + ", ".join(gb)
    if any("time(" in g for g in gb) or shape in ("agg",) or rnd.random() < 0.15:
        q += rnd.choice(FILLS)
    if rnd.random() < 0.3: q += " ORDER BY time DESC"
    r = rnd.random()
    if r < 0.15: q += f" LIMIT {rnd.randint(1, 3)}"
    elif r < 0.25: q += f" LIMIT {rnd.randint(1, 3)} OFFSET {rnd.randint(1, 2)}"
    elif r < 0.3: q += f" OFFSET {rnd.randint(1, 3)}"
    if gb and rnd.random() < 0.15: q += f" SLIMIT 1" + rnd.choice(["", " SOFFSET 1"])
    if any("time(" in g for g in gb) and rnd.random() < 0.3: q += rnd.choice(TZ)
    return db + q

seen = set()
while len(seen) < N:
    seen.add(one())
for q in sorted(seen): print(q)
