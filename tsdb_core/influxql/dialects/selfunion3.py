"""InfluxDB 3's plan of a raw SELECT whose FROM clause names one table twice (``FROM cpu, cpu``).

rewriter.rs expand_from keeps the table once per source naming it, so find_table_names plans the
table once and ``planner.rs`` union_from plans each source: its filter (the fields not all null)
over the scan, then, with several sources, a projection of the columns the SELECT reads, sorted
(find_var_refs: a BTreeSet, ``time`` among them), each ``cpu.host AS host``, the branches under
a Union (union_and_coerce, two sources: one Union). The fields are then projected over the Union,
unqualified (``time AS time, host AS host``), the measurement's name first, and sorted on time and
the tags selected, which DataFusion's sort builder prints as the projection's ``time AS time``
(planner tests select__from_zero_to_many-4, select__multiple_data_sources-2's FROM). DataFusion
50.1 printed the same plan for the same builder calls (once, by hand; no dependency), its
optimize_projections narrowing each scan to the columns read; IOx's table takes the filter
(push_down_filter). Drawn for two sources, plain columns of the table, no WHERE, GROUP BY, LIMIT,
OFFSET, fill or tz(), ascending. The physical plan stays this store's.

An aggregate over the two sources (over_self_union): the lone table's aggregate plan
(aggplan3.py) over the Union in place of its filtered scan, its columns unqualified, as the
Union's (planner test select__multiple_data_sources-2: ``selector_last(usage_idle, time)``).
Derived, not printed by v3: the optimizer's steps are the lone plan's, each branch as the raw
SELECT's (push_down_filter's scan, then optimize_projections reading the columns the lone plan's
scan reads: the Union passes its parent's needs to each branch).
"""
from __future__ import annotations

import re

from ..ast import expr as A
from ..ast.visit import find
from .rawexpr3 import plain
from .showplan3 import Plans, Table, dict_literal, indented, plan_block


def self_union_plans(stmt, table: Table) -> Plans | None:
    """v3's plans of ``stmt`` (its two sources both ``table``), or None when not drawn."""
    refs = [f.expr for f in stmt.fields]
    if len(stmt.sources) != 2 or stmt.condition is not None or stmt.dimensions or not plain(stmt, None, None) \
            or any(f.alias is not None for f in stmt.fields) \
            or not all(isinstance(r, A.VarRef) and r.type in (None, "tag", "field") and r.name != "time"
                       and (r.name in table.fields and r.type != "tag" or r.name in table.tags and r.type != "field")
                       for r in refs) or len({r.name for r in refs}) != len(refs):
        return None
    fields = sorted(r.name for r in refs if r.name in table.fields)
    if not fields:
        return None
    m, read = table.name, sorted({"time", *(r.name for r in refs)})
    not_null = " OR ".join(f"{m}.{f} IS NOT NULL" for f in fields)
    columns = ", ".join(f"{m}.{c} AS {c}" for c in read)
    tags = sorted(r.name for r in refs if r.name in table.tags)
    sort = "Sort: " + ", ".join(f"{c} AS {c} ASC NULLS LAST" for c in ["time", *tags])
    head = ", ".join([f"Projection: {dict_literal(m)} AS iox::measurement", "time AS time",
                      *(f"{r.name} AS {r.name}" for r in refs)])

    def plan(scan: str) -> str:
        branch = indented(plan_block(f"Projection: {columns}", scan))
        return plan_block(sort, plan_block(head, "Union\n" + branch + "\n" + branch))
    pushed = f"full_filters=[{not_null}]"
    return Plans(plan(plan_block(f"Filter: {not_null}", f"TableScan: {m}")), (
        ("push_down_filter", plan(f"TableScan: {m}, {pushed}")),
        ("optimize_projections", plan(f"TableScan: {m} projection=[{', '.join(read)}], {pushed}"))))


def over_self_union(stmt, table: Table, lone: Plans) -> Plans | None:
    """v3's plans of an aggregate ``stmt`` over its two sources both ``table``, ``lone`` its plans
    over the table once (aggplan3.py's, no GROUP BY, WHERE, fill, LIMIT or tz()); None when not drawn."""
    refs = [r for f in stmt.fields for r in find(f.expr, A.VarRef)]
    if len(stmt.sources) != 2 or stmt.condition is not None or stmt.dimensions or stmt.fill is not None \
            or stmt.limit or stmt.offset or stmt.location is not None or not re.fullmatch(r"[A-Za-z_]\w*", table.name) \
            or not refs or not all(r.name in table.fields and r.type in (None, "field") for r in refs):
        return None
    m, read = table.name, sorted({"time", *(r.name for r in refs)})
    texts = [lone.initial, *(t for _, t in lone.analyzer_steps), *(t for _, t in lone.steps)]
    unioned = [_unioned(t, m, read) for t in texts]
    if None in unioned:
        return None
    n = len(lone.analyzer_steps)
    return Plans(unioned[0], tuple((r, t) for (r, _), t in zip(lone.steps, unioned[1 + n:])),
                 analyzer_steps=tuple((r, t) for (r, _), t in zip(lone.analyzer_steps, unioned[1:1 + n])))


def _unioned(text: str, m: str, read: list[str]) -> str | None:
    """The lone table's plan ``text`` with its filtered scan (the planner's Filter over the
    TableScan, or the scan the filter was pushed into) made the Union of two branches, each the
    columns ``read`` over that scan, and the plan above it unqualified."""
    lines = text.split("\n")
    scan = lines[-1].strip()
    at = len(lines) - (2 if lines[-2].strip().startswith(f"Filter: {m}.") else 1)
    if not scan.startswith(f"TableScan: {m}") or at < 1:
        return None
    found = re.search(r" projection=\[([^\]]*)\]", scan)
    columns = found.group(1).split(", ") if found else read
    if not set(columns) <= set(read):
        return None
    depth = len(lines[at]) - len(lines[at].lstrip())
    branch = plan_block(f"Projection: {', '.join(f'{m}.{c} AS {c}' for c in columns)}",
                        "\n".join(line[depth:] for line in lines[at:]))
    above = [re.sub(rf"(?<![\w.\"]){m}\.", "", line) for line in lines[:at]]
    union = "Union\n" + indented(branch) + "\n" + indented(branch)
    return "\n".join([*above, *(" " * depth + line for line in union.split("\n"))])
