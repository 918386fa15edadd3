"""SELECT mistakes and function calls: InfluxDB 3's words for each, beside InfluxDB 1.x's.

Rows: (query, InfluxDB 3's answer, InfluxDB 1.x's answer). v3's message texts are quoted from
influxdata/influxdb3_core (file and test in the comment of each); the position is where v3's
parser (nom combinators) stops: a clause that has started fails where it broke, one that cannot
start backs out and leaves its words as an unknown statement (``Nom(..., Tag)``). The 1.x
answers are this project's influxdb1 dialect as it stands (they must not change).
"""
from __future__ import annotations

P = "error in InfluxQL statement: parsing error: "  # iox_v1_query_api error.rs + iox_query_influxql_rewrite lib.rs


def nom(rest: str, pos: int) -> str:
    # influxdb_influxql_parser/src/lib.rs test_parse_statements:
    # "invalid InfluxQL statement at pos 0. Parsing Error: Nom(\"BAD SQL\", Tag)"
    return f'{P}invalid InfluxQL statement at pos {pos}. Parsing Error: Nom("{rest}", Tag)'


def planning(message: str) -> str:
    # iox_query_influxql/src/plan/snapshots/..._tests__select__error_cases-5.snap (planner.rs test "error_cases"):
    # "rewriting statement\ncaused by\ngather information about select statement\ncaused by\n
    #  Error during planning: invalid number of arguments for mean, expected 1, got 2"
    return ("datafusion error: rewriting statement\ncaused by\ngather information about select statement\n"
            f"caused by\nError during planning: {message}")


def v1(message: str, char: int) -> str:
    return f"error parsing query: {message} at line 1, char {char}"


# influxdb_influxql_parser/src/select.rs test_from_clause: from_clause("FROM") ...
FROM = "invalid FROM clause, expected identifier, regular expression or subquery"
# influxdb_influxql_parser/src/expression/conditional.rs conditional()/conjunction(): expect("invalid conditional expression", ...)
COND = "invalid conditional expression"
EXPR = "expected identifier, string, number, bool"

SYNTAX = [
    # no FROM: select_statement backs out, so no parser takes the statement
    ("SELECT usage", nom("SELECT usage", 0), v1("found EOF, expected FROM", 14)),
    # a complete statement followed by words: the next "statement" is unknown
    ("SELECT usage FROM cpu blah", nom("blah", 22), v1("found blah, expected ;", 23)),
    ("SELECT usage FROM cpu WHERE host = 'a' ORDER BY time DESC junk", nom("junk", 58),
     v1("found junk, expected ;", 59)),
    # select.rs test_field_list: field_list(".") "invalid SELECT statement, expected field"
    ("SELECT FROM cpu", P + "invalid SELECT statement, expected field at pos 7", v1(f"found FROM, {EXPR}", 8)),
    ("SELECT usage FROM", P + FROM + " at pos 17", v1("found EOF, expected identifier", 19)),
    ("SELECT usage FROM WHERE host = 'a'", P + FROM + " at pos 18", v1("found WHERE, expected identifier", 19)),
    ("SELECT usage FROM 1", P + FROM + " at pos 18", v1("found 1, expected identifier", 19)),
    # an empty WHERE backs out: the statement ends before it
    ("SELECT usage FROM cpu WHERE", nom("WHERE", 22), v1(f"found EOF, {EXPR}", 29)),
    # string.rs test_single_quoted_string / test_double_quoted_string: "unterminated string literal"
    ("SELECT usage FROM cpu WHERE host = 'a", P + "unterminated string literal at pos 37",
     v1(f"found a, {EXPR}", 35)),
    ('SELECT usage FROM "cpu', P + "unterminated string literal at pos 22", v1("found cpu, expected identifier", 18)),
    # string.rs test_regex: regex(r#"/hello"#) "unterminated regex literal"
    ("SELECT usage FROM cpu WHERE host =~ /a", P + "unterminated regex literal at pos 38", v1("bad regex: ", 36)),
    # expression/conditional.rs test_conditional_regex: "invalid conditional, expected regular expression"
    ("SELECT usage FROM cpu WHERE host =~", P + "invalid conditional, expected regular expression at pos 35",
     v1("found EOF, expected regex", 37)),
    ("SELECT usage FROM cpu WHERE host =", P + COND + " at pos 34", v1(f"found EOF, {EXPR}", 35)),
    ("SELECT usage FROM cpu WHERE host = 'a' AND", P + COND + " at pos 42", v1(f"found EOF, {EXPR}", 44)),
    # select.rs test_group_by_clause: group_by_clause("GROUP time(5m)") "invalid GROUP BY clause, expected BY"
    ("SELECT mean(usage) FROM cpu GROUP time(1m)", P + "invalid GROUP BY clause, expected BY at pos 34",
     v1("found time, expected BY", 35)),
    ("SELECT mean(usage) FROM cpu GROUP BY", nom("GROUP BY", 28), v1(f"found EOF, {EXPR}", 38)),
    # select.rs test_group_by_clause: group_by_clause("GROUP BY 1")
    ("SELECT mean(usage) FROM cpu GROUP BY 1",
     P + "invalid GROUP BY clause, expected wildcard, TIME, identifier or regular expression at pos 37",
     "only time and tag dimensions allowed"),
    # select.rs test_time_call_expression: time_call_expression("TIME") "invalid TIME call, expected 1 or 2 arguments"
    ("SELECT mean(usage) FROM cpu GROUP BY time", P + "invalid TIME call, expected 1 or 2 arguments at pos 41",
     "time() is a function and expects at least one argument"),
    # select.rs time_call_expression: expect("invalid TIME call, expected a duration for the interval", ...)
    ("SELECT mean(usage) FROM cpu GROUP BY time()",
     P + "invalid TIME call, expected a duration for the interval at pos 42", "time dimension expected 1 or 2 arguments"),
    # select.rs test_fill_clause: "invalid FILL option, expected NULL, NONE, PREVIOUS, LINEAR, or a number"
    ("SELECT mean(usage) FROM cpu GROUP BY time(1m) fill(foo)",
     P + "invalid FILL option, expected NULL, NONE, PREVIOUS, LINEAR, or a number at pos 51",
     "error parsing query: expected number argument in fill()"),
    # select.rs test_timezone_clause: "invalid TZ clause, expected string"
    ("SELECT usage FROM cpu tz(UTC)", P + "invalid TZ clause, expected string at pos 25",
     "error parsing query: expected string argument in tz()"),
    # common.rs test_limit_clause / test_offset_clause: "invalid LIMIT clause, expected unsigned integer", ...
    ("SELECT usage FROM cpu LIMIT x", P + "invalid LIMIT clause, expected unsigned integer at pos 28",
     v1("found x, expected integer", 29)),
    ("SELECT usage FROM cpu OFFSET x", P + "invalid OFFSET clause, expected unsigned integer at pos 29",
     v1("found x, expected integer", 30)),
    # select.rs slimit_clause / soffset_clause: both "invalid SLIMIT clause, expected unsigned integer"
    ("SELECT usage FROM cpu SLIMIT x", P + "invalid SLIMIT clause, expected unsigned integer at pos 29",
     v1("found x, expected integer", 30)),
    ("SELECT usage FROM cpu SOFFSET x", P + "invalid SLIMIT clause, expected unsigned integer at pos 30",
     v1("found x, expected integer", 31)),
    ("SELECT usage FROM cpu LIMIT", nom("LIMIT", 22), v1("found EOF, expected integer", 29)),
    # explain.rs explain_statement: expect("invalid EXPLAIN statement, expected InfluxQL statement", statement)
    ("EXPLAIN SELECT usage", P + "invalid EXPLAIN statement, expected InfluxQL statement at pos 8",
     v1("found EOF, expected FROM", 22)),
]

FUNCTIONS = [
    # iox_query_influxql/src/plan/rewriter.rs check_aggregate_function: "unsupported function {name}()"
    ("SELECT foo(usage) FROM cpu", planning("unsupported function foo()"), "undefined function foo()"),
    ("SELECT max(m) FROM (SELECT bar(usage) AS m FROM cpu)", planning("unsupported function bar()"),
     "undefined function bar()"),
    # planner.rs test error_cases (snapshots error_cases-4, -5): "invalid number of arguments for mean, expected 1, got 0/2"
    ("SELECT mean() FROM cpu", planning("invalid number of arguments for mean, expected 1, got 0"),
     "invalid number of arguments for mean, expected 1, got 0"),
    ("SELECT mean(usage, 1) FROM cpu", planning("invalid number of arguments for mean, expected 1, got 2"),
     "invalid number of arguments for mean, expected 1, got 2"),
    # snapshot ..._select__functions__selectors_invalid_arguments_3: "invalid number of arguments for min, expected 1, got 2"
    ("SELECT min(usage, usage) FROM cpu", planning("invalid number of arguments for min, expected 1, got 2"),
     "invalid number of arguments for min, expected 1, got 2"),
    # snapshot ..._select__scalar_functions-4: "invalid number of arguments for log, expected 2, got 1"
    ("SELECT log(usage) FROM cpu", planning("invalid number of arguments for log, expected 2, got 1"),
     "invalid number of arguments for log, expected 2, got 1"),
    ("SELECT abs(usage, 2) FROM cpu", planning("invalid number of arguments for abs, expected 1, got 2"),
     "invalid number of arguments for abs, expected 1, got 2"),
    # rewriter.rs test_select_statement_info: "invalid number of arguments for top, expected at least 2, got 1"
    ("SELECT top(usage) FROM cpu", planning("invalid number of arguments for top, expected at least 2, got 1"),
     "invalid number of arguments for top, expected at least 2, got 1"),
    # rewriter.rs test_select_statement_info: "invalid number of arguments for percentile, expected 2, got 1"
    ("SELECT percentile(usage) FROM cpu", planning("invalid number of arguments for percentile, expected 2, got 1"),
     "invalid number of arguments for percentile, expected 2, got 1"),
    # rewriter.rs test_select_statement_info: "... for derivative, expected at least 1 but no more than 2, got 3"
    ("SELECT derivative(usage, 1s, 2) FROM cpu",
     planning("invalid number of arguments for derivative, expected at least 1 but no more than 2, got 3"),
     "invalid number of arguments for derivative, expected at least 1 but no more than 2, got 3"),
    # rewriter.rs test_select_statement_info: "invalid number of arguments for difference, expected 1, got 2"
    ("SELECT difference(usage, 2) FROM cpu", planning("invalid number of arguments for difference, expected 1, got 2"),
     "invalid number of arguments for difference, expected 1, got 2"),
    # rewriter.rs test_select_statement_info: "invalid number of arguments for moving_average, expected 2, got 3"
    ("SELECT moving_average(usage, 2, 3) FROM cpu",
     planning("invalid number of arguments for moving_average, expected 2, got 3"),
     "invalid number of arguments for moving_average, expected 2, got 3"),
    # the statements v3 runs are not touched
    ("SELECT mean(usage), count(distinct(usage)) FROM cpu", None, None),
    ("SELECT mean(usage) FROM cpu WHERE time >= '2024-01-01T00:00:00Z' AND time < '2024-01-01T00:10:00Z' "
     "GROUP BY time(1m), host fill(0) LIMIT 2", None, None),
]

ROWS = SYNTAX + FUNCTIONS

# Bound parameters: (query, params, v3's error of each statement, 1.x's request error or None).
# influxdb_influxql_parser/src/parameter.rs BindParameterError (v3 binds every statement to the
# whole map: replace_bind_params_with_values), raised through planner.rs error::params (a
# DataFusion planning error); texts: #[error("Bind parameter '{0}' was referenced in the InfluxQL
# statement but its value is undefined.")], #[error("Bind parameter '{0}' was provided but not
# found in the InfluxQL statement")], #[error("Parameter type '{0}' is not supported by InfluxQL")]
BIND = "datafusion error: Error during planning: "
Q = "SELECT usage FROM cpu WHERE host = $h"
PARAMS = [
    (Q, {"h": "a"}, [None], None),
    (Q, {}, [BIND + "Bind parameter '$h' was referenced in the InfluxQL statement but its value is undefined."],
     "error parsing query: missing parameter: h"),
    (Q, {"h": None}, [BIND + "Parameter type 'NULL' is not supported by InfluxQL"],
     "error parsing query: unable to bind parameter with type NoneType"),
    (Q + "; SHOW MEASUREMENTS", {"h": "a"},
     [None, BIND + "Bind parameter '$h' was provided but not found in the InfluxQL statement"], None),
    ("SHOW MEASUREMENTS", {"x": 1}, [BIND + "Bind parameter '$x' was provided but not found in the InfluxQL statement"],
     None),
    ("SELECT usage FROM cpu WHERE host = '$h'", {}, [None], None),  # inside a string: no parameter
]
