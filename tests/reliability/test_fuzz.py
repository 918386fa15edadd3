"""Hypothesis through the ASGI app in-process: no 5xx, every rejection a 4xx with an error body.

Short mode (CI): FUZZ_EXAMPLES (default 60) examples per target and dialect,
shrinking on, so a failure shows a minimal input. TSDB_FUZZ_EXAMPLES=N raises
that count. The long runs (100,000 cases per input, batched draws, two
processes) are ``python -m reliability.fuzzrun`` / ``python -m reliability.run
--long --only fuzz``; RELIABILITY.md records them.
"""
from __future__ import annotations

import os
from urllib.parse import urlencode

import orjson
import pytest
from hypothesis import HealthCheck, given, settings

from reliability import fuzz, fuzzrun
from reliability.asgi import Answer

N = int(os.environ.get("TSDB_FUZZ_EXAMPLES", 60))
SETTINGS = settings(max_examples=N, deadline=None, database=None, derandomize=True,
                    suppress_health_check=list(HealthCheck))


@pytest.fixture(scope="module", params=fuzz.DIALECTS)
def caller(request, tmp_path_factory):
    with fuzz.fuzz_app(tmp_path_factory.mktemp("fuzz") / "store", request.param) as call:
        yield call


def _fuzz(name):
    target = fuzz.TARGETS[name]

    @SETTINGS
    @given(case=target.cases())
    def test(caller, case):
        fuzz.run_case(caller, target, case)

    return test


test_line_protocol_bodies = _fuzz("line-protocol")
test_influxql_text = _fuzz("influxql")
test_query_string_parameters = _fuzz("query-string")
test_headers = _fuzz("headers")
test_gzip_bodies = _fuzz("gzip")


@pytest.mark.parametrize("q", ["SELECT 1e400 FROM m", "SELECT v FROM m LIMIT 1e400", "SELECT v FROM m WHERE v > 1e5"])
def test_fuzzer_findings_are_400s(caller, q, request):
    """Inputs the long fuzz runs found as 500s (digits-then-letters lexed as an integer): 400s in
    the influxdb1 dialect, statement errors in a 200 in cloud-dedicated's (InfluxDB 3's way)."""
    ans = caller("GET", "/query", urlencode({"db": "fz", "q": q}).encode(), caller.auth)
    if request.node.callspec.params["caller"] == "influxdb1":
        assert ans.status == 400, ans.body
    else:
        assert ans.status == 200 and b'"error":"error in InfluxQL statement: parsing error: ' in ans.body, ans.body
    fuzz.check_answer(ans, "/query")


@pytest.fixture(scope="module", params=fuzz.DIALECTS)
def clean(request, tmp_path_factory):
    """The fuzz app with only the seed data (the fuzz tests' writes would change LIMIT 1 answers)."""
    with fuzz.fuzz_app(tmp_path_factory.mktemp("clean") / "store", request.param) as call:
        yield call


def _null_rows(name, *times):
    return {"series": [{"name": "m", "columns": ["time", name], "values": [[t, None] for t in times]}]}


E0 = "1970-01-01T00:00:00Z"


# iox_query_influxql/src/plan/rewriter.rs check_math_function: a string argument is checked as a field,
# and a literal field is "field must contain at least one variable"
V3_REFUSES = {"SELECT atan2(v, 'x') FROM m LIMIT 1": {"error": (
    "datafusion error: rewriting statement\ncaused by\ngather information about select statement\ncaused by\n"
    "Error during planning: field must contain at least one variable")},
    # series_limit/physical.rs: under LIMIT a raw column's nulls are skipped (IGNORE NULLS), so a
    # column null in every row keeps none (tests/dialects/test_v3_field_limits.py)
    **{q: {} for q in ("SELECT abs(s) FROM m LIMIT 1", "SELECT round(b) FROM m LIMIT 1",
                       "SELECT sqrt(s) FROM m LIMIT 1")},
    # expr_type_evaluator.rs: "incompatible operands for operator {op}: {lhs} and {rhs}" (its test:
    # "incompatible operands for operator &: float and integer"), raised while the projection is expanded
    **{q: {"error": "datafusion error: rewriting statement\ncaused by\nexpand projection\ncaused by\n"
                    f"Error during planning: incompatible operands for operator {op}: {lhs} and {rhs}"}
       for q, op, lhs, rhs in (("SELECT i - host FROM m", "-", "integer", "tag"),
                               ("SELECT host - 1 FROM m LIMIT 1", "-", "tag", "integer"),
                               ("SELECT host + host FROM m LIMIT 1", "+", "tag", "tag"),
                               ("SELECT v ^ 1 FROM m", "^", "float", "integer"),
                               ("SELECT v | i FROM m", "|", "float", "integer"))}}


@pytest.mark.parametrize("q, want", [
    ("SELECT i - host FROM m", {"error": "type error: i::integer - host::tag: incompatible types: integer and tag"}),
    ("SELECT host - 1 FROM m LIMIT 1", {"error": "type error: host::tag - 1: incompatible types: tag and integer"}),
    ("SELECT host + host FROM m LIMIT 1", {"error": "type error: host::tag + host::tag: incompatible types: tag and tag"}),
    ("SELECT abs(s) FROM m LIMIT 1", _null_rows("abs", "2020-09-13T12:26:40Z")),
    ("SELECT round(b) FROM m LIMIT 1", _null_rows("round", "2020-09-13T12:26:47Z")),
    ("SELECT sqrt(s) FROM m LIMIT 1", _null_rows("sqrt", "2020-09-13T12:26:40Z")),
    ("SELECT floor(distinct(s)) FROM m", _null_rows("floor", E0, E0)),
    ("SELECT abs(distinct(b)) FROM m", _null_rows("abs", E0, E0)),
    ("SELECT sqrt(distinct(s)) FROM m", _null_rows("sqrt", E0, E0)),
    ("SELECT atan2(v, 'x') FROM m LIMIT 1", _null_rows("atan2", "2020-09-13T12:26:40Z")),
    ("SELECT v ^ 1 FROM m", {"error": "type error: v::float ^ 1: incompatible types: float and integer"}),
    ("SELECT v | i FROM m", {"error": "type error: v::float | i::integer: incompatible types: float and integer"}),
    ("SELECT derivative(s, 1s) FROM m", {"error": "unsupported derivative iterator type: *query.stringInterruptIterator"}),
    ("SELECT non_negative_difference(b) FROM m",
     {"error": "unsupported difference iterator type: *query.booleanInterruptIterator"}),
    ("SELECT cumulative_sum(s) FROM m",
     {"error": "unsupported cumulative sum iterator type: *query.stringInterruptIterator"}),
    ("SELECT moving_average(b, 2) FROM m",
     {"error": "unsupported moving average iterator type: *query.booleanInterruptIterator"}),
    ("SELECT elapsed(s, 1s) FROM m LIMIT 2", {"series": [{"name": "m", "columns": ["time", "elapsed"], "values": [
        ["2020-09-13T12:26:47Z", 7], ["2020-09-13T12:26:54Z", 7]]}]}),
])
def test_fuzzer_findings_answer_like_influxd(clean, q, want, request):
    """Internal errors the fuzzer found (math, bitwise operators, transforms on a tag, string, boolean or float);
    want = influxd 1.6.7's answer (InfluxDB 3's where its rewriter refuses the query)."""
    if request.node.callspec.params["clean"] == "cloud-dedicated":
        want = V3_REFUSES.get(q, want)
    ans = clean("GET", "/query", urlencode({"db": "fz", "q": q}).encode(), clean.auth)
    fuzz.check_answer(ans, "/query")
    assert orjson.loads(ans.body) == {"results": [{"statement_id": 0, **want}]}


def test_into_with_a_repeated_alias_keeps_the_last_column(clean):
    """Fuzzer finding: INTO with two columns named "a" was an internal error; influxd writes the last one."""
    def q(text):
        return orjson.loads(clean("GET", "/query", urlencode({"db": "fz", "q": text}).encode(), clean.auth).body)

    res = q('SELECT i + 1 AS "a", v + 1 AS "a" INTO dup FROM m')
    if "error" in res["results"][0]:  # cloud-dedicated: InfluxDB 3 has no SELECT ... INTO
        assert res["results"][0]["error"].startswith("error in InfluxQL statement: parsing error: invalid InfluxQL")
        return
    assert res["results"][0]["series"][0]["values"] == [["1970-01-01T00:00:00Z", 201]]
    res = q("SELECT a FROM dup LIMIT 2")
    assert res["results"][0]["series"][0]["values"] == [["2020-09-13T12:26:40Z", 2],
                                                        ["2020-09-13T12:26:40.000000001Z", 3]]


def test_bulk_run_counts_every_case_of_every_input(tmp_path):
    """The long-mode runner in one process: exact case counts per input, split over both dialects, no finding."""
    results, totals = fuzzrun.run(30, procs=1, seed=5, root=str(tmp_path), log=lambda m: None)
    assert sorted((r.target, r.dialect, r.cases) for r in results) == sorted(
        (name, d, 15) for name in fuzz.TARGETS for d in fuzz.DIALECTS)
    assert totals["cases"] == 150 and totals["broken"] == 0, fuzzrun.summary(results, totals)


def test_bulk_run_reports_a_broken_case_with_its_input_and_goes_on(tmp_path):
    """A 500 is recorded with the exact input that caused it, counted by kind, and the run still does every case."""

    def send(call, case):
        body, _v2, _p = case
        if b"=" in body:
            return Answer(500, {"content-type": "application/json"}, b'{"error":"boom"}'), "/write"
        return fuzz.TARGETS["line-protocol"].send(call, case)

    target = fuzz.Target("planted", fuzz.TARGETS["line-protocol"].cases, send)
    res = fuzzrun.run_job("planted", "influxdb1", 200, seed=1, root=str(tmp_path), target=target)
    assert res.cases == 200 and res.broken > 0
    assert list(res.findings) == ["AssertionError: 500 b'{\"error\":\"boom\"}'"]
    count, what, case = res.findings["AssertionError: 500 b'{\"error\":\"boom\"}'"]
    assert count == res.broken and "=" in eval(case)[0].decode("utf-8", "surrogatepass")  # noqa: S307 - our repr


@pytest.mark.parametrize("answer, path, broken", [
    (Answer(500, {"content-type": "application/json"}, b'{"error":"x"}'), "/write", "500"),
    (Answer(400, {"content-type": "application/json"}, b""), "/write", "empty body"),
    (Answer(400, {"content-type": "text/plain"}, b"bad"), "/write", "text/plain"),
    (Answer(400, {"content-type": "application/json"}, b'{"x": 1}'), "/write", "{'x': 1}"),
    (Answer(200, {"content-type": "application/json"}, b'{"results":[{"statement_id":0,"error":"internal error: x"}]}'),
     "/query", "internal error: x"),
], ids=["5xx", "empty-4xx", "non-json-4xx", "4xx-without-error", "internal-error-in-200"])
def test_invariant_rejects(answer, path, broken):
    with pytest.raises(AssertionError, match=broken):
        fuzz.check_answer(answer, path)


@pytest.mark.parametrize("answer, path", [
    (Answer(204, {}, b""), "/write"),
    (Answer(400, {"content-type": "application/json"}, b'{"error":"unable to parse"}'), "/write"),
    (Answer(400, {"content-type": "application/json"}, b'{"code":"invalid","message":"m"}'), "/api/v2/write"),
    (Answer(400, {"content-type": "text/csv"}, b"name,tags\n"), "/query"),
    (Answer(200, {"content-type": "application/json"}, b'{"results":[{"statement_id":0,"error":"bad"}]}'), "/query"),
], ids=["204", "v1-400", "v2-400", "csv-400-query", "statement-error-200"])
def test_invariant_accepts(answer, path):
    fuzz.check_answer(answer, path)
