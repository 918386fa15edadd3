"""``top(*, n)`` and ``bottom(/re/, n)`` as InfluxDB 3 answers them: expanded, then checked.

v3's rewriter expands a wildcard or regex first argument before it validates the fields
(iox_query_influxql rewriter.rs: RewriteSelect::rewrite calls expand_projection before
select_statement_info). fields_expand_wildcards makes one call per numeric field (Float,
Integer, Unsigned), aliased ``{name}_{field}`` (``top_v``), the other arguments kept; so one
numeric field answers a ``top_v`` column and several fail check_aggregate_function's "selector
function top() cannot be combined with other functions". 1.x refuses the wildcard.
"""
from __future__ import annotations

import dataclasses

from ..ast import expr as A
from ..ast import select as S
from .wildcards3 import expand_field, var_refs

V3_ORDER = ("float", "integer", "unsigned", "string", "boolean")  # VarRefDataType's declaration order
SELECTORS = ("top", "bottom")


def has_wildcard(stmt: S.SelectStatement) -> bool:
    """Whether a field of ``stmt`` is top() or bottom() of a field wildcard or regex."""
    return any(_wild(f.expr) for f in stmt.fields)


def _wild(e) -> bool:
    return isinstance(e, A.Call) and e.name.lower() in SELECTORS and bool(e.args) and wild_arg(e.args[0])


def wild_arg(e) -> bool:
    """A first argument v3 expands to fields (a ``*::tag`` fails its expansion instead)."""
    return isinstance(e, A.RegexLiteral) or isinstance(e, A.Wildcard) and e.type != "tag"


def merged_types(schemas) -> dict[str, str]:
    """The fields of several measurements (``schemas``: dicts of field name -> InfluxQL type), a
    name held with several types taking the first in VarRefDataType's order (rewriter.rs
    from_field_and_dimensions: ``if ft < existing_type { fs.insert(..) }``)."""
    types: dict[str, str] = {}
    for fields in schemas:
        for name, t in fields.items():
            old = types.get(name)
            if old is None or (t in V3_ORDER and old in V3_ORDER and V3_ORDER.index(t) < V3_ORDER.index(old)):
                types[name] = t
    return types


def expand(stmt: S.SelectStatement, types: dict[str, str]) -> S.SelectStatement:
    """``stmt`` with each top/bottom wildcard call made one call per matching numeric field
    (``types``: field name -> InfluxQL type, over the statement's measurements)."""
    refs = var_refs(types, ())
    fields = tuple(g for f in stmt.fields for g in (expand_field(f, refs) if _wild(f.expr) else (f,)))
    return dataclasses.replace(stmt, fields=fields)


def tag_wildcard_error(stmt: S.SelectStatement) -> str | None:
    """fields_expand_wildcards' refusal of ``*::tag`` as a call's innermost first argument
    (``count(*::tag)``): "unable to use tag as wildcard in {name}()" (the innermost name)."""
    for f in stmt.fields:
        e, name = f.expr, None
        while isinstance(e, A.Call) and e.args:
            e, name = e.args[0], e.name
        if name is not None and isinstance(e, A.Wildcard) and e.type == "tag":
            return f"unable to use tag as wildcard in {name}()"
    return None
