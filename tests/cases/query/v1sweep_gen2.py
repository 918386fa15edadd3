"""Generate the second family of v1sweep_cases.py: python v1sweep_gen2.py SEED N ("db|query" lines):
several measurements and regexes in FROM, string fields, wildcards, selectors with tag arguments,
technical-analysis functions, SLIMIT/SOFFSET, time zones across DST, subqueries with outer GROUP BY.
"""
import random
import sys

rnd = random.Random(int(sys.argv[1]))
N = int(sys.argv[2])
NOAA = "NOAA_water_database|"
TN = ["time >= '2019-08-18T00:00:00Z' AND time <= '2019-08-18T00:30:00Z'", "time > '2019-08-17T23:40:00Z' AND time < '2019-08-18T01:00:00Z'"]
TD = ["time >= '2019-03-10T00:00:00Z' AND time < '2019-03-11T00:00:00Z'", "time >= '2019-11-02T20:00:00Z' AND time < '2019-11-03T12:00:00Z'"]
def noaa():
    t = rnd.choice(TN)
    src = rnd.choice(["h2o_feet", "h2o_feet, h2o_pH", "/h2o_(feet|pH)/", "/^h2o/", "h2o_temperature, average_temperature", "h2o_quality"])
    sel = rnd.choice(["*", "*::field", "water_level, \"level description\"", "\"level description\", location", "count(*)", "max(*)", "first(*)",
        "distinct(\"level description\")", "count(\"level description\")", "mode(\"level description\")", "last(\"level description\"), location",
        "top(water_level, location, 2)", "bottom(water_level, location, 1)", "max(water_level), location", "min(water_level), \"level description\"",
        "count(distinct(location))", "mean(water_level), median(water_level)", "spread(degrees)", "last(pH), first(pH)", "max(degrees) - min(degrees)",
        "mean(pH) * 2", "sum(index) / count(index)", "exponential_moving_average(water_level, 3)", "double_exponential_moving_average(water_level, 3)",
        "chande_momentum_oscillator(water_level, 3)", "kaufmans_efficiency_ratio(water_level, 3)", "relative_strength_index(water_level, 3)",
        "triple_exponential_moving_average(water_level, 3)", "triple_exponential_derivative(water_level, 3)", "kaufmans_adaptive_moving_average(water_level, 3)",
        "holt_winters(mean(water_level), 3, 2)", "median(index)", "stddev(index), spread(index)"])
    where = t + rnd.choice(["", "", " AND location = 'santa_monica'", " AND location !~ /santa/", " AND \"level description\" = 'below 3 feet'", " AND water_level > 5 OR location = 'coyote_creek'"])
    q = f"SELECT {sel} FROM {src} WHERE {where}"
    agg = "(" in sel and "::" not in sel
    gb = []
    if agg and rnd.random() < 0.6: gb.append(rnd.choice(["time(10m)", "time(12m, 3m)", "time(30m)"]))
    if "holt" in sel and not gb: gb.append("time(6m)")
    if rnd.random() < 0.5: gb.append(rnd.choice(["location", "*", "randtag", "/loc/"]))
    if gb: q += " GROUP BY " + ", ".join(gb)
    if any("time(" in g for g in gb): q += rnd.choice(["", " fill(none)", " fill(0)", " fill(previous)", " fill(linear)", " fill(9.5)"])
    if rnd.random() < 0.3: q += " ORDER BY time DESC"
    if rnd.random() < 0.3: q += rnd.choice([" LIMIT 2", " LIMIT 1 OFFSET 1", " SLIMIT 1", " SLIMIT 1 SOFFSET 1", " LIMIT 3 SLIMIT 2"])
    if rnd.random() < 0.15: q += rnd.choice([" tz('Asia/Kolkata')", " tz('America/New_York')"])
    return NOAA + q
def meta():
    src = rnd.choice(["sm", "sm, smr", "sm, smr, smh", "/^sm/", "fx, tx", "tx", "cpu, sm", "cf, tf", "tf"])
    sel = rnd.choice(["*", "*::tag", "*::field", "usage", "usage, host", "host, region", "free, used", "x, v", "k::tag, k::field", "count(*)", "max(*)",
        "mean(usage)", "first(*)", "last(v), x", "sum(n), count(usage)", "usage + n", "max(usage), host", "min(n), region", "percentile(usage, 50), host"])
    q = f"SELECT {sel} FROM {src}"
    if rnd.random() < 0.4: q += rnd.choice([" WHERE host = 'a'", " WHERE region =~ /r[12]/", " WHERE usage > 1", " WHERE host = ''", " WHERE time > 1s", " WHERE x = 't1'", " WHERE v > 1 OR host = 'a'"])
    if rnd.random() < 0.5: q += " GROUP BY " + rnd.choice(["host", "*", "region", "host, region", "x", "k"])
    if rnd.random() < 0.3: q += " ORDER BY time DESC"
    if rnd.random() < 0.3: q += rnd.choice([" LIMIT 1", " LIMIT 2 OFFSET 1", " SLIMIT 1", " SLIMIT 2 SOFFSET 1", " OFFSET 1"])
    return q
def dst():
    t = rnd.choice(TD)
    sel = rnd.choice(["count(v)", "sum(v)", "first(v)", "last(v)", "max(v)", "mean(v)", "v", "derivative(v, 1h)", "difference(last(v))", "cumulative_sum(max(v))"])
    q = f"SELECT {sel} FROM dst WHERE {t}"
    if "(" in sel and not sel.startswith("derivative"):
        q += " GROUP BY time(" + rnd.choice(["1h", "2h", "3h", "1d", "6h"]) + rnd.choice(["", ", 30m", ", 1h"]) + ")"
        q += rnd.choice(["", " fill(none)", " fill(previous)", " fill(0)"])
    q += rnd.choice(["", " tz('America/Chicago')", " tz('Europe/London')", " tz('America/Chicago')"])
    if rnd.random() < 0.3: q += " ORDER BY time DESC"
    if rnd.random() < 0.3: q += rnd.choice([" LIMIT 3", " LIMIT 2 OFFSET 3"])
    return q
def sub():
    inner = rnd.choice([
        "SELECT mean(usage) AS m FROM cpu GROUP BY time(2m), host",
        "SELECT usage, host FROM cpu",
        "SELECT max(usage), region FROM cpu GROUP BY host",
        "SELECT top(usage, 3), host FROM cpu",
        "SELECT usage, n FROM cpu WHERE host = 'b'",
        "SELECT derivative(usage) AS d FROM cpu GROUP BY host",
        "SELECT count(n) AS c FROM cpu GROUP BY region, time(3m)",
        "SELECT * FROM cpu"])
    rng = " WHERE time >= '2019-03-07T23:00:00Z' AND time < '2019-03-07T23:20:00Z'"
    if "WHERE" in inner: inner = inner.replace(" WHERE ", rng + " AND ")
    elif " GROUP BY " in inner: inner = inner.replace(" GROUP BY ", rng + " GROUP BY ")
    else: inner += rng
    out = rnd.choice(["*", "max(*)", "mean(m)", "sum(c)", "count(*)", "d", "top(usage, 2)", "usage * 2", "last(max)", "max(usage), host", "spread(usage)", "first(n)"])
    q = f"SELECT {out} FROM ({inner})"
    if rnd.random() < 0.5:
        g = rnd.choice(["host", "*", "region", "time(4m)", "time(4m), host"])
        if "time(" in g: q += rng
        q += " GROUP BY " + g
    if rnd.random() < 0.3: q += " ORDER BY time DESC"
    if rnd.random() < 0.3: q += rnd.choice([" LIMIT 2", " OFFSET 1", " SLIMIT 1"])
    return q
seen = set()
while len(seen) < N:
    seen.add(rnd.choice([noaa, noaa, meta, meta, dst, sub, sub])())
for q in sorted(seen): print(q)
