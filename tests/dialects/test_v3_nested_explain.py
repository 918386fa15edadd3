"""An EXPLAIN of an EXPLAIN (of SHOW or SELECT) as InfluxDB 3 answers it.

- ``core/influxdb_influxql_parser/src/explain.rs`` explain_statement: ``EXPLAIN [VERBOSE | ANALYZE
  [VERBOSE]]`` then ``expect("invalid EXPLAIN statement, expected InfluxQL statement", statement)``:
  any statement, an EXPLAIN too.
- ``core/iox_query_influxql/src/plan/planner.rs`` explain_statement_to_plan: ``let plan =
  self.statement_to_plan(*explain.statement)?`` (the inner EXPLAIN is planned first: a SHOW
  DATABASES inside fails the same way), then ``LogicalPlan::Explain`` (``LogicalPlan::Analyze``
  for ANALYZE) over it; its snapshot ``..._tests__select__explain-10.snap`` ("EXPLAIN EXPLAIN
  SELECT ...") prints ``Explain`` above ``Explain`` above the SELECT's plan.
- DataFusion 50 ``datafusion/expr/src/logical_plan/plan.rs``: ``LogicalPlan::Explain(explain) =>
  vec![&explain.plan]`` (inputs: the optimizer reaches the inner plan), display ``"Explain"`` /
  ``"Analyze"``; ``datafusion/core/src/physical_planner.rs`` map_logical_node_to_physical:
  ``internal_err!("Unsupported logical plan: Explain must be root of the plan")``; handle_explain
  pushes ``StringifiedPlan::new(PhysicalPlanError, err.strip_backtrace())``;
  ``datafusion/common/src/display/mod.rs``: ``PhysicalPlanError => "physical_plan_error"``, shown
  whether VERBOSE or not; ``datafusion/common/src/error.rs``: Internal is ``"Internal error: "``
  + ``"{desc}.\\nThis issue was likely caused by a bug in DataFusion's code. ..."``.
- ``handle_analyze`` plans its input with create_physical_plan: an inner EXPLAIN is the root
  there (``ExplainExec``, ``physical-plan/src/explain.rs`` fmt_as; no metrics: ``metrics=[]``).
"""
from __future__ import annotations

import pytest

import tsdb_core
from tests.http.conftest import REAL_ENGINE, make_client

pytestmark = pytest.mark.skipif(not REAL_ENGINE, reason="needs the query engine")

ROOT = ("Internal error: Unsupported logical plan: {} must be root of the plan.\nThis issue was likely caused by a "
        "bug in DataFusion's code. Please help us to resolve this by filing a bug report in our issue tracker: "
        "https://github.com/apache/datafusion/issues")
SCAN = "TableScan: measurements projection=[iox::measurement, name]"  # EXPLAIN SHOW MEASUREMENTS' logical_plan


@pytest.fixture(scope="module")
def stores(tmp_path_factory):
    out = {}
    for dialect in ("influxdb3", "influxdb1"):
        s = tsdb_core.open(tmp_path_factory.mktemp(dialect), dialect=dialect)
        s.create_database("db")
        assert s.write("db", "cpu,host=a usage=1 1000000000\nmem,host=a free=2i 2000000000", precision="ns").ok
        out[dialect] = s
    yield out
    for s in out.values():
        s.close()


def _rows(store, q):
    (st,) = store.query(q, db="db").statements
    assert st.error is None, st.error
    return [(s.name, s.values[0][0]) for s in st.series]


def test_explain_of_explain_show(stores):
    assert _rows(stores["influxdb3"], "EXPLAIN EXPLAIN SHOW MEASUREMENTS") == [
        ("logical_plan", "Explain\n  " + SCAN), ("physical_plan_error", ROOT.format("Explain"))]
    assert _rows(stores["influxdb3"], "EXPLAIN EXPLAIN EXPLAIN SHOW TAG KEYS") == [
        ("logical_plan", "Explain\n  Explain\n    TableScan: tag_keys projection=[iox::measurement, tagKey]"),
        ("physical_plan_error", ROOT.format("Explain"))]
    assert _rows(stores["influxdb3"], "explain explain analyze show measurements") == [
        ("logical_plan", "Analyze\n  " + SCAN), ("physical_plan_error", ROOT.format("Analyze"))]


def test_explain_of_explain_select(stores):
    inner = _rows(stores["influxdb3"], "EXPLAIN SELECT usage FROM cpu")[0][1]  # (this store's SELECT plan)
    assert _rows(stores["influxdb3"], "EXPLAIN EXPLAIN SELECT usage FROM cpu") == [
        ("logical_plan", "Explain\n" + "\n".join("  " + line for line in inner.splitlines())),
        ("physical_plan_error", ROOT.format("Explain"))]


def test_verbose_prints_the_stages_then_the_error(stores):
    rows = _rows(stores["influxdb3"], "EXPLAIN VERBOSE EXPLAIN SHOW MEASUREMENTS")
    kinds = [k for k, _ in rows]
    assert kinds[0] == "initial_logical_plan" and rows[0][1].startswith("Explain\n  ")
    assert kinds[-2:] == ["logical_plan", "physical_plan_error"] and rows[-2][1] == "Explain\n  " + SCAN
    assert not any(k.startswith(("initial_physical", "physical_plan after", "physical_plan_with")) for k in kinds)


def test_analyze_runs_the_inner_explain_as_the_root(stores):
    assert _rows(stores["influxdb3"], "EXPLAIN ANALYZE EXPLAIN SHOW MEASUREMENTS") == [
        ("Plan with Metrics", "ExplainExec, metrics=[]\n")]
    rows = dict(_rows(stores["influxdb3"], "EXPLAIN ANALYZE VERBOSE EXPLAIN SHOW MEASUREMENTS"))
    assert rows["Plan with Full Metrics"] == "ExplainExec, metrics=[]\n"
    assert rows["Output Rows"] == "2"  # the inner EXPLAIN's logical_plan and physical_plan rows


def test_inner_statement_planned_first(stores):
    (st,) = stores["influxdb3"].query("EXPLAIN EXPLAIN SHOW DATABASES", db="db").statements
    assert st.error == "datafusion error: This feature is not implemented: SHOW DATABASES"


def test_influxdb1_refuses_it(stores):
    assert stores["influxdb1"].query("EXPLAIN EXPLAIN SHOW MEASUREMENTS", db="db").error == \
        "error parsing query: found EXPLAIN, expected SELECT at line 1, char 9"


def test_portability_check_names_it():
    (verdict,) = tsdb_core.Store.check("EXPLAIN EXPLAIN SHOW MEASUREMENTS")
    assert verdict.influxdb3 is None and "found EXPLAIN, expected SELECT" in verdict.influxdb1


@pytest.mark.parametrize("compat", ["cloud-dedicated", "influxdb1"])
def test_over_http(compat):
    c = make_client(compat)
    if compat == "influxdb1":
        assert c.post("/query", data={"q": "CREATE DATABASE db"}).status_code == 200
    else:
        c.raw_store.create_database("db")
    assert c.post("/write?db=db", content=b"cpu,host=a usage=1 1000000000").status_code == 204
    r = c.get("/query", params={"db": "db", "q": "EXPLAIN EXPLAIN SHOW MEASUREMENTS"})
    if compat == "cloud-dedicated":
        assert r.status_code == 200
        assert [(s["name"], s["columns"], s["values"]) for s in r.json()["results"][0]["series"]] == [
            ("logical_plan", ["plan"], [["Explain\n  " + SCAN]]),
            ("physical_plan_error", ["plan"], [[ROOT.format("Explain")]])]
    else:
        assert (r.status_code, r.json()) == (400, {"error": "error parsing query: found EXPLAIN, expected SELECT "
                                                            "at line 1, char 9"})
