"""The statement, clause and function table of issue 20: each row run in both dialects.

Rows: (query, InfluxDB 3's answer, InfluxDB 1.x's answer); an answer is ``None`` (the
statement runs) or the statement's error text. InfluxDB 3's texts are quoted from its sources
(the file of each in a comment, in the repositories influxdata/influxdb3_core and
influxdata/influxdb); InfluxDB 1.x's are influxd 1.6.7's as this project's influxdb1 dialect
gives them (tests/http/cases/influxd records the influxd answers the engine is checked against).
"""
from __future__ import annotations

# influxdb_influxql_parser/src/show.rs INVALID_SHOW_STATEMENT_ERROR
SHOW = ("error in InfluxQL statement: parsing error: invalid SHOW statement, expected DATABASES, FIELD KEYS, "
        "MEASUREMENTS, TAG KEYS, TAG VALUES, or RETENTION POLICIES following SHOW at pos 5")
# iox_v1_query_api/src/error.rs "error in InfluxQL statement: {0}"; iox_query_influxql_rewrite/src/lib.rs
# "parsing error: {0}"; influxdb_influxql_parser/src/lib.rs "invalid InfluxQL statement at pos 0. Parsing Error: Nom(\"BAD SQL\", Tag)"
def NOM(rest: str, pos: int = 0) -> str:
    return f'error in InfluxQL statement: parsing error: invalid InfluxQL statement at pos {pos}. Parsing Error: Nom("{rest}", Tag)'


# iox_query_influxql/src/plan/planner.rs statement_to_plan: error::not_implemented("CREATE DATABASE") ...;
# iox_v1_query_api/src/error.rs "datafusion error: {0}"; DataFusion: "This feature is not implemented: {0}"
def NOT_IMPLEMENTED(what: str) -> str:
    return f"datafusion error: This feature is not implemented: {what}"


# iox_query_influxql/src/plan/rewriter.rs check_features: "This feature is not implemented: SLIMIT or SOFFSET",
# wrapped by planner.rs .context("rewriting statement") (DataFusion prints "{ctx}\ncaused by\n{err}")
SLIMIT = "datafusion error: rewriting statement\ncaused by\nThis feature is not implemented: SLIMIT or SOFFSET"
# iox_query_influxql/src/plan/rewriter.rs check_count_hll: error::not_implemented("count_hll"), inside
# select_statement_info(...).map_err(|e| e.context("gather information about select statement"))
COUNT_HLL = ("datafusion error: rewriting statement\ncaused by\ngather information about select statement\n"
             "caused by\nThis feature is not implemented: count_hll")
# iox_query_influxql/src/plan/planner.rs: error::not_implemented("sample selector function")
SAMPLE = "datafusion error: This feature is not implemented: sample selector function"


# iox_query_influxql/src/plan/planner.rs: _ => error::query(format!("Invalid function '{name}'")) (DataFusion Plan error)
def INVALID_FUNCTION(name: str) -> str:
    return f"datafusion error: Error during planning: Invalid function '{name}'"


USERS = ("users are not supported: this store authenticates with API tokens (see the token commands), "
         "not InfluxDB 1.x users")  # README: tokens replace users
W = "time >= '2024-01-01T00:00:00Z' AND time < '2024-01-01T00:10:00Z'"

STATEMENTS = [
    ("SELECT usage FROM cpu", None, None),
    ("SHOW MEASUREMENTS", None, None),
    ("SHOW TAG KEYS", None, None),
    ("SHOW TAG VALUES WITH KEY = host", None, None),
    ("SHOW FIELD KEYS", None, None),
    ("SHOW RETENTION POLICIES", None, None),
    ("EXPLAIN SELECT usage FROM cpu", None, None),
    ("CREATE DATABASE other", NOT_IMPLEMENTED("CREATE DATABASE"), None),
    ("DELETE FROM cpu WHERE time < 0", NOT_IMPLEMENTED("DELETE"), None),
    ("DROP MEASUREMENT gone", NOT_IMPLEMENTED("DROP MEASUREMENT"), None),
    ("SHOW DATABASES", NOT_IMPLEMENTED("SHOW DATABASES"), None),
    ("SHOW SERIES", SHOW, None),
    ("SHOW SERIES CARDINALITY", SHOW, None),
    ("SHOW MEASUREMENT CARDINALITY", SHOW, None),
    ("SHOW QUERIES", SHOW, None),
    ("SHOW USERS", SHOW, None),
    ("SHOW SHARDS", SHOW, None),
    ("SHOW CONTINUOUS QUERIES", SHOW, None),
    ("SHOW SUBSCRIPTIONS", SHOW, None),
    ("SHOW STATS", SHOW, None),
    ("SHOW DIAGNOSTICS", SHOW, None),
    # influxdb_influxql_parser/src/show.rs "invalid SHOW TAG statement, expected KEYS or VALUES"
    ("SHOW TAG KEY CARDINALITY",
     "error in InfluxQL statement: parsing error: invalid SHOW TAG statement, expected KEYS or VALUES at pos 9", None),
    # influxdb_influxql_parser/src/show_field_keys.rs "invalid SHOW FIELD KEYS statement, expected KEYS"
    ("SHOW FIELD KEY CARDINALITY",
     "error in InfluxQL statement: parsing error: invalid SHOW FIELD KEYS statement, expected KEYS at pos 11", None),
    # influxdb_influxql_parser/src/show_tag_values.rs "invalid SHOW TAG VALUES statement, expected WITH KEY clause"
    ("SHOW TAG VALUES CARDINALITY WITH KEY = host", "error in InfluxQL statement: parsing error: invalid SHOW TAG "
     "VALUES statement, expected WITH KEY clause at pos 15", None),
    ("SELECT mean(usage) INTO cpu_1m FROM cpu WHERE " + W + " GROUP BY time(1m)",
     NOM("SELECT mean(usage) INTO cpu_1m FROM cpu WHERE " + W + " GROUP BY time(1m)"), None),
    # influxdb_influxql_parser/src/create.rs "Invalid CREATE statement, expected DATABASE following CREATE"
    ("CREATE RETENTION POLICY day ON mydb DURATION 1d REPLICATION 1", "error in InfluxQL statement: parsing "
     "error: Invalid CREATE statement, expected DATABASE following CREATE at pos 7", None),
    ("ALTER RETENTION POLICY autogen ON mydb DURATION 30d",
     NOM("ALTER RETENTION POLICY autogen ON mydb DURATION 30d"), None),
    # influxdb_influxql_parser/src/drop.rs "invalid DROP statement, expected MEASUREMENT"
    ("DROP SERIES FROM cpu WHERE host = 'zz'",
     "error in InfluxQL statement: parsing error: invalid DROP statement, expected MEASUREMENT at pos 5", None),
    ("DROP DATABASE other",
     "error in InfluxQL statement: parsing error: invalid DROP statement, expected MEASUREMENT at pos 5", None),
    ("CREATE USER bob WITH PASSWORD 'x'", "error in InfluxQL statement: parsing error: Invalid CREATE statement, "
     "expected DATABASE following CREATE at pos 7", USERS),
    ("GRANT ALL TO bob", NOM("GRANT ALL TO bob"), "user not found"),
    ("REVOKE ALL FROM bob", NOM("REVOKE ALL FROM bob"), "user not found"),
    ("KILL QUERY 1", NOM("KILL QUERY 1"), "no such query id: 1"),
    # a SHOW TAG KEYS ends before SLIMIT in v3's grammar: the rest is an unknown statement
    ("SHOW TAG KEYS SLIMIT 1", NOM("SLIMIT 1", 14), None),
]

CLAUSES_AND_FUNCTIONS = [
    ("SELECT usage FROM cpu SLIMIT 1", SLIMIT, None),
    ("SELECT usage FROM cpu SOFFSET 1", SLIMIT, None),
    ("SELECT max(u) FROM (SELECT usage AS u FROM cpu SLIMIT 1)", SLIMIT, None),
    ("SELECT sample(usage, 2) FROM cpu", SAMPLE, None),  # window 1: the rewriter refuses it first (table_errors.py)
    ("SELECT count_hll(usage) FROM cpu", COUNT_HLL, "undefined function count_hll()"),
    ("SELECT integral(usage) FROM cpu", None, None),
    (f"SELECT holt_winters(mean(usage), 2, 0) FROM cpu WHERE {W} GROUP BY time(1m)",
     INVALID_FUNCTION("holt_winters"), None),
    (f"SELECT holt_winters_with_fit(mean(usage), 2, 0) FROM cpu WHERE {W} GROUP BY time(1m)",
     INVALID_FUNCTION("holt_winters_with_fit"), None),
    *[(f"SELECT {f}(usage, 2) FROM cpu", INVALID_FUNCTION(f), None) for f in (
        "exponential_moving_average", "double_exponential_moving_average", "triple_exponential_moving_average",
        "triple_exponential_derivative", "relative_strength_index", "kaufmans_efficiency_ratio",
        "kaufmans_adaptive_moving_average", "chande_momentum_oscillator")],
]

ROWS = STATEMENTS + CLAUSES_AND_FUNCTIONS
LP = "cpu,host=a usage=1.5 1704067200500000000\ncpu,host=b usage=2 1704067260000000000\ngone v=1 1704067200000000000"
NOW = "2024-01-01T01:00:00Z"  # an hour after the points: inside v3's 24 h metadata window
