"""A SELECT list as InfluxDB 3's rewriter expands it, and the columns a subquery so expanded
offers the SELECT over it (influxdb3 dialect).

rewriter.rs RewriteSelect::rewrite expands the FROM first (expand_from: each subquery rewritten
before its outer statement, the innermost first), then the projection (expand_projection):
from_field_and_dimensions merges the FROM's fields (a table's; a subquery's columns of a known
type) and tags (a table's; a subquery's GROUP BY tags), less the tags the GROUP BY names, and
fields_expand_wildcards makes ``*`` (``*::field``, ``*::tag``) and ``/re/`` those names, sorted,
and ``f(*)`` one call per field of a type ``f`` takes, aliased ``f_<field>`` (the field as an
Identifier prints: ``median_"and"``, test_v3_wildcard_columns.py); no field in the
FROM: nothing (``if field_set.is_empty() { vec![] }``). from_drop_empty (dropempty3.py) then
decides on these lists. The engine expands a statement again its own way; only where a source
the expansion read is dropped is it given the expanded list (spelled).
"""
from __future__ import annotations

import dataclasses
from collections.abc import Callable, Collection, Mapping

from ...base import regex as linear_regex
from ..ast import expr as A
from ..ast import select as S
from ..ast.visit import find
from . import names3
from .aggcalls3 import unique_names
from .operands3 import ORDER, Incompatible, eval_type, narrowest
from .timerange3 import identifier

# a table's fields (name -> InfluxQL type, a name or a FieldType) and tags
Schema = tuple[Mapping[str, str], Collection[str]]
# a FROM measurement's (a regex's tables' merged), None when not resolved here
SchemaOf = Callable[[A.Measurement], "Schema | None"]

_FIELD_TYPES = frozenset(ORDER[:ORDER.index("tag")])  # VarRefDataType::is_field_type: ``*self < Self::Tag``
_NUMERIC = frozenset(("float", "integer", "unsigned"))
_TAKES = {  # fields_expand_wildcards: the types a call's wildcard expands to, by the innermost call
    **dict.fromkeys(("count", "first", "last", "distinct", "elapsed", "mode", "sample"),
                    _NUMERIC | {"string", "boolean"}),
    "min": _NUMERIC | {"boolean"}, "max": _NUMERIC | {"boolean"},
    "holt_winters": _NUMERIC - {"unsigned"}, "holt_winters_with_fit": _NUMERIC - {"unsigned"}}


@dataclasses.dataclass(frozen=True, slots=True)
class Column:
    """One column of an expanded SELECT: its name (named_fields), its type (TypeEvaluator's;
    None unknown) and expression."""

    name: str
    type: str | None
    expr: A.Expr


def has_field_wildcard(stmt: S.SelectStatement) -> bool:
    """rewriter.rs has_wildcards' first answer: a ``*`` or ``/re/`` in the SELECT list."""
    return any(True for f in stmt.fields for _ in find(f.expr, (A.Wildcard, A.RegexLiteral)))


def expand(stmt: S.SelectStatement, schema_of: SchemaOf) -> tuple[A.Field, ...] | None:
    """The SELECT list with its wildcards expanded (its own when it has none); None when a
    source is not resolved here."""
    if not has_field_wildcard(stmt):
        return stmt.fields
    found = _from_fields_and_tags(stmt, schema_of)
    return None if found is None else expand_over(stmt, *found)


def expand_over(stmt: S.SelectStatement, fields: Mapping[str, str], tags: Collection[str]) -> tuple[A.Field, ...]:
    """The SELECT list expanded over the FROM's merged fields (name -> type) and tags."""
    by_all = any(isinstance(d.expr, (A.Wildcard, A.RegexLiteral)) for d in stmt.dimensions)
    if not by_all:
        tags = set(tags) - {d.expr.name for d in stmt.dimensions if isinstance(d.expr, A.VarRef)}
    refs = var_refs(fields, () if by_all else tags)
    return tuple(g for f in stmt.fields for g in expand_field(f, refs))


def var_refs(fields: Mapping[str, str], tags: Collection[str]) -> list[tuple[str, str]]:
    """What a wildcard expands to: the fields and tags as (name, type), sorted as VarRef sorts
    (by name, then VarRefDataType); none without a field (``field_set.is_empty()``)."""
    if not fields:
        return []
    pairs = [*((n, _name(t)) for n, t in fields.items()), *((t, "tag") for t in tags)]
    return sorted(pairs, key=lambda r: (r[0], ORDER.index(r[1])))


def named_fields(stmt: S.SelectStatement, schema_of: SchemaOf) -> list[tuple[A.Field, str]] | None:
    """A subquery's expanded fields, each with its column's name (field.rs field_name, made
    unique as fields_resolve_aliases_and_types does); None: a source not resolved here."""
    fields = expand(stmt, schema_of)
    if fields is None:
        return None
    named = [(f, f.alias or field_name(f.expr)) for f in fields]
    return unique_names(named) or named


class Catalog:
    """A SchemaOf that keeps the columns of the subqueries expanded over it, for one statement:
    a subquery's are read by its outer SELECT's expansion and by its type evaluation, at each
    depth (without it nested subqueries cost twice per level)."""

    def __init__(self, schema_of: SchemaOf):
        self._schema_of = schema_of
        self.columns: dict[int, tuple[S.SelectStatement, list[Column] | None]] = {}

    def __call__(self, m: A.Measurement) -> Schema | None:
        return self._schema_of(m)


def columns(stmt: S.SelectStatement, schema_of: SchemaOf) -> list[Column] | None:
    """A subquery's columns before the rewriter adds ``time`` (None: a source not resolved here)."""
    kept = schema_of.columns.get(id(stmt)) if isinstance(schema_of, Catalog) else None
    if kept is not None:
        return kept[1]
    named = named_fields(stmt, schema_of)
    column_type = _column_type(stmt, schema_of) if named is not None else None
    out = None
    if column_type is not None:
        out = []
        for f, name in named:
            try:
                t = eval_type(f.expr, column_type)
            except Incompatible:
                t = None  # (the rewriter's own error answers the statement: operands3.py)
            out.append(Column(name, t, f.expr))
    if isinstance(schema_of, Catalog):
        schema_of.columns[id(stmt)] = (stmt, out)  # (the statement kept: its id stays its own)
    return out


def spelled(stmt: S.SelectStatement, schema_of: SchemaOf) -> S.SelectStatement:
    """``stmt`` with its SELECT list as v3 expands it, a column renamed by
    fields_resolve_aliases_and_types aliased so: what the engine runs once from_drop_empty took
    out a source the expansion read (``SELECT /col0/ FROM m0, m1``, col0 a tag of m0: ``col0``
    and ``col0::tag AS col0_1`` over m1)."""
    named = named_fields(stmt, schema_of)
    if named is None:
        return stmt
    fields = tuple(f if name == (f.alias or field_name(f.expr)) else A.Field(f.expr, name) for f, name in named)
    return dataclasses.replace(stmt, fields=fields)


def planner_named(stmt: S.SelectStatement, schema_of: SchemaOf) -> S.SelectStatement:
    """``stmt`` with its SELECT list expanded and aliased as v3's planner names its columns where
    that differs from its own (names3.planner_names): a field named as a GROUP BY tag that it does
    not select as a tag is ``<name>_1`` (``SELECT mean(a) AS foo ... GROUP BY foo``: ``NULL AS foo,
    avg(m.a) AS foo_1``). For EXPLAIN's drawings, which name a field by its alias."""
    cols = columns(stmt, schema_of)
    if cols is None:
        return stmt
    group_by = [d.expr.name for d in stmt.dimensions if isinstance(d.expr, A.VarRef)]
    names = names3.planner_names(names3.rewriter_names([c.name for c in cols]),
                                 [c.type in (None, "tag") for c in cols], group_by)
    if len(set(names)) != len(names):
        return stmt  # (two columns of one name: DataFusion's error, not drawn)
    fields = expand(stmt, schema_of)
    named = [f if n == (f.alias or field_name(f.expr)) else A.Field(f.expr, n) for f, n in zip(fields, names)]
    return stmt if all(g is f for f, g in zip(fields, named)) else dataclasses.replace(stmt, fields=tuple(named))


def group_tags(stmt: S.SelectStatement, schema_of: SchemaOf) -> set[str] | None:
    """The tags a subquery groups by, its ``GROUP BY *`` and ``/re/`` expanded over its FROM's tags."""
    names = {d.expr.name for d in stmt.dimensions if isinstance(d.expr, A.VarRef)}
    wild = [d.expr for d in stmt.dimensions if isinstance(d.expr, (A.Wildcard, A.RegexLiteral))]
    if not wild:
        return names
    found = _from_fields_and_tags(stmt, schema_of)
    if found is None:
        return None
    for w in wild:
        pattern = linear_regex.compile(w.val) if isinstance(w, A.RegexLiteral) else None
        names.update(t for t in found[1] if pattern is None or pattern.search(t))
    return names


def _from_fields_and_tags(stmt, schema_of: SchemaOf) -> tuple[dict[str, str], set[str]] | None:
    """from_field_and_dimensions: the FROM's fields (the narrowest type of a name) and tags."""
    fields: dict[str, str] = {}
    tags: set[str] = set()
    for m in stmt.sources:
        if isinstance(m, A.SubQuery):
            cols, grouped = columns(m.statement, schema_of), group_tags(m.statement, schema_of)
            if cols is None or grouped is None:
                return None
            pairs = [(c.name, c.type) for c in cols if c.type in ORDER and c.type != "field"]
            tags |= grouped
        else:
            schema = schema_of(m)
            if schema is None:
                return None
            pairs = schema[0].items()
            tags.update(schema[1])
        for name, t in pairs:
            fields[name] = narrowest((fields.get(name), _name(t)))
    return fields, tags


def _column_type(stmt, schema_of: SchemaOf):
    """TypeEvaluator::eval_var_ref over the FROM: the narrowest type of a name in its sources
    (a table's field or tag; a subquery's column, else a tag it groups by)."""
    found = []
    for m in stmt.sources:
        if isinstance(m, A.SubQuery):
            cols, grouped = columns(m.statement, schema_of), group_tags(m.statement, schema_of)
            if cols is None or grouped is None:
                return None
            found.append(({c.name: c.type for c in reversed(cols) if c.type is not None}, grouped))
        else:
            schema = schema_of(m)
            if schema is None:
                return None
            found.append(schema)

    def column_type(name: str) -> str | None:
        return "timestamp" if name == "time" else narrowest(
            _name(fs[name]) if name in fs else "tag" if name in tags else None for fs, tags in found)
    return column_type


def _name(t) -> str:
    """A type's InfluxQL name (a FieldType's value: a str enum hashes by its member name)."""
    return getattr(t, "value", t)


def _ref(name: str, t: str) -> A.VarRef:
    """The reference fields_expand_wildcards makes, as InfluxQL writes it: a tag's ``::tag``
    (a name both a tag and a field is two columns), a field's untyped (eval_var_ref gives it the
    narrowest of its types, as from_field_and_dimensions merged them)."""
    return A.VarRef(name, "tag" if t == "tag" else None)


def expand_field(f: A.Field, refs: list[tuple[str, str]]) -> list[A.Field]:
    """fields_expand_wildcards of one field over the FROM's (name, type) pairs (var_refs)."""
    e = f.expr
    if isinstance(e, A.Wildcard):
        keep = {None: lambda t: True, "tag": lambda t: t == "tag", "field": lambda t: t in _FIELD_TYPES}[e.type]
        return [A.Field(_ref(n, t)) for n, t in refs if keep(t)]
    if isinstance(e, A.RegexLiteral):
        pattern = linear_regex.compile(e.val)
        return [A.Field(_ref(n, t)) for n, t in refs if pattern.search(n)]
    if not isinstance(e, A.Call):
        return [f]
    stack = [e]
    while stack[-1].args and isinstance(stack[-1].args[0], A.Call):
        stack.append(stack[-1].args[0])
    first = stack[-1].args[0] if stack[-1].args else None
    if isinstance(first, A.Wildcard) and first.type == "tag":
        return []  # "unable to use tag as wildcard in ..." (topstar3.tag_wildcard_error answers it)
    if not isinstance(first, (A.Wildcard, A.RegexLiteral)):
        return [f]
    takes = _TAKES.get(stack[-1].name, _NUMERIC)
    pattern = linear_regex.compile(first.val) if isinstance(first, A.RegexLiteral) else None
    out = []
    for n, t in refs:
        if t in takes and (pattern is None or pattern.search(n)):
            inner: A.Expr = _ref(n, t)
            for call in reversed(stack):
                inner = A.Call(call.name, (inner, *call.args[1:]))
            out.append(A.Field(inner, f"{f.alias or e.name}_{identifier(n)}"))
    return out


def field_name(e) -> str:
    """field.rs field_name of an unaliased field (binary_expr_name: its fields' names as an
    Identifier prints them and its calls' names, a call's arguments not, joined by ``_``; a
    literal's: empty)."""
    e = A.unparen(e)
    if isinstance(e, (A.Call, A.VarRef)):
        return e.name
    if isinstance(e, A.Distinct):
        return "distinct"
    if not isinstance(e, A.BinaryExpr):
        return ""
    named = find(e, (A.VarRef, A.Call), prune=lambda n: isinstance(n, A.Call))
    return "_".join(n.name if isinstance(n, A.Call) else identifier(n.name) for n in named)
