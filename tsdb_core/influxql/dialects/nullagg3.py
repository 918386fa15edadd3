"""An aggregate of a field the table lacks, alone or in arithmetic: InfluxDB 3 plans it as NULL.

The planner maps a column the table lacks to ``NULL`` (planner.rs varref_to_df_expr: "No
gap-filling config or value, return NULL"), count, sum, mean, median, mode, spread and stddev
of a NULL are that NULL ("If the expression is a Null or a literal number, we can return it
directly without needing to create an aggregate function"), and arithmetic beside a NULL is
NULL (planner_rewrite_expression.rs rewrite_binary_expr: ``(Float64 | UInt64 | Int64, _, Null)
=> yes(lit(ScalarValue::Null))``), so the field is ``NULL AS <name>`` and its aggregates leave
the Aggregate (planner tests select_aggregate::single_measurement aggregate_non_existent_field,
no_group_by_aggregate_tag). With no aggregate left and no GROUP BY, the plan is one row
(planner.rs: "the result set is a single row", ``LogicalPlanBuilder::empty(true)``).

Drawn: no fill, LIMIT/OFFSET or tz(); first, last, min and max of a missing field NULL too; beside
one selector, NULL fields anywhere, under GROUP BY tags and missing columns (_beside_selector); GROUP
BY tags when every field is NULL (_grouped), else no GROUP BY; every NULL field after the others, reading no
field of the table the others do not read (the others' filter is the statement's); with no
other field, no WHERE (its time bounds would move the row's time). The other fields are drawn
by ``draw`` (aggplan3.py), the optimizer keeping the untyped NULL (as aggplan3 missing_dimensions).
"""
from __future__ import annotations

import dataclasses

from ..ast import expr as A
from ..ast.visit import find
from .aggexpr3 import field_name
from .names3 import rewriter_names
from .aggplan3 import drawn_dimensions, missing_dimensions
from .showplan3 import Plans, Table, dict_literal, plan_block, scan_filters

NULLED = frozenset({"count", "sum", "mean", "median", "mode", "spread", "stddev"})
NUMERIC = frozenset({"float", "integer", "unsigned"})
SELECTORS = ("first", "last", "min", "max")
_NUMBERS = (A.NumberLiteral, A.IntegerLiteral, A.UnsignedLiteral)


def nulled_select(stmt, table: Table, types: dict[str, str], draw, lower: int | None = None) -> Plans | None:
    """The plans of ``stmt`` whose fields are partly or wholly NULL, ``draw(statement)`` giving
    those of the other fields; None when no field is NULL or the shape is not drawn. ``lower``:
    the WHERE clause's lower time bound."""
    if stmt.fill is not None or stmt.limit or stmt.offset or stmt.location is not None:
        return None
    kinds = [_kind(f.expr, table, types) for f in stmt.fields]
    if None in kinds or "null" not in kinds:
        return None
    names = rewriter_names([f.alias if f.alias is not None else field_name(f.expr) for f in stmt.fields])
    if "selector" in kinds:
        return _beside_selector(stmt, table, kinds, names, draw, lower)
    if kinds.index("null") < kinds.count("number"):
        return None
    cut = kinds.count("number")
    nulls = "".join(f", NULL AS {n}" for n in names[cut:])
    if stmt.dimensions:
        return _grouped(stmt, table, nulls) if cut == 0 else None
    if cut == 0:
        if stmt.condition is not None:
            return None
        return Plans("Sort: time ASC NULLS LAST\n"
                     f"  Projection: {dict_literal(table.name)} AS iox::measurement, "
                     f"TimestampNanosecond(0, None) AS time{nulls}\n"
                     "    EmptyRelation: rows=1")
    if _read(stmt.fields[cut:], table) - _read(stmt.fields[:cut], table):
        return None
    kept = tuple(dataclasses.replace(f, alias=n) for f, n in zip(stmt.fields[:cut], names))
    plans = draw(dataclasses.replace(stmt, fields=kept))
    if not isinstance(plans, Plans):
        return None
    return Plans(_with(plans.initial, nulls), tuple((r, _with(t, nulls)) for r, t in plans.steps))


def _beside_selector(stmt, table: Table, kinds: list[str], names: list[str], draw, lower) -> Plans | None:
    """NULL fields beside one selector (no GROUP BY time): the statement is v3's Aggregate projection
    type (rewriter.rs select_statement_info counts the calls before the planner makes any NULL:
    ``selector_count > 1 || aggregate_count > 0``), so its time is ``ctx.default_timestamp()``, the
    range's lower end or 0; the planner is left one selector (planner.rs select_aggregate: "if there's
    only a single selector, wrap non-aggregated fields into that selector"), and each NULL field not
    named as a GROUP BY tag is one of its arguments, ``get_field(selector_first(..,NULL), Utf8("other_1"))``.
    A NULL field named as a missing GROUP BY column (its type unknown: ProjectionInfo::new adds no
    column for it) is that column. Planner tests select_raw__select_function_tag_column, -2."""
    at = kinds.index("selector")
    group = {d.expr.name for d in stmt.dimensions if isinstance(d.expr, A.VarRef)}
    if kinds.count("selector") != 1 or kinds.count("null") != len(kinds) - 1 or group & set(table.tags) & set(names):
        return None
    missing = missing_dimensions(stmt, table)
    dims = drawn_dimensions(dataclasses.replace(stmt, dimensions=tuple(
        d for d in stmt.dimensions if not (isinstance(d.expr, A.VarRef) and d.expr.name in missing))), table)
    if dims is None or dims[0] is not None or _read(stmt.fields, table) - _read(stmt.fields[at:at + 1], table):
        return None
    call, m = stmt.fields[at].expr, table.name
    plans = draw(dataclasses.replace(stmt, fields=(A.Field(call, names[at]),)))
    if not isinstance(plans, Plans):
        return None
    others = [i for i, n in enumerate(names) if i != at and n not in group]
    old = f"selector_{call.name}({m}.{call.args[0].name},{m}.time"
    sel = old + ",NULL" * len(others) + ")"
    spaced = (f"{old.replace(',', ', ')})", f"{old.replace(',', ', ')}{', NULL' * len(others)})")
    columns = [f'get_field({sel}, Utf8("value")) AS {n}' if i == at else f"NULL AS {n}" if i not in others
               else f'get_field({sel}, Utf8("other_{others.index(i) + 1}")) AS {n}' for i, n in enumerate(names)]
    tags = [f"{m}.{t} AS {t}" if t in table.tags else f"NULL AS {t}" for t in sorted(group - set(names))]
    head = ", ".join([f"Projection: {dict_literal(m)} AS iox::measurement",
                      f"TimestampNanosecond({lower or 0}, None) AS time", *tags, *columns])

    def rewrite(text: str) -> str:
        text = text.replace(f"{old})", sel).replace(*spaced)
        return "\n".join(line[:line.index("P")] + head if " AS iox::measurement, " in line else line
                         for line in text.split("\n"))
    return Plans(rewrite(plans.initial), tuple((r, rewrite(t)) for r, t in plans.steps),
                 analyzer_steps=tuple((r, rewrite(t)) for r, t in plans.analyzer_steps))


def _grouped(stmt, table: Table, nulls: str) -> Plans | None:
    """Every field NULL under GROUP BY tags (no WHERE): an Aggregate of the groups alone over the
    raw SELECT's filter (the table's fields the statement reads, one not null: planner.rs
    plan_from_data_source), the tags projected as aggplan3.py projects them (planner test
    select_aggregate__single_measurement__aggregate_non_existent_field_and_group_by);
    push_down_filter hands the filter to the scan, optimize_projections reads the groups alone
    (a filter the table takes needs no column: ``TableScan: temps projection=[time],
    full_filters=[..., temps.loc = Utf8("foo")]`` in IOx's tests). None when not drawn."""
    missing = missing_dimensions(stmt, table)
    kept = dataclasses.replace(stmt, dimensions=tuple(d for d in stmt.dimensions if not (
        isinstance(d.expr, A.VarRef) and d.expr.name in missing)))
    dims = drawn_dimensions(kept, table)
    if stmt.condition is not None or dims is None or dims[0] is not None or not dims[1]:
        return None
    m, groups = table.name, sorted(dims[1])
    tags = [f"{m}.{t} AS {t}" if t in groups else f"NULL AS {t}" for t in sorted({*groups, *missing})]
    sort = "Sort: " + ", ".join([*(f"{g} ASC NULLS LAST" for g in groups), "time ASC NULLS LAST"])
    head = ", ".join([f"Projection: {dict_literal(m)} AS iox::measurement", "TimestampNanosecond(0, None) AS time",
                      *tags]) + nulls
    aggregate = f"Aggregate: groupBy=[[{', '.join(f'{m}.{g}' for g in groups)}]], aggr=[[]]"

    def over(scan: str) -> str:
        return plan_block(sort, plan_block(head, plan_block(aggregate, scan)))
    filtered, pushed = scan_filters(m, sorted(_read(stmt.fields, table)), [], None, None)  # (none read: dropped)
    return Plans(over(filtered), (("push_down_filter", over(f"TableScan: {m}, {pushed}")), (
        "optimize_projections", over(f"TableScan: {m} projection=[{', '.join(groups)}], {pushed}"))))


def _kind(e, table: Table, types: dict[str, str]) -> str | None:
    """"null", "number" (an aggregate of a numeric field, a number, their arithmetic) or None."""
    if isinstance(e, A.ParenExpr):
        return _kind(e.expr, table, types)
    if isinstance(e, _NUMBERS):
        return "number"
    if isinstance(e, A.Call) and e.name in (*NULLED, *SELECTORS) and len(e.args) == 1 \
            and isinstance(e.args[0], A.VarRef) and e.args[0].type in (None, "field") and e.args[0].name != "time":
        name = e.args[0].name
        if name not in table.fields and name not in table.tags:
            return "null"  # (planner.rs: first, last, min and max of a NULL are that NULL too)
        return None if types.get(name) not in NUMERIC else "selector" if e.name in SELECTORS else "number"
    if isinstance(e, A.BinaryExpr) and e.op in ("+", "-", "*", "/"):
        sides = (_kind(e.lhs, table, types), _kind(e.rhs, table, types))
        return None if None in sides or "selector" in sides else "null" if "null" in sides else "number"
    return None


def _read(fields, table: Table) -> set[str]:
    return {r.name for f in fields for r in find(f.expr, A.VarRef) if r.name in table.fields}


def _with(text: str, nulls: str) -> str:
    """``text`` with the NULL fields at the end of its measurement's projection."""
    return "\n".join(line + nulls if " AS iox::measurement, " in line else line for line in text.split("\n"))
