"""EXPLAIN of SHOW MEASUREMENTS with a WHERE clause in the influxdb3 dialect: DataFusion's optimizer on v3's plan.

The planner's plans are quoted (the ``initial_logical_plan`` row, test_v3_explain_show.py):
``iox_query_influxql__plan__planner__tests__metadata_queries__show_measurements-3.snap`` (WHERE foo =
'some_foo') and ``-4.snap`` (WHERE time > 1337), influxdata/influxdb3_core at
349d802bf9a54ab5876399ab013502eeb0d52a6b. The optimized plan and the rules that change it are
DataFusion 50.1's for the same builder calls over tables that take every filter, printed once by hand
(datafusion-python 50.1.0 over pyarrow datasets: EXPLAIN VERBOSE changed, in this order,
eliminate_nested_union, simplify_expressions, eliminate_filter, propagate_empty_relation, push_down_filter,
optimize_projections, then in the second pass push_down_limit; with only a time range: the Union's
flattening, push_down_filter, optimize_projections, then push_down_limit). The physical plan stays this
store's (IOx's scan under a fetch is not drawn), except for no table left: an EmptyExec.
"""
from __future__ import annotations

from tests.dialects.test_v3_errors import OPTIMIZERS
from tests.dialects.test_v3_explain_show import planner_catalog, rows, snapshot  # noqa: F401 - fixture

HEAD = 'Projection: Dictionary(Int32, Utf8("measurements")) AS iox::measurement, Dictionary(Int32, Utf8("{}")) AS name'
SORT = "Sort: iox::measurement ASC NULLS LAST, name ASC NULLS LAST"


def changed(verbose: dict) -> list[str]:
    """The optimizer rules whose row is not SAME TEXT AS ABOVE, pass after pass."""
    passes = len(verbose["logical_plan after push_down_limit"])
    return [r for p in range(passes) for r in OPTIMIZERS if verbose[f"logical_plan after {r}"][p] != "SAME TEXT AS ABOVE"]


def test_a_tag_comparison_keeps_the_tables_with_the_tag(planner_catalog):  # noqa: F811 - the fixture
    q, plan = snapshot("metadata_queries__show_measurements-3")
    verbose = rows(planner_catalog, f"EXPLAIN VERBOSE {q}")
    assert verbose["initial_logical_plan"] == [plan]
    assert changed(verbose) == ["eliminate_nested_union", "simplify_expressions", "eliminate_filter",
                                "propagate_empty_relation", "push_down_filter", "optimize_projections", "push_down_limit"]
    assert verbose["logical_plan"] == [f"""\
{SORT}
  {HEAD.format("data")}
    Limit: skip=0, fetch=1
      TableScan: data projection=[], full_filters=[data.time >= TimestampNanosecond(1672444800000000000, None), \
foo = Dictionary(Int32, Utf8("some_foo"))], fetch=1"""]
    after = verbose["logical_plan after eliminate_filter"][0].splitlines()
    assert after[1:5] == ["  Union", f"    {HEAD.format('all_types')}", "      Limit: skip=0, fetch=1",
                          "        EmptyRelation: rows=0"]


def test_a_time_range_alone_keeps_every_table(planner_catalog):  # noqa: F811
    q, plan = snapshot("metadata_queries__show_measurements-4")
    verbose = rows(planner_catalog, f"EXPLAIN VERBOSE {q}")
    assert verbose["initial_logical_plan"] == [plan]
    assert changed(verbose) == ["eliminate_nested_union", "push_down_filter", "optimize_projections", "push_down_limit"]
    final = verbose["logical_plan"][0]
    assert final.count("\n    Projection:") == final.count("TableScan:") == 16
    assert "    Projection: " + HEAD.format("cpu").removeprefix("Projection: ") + """
      Limit: skip=0, fetch=1
        TableScan: cpu projection=[], full_filters=[cpu.time >= TimestampNanosecond(1338, None)], fetch=1""" in final


def test_no_table_with_the_tag_is_an_empty_relation(planner_catalog):  # noqa: F811
    got = rows(planner_catalog, "EXPLAIN SHOW MEASUREMENTS WHERE nope = 'x'")
    assert got == {"logical_plan": ["EmptyRelation: rows=0"], "physical_plan": ["EmptyExec\n"]}


def test_a_regex_measurement_and_a_range(planner_catalog):  # noqa: F811
    got = rows(planner_catalog, "EXPLAIN SHOW MEASUREMENTS WITH MEASUREMENT =~ /^disk/ WHERE time > 1337 AND time < 2000")
    scans = [line.strip() for line in got["logical_plan"][0].splitlines() if "TableScan" in line]
    assert scans == [f"TableScan: {t} projection=[], full_filters=[{t}.time >= TimestampNanosecond(1338, None), "
                     f"{t}.time <= TimestampNanosecond(1999, None)], fetch=1" for t in ("disk", "diskio")]
    assert got["physical_plan"][0].startswith("IndexScan: ")  # this store's
