"""InfluxDB 3's plans of ``SELECT DISTINCT <field>`` (or ``distinct(<field>)``) of one measurement.

The shape drawn: the one field, maybe aliased, no WHERE, ``GROUP BY [time(<d>[, <offset>])] [, <tags>]``,
ascending, no fill, LIMIT, OFFSET, SLIMIT or tz(). planner.rs plans it as a Distinct over the
projection of the time (0: no WHERE; under GROUP BY time its bucket, the range ending at
now()), the GROUP BY tags and the field named ``distinct``, under the
measurement's projection and the Sort (planner tests select__distinct, -2, -3, -5, -6).
DataFusion's replace_distinct_aggregate makes the Distinct an Aggregate on its input's columns,
push_down_filter hands the filters to the scan, optimize_projections narrows it (DataFusion 50.1
printed these steps for the same builder calls, once, by hand; no dependency). The physical
plan stays this store's.
"""
from __future__ import annotations

from ..ast import expr as A
from .aggplan3 import drawn_dimensions, interval_literal
from .showplan3 import Plans, Table, dict_literal, plan_block, time_filter


def distinct_select(stmt, table: Table, now: int) -> Plans | None:
    """v3's plans of ``stmt`` over ``table`` when it has the shape drawn, else None."""
    field = _field(stmt, table)
    dims = drawn_dimensions(stmt, table)
    if field is None or dims is None or stmt.condition is not None or stmt.fill is not None or stmt.limit \
            or stmt.offset or stmt.slimit or stmt.soffset or stmt.location is not None or stmt.into is not None \
            or not stmt.time_ascending:
        return None
    (name, out), (interval, group) = field, (dims[0], sorted(dims[1]))
    m = table.name
    if interval is None:
        time, filters, read = "TimestampNanosecond(0, None)", [], []
    else:
        stride = interval_literal(interval[0])
        time = f"date_bin_wallclock({stride}, {m}.time, TimestampNanosecond({interval[1]}, None))"
        filters, read = [time_filter(m, None, now).removeprefix("Filter: ")], ["time"]
    not_null = f"{m}.{name} IS NOT NULL"
    columns = ["time", *group, out]
    inner = ", ".join([f"{time} AS time", *(f"{m}.{t} AS {t}" for t in group), f"{m}.{name} AS {out}"])

    def plan(distinct: str, scan: str) -> str:
        below = plan_block(distinct, plan_block(f"Projection: {inner}", scan))
        head = ", ".join([f"Projection: {dict_literal(m)} AS iox::measurement", *columns])
        sort = "Sort: " + ", ".join(f"{c} ASC NULLS LAST" for c in [*group, "time"])
        return plan_block(sort, plan_block(head, below))

    scan = plan_block(f"Filter: {not_null}", f"TableScan: {m}")
    if filters:
        scan = plan_block(f"Filter: {filters[0]}", scan)
    aggregate = f"Aggregate: groupBy=[[{', '.join(columns)}]], aggr=[[]]"
    pushed = f"full_filters=[{', '.join([*filters, not_null])}]"
    scanned = ", ".join(sorted({*read, *group, name}))
    return Plans(plan("Distinct:", scan), (
        ("replace_distinct_aggregate", plan(aggregate, scan)),
        ("push_down_filter", plan(aggregate, f"TableScan: {m}, {pushed}")),
        ("optimize_projections", plan(aggregate, f"TableScan: {m} projection=[{scanned}], {pushed}"))))


def _field(stmt, table: Table) -> tuple[str, str] | None:
    """(the field, its column's name) of a lone ``DISTINCT f`` / ``distinct(f)``, else None."""
    if len(stmt.fields) != 1:
        return None
    f = stmt.fields[0]
    e = f.expr
    e = A.unparen(e)
    if isinstance(e, A.Distinct):
        name = e.val
    elif isinstance(e, A.Call) and e.name.lower() == "distinct" and len(e.args) == 1 \
            and isinstance(e.args[0], A.VarRef) and e.args[0].type in (None, "field"):
        name = e.args[0].name
    else:
        return None
    return (name, f.alias or "distinct") if name in table.fields else None
