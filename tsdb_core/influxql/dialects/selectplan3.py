"""InfluxDB 3's plans of a raw SELECT: its planner's, DataFusion's optimized one, the physical one.

The shape drawn: ``SELECT <fields and tags> FROM <one measurement> [WHERE <time range>
[AND tag = 'value' ...]] [GROUP BY <tags>] [ORDER BY time DESC] [LIMIT n] [OFFSET n] [tz()]``,
no alias, fill or SLIMIT (and no tag selected with ORDER BY time DESC; tz() over fields alone,
without GROUP BY, LIMIT or OFFSET: tzplan3.py). The GROUP BY tags
not selected come after time, the Sort starts with them; a LIMIT or OFFSET puts v3's
SeriesLimit under the measurement's projection (planner.rs limit). The physical plan is drawn
without GROUP BY and tz() only (under a LIMIT or OFFSET: rawlimit3.py).
``iox_query_influxql`` plans it (``planner.rs`` plan_from_data_source: a filter that one of
the selected fields is not null, then the time range; plan_condition adds the tag
comparisons to that filter; project_select_raw: the measurement's name, time and the
columns; a Sort on time and the selected tags). DataFusion's push_down_filter hands every
conjunct to IOx's table, which takes them all (``provider.rs`` supports_filters_pushdown:
Exact), and optimize_projections narrows the scan; both rule steps were printed by
DataFusion 50.1 for the same builder calls (once, by hand; it is no dependency). The scan's
physical plan is scanplan3.py's; DataFusion keeps the Sort unless the deduplicated order
(tags, then time) gives it: a table without tags.
"""
from __future__ import annotations

from ..ast import expr as A
from .aggcalls3 import ARROW
from .rawlimit3 import limited_physical, merge
from .scanplan3 import Chunk, partition_ranges, scan_tests, table_scan
from .showplan3 import Plans, Table, dict_literal, plan_block, scan_filters
from .tzplan3 import full_filters, tz_projection, tz_scan


def raw_select(stmt, table: Table | None, lower: int | None, upper: int | None, rest) -> list | None:
    """The selected columns (VarRefs) when ``stmt`` has the shape drawn over ``table``, else None.
    ``lower``/``upper``: the WHERE clause's time range (ends inclusive, None: unbounded);
    ``rest``: the rest of the WHERE clause."""
    if table is None or len(stmt.sources) != 1 or not isinstance(stmt.sources[0], A.Measurement):
        return None
    src = stmt.sources[0]
    if src.regex is not None or src.name != table.name or src.database is not None or src.retention_policy is not None \
            or stmt.into is not None or group_tags(stmt, table) is None:
        return None
    if stmt.fill is not None or stmt.slimit or stmt.soffset:
        return None
    if stmt.location is not None and (stmt.dimensions or stmt.limit or stmt.offset or not stmt.time_ascending
                                      or any(isinstance(f.expr, A.VarRef) and f.expr.name in table.tags
                                             for f in stmt.fields)):
        return None  # (tz() drawn over fields alone: the Sort's key over tags not followed)
    refs = [f.expr for f in stmt.fields]
    if not stmt.time_ascending and any(isinstance(r, A.VarRef) and r.name in table.tags for r in refs):
        return None  # (ORDER BY time DESC with tags selected: the tags' order not followed)
    if any(f.alias is not None for f in stmt.fields) or not all(_column(r, table) for r in refs):
        return None
    if not any(r.name in table.fields for r in refs) or len({r.name for r in refs}) != len(refs):
        return None
    if lower is not None and upper is not None and lower > upper:
        return None
    if rest is not None and tag_tests(rest, table) is None:
        return None
    return refs


def group_tags(stmt, table: Table) -> list[str] | None:
    """The GROUP BY tags, sorted (planner.rs select_query_to_plan: ``.sorted().dedup()``), when
    each is one of the table's tags; None otherwise."""
    names = set()
    for d in stmt.dimensions:
        if not isinstance(d.expr, A.VarRef) or d.expr.type not in (None, "tag") or d.expr.name not in table.tags:
            return None
        names.add(d.expr.name)
    return sorted(names)


def _column(ref, table: Table) -> bool:
    if not isinstance(ref, A.VarRef) or ref.name == "time":
        return False
    if ref.name in table.tags:
        return ref.type in (None, "tag")
    return ref.name in table.fields and ref.type in (None, "field")


def tag_tests(cond, table: Table) -> list[tuple[str, str]] | None:
    """``tag = 'value' AND ...`` over the table's tags as (tag, value) pairs; None otherwise."""
    cond = A.unparen(cond)
    if isinstance(cond, A.BinaryExpr) and cond.op.upper() == "AND":
        left, right = tag_tests(cond.lhs, table), tag_tests(cond.rhs, table)
        return None if left is None or right is None else left + right
    if (isinstance(cond, A.BinaryExpr) and cond.op == "=" and isinstance(cond.lhs, A.VarRef)
            and cond.lhs.type in (None, "tag") and cond.lhs.name in table.tags
            and isinstance(cond.rhs, A.StringLiteral) and cond.rhs.val != ""):
        return [(cond.lhs.name, cond.rhs.val)]
    return None


def select_plan(refs, table: Table, lower: int | None, upper: int | None, tags: list[tuple[str, str]],
                chunks: tuple[Chunk, ...] | None, descending: bool = False, group: tuple[str, ...] = (),
                offset: int = 0, limit: int = 0, types: dict[str, str] | None = None,
                zone: str | None = None) -> Plans:
    """v3's plans of the raw SELECT of ``refs`` (raw_select's answer), ``descending``: ORDER BY
    time DESC, ``group``: the GROUP BY tags (group_tags), ``offset``/``limit``: its OFFSET and
    LIMIT, ``types``: the fields' InfluxQL types, ``zone``: tz()'s (the planner's plan alone,
    tzplan3.py); the physical plan only without GROUP BY and when ``chunks`` (the table's rows in
    the range) are known (none: v3's scan is an EmptyExec, scanplan3.table_scan)."""
    m = table.name
    fields = sorted({r.name for r in refs if r.name in table.fields})
    if zone is not None:
        return _tz_plans(refs, table, fields, tags, lower, upper, zone)
    base, pushed = scan_filters(m, fields, tags, lower, upper)
    names = ["time", *(g for g in group if g not in {r.name for r in refs}), *(r.name for r in refs)]
    projection = ", ".join(f"{m}.{c} AS {c}" for c in names)
    selected_tags = [r.name for r in refs if r.name in table.tags and r.name not in group]
    order = "DESC" if descending else "ASC"
    sort = "Sort: " + ", ".join([*(f"{g} ASC NULLS LAST" for g in group), f"time {order} NULLS LAST",
                                 *(f"{t} ASC NULLS LAST" for t in selected_tags)])

    def over(scan: str) -> str:
        if not (offset or limit):
            return plan_block(sort, plan_block(f"Projection: {dict_literal(m)} AS iox::measurement, {projection}", scan))
        kinds = {f: ARROW[t] for f, t in (types or {}).items()}
        inner = plan_block(_series_limit(refs, kinds, group, selected_tags, order, offset, limit),
                       plan_block(f"Projection: {projection}", scan))
        return plan_block(sort, plan_block(", ".join([f"Projection: {dict_literal(m)} AS iox::measurement", *names]), inner))

    columns = _table_columns(table)
    scanned = [c for c in columns if c == "time" or c in {*names}]
    steps = (("push_down_filter", over(f"TableScan: {m}, {pushed}")),)
    if not (offset or limit):  # optimize_projections stops at a SeriesLimit (aggplan3.py)
        steps += (("optimize_projections", over(f"TableScan: {m} projection=[{', '.join(scanned)}], {pushed}")),)
    physical = None
    if chunks is not None and not (group or offset or limit):
        physical = _physical(refs, table, columns, scanned, lower, upper, tags, fields, chunks, order)
    elif chunks is not None and not group and not descending:
        physical = limited_physical(refs, table, columns, lower, upper, tags, fields, chunks, offset, limit)
    return Plans(over(base), steps, physical)


def _tz_plans(refs, table: Table, fields, tags, lower, upper, zone: str) -> Plans:
    """A raw SELECT under tz() (tzplan3.py): the planner's plan and DataFusion's rules (the
    Sort's ``time AS time`` stays: the projection's alias)."""
    sort = "Sort: time AS time ASC NULLS LAST"
    initial, pushed, narrowed = (plan_block(sort, p) for p in tz_branches(refs, table, fields, tags, lower, upper, zone))
    return Plans(initial, (("push_down_filter", pushed), ("optimize_projections", narrowed)))


def tz_branches(refs, table: Table, fields, tags, lower, upper, zone: str) -> tuple[str, str, str]:
    """A raw SELECT's plan of ``table`` under tz(), below the Sort: the planner's, after
    push_down_filter, after optimize_projections (the measurement's projection merged with
    the tz one over the narrowed scan)."""
    m, columns = table.name, _table_columns(table)
    outs = [f"{m}.{r.name} AS {r.name}" for r in refs]
    head = ", ".join([f"Projection: {dict_literal(m)} AS iox::measurement", "time AS time", *outs])
    initial = plan_block(head, tz_scan(m, columns, fields, tags, lower, upper, zone))
    full = full_filters(m, fields, lower, upper, zone, tags)
    pushed = plan_block(head, plan_block(tz_projection(m, columns, zone), f"TableScan: {m}, {full}"))
    read = ", ".join(c for c in columns if c == "time" or c in {r.name for r in refs})
    merged = ", ".join([f"Projection: {dict_literal(m)} AS iox::measurement",
                        tz_projection(m, ("time",), zone).removeprefix("Projection: "), *outs])
    return initial, pushed, plan_block(merged, f"TableScan: {m} projection=[{read}], {full}")


def _series_limit(refs, kinds: dict[str, str], group, selected_tags, order: str, offset: int, limit: int) -> str:
    """planner.rs limit over a raw SELECT: a SeriesLimit over the GROUP BY tags, ordered on time
    and the other selected tags, each field's nulls ignored (a raw column is not InfluxQL-filled),
    its default a null of its type; no skip for OFFSET 0, no fetch without LIMIT."""
    exprs = ", ".join(f"{r.name} IGNORE NULLS (default: {kinds[r.name]}(NULL))"
                      for r in refs if r.name in kinds)
    keys = ", ".join([f"time {order} NULLS LAST", *(f"{t} ASC NULLS LAST" for t in selected_tags)])
    return (f"SeriesLimit: series=[{', '.join(group)}], order=[{keys}], limit_expr=[{exprs}]"
            + (f", skip=UInt64({offset})" if offset else "") + (f", fetch=UInt64({limit})" if limit else ""))


def _table_columns(table: Table) -> tuple[str, ...]:
    """The table's columns as v3's schema orders them (by name, as its planner tests print)."""
    return tuple(sorted({*table.tags, *table.fields, "time"}))


def _physical(refs, table: Table, columns, scanned, lower, upper, tags, fields, chunks, order: str) -> str:
    """The scan (scanplan3.py) under the projection and the sort DataFusion plans: none when
    each partition comes sorted on time; a merge over several partitions (EnforceSorting,
    EnforceDistribution; printed by DataFusion 50.1 for a union, once, by hand), which IOx's
    order_union_sorted_inputs makes a ProgressiveEvalExec when each partition is sorted on time
    and their ranges are disjoint (rawlimit3.merge)."""
    tests = scan_tests(lower, upper, tags, fields)
    found = table_scan(columns, table.tags, tuple(scanned), tests, chunks)
    at = {c: i for i, c in enumerate(scanned)}
    exprs = ", ".join([f"{table.name} as iox::measurement", f"time@{at['time']} as time",
                       *(f"{r.name}@{at[r.name]} as {r.name}" for r in refs)])
    lines = [f"ProjectionExec: expr=[{exprs}]", *("  " + line for line in found.lines)]
    out = ("iox::measurement", "time", *(r.name for r in refs))
    selected_tags = [r.name for r in refs if r.name in table.tags]
    keys = ", ".join(f"{c}@{out.index(c)} {order if c == 'time' else 'ASC'} NULLS LAST" for c in ("time", *selected_tags))
    resorted = order == "DESC" or selected_tags or found.ordered[:1] != ("time",)
    if resorted:
        partitioned = str(found.partitions > 1).lower()
        lines = [f"SortExec: expr=[{keys}], preserve_partitioning=[{partitioned}]", *("  " + line for line in lines)]
    if found.partitions > 1:  # each partition sorted on time: rawlimit3.merge (order_union_sorted_inputs)
        top = f"SortPreservingMergeExec: [{keys}]" if resorted else merge(partition_ranges(chunks, lower, upper), keys)
        lines = [top, *("  " + line for line in lines)]
    return "\n".join(lines) + "\n"
