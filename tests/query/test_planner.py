"""Planner: the plan text (what EXPLAIN prints) for representative statements, and naming."""
from __future__ import annotations

import pytest

import tsdb_core
from tsdb_core.influxql import ast as A
from tsdb_core.influxql import parse
from tsdb_core.query.plan.planner import _column_names, plan_select, reduce_literals
from tsdb_core.base.time import fixed_clock

NOW = 1_700_000_000_000_000_000
T0 = 1_600_000_000_000_000_000
H = 3_600_000_000_000


@pytest.fixture(scope="module")
def store():
    s = tsdb_core.open(None, clock=fixed_clock(NOW))
    s.write("db", f"cpu,host=a,dc=x usage=1,idle=2i {T0}\nmem,host=a free=3i {T0}")
    yield s
    s.close()


def explain(store, q):
    (stmt,) = parse(q)
    return plan_select(stmt, store, db="db", rp=None, now=NOW).explain()


PLANS = {
    "SELECT usage FROM cpu WHERE host = 'a' AND time > now() - 1h": f"""\
Project [time, usage::float AS usage]
  Order time ASC limit=0 offset=0 slimit=0 soffset=0
    Series by=[]
      Filter host::tag = 'a'
        Scan db.autogen.cpu time=[{NOW - H + 1}, 9223372036854775806] columns=[dc, host, usage]""",
    "SELECT mean(usage), max(idle) FROM cpu GROUP BY time(10m), * fill(previous) tz('Europe/Paris')": f"""\
Project [time, mean(usage::float) AS mean, max(idle::integer) AS max]
  Order time ASC limit=0 offset=0 slimit=0 soffset=0
    Fill previous
      Aggregate window=time(10m, 0s) by=[dc, host] tz=Europe/Paris
        Scan db.autogen.cpu time=[-9223372036854775806, {NOW}] columns=[dc, host, idle, usage]""",
    "SELECT * FROM /./ ORDER BY time DESC LIMIT 2 SLIMIT 1": """\
Project [time, dc::tag AS dc, free::integer AS free, host::tag AS host, idle::integer AS idle, usage::float AS usage]
  Order time DESC limit=2 offset=0 slimit=1 soffset=0
    Series by=[]
      Scan db.autogen.cpu time=[-9223372036854775806, 9223372036854775806] columns=[dc, free, host, idle, usage]
      Scan db.autogen.mem time=[-9223372036854775806, 9223372036854775806] columns=[dc, free, host, idle, usage]""",
    "SELECT max(m) FROM (SELECT mean(usage) AS m FROM cpu GROUP BY time(1h), host) WHERE time >= 0": f"""\
Project [time, max(m::float) AS max]
  Order time ASC limit=0 offset=0 slimit=0 soffset=0
    Aggregate window=all by=[]
      Subquery
        Project [time, mean(usage::float) AS m]
          Order time ASC limit=0 offset=0 slimit=0 soffset=0
            Fill none
              Aggregate window=time(1h, 0s) by=[host]
                Scan db.autogen.cpu time=[0, {NOW}] columns=[host, usage]""",
}


@pytest.mark.parametrize("query", list(PLANS))
def test_plan_text(store, query):
    assert explain(store, query) == PLANS[query]


@pytest.mark.parametrize("fields,expected", [
    ([("a", False), ("a", False), ("a", False)], ["a", "a_1", "a_2"]),
    ([("a", False), ("a", False), ("a_1", False)], ["a", "a_1", "a_1_1"]),
    ([("a", False), ("a_1", True), ("a", False)], ["a", "a_1", "a_2"]),
    ([("mean", False), ("mean", True)], ["mean_1", "mean"]),
])
def test_column_names_like_influxdb(fields, expected):
    assert _column_names([(n, None, alias) for n, alias in fields]) == expected


@pytest.mark.parametrize("expr,expected", [
    (A.BinaryExpr("/", A.IntegerLiteral(1), A.IntegerLiteral(0)), A.NumberLiteral(0.0)),
    (A.BinaryExpr("+", A.IntegerLiteral(1), A.IntegerLiteral(2)), A.IntegerLiteral(3)),
    (A.BinaryExpr("*", A.NumberLiteral(1.5), A.IntegerLiteral(2)), A.NumberLiteral(3.0)),
    (A.BinaryExpr("+", A.VarRef("v"), A.ParenExpr(A.BinaryExpr("-", A.IntegerLiteral(5), A.IntegerLiteral(2)))),
     A.BinaryExpr("+", A.VarRef("v"), A.IntegerLiteral(3))),
], ids=str)
def test_reduce_literals(expr, expected):
    assert reduce_literals(expr) == expected
