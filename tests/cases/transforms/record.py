"""Record transformation cases from a real influxd 1.6.7 (run by hand, not by pytest).

    python tests/cases/transforms/record.py http://127.0.0.1:18786

Writes ``cases.json`` beside this file: for every case the input series as
influxd returns it (the query that feeds the function) and influxd's answer.
"""
from __future__ import annotations

import json
import math
import sys
from pathlib import Path

import httpx

DB = "tr"
S = 1_000_000_000
OUT = Path(__file__).with_name("cases.json")


def lines() -> list[str]:
    out = []
    # host=a: 40 points, irregular gaps, ups and downs; host=b: 25 points sharing some times
    t = 0
    for k in range(40):
        t += (7 + (k * 13) % 23) * S
        f = round(10 * math.sin(k / 3.0) + k * 0.7 - (5 if k % 7 == 0 else 0), 3)
        i = (k * 37) % 29 - 9
        out.append(f"m,host=a f={f},i={i}i {t}")
    t = 0
    for k in range(25):
        t += (11 + (k * 7) % 17) * S
        out.append(f"m,host=b f={round(k * 1.5 - (k % 4) * 2.25, 3)},i={k * k % 17}i {t}")
    return out


def q(client: httpx.Client, query: str) -> dict:
    r = client.post("/query", params={"db": DB, "q": query, "epoch": "ns"})
    try:
        return r.json()["results"][0]
    except ValueError:  # influxd cannot encode +-Inf: the whole response is an error text
        return {"error": r.text.strip(), "unencodable": True}


def series(res: dict):
    s = res.get("series") or []
    if not s:
        return [], []
    vals = s[0]["values"]
    return [v[0] for v in vals], [v[1] for v in vals]


RAW = [
    ("derivative", ""), ("derivative", ", 1m"), ("derivative", ", 1ms"), ("non_negative_derivative", ""),
    ("non_negative_derivative", ", 10s"), ("difference", ""), ("non_negative_difference", ""),
    ("cumulative_sum", ""), ("moving_average", ", 2"), ("moving_average", ", 5"), ("elapsed", ""),
    ("elapsed", ", 1s"), ("elapsed", ", 1m"),
    ("exponential_moving_average", ", 3"), ("exponential_moving_average", ", 4, 0"),
    ("exponential_moving_average", ", 4, -1, 'simple'"), ("exponential_moving_average", ", 2, 5, 'exponential'"),
    ("double_exponential_moving_average", ", 3"), ("double_exponential_moving_average", ", 3, 0, 'simple'"),
    ("triple_exponential_moving_average", ", 3"), ("triple_exponential_moving_average", ", 2, -1, 'simple'"),
    ("triple_exponential_derivative", ", 3"), ("triple_exponential_derivative", ", 2, 1, 'simple'"),
    ("relative_strength_index", ", 3"), ("relative_strength_index", ", 5, 0"),
    ("relative_strength_index", ", 4, -1, 'simple'"),
    ("chande_momentum_oscillator", ", 3"), ("chande_momentum_oscillator", ", 4, 0"),
    ("chande_momentum_oscillator", ", 3, -1, 'exponential'"), ("chande_momentum_oscillator", ", 3, 2, 'simple'"),
    ("kaufmans_efficiency_ratio", ", 3"), ("kaufmans_efficiency_ratio", ", 5, 0"),
    ("kaufmans_adaptive_moving_average", ", 3"), ("kaufmans_adaptive_moving_average", ", 6, 2"),
    ("kaufmans_efficiency_ratio", ", 1"), ("kaufmans_adaptive_moving_average", ", 1"),
    ("exponential_moving_average", ", 1"), ("triple_exponential_derivative", ", 1"),
    ("relative_strength_index", ", 1"), ("chande_momentum_oscillator", ", 1, 0, 'simple'"),
]
AGG = [(n, a) for n, a in RAW if a not in (", 1ms",)] + [
    ("holt_winters", ", 4, 0"), ("holt_winters", ", 3, 4"), ("holt_winters_with_fit", ", 2, 0"),
    ("holt_winters_with_fit", ", 3, 3"),
]
MATH = ["abs({x})", "sin({x})", "cos({x})", "tan({x})", "asin({x})", "acos({x})", "atan({x})",
        "atan2({x}, 3)", "exp({x})", "ln({x})", "log({x}, 3)", "log2({x})", "log10({x})", "sqrt({x})",
        "pow({x}, 3)", "pow({x}, 0.5)", "floor({x})", "ceil({x})", "round({x})", "round({x} * 0.1)",
        "floor({x} / 4)", "atan2(3, {x})"]
ERRORS = [
    "SELECT moving_average(f, 1) FROM m", "SELECT moving_average(f, 0) FROM m",
    "SELECT moving_average(f) FROM m", "SELECT moving_average(f, 2.5) FROM m",
    "SELECT derivative(f, 1s, 2) FROM m", "SELECT derivative(f, 2) FROM m",
    "SELECT derivative(f, -1s) FROM m", "SELECT derivative(mean(f)) FROM m",
    "SELECT derivative(f) FROM m WHERE time > 0 GROUP BY time(1m)",
    "SELECT difference(f, 2) FROM m", "SELECT difference(max(f)) FROM m",
    "SELECT non_negative_difference(mean(f)) FROM m", "SELECT cumulative_sum(f, 1) FROM m",
    "SELECT cumulative_sum(sum(f)) FROM m", "SELECT elapsed(f, 5) FROM m",
    "SELECT elapsed(min(f)) FROM m", "SELECT elapsed(f, 0s) FROM m",
    "SELECT holt_winters(f, 1, 1) FROM m", "SELECT holt_winters(mean(f), 0, 1) FROM m WHERE time > 0 GROUP BY time(1m)",
    "SELECT holt_winters(mean(f), 1, -1) FROM m WHERE time > 0 GROUP BY time(1m)",
    "SELECT holt_winters(mean(f), 1) FROM m WHERE time > 0 GROUP BY time(1m)",
    "SELECT holt_winters(mean(f), 1.5, 1) FROM m WHERE time > 0 GROUP BY time(1m)",
    "SELECT holt_winters_with_fit(mean(f), 1, 'a') FROM m WHERE time > 0 GROUP BY time(1m)",
    "SELECT holt_winters(mean(f), 1, 1) FROM m",
    "SELECT exponential_moving_average(f) FROM m", "SELECT exponential_moving_average(f, 0) FROM m",
    "SELECT exponential_moving_average(f, 2.0) FROM m", "SELECT exponential_moving_average(f, 2, -2) FROM m",
    "SELECT exponential_moving_average(f, 2, 'x') FROM m",
    "SELECT exponential_moving_average(f, 2, 1, 'none') FROM m",
    "SELECT exponential_moving_average(f, 2, 1, 5) FROM m",
    "SELECT triple_exponential_derivative(f, 2, 0) FROM m",
    "SELECT relative_strength_index(mean(f), 2) FROM m",
    "SELECT kaufmans_efficiency_ratio(f, 2, 1, 1) FROM m", "SELECT kaufmans_efficiency_ratio(f, 0) FROM m",
    "SELECT kaufmans_adaptive_moving_average(f, 2, -3) FROM m",
    "SELECT chande_momentum_oscillator(f, 2, 0, 'bogus') FROM m",
    "SELECT chande_momentum_oscillator(f, 2, 0, 1) FROM m", "SELECT chande_momentum_oscillator(f) FROM m",
    "SELECT chande_momentum_oscillator(f, 2, 'x') FROM m",
    "SELECT abs(f, 2) FROM m", "SELECT pow(f) FROM m", "SELECT log(f) FROM m", "SELECT sqrt() FROM m",
    "SELECT atan2(f, 1, 2) FROM m",
    "SELECT percentile(f) FROM m", "SELECT percentile(f, 'a') FROM m", "SELECT sample(f, 0) FROM m",
    "SELECT sample(f, 1.5) FROM m", "SELECT top(f) FROM m", "SELECT top(f, 0) FROM m",
    "SELECT top(f, 'a') FROM m", "SELECT top(f, 5) FROM m LIMIT 2", "SELECT bottom(1, 2) FROM m",
    "SELECT mean(f, 2) FROM m", "SELECT foo(f) FROM m", "SELECT median() FROM m",
    "SELECT integral(f, 5) FROM m", "SELECT integral(f, 1s, 2) FROM m", "SELECT distinct(f, i) FROM m",
    "SELECT count(distinct()) FROM m",
]


def main(url: str) -> None:
    cases = {"inputs": {}, "raw": [], "agg": [], "math": [], "errors": []}
    with httpx.Client(base_url=url, timeout=60) as c:
        c.post("/query", params={"q": f"DROP DATABASE {DB}"})
        c.post("/query", params={"q": f"CREATE DATABASE {DB}"})
        r = c.post("/write", params={"db": DB}, content="\n".join(lines()).encode())
        assert r.status_code == 204, r.text
        for field in ("f", "i"):
            for where in ("host = 'a'", "host = 'b'", ""):
                for desc in (False, True):
                    order = " ORDER BY time DESC" if desc else ""
                    w = f" WHERE {where}" if where else ""
                    inner_q = f"SELECT {field} FROM m{w}{order}"
                    cases["inputs"][inner_q] = series(q(c, inner_q))
                    for name, args in RAW:
                        query = f"SELECT {name}({field}{args}) FROM m{w}{order}"
                        res = q(c, query)
                        t_out, v_out = series(res)
                        cases["raw"].append({"query": query, "error": res.get("error"),
                                             "inner": inner_q, "expected": [t_out, v_out]})
        last = 0
        for ln in lines():
            last = max(last, int(ln.rsplit(" ", 1)[1]))
        for field in ("f", "i"):
            for agg in ("mean", "max", "sum", "count"):
                for iv in (30, 60):
                    for fill in ("null", "0", "previous", "linear", "none"):
                        for desc in (False, True):
                            if (agg, iv) not in (("mean", 30), ("max", 60), ("sum", 60), ("count", 30)):
                                continue
                            if fill in ("linear", "previous") and agg not in ("mean",):
                                continue
                            start, end = 90 * S, last - 60 * S
                            for name, args in AGG:
                                ivn = iv * S
                                ext = name not in ("cumulative_sum", "holt_winters", "holt_winters_with_fit")
                                s2, e2 = start, end - 1
                                if ext:
                                    if desc:
                                        e2 += ivn
                                    else:
                                        s2 -= ivn
                                order = " ORDER BY time DESC" if desc else ""
                                inner_q = (f"SELECT {agg}({field}) FROM m WHERE host = 'a' AND time >= {s2} AND "
                                           f"time <= {e2} GROUP BY time({iv}s) fill({fill}){order}")
                                query = (f"SELECT {name}({agg}({field}){args}) FROM m WHERE host = 'a' AND "
                                         f"time >= {start} AND time < {end} GROUP BY time({iv}s) fill({fill}){order}")
                                if name.startswith("holt") and desc:
                                    continue
                                res = q(c, query)
                                if inner_q not in cases["inputs"]:
                                    cases["inputs"][inner_q] = series(q(c, inner_q))
                                t_out, v_out = series(res)
                                cases["agg"].append({"query": query, "inner": inner_q, "interval": ivn,
                                                     "error": res.get("error"), "expected": [t_out, v_out]})
        for field in ("f", "i"):
            inner_q = f"SELECT {field} FROM m WHERE host = 'a'"
            cases["inputs"][inner_q] = series(q(c, inner_q))
            for m in MATH:
                expr = m.format(x=field)
                query = f"SELECT {expr} FROM m WHERE host = 'a'"
                res = q(c, query)
                t_out, v_out = series(res)
                cases["math"].append({"query": query, "expr": expr, "error": res.get("error"),
                                      "inner": inner_q, "expected": [t_out, v_out]})
        for query in ERRORS:
            res = q(c, query)
            cases["errors"].append({"query": query, "error": res.get("error")})
    OUT.write_text(json.dumps(cases, indent=None, separators=(",", ":")) + "\n")
    print({k: len(v) for k, v in cases.items()})  # "inputs": the feeding series, by query


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else "http://127.0.0.1:18786")
