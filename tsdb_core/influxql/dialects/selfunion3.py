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
"""
from __future__ import annotations

from ..ast import expr as A
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
