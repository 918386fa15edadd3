"""The filtered scan of a SELECT with tz() as InfluxDB 3's planner builds it.

``planner.rs`` plan_from_data_source: the fields' not-null filter on the scan, then
``ctx.project_timezone`` (project_timezone: every column of the table passed through, in the
table's order, the time column replaced by ``tz(<table>.time, Utf8("<zone>")) AS time``), then
plan_time_range (``time_range_to_df_expr("time", tz, ...)``: the unqualified time column,
the bounds as TimestampNanosecond(<ns>, Some("<zone>"))); plan_condition joins a tag test to
that filter, or adds its own filter without a time range.

DataFusion's optimizer (DataFusion 50.1 printed the same builder calls
with a stand-in ``tz`` function over a MemTable, once, by hand; IOx's table takes every filter
as Exact, provider.rs): push_down_filter carries the time filter through the projection
(``tz(<table>.time, Utf8("<zone>")) >= ..``) and, with the not-null filter, into the scan;
optimize_projections keeps the projected columns read above and narrows the scan.
"""
from __future__ import annotations

from .rust_debug import string as rust_debug
from .showplan3 import dict_literal, plan_block


def ts(ns: int, zone: str | None) -> str:
    """A timestamp literal as DataFusion prints it, with or without a zone."""
    return f"TimestampNanosecond({ns}, {'Some(' + rust_debug(zone) + ')' if zone else 'None'})"


def tz_scan(m: str, columns: tuple[str, ...], fields, tags, lower: int | None, upper: int | None, zone: str) -> str:
    """The planner's filtered scan of table ``m`` (its ``columns`` in schema order) for the
    selected ``fields``, the ``tag = 'value'`` tests ``tags`` and the time range (ends
    inclusive, None: unbounded) under tz(``zone``)."""
    plan = f"TableScan: {m}"
    not_null = " OR ".join(f"{m}.{f} IS NOT NULL" for f in fields)
    if not_null:
        plan = plan_block(f"Filter: {not_null}", plan)
    cols = [f"tz({m}.time, Utf8({rust_debug(zone)})) AS time" if c == "time" else f"{m}.{c}" for c in columns]
    plan = plan_block(f"Projection: {', '.join(cols)}", plan)
    tests = _time_tests(lower, upper, zone) + [f"{t} = {dict_literal(v)}" for t, v in tags]
    return plan_block(f"Filter: {' AND '.join(tests)}", plan) if tests else plan


def _time_tests(lower: int | None, upper: int | None, zone: str) -> list[str]:
    """planner_time_range_expression.rs time_range_to_df_expr over the unqualified time column."""
    if lower is not None and lower == upper:
        return [f"time = {ts(lower, zone)}"]
    return [*([f"time >= {ts(lower, zone)}"] if lower is not None else []),
            *([f"time <= {ts(upper, zone)}"] if upper is not None else [])]


def full_filters(m: str, fields, lower: int | None, upper: int | None, zone: str, tags=()) -> str:
    """push_down_filter's scan filters: the time tests over ``tz(<m>.time, ..)``, the ``tag =
    'value'`` tests, then the fields' not-null test. (The filter above the tz projection goes
    first, the one under it after, as DataFusion 50.1 printed; push_down_filter rewrites a column
    by the projection's output names: the unqualified ``time`` is tz()'s alias, the unqualified
    tag none of them, so it stays as the planner wrote it, as without tz().)"""
    tz = f"tz({m}.time, Utf8({rust_debug(zone)}))"
    tests = [t.replace("time", tz, 1) for t in _time_tests(lower, upper, zone)]
    tests += [f"{t} = {dict_literal(v)}" for t, v in tags]
    not_null = " OR ".join(f"{m}.{f} IS NOT NULL" for f in fields)
    return f"full_filters=[{', '.join([*tests, *([not_null] if not_null else [])])}]"


def tz_projection(m: str, columns: tuple[str, ...], zone: str, keep=None) -> str:
    """project_timezone's Projection, or only its ``keep`` columns (optimize_projections)."""
    cols = [f"tz({m}.time, Utf8({rust_debug(zone)})) AS time" if c == "time" else f"{m}.{c}"
            for c in columns if keep is None or c in keep]
    return f"Projection: {', '.join(cols)}"
