"""Each row of table_errors.py in both dialects, and in the portability check."""
from __future__ import annotations

import re

import pytest

import tsdb_core
from tests.dialects.table_errors import PARAMS, ROWS
from tsdb_core.influxql.dialects import explain3, params3, timerange3

IDS = [r[0][:60] for r in ROWS]


def error_of(store, q: str) -> str | None:
    """The request's error (a 1.x parse error) or its one statement's."""
    doc = store.query(q, db="mydb").to_json()
    if "error" in doc:
        return doc["error"]
    (res,) = doc["results"]
    return res.get("error")


@pytest.mark.parametrize("q,v3_error,v1_error", ROWS, ids=IDS)
def test_influxdb3(v3, q, v3_error, v1_error):
    assert error_of(v3, q) == v3_error


@pytest.mark.parametrize("q,v3_error,v1_error", ROWS, ids=IDS)
def test_influxdb1_unchanged(v1, q, v3_error, v1_error):
    assert error_of(v1, q) == v1_error


@pytest.mark.parametrize("q,v3_error,v1_error", ROWS, ids=IDS)
def test_the_check_gives_v3s_words(q, v3_error, v1_error):
    (verdict,) = tsdb_core.Store.check(q)
    assert verdict.influxdb3 == v3_error


def test_the_position_counts_bytes_and_the_rest_runs_on(v3):
    # "é" is two bytes in UTF-8; v3 reports byte offsets (lib.rs: input.offset(pos))
    q = 'SELECT "é" FROM cpu WHERE host = \'a'
    assert error_of(v3, q).endswith("unterminated string literal at pos 36")
    doc = v3.query("SHOW MEASUREMENTS; SELECT usage FROM cpu WHERE", db="mydb").to_json()
    assert doc == {"results": [{"statement_id": 0, "error": (
        'error in InfluxQL statement: parsing error: invalid InfluxQL statement at pos 41. '
        'Parsing Error: Nom("WHERE", Tag)')}]}


@pytest.mark.parametrize("q,params,v3_errors,v1_error", PARAMS, ids=[f"{r[0][:40]} {r[1]}" for r in PARAMS])
def test_bound_parameters(v3, v1, q, params, v3_errors, v1_error):
    doc = v3.query(q, db="mydb", params=params).to_json()
    assert [r.get("error") for r in doc["results"]] == v3_errors
    # the statements v3 runs answer as they would with the value written in
    if v3_errors[0] is None and params.get("h") == "a":
        assert doc["results"][0]["series"][0]["values"] == [["2024-01-01T00:00:00.500Z", 1.5]]
    doc = v1.query(q, db="mydb", params=params).to_json()
    assert doc.get("error") == v1_error
    if v1_error is None:
        assert all("error" not in r for r in doc["results"])


# The rows of EXPLAIN VERBOSE, in v3's order. DataFusion 50 (influxdb3_core Cargo.toml: datafusion = "50.3.0";
# influxdata/arrow-datafusion datafusion/sqllogictest/test_files/explain.slt "EXPLAIN VERBOSE SELECT a, b, c FROM
# simple_explain_test") prints "logical_plan after <rule>" for each analyzer and optimizer rule, each optimizer pass
# until one changes nothing, then "physical_plan after <rule>"; v3 adds its own rules (iox_query/src/analyzer/mod.rs
# register_iox_analyzers: ExtractSleep "extract_sleep", HandleGapFill "handle_gap_fill"; logical_optimizer/mod.rs:
# "influx_regex_to_datafusion_regex"; physical_optimizer/mod.rs register_iox_physical_optimizers: SplitDedup ...
# NestedUnion before DataFusion's rules, OrderUnionSortedInputs, CachedParquetData, CheckLimits after).
ANALYZERS = ["resolve_grouping_function", "type_coercion", "extract_sleep", "handle_gap_fill"]
OPTIMIZERS = ["eliminate_nested_union", "simplify_expressions", "replace_distinct_aggregate", "eliminate_join",
              "decorrelate_predicate_subquery", "scalar_subquery_to_join", "decorrelate_lateral_join",
              "extract_equijoin_predicate", "eliminate_duplicated_expr", "eliminate_filter", "eliminate_cross_join",
              "eliminate_limit", "propagate_empty_relation", "eliminate_one_union", "filter_null_join_keys",
              "eliminate_outer_join", "push_down_limit", "push_down_filter", "single_distinct_aggregation_to_group_by",
              "eliminate_group_by_constant", "common_sub_expression_eliminate", "optimize_projections",
              "influx_regex_to_datafusion_regex"]
PHYSICAL = ["split_dedup", "dedup_null_columns", "dedup_sort_order", "predicate_pushdown", "projection_pushdown",
            "parquet_sortness", "nested_union", "OutputRequirements", "aggregate_statistics", "join_selection",
            "LimitedDistinctAggregation", "FilterPushdown", "EnforceDistribution", "CombinePartialFinalAggregate",
            "EnforceSorting", "OptimizeAggregateOrder", "ProjectionPushdown", "coalesce_batches",
            "coalesce_async_exec_input", "OutputRequirements", "LimitAggregation", "LimitPushPastWindows",
            "LimitPushdown", "ProjectionPushdown", "EnsureCooperative", "FilterPushdown(Post)", "SanityCheckPlan",
            "order_union_sorted_inputs", "cached_parquet_data", "check-limits"]


def verbose_rows(passes: int) -> list[str]:
    return (["initial_logical_plan", *(f"logical_plan after {r}" for r in ANALYZERS), "analyzed_logical_plan",
             *(f"logical_plan after {r}" for _ in range(passes) for r in OPTIMIZERS), "logical_plan",
             "initial_physical_plan", "initial_physical_plan_with_stats", "initial_physical_plan_with_schema",
             *(f"physical_plan after {r}" for r in PHYSICAL), "physical_plan", "physical_plan_with_stats",
             "physical_plan_with_schema"])


VERBOSE = verbose_rows(1)  # no rule changes this store's plan: one optimizer pass


NOT_DRAWN = "SELECT usage FROM cpu WHERE usage > 0 OR usage < -1"  # a disjunction: no v3 plan drawn (rawwhere3.py)


@pytest.mark.parametrize("q,kinds", [
    # iox_query_influxql/src/plan/planner.rs explain_statement_to_plan: plan_type is the "measurement name";
    # iox_v1_query_api/src/response/stream.rs: the measurement column is elided, the others are the columns
    (f"EXPLAIN {NOT_DRAWN}", ["logical_plan", "physical_plan"]),
    (f"EXPLAIN VERBOSE {NOT_DRAWN}", VERBOSE),
    # datafusion/physical-plan/src/analyze.rs create_output_batch: "Plan with Metrics", and when verbose
    # "Plan with Full Metrics", "Output Rows" (total_rows.to_string()), "Duration" (format!("{duration:?}"))
    (f"EXPLAIN ANALYZE {NOT_DRAWN}", ["Plan with Metrics"]),
    (f"EXPLAIN ANALYZE VERBOSE {NOT_DRAWN}",
     ["Plan with Metrics", "Plan with Full Metrics", "Output Rows", "Duration"]),
])
def test_explain_has_v3s_shape_with_our_plan(v3, v1, q, kinds):
    """A SELECT's plan not drawn as v3's (test_v3_explain_select.py) stays this store's; the
    rows around it are v3's. DataFusion's explain.rs should_show: a row whose text equals
    the row above is "SAME TEXT AS ABOVE", but for logical_plan and physical_plan."""
    (res,) = v3.query(q, db="mydb").to_json()["results"]
    assert [s["name"] for s in res["series"]] == kinds
    plan = "\n".join(row[0] for row in v1.query(f"EXPLAIN {NOT_DRAWN}", db="mydb").to_json()
                     ["results"][0]["series"][0]["values"])
    assert "Scan mydb.autogen.cpu" in plan
    texts = [s["values"] for s in res["series"]]
    assert all(s["columns"] == ["plan"] for s in res["series"])
    for kind, text in zip(kinds, texts):
        if kind in ("initial_logical_plan", "logical_plan", "physical_plan", "Plan with Metrics",
                    "Plan with Full Metrics"):  # initial_physical_plan: the same text as logical_plan above
            assert text == [[plan]]
        elif kind == "Output Rows":
            assert text == [["2"]]  # the two points of cpu
        elif kind == "Duration":
            assert re.fullmatch(r"\d+(\.\d+)?(s|ms|µs|ns)", text[0][0])
        else:
            assert text == [["SAME TEXT AS ABOVE"]], kind
    if "VERBOSE" in q:  # not InfluxQL 1.x
        assert v1.query(q, db="mydb").to_json()["error"].startswith("error parsing query: found VERBOSE")
    else:
        assert v1.query(q, db="mydb").to_json()["results"][0]["series"][0]["columns"] == ["QUERY PLAN"]


@pytest.mark.parametrize("ns,text", [(80, "80ns"), (13_000, "13µs"), (2_250_000, "2.25ms"), (1_500_000_000, "1.5s"),
                                     (2 * 10**9, "2s"), (1_000_001, "1.000001ms")])
def test_durations_print_as_rust_debug_prints_them(ns, text):
    # Rust core::time::Duration Debug (library/core/src/time.rs fmt_decimal): the largest unit >= 1, no trailing zeros
    assert explain3.rust_duration(ns) == text


def test_explain_of_an_explain_nests_the_plan(v3, v1):
    # iox ..._tests__select__explain-10.snap: "Explain" over the inner EXPLAIN's plan, indented
    (res,) = v3.query(f"EXPLAIN EXPLAIN {NOT_DRAWN}", db="mydb").to_json()["results"]
    inner = [row[0] for row in v1.query(f"EXPLAIN {NOT_DRAWN}", db="mydb").to_json()
             ["results"][0]["series"][0]["values"]]
    assert res["series"][0]["values"] == [["\n".join(["Explain", *("  " + x for x in inner)])]]


def test_explain_verbose_among_other_statements_keeps_each_statements_shape(v3):
    doc = v3.query("EXPLAIN SELECT usage FROM cpu; EXPLAIN VERBOSE SELECT usage FROM cpu; SHOW MEASUREMENTS",
                   db="mydb").to_json()
    assert [[s["name"] for s in r["series"]] for r in doc["results"]] == [  # v3's plan: its rules change it
        ["logical_plan", "physical_plan"], verbose_rows(2), ["measurements"]]


# iox_query_params/src/params.rs TryFrom<serde_json::Value> for StatementParam: "JSON arrays are not supported as
# query parameters. Expected null, boolean, number, or string." / "JSON objects are not supported as query
# parameters. Expected null, boolean, number, or string"; iox_v1_query_api/src/error.rs Error::SerdeJson
# "error decoding query body: {0}" (the whole request fails before any statement is parsed)
ARRAYS = ("error decoding query body: JSON arrays are not supported as query parameters. "
          "Expected null, boolean, number, or string.")
OBJECTS = ("error decoding query body: JSON objects are not supported as query parameters. "
           "Expected null, boolean, number, or string")


@pytest.mark.parametrize("params,v3_error,v1_error", [
    ({"h": [1]}, ARRAYS, "error parsing query: unable to bind parameter with type list"),
    ({"h": ["a", "b"]}, ARRAYS, "error parsing query: unable to bind parameter with type list"),
    ({"h": {"a": 1}}, OBJECTS, "error parsing query: unknown bind object type: a"),
    ({"h": "a", "x": []}, ARRAYS, None),  # 1.x binds only the names the query uses
])
def test_params_that_are_lists_or_objects(v3, v1, params, v3_error, v1_error):
    q = "SELECT usage FROM cpu WHERE host = $h; SHOW MEASUREMENTS"
    assert v3.query(q, db="mydb", params=params).to_json() == {"error": v3_error}
    with pytest.raises(tsdb_core.QueryError, match="^error decoding query body: JSON"):
        v3.prepare(q, params)
    doc = v1.query(q, db="mydb", params=params).to_json()
    if v1_error is None:
        assert [r.get("error") for r in doc["results"]] == [None, None]
    else:
        assert doc == {"error": v1_error}


RAW = "$serde_json::private::RawValue"  # serde_json's raw_value token, on in influxdb3's build


@pytest.mark.parametrize("raw,message", [  # recorded from serde_json 1.0.149 (tests/http/cases/v3_oracle)
    # a positionless error: serde_json reads the map's end ("}" consumed, "," and blanks before
    # it not) and reports the reader's own position (de.rs fix_position -> error, not peek_error)
    ('{"h":[1]}', ARRAYS + " at line 1 column 9"),
    ('{"h": [1] }', ARRAYS + " at line 1 column 11"),
    ('{"a":1, "h":{"x":1},"z":2}', OBJECTS + " at line 1 column 19"),
    ('{"h":{"x":1},"z":2}', OBJECTS + " at line 1 column 12"),
    ('{"h":[1] ,"z":2}', ARRAYS + " at line 1 column 9"),
    ('{"h":[1]\n,"z":2}', ARRAYS + " at line 2 column 0"),
    ('{"h":[1]  }', ARRAYS + " at line 1 column 11"),
    ('{\n "h": [1]\n}', ARRAYS + " at line 3 column 1"),
    ('{"é":{}}', OBJECTS + " at line 1 column 9"),  # columns count bytes
    ('{"h":"a"}', None),
    # a Value's map whose first key is the raw-value token is the JSON text in its string
    ('{"h":{"%s":"5"}}' % RAW, None),
    ('{"h":{"%s":"[1]"}}' % RAW, ARRAYS + " at line 1 column 46"),
    ('{"h":{"%s":"5"},"z":[1]}' % RAW, ARRAYS + " at line 1 column 52"),
    ('{"h":{"x":1,"%s":"5"}}' % RAW, OBJECTS + " at line 1 column 50"),  # only as the first key
    ('{"%s":[1]}' % RAW, ARRAYS + " at line 1 column 38"),  # a name like any other at the top
    ('{"h":{"%s":"tru"}}' % RAW, None),  # serde_json's error is the string's own (expected ident ...)
    # JSON Python reads and serde_json refuses in its own words: left to the caller
    ('{"h":[NaN]}', None), ('{"h":[1e400]}', None), ('{"h":["\\ud800"]}', None),
    ('{"h":' + "[" * 127 + "]" * 127 + "}", None),  # recursion limit exceeded
    ('{"h":{"%s":"%s"}}' % (RAW, "[" * 128 + "]" * 128), None),  # the string's own 128 levels
    ('{"h":' + "[" * 126 + "]" * 126 + "}", ARRAYS + " at line 1 column 258"),
])
def test_params_json_positions(raw, message):
    assert params3.decode_error(raw) == message


def test_a_time_range_message_prints_now_as_v3_does(v3):
    # time_range.rs test_rewrite_time_expression_no_timezone: process_expr("5m - now()") "invalid expression
    # \"5m - now()\": unexpected literal '2004-04-09T12:13:14+00:00' for duration expression" (now() as RFC 3339)
    (res,) = v3.query("SELECT usage FROM cpu WHERE time > 5m - now()", db="mydb").to_json()["results"]
    assert res["error"].endswith('invalid expression "5m - now()": unexpected literal '
                                 "'2024-01-01T01:00:00+00:00' for duration expression")


@pytest.mark.parametrize("ns,text", [(2, "2ns"), (1, ""), (10**9, "1000ms"), (61 * 10**9, "1m1s"), (3600 * 10**9, "60m"),
                                     (-90 * 60 * 10**9, "-1h30m"), (0, "0s")])
def test_durations_print_as_v3s_display(ns, text):
    # literal.rs Display for Duration: only the divisors strictly below the value (so 1s prints as 1000ms, 1ns as
    # nothing)
    assert timerange3.display(tsdb_core.influxql.ast.expr.DurationLiteral(ns)) == text


def test_a_float_past_float64_is_infinity_in_v3(v3):
    """Rust's f64 parse reads 400 nines as infinity; a time bound of it saturates (`f64 as i64`),
    so both bounds keep every row, where 1.x refuses the literal (table_errors.NUMBERS)."""
    big = "9" * 400 + ".0"
    every = v3.query("SELECT usage FROM cpu", db="mydb").to_json()["results"][0]["series"]
    assert len(every[0]["values"]) > 1
    for q in (f"SELECT usage FROM cpu WHERE usage < {big}", f"SELECT usage FROM cpu WHERE time < {big}",
              f"SELECT usage FROM cpu WHERE time > -{big}"):
        doc = v3.query(q, db="mydb").to_json()
        assert doc["results"][0]["series"] == every, q
    doc = v3.query(f"SELECT usage FROM cpu WHERE usage > {big}", db="mydb").to_json()
    assert doc == {"results": [{"statement_id": 0}]}
