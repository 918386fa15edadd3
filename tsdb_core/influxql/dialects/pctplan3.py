"""InfluxDB 3's planner plan of a SELECT whose one selector is percentile() (with other fields or none).

``planner.rs`` project_select_selector (ProjectionType::Selector: one selector, no aggregate,
no GROUP BY time; rewriter.rs): over the raw SELECT's filters, a filter that the percentile's
field is not null, a WindowAggr of ``percent_row_number(<n as Float64>)`` and ``row_number()``
(partitioned by the GROUP BY tags, ordered by the field then time, over every row) and a filter
keeping the row where both agree; the percentile's field is then projected under its name,
as a raw SELECT projects its columns. Only the planner's plan is drawn (DataFusion's rules over
IOx's window function are not followed).
"""
from __future__ import annotations

from ..ast import expr as A
from . import aggexpr3 as X
from .showplan3 import Plans, Table, _block, _lit, scan_filters

FRAME = "ROWS BETWEEN UNBOUNDED PRECEDING AND UNBOUNDED FOLLOWING"


def percentile_select(stmt, table: Table | None, types: dict[str, str], lower: int | None, upper: int | None,
                      tags: list[tuple[str, str]] | None, group: list[str] | None) -> Plans | None:
    """The planner's plan of ``stmt`` (``SELECT percentile(<field>, <n>) [, <fields and tags>]
    FROM <one measurement> [WHERE ...] [GROUP BY <tags>]``) over ``table``; ``types``: its
    fields' InfluxQL types, ``tags``: the WHERE clause's tag tests (None: not drawn),
    ``group``: the GROUP BY tags (None: not drawn). None for other shapes."""
    shape = _shape(stmt, table, types, tags, group)
    if shape is None:
        return None
    key, n, names = shape
    m = table.name
    fields = sorted({key, *(c for c, _ in names if c in table.fields)})
    base, _ = scan_filters(m, fields, tags, lower, upper)
    partition = f"PARTITION BY [{', '.join(group)}] " if group else ""
    qualified = f"PARTITION BY [{', '.join(f'{m}.{g}' for g in group)}] " if group else ""
    order, q_order = f"ORDER BY [{key} ASC NULLS LAST, time ASC NULLS LAST]", \
        f"ORDER BY [{m}.{key} ASC NULLS LAST, {m}.time ASC NULLS LAST]"
    pct, row = f"percent_row_number({n})", "row_number()"
    window = ", ".join(f"{fn} {qualified}{q_order} {FRAME} AS {fn} {partition}{order} {FRAME}" for fn in (pct, row))
    plan = _block(f"Filter: {m}.{key} IS NOT NULL", base)
    plan = _block(f"WindowAggr: windowExpr=[[{window}]]", plan)
    plan = _block(f"Filter: {pct} {partition}{order} {FRAME} = {row} {partition}{order} {FRAME}", plan)
    selected = {c for c, _ in names}
    columns = [f"{m}.time AS time", *(f"{m}.{g} AS {g}" for g in group if g not in selected),
               *(f"{m}.{c} AS {alias}" for c, alias in names)]
    plan = _block(", ".join([f"Projection: {_lit(m)} AS iox::measurement", *columns]), plan)
    other_tags = [c for c, _ in names if c in table.tags and c not in group]
    sort = ", ".join([*(f"{g} ASC NULLS LAST" for g in group), "time ASC NULLS LAST",
                      *(f"{t} ASC NULLS LAST" for t in other_tags)])
    return Plans(_block(f"Sort: {sort}", plan))


def _shape(stmt, table, types, tags, group):
    """(the percentile's field, its n as DataFusion prints it, [(column, name)] of the fields)."""
    if table is None or tags is None or group is None or len(stmt.sources) != 1:
        return None
    src = stmt.sources[0]
    if not isinstance(src, A.Measurement) or src.regex is not None or src.name != table.name \
            or src.database is not None or src.retention_policy is not None:
        return None
    if stmt.into is not None or stmt.fill is not None or stmt.limit or stmt.offset or stmt.slimit or stmt.soffset \
            or stmt.location is not None or not stmt.time_ascending:
        return None
    found, names = None, []
    for f in stmt.fields:
        e = f.expr
        if isinstance(e, A.Call) and e.name == "percentile" and found is None and len(e.args) == 2:
            ref, n = e.args
            if not (isinstance(ref, A.VarRef) and ref.type in (None, "field") and types.get(ref.name) in (
                    "float", "integer", "unsigned") and isinstance(n, (A.IntegerLiteral, A.NumberLiteral))):
                return None
            found = (ref.name, X.render(X.Lit(float(n.val), X.FLOAT), None))
            names.append((ref.name, f.alias or "percentile"))
        elif isinstance(e, A.VarRef) and e.name != "time" and (e.name in table.fields or e.name in table.tags):
            names.append((e.name, f.alias or e.name))
        else:
            return None
    if found is None or len({n for _, n in names}) != len(names):
        return None
    return found[0], found[1], names
