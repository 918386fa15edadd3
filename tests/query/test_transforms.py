"""Transformations against answers recorded from a real influxd 1.6.7 (tests/cases/transforms).

Each case holds the series that feeds the function (as influxd returns it)
and influxd's answer; the test runs our function on the same input.
"""
from __future__ import annotations

import json
import math
import os
import re
from pathlib import Path

import numpy as np
import pytest

from tsdb_core.base.errors import QueryError
from tsdb_core.influxql.ast import expr as A
from tsdb_core.query.analyze.compile import validate_call
from tsdb_core.query.functions.transforms import apply_transform, input_range
from tsdb_core.query.functions.math import apply_math

CASES = json.loads((Path(__file__).parents[1] / "cases" / "transforms" / "cases.json").read_text())
S = 1_000_000_000
# Transformations compare to a few ulps (Holt-Winters' optimiser amplifies last-bit noise);
# math functions and almost every transformation value are in fact bit-identical.
ULPS = 1e-14

_CALL = re.compile(r"SELECT (\w+)\((\w+)\((\w+)\)(.*?)\) FROM|SELECT (\w+)\((\w+)(.*?)\) FROM")


def _literal(text: str):
    text = text.strip()
    if text.startswith("'"):
        return text.strip("'")
    m = re.fullmatch(r"(-?\d+)(ns|ms|s|m|h)?", text)
    if m and m.group(2):
        return int(m.group(1)) * {"ns": 1, "ms": 10**6, "s": S, "m": 60 * S, "h": 3600 * S}[m.group(2)]
    return int(text)


def _parse(query: str):
    m = _CALL.match(query)
    if m.group(1):
        name, rest = m.group(1), m.group(4)
    else:
        name, rest = m.group(5), m.group(7)
    args = tuple(_literal(a) for a in rest.split(",") if a.strip()) if rest else ()
    return name, args


def _input(case):
    t, v = CASES["inputs"][case["inner"]]
    t = np.asarray(t, dtype=np.int64)
    is_int = "(i)" in case["inner"] or " i FROM" in case["inner"] or "count(" in case["query"]
    is_int = is_int and "mean(" not in case["query"]
    mask = np.array([x is not None for x in v], dtype=bool)
    vals = np.asarray([x if x is not None else 0 for x in v], dtype=np.int64 if is_int else np.float64)
    return t, vals, mask


def _check(case, got_t, got_v, exact_types=True):
    exp_t, exp_v = case["expected"]
    assert got_t.tolist() == exp_t, case["query"]
    got = got_v.tolist()
    assert len(got) == len(exp_v)
    for g, e in zip(got, exp_v):
        if e is None:
            assert g is None or (isinstance(g, float) and math.isnan(g)), (case["query"], got, exp_v)
            continue
        if isinstance(g, float) and isinstance(e, float):
            assert g == pytest.approx(e, rel=ULPS, abs=1e-300) or g == e, (case["query"], got, exp_v)
        else:
            assert g == e, (case["query"], got, exp_v)
        if exact_types and got_v.dtype.kind == "i":
            assert isinstance(e, int), case["query"]


def _ids(cases):
    return [c["query"] for c in cases]


@pytest.mark.parametrize("case", CASES["raw"], ids=_ids(CASES["raw"]))
def test_raw_transform(case):
    name, args = _parse(case["query"])
    t, v, mask = _input(case)
    got_t, got_v = apply_transform(name, t, v, args, ascending="DESC" not in case["query"], valid=mask)
    _check(case, got_t, got_v)


def _agg_cases():
    """Every case; Holt-Winters (Nelder-Mead fits in Python, ~1 s each) sampled unless TSDB_SLOW=1."""
    out, seen = [], set()
    slow = os.environ.get("TSDB_SLOW") == "1"
    for c in CASES["agg"]:
        q = c["query"]
        if q.startswith("SELECT holt") and not slow:
            key = q.split("(")[0]  # one plain and one seasonal-with-fit case by default
            if key in seen or ("holt_winters(" in q) != (", 4, 0)" in q) or ("fit" in q and ", 3, 3)" not in q):
                continue
            seen.add(key)
        out.append(c)
    return out


AGG = _agg_cases()


@pytest.mark.parametrize("case", AGG, ids=_ids(AGG))
def test_aggregate_transform(case):
    q = case["query"]
    m = re.match(r"SELECT (\w+)\((\w+)\((\w+)\)(.*?)\) FROM", q)
    name, args = m.group(1), tuple(_literal(a) for a in m.group(4).split(",") if a.strip())
    t, v, mask = _input(case)
    if m.group(2) == "count":
        v = v.astype(np.int64)
    got_t, got_v = apply_transform(name, t, v, args, interval=case["interval"],
                                   ascending="DESC" not in q, valid=mask)
    _check(case, got_t, got_v, exact_types=m.group(2) != "mean")


def test_input_range_extends_one_interval_in_reading_direction():
    assert input_range("derivative", 100, 200, 10) == (90, 200)
    assert input_range("moving_average", 100, 200, 10, ascending=False) == (100, 210)
    assert input_range("cumulative_sum", 100, 200, 10) == (100, 200)
    assert input_range("holt_winters", 100, 200, 10) == (100, 200)
    assert input_range("derivative", 100, 200, 0) == (100, 200)


MATH = [c for c in CASES["math"] if not c.get("error")]


@pytest.mark.parametrize("case", MATH, ids=_ids(MATH))
def test_math(case):
    expr = case["expr"]
    m = re.fullmatch(r"(\w+)\((.*)\)", expr)
    name, inner = m.group(1), [a.strip() for a in m.group(2).split(",")]
    t, v, _ = _input(case)
    args = []
    for a in inner:
        mm = re.fullmatch(r"([fi])(?: ([*/]) ([\d.]+))?", a)
        if mm:
            x = v
            if mm.group(2) == "*":
                x = x * (float(mm.group(3)) if "." in mm.group(3) else int(mm.group(3)))
            elif mm.group(2) == "/":
                x = x / float(mm.group(3)) if x.dtype.kind == "f" else x // int(mm.group(3))
            args.append(x)
        else:
            args.append(float(a) if "." in a else int(a))
    got = apply_math(name, *args)
    exp_t, exp_v = case["expected"]
    assert exp_t == t.tolist()
    for g, e in zip(got.to_list(), exp_v):
        if e is None:
            assert g is None, expr
        else:
            assert g == e, (expr, got.to_list(), exp_v)  # Go's algorithms: bit for bit
            if isinstance(g, int):
                assert isinstance(e, int)


@pytest.mark.parametrize("name,x,expected", [
    ("exp", 1.5, 4.481689070338065),          # glibc: 4.4816890703380645
    ("ln", 3.0, 1.0986122886681096),          # glibc: 1.0986122886681098
    ("log10", 10.0, 1.0),
    ("sin", 1e9, float(np.sin(1e9))),         # beyond Go's simple reduction: numpy
    ("atan2", 0.0, 0.0),
])
def test_go_math_spot_values(name, x, expected):
    args = (np.array([x]), 1.0) if name == "atan2" else (np.array([x]),)
    assert apply_math(name, *args).to_list() == [expected]


def test_math_keeps_inf_where_influxd_fails_to_encode():
    """±Inf stays (the HTTP shim then writes influxd's json.Marshal error, tests/http/
    test_v1_infinity.py); NaN is null."""
    unencodable = [c for c in CASES["math"] if (c.get("error") or "").startswith("json: ")]
    assert unencodable, "the recording should hold a case influxd cannot encode"
    assert apply_math("ln", np.array([0.0, 1.0])).to_list() == [-math.inf, 0.0]
    assert apply_math("exp", np.array([1000.0])).to_list() == [math.inf]
    assert apply_math("sqrt", np.array([-1.0])).to_list() == [None]


# -- validation: the error words of influxd 1.6.7 -----------------------------------------

def _node(text: str):
    text = text.strip()
    if text == "":
        return None
    m = re.fullmatch(r"(\w+)\((.*)\)", text)
    if m:
        return A.Call(m.group(1), tuple(x for x in (_node(a) for a in _split(m.group(2))) if x is not None))
    if text.startswith("'"):
        return A.StringLiteral(text.strip("'"))
    mm = re.fullmatch(r"(-?\d+)(ns|ms|s|m|h)", text)
    if mm:
        return A.DurationLiteral(_literal(text))
    if re.fullmatch(r"-?\d+", text):
        return A.IntegerLiteral(int(text))
    if re.fullmatch(r"-?\d+\.\d+", text):
        return A.NumberLiteral(float(text))
    return A.VarRef(text)


def _split(s: str) -> list[str]:
    out, depth, cur = [], 0, ""
    for ch in s:
        if ch == "," and depth == 0:
            out.append(cur)
            cur = ""
            continue
        depth += ch == "("
        depth -= ch == ")"
        cur += ch
    out.append(cur)
    return out


ERRORS = [c for c in CASES["errors"] if c["error"] and "LIMIT" not in c["query"]]


@pytest.mark.parametrize("case", ERRORS, ids=_ids(ERRORS))
def test_validate_call_words(case):
    q = case["query"]
    call_text = re.match(r"SELECT (.*) FROM m", q).group(1)
    call = _node(call_text)
    with pytest.raises(QueryError) as ei:
        validate_call(call, has_interval="GROUP BY time" in q)
    assert str(ei.value) == case["error"]


def test_top_limit_larger_than_statement_limit():
    call = A.Call("top", (A.VarRef("f"), A.IntegerLiteral(5)))
    with pytest.raises(QueryError, match=r"^limit \(5\) in top function can not be larger than the LIMIT \(2\)"):
        validate_call(call, limit=2)
    case = next(c for c in CASES["errors"] if "LIMIT 2" in c["query"])
    assert case["error"].startswith("limit (5) in top function can not be larger")


@pytest.mark.parametrize("text", [
    "derivative(f)", "derivative(f, 1m)", "moving_average(f, 2)", "holt_winters(mean(f), 1, 0)",
    "exponential_moving_average(f, 3, -1, 'simple')", "chande_momentum_oscillator(f, 3, 0, 'none')",
    "abs(f)", "pow(f, 2)", "count(distinct(f))", "top(f, host, 3)",
])
def test_validate_call_accepts(text):
    validate_call(_node(text), has_interval=text.startswith("holt"))


# -- edge cases the recordings do not reach ------------------------------------------------

U = np.uint64


@pytest.mark.parametrize("name,times,values,args,exp_t,exp_v", [
    # unsigned: difference stays unsigned (wraps like Go), derivative is float and signed
    ("difference", [1, 2, 3], np.array([5, 9, 4], dtype=U), (), [2, 3], np.array([4, 2**64 - 5], dtype=U)),
    ("non_negative_difference", [1, 2, 3], np.array([5, 9, 4], dtype=U), (), [2], np.array([4], dtype=U)),
    ("derivative", [0, S, 2 * S], np.array([5, 9, 4], dtype=U), (), [S, 2 * S], [4.0, -5.0]),
    ("cumulative_sum", [1, 2], np.array([5, 9], dtype=U), (), [1, 2], np.array([5, 14], dtype=U)),
    # points at the previous point's time are skipped by derivative/difference, not by elapsed
    ("derivative", [0, 0, S, 2 * S], [1.0, 7.0, 3.0, 4.0], (), [S, 2 * S], [2.0, 1.0]),
    ("difference", [0, 0, S], np.array([1, 7, 3]), (), [S], np.array([2])),
    ("elapsed", [0, 0, S], [1.0, 2.0, 3.0], (), [0, S], np.array([0, S])),
    ("elapsed", [0, 1500, 3100], [1.0, 2.0, 3.0], (1000,), [1500, 3100], np.array([1, 1])),
    ("elapsed", [3100, 1500, 0], [1.0, 2.0, 3.0], (1000,), [1500, 0], np.array([-1, -1])),
    # too few points: nothing, not an error
    ("derivative", [0], [1.0], (), [], []),
    ("moving_average", [0, 1], [1.0, 2.0], (3,), [], []),
    ("holt_winters", [0], [1.0], (3, 0), [], []),
    ("holt_winters", [2 * S, S, 0], [1.0, 2.0, 3.0], (3, 0), [], []),  # ORDER BY time DESC: influxd gives none
    ("exponential_moving_average", [], [], (3,), [], []),
])
def test_transform_edges(name, times, values, args, exp_t, exp_v):
    t, v = apply_transform(name, np.asarray(times, dtype=np.int64), np.asarray(values), args, interval=S,
                           ascending=not (len(times) > 1 and times[0] > times[-1]))
    assert t.tolist() == exp_t
    assert v.tolist() == list(np.asarray(exp_v).tolist())
    if isinstance(exp_v, np.ndarray):
        assert v.dtype == exp_v.dtype


def test_null_values_are_skipped_like_nil_points():
    import polars as pl
    t, v = apply_transform("difference", np.array([0, 1, 2, 3]), pl.Series([1, None, 4, 10]))
    assert (t.tolist(), v.tolist()) == ([2, 3], [3, 6])
    t, v = apply_transform("cumulative_sum", [0, 1, 2], np.array([1.0, 2.0, 3.0]), valid=[True, False, True])
    assert (t.tolist(), v.tolist()) == ([0, 2], [1.0, 4.0])


def test_cmo_period_one_is_a_clean_error():
    with pytest.raises(QueryError, match="greater than 1"):
        apply_transform("chande_momentum_oscillator", [0, 1, 2], [1.0, 2.0, 3.0], (1,))


def test_unknown_transform_is_an_error():
    with pytest.raises(QueryError, match=r"^undefined function nope\(\)$"):
        apply_transform("nope", [0], [1.0])


# -- property: the vectorised code equals a literal port of the Go reducers ----------------

from hypothesis import given, settings, strategies as st  # noqa: E402


def _go_stream(name, times, values, unit, ascending, n=2):
    """InfluxDB's stream reducers, point by point (functions.go), as the reference."""
    out_t, out_v = [], []
    prev = curr = None
    buf, total, s = [], 0, None
    for t, v in zip(times, values):
        if name in ("derivative", "non_negative_derivative", "difference", "non_negative_difference"):
            if curr is not None and curr[0] == t:
                continue
            prev, curr = curr, (t, v)
            if prev is None:
                continue
            diff = curr[1] - prev[1]
            if name.endswith("derivative"):
                el = curr[0] - prev[0]
                el = el if ascending else -el
                val = float(diff) / (float(el) / float(unit))
            else:
                val = diff
            if name.startswith("non_negative") and diff < 0:
                continue
            out_t.append(t)
            out_v.append(val)
        elif name == "elapsed":
            prev, curr = curr, (t, v)
            if prev is not None:
                d = curr[0] - prev[0]
                out_t.append(t)
                out_v.append(int(d / unit) if d >= 0 else -int(-d // unit))
        elif name == "cumulative_sum":
            s = v if s is None else s + v
            out_t.append(t)
            out_v.append(s)
        elif name == "moving_average":
            if len(buf) < n:
                buf.append(v)
            else:
                total -= buf[0]
                buf = buf[1:] + [v]
            total += v
            if len(buf) == n:
                out_t.append(t)
                out_v.append(total / n)
    return out_t, out_v


@settings(max_examples=150, deadline=None)
@given(
    name=st.sampled_from(["derivative", "non_negative_derivative", "difference", "non_negative_difference",
                          "elapsed", "cumulative_sum", "moving_average"]),
    steps=st.lists(st.integers(0, 3), min_size=0, max_size=30),
    ints=st.booleans(),
    ascending=st.booleans(),
    data=st.data(),
)
def test_vectorised_equals_go_reducers(name, steps, ints, ascending, data):
    times = list(np.cumsum(steps) * 7)
    if not ascending:
        times = times[::-1]
    elem = st.integers(-1000, 1000) if ints else st.floats(-1e6, 1e6, allow_nan=False)
    values = data.draw(st.lists(elem, min_size=len(times), max_size=len(times)))
    unit = 3 if name in ("derivative", "non_negative_derivative", "elapsed") else None
    args = (unit,) if unit else ((3,) if name == "moving_average" else ())
    arr = np.asarray(values, dtype=np.int64 if ints else np.float64)
    got_t, got_v = apply_transform(name, np.asarray(times, dtype=np.int64), arr, args, ascending=ascending)
    exp_t, exp_v = _go_stream(name, times, values if not ints else [int(v) for v in values], unit or 1,
                              ascending, n=3)
    assert got_t.tolist() == [int(t) for t in exp_t]
    assert got_v.tolist() == exp_v
