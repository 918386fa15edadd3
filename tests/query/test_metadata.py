"""Meta statements replayed against a fake provider, compared with influxd 1.6.7's answers.

``tests/cases/metadata/cases.json`` is a recorded session (statements in order,
writes included); each statement's JSON must equal influxd's.
"""
from __future__ import annotations

import json
from pathlib import Path

import pytest

import tsdb_core.query.engine  # noqa: F401 - before the parser module (see the report: import-order bug)
from tsdb_core.influxql import parse_statement
from tsdb_core.base.time import go_duration
from tsdb_core.query.meta.dispatch import execute_meta
from tsdb_core.base.retention import default_shard_group_duration as shard_group_duration
from tsdb_core.base.retention import normalise_rp
from tsdb_core.base.time import D, H, M, S

from .fake_provider_meta import FakeMetaProvider

STEPS = json.loads((Path(__file__).parents[1] / "cases" / "metadata" / "cases.json").read_text())
NOW = 1_700_000_000 * S


def _session():
    """Replay the whole recorded session once; each step's (query, expected, got)."""
    p = FakeMetaProvider(NOW)
    out = []
    for step in STEPS:
        if "write" in step:
            p.write_points(step["write"], step["points"])
            continue
        stmt = parse_statement(step["query"])
        got = execute_meta(p, stmt, db=step["db"], rp=None, now=NOW).to_json()
        out.append((step["query"], step["db"], step["expected"], got))
    return out


SESSION = _session()


def _line(p) -> str:
    m, tags, fields, t = p

    def esc(s, chars):
        for c in chars:
            s = s.replace(c, "\\" + c)
        return s

    key = esc(m, ", ") + "".join(f",{esc(k, ',= ')}={esc(v, ',= ')}" for k, v in sorted(tags.items()))
    fs = {"integer": lambda v: f"{v}i", "string": lambda v: f'"{v}"',
          "boolean": lambda v: "true" if v else "false", "float": repr}
    return f"{key} {','.join(f'{k}={fs[typ](v)}' for k, (typ, v) in fields.items())} {t}"


def _store_session():
    """The same session through the real in-memory store (parser, engine, provider)."""
    import tsdb_core
    from tsdb_core.base.time import fixed_clock

    store = tsdb_core.open(clock=fixed_clock(NOW))
    out = []
    for step in STEPS:
        if "write" in step:
            res = store.write(step["write"], "\n".join(_line(p) for p in step["points"]))
            assert res.ok, res.errors
            continue
        got = store.query(step["query"], db=step["db"] or None).to_json()["results"][0]
        out.append((step["query"], step["db"], step["expected"], got))
    return out


def test_recorded_session_through_the_real_store():
    bad = [(q, db, exp, got) for q, db, exp, got in _store_session() if got != exp]
    assert bad == []


@pytest.mark.parametrize("query,db,expected,got", SESSION,
                         ids=[f"{i:03d} {s[0]} [db={s[1]}]" for i, s in enumerate(SESSION)])
def test_recorded_session(query, db, expected, got):
    assert got == expected


def test_show_queries_lists_itself():
    res = execute_meta(FakeMetaProvider(), parse_statement("SHOW QUERIES"), db="x", rp=None, now=0).to_json()
    s = res["series"][0]
    assert s["columns"] == ["qid", "query", "database", "duration", "status"]
    assert s["values"][0][1:] == ["SHOW QUERIES", "x", "0s", "running"]


@pytest.mark.parametrize("query,error", [
    ("CREATE USER bob WITH PASSWORD 'x'", "users are not supported"),
    ("CREATE CONTINUOUS QUERY cq ON db BEGIN SELECT mean(v) INTO x FROM m GROUP BY time(1h) END",
     "continuous queries are not supported"),
    ("CREATE SUBSCRIPTION s ON db.rp DESTINATIONS ALL 'http://h'", "subscriptions are not supported"),
])
def test_statements_an_embedded_store_refuses_clearly(query, error):
    res = execute_meta(FakeMetaProvider(), parse_statement(query), db="db", rp=None, now=0)
    assert res.error.startswith(error)


def test_show_diagnostics_has_build_series():
    res = execute_meta(FakeMetaProvider(), parse_statement("SHOW DIAGNOSTICS"), db="", rp=None, now=0)
    assert res.series[0].name == "build"
    assert res.series[0].columns == ["Branch", "Build Time", "Commit", "Version"]


def test_delete_passes_time_range_and_tag_predicate():
    p = FakeMetaProvider()
    p.create_database("db")
    p.write_points("db", [["m", {"h": "a"}, {"v": ["float", 1.0]}, 10], ["m", {"h": "b"}, {"v": ["float", 1.0]}, 20],
                          ["m", {"h": "a"}, {"v": ["float", 1.0]}, 30]])
    res = execute_meta(p, parse_statement("DELETE FROM m WHERE h = 'a' AND time >= 20"), db="db", rp=None, now=0)
    assert res.error is None
    assert [x[3] for x in p.dbs["db"]["points"]] == [10, 20]
    assert p.deletes[0][2:4] == (20, 9223372036854775806)


def test_delete_on_a_field_is_refused_with_influxdb_words():
    p = FakeMetaProvider()
    p.create_database("db")
    p.write_points("db", [["m", {"h": "a"}, {"v": ["float", 1.0]}, 10]])
    res = execute_meta(p, parse_statement("DELETE FROM m WHERE v > 1"), db="db", rp=None, now=0)
    assert res.error == "fields not supported in WHERE clause during deletion"


@pytest.mark.parametrize("ns,text", [
    (0, "0s"), (H, "1h0m0s"), (72 * H, "72h0m0s"), (7 * D, "168h0m0s"), (90 * M, "1h30m0s"),
    (30 * S, "30s"), (5 * M, "5m0s"), (35_000, "35µs"), (1_500_000, "1.5ms"), (999, "999ns"),
    (S + 500_000_000, "1.5s"),
])
def test_go_duration(ns, text):
    assert go_duration(ns) == text


@pytest.mark.parametrize("duration,shard,expected", [
    (0, None, (0, 7 * D)), (H, None, (H, H)), (2 * D, None, (2 * D, D)), (180 * D, None, (180 * D, 7 * D)),
    (3 * H, 30 * M, (3 * H, H)), (0, 2 * 7 * D, (0, 14 * D)),
])
def test_normalise_rp(duration, shard, expected):
    assert normalise_rp(duration, shard) == expected
    assert shard_group_duration(0) == 7 * D


def test_every_meta_statement_has_a_handler_and_select_has_none():
    import inspect

    from tsdb_core.influxql.ast import meta as M
    from tsdb_core.influxql.ast import select as S
    from tsdb_core.query.meta.dispatch import HANDLERS

    statements = {c for _, c in inspect.getmembers(M, inspect.isclass)
                  if c.__module__ == M.__name__ and issubclass(c, S.Statement) and not c.__name__.startswith("_")}
    statements |= {S.DeleteSeriesStatement, S.DropSeriesStatement, S.CreateContinuousQueryStatement}
    assert len(statements) == 42
    assert set(HANDLERS) == statements
    assert S.SelectStatement not in HANDLERS and S.ExplainStatement not in HANDLERS


def test_a_statement_without_a_handler_is_an_error_not_an_exception():
    from tsdb_core.influxql.ast import select as S

    res = execute_meta(FakeMetaProvider(), parse_statement("SELECT v FROM m"), db="db", rp=None, now=0)
    assert isinstance(parse_statement("SELECT v FROM m"), S.SelectStatement)
    assert res.error == "unsupported statement: SELECT v FROM m"


def test_show_stats_answers_from_a_provider_that_declares_statistics():
    from tsdb_core.query.provider import Capabilities

    class WithStats(FakeMetaProvider):
        capabilities = Capabilities(statistics=True)

        def stats(self):
            return [("write", {"db": "x"}, {"points": 3, "bytes": 40}), ("wal", {}, {"segments": 1})]

    every = execute_meta(WithStats(), parse_statement("SHOW STATS"), db="", rp=None, now=0).to_json()
    assert every["series"] == [
        {"name": "write", "tags": {"db": "x"}, "columns": ["bytes", "points"], "values": [[40, 3]]},
        {"name": "wal", "columns": ["segments"], "values": [[1]]}]
    one = execute_meta(WithStats(), parse_statement("SHOW STATS FOR 'wal'"), db="", rp=None, now=0)
    assert [s.name for s in one.series] == ["wal"]
    none = execute_meta(FakeMetaProvider(), parse_statement("SHOW STATS"), db="", rp=None, now=0)
    assert none.error is None and none.series == []


def test_tag_values_without_a_condition_come_from_the_provider_index():
    p = FakeMetaProvider()
    p.create_database("db")
    p.write_points("db", [["m", {"h": "b", "r": "us"}, {"v": ["float", 1.0]}, 10],
                          ["m", {"h": "a"}, {"v": ["float", 1.0]}, 20]])
    asked = []

    class Counting(FakeMetaProvider):
        def tag_values(self, db, rp, measurement, tag):
            asked.append(tag)
            return super().tag_values(db, rp, measurement, tag)

    q = Counting()
    q.dbs, q.fields = p.dbs, p.fields
    res = execute_meta(q, parse_statement('SHOW TAG VALUES FROM m WITH KEY IN ("h", "r", "x")'),
                       db="db", rp=None, now=0)
    assert res.series[0].values == [["h", "a"], ["h", "b"], ["r", "us"]]
    assert asked == ["h", "r"]
