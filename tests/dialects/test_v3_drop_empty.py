"""The FROM sources InfluxDB 3 drops, at every depth (influxdb3 dialect; dialects/dropempty3.py).

Sources (influxdata/influxdb3_core, ``iox_query_influxql/src/plan``):

- ``rewriter.rs`` rewrite_statement runs ``from_drop_empty(s, &mut select)`` after rewrite_select:
  "Recursively drop any measurements of the `from` clause of `stmt` that do not project any
  fields"; a subquery is first dropped into (``from_drop_empty(s, q); if q.from.is_empty() {
  return false; }``), then kept when a field names one of its columns (``field_by_name(&q.fields,
  name.as_str())``). Its tests: ``SELECT usage_idle FROM cpu, (SELECT usage_system FROM cpu)`` is
  rewritten to ``"SELECT time::timestamp AS time, usage_idle::float AS usage_idle FROM cpu"``
  ("Subquery, no fields projected should be dropped"), and ``SELECT cpu FROM (SELECT cpu FROM
  cpu)`` leaves ``stmt.from.is_empty()`` ("Outer FROM should be empty, as the subquery does not
  project any fields"). The wildcard is expanded before (rewrite_select; from_field_and_dimensions
  skips a subquery column of no type: ``let Some(dt) = influx_type_to_var_ref_data_type(*data_type)
  else { continue; }``), so a dropped subquery's unknown column is no column of the answer.
- ``planner.rs`` select_query_to_plan plans each table left (``find_table_names``), none: an
  EmptyRelation ("empty result, but let's at least have all the strictly necessary metadata"),
  before any projection is planned: ``SELECT time::integer + 1 FROM m`` (``time`` is no field)
  is an empty answer, and its EXPLAIN the plans of no table, not DataFusion's coercion error
  (which the same projection beside a field gets: test_v3_time_casts.py).
"""
from __future__ import annotations

import pytest

from .both_dialects import influxdb3_store

store = influxdb3_store("m,t=a f=1,g=2i 1000000000\nm,t=b f=3,g=4i 2000000000\nn,u=x h=5 1000000000")
ROWS = [["1970-01-01T00:00:01Z", 1.0], ["1970-01-01T00:00:02Z", 3.0]]
EMPTY_PLANS = [("logical_plan", "EmptyRelation: rows=0"), ("physical_plan", "EmptyExec\n")]


@pytest.mark.parametrize("query,columns,rows", [
    ("SELECT f FROM m, (SELECT g FROM m)", ["time", "f"], ROWS),  # the subquery dropped: no null rows of it
    ("SELECT f FROM (SELECT f FROM m, (SELECT g FROM m))", ["time", "f"], ROWS),  # likewise, one level down
    ("SELECT * FROM m, (SELECT nofield FROM n)", ["time", "f", "g", "t"],
     [["1970-01-01T00:00:01Z", 1.0, 2, "a"], ["1970-01-01T00:00:02Z", 3.0, 4, "b"]]),
    ("SELECT * FROM (SELECT f FROM m), (SELECT nofield FROM n)", ["time", "f"], ROWS),
    ("SELECT t FROM (SELECT t, g FROM m)", ["time", "t"],  # a tag beside a field: kept
     [["1970-01-01T00:00:01Z", "a"], ["1970-01-01T00:00:02Z", "b"]]),
    ("SELECT t FROM (SELECT t FROM m)", None, None),
    ("SELECT f FROM (SELECT f FROM nosuch)", None, None),
    ("SELECT * FROM (SELECT * FROM (SELECT nofield FROM m))", None, None),
    ("SELECT time::integer + 1 FROM m", None, None),
])
def test_answers(store, query, columns, rows):
    (res,) = store.query(query, db="db").to_json()["results"]
    assert "error" not in res
    if columns is None:
        assert "series" not in res
    else:
        (series,) = res["series"]
        assert (series["columns"], series["values"]) == (columns, rows)


def _plans(store, q: str) -> list[tuple[str, str]]:
    (res,) = store.query(q, db="db").to_json()["results"]
    assert "error" not in res, res["error"]
    return [(s["name"], s["values"][0][0]) for s in res["series"]]


@pytest.mark.parametrize("query", [
    "EXPLAIN SELECT time::integer + 1 FROM m",
    "EXPLAIN SELECT time FROM m",
    "EXPLAIN SELECT f FROM (SELECT g FROM m)",
    "EXPLAIN SELECT f FROM (SELECT f FROM (SELECT g FROM m))",
])
def test_explain_of_no_table(store, query):
    assert _plans(store, query) == EMPTY_PLANS


# EXPLAIN ANALYZE of no table: DataFusion's AnalyzeExec runs the EmptyExec and prints it with its metrics
# (datafusion physical-plan display.rs IndentVisitor::pre_visit: ``if let Some(metrics) = plan.metrics() {..}
# else { write!(self.f, ", metrics=[]")?; }``, EmptyExec keeping ExecutionPlan's ``metrics() -> None``);
# analyze.rs create_output_batch: "Plan with Metrics", VERBOSE "Plan with Full Metrics", "Output Rows", "Duration"
@pytest.mark.parametrize("query", [
    "SELECT f FROM (SELECT g FROM m)", "SELECT time::integer + 1 FROM m", "SELECT t FROM m", "SELECT *::tag FROM m",
])
def test_explain_analyze_of_no_table(store, query):
    assert _plans(store, f"EXPLAIN ANALYZE {query}") == [("Plan with Metrics", "EmptyExec, metrics=[]\n")]
    verbose = _plans(store, f"EXPLAIN ANALYZE VERBOSE {query}")
    assert verbose[:3] == [("Plan with Metrics", "EmptyExec, metrics=[]\n"),
                           ("Plan with Full Metrics", "EmptyExec, metrics=[]\n"), ("Output Rows", "0")]
    assert verbose[3][0] == "Duration"


def test_explain_verbose_of_no_table_prints_its_schema(store):
    """The EmptyRelation's one column (planner.rs: "let's at least have all the strictly necessary
    metadata", ``ArrowField::new(INFLUXQL_MEASUREMENT_COLUMN_NAME, (&InfluxColumnType::Tag).into(), false)``;
    snapshot select__error_cases-3: ``EmptyRelation: rows=0 [iox::measurement:Dictionary(Int32, Utf8)]``),
    printed by DataFusion's ``*_with_schema`` rows as its physical plan's schema."""
    got = dict(_plans(store, "EXPLAIN VERBOSE SELECT f FROM (SELECT g FROM m)"))
    with_schema = "EmptyExec, schema=[iox::measurement:Dictionary(Int32, Utf8)]\n"
    assert got["initial_physical_plan_with_schema"] == got["physical_plan_with_schema"] == with_schema
    assert got["physical_plan"] == "EmptyExec\n"


def test_explain_after_a_drop_is_the_plan_of_what_is_left(store):
    assert _plans(store, "EXPLAIN SELECT f FROM m, (SELECT g FROM m)") == _plans(store, "EXPLAIN SELECT f FROM m")
    analyzed = _plans(store, "EXPLAIN ANALYZE SELECT f FROM m, (SELECT g FROM m)")
    assert analyzed == _plans(store, "EXPLAIN ANALYZE SELECT f FROM m")
    verbose = _plans(store, "EXPLAIN VERBOSE SELECT time FROM m")
    assert verbose[0] == ("initial_logical_plan", "EmptyRelation: rows=0")


# rewriter.rs from_drop_empty keeps a subquery when ``field_by_name(&q.fields, name.as_str())``
# finds a column of it; its columns are named by field.rs field_name, an unaliased operation by
# ``binary_expr_name`` ("concatenating the names of any [Expr::VarRef] and [Expr::Call] with
# underscores"): ``usage_user + 1`` is ``usage_user``, which ``used`` is not.
cpu_mem = influxdb3_store("cpu,host=a usage_user=1,usage_idle=2 0\nmem,host=a used=5i,free=2.5 0\n"
                         # test_utils.rs MockSchemaProvider's merge_00 and merge_01: col0 a tag of one, a field of the other
                         'merge_00,col0=x col1=1.5,col2=true,col3="s" 0\nmerge_01,col1=y col0=2.5,col3=false,col2="t" 0')
MEM_ROWS = [["1970-01-01T00:00:00Z", 5]]


@pytest.mark.parametrize("query,rows", [
    ("SELECT used FROM mem, (SELECT usage_user + 1 FROM cpu)", MEM_ROWS),
    ("SELECT used FROM mem, (SELECT (usage_user) * 2 FROM cpu)", MEM_ROWS),
    ("SELECT used FROM mem, (SELECT used + 1 FROM mem)", [["1970-01-01T00:00:00Z", 6], ["1970-01-01T00:00:00Z", 5]]),
])
def test_an_operation_is_named_by_its_fields(cpu_mem, query, rows):
    (res,) = cpu_mem.query(query, db="db").to_json()["results"]
    (series,) = res["series"]
    assert (series["columns"], series["values"]) == (["time", "used"], rows)


# A subquery's wildcards and regexes are expanded before from_drop_empty looks at its columns:
# rewriter.rs rewrite_statement runs ``rewrite_select`` (RewriteSelect::rewrite: ``expand_from`` rewrites
# each subquery first, then ``expand_projection``) and only then ``from_drop_empty(s, &mut select)``,
# whose subquery arm keeps ``q`` when ``field_by_name(&q.fields, name.as_str())`` finds a column of
# the expanded list. expand_projection: ``fields_iter.chain(tag_set.iter()...)`` unless the GROUP BY
# has a wildcard (``fields_iter.sorted()``: "Does not include tags in projection when expanded in GROUP
# BY", its test ``SELECT * FROM cpu GROUP BY *``); fields_expand_wildcards' call arm aliases
# ``format!("{}_{}", field_name(&f), var_ref_name)`` (``mean(*)``: mean_usage_idle, mean_usage_user).
MEM = [("mem", ["time", "used"], MEM_ROWS)]
MEM_HOST = ("mem", ["time", "used", "host"], [["1970-01-01T00:00:00Z", 5, "a"]])


@pytest.mark.parametrize("query,series", [
    ("SELECT used FROM mem, (SELECT * FROM cpu)", MEM),  # host, usage_idle, usage_user: no ``used``
    ("SELECT used FROM mem, (SELECT /usage/ FROM cpu)", MEM),
    ("SELECT used FROM mem, (SELECT *::field FROM cpu)", MEM),
    ("SELECT used FROM mem, (SELECT *::tag, usage_user FROM cpu)", MEM),
    ("SELECT used FROM mem, (SELECT mean(*) FROM cpu)", MEM),  # mean_usage_idle, mean_usage_user
    ("SELECT used FROM mem, (SELECT * FROM (SELECT * FROM cpu))", MEM),  # expanded at each depth
    ("SELECT used FROM mem, (SELECT * FROM mem)", [("mem", ["time", "used"], MEM_ROWS * 2)]),  # ``used``: kept
    # ``*`` with GROUP BY * is the fields alone: no ``host`` column, the subquery dropped ...
    ("SELECT used, host FROM mem, (SELECT * FROM cpu GROUP BY *)", [MEM_HOST]),
    # ... without it ``host`` is a column (``SELECT cpu FROM (SELECT cpu, usage_system FROM cpu)`` is kept:
    # "Outer query are permitted to project tags only, as long as there are other fields in the subquery")
    ("SELECT used, host FROM mem, (SELECT * FROM cpu)",
     [("cpu", ["time", "used", "host"], [["1970-01-01T00:00:00Z", None, "a"]]), MEM_HOST]),
    ("SELECT host FROM (SELECT *::tag FROM cpu)", []),  # "Selective wildcard for tags only should not select
    ("SELECT *::tag FROM cpu", []),                     # any measurements": the subquery left no table
    # "This should only select merge_01, as col0 is a tag in merge_00": ``col0::float AS col0, col0::tag AS
    # col0_1 FROM merge_01``, the tag's column kept though merge_00 is dropped (wildcards3.spelled)
    ("SELECT /col0/ FROM merge_00, merge_01", [("merge_01", ["time", "col0", "col0_1"], [["1970-01-01T00:00:00Z", 2.5, None]])]),
    ("SELECT * FROM (SELECT /col0/ FROM merge_00, merge_01)",
     [("merge_01", ["time", "col0", "col0_1"], [["1970-01-01T00:00:00Z", 2.5, None]])]),
    # expand_from rewrites the subquery first: its ``*`` is ``col0::float AS col0, col0::tag AS col0_1, col1::float AS
    # col1, col1::tag AS col1_1, col2::string AS col2, col3::string AS col3`` (projection_expand_wildcards), columns an
    # outer ``*`` or ``/col0/`` reads (from_field_and_dimensions: a subquery's fields of a known type, the tag's too)
    ("SELECT /col0/ FROM (SELECT * FROM merge_00, merge_01)",
     [("merge_00", ["time", "col0", "col0_1"], [["1970-01-01T00:00:00Z", None, "x"]]),
      ("merge_01", ["time", "col0", "col0_1"], [["1970-01-01T00:00:00Z", 2.5, None]])]),
    ("SELECT * FROM (SELECT * FROM (SELECT * FROM merge_00, merge_01))",
     [("merge_00", ["time", "col0", "col0_1", "col1", "col1_1", "col2", "col3"],
       [["1970-01-01T00:00:00Z", None, "x", 1.5, None, None, "s"]]),
      ("merge_01", ["time", "col0", "col0_1", "col1", "col1_1", "col2", "col3"],
       [["1970-01-01T00:00:00Z", 2.5, None, None, "y", None, "false"]])]),
    # "Correct data type is resolved from subquery": ``*::field`` over ``usage_system + usage_idle``
    ("SELECT *::field FROM (SELECT usage_user + usage_idle FROM cpu)",
     [("cpu", ["time", "usage_user_usage_idle"], [["1970-01-01T00:00:00Z", 3.0]])]),
])
def test_a_subquerys_wildcards_are_expanded_first(cpu_mem, query, series):
    (res,) = cpu_mem.query(query, db="db").to_json()["results"]
    assert "error" not in res
    assert [(s["name"], s["columns"], s["values"]) for s in res.get("series", [])] == series


def test_explain_of_a_dropped_wildcard_subquery(cpu_mem):
    """The plan of what is left: v3's rewriter hands the planner ``mem`` alone."""
    assert _plans(cpu_mem, "EXPLAIN SELECT used FROM mem, (SELECT * FROM cpu)") == \
        _plans(cpu_mem, "EXPLAIN SELECT used FROM mem")
