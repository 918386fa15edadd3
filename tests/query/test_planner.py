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
    # raw, tag filter: the fast executor
    "SELECT usage FROM cpu WHERE host = 'a' AND time > now() - 1h": """\
FastSelect raw tags=[host IN ('a')]
  Project [time, usage::float AS usage]
    Order time ASC limit=0 offset=0 slimit=0 soffset=0
      Series by=[]
        Filter host::tag = 'a'
          Scan db.autogen.cpu time=[1699996400000000001, 9223372036854775806] columns=[dc, host, usage] tags=[host IN ('a')]""",
    # windows, every tag, fill, zone
    "SELECT mean(usage), max(idle) FROM cpu GROUP BY time(10m), * fill(previous) tz('Europe/Paris')": """\
Project [time, mean(usage::float) AS mean, max(idle::integer) AS max]
  Order time ASC limit=0 offset=0 slimit=0 soffset=0
    Fill previous
      Aggregate [mean(usage::float), max(idle::integer)] window=time(10m, 0s) by=[dc, host] tz=Europe/Paris
        Scan db.autogen.cpu time=[-9223372036854775806, 1700000000000000000] columns=[dc, host, idle, usage]""",
    # two measurements
    'SELECT * FROM /./ ORDER BY time DESC LIMIT 2 SLIMIT 1': """\
Project [time, dc::tag AS dc, free::integer AS free, host::tag AS host, idle::integer AS idle, usage::float AS usage]
  Order time DESC limit=2 offset=0 slimit=1 soffset=0
    Series by=[]
      Merge
        Scan db.autogen.cpu time=[-9223372036854775806, 9223372036854775806] columns=[dc, free, host, idle, usage]
        Scan db.autogen.mem time=[-9223372036854775806, 9223372036854775806] columns=[dc, free, host, idle, usage]""",
    # subquery
    'SELECT max(m) FROM (SELECT mean(usage) AS m FROM cpu GROUP BY time(1h), host) WHERE time >= 0': """\
Project [time, max(m::float) AS max]
  Order time ASC limit=0 offset=0 slimit=0 soffset=0
    Aggregate [max(m::float)] window=all by=[] time=point
      Subquery
        Project [time, mean(usage::float) AS m]
          Order time ASC limit=0 offset=0 slimit=0 soffset=0
            Fill none
              Aggregate [mean(usage::float)] window=time(1h, 0s) by=[host]
                Scan db.autogen.cpu time=[0, 1700000000000000000] columns=[host, usage]""",
    # raw, no condition: the fast executor
    'SELECT * FROM cpu': """\
FastSelect raw tags=[]
  Project [time, dc::tag AS dc, host::tag AS host, idle::integer AS idle, usage::float AS usage]
    Order time ASC limit=0 offset=0 slimit=0 soffset=0
      Series by=[]
        Scan db.autogen.cpu time=[-9223372036854775806, 9223372036854775806] columns=[dc, host, idle, usage]""",
    # field and regex filters
    'SELECT usage, host FROM cpu WHERE usage > 0.5 AND dc =~ /x/': """\
Project [time, usage::float AS usage, host::tag AS host]
  Order time ASC limit=0 offset=0 slimit=0 soffset=0
    Series by=[]
      Filter usage::float > 0.5 AND dc::tag =~ /x/
        Scan db.autogen.cpu time=[-9223372036854775806, 9223372036854775806] columns=[dc, host, usage]""",
    # GROUP BY time + fill(value)
    'SELECT count(usage) FROM cpu WHERE time >= 0 AND time < 3600s GROUP BY time(10m) fill(0)': """\
Project [time, count(usage::float) AS count]
  Order time ASC limit=0 offset=0 slimit=0 soffset=0
    Fill value(0)
      Aggregate [count(usage::float)] window=time(10m, 0s) by=[]
        Scan db.autogen.cpu time=[0, 3599999999999] columns=[usage]""",
    # aggregates by tag
    'SELECT sum(idle), stddev(usage) FROM cpu GROUP BY host': """\
Project [time, sum(idle::integer) AS sum, stddev(usage::float) AS stddev]
  Order time ASC limit=0 offset=0 slimit=0 soffset=0
    Aggregate [sum(idle::integer), stddev(usage::float)] window=all by=[host]
      Scan db.autogen.cpu time=[-9223372036854775806, 9223372036854775806] columns=[host, idle, usage]""",
    # a selector: its point's time
    'SELECT max(usage), host FROM cpu': """\
Project [time, max(usage::float) AS max, host::tag AS host]
  Order time ASC limit=0 offset=0 slimit=0 soffset=0
    Aggregate [max(usage::float)] window=all by=[] time=point
      Scan db.autogen.cpu time=[-9223372036854775806, 9223372036854775806] columns=[host, usage]""",
    'SELECT top(usage, host, 2) FROM cpu': """\
Project [time, top(usage::float, host::tag, 2) AS top, host::tag AS host]
  Order time ASC limit=0 offset=0 slimit=0 soffset=0
    Aggregate [top(usage::float, host::tag, 2)] window=all by=[] time=point
      Scan db.autogen.cpu time=[-9223372036854775806, 9223372036854775806] columns=[host, usage]""",
    # a transform of windows (one more window read)
    'SELECT derivative(mean(usage), 1s) FROM cpu WHERE time >= 0 AND time < 3600s GROUP BY time(10m)': """\
Project [time, derivative(mean(usage::float), 1s) AS derivative]
  Order time ASC limit=0 offset=0 slimit=0 soffset=0
    Transform [derivative(mean(usage::float), 1s)]
      Fill null
        Aggregate [mean(usage::float)] window=time(10m, 0s) by=[]
          Scan db.autogen.cpu time=[-600000000000, 3599999999999] columns=[usage]""",
    # a transform of raw points
    "SELECT moving_average(usage, 3) FROM cpu WHERE host = 'a'": """\
Project [time, moving_average(usage::float, 3) AS moving_average]
  Order time ASC limit=0 offset=0 slimit=0 soffset=0
    Transform [moving_average(usage::float, 3)]
      Series by=[]
        Filter host::tag = 'a'
          Scan db.autogen.cpu time=[-9223372036854775806, 9223372036854775806] columns=[dc, host, usage] tags=[host IN ('a')]""",
    # raw transform beside an aggregate: zipped by time
    'SELECT difference(usage), count(idle) FROM cpu': """\
Project [time, difference(usage::float) AS difference, count(idle::integer) AS count]
  ZipByTime raw=[0] aggregates=[1]
    Project [time, difference(usage::float) AS difference]
      Order time ASC limit=0 offset=0 slimit=0 soffset=0
        Transform [difference(usage::float)]
          Series by=[]
            Scan db.autogen.cpu time=[-9223372036854775806, 9223372036854775806] columns=[idle, usage]
    Project [time, count(idle::integer) AS count]
      Order time ASC limit=0 offset=0 slimit=0 soffset=0
        Aggregate [count(idle::integer)] window=all by=[]
          Scan db.autogen.cpu time=[-9223372036854775806, 9223372036854775806] columns=[idle, usage]""",
    'SELECT usage FROM cpu GROUP BY host LIMIT 5 OFFSET 1 SLIMIT 2 SOFFSET 1': """\
Project [time, usage::float AS usage]
  Order time ASC limit=5 offset=1 slimit=2 soffset=1
    Series by=[host]
      Scan db.autogen.cpu time=[-9223372036854775806, 9223372036854775806] columns=[dc, host, usage]""",
    # windows of one series: the fast executor
    "SELECT max(usage), mean(idle) FROM cpu WHERE host = 'a' AND time >= 0 AND time < 3600s GROUP BY time(10m)": """\
FastSelect windows tags=[host IN ('a')]
  Project [time, max(usage::float) AS max, mean(idle::integer) AS mean]
    Order time ASC limit=0 offset=0 slimit=0 soffset=0
      Fill null
        Aggregate [max(usage::float), mean(idle::integer)] window=time(10m, 0s) by=[]
          Filter host::tag = 'a'
            Scan db.autogen.cpu time=[0, 3599999999999] columns=[host, idle, usage] tags=[host IN ('a')]""",
    # raw fill(value)
    'SELECT usage * 2 + idle FROM cpu WHERE usage > 0.5 fill(3)': """\
Project [time, usage::float * 2 + idle::integer AS usage_idle]
  Order time ASC limit=0 offset=0 slimit=0 soffset=0
    Fill value(3)
      Series by=[]
        Filter usage::float > 0.5
          Scan db.autogen.cpu time=[-9223372036854775806, 9223372036854775806] columns=[dc, host, idle, usage]""",
    # lastpoint: each series' newest point is all the scan reads
    'SELECT * FROM cpu GROUP BY host ORDER BY time DESC LIMIT 1': """\
Project [time, dc::tag AS dc, idle::integer AS idle, usage::float AS usage]
  Order time DESC limit=1 offset=0 slimit=0 soffset=0
    Series by=[host]
      Scan db.autogen.cpu time=[-9223372036854775806, 9223372036854775806] columns=[dc, host, idle, usage] limit=1 newest""",
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


def test_explain_statement_prints_the_plan_tree(store):
    q = "SELECT max(usage), mean(idle) FROM cpu WHERE host = 'a' AND time >= 0 AND time < 3600s GROUP BY time(10m)"
    res = store.query("EXPLAIN " + q, db="db").to_json()
    lines = [r[0] for r in res["results"][0]["series"][0]["values"]]
    assert "\n".join(lines) == PLANS[q]


def test_the_tree_is_what_runs(store):
    """The executor follows the nodes: a plan whose Fill node is cut out fills nothing."""
    from dataclasses import replace

    from tsdb_core.query import engine
    from tsdb_core.query.exec.lazy import run_frame
    from tsdb_core.query.plan.nodes import Fill, OrderLimit

    start = T0 // H * H
    q = f"SELECT count(usage) FROM cpu WHERE time >= {start} AND time < {start + 3 * H} GROUP BY time(1h) fill(7)"
    plan = plan_select(parse(q)[0], store, db="db", rp=None, now=NOW)

    def values(p):
        ctx = engine._ctx(store, NOW, store.config)
        return [row[1:] for s in engine.to_series(p, run_frame(p, ctx), "ns", ctx) for row in s.values]

    assert values(plan) == [[1], [7], [7]]
    order: OrderLimit = plan.root.child
    fill = order.child
    assert isinstance(fill, Fill)
    unfilled = replace(plan, root=replace(plan.root, child=replace(order, child=fill.child)))
    assert values(unfilled) == [[1]]
    descending = replace(plan, root=replace(plan.root, child=replace(order, ascending=False)))
    assert [v for v in values(descending)] == [[7], [7], [1]]


def test_lowered_calls_are_opaque_to_walkers(store):
    """The output expressions the executor evaluates read the calls' result columns: a walk
    over them finds the plain fields beside a call, never the call's own argument."""
    from tsdb_core.influxql.ast.visit import find
    from tsdb_core.query.plan.nodes import LoweredCall

    plan = plan_select(parse("SELECT max(usage) + idle, usage FROM cpu")[0], store, db="db", rp=None, now=NOW)
    exprs = plan.root.exprs
    assert [type(e.lhs) for e in exprs if isinstance(e, A.BinaryExpr)] == [LoweredCall]
    assert [r.name for e in exprs for r in find(e, A.VarRef)] == ["idle", "usage"]
    lowered = exprs[0].lhs
    assert str(lowered) == "max(usage::float)" and lowered == LoweredCall(lowered.column, lowered.call)
