"""EXPLAIN's column names where a field is named as a GROUP BY tag (influxdb3 dialect).
Sources: influxdata/influxdb3_core at 349d802bf9a54ab5876399ab013502eeb0d52a6b, crate iox_query_influxql.

- planner/select.rs ``ProjectionInfo::new``: "Tags specified in the `GROUP BY` clause that are not
  already added to the projection must be projected, so they can be used in the group key" (a field
  selects a tag when ``find_tag_and_unknown_columns``: its type ``Some(InfluxColumnType::Tag) | None``);
  the added ``Field`` comes right after ``time``.
- planner.rs ``field_list_to_exprs``: ``Entry::Occupied(mut e) => { ...; format!("{}_{}", field.name,
  *count) }``: the field named as the added tag is ``<name>_1``, in every projection type
  (project_select_raw, _aggregate, _selector, _window, ...).
- snapshot select_raw__select_function_tag_column-2 (``count(foo) as foo ... group by foo``):
  ``NULL AS foo, get_field(...) AS foo_1``. The answers' columns were already named so (planner.py
  names3.column_names, test_v3_names_operands.py); these are the drawings of those plans.
"""
from __future__ import annotations

import pytest

from tests.dialects.test_v3_explain_show import planner_catalog, rows  # noqa: F401 - fixture

M = 'Projection: Dictionary(Int32, Utf8("cpu")) AS iox::measurement, '

CASES = [  # (query, its measurement Projection line, the answer's columns)
    ("SELECT mean(usage_user) AS foo, mean(usage_idle) FROM cpu GROUP BY foo",
     M + "TimestampNanosecond(0, None) AS time, NULL AS foo, avg(cpu.usage_user) AS foo_1, avg(cpu.usage_idle) AS mean",
     ["time", "foo_1", "mean"]),
    ("SELECT mean(usage_idle) AS host FROM cpu GROUP BY host",
     M + "TimestampNanosecond(0, None) AS time, cpu.host AS host, avg(cpu.usage_idle) AS host_1", ["time", "host_1"]),
    ("SELECT mean(usage_idle) AS region, mean(usage_user) AS host FROM cpu GROUP BY host, region",
     M + "TimestampNanosecond(0, None) AS time, cpu.host AS host, cpu.region AS region, avg(cpu.usage_idle) AS region_1,"
     " avg(cpu.usage_user) AS host_1", ["time", "region_1", "host_1"]),
    ("SELECT last(usage_idle) AS host FROM cpu GROUP BY host",
     M + 'get_field(selector_last(cpu.usage_idle,cpu.time), Utf8("time")) AS time, cpu.host AS host, '
     'get_field(selector_last(cpu.usage_idle,cpu.time), Utf8("value")) AS host_1', ["time", "host_1"]),
    # raw: the tag was left out, the field taken for it
    ("SELECT usage_idle AS host FROM cpu GROUP BY host",
     M + "cpu.time AS time, cpu.host AS host, cpu.usage_idle AS host_1", ["time", "host_1"]),
    ("SELECT usage_idle AS foo FROM cpu GROUP BY foo",
     M + "cpu.time AS time, NULL AS foo, cpu.usage_idle AS foo_1", ["time", "foo_1"]),
    ("SELECT difference(usage_idle) AS host FROM cpu GROUP BY host",
     M + "cpu.time AS time, cpu.host AS host, difference(cpu.usage_idle) AS host_1", None),
    # a tag selected as itself is the group's column: no rename
    ("SELECT host, usage_idle FROM cpu GROUP BY host",
     M + "cpu.time AS time, cpu.host AS host, cpu.usage_idle AS usage_idle", ["time", "host", "usage_idle"]),
]


@pytest.mark.parametrize("q,projection,columns", CASES, ids=[c[0] for c in CASES])
def test_a_field_named_as_a_group_by_tag_is_renamed(planner_catalog, q, projection, columns):  # noqa: F811
    plan = rows(planner_catalog, f"EXPLAIN VERBOSE {q}")["initial_logical_plan"][0]
    assert plan.split("\n")[1].strip() == projection
    if columns is not None:
        (res,) = planner_catalog.query(q, db="db").to_json()["results"]
        assert [s["columns"] for s in res["series"]] == [columns]


def test_the_limit_series_reads_the_renamed_field(planner_catalog):  # noqa: F811
    # planner.rs select_query_to_plan: limit() gets the fields as field_list_to_exprs named them
    plan = rows(planner_catalog, "EXPLAIN VERBOSE SELECT mean(usage_idle) AS host FROM cpu GROUP BY host LIMIT 1")
    lines = [line.strip() for line in plan["initial_logical_plan"][0].split("\n")]
    assert lines[1] == M + "time, host, host_1"
    assert lines[2].startswith("SeriesLimit: series=[host], order=[time ASC NULLS LAST], limit_expr=[host_1 RESPECT")
    assert lines[3] == "Projection: TimestampNanosecond(0, None) AS time, cpu.host AS host, avg(cpu.usage_idle) AS host_1"
