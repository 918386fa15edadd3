"""InfluxDB 3's plans of a raw SELECT over tables whose columns differ: union_and_coerce's casts.

``planner.rs`` select_query_to_plan plans each table alone (a column the table lacks is NULL,
a tag a dictionary) and folds the plans with ``planner/union.rs`` union_and_coerce: each
column's type across the tables is DataFusion's comparison_coercion of the types table after
table (a NULL takes the other's type; a dictionary beside a NULL is ``Utf8``: the dictionary's
value type), and coerce_plan_expr_for_schema CASTs each branch's expression of another type to
it (``CAST(NULL AS Int64) AS bytes_free``, ``CAST(cpu.cpu AS Utf8) AS cpu``). The rewriter has
expanded ``*`` over every table's fields and tags by name (the GROUP BY tags left out) and
dropped each table none of whose fields is read (rewriter.rs from_drop_empty). plan_with_sort
sorts on the GROUP BY tags, time, then the tags selected (those no table holds as a field), by
name, leaving out the columns NULL in every table. Planner tests: select_raw__select_multiple_
measurements_group_by, select__multiple_measurements_schema_differences, select__from_zero_to_many.
DataFusion 50.1 printed the same plan for the same builder calls (once, by hand; no dependency),
then simplify_expressions folding each ``CAST(NULL AS T)`` into ``T(NULL)``, the other rules as
for one table (unionplan3.py). Drawn for two tables, or more when the third and later leave each
column's type as the first two made it (else the planner wraps the Union in a projection of casts).
"""
from __future__ import annotations

import dataclasses

from ..ast import expr as A
from ..ast.visit import find
from .rawexpr3 import Columns, branch_plans, columns, plain
from .rawwhere3 import FALSE, condition
from .selectplan3 import tag_tests
from .showplan3 import Plans, Table
from .topstar3 import merged_types
from .wildcards3 import expand_over


@dataclasses.dataclass(frozen=True, slots=True)
class Source:
    """One table of the FROM clause: its catalog entry and its fields' InfluxQL types."""

    table: Table
    types: dict[str, str]


def kept(stmt, sources: list[Source]) -> list[Source]:
    """The tables from_drop_empty keeps: those one of whose fields the SELECT list reads (its
    wildcards expanded: expand)."""
    refs = {r.name for f in expand(stmt, sources).fields for r in find(f.expr, A.VarRef)}
    return [s for s in sources if refs & s.table.fields]


def expand(stmt, sources: list[Source]):
    """``stmt`` with each ``*`` (``*::field``, ``*::tag``) expanded over every table
    (rewriter.rs expand_projection: wildcards3.expand_over)."""
    if not any(isinstance(f.expr, A.Wildcard) for f in stmt.fields):
        return stmt
    types = merged_types(s.types for s in sources)
    return dataclasses.replace(stmt, fields=expand_over(stmt, types, {t for s in sources for t in s.table.tags}))


def branches(stmt, sources: list[Source], lower, upper, rest) -> list[Plans] | None:
    """Each table's plan (at least two tables, in name order, each keeping a field) below the
    union's Sort, its columns CAST to the union's types; None when the shape is not drawn."""
    stmt = expand(stmt, sources)
    if not plain(stmt, lower, upper) or any(True for f in stmt.fields for _ in find(f.expr, A.Wildcard)):
        return None
    found = [_branch(stmt, s, lower, upper, rest) for s in sources]
    if any(b is None for b in found) or len({_names(c) for c, _ in found}) != 1:
        return None
    kinds = {n: coerced([c.kinds(s.table)[n] for (c, _), s in zip(found, sources)]) for n in _names(found[0][0])[1:]}
    if None in kinds.values():
        return None
    sort = "Sort: " + ", ".join(f"{k} ASC NULLS LAST" for k in _sort_keys(stmt, sources, found[0][0], kinds))
    return [branch_plans(s.table, c, where, kinds, sort) for (c, where), s in zip(found, sources)]


def _sort_keys(stmt, sources: list[Source], cols: Columns, kinds: dict[str, str]) -> list[str]:
    """plan_with_sort's keys: the GROUP BY tags, time, the other columns of a tag (or of no table)
    selected, by name (ProjectionInfo), each but those NULL in every table."""
    fields = {f for s in sources for f in s.table.fields}
    refs = {f.alias or f.expr.name: f.expr for f in stmt.fields if isinstance(f.expr, A.VarRef)}
    selected = sorted(o.name for o in cols.outs if o.name not in cols.group and kinds[o.name] != "Null"
                      and o.name in refs and refs[o.name].name not in fields and refs[o.name].type in (None, "tag"))
    return [*(g for g in cols.group if kinds[g] != "Null"), cols.time_name, *selected]


def coerced(kinds: list[str]) -> str | None:
    """A column's type across the tables, folded as union_and_coerce folds them (comparison_coercion,
    DataFusion's type_coercion/binary.rs: equal types keep theirs, a NULL takes the other's, a
    dictionary beside a NULL is its value type); None for other pairs, or when a third table would
    change what the first two made."""
    out = kinds[0]
    for i, kind in enumerate(kinds[1:], start=1):
        new = _pair(out, kind)
        if new is None or (i > 1 and new != out):
            return None
        out = new
    return out


def _pair(a: str, b: str) -> str | None:
    if a == b:
        return a
    if "Null" in (a, b):
        other = b if a == "Null" else a
        return "Utf8" if other == "Dictionary" else other
    return "Dictionary" if {a, b} == {"Dictionary", "Utf8"} else None  # (the dictionary kept: preserve_dictionaries)


def _branch(stmt, source: Source, lower, upper, rest) -> tuple[Columns, tuple] | None:
    """One table's columns and its WHERE as rawexpr3 draws them (a tag test, rawwhere3's text)."""
    table, types = source.table, source.types
    one = dataclasses.replace(stmt, sources=(A.Measurement(name=table.name),))
    tags, cond = (tag_tests(rest, table), None) if rest is not None else ([], None)
    if tags is None:
        tags, cond = [], condition(rest, table, types)
        if cond is None or cond == FALSE:
            return None
    cols = columns(one, table, types)
    return None if cols is None or not cols.reads else (cols, (lower, upper, tags, cond))


def _names(cols: Columns) -> tuple[str, ...]:
    named = {o.name for o in cols.outs}
    return (cols.time_name, *(g for g in cols.group if g not in named), *(o.name for o in cols.outs))
