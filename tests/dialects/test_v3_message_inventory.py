"""Every distinct error message of InfluxDB 3's InfluxQL parser (crate ``influxdb_influxql_parser``,
influxdata/influxdb3_core, code outside its tests): where the influxdb3 dialect models it, or why not.

``MODELLED`` rows name the dialect module and constant holding the message (checked below, so
the inventory cannot drift from the code); ``NOT_MODELLED`` rows say why. The rows of
table_errors.py and table.py show each modelled message at work, beside influxdb1's answer;
those of test_v3_split_cond.py reach split_cond's (its internal errors included).
"""
from __future__ import annotations

import re

import pytest

from tsdb_core.influxql.dialects import ddl3, influxdb3, params3, select3, show3, splitcond3

MODELLED = [  # (v3 message, v3 file, our module, our constant)
    ("invalid LIMIT clause, expected unsigned integer", "common.rs", select3, "LIMITS"),
    ("invalid OFFSET clause, expected unsigned integer", "common.rs", select3, "LIMITS"),
    ("invalid SLIMIT clause, expected unsigned integer", "select.rs", select3, "LIMITS"),
    ("invalid ORDER BY, expected ASC, DESC or TIME", "common.rs", select3, "ORDER"),
    ("invalid ORDER BY, expected TIME column", "common.rs", select3, "ORDER_TIME"),
    ("invalid inline comment, missing closing */", "common.rs", select3, "COMMENT"),
    ("Invalid CREATE statement, expected DATABASE following CREATE", "create.rs", influxdb3, "INVALID_CREATE"),
    ("invalid DELETE statement, expected FROM or WHERE", "delete.rs", influxdb3, "INVALID_DELETE"),
    ("invalid DROP statement, expected MEASUREMENT", "drop.rs", influxdb3, "INVALID_DROP"),
    ("invalid EXPLAIN statement, expected InfluxQL statement", "explain.rs", influxdb3, "INVALID_EXPLAIN"),
    ("invalid DROP MEASUREMENT statement, expected identifier", "drop.rs", ddl3, "DROP_NAME"),
    ('invalid WITH clause, expected "DURATION", "REPLICATION", "SHARD" or "NAME"', "create.rs", ddl3, "WITH"),
    ("invalid DURATION clause, expected duration", "create.rs", ddl3, "DURATION"),
    ("invalid REPLICATION clause, expected unsigned integer", "create.rs", ddl3, "REPLICATION"),
    ('invalid SHARD DURATION clause, expected "DURATION"', "create.rs", ddl3, "SHARD_KEYWORD"),
    ("invalid SHARD DURATION clause, expected duration", "create.rs", ddl3, "SHARD_DURATION"),
    ("invalid NAME clause, expected identifier", "create.rs", ddl3, "NAME"),
    ("invalid data type for tag or field reference, expected float, integer, unsigned, string, boolean, field, tag",
     "expression/arithmetic.rs", select3, "VAR_TYPE"),
    ("constant overflows signed integer", "expression/arithmetic.rs", select3, "SIGNED_OVERFLOW"),
    ("unexpected unary expression: expected literal integer, float, duration, field, function or parenthesis",
     "expression/arithmetic.rs", select3, "UNARY"),
    ("invalid conditional expression", "expression/conditional.rs", select3, "CONDITIONAL"),
    ("invalid conditional, expected regular expression", "expression/conditional.rs", select3, "EXPECTED_REGEX"),
    ("invalid expression, the only valid function calls are 'now' with no arguments, or scalar math functions",
     "expression/conditional.rs", select3, "WHERE_CALL"),
    ("overflow", "literal.rs", select3, "OVERFLOW"),
    ("unable to parse integer due to overflow", "literal.rs", select3, "INTEGER_OVERFLOW"),
    ("unable to parse unsigned integer", "literal.rs", select3, "UNSIGNED"),
    ("Bind parameter '{0}' was provided but not found in the InfluxQL statement", "parameter.rs", params3, "NOT_FOUND"),
    ("Bind parameter '{0}' was referenced in the InfluxQL statement but its value is undefined.", "parameter.rs",
     params3, "UNDEFINED"),
    ("Parameter type '{0}' is not supported by InfluxQL", "parameter.rs", params3, "NOT_SUPPORTED"),
    ("invalid DISTINCT expression, expected identifier", "select.rs", select3, "DISTINCT"),
    ("invalid FILL option, expected NULL, NONE, PREVIOUS, LINEAR, or a number", "select.rs", select3, "FILL"),
    ("invalid GROUP BY clause, expected BY", "select.rs", select3, "EXPECTED_BY"),
    ("invalid GROUP BY clause, expected wildcard, TIME, identifier or regular expression", "select.rs", select3,
     "DIMENSION"),
    ("invalid TIME call, expected ')'", "select.rs", select3, "TIME_CLOSE"),
    ("invalid TIME call, expected 1 or 2 arguments", "select.rs", select3, "TIME_ARGUMENTS"),
    ("invalid TIME call, expected a duration for the interval", "select.rs", select3, "TIME_INTERVAL"),
    ("invalid TZ clause, expected string", "select.rs", select3, "TZ"),
    ("unable to find timezone", "select.rs", select3, "TZ_UNKNOWN"),
    ("invalid expression, the only valid function call is 'now' with no arguments", "select.rs", select3, "NOW_CALL"),
    ("invalid field alias, expected identifier", "select.rs", select3, "ALIAS"),
    ("invalid wildcard type specifier, expected TAG or FIELD", "select.rs", select3, "WILDCARD_TYPE"),
    ("invalid FROM clause, expected identifier, regular expression or subquery", "select.rs", select3, "INVALID_FROM"),
    ("invalid SELECT statement, expected field", "select.rs", select3, "EXPECTED_FIELD"),
    ("invalid ON clause, expected identifier", "show.rs", show3, "ON"),
    ("invalid SHOW TAG statement, expected KEYS or VALUES", "show.rs", show3, "SHOW_TAG"),
    (("invalid SHOW statement, expected DATABASES, FIELD KEYS, MEASUREMENTS, TAG KEYS, TAG VALUES, or RETENTION "
     "POLICIES following SHOW"), "show.rs", show3, "INVALID_SHOW"),
    ("invalid SHOW FIELD KEYS statement, expected KEYS", "show_field_keys.rs", show3, "FIELD_KEYS"),
    ("expected = or =~", "show_measurements.rs", show3, "EQUALS"),
    ("expected measurement name", "show_measurements.rs", show3, "MEASUREMENT_NAME"),
    ("invalid ON clause, expected wildcard or identifier", "show_measurements.rs", show3, "EXTENDED_ON"),
    ("invalid WITH clause, expected MEASUREMENT", "show_measurements.rs", show3, "WITH_MEASUREMENT"),
    ("invalid SHOW RETENTION POLICIES statement, expected POLICIES", "show_retention_policies.rs", show3, "RETENTION"),
    ("invalid SHOW TAG VALUES statement, expected WITH KEY clause", "show_tag_values.rs", show3, "TAG_VALUES"),
    ("invalid WITH KEY clause, expected KEY", "show_tag_values.rs", show3, "WITH_KEY"),
    ("invalid WITH KEY clause, expected condition", "show_tag_values.rs", show3, "KEY_CONDITION"),
    ("invalid WITH KEY clause, expected identifier following !=", "show_tag_values.rs", show3, "KEY_OPERAND"),
    ("invalid WITH KEY clause, expected identifier following =", "show_tag_values.rs", show3, "KEY_OPERAND"),
    ("invalid WITH KEY clause, expected regular expression following =!", "show_tag_values.rs", show3, "KEY_OPERAND"),
    ("invalid WITH KEY clause, expected regular expression following =~", "show_tag_values.rs", show3, "KEY_OPERAND"),
    ("invalid WITH KEY clause, expected identifier list following IN", "show_tag_values.rs", show3, "KEY_IN"),
    ("invalid identifier list, expected ')'", "show_tag_values.rs", show3, "IN_CLOSE"),
    ("invalid IN clause, expected identifier", "show_tag_values.rs", show3, "IN_LIST"),
    ("invalid FROM clause, expected identifier or regular expression", "simple_from_clause.rs", show3, "SHOW_FROM"),
    (r"invalid escape sequence, expected \\, \' or \n", "string.rs", select3, "ESCAPE"),
    (r'invalid escape sequence, expected \\, \" or \n', "string.rs", select3, "ESCAPE"),
    ("unterminated string literal", "string.rs", select3, "UNTERMINATED_STRING"),
    ("unterminated regex literal", "string.rs", select3, "UNTERMINATED_REGEX"),
    ("invalid InfluxQL statement", "lib.rs", influxdb3, "nom_error"),
    # split_cond's own messages and its internal ones (rows of test_v3_split_cond.py reach each)
    ("invalid time comparison operator: !=", "time_range.rs", splitcond3, "NOT_EQUAL"),
    ("expected Expr", "time_range.rs", splitcond3, "EXPECTED_EXPR"),
    ("invalid expr stack", "time_range.rs", splitcond3, "INVALID_STACK"),
    ("expected an element on stack", "time_range.rs", splitcond3, "NO_ELEMENT"),
    ("'{s}' is not a valid timestamp", "time_range.rs", None, "timerange3.fold_error"),
    ("found operator '{op}', expected +, -", "time_range.rs", None, "timerange3.fold_error"),
    ("found operator '{op}', expected *, /", "time_range.rs", None, "timerange3.fold_error"),
    ("found literal '{val}', expected duration, float, integer, or timestamp string", "time_range.rs", None, "timerange3.fold_error"),
    ("found symbol '{expr}', expected now() or a literal duration, float, integer and timestamp string", "time_range.rs", None, "timerange3.fold_error"),
    ("invalid operator '{op}' for timestamp and duration: expected +, -", "time_range.rs", None, "timerange3.fold_error"),
    ("invalid expression '{rhs}': expected duration, integer or timestamp string", "time_range.rs", None, "timerange3.fold_error"),
    ("found '{rhs}', expected duration, integer or timestamp string", "time_range.rs", None, "timerange3.fold_error"),
    ("unexpected literal '{rhs}' for duration expression", "time_range.rs", None, "timerange3.fold_error"),
    ('invalid integer expression', "time_range.rs", None, "timerange3.fold_error"),
    ('invalid float expression', "time_range.rs", None, "timerange3.fold_error"),
    ('invalid operator for float expression', "time_range.rs", None, "timerange3.fold_error"),
    ("invalid function call '{}'", "time_range.rs", None, "timerange3.fold_error"),
    ('overflow', "time_range.rs", None, "timerange3.fold_error"),
    ("timestamp out of range", "time_range.rs", None, "timerange3.fold_error"),  # expr_to_duration
]

NOT_MODELLED = [  # (v3 message, v3 file, why) -- re-read against influxdb3_core 349d802b
    ("ws0 is infallible", "expression/conditional.rs, select.rs, lib.rs",
     "reachable, but a panic, not an answer: an unclosed /* where lib.rs parse_statements looks for a statement "
     "('/* x', 'SHOW DATABASES /* x', 'SHOW DATABASES; /* x') fails ws0 (common.rs comment_inline's expect), and "
     "`ws0(i).expect(\"ws0 is infallible\")` panics on the connection's task (handler.rs parses before any "
     "executor): the connection closes unanswered, the words go to the log. ASGI has no public way to close a "
     "connection unanswered (Hypercorn answers 500 for an app that fails), so we keep a parse error"),
    ("unexpected eof", "expression/conditional.rs, select.rs",
     "parse_conditional_expression / parse_field (and their FromStr) only: nothing outside tests calls them, "
     "in influxdb3_core or in influxdb3"),
    ("invalid field expression", "select.rs", "parse_field only (see above)"),
    ("unable to parse integer", "literal.rs",
     "map_error (a recoverable error) in `integer`, used only by `number` in FILL(...), whose expect(...) "
     "replaces it by the FILL message (modelled)"),
    ("unable to parse float", "literal.rs", "digits '.' digits always parse as f64 (too large: infinity)"),
    ("unable to convert duration to timestamp", "literal.rs",
     "an unreachable panic (Option::expect): nanos_to_timestamp takes an i64 of nanoseconds, always in chrono's range"),
    ("unable to cast {expr} to duration", "time_range.rs",
     "unreachable: expr_to_duration is only given an integer, timestamp or string (which fails on its own words)"),
    ("invalid duration expression", "time_range.rs",
     "unreachable: reduce_time_expr returns only timestamps (duration_expr_to_nanoseconds) and reduce_expr only "
     "literals (reduce_binary_lhs_duration's non-literal arm)"),
    ("invalid time range expression", "time_range.rs",
     "unreachable: reduce_expr returns only integer, float, string, timestamp or duration literals, all converted"),
    ("unable to resolve now", "time_range.rs",
     "unreachable: both callers (rewriter.rs rewrite, planner.rs plan_where_clause) set `now: Some(..)`"),
    ("expected Timestamp, got: {expr}", "time_range.rs", "unreachable: reduce_time_expr returns only timestamps"),
]


def _values(module, name: str):
    value = getattr(module, name)
    if isinstance(value, dict):
        return list(value.values())
    if isinstance(value, tuple):
        return [m for _, m in value]
    return [value]


@pytest.mark.parametrize("message,source,module,name", [r for r in MODELLED if r[2] is not None],
                         ids=[r[0][:50] for r in MODELLED if r[2] is not None])
def test_each_modelled_message_is_the_dialects_constant(message, source, module, name):
    if callable(getattr(module, name)):  # a message built by a function (its text is checked in table_errors.py)
        assert message in getattr(module, name)("x", 0)
        return
    ours = [re.sub(r"'\$\{\}'", "'{0}'", re.sub(r"\{[^}]*\}", "{}", v)).replace("'{}'", "'{0}'")
            for v in _values(module, name)]
    assert message in ours


def test_the_inventory_has_each_message_once():
    pairs = [(m, f) for m, f, *_ in MODELLED + NOT_MODELLED]
    assert len(pairs) == len(set(pairs))


def test_split_conds_messages_are_reached_by_a_row():
    """A split_cond row moved to MODELLED only with a query that reaches it."""
    from tests.dialects import test_v3_split_cond as t

    answers = [e for table in (t.EXPECTED_EXPR, t.INVALID_STACK, t.NO_ELEMENT, t.WALK_ORDER) for _, e in table if e]
    for message, _, module, name in MODELLED:
        if module is splitcond3:
            assert any(a.endswith(getattr(splitcond3, name)) for a in answers), message
