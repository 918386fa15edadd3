"""top(*, n) / bottom(/re/, n) and a ``*::tag`` call argument in the influxdb3 dialect.

Sources (influxdata/influxdb3_core at 349d802bf9a54ab5876399ab013502eeb0d52a6b,
iox_query_influxql/src/plan/rewriter.rs):
- l.126-128 ``self.expand_projection(..).map_err(|e| e.context("expand projection"))`` runs before
  l.163-166 ``select_statement_info(..).map_err(|e| e.context("gather information about select
  statement"))``: the wildcard is expanded before the fields are checked;
- l.746-751 the fields a call's wildcard expands to: Float, Integer, Unsigned (top/bottom add none);
  l.790 ``alias: Some(format!("{}_{}", field_name(&f), var_ref_name))``: ``top_v``;
- l.797 ``"unable to use tag as wildcard in {}()"`` (test l.2534-2539: ``COUNT(*::tag)``);
- l.1220-1222 a second top/bottom: ``"selector function {name}() cannot be combined with other functions"``.
planner.rs l.733-736 wraps the rewriter's errors in ``e.context("rewriting statement")``.
influxd 1.x refuses the wildcard ("expected first argument to be a field in top(), found *").
"""
from __future__ import annotations

import pytest

import tsdb_core
from tsdb_core.testing import ManualClock

from .both_dialects import influxdb3_store

LINES = "m,t=a i=7i,u=7u,f=2.5,s=\"x\" 1\nm,t=b i=-3i,u=3u,f=0.5,s=\"y\" 2\nn,t=a v=1,s=\"x\" 1\nn,t=b v=4 2"
REWRITE = "datafusion error: rewriting statement\ncaused by\n"
GATHER = REWRITE + "gather information about select statement\ncaused by\nError during planning: "
EXPAND = REWRITE + "expand projection\ncaused by\nError during planning: "


v3 = influxdb3_store(LINES)


def answer(s, q: str):
    (res,) = s.query(q, db="db").to_json()["results"]
    if "error" in res:
        return res["error"]
    (series,) = res["series"]
    return series["columns"], [row[1:] for row in series["values"]]


@pytest.mark.parametrize("q,want", [
    ("SELECT top(*, 1) FROM n", (["time", "top_v"], [[4.0]])),  # one numeric field (s is a string)
    ("SELECT bottom(*, 2) FROM n", (["time", "bottom_v"], [[1.0], [4.0]])),
    ("SELECT top(/^f/, 1) FROM m", (["time", "top_f"], [[2.5]])),
    ("SELECT bottom(/^u$/, 1) FROM m", (["time", "bottom_u"], [[3]])),
    ("SELECT top(*, t, 2) FROM n", (["time", "top_v", "t"], [[1.0, "a"], [4.0, "b"]])),
    ("SELECT top(*, 1) AS hi FROM n", (["time", "hi_v"], [[4.0]])),  # field_name: the alias
    ("SELECT top(*, 1) FROM m", GATHER + "selector function top() cannot be combined with other functions"),
    ("SELECT bottom(/^[fi]$/, 1) FROM m",
     GATHER + "selector function bottom() cannot be combined with other functions"),
    ("SELECT top(*::tag, 1) FROM m", EXPAND + "unable to use tag as wildcard in top()"),
    ("SELECT count(*::tag) FROM m", EXPAND + "unable to use tag as wildcard in count()"),
])
def test_answers(v3, q, want):
    assert answer(v3, q) == want


def test_explain_plans_the_expanded_call(v3):
    (res,) = v3.query("EXPLAIN SELECT top(*, 1) FROM n", db="db").to_json()["results"]
    assert "m.v AS top_v" not in str(res) and "n.v AS top_v" in str(res)


def test_influxdb1_still_refuses_the_wildcard():
    s = tsdb_core.open(clock=ManualClock("2023-01-01T00:00:00Z"))
    try:
        assert s.write("db", LINES).ok
        (res,) = s.query("SELECT top(*, 1) FROM n", db="db").to_json()["results"]
        assert res["error"] == "expected first argument to be a field in top(), found *"
    finally:
        s.close()
