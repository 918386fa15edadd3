"""The FROM sources InfluxDB 3 keeps: rewriter.rs from_drop_empty, at every depth.

v3's rewriter, after expanding a SELECT, drops each measurement none of whose fields the
SELECT list reads (``time`` and tags are no fields), and each subquery that, dropped in the
same way, keeps no source or none of whose columns the SELECT list reads (``field_by_name``);
a FROM left empty is planned as an EmptyRelation: an empty answer (planner.rs
select_query_to_plan, "empty result, but let's at least have all the strictly necessary
metadata"). Its test (rewriter.rs ``Subquery, no fields projected should be dropped``):
``SELECT usage_idle FROM cpu, (SELECT usage_system FROM cpu)`` is rewritten to read ``cpu`` alone.

v3 expands every SELECT list first (wildcards3.py), the innermost first, and decides on the
expanded lists: ``SELECT used FROM mem, (SELECT * FROM cpu)`` drops the subquery, whose ``*`` is
cpu's fields and tags; ``SELECT /col0/ FROM m0, m1`` drops m0, where ``col0`` is a tag (rewriter.rs
test projection_expand_wildcards). A SELECT whose wildcard read a dropped source is given its
expanded list (wildcards3.spelled), which the engine cannot expand from what is left; so is a
subquery whose expansion renames a column (renamed_subqueries: ``col0::tag AS col0_1``).
"""
from __future__ import annotations

import dataclasses

from ..ast import expr as A
from ..ast import select as S
from ..ast.visit import find
from .wildcards3 import Catalog, SchemaOf, expand, field_name, has_field_wildcard, named_fields, spelled


def drop_empty(stmt: S.SelectStatement, schema_of: SchemaOf) -> S.SelectStatement:
    """``stmt`` with the sources v3 drops taken out of its FROM and its subqueries' (the same
    statement when none is)."""
    if not isinstance(schema_of, Catalog) and A.SubQuery in map(type, stmt.sources):
        schema_of = Catalog(schema_of)
    refs = _reads(stmt, schema_of)
    kept = []
    for m in stmt.sources:
        if isinstance(m, A.SubQuery):
            inner = drop_empty(m.statement, schema_of)
            if inner.sources and (refs is None or _reads_column(refs, m.statement, schema_of)):
                kept.append(m if inner is m.statement else dataclasses.replace(m, statement=inner))
            continue
        schema = schema_of(m)
        if schema is None or (schema[0] if refs is None else not refs.isdisjoint(schema[0])):
            kept.append(m)
    if len(kept) == len(stmt.sources) and all(a is b for a, b in zip(kept, stmt.sources)):
        return stmt
    if refs is not None and kept and has_field_wildcard(stmt):
        stmt = spelled(stmt, schema_of)  # expanded over what was dropped too
    return dataclasses.replace(stmt, sources=tuple(kept))


def renamed_subqueries(stmt: S.SelectStatement, schema_of: SchemaOf) -> S.SelectStatement:
    """``stmt`` with each subquery whose wildcard expands to two columns of one name spelled as
    v3's rewriter names them (expand_from rewrites each subquery first: ``SELECT * FROM merge_00,
    merge_01`` is ``col0::float AS col0, col0::tag AS col0_1, ...``, rewriter.rs test
    projection_expand_wildcards): the columns an outer ``*`` or ``/col0/`` reads, which the
    engine's own expansion names only at the top."""
    if A.SubQuery not in map(type, stmt.sources):
        return stmt
    schema_of = schema_of if isinstance(schema_of, Catalog) else Catalog(schema_of)
    sources = []
    for m in stmt.sources:
        inner = renamed_subqueries(m.statement, schema_of) if isinstance(m, A.SubQuery) else None
        named = named_fields(inner, schema_of) if inner is not None and has_field_wildcard(inner) else None
        if named is not None and any(name != (f.alias or field_name(f.expr)) for f, name in named):
            inner = spelled(inner, schema_of)
        sources.append(m if inner is None or inner is m.statement else dataclasses.replace(m, statement=inner))
    return stmt if all(a is b for a, b in zip(sources, stmt.sources)) else dataclasses.replace(stmt, sources=tuple(sources))


def _reads(stmt: S.SelectStatement, schema_of: SchemaOf) -> set[str] | None:
    """The names the SELECT list reads once expanded (``DISTINCT f`` reads ``f``); None when its
    wildcards are not expanded here (a source not resolved): every source with a field kept."""
    kinds = (A.VarRef, A.Distinct, A.Wildcard, A.RegexLiteral)
    nodes = [n for f in stmt.fields for n in find(f.expr, kinds)]
    if any(isinstance(n, (A.Wildcard, A.RegexLiteral)) for n in nodes):
        if all(isinstance(m, A.Measurement) for m in stmt.sources) and all(
                f.expr == _STAR or not any(True for _ in find(f.expr, (A.Wildcard, A.RegexLiteral))) for f in stmt.fields):
            return None  # ``*`` over tables reads every field: each table with one is kept, unexpanded
        fields = expand(stmt, schema_of)
        if fields is None:
            return None
        nodes = [n for f in fields for n in find(f.expr, kinds)]
    return {n.name if isinstance(n, A.VarRef) else n.val for n in nodes if isinstance(n, (A.VarRef, A.Distinct))}


_STAR = A.Wildcard()


def _reads_column(refs: set[str], sub: S.SelectStatement, schema_of: SchemaOf) -> bool:
    """field.rs field_by_name over the subquery's expanded columns: a column of the name, or a
    top()/bottom() call of more than two arguments naming it after its first."""
    named = named_fields(sub, schema_of)
    if named is None:
        return True
    for f, name in named:
        e = f.expr
        if name in refs or isinstance(e, A.Call) and e.name in ("top", "bottom") and len(e.args) > 2 \
                and any(isinstance(a, A.VarRef) and a.name in refs for a in e.args[1:]):
            return True
    return False
