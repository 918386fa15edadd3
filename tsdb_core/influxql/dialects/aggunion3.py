"""mean() over several tables, a field missing from some: each table's plan, a NULL for the mean it cannot take.

``SELECT MEAN(usage_idle), MEAN(bytes_free) FROM cpu, disk GROUP BY TIME(10s)``: the planner plans
each table as a lone one, a mean of a column the table lacks NULL there (nullagg3.py), and
union_and_coerce casts that NULL to the other tables' type (planner/union.rs; a mean is Float64:
``CAST(NULL AS Float64) AS mean_1``), each branch under one Union (unionplan3.py; planner test
select::multiple_measurements_schema_differences-2). DataFusion's simplify_expressions folds the
cast NULL into ``Float64(NULL)`` (as rawexpr3.cast: DataFusion 50.1 printed it), a step of the branch
before its other rules. Drawn: means of numeric fields alone, every table taking one of them;
the rest as the lone table's plan draws it (``draw``).
"""
from __future__ import annotations

import dataclasses

from ..ast import expr as A
from .aggexpr3 import field_name
from .names3 import rewriter_names
from .showplan3 import Plans, Table

NUMERIC = frozenset({"float", "integer", "unsigned"})
CAST_NULL = "CAST(NULL AS Float64)"
FOLDED = "Float64(NULL)"


def missing_mean_branches(stmt, tables: list[tuple[Table, dict[str, str]]], draw) -> list[Plans] | None:
    """Each table's plans (``tables``: each with its fields' types, in name order) with the means
    it lacks as typed NULLs, for unionplan3.union_plans; None when not this shape or a table's
    plan is not drawn (``draw(statement, table)``)."""
    args = [_arg(f.expr) for f in stmt.fields]
    if None in args or stmt.fill not in (None, "null") or stmt.limit or stmt.offset or stmt.location is not None \
            or any(not isinstance(d.expr, A.Call) for d in stmt.dimensions):
        return None
    names = rewriter_names([f.alias if f.alias is not None else field_name(f.expr) for f in stmt.fields])
    branches = []
    for table, types in tables:
        has = [types.get(a) in NUMERIC for a in args]
        if not any(has) or any(a in table.tags or a in types and types[a] not in NUMERIC for a in args):
            return None
        kept = tuple(A.Field(f.expr, n) for f, n, h in zip(stmt.fields, names, has) if h)
        plans = draw(dataclasses.replace(stmt, fields=kept), table)
        if not isinstance(plans, Plans):
            return None
        branches.append(_with_nulls(plans, table.name, [n for n, h in zip(names, has) if not h], names))
    return None if None in branches else branches


def _arg(e) -> str | None:
    """The field a ``mean(<field>)`` reads, None for another expression."""
    if isinstance(e, A.Call) and e.name == "mean" and len(e.args) == 1 and isinstance(e.args[0], A.VarRef) \
            and e.args[0].type in (None, "field") and e.args[0].name != "time":
        return e.args[0].name
    return None


def _with_nulls(plans: Plans, m: str, nulls: list[str], names: list[str]) -> Plans | None:
    """``plans`` with the NULL columns in place in the measurement's projection: cast, then folded."""
    def put(text: str, null: str) -> str | None:
        lines = text.split("\n")
        at = [i for i, line in enumerate(lines) if " AS iox::measurement, " in line]
        if len(at) != 1:
            return None
        head, *items = _top_level(lines[at[0]])
        if len(items) != len(names) - len(nulls) + 1:
            return None
        fields = iter(items[1:])
        lines[at[0]] = ", ".join([head, items[0], *(f"{null} AS {n}" if n in nulls else next(fields) for n in names)])
        return "\n".join(lines)
    if not nulls:
        return plans
    analyzed = plans.analyzer_steps[-1][1] if plans.analyzer_steps else plans.initial
    texts = [put(plans.initial, CAST_NULL), *(put(t, CAST_NULL) for _, t in plans.analyzer_steps),
             put(analyzed, FOLDED), *(put(t, FOLDED) for _, t in plans.steps)]
    if None in texts:
        return None
    initial, rest = texts[0], iter(texts[1:])
    analyzers = tuple((r, next(rest)) for r, _ in plans.analyzer_steps)
    folded = next(rest)
    steps = tuple((r, next(rest)) for r, _ in plans.steps)
    if "simplify_expressions" not in (r for r, _ in steps):
        steps = (("simplify_expressions", folded),) + steps
    return Plans(initial, steps, analyzer_steps=analyzers)


def _top_level(line: str) -> list[str]:
    """A projection line's items, split at the commas outside brackets and quotes."""
    items, depth, cur, quoted = [], 0, "", False
    for ch in line:
        quoted = not quoted if ch == '"' else quoted
        depth += 0 if quoted else (ch in "([{") - (ch in ")]}")
        if ch == "," and depth == 0 and not quoted:
            items.append(cur)
            cur = ""
            continue
        cur += ch
    return [i.strip() if k else i for k, i in enumerate([*items, cur])]
