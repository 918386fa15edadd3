"""Selectors under GROUP BY time and fill(<value>) in the influxdb3 dialect's EXPLAIN, windowed or not.

Sources:
- influxdb3_core, iox_query_influxql/src/plan/snapshots/
  ``iox_query_influxql__plan__planner__tests__select__functions__selectors_aggregate_gby_time_gapfill.snap``
  (lines 7-9, ``SELECT FIRST(usage_idle) FROM cpu GROUP BY TIME(5s) FILL(0)``)::

    SeriesLimit: series=[], order=[time ASC NULLS LAST], limit_expr=[first RESPECT NULLS (default: Float64(0))]
      Projection: time, get_field(coalesce_struct(selector_first(cpu.usage_idle,cpu.time), Struct({value:0.0,time:1970-01-01T00:00:00})), Utf8("value")) AS first
        GapFill: .., fill=[COALESCE(selector_first(cpu.usage_idle,cpu.time), {value:0.0,time:1970-01-01T00:00:00})], ..

  (util.rs number_to_scalar over the selector's struct type: each field the value cast to its
  type; planner.rs rebase_expr coalesces the struct, expr_to_df_expr takes its ``value``).
  The whole snapshot is checked in test_v3_explain_aggregate.py.
- The physical plan and a window over such a selector: derived (the physical literal prints the
  ScalarValue's Display, as the GapFill line does; a window's argument is named by its schema name,
  as winfunc3.py names coalesce_struct under fill(<value>)).
"""
from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from tsdb_core.influxql.dialects.aggcalls3 import struct_default

from .physical_plans import STRIDE, physical, v3_store

Q = "SELECT last(f) FROM m WHERE time >= 0 AND time < 5s GROUP BY time(1s)"


@pytest.fixture
def store():
    yield from v3_store()


def _plans(store, q: str) -> dict[str, str]:
    (res,) = store.query(f"EXPLAIN {q}", db="db").to_json()["results"]
    return {s["name"]: s["values"][0][0] for s in res["series"]}


@pytest.mark.parametrize("value,kind,want", [
    (0, "Float64", "{value:0.0,time:1970-01-01T00:00:00}"),  # the snapshot's
    (-1.5, "Float64", "{value:-1.5,time:1969-12-31T23:59:59.999999999}"),  # time: -1.5 as i64 = -1ns
    (1.5, "Int64", "{value:1,time:1970-01-01T00:00:00.000000001}"),
    (-1, "UInt64", "{value:18446744073709551615,time:1969-12-31T23:59:59.999999999}"),
    (2_000_000, "Int64", "{value:2000000,time:1970-01-01T00:00:00.002}"),
    (3_000, "Float64", "{value:3000.0,time:1970-01-01T00:00:00.000003}"),
    (0.00001, "Float64", "{value:0.00001,time:1970-01-01T00:00:00}"),  # ryu: no exponent down to 1e-5
    (1e-7, "Float64", "{value:1e-7,time:1970-01-01T00:00:00}"),
    (1e16, "Float64", "{value:1e16,time:1970-04-26T17:46:40}"),
    (-0.0, "Float64", "{value:-0.0,time:1970-01-01T00:00:00}"),
    (1e20, "Float64", None),  # time saturated by ``as``: not drawn
    (1e20, "Int64", None),
])
def test_a_selectors_struct_default(value, kind, want):
    assert struct_default(value, kind) == want


@given(st.floats(allow_nan=False, allow_infinity=False, min_value=-9e18, max_value=9e18))
def test_a_float_struct_value_reads_back_as_itself(x):
    # ryu prints the shortest digits that read back as the value; without an exponent from 1e-5 to 1e16
    text = struct_default(x, "Float64").split(",")[0].removeprefix("{value:")
    assert float(text) == x and ("e" in text) == (x != 0 and not 1e-5 <= abs(x) < 1e16)


def test_the_logical_plan_follows_the_snapshot(store):
    plan = _plans(store, Q + " fill(0)")["logical_plan"].splitlines()
    struct = "{value:0.0,time:1970-01-01T00:00:00}"
    assert plan[2].strip() == "SeriesLimit: series=[], order=[time ASC NULLS LAST], limit_expr=[last RESPECT NULLS (default: Float64(0))]"
    assert plan[3].strip() == (f'Projection: time, get_field(coalesce_struct(selector_last(m.f,m.time), Struct({struct})), '
                               'Utf8("value")) AS last')
    assert f"fill=[COALESCE(selector_last(m.f,m.time), {struct})]" in plan[4]


def test_the_physical_plan_coalesces_the_struct(store):
    got = physical(store, "SELECT last(f), max(g), mean(f) FROM m WHERE time >= 0 AND time < 5s GROUP BY time(1s) fill(-1.5)")
    f, g = "{value:-1.5,time:1969-12-31T23:59:59.999999999}", "{value:-1,time:1969-12-31T23:59:59.999999999}"
    assert got[:6] == [
        "ProjectionExec: expr=[m as iox::measurement, time@0 as time, last@1 as last, max@2 as max, mean@3 as mean]",
        "SeriesLimitExec: series=[], order=[time@0 ASC NULLS LAST], limit_expr=[last@1 RESPECT NULLS (default: -1.5), "
        "max@2 RESPECT NULLS (default: -1), mean@3 RESPECT NULLS (default: -1.5)]",
        "SortExec: expr=[time@0 ASC NULLS LAST], preserve_partitioning=[false]",
        f"ProjectionExec: expr=[time@0 as time, get_field(coalesce_struct(selector_last(m.f,m.time)@1, {f}), value) as last, "
        f"get_field(coalesce_struct(selector_max(m.g,m.time)@2, {g}), value) as max, coalesce_struct(avg(m.f)@3, -1.5) as mean]",
        f"GapFillExec: series_expr=[], time_expr=date_bin_wallclock({STRIDE}, time@0, 0), fill_expr=[COALESCE("
        f"selector_last(m.f,m.time)@1, {f}), COALESCE(selector_max(m.g,m.time)@2, {g}), COALESCE(avg(m.f)@3, -1.5)], "
        'time_range=Included("0")..Included("4999999999")',
        "SortExec: expr=[time@0 ASC], preserve_partitioning=[false]"]


def test_a_window_of_a_selector_reads_the_coalesced_struct(store):
    plans = _plans(store, "SELECT derivative(last(f)), first(f) FROM m WHERE time >= 0 AND time < 5s GROUP BY time(1s) fill(0)")
    struct = "{value:0.0,time:1970-01-01T00:00:00}"
    name = f"derivative(coalesce_struct(selector_last(m.f,m.time),Struct({struct}))[value])"
    logical = [line.strip() for line in plans["logical_plan"].splitlines()]
    assert logical[3] == (f"Projection: time, {name} AS derivative, get_field(coalesce_struct(selector_first(m.f,m.time), "
                          f'Struct({struct})), Utf8("value")) AS first')
    assert logical[5].startswith(f"WindowAggr: windowExpr=[[derivative(get_field(coalesce_struct(selector_last(m.f,m.time), "
                                 f'Struct({struct})), Utf8("value")), ')
    physical_lines = [line.strip() for line in plans["physical_plan"].splitlines()]
    assert physical_lines[4] == (f"ProjectionExec: expr=[time@0 as time, {name}@3 as derivative, get_field(coalesce_struct("
                                 f"selector_first(m.f,m.time)@2, {struct}), value) as first]")
    assert physical_lines[5].startswith(f"WindowAggExec: wdw=[{name}: Ok(")
    assert f"fill_expr=[COALESCE(selector_last(m.f,m.time)@1, {struct}), COALESCE(selector_first(m.f,m.time)@2, {struct})]" \
        in physical_lines[7]


@pytest.mark.parametrize("q", [Q + " fill(linear)"])
def test_not_drawn(store, q):
    assert store.write("db", "m s=\"x\" 1000000000").ok
    assert "Sort:" not in _plans(store, q)["logical_plan"]


def test_a_strings_struct_fails_the_explain(store):
    # EXPLAIN plans: number_to_scalar's error over the struct's Utf8 value (dialects/fillnum3.py)
    assert store.write("db", "m s=\"x\" 1000000000").ok
    (res,) = store.query("EXPLAIN SELECT last(s) FROM m WHERE time >= 0 AND time < 5s GROUP BY time(1s) fill(0)",
                         db="db").to_json()["results"]
    assert res["error"] == "External error: InfluxQL internal error: no conversion from 0 to Utf8"
