"""A lone selector with other fields beside it, as InfluxDB 3's planner plans it.

``SELECT last(usage_idle), usage_system FROM cpu``: the selector reads the other fields too,
``selector_last(cpu.usage_idle, cpu.time, cpu.usage_system)``, and each is a field of its
struct, ``get_field(selector_last(...), Utf8("other_1")) AS usage_system`` (planner.rs
project_select_aggregate: ``agg.params.args.append(&mut additional_args)``, then
``selector_new.clone().field(struct_name).alias(out_alias)``); the raw filter reads every field
(``usage_idle IS NOT NULL OR usage_system IS NOT NULL``, names in order, a tag none). Planner
tests select::functions::selectors_additional_fields, _2 (GROUP BY time) and _4 (a tag named
as the function: ``first, first_1``).

Drawn from the plan of the selector alone (``draw``: aggplan3.py), its text rewritten; the
optimizer's plan likewise (the scan reads the other columns too, in name order, as
aggplan3.filtered_scans orders them). Not drawn: GROUP BY tags, fill other than null, tz();
the physical plan stays this store's.
"""
from __future__ import annotations

import dataclasses
import re

from ..ast import expr as A
from .aggcalls3 import ARROW, NUMERIC, struct_default
from .aggplan3 import fill_scalar
from .names3 import rewriter_names
from .showplan3 import Plans, Table

SELECTORS = ("first", "last", "min", "max")


def selector_fields_select(stmt, table: Table, types: dict[str, str], draw) -> Plans | None:
    """The plans of ``stmt`` (a selector, then fields or tags of ``table``), or None."""
    shape = _shape(stmt, table, types)
    if shape is None:
        return None
    call, others = shape
    names = rewriter_names([f.alias if f.alias is not None else f.expr.name for f in stmt.fields])
    plans = draw(dataclasses.replace(stmt, fields=(A.Field(call, names[0]),)))
    rewrite = _rewriter(stmt, table, types, call, others, names)
    if not isinstance(plans, Plans) or rewrite is None \
            or not all(f'Utf8("value")) AS {names[0]}' in t for t in (plans.initial, plans.logical)):
        return None
    return Plans(rewrite(plans.initial), tuple((r, rewrite(t)) for r, t in plans.steps),
                 analyzer_steps=tuple((r, rewrite(t)) for r, t in plans.analyzer_steps))


def _rewriter(stmt, table: Table, types: dict[str, str], call: A.Call, others: list[str], names: list[str]):
    """The text rewrite of the lone selector's plans into the statement's (None: not drawn)."""
    m, field = table.name, call.args[0].name
    old = f"selector_{call.name}({m}.{field},{m}.time"
    new = old + "".join(f",{m}.{o}" for o in others)
    spaced = (f"selector_{call.name}({m}.{field}, {m}.time)",
              f"selector_{call.name}({m}.{field}, {m}.time{''.join(f', {m}.{o}' for o in others)})")
    structs, defaults = _value_fill(stmt, types, field, others, names[1:])
    if structs is None:
        return None
    tests = " OR ".join(f"{m}.{f} IS NOT NULL" for f in sorted({field, *(o for o in others if o in table.fields)}))
    # a selected tag sorts the rows after time (planner/select.rs ProjectionInfo: projection_tag_set, sorted)
    keys = "".join(f", {n} ASC NULLS LAST" for n in sorted(n for o, n in zip(others, names[1:]) if o in table.tags))
    value = re.compile(rf'.*get_field\((.*), Utf8\("value"\)\) AS {re.escape(names[0])}$')

    def line_of(line: str) -> str:
        got = value.match(line)
        if got:
            return line + "".join(f', get_field({got.group(1)}, Utf8("other_{i}")) AS {n}'
                                   for i, n in enumerate(names[1:], 1))
        if defaults and "limit_expr=[" in line:
            return line[:-1] + defaults + "]"
        if defaults and " AS iox::measurement, " in line and line.endswith(f", {names[0]}"):
            return line + "".join(f", {n}" for n in names[1:])
        return line + keys if line.startswith("Sort: ") else line

    def rewrite(text: str) -> str:
        text = text.replace(f"{old})", f"{new})").replace(*spaced).replace(*structs)
        text = text.replace(f"{m}.{field} IS NOT NULL", tests)
        text = re.sub(r"projection=\[([^\]]*)\]",
                      lambda p: f"projection=[{', '.join(sorted({*p.group(1).split(', '), *others}))}]", text)
        return "\n".join(line_of(line) for line in text.split("\n"))
    return rewrite


def _value_fill(stmt, types: dict[str, str], field: str, others: list[str], names: list[str]):
    """(the selector's fill struct, with the other fields: planner.rs number_to_scalar of each
    field's type, ``other_<n>:0.0``), the other fields' SeriesLimit defaults; ("", "") pairs and
    "" without a value fill; (None, None) for fields no number fills (not drawn)."""
    if stmt.fill != "value":
        return ("", ""), ""
    kinds = [ARROW.get(types.get(o)) for o in others]
    if any(k not in NUMERIC for k in kinds) or types.get(field) not in ARROW:
        return None, None
    base = struct_default(stmt.fill_value, ARROW[types[field]])
    extra = [struct_default(stmt.fill_value, k) for k in kinds]
    if base is None or None in extra:
        return None, None
    parts = "".join(f",other_{i}:{e[len('{value:'):e.index(',time:')]}" for i, e in enumerate(extra, 1))
    defaults = "".join(f", {n} RESPECT NULLS (default: {k}({fill_scalar(stmt.fill_value, k)}))"
                       for n, k in zip(names, kinds))
    return (base, base[:-1] + parts + "}"), defaults


def _shape(stmt, table: Table, types: dict[str, str]):
    """(the selector call, the other fields' names) or None when not this shape."""
    if len(stmt.fields) < 2 or stmt.fill not in (None, "null", "value") or stmt.location is not None \
            or any(not isinstance(d.expr, A.Call) for d in stmt.dimensions):
        return None
    call = stmt.fields[0].expr
    if not (isinstance(call, A.Call) and call.name in SELECTORS and len(call.args) == 1
            and isinstance(call.args[0], A.VarRef) and call.args[0].type in (None, "field")
            and types.get(call.args[0].name) in ("float", "integer", "unsigned")):
        return None
    others = [f.expr for f in stmt.fields[1:]]
    if not all(isinstance(e, A.VarRef) and e.type is None and e.name != "time"
               and (e.name in table.fields) != (e.name in table.tags) for e in others):
        return None
    names = [e.name for e in others]
    return (call, names) if len(set(names)) == len(names) and call.args[0].name not in names else None
