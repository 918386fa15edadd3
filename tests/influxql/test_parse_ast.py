"""Exact ASTs for the shapes the query engine relies on (one table per family)."""
import pytest

from tsdb_core.base.errors import ParseError
from tsdb_core.influxql import parse, parse_statement
from tsdb_core.influxql.ast import (
    AlterRetentionPolicyStatement, BinaryExpr, BooleanLiteral, BoundParameter, Call,
    CreateContinuousQueryStatement, CreateDatabaseStatement, CreateRetentionPolicyStatement,
    CreateSubscriptionStatement, CreateUserStatement, DeleteSeriesStatement, Dimension, Distinct,
    DropSeriesStatement, DurationLiteral, ExplainStatement, Field, GrantAdminStatement,
    GrantStatement, IntegerLiteral, KillQueryStatement, ListLiteral, Measurement, NumberLiteral,
    ParenExpr, RegexLiteral, RevokeAdminStatement, SelectStatement, SetPasswordUserStatement,
    ShowFieldKeyCardinalityStatement, ShowMeasurementsStatement, ShowRetentionPoliciesStatement,
    ShowSeriesStatement, ShowStatsStatement, ShowTagKeysStatement, ShowTagValuesStatement,
    SortField, StringLiteral, SubQuery, Target, UnsignedLiteral, VarRef, Wildcard,
)

H = 3_600_000_000_000
M = 60_000_000_000
S = 1_000_000_000


def sel(**kw):
    kw.setdefault("sources", (Measurement(name="m"),))
    return SelectStatement(**kw)


def cond(text):
    return parse_statement(f"SELECT x FROM m WHERE {text}").condition


def field(text):
    return parse_statement(f"SELECT {text} FROM m").fields[0].expr


def test_dashboard_query():
    q = ('SELECT mean(x) FROM m WHERE "tag"=\'a\' AND time > now() - 1h '
         "GROUP BY time(1m), host fill(null)")
    assert parse(q) == [sel(
        fields=(Field(Call("mean", (VarRef("x"),))),),
        condition=BinaryExpr("AND", BinaryExpr("=", VarRef("tag"), StringLiteral("a")),
                             BinaryExpr(">", VarRef("time"),
                                        BinaryExpr("-", Call("now"), DurationLiteral(H)))),
        dimensions=(Dimension(Call("time", (DurationLiteral(M),))), Dimension(VarRef("host"))),
        fill="null")]


def test_unquoted_tag_is_a_reserved_word_as_in_influxd():
    with pytest.raises(ParseError) as info:
        parse("SELECT mean(x) FROM m WHERE tag='a'")
    assert str(info.value) == "found TAG, expected identifier, string, number, bool at line 1, char 29"


@pytest.mark.parametrize("text,expected", [
    ("1", IntegerLiteral(1)),
    ("-1", IntegerLiteral(-1)),
    ("9223372036854775808", UnsignedLiteral(2**63)),
    ("-9223372036854775808", IntegerLiteral(-(2**63))),
    ("1.5", NumberLiteral(1.5)),
    (".5", NumberLiteral(0.5)),
    ("-2.5", NumberLiteral(-2.5)),
    ("1h30m", DurationLiteral(90 * M)),
    ("-1h", DurationLiteral(-H)),
    ("10u", DurationLiteral(10_000)),
    ("10µ", DurationLiteral(10_000)),
    ("1w", DurationLiteral(7 * 24 * H)),
    ("5ns", DurationLiteral(5)),
    ("'it\\'s\\n'", StringLiteral("it's\n")),
    ("true", BooleanLiteral(True)),
    ("FALSE", BooleanLiteral(False)),
    ("x::integer", VarRef("x", "integer")),
    ('"a b"::tag', VarRef("a b", "tag")),
    ("m.x", VarRef("m.x")),
    ("*", Wildcard()),
    ("*::field", Wildcard("field")),
    ("/a\\/b/", RegexLiteral("a/b")),
    ("/a\\.b/", RegexLiteral("a\\.b")),
    ("DISTINCT host", Distinct("host")),
    ("distinct(host)", Call("distinct", (VarRef("host"),))),
    ("MEAN(x)", Call("mean", (VarRef("x"),))),
    ("count(*)", Call("count", (Wildcard(),))),
    ("$v", BoundParameter("v")),
    ('$"my v"', BoundParameter("my v")),
])
def test_operands(text, expected):
    assert field(text) == expected


@pytest.mark.parametrize("text,expected", [
    ("-x", BinaryExpr("*", IntegerLiteral(-1), VarRef("x"))),
    ("+x", BinaryExpr("*", IntegerLiteral(1), VarRef("x"))),
    ("-(x)", BinaryExpr("*", IntegerLiteral(-1), ParenExpr(VarRef("x")))),
    ("a + b * c", BinaryExpr("+", VarRef("a"), BinaryExpr("*", VarRef("b"), VarRef("c")))),
    ("a * b + c", BinaryExpr("+", BinaryExpr("*", VarRef("a"), VarRef("b")), VarRef("c"))),
    ("a - b - c", BinaryExpr("-", BinaryExpr("-", VarRef("a"), VarRef("b")), VarRef("c"))),
    ("a / -b", BinaryExpr("/", VarRef("a"), BinaryExpr("*", IntegerLiteral(-1), VarRef("b")))),
    ("a | b & c", BinaryExpr("|", VarRef("a"), BinaryExpr("&", VarRef("b"), VarRef("c")))),
    ("a ^ b % c", BinaryExpr("^", VarRef("a"), BinaryExpr("%", VarRef("b"), VarRef("c")))),
    ("(a + b) * c", BinaryExpr("*", ParenExpr(BinaryExpr("+", VarRef("a"), VarRef("b"))), VarRef("c"))),
])
def test_arithmetic_precedence(text, expected):
    assert field(text) == expected


@pytest.mark.parametrize("text,expected", [
    ("a = 1 OR b = 2 AND c = 3",
     BinaryExpr("OR", BinaryExpr("=", VarRef("a"), IntegerLiteral(1)),
                BinaryExpr("AND", BinaryExpr("=", VarRef("b"), IntegerLiteral(2)),
                           BinaryExpr("=", VarRef("c"), IntegerLiteral(3))))),
    ("a =~ /x/ and b <> 'y'",
     BinaryExpr("AND", BinaryExpr("=~", VarRef("a"), RegexLiteral("x")),
                BinaryExpr("!=", VarRef("b"), StringLiteral("y")))),
    ("x + 1 > y * 2",
     BinaryExpr(">", BinaryExpr("+", VarRef("x"), IntegerLiteral(1)),
                BinaryExpr("*", VarRef("y"), IntegerLiteral(2)))),
    ("time >= '2020-01-01T00:00:00Z'",
     BinaryExpr(">=", VarRef("time"), StringLiteral("2020-01-01T00:00:00Z"))),
    ("a = 1 = true",
     BinaryExpr("=", BinaryExpr("=", VarRef("a"), IntegerLiteral(1)), BooleanLiteral(True))),
])
def test_condition_precedence(text, expected):
    assert cond(text) == expected


@pytest.mark.parametrize("text,expected", [
    ("m", Measurement(name="m")),
    ("rp.m", Measurement(retention_policy="rp", name="m")),
    ("db.rp.m", Measurement("db", "rp", "m")),
    ("db..m", Measurement(database="db", name="m")),
    ('"d b"."r.p"."m"', Measurement("d b", "r.p", "m")),
    ("/c.*/", Measurement(regex=RegexLiteral("c.*"))),
    ("rp./c/", Measurement(retention_policy="rp", regex=RegexLiteral("c"))),
    ("db.rp./c/", Measurement("db", "rp", regex=RegexLiteral("c"))),
    ("db../c/", Measurement(database="db", regex=RegexLiteral("c"))),
])
def test_sources(text, expected):
    assert parse_statement(f"SELECT x FROM {text}").sources == (expected,)


def test_subquery_source():
    inner = sel(fields=(Field(Call("max", (VarRef("x"),)), "x"),))
    assert parse_statement("SELECT mean(x) FROM (SELECT max(x) AS x FROM m)").sources == (SubQuery(inner),)


@pytest.mark.parametrize("text,expected", [
    ("INTO n", Target(Measurement(name="n"))),
    ("INTO rp.n", Target(Measurement(retention_policy="rp", name="n"))),
    ("INTO db.rp.n", Target(Measurement("db", "rp", "n"))),
    ("INTO db.rp.:MEASUREMENT", Target(Measurement("db", "rp"))),
    ("INTO rp.:MEASUREMENT", Target(Measurement(retention_policy="rp"))),
    ("INTO db..:MEASUREMENT", Target(Measurement(database="db"))),
])
def test_into(text, expected):
    assert parse_statement(f"SELECT * {text} FROM m").into == expected


@pytest.mark.parametrize("text,fill,value", [
    ("", None, None), ("fill(null)", "null", None), ("fill(none)", "none", None),
    ("fill(previous)", "previous", None), ("fill(linear)", "linear", None),
    ("fill(0)", "value", 0), ("fill(-7)", "value", -7), ("fill(2.5)", "value", 2.5),
])
def test_fill(text, fill, value):
    s = parse_statement(f"SELECT mean(x) FROM m GROUP BY time(1m) {text}")
    assert (s.fill, s.fill_value) == (fill, value)
    assert type(s.fill_value) is type(value)


def test_clauses_after_where():
    s = parse_statement("SELECT x FROM m GROUP BY time(5m, -1m), *, /h/ ORDER BY time DESC "
                        "LIMIT 3 OFFSET 4 SLIMIT 5 SOFFSET 6 tz('Europe/Paris')")
    assert s.dimensions == (Dimension(Call("time", (DurationLiteral(5 * M), DurationLiteral(-M)))),
                            Dimension(Wildcard()), Dimension(RegexLiteral("h")))
    assert s.order_by == (SortField("time", False),) and not s.time_ascending
    assert (s.limit, s.offset, s.slimit, s.soffset, s.location) == (3, 4, 5, 6, "Europe/Paris")


def test_explain_and_multi_statement():
    assert parse("EXPLAIN ANALYZE SELECT x FROM m; SHOW STATS FOR 'shard'") == [
        ExplainStatement(sel(fields=(Field(VarRef("x")),)), analyze=True),
        ShowStatsStatement("shard")]
    assert parse("") == [] and parse(" ; ;") == []


@pytest.mark.parametrize("text,expected", [
    ("SHOW MEASUREMENTS ON db WITH MEASUREMENT =~ /c/ WHERE a = 'b' LIMIT 2",
     ShowMeasurementsStatement(database="db", source=Measurement(regex=RegexLiteral("c")),
                               condition=BinaryExpr("=", VarRef("a"), StringLiteral("b")), limit=2)),
    ("SHOW SERIES FROM cpu OFFSET 1", ShowSeriesStatement(sources=(Measurement(name="cpu"),), offset=1)),
    ("SHOW TAG KEYS SLIMIT 1", ShowTagKeysStatement(slimit=1)),
    ("SHOW TAG VALUES WITH KEY IN (a, b)",
     ShowTagValuesStatement("IN", ListLiteral(("a", "b")))),
    ("SHOW TAG VALUES FROM cpu WITH KEY = host",
     ShowTagValuesStatement("=", StringLiteral("host"), sources=(Measurement(name="cpu"),))),
    ("SHOW TAG VALUES WITH KEY !~ /h/", ShowTagValuesStatement("!~", RegexLiteral("h"))),
    ("SHOW FIELD KEY EXACT CARDINALITY ON db", ShowFieldKeyCardinalityStatement(exact=True, database="db")),
    ("SHOW RETENTION POLICIES", ShowRetentionPoliciesStatement()),
    ("CREATE DATABASE db WITH DURATION INF SHARD DURATION 1h NAME rp",
     CreateDatabaseStatement("db", True, 0, None, H, "rp")),
    ("CREATE RETENTION POLICY rp ON db DURATION 2d REPLICATION 1 DEFAULT",
     CreateRetentionPolicyStatement("rp", "db", 48 * H, 1, None, True)),
    ("ALTER RETENTION POLICY rp ON db DEFAULT REPLICATION 2",
     AlterRetentionPolicyStatement("rp", "db", replication=2, default=True)),
    ("CREATE CONTINUOUS QUERY cq ON db RESAMPLE EVERY 1m FOR 1h BEGIN "
     "SELECT mean(x) INTO n FROM m GROUP BY time(5m) END",
     CreateContinuousQueryStatement("cq", "db", sel(
         fields=(Field(Call("mean", (VarRef("x"),))),), into=Target(Measurement(name="n")),
         dimensions=(Dimension(Call("time", (DurationLiteral(5 * M),))),)), M, H)),
    ("CREATE SUBSCRIPTION s ON db.rp DESTINATIONS ANY 'a', 'b'",
     CreateSubscriptionStatement("s", "db", "rp", "ANY", ("a", "b"))),
    ("CREATE USER u WITH PASSWORD 'p' WITH ALL PRIVILEGES", CreateUserStatement("u", "p", True)),
    ("SET PASSWORD FOR u = 'p'", SetPasswordUserStatement("u", "p")),
    ("GRANT ALL ON db TO u", GrantStatement("ALL", "db", "u")),
    ("GRANT ALL TO u", GrantAdminStatement("u")),
    ("REVOKE ALL PRIVILEGES FROM u", RevokeAdminStatement("u")),
    ("KILL QUERY 12 ON \"h:1\"", KillQueryStatement(12, "h:1")),
    ("DELETE WHERE time < now()", DeleteSeriesStatement(
        condition=BinaryExpr("<", VarRef("time"), Call("now")))),
    ("DROP SERIES FROM cpu", DropSeriesStatement((Measurement(name="cpu"),))),
])
def test_meta_statements(text, expected):
    assert parse_statement(text) == expected


def test_passwords_are_redactable():
    s = parse_statement("CREATE USER u WITH PASSWORD 'secret'")
    assert "secret" not in s.redacted() and "[REDACTED]" in s.redacted()


def test_parse_statement_wants_exactly_one():
    with pytest.raises(ParseError, match="expected exactly one statement"):
        parse_statement("SHOW USERS; SHOW USERS")
    with pytest.raises(ParseError, match="found EOF"):
        parse_statement("")


def test_errors_carry_positions():
    with pytest.raises(ParseError) as info:
        parse("SELECT x\nFROM m\nWHERE x =")
    err = info.value
    assert (err.line, err.column) == (3, 10)
    assert str(err) == "found EOF, expected identifier, string, number, bool at line 3, char 10"


def test_parsing_from_many_threads_gives_identical_results():
    from concurrent.futures import ThreadPoolExecutor

    from .corpus_valid import ALL
    texts = [q for q, _ in ALL[:120]]
    expected = [parse(q) for q in texts]

    def work(offset):
        from tsdb_core.influxql.parser.driver import _parse_uncached
        return [_parse_uncached(q, None) for q in texts[offset:] + texts[:offset]]

    with ThreadPoolExecutor(4) as pool:
        results = list(pool.map(work, range(4)))
    for offset, got in enumerate(results):
        assert got == expected[offset:] + expected[:offset]


def test_long_operator_chain_parses_and_prints():
    text = "SELECT " + " + ".join(["x"] * 3000) + " FROM m"
    stmt = parse_statement(text)
    assert str(stmt) == text
