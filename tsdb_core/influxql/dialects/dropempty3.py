"""The FROM sources InfluxDB 3 keeps: rewriter.rs from_drop_empty, at every depth.

v3's rewriter, after expanding a SELECT, drops each measurement none of whose fields the
SELECT list reads (``time`` and tags are no fields), and each subquery that, dropped in the
same way, keeps no source or none of whose columns the SELECT list reads (``field_by_name``);
a FROM left empty is planned as an EmptyRelation: an empty answer (planner.rs
select_query_to_plan, "empty result, but let's at least have all the strictly necessary
metadata"). Its test (rewriter.rs ``Subquery, no fields projected should be dropped``):
``SELECT usage_idle FROM cpu, (SELECT usage_system FROM cpu)`` is rewritten to read ``cpu`` alone.

Here this runs before the wildcards are expanded (the engine expands them), so a SELECT list
with a wildcard or regex keeps every measurement it can read, and a subquery with one in its
own SELECT list is kept unless its own FROM is left empty.
"""
from __future__ import annotations

import dataclasses
from collections.abc import Callable, Set

from ..ast import expr as A
from ..ast import select as S
from ..ast.visit import find

# a measurement's field names (a set or a dict's keys; a regex's tables' together), None when
# not resolved here (kept)
FieldsOf = Callable[[A.Measurement], "Set[str] | None"]


def drop_empty(stmt: S.SelectStatement, fields_of: FieldsOf) -> S.SelectStatement:
    """``stmt`` with the sources v3 drops taken out of its FROM and its subqueries' (the same
    statement when none is)."""
    nodes = [n for f in stmt.fields for n in find(f.expr, (A.VarRef, A.Distinct, A.Wildcard, A.RegexLiteral))]
    wild = any(isinstance(n, (A.Wildcard, A.RegexLiteral)) for n in nodes)
    refs = {n.name if isinstance(n, A.VarRef) else n.val for n in nodes if isinstance(n, (A.VarRef, A.Distinct))}
    kept = []
    for m in stmt.sources:
        if isinstance(m, A.SubQuery):
            inner = drop_empty(m.statement, fields_of)
            names = subquery_columns(inner)
            if inner.sources and (wild or names is None or refs & names):
                kept.append(m if inner is m.statement else dataclasses.replace(m, statement=inner))
            continue
        fields = fields_of(m)
        if fields is None or (fields if wild else refs & fields):
            kept.append(m)
    same = len(kept) == len(stmt.sources) and all(a is b for a, b in zip(kept, stmt.sources))
    return stmt if same else dataclasses.replace(stmt, sources=tuple(kept))


def subquery_columns(stmt: S.SelectStatement) -> set[str] | None:
    """The names a subquery's columns go by before v3 renames its time column (field.rs
    field_name: an alias, a field's or a call's name, an operation's names joined by ``_``;
    top()/bottom()'s tag arguments: field_by_name), None when a wildcard or regex is left."""
    names = set()
    for f in stmt.fields:
        e = f.expr
        if any(True for _ in find(e, (A.Wildcard, A.RegexLiteral))):
            return None
        names.add(f.alias or _field_name(e))
        if isinstance(e, A.Call) and e.name in ("top", "bottom"):
            names.update(a.name for a in e.args[1:] if isinstance(a, A.VarRef))
    return names


def _field_name(e) -> str:
    """field.rs field_name of an unaliased field (binary_expr_name: its fields' and calls'
    names, a call's arguments not, joined by ``_``; a literal's: empty)."""
    e = A.unparen(e)
    if isinstance(e, (A.Call, A.VarRef)):
        return e.name
    if isinstance(e, A.Distinct):
        return "distinct"
    if not isinstance(e, A.BinaryExpr):
        return ""
    named = find(e, (A.VarRef, A.Call), prune=lambda n: isinstance(n, A.Call))
    return "_".join(n.name for n in named)
