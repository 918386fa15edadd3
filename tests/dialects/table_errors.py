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
WHERE_CALL = "invalid expression, the only valid function calls are 'now' with no arguments, or scalar math functions"

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
    # rewriter.rs rewrites "all `DISTINCT <identifier>` expressions to `DISTINCT(VarRef)`" before its checks
    ("SELECT count(DISTINCT usage) FROM cpu", None, None),
    (("SELECT mean(usage) FROM cpu WHERE time >= '2024-01-01T00:00:00Z' AND time < '2024-01-01T00:10:00Z' "
     "GROUP BY time(1m), host fill(0) LIMIT 2"), None, None),
]


def failure(rest: str, kind: str = "Char") -> str:
    # influxdb_influxql_parser/src/lib.rs parse_statements: a nom failure that is not a syntax error (a `cut`:
    # arithmetic.rs `cut(term)` after + - | ^, call_expression `cut(preceded(ws0, char(')')))`) is reported
    # as "invalid InfluxQL statement" at the statement's start, with nom's Display of Err::Failure as details
    return f'{P}invalid InfluxQL statement at pos 0. Parsing Failure: Nom("{rest}", {kind})'


# Durations and numbers inside WHERE and the other clauses. influxdb_influxql_parser/src/literal.rs:
# literal_no_regex tries float, then duration (fold_many1 of integer + unit; `integer` is map_error, so an i64
# overflow backs out), then integer_literal (map_fail "unable to parse integer due to overflow" past u64);
# single_duration's unit overflow is map_fail("overflow", ...) (test_duration_fragment: single_duration("16000w")
# expect_err("expected overflow")); a number followed by letters that are no unit ends the expression there.
NUMBERS = [
    ("SELECT usage FROM cpu WHERE time > now() - 1x", nom("x", 44), "error parsing query: invalid duration"),
    ("SELECT usage FROM cpu WHERE time > now() - 1.5h", nom("h", 46), v1("found h, expected ;", 47)),
    ("SELECT usage FROM cpu WHERE time > now() - 99999999999999999999s",
     P + "unable to parse integer due to overflow at pos 63", "error parsing query: invalid duration"),
    # past i64, within u64: an unsigned integer, then "s" is left over
    ("SELECT usage FROM cpu WHERE time > now() - 9999999999999999999s", nom("s", 62),
     "error parsing query: invalid duration"),
    ("SELECT usage FROM cpu WHERE time > now() - 16000w", P + "overflow at pos 49",
     "error parsing query: overflowed duration 16000w: choose a smaller duration or INF"),
    ("SELECT usage FROM cpu WHERE usage > 99999999999999999999", P + "unable to parse integer due to overflow at pos 56",
     v1("unable to parse integer", 37)),
    # a float past float64's range: Rust's `f64::from_str` (literal.rs float) reads infinity; Go's
    # strconv.ParseFloat fails and 1.x says "unable to parse number" (asked of influxd 1.6.7)
    ("SELECT usage FROM cpu WHERE usage < " + "9" * 400 + ".0", None, v1("unable to parse number", 37)),
    ("SELECT usage FROM cpu WHERE time > -" + "9" * 400 + ".0", None, v1("unable to parse number", 37)),
    ("SELECT usage * " + "9" * 400 + ".0 FROM cpu", None, v1("unable to parse number", 16)),
    ("SELECT usage FROM cpu WHERE host = '" + "9" * 400 + ".0' AND usage < 9" + "9" * 400 + ".0", None,
     v1("unable to parse number", 453)),
    # common.rs test_limit_clause: limit_clause("LIMIT 34593745733489743985734857394") "unable to parse unsigned integer"
    ("SELECT usage FROM cpu LIMIT 99999999999999999999", P + "unable to parse unsigned integer at pos 48", None),
    # select.rs test_time_call_expression: time_call_expression("TIME(5m, 3)") "invalid TIME call, expected ')'"
    ("SELECT mean(usage) FROM cpu GROUP BY time(1x)", P + "invalid TIME call, expected ')' at pos 43",
     "error parsing query: invalid duration"),
    ("SELECT mean(usage) FROM cpu GROUP BY time(1m", P + "invalid TIME call, expected ')' at pos 44",
     v1("found EOF, expected )", 45)),
    # select.rs TimeCallOffsetArgument: the offset's now() call parses its arguments as offsets: 1 is none of them
    ("SELECT mean(usage) FROM cpu GROUP BY time(1m, now(1))", failure("1))"), None),
]

# Parentheses, operands and literals, anywhere in the statement.
SYNTAX_MORE = [
    # conditional.rs where_clause: an unclosed group backs the WHERE clause out, its words are left over
    ("SELECT usage FROM cpu WHERE (host = 'a'", nom("WHERE (host = 'a'", 22), v1("found EOF, expected )", 40)),
    ("SELECT usage FROM cpu WHERE host = 'a')", nom(")", 38), v1("found ), expected ;", 39)),
    ("SELECT (usage FROM cpu", P + "invalid SELECT statement, expected field at pos 7", v1("found FROM, expected )", 15)),
    ("SELECT usage) FROM cpu", nom("SELECT usage) FROM cpu", 0), v1("found ), expected FROM", 13)),
    ("SELECT usage + FROM cpu", failure("FROM cpu"), v1(f"found FROM, {EXPR}", 16)),
    ("SELECT usage FROM cpu WHERE usage > 1 +", failure(""), v1(f"found EOF, {EXPR}", 40)),
    ("SELECT mean(usage FROM cpu", failure("FROM cpu"), v1("found FROM, expected )", 19)),
    # arithmetic.rs unary: "unexpected unary expression: expected literal integer, float, duration, field, ..."
    ("SELECT -'a' FROM cpu", P + "unexpected unary expression: expected literal integer, float, duration, field, "
     "function or parenthesis at pos 11", v1("found a, expected identifier, number, duration, (", 8)),
    # select.rs test_field: Field::parse("foo as 1") "invalid field alias, expected identifier"
    ("SELECT usage AS FROM cpu", P + "invalid field alias, expected identifier at pos 15",
     v1("found FROM, expected identifier", 17)),
    # select.rs test_field: Field::parse("distinct *") "invalid DISTINCT expression, expected identifier"
    ("SELECT DISTINCT FROM cpu", P + "invalid DISTINCT expression, expected identifier at pos 16",
     v1("found FROM, expected identifier", 17)),
    # expression/arithmetic.rs test_var_ref: "invalid data type for tag or field reference, expected float, ..."
    ("SELECT usage::foo FROM cpu", P + "invalid data type for tag or field reference, expected float, integer, "
     "unsigned, string, boolean, field, tag at pos 14",
     v1("found foo, expected float, integer, unsigned, string, boolean, field, tag", 15)),
    # select.rs test_wildcard: "invalid wildcard type specifier, expected TAG or FIELD"
    ("SELECT *::foo FROM cpu", P + "invalid wildcard type specifier, expected TAG or FIELD at pos 10",
     v1("found foo, expected field, tag", 11)),
    # common.rs test_order_by: order_by_clause("ORDER by foo") "invalid ORDER BY, expected TIME column"
    ("SELECT usage FROM cpu ORDER BY host", P + "invalid ORDER BY, expected TIME column at pos 31",
     "error parsing query: only ORDER BY time supported at this time"),
    # common.rs order_by_clause: expect("invalid ORDER BY, expected ASC, DESC or TIME", ...)
    ("SELECT usage FROM cpu ORDER BY", P + "invalid ORDER BY, expected ASC, DESC or TIME at pos 30",
     v1("found EOF, expected identifier, ASC, DESC", 32)),
    # string.rs test_single_quoted_string: single_quoted_string(r"'quick\idraw'")
    # r"invalid escape sequence, expected \\, \' or \n"
    ("SELECT usage FROM cpu WHERE host = 'a\\q'", P + "invalid escape sequence, expected \\\\, \\' or \\n at pos 38",
     v1(f"found \\q, {EXPR}", 39)),
    ("SELECT 'a\\\"b' FROM cpu", P + "invalid escape sequence, expected \\\\, \\' or \\n at pos 10",
     "field must contain at least one variable"),
    # string.rs test_double_quoted_string: "unterminated string literal"
    ('SELECT usage FROM cpu WHERE host = "a', P + "unterminated string literal at pos 37", v1(f"found a, {EXPR}", 35)),
    # common.rs test_comment_inline: "invalid inline comment, missing closing */"
    ("SELECT usage FROM cpu /* note", P + "invalid inline comment, missing closing */ at pos 24",
     v1("found /, expected ;", 23)),
    # select.rs test_timezone_clause: timezone_clause("TZ('Foo')") "unable to find timezone"
    ("SELECT usage FROM cpu tz('Foo/Bar')", P + "unable to find timezone at pos 34",
     "error parsing query: unable to find time zone Foo/Bar"),
    # expression/conditional.rs test_arithmetic_expression: arithmetic_expression("sum(foo)") / ("now(1)")
    # "invalid expression, the only valid function calls are 'now' with no arguments, or scalar math functions"
    ("SELECT usage FROM cpu WHERE host = foo()", P + WHERE_CALL + " at pos 35",
     "invalid function call in condition: foo()"),
    ("SELECT usage FROM cpu WHERE usage > mean(usage)", P + WHERE_CALL + " at pos 36",
     "invalid function call in condition: mean(usage)"),
    ("SELECT usage FROM cpu WHERE time > now(1)", P + WHERE_CALL + " at pos 35",
     "invalid operation: time and *influxql.Call are not compatible"),
    # select.rs MeasurementSelection: an unclosed subquery is no measurement: the FROM list's first item fails
    ("SELECT usage FROM (SELECT usage FROM cpu", P + FROM + " at pos 18", v1("found EOF, expected )", 42)),
    ("SELECT usage FROM (SELECT FROM cpu)", P + "invalid SELECT statement, expected field at pos 26",
     v1(f"found FROM, {EXPR}", 27)),
    ("SELECT usage FROM cpu fill(", P + "invalid FILL option, expected NULL, NONE, PREVIOUS, LINEAR, or a number at pos 27",
     v1(f"found EOF, {EXPR}", 29)),
]

# iox_query_influxql/src/plan/rewriter.rs FieldChecker (select_statement_info, in the context "gather information
# about select statement"); texts from rewriter.rs test_select_statement_info; Rust's {:?} of the argument where
# the message prints one (e.g. "expected integer as last argument for top, got VarRef(VarRef { name:
# Identifier(\"bar\"), data_type: None })", "expected field argument in sum(), got Literal(Integer(1))")
REWRITER = [
    ("SELECT top(usage, host) FROM cpu", planning(
        'expected integer as last argument for top, got VarRef(VarRef { name: Identifier("host"), data_type: None })'),
     "expected integer as last argument in top(), found host"),
    ("SELECT top(usage, 1.5) FROM cpu", planning("expected integer as last argument for top, got Literal(Float(1.5))"),
     "expected integer as last argument in top(), found 1.500"),
    ("SELECT top(usage, 0) FROM cpu", planning("limit (0) for top must be greater than 0"),
     "limit (0) in top function must be at least 1"),
    ("SELECT bottom('usage', 2) FROM cpu", planning("expected first argument to be a field for bottom"),
     "expected first argument to be a field in bottom(), found 'usage'"),
    ("SELECT top(usage, 2, 3) FROM cpu", planning("only fields or tags are allow for top(), got Literal(Integer(2))"),
     "only fields or tags are allowed in top(), found 2"),
    ("SELECT top(usage, 2), mean(usage) FROM cpu",
     planning("selector functions top and bottom cannot be combined with other functions"),
     "selector function top() cannot be combined with other functions"),
    ("SELECT percentile(usage, 'a') FROM cpu", planning('expected number for percentile(), got Literal(String("a"))'),
     "expected float argument in percentile()"),
    # rewriter.rs check_sample: a deviation from 1.x, which takes a window of 1
    ("SELECT sample(usage, 1) FROM cpu", planning("sample window must be greater than 1, got 1"), None),
    ("SELECT moving_average(usage, 1) FROM cpu", planning("moving_average window must be greater than 1, got 1"),
     "moving_average window must be greater than 1, got 1"),
    ("SELECT moving_average(usage, usage) FROM cpu", planning("expected integer argument in moving_average()"),
     "second argument for moving_average must be an integer, got *influxql.VarRef"),
    ("SELECT derivative(usage, 2) FROM cpu",
     planning("argument 2 to derivative must be a duration, got Literal(Integer(2))"),
     "second argument to derivative must be a duration, got *influxql.IntegerLiteral"),
    ("SELECT derivative(usage, -2s) FROM cpu", planning("duration argument must be positive, got -2s"),
     "duration argument must be positive, got -2s"),
    ("SELECT derivative(usage) FROM cpu GROUP BY time(1m)",
     planning("aggregate function required inside the call to derivative"),
     "aggregate function required inside the call to derivative"),
    ("SELECT derivative(mean(usage)) FROM cpu", planning("derivative aggregate requires a GROUP BY interval"),
     "derivative aggregate requires a GROUP BY interval"),
    ("SELECT elapsed(usage, 2) FROM cpu", planning("argument 2 to elapsed must be a duration, got Literal(Integer(2))"),
     "second argument to elapsed must be a duration, got *influxql.IntegerLiteral"),
    ("SELECT difference(mean(usage)) FROM cpu", planning("difference aggregate requires a GROUP BY interval"),
     "difference aggregate requires a GROUP BY interval"),
    ("SELECT cumulative_sum(usage) FROM cpu GROUP BY time(1m)",
     planning("aggregate function required inside the call to cumulative_sum"),
     "aggregate function required inside the call to cumulative_sum"),
    ("SELECT integral(usage, 2) FROM cpu", planning("argument 2 to integral must be a duration, got Literal(Integer(2))"),
     "second argument must be a duration"),
    # holt_winters: the rewriter's checks come before the planner's "Invalid function 'holt_winters'"
    ("SELECT holt_winters(usage, 2, 3) FROM cpu GROUP BY time(1m)", planning("must use aggregate function with holt_winters"),
     "must use aggregate function with holt_winters"),
    ("SELECT holt_winters(mean(usage), 0, 3) FROM cpu GROUP BY time(1m)",
     planning("holt_winters N argument must be greater than 0, got 0"), "second arg to holt_winters must be greater than 0, got 0"),
    ("SELECT holt_winters(mean(usage), 2, -3) FROM cpu GROUP BY time(1m)",
     planning("holt_winters S argument cannot be negative, got -3"), "third arg to holt_winters cannot be negative, got -3"),
    ("SELECT holt_winters(mean(usage), 2, 3) FROM cpu", planning("holt_winters aggregate requires a GROUP BY interval"),
     "holt_winters aggregate requires a GROUP BY interval"),
    ("SELECT exponential_moving_average(usage, 2, 3, 'bad') FROM cpu",
     planning("exponential_moving_average warmup type must be one of: 'exponential', 'simple', got bad"),
     "exponential_moving_average warmup type must be one of: 'exponential' 'simple'"),
    ("SELECT sum(1) FROM cpu", planning("expected field argument in sum(), got Literal(Integer(1))"),
     "expected field argument in sum()"),
    ("SELECT sum(mean(usage)) FROM cpu", planning('expected field argument in sum(), got Call(Call { name: "mean", args: '
                                                  '[VarRef(VarRef { name: Identifier("usage"), data_type: None })] })'),
     "expected field argument in sum()"),
    ("SELECT usage, 1 FROM cpu", planning("field must contain at least one variable"),
     "field must contain at least one variable"),
    ("SELECT mean(usage), usage FROM cpu", planning("mixing aggregate and non-aggregate columns is not supported"),
     "mixing aggregate and non-aggregate queries is not supported"),
    ("SELECT first(usage), last(usage), host FROM cpu",
     planning("mixing multiple selector functions with tags or fields is not supported"),
     "mixing multiple selector functions with tags or fields is not supported"),
    ("SELECT distinct(usage), mean(usage) FROM cpu",
     planning("aggregate function distinct() cannot be combined with other functions or fields"),
     "aggregate function distinct() cannot be combined with other functions or fields"),
    ("SELECT distinct(mean(usage)) FROM cpu", planning("expected field argument in distinct()"),
     "expected field argument in distinct()"),
    ("SELECT usage FROM cpu GROUP BY time(1m)", planning("GROUP BY requires at least one aggregate function"),
     "GROUP BY requires at least one aggregate function"),
    ("SELECT usage FROM cpu fill(none)", planning("FILL(none) must be used with an aggregate or selector function"),
     "fill(none) must be used with a function"),
    ("SELECT usage FROM cpu fill(linear)", planning("FILL(linear) must be used with an aggregate or selector function"),
     "fill(linear) must be used with a function"),
    # iox_query_influxql/src/plan/snapshots/..._tests__select__time_range_in_where-5.snap
    # (plan("SELECT foo, f64_field FROM data where time != 0")): "rewriting statement\ncaused by\nsplit condition\n
    # caused by\nError during planning: invalid time comparison operator: !=" (before the fields are checked)
    ("SELECT sum(1) FROM cpu WHERE host = 'a' AND time != now()",
     ("datafusion error: rewriting statement\ncaused by\nsplit condition\ncaused by\nError during planning: "
     "invalid time comparison operator: !="), "invalid time comparison operator: !="),
]

# SHOW statements past their first words: each optional clause is opt(preceded(ws1, clause)), so one that
# cannot start is left over, and one that starts and breaks fails with its message (show*.rs).
SHOW = [
    # common.rs test_limit_clause / test_offset_clause (SHOW's LIMIT and OFFSET are the same parsers)
    ("SHOW TAG VALUES WITH KEY = host LIMIT x", P + "invalid LIMIT clause, expected unsigned integer at pos 38",
     v1("found x, expected integer", 39)),
    ("SHOW MEASUREMENTS OFFSET -1", P + "invalid OFFSET clause, expected unsigned integer at pos 25",
     v1("found -, expected integer", 26)),
    ("SHOW FIELD KEYS FROM cpu LIMIT x", P + "invalid LIMIT clause, expected unsigned integer at pos 31",
     v1("found x, expected integer", 32)),
    # show_tag_values.rs test_with_key_clause: "invalid WITH KEY clause, expected condition",
    # "... expected identifier following =", "... expected regular expression following =~"
    ("SHOW TAG VALUES WITH KEY host", P + "invalid WITH KEY clause, expected condition at pos 24",
     v1("found host, expected IN, =, =~", 26)),
    ("SHOW TAG VALUES WITH KEY =~ host", P + "invalid WITH KEY clause, expected regular expression following =~ at pos 28",
     v1("found host, expected regex", 29)),
    ("SHOW TAG VALUES WITH KEY =", P + "invalid WITH KEY clause, expected identifier following = at pos 26",
     v1("found EOF, expected identifier", 27)),
    # show_tag_values.rs test_identifier_list: "invalid identifier list, expected ')'"; identifier_list
    # separated_list1("invalid IN clause, expected identifier")
    ("SHOW TAG VALUES WITH KEY IN (host", P + "invalid identifier list, expected ')' at pos 33",
     v1("found EOF, expected )", 35)),
    ("SHOW TAG VALUES WITH KEY IN ()", P + "invalid IN clause, expected identifier at pos 29",
     v1("found ), expected identifier", 30)),
    # show_tag_values.rs: expect("invalid SHOW TAG VALUES statement, expected WITH KEY clause", ...) after ON and FROM
    ("SHOW TAG VALUES FROM cpu", P + "invalid SHOW TAG VALUES statement, expected WITH KEY clause at pos 24",
     v1("found EOF, expected WITH", 26)),
    # simple_from_clause.rs from_clause: "invalid FROM clause, expected identifier or regular expression"
    ("SHOW TAG VALUES FROM WITH KEY = host", P + "invalid FROM clause, expected identifier or regular expression at pos 21",
     v1("found WITH, expected identifier", 22)),
    ("SHOW TAG KEYS FROM", nom("FROM", 14), v1("found EOF, expected identifier", 20)),  # FROM wants whitespace after it
    # show_retention_policies.rs test_show_retention_policies / show.rs on_clause: "invalid ON clause, expected identifier"
    ("SHOW TAG KEYS ON", P + "invalid ON clause, expected identifier at pos 16", v1("found EOF, expected identifier", 18)),
    ("SHOW RETENTION POLICIES ON", P + "invalid ON clause, expected identifier at pos 26",
     v1("found EOF, expected identifier", 28)),
    ("SHOW TAG KEYS WHERE host =", P + COND + " at pos 26", v1(f"found EOF, {EXPR}", 27)),
    ("SHOW MEASUREMENTS WHERE (host = 'a'", nom("WHERE (host = 'a'", 18), v1("found EOF, expected )", 36)),
    # show_measurements.rs test_with_measurement_clause: "invalid WITH clause, expected MEASUREMENT",
    # "expected = or =~", "expected measurement name"; test_extended_on_clause: "invalid ON clause, expected
    # wildcard or identifier"
    ("SHOW MEASUREMENTS WITH foo", P + "invalid WITH clause, expected MEASUREMENT at pos 23",
     v1("found foo, expected MEASUREMENT", 24)),
    ("SHOW MEASUREMENTS WITH MEASUREMENT host", P + "expected = or =~ at pos 35", v1("found host, expected =, =~", 36)),
    ("SHOW MEASUREMENTS WITH MEASUREMENT =", P + "expected measurement name at pos 36",
     v1("found EOF, expected identifier", 38)),
    ("SHOW MEASUREMENTS ON 1", P + "invalid ON clause, expected wildcard or identifier at pos 21",
     v1("found 1, expected identifier", 22)),
]

# EXPLAIN of any statement. explain.rs explain_statement: expect("invalid EXPLAIN statement, expected
# InfluxQL statement", statement), so a statement that starts and then breaks fails with its own words;
# planner.rs explain_statement_to_plan plans the statement first: test_explain's snapshots
# ..._tests__select__explain-5.snap "EXPLAIN SHOW MEASUREMENTS" (a plan), -9.snap "EXPLAIN SHOW DATABASES":
# "This feature is not implemented: SHOW DATABASES", -10.snap "EXPLAIN EXPLAIN SELECT ..." (Explain over Explain).
# 1.x's EXPLAIN takes SELECT only.
EXPLAIN = [
    ("EXPLAIN SHOW MEASUREMENTS", None, v1("found SHOW, expected SELECT", 9)),
    ("EXPLAIN VERBOSE SHOW TAG KEYS", None, v1("found VERBOSE, expected SELECT", 9)),
    ("EXPLAIN ANALYZE SHOW FIELD KEYS", None, v1("found SHOW, expected SELECT", 17)),
    ("EXPLAIN SHOW TAG VALUES WITH KEY = host", None, v1("found SHOW, expected SELECT", 9)),
    ("EXPLAIN SHOW RETENTION POLICIES", None, v1("found SHOW, expected SELECT", 9)),
    ("EXPLAIN EXPLAIN SELECT usage FROM cpu", None, v1("found EXPLAIN, expected SELECT", 9)),
    ("EXPLAIN SHOW DATABASES", "datafusion error: This feature is not implemented: SHOW DATABASES",
     v1("found SHOW, expected SELECT", 9)),
    ("EXPLAIN CREATE DATABASE x", "datafusion error: This feature is not implemented: CREATE DATABASE",
     v1("found CREATE, expected SELECT", 9)),
    ("EXPLAIN DROP MEASUREMENT gone", "datafusion error: This feature is not implemented: DROP MEASUREMENT",
     v1("found DROP, expected SELECT", 9)),
    ("EXPLAIN FOO", P + "invalid EXPLAIN statement, expected InfluxQL statement at pos 8",
     v1("found FOO, expected SELECT", 9)),
    ("EXPLAIN VERBOSE (", P + "invalid EXPLAIN statement, expected InfluxQL statement at pos 16",
     v1("found VERBOSE, expected SELECT", 9)),
    # show.rs INVALID_SHOW_STATEMENT_ERROR, through EXPLAIN (a failure, not EXPLAIN's words)
    ("EXPLAIN SHOW SERIES", P + "invalid SHOW statement, expected DATABASES, FIELD KEYS, MEASUREMENTS, TAG KEYS, "
     "TAG VALUES, or RETENTION POLICIES following SHOW at pos 13", v1("found SHOW, expected SELECT", 9)),
    ("EXPLAIN SHOW TAG KEYS FROM cpu WHERE", nom("WHERE", 31), v1("found SHOW, expected SELECT", 9)),
    ("EXPLAIN SHOW MEASUREMENTS SLIMIT 1", nom("SLIMIT 1", 26), v1("found SHOW, expected SELECT", 9)),
]

# CREATE DATABASE, DROP MEASUREMENT and DELETE parse in v3 (its planner then refuses them), so a mistake
# inside one has v3's parser's words. create.rs test_create_statement / test_create_database:
# "Invalid CREATE statement, expected DATABASE following CREATE" (identifier backs out: CREATE's expect),
# create_database("DATABASE telegraf WITH foo") "invalid WITH clause, expected \"DURATION\", \"REPLICATION\",
# \"SHARD\" or \"NAME\"", "... WITH DURATION foo" "invalid DURATION clause, expected duration", "... WITH
# REPLICATION foo" "invalid REPLICATION clause, expected unsigned integer", "... WITH SHARD foo" "invalid SHARD
# DURATION clause, expected \"DURATION\"", "... WITH SHARD DURATION foo" "invalid SHARD DURATION clause, expected
# duration", "... WITH NAME 5" "invalid NAME clause, expected identifier" (options only in that order).
# drop.rs test_drop_measurement: drop_measurement("MEASUREMENT 'foo'") "invalid DROP MEASUREMENT statement,
# expected identifier". delete.rs test_delete: delete_statement("DELETE") "invalid DELETE statement, expected
# FROM or WHERE" (also a FROM without a name after it: the FROM branch backs out); simple_from_clause.rs
# from_clause "invalid FROM clause, expected identifier or regular expression".
WITH = 'invalid WITH clause, expected "DURATION", "REPLICATION", "SHARD" or "NAME"'
DDL = [
    ("CREATE DATABASE", P + "Invalid CREATE statement, expected DATABASE following CREATE at pos 7",
     v1("found EOF, expected identifier", 17)),
    ("CREATE DATABASE 'x'", P + "Invalid CREATE statement, expected DATABASE following CREATE at pos 7",
     v1("found x, expected identifier", 16)),
    ("CREATE DATABASE x WITH", P + WITH + " at pos 22", v1("found EOF, expected DURATION, NAME, REPLICATION, SHARD", 24)),
    ("CREATE DATABASE x WITH foo", P + WITH + " at pos 22",
     v1("found foo, expected DURATION, NAME, REPLICATION, SHARD", 24)),
    ("CREATE DATABASE x WITH DURATION foo", P + "invalid DURATION clause, expected duration at pos 31",
     v1("found foo, expected duration", 33)),
    ("CREATE DATABASE x WITH REPLICATION foo", P + "invalid REPLICATION clause, expected unsigned integer at pos 34",
     v1("found foo, expected integer", 36)),
    ("CREATE DATABASE x WITH SHARD foo", P + 'invalid SHARD DURATION clause, expected "DURATION" at pos 28',
     v1("found foo, expected DURATION", 30)),
    ("CREATE DATABASE x WITH SHARD DURATION foo", P + "invalid SHARD DURATION clause, expected duration at pos 37",
     v1("found foo, expected duration", 39)),
    ("CREATE DATABASE x WITH NAME 5", P + "invalid NAME clause, expected identifier at pos 27",
     v1("found 5, expected identifier", 29)),
    ("CREATE DATABASE x WITH NAME y DURATION 1d", nom("DURATION 1d", 30), v1("found DURATION, expected ;", 31)),
    ("DROP MEASUREMENT", P + "invalid DROP MEASUREMENT statement, expected identifier at pos 16",
     v1("found EOF, expected identifier", 18)),
    ("DROP MEASUREMENT 'foo'", P + "invalid DROP MEASUREMENT statement, expected identifier at pos 16",
     v1("found foo, expected identifier", 17)),
    ("DROP MEASUREMENT foo bar", nom("bar", 21), v1("found bar, expected ;", 22)),
    ("DELETE", P + "invalid DELETE statement, expected FROM or WHERE at pos 6", v1("found EOF, expected FROM, WHERE", 8)),
    ("DELETE FROM", P + "invalid DELETE statement, expected FROM or WHERE at pos 6",
     v1("found EOF, expected identifier", 13)),
    ("DELETE WHERE", P + "invalid DELETE statement, expected FROM or WHERE at pos 6",
     v1(f"found EOF, {EXPR}", 14)),
    ("DELETE FROM 1", P + "invalid FROM clause, expected identifier or regular expression at pos 12",
     v1("found 1, expected identifier", 13)),
    ("DELETE FROM cpu WHERE", nom("WHERE", 16), v1(f"found EOF, {EXPR}", 23)),
    ("DELETE FROM cpu, WHERE time < 0", nom(", WHERE time < 0", 15), v1("found WHERE, expected identifier", 18)),
]

# The WHERE clause's time comparisons, folded by v3's rewriter (influxdb_influxql_parser/src/time_range.rs
# split_cond, wrapped by rewriter.rs .context("split condition")), the expression printed in v3's Display.
# Quoted from time_range.rs test_rewrite_time_expression_no_timezone: process_expr("'2004-04-09T'") "invalid
# expression \"'2004-04-09T'\": '2004-04-09T' is not a valid timestamp"; "foo + 1" "invalid expression \"foo + 1\":
# found symbol 'foo', expected now() or a literal duration, float, integer and timestamp string"; "'2004-04-09' +
# false" "... found literal 'false', expected duration, float, integer, or timestamp string"; "1s * 1s" "invalid
# expression \"1000ms * 1000ms\": found operator '*', expected +, -"; "1s + 0.5" "invalid expression \"1000ms +
# 0.5\": found operator '+', expected *, /"; "now() * 1" "... invalid operator '*' for timestamp and duration:
# expected +, -"; "'2' + now()" "... '2' is not a valid timestamp"; "'2' + '3'" / "'2' + '3' + 10s" "... '23' is not
# a valid timestamp"; test_split_cond: "time > '0001-01-01T00:00:00Z'" "timestamp out of range: 0001-01-01 00:00:00
# +00:00"; reduce_binary_lhs_float "invalid float expression".
SPLIT_COND = "datafusion error: rewriting statement\ncaused by\nsplit condition\ncaused by\nError during planning: "
REWRITE = "datafusion error: rewriting statement\ncaused by\n"
INTERVAL = "find interval offset\ncaused by\nError during planning: "
TR = "SELECT usage FROM cpu WHERE "
INCOMPATIBLE = "invalid operation: time and *influxql.{} are not compatible"
TIME_RANGE = [
    (TR + "time > '2004-04-09T'", SPLIT_COND + """invalid expression "'2004-04-09T'": '2004-04-09T' is not a valid """
     "timestamp", "invalid timestamp string"),  # (influxd 1.6.7, asked: a string that is no time)
    (TR + "time < now() AND time > 'yesterday'", SPLIT_COND + """invalid expression "'yesterday'": 'yesterday' is not """
     "a valid timestamp", INCOMPATIBLE.format("StringLiteral")),
    (TR + "host = 'a' AND time >= 'x'", SPLIT_COND + """invalid expression "'x'": 'x' is not a valid timestamp""",
     INCOMPATIBLE.format("StringLiteral")),
    (TR + "time > foo + 1", SPLIT_COND + 'invalid expression "foo + 1": found symbol \'foo\', expected now() or a '
     "literal duration, float, integer and timestamp string", INCOMPATIBLE.format("BinaryExpr")),  # (influxd 1.6.7's)
    (TR + "time > '2004-04-09' + false", SPLIT_COND + """invalid expression "'2004-04-09' + false": found literal """
     "'false', expected duration, float, integer, or timestamp string",
     INCOMPATIBLE.format("BinaryExpr")),  # (influxd 1.6.7, asked: the sum is not folded, the time compared with it)
    (TR + "time > 1s * 1s", SPLIT_COND + """invalid expression "1000ms * 1000ms": found operator '*', expected +, -""",
     INCOMPATIBLE.format("BinaryExpr")),
    (TR + "time > 1s + 0.5", SPLIT_COND + """invalid expression "1000ms + 0.5": found operator '+', expected *, /""",
     INCOMPATIBLE.format("BinaryExpr")),  # (influxd 1.6.7, asked: a duration and a float are not folded)
    (TR + "time > 1.5 + 1s", SPLIT_COND + 'invalid expression "1.5 + 1000ms": invalid float expression',
     INCOMPATIBLE.format("BinaryExpr")),
    (TR + "time > now() * 1", SPLIT_COND + """invalid expression "now() * 1": invalid operator '*' for timestamp and """
     "duration: expected +, -", INCOMPATIBLE.format("BinaryExpr")),
    (TR + "time > '2' + now()", SPLIT_COND + """invalid expression "'2' + now()": '2' is not a valid timestamp""",
     INCOMPATIBLE.format("BinaryExpr")),  # influxd 1.6.7 asked: Reduce adds no string to a time
    (TR + "time > '2' + '3'", SPLIT_COND + """invalid expression "'2' + '3'": '23' is not a valid timestamp""",
     INCOMPATIBLE.format("StringLiteral")),
    (TR + "time > '2' + '3' + 10s", SPLIT_COND + """invalid expression "'2' + '3' + 10s": '23' is not a valid """
     "timestamp", INCOMPATIBLE.format("StringLiteral")),
    (TR + "time > '0001-01-01T00:00:00Z'", SPLIT_COND + "timestamp out of range: 0001-01-01 00:00:00 +00:00",
     "time 0001-01-01T00:00:00Z underflows time literal"),  # influxd 1.6.7 asked: Go's 4-digit year
    (TR + "time > now() - 1h AND time <= '2024-01-01 00:00:00.5'", None, None),
    # expr_to_duration: a timestamp (string) on the right of a timestamp folds to nanoseconds, past i64 refused
    # (1.x runs these, influxd 1.6.7 asked)
    (TR + "time > now() - '2300-01-01T00:00:00Z'", SPLIT_COND + """invalid expression "now() - '2300-01-01T00:00:00Z'": """
     "timestamp out of range", None),
    (TR + "time > '2000-01-01T00:00:00Z' - '2262-04-12T00:00:00Z'", SPLIT_COND + """invalid expression \
"'2000-01-01T00:00:00Z' - '2262-04-12T00:00:00Z'": timestamp out of range""", None),
    # GROUP BY time(...): rewriter.rs find_interval_offset folds each argument (time_range.rs
    # duration_expr_to_nanoseconds), before split_cond; an interval's integers are unsigned literals (select.rs
    # TimeCallIntervalArgument), which reduce_expr refuses (1.x answers from influxd 1.6.7)
    ("SELECT count(usage) FROM cpu WHERE time < 3s GROUP BY time(10)", REWRITE + INTERVAL + "found literal '10', "
     "expected duration, float, integer, or timestamp string", "time dimension must have duration argument"),
    ("SELECT count(usage) FROM cpu WHERE time < 3s GROUP BY time(10 + 1s)", REWRITE + INTERVAL + """invalid \
expression "10 + 1000ms": found literal '10', expected duration, float, integer, or timestamp string""",
     "time dimension must have duration argument"),
    ("SELECT count(usage) FROM cpu WHERE time > 'x' GROUP BY time(1s, 'x')", REWRITE + INTERVAL + """invalid \
expression "'x'": 'x' is not a valid timestamp""", INCOMPATIBLE.format("StringLiteral")),  # before split condition
    # SHOW TAG KEYS / TAG VALUES / MEASUREMENTS: iox_query_influxql planner.rs plan_where_clause calls split_cond
    # too, its error a planning error without the rewriter's context (error.rs map::expr_error -> query)
    ("SHOW TAG KEYS WHERE time > 'x'", """datafusion error: Error during planning: invalid expression "'x'": 'x' is """
     "not a valid timestamp", INCOMPATIBLE.format("StringLiteral")),
    ("SHOW TAG VALUES WITH KEY = host WHERE time > 1s * 1s", "datafusion error: Error during planning: invalid "
     """expression "1000ms * 1000ms": found operator '*', expected +, -""", INCOMPATIBLE.format("BinaryExpr")),
    ("SHOW TAG KEYS WHERE time > now() - '2300-01-01T00:00:00Z'", "datafusion error: Error during planning: invalid "
     """expression "now() - '2300-01-01T00:00:00Z'": timestamp out of range""", None),
    ("SHOW MEASUREMENTS WHERE time != 0", "datafusion error: Error during planning: invalid time comparison "
     "operator: !=", "SHOW MEASUREMENTS doesn't support time in WHERE clause"),
]

ROWS = SYNTAX + FUNCTIONS + NUMBERS + SYNTAX_MORE + REWRITER + SHOW + EXPLAIN + DDL + TIME_RANGE

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
