"""v3's column names, operand types, dropped sources and FROM policies, against 1.x's answers.
Sources: influxdata/influxdb3_core (iox), crate iox_query_influxql unless named.

- rewriter.rs fields_resolve_aliases_and_types: names unique over aliases and generated names
  (test projection_simple: ``usage_user as usage_user_1, usage_user, usage_user ...`` →
  ``usage_user_1, usage_user, usage_user_3, usage_user_2, usage_user_4, usage_user_2_1``);
  influxd keeps aliases as written.
- planner/select.rs ProjectionInfo::new puts a GROUP BY tag no tag-or-unknown field selects
  after time, and planner.rs field_list_to_exprs renames a later field of its name ``_1``
  (snapshots select_raw__select_function_tag_column-2.snap: ``get_field(..) AS foo_1`` for
  ``count(foo) as foo``; select_function_tag_column.snap: ``NULL AS foo`` for ``last(foo) as foo``,
  whose unknown type selects the tag).
- expr_type_evaluator.rs eval_binary_expr_type: ``incompatible operands for operator {op}: {lhs}
  and {rhs}``, from expand_projection (rewriter.rs test fallible: ``SELECT field_f64 + field_str
  FROM all_types`` → ``Error during planning: incompatible operands for operator +: float and
  string``); field_mapper.rs map_type types ``time`` a timestamp, and binary_data_type joins
  no timestamp (test_binary_data_type: ``binary_data_type(Timestamp, Add, Timestamp)`` is None).
- rewriter.rs rewrite_statement runs from_drop_empty before planning: a SELECT reading no field
  of its measurements plans an EmptyRelation, before planner.rs's ``Invalid function '{name}'``
  and ``not_implemented("sample selector function")``.
- iox_query_influxql_rewrite lib.rs (test select: ``SELECT * FROM bar.cpu`` → ``SELECT * FROM
  cpu``, rp ``bar``, no db) and iox_v1_query_api handler.rs resolve_db: with no database in the
  statement, resolve_dbrp is None and the request's database is read, the policy dropped.
"""
from __future__ import annotations

import pytest

import tsdb_core
from tsdb_core.testing import ManualClock

from .both_dialects import store_in_both_dialects

LINES = "\n".join([
    "cpu,host=a,region=r usage_idle=90.5,usage_user=1.5 0",
    "cpu,host=a,region=r usage_idle=80.5,usage_user=2.5 60000000000",
    'types,tag0=x f=1.5,i=2i,u=3u,s="s",b=true 0',
])
store = store_in_both_dialects(LINES)

DF = "datafusion error: "
EXPAND = DF + "rewriting statement\ncaused by\nexpand projection\ncaused by\nError during planning: "


def answer(s, q: str, db: str = "db"):
    """The statement's error, or [(columns, rows without time)] of its series."""
    (res,) = s.query(q, db=db).to_json()["results"]
    if "error" in res:
        return res["error"]
    return [(x["columns"], [r[1:] for r in x["values"]]) for x in res.get("series", [])]


CASES = [  # (query, influxdb3's answer, influxdb1's answer)
    # a field named as a GROUP BY tag: renamed _1 unless its type is a tag or unknown
    ("SELECT count(foo) AS foo, first(usage_idle) FROM cpu GROUP BY foo",
     [(["time", "foo_1", "first"], [[None, 90.5]])], [(["time", "foo", "first"], [[None, 90.5]])]),
    ("SELECT last(foo) AS foo, first(usage_idle) FROM cpu GROUP BY foo",
     [(["time", "foo", "first"], [[None, 90.5]])], [(["time", "foo", "first"], [[None, 90.5]])]),
    ("SELECT mean(usage_idle) AS host FROM cpu GROUP BY host",
     [(["time", "host_1"], [[85.5]])], [(["time", "host"], [[85.5]])]),
    ("SELECT usage_idle AS host FROM cpu GROUP BY host",
     [(["time", "host_1"], [[90.5], [80.5]])], [(["time", "host"], [[90.5], [80.5]])]),
    ("SELECT host, usage_idle FROM cpu GROUP BY host",
     [(["time", "host", "usage_idle"], [["a", 90.5], ["a", 80.5]])],
     [(["time", "host", "usage_idle"], [["a", 90.5], ["a", 80.5]])]),
    # unique names: aliases too in v3
    ("SELECT usage_user AS x, usage_idle AS x FROM cpu",
     [(["time", "x", "x_1"], [[1.5, 90.5], [2.5, 80.5]])], [(["time", "x", "x"], [[1.5, 90.5], [2.5, 80.5]])]),
    ("SELECT usage_user, usage_user, usage_user_1 FROM cpu",
     [(["time", "usage_user", "usage_user_2", "usage_user_1"], [[1.5, 1.5, None], [2.5, 2.5, None]])],
     [(["time", "usage_user", "usage_user_1", "usage_user_1_1"], [[1.5, 1.5, None], [2.5, 2.5, None]])]),
    ("SELECT usage_user as usage_user_1, usage_user, usage_user, usage_user as usage_user_2, usage_user, "
     "usage_user_2 FROM cpu",
     [(["time", "usage_user_1", "usage_user", "usage_user_3", "usage_user_2", "usage_user_4", "usage_user_2_1"],
       [[1.5] * 5 + [None], [2.5] * 5 + [None]])],
     [(["time", "usage_user_1", "usage_user", "usage_user_3", "usage_user_2", "usage_user_4", "usage_user_2_1"],
       [[1.5] * 5 + [None], [2.5] * 5 + [None]])]),
    # operand types: the rewriter's words; time is a timestamp in v3, an integer in 1.x
    ("SELECT f + s FROM types", EXPAND + "incompatible operands for operator +: float and string",
     "type error: f::float + s::string: incompatible types: float and string"),
    ("SELECT s + s FROM types", EXPAND + "incompatible operands for operator +: string and string",
     "type error: s::string + s::string: incompatible types: string and string"),
    ("SELECT host + usage_idle FROM cpu", EXPAND + "incompatible operands for operator +: tag and float",
     "type error: host::tag + usage_idle::float: incompatible types: tag and float"),
    # influxd 1.6.7 (asked): ``time`` in arithmetic is a field no measurement has (tests/query/test_v1time.py)
    ("SELECT usage_idle + time FROM cpu", EXPAND + "incompatible operands for operator +: float and timestamp",
     [(["time", "usage_idle_time"], [[None], [None]])]),
    ("SELECT time * 2 FROM cpu", EXPAND + "incompatible operands for operator *: timestamp and integer", []),
    ("SELECT mean(usage_idle) + time FROM cpu", EXPAND + "incompatible operands for operator +: float and timestamp",
     "mixing aggregate and non-aggregate queries is not supported"),
    ("SELECT f + i FROM types", [(["time", "f_i"], [[3.5]])], [(["time", "f_i"], [[3.5]])]),
    ("SELECT i & i FROM types", [(["time", "i_i"], [[2]])], [(["time", "i_i"], [[2]])]),
    # no field read: no series, before the planner's refusals
    ("SELECT exponential_moving_average(foo, 2) FROM cpu", [], []),
    ("SELECT exponential_moving_average(usage_idle, 2) FROM cpu",
     DF + "Error during planning: Invalid function 'exponential_moving_average'",
     [(["time", "exponential_moving_average"], [[83.83333333333333]])]),
    ("SELECT exponential_moving_average(v, 2) FROM nosuch", [], []),
    ("SELECT sample(foo, 2) FROM cpu", [], []),
    ("SELECT sample(usage_idle, 2) FROM cpu", DF + "This feature is not implemented: sample selector function",
     [(["time", "sample"], [[90.5], [80.5]])]),
    ("SELECT holt_winters(mean(foo), 2, 3) FROM cpu WHERE time < 2m GROUP BY time(30s)", [], []),
    ("SELECT chande_momentum_oscillator(y, 2) FROM (SELECT usage_idle AS x FROM cpu)", [], []),
    ("SELECT chande_momentum_oscillator(x, 2) FROM (SELECT usage_idle AS x FROM cpu)",
     DF + "Error during planning: Invalid function 'chande_momentum_oscillator'",
     [(["time", "chande_momentum_oscillator"], [[-100.0]])]),
]


@pytest.mark.parametrize("q,v3,v1", CASES, ids=[c[0] for c in CASES])
def test_names_operands_and_dropped_sources(store, q, v3, v1):
    dialect, s = store
    assert answer(s, q) == (v3 if dialect == "influxdb3" else v1)


@pytest.fixture(scope="module", params=["influxdb3", "influxdb1"])
def policies(request):
    """Database ``db`` (default policy) and ``foo`` with policy ``bar`` (v3's ``foo/bar``)."""
    s = tsdb_core.open(clock=ManualClock("2023-01-01T00:00:00Z"), dialect=request.param)
    assert s.write("db", "cpu,host=a usage_idle=1 0").ok
    s.create_database("foo")
    s.create_retention_policy("foo", "bar", duration=0)
    assert s.write("foo", "cpu,host=a usage_idle=2 0", rp="bar").ok
    yield request.param, s
    s.close()


POLICY_CASES = [  # (query, influxdb3's answer, influxdb1's answer) on database db
    ("SELECT usage_idle FROM bar.cpu", [(["time", "usage_idle"], [[1.0]])], "retention policy not found: bar"),
    ("SELECT * FROM (SELECT usage_idle FROM bar.cpu), bar.mem", [(["time", "usage_idle"], [[1.0]])],
     "retention policy not found: bar"),
    ("SELECT usage_idle FROM foo.bar.cpu", [(["time", "usage_idle"], [[2.0]])], [(["time", "usage_idle"], [[2.0]])]),
    ('SELECT usage_idle FROM "foo".bar.cpu', [(["time", "usage_idle"], [[2.0]])],
     [(["time", "usage_idle"], [[2.0]])]),
]


@pytest.mark.parametrize("q,v3,v1", POLICY_CASES, ids=[c[0] for c in POLICY_CASES])
def test_a_from_policy_without_database(policies, q, v3, v1):
    dialect, s = policies
    assert answer(s, q) == (v3 if dialect == "influxdb3" else v1)
