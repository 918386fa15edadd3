"""InfluxDB 3's plans of a raw SELECT over one subquery of one measurement.

``planner.rs`` subquery_to_plan plans the subquery as a lone table's SELECT (its projection,
then plan_with_sort on its own keys), without the measurement's column, the rewriter having
made an aggregate's fill(null) fill(none) in a subquery (rewriter.rs: "Following InfluxQL OG
behaviour"); select_query_to_plan then projects the outer fields over the subquery's columns,
unqualified (``time AS time, value AS value``), puts the measurement's name first
(project_with_measurement) and sorts on ``time``, which DataFusion's sort builder prints as the
projection's ``time AS time`` (planner tests select__subqueries__raw, __aggregates, __distinct,
__order_by, select__complex_subqueries-3). The shape drawn: no WHERE, GROUP BY, LIMIT, OFFSET,
fill or tz() outside, every column of the subquery read, none of them a tag. DataFusion 50.1
printed the same plan for the same builder calls (once, by hand; no dependency) and its rules
changed the subquery as they change the lone table's plan (push_down_filter, optimize_projections
narrowing the scan), the Sorts between keeping the projections apart; the outer expressions go
through type_coercion and simplify_expressions as rawexpr3.py's do. The physical plan stays this
store's.
"""
from __future__ import annotations

import dataclasses
import re

from ..ast import expr as A
from ..ast.visit import find
from .aggcalls3 import unique_names
from .explain3 import ANALYZERS, OPTIMIZERS
from .operands3 import eval_type
from .rawexpr3 import columns, plain
from .rawterms3 import UNARY
from .showplan3 import Plans, Table, dict_literal, plan_block
from .unionplan3 import rules_of, walk_steps

_MEASUREMENT = re.compile(r'^  Projection: Dictionary\(Int32, Utf8\("(?:[^"\\]|\\.)*"\)\) AS iox::measurement, (.*)$')
MATH = UNARY | {"log", "atan2", "pow"}


def inner_statement(inner):
    """The subquery as the rewriter leaves it to the planner: an aggregate's fill(null) (or none
    written) is fill(none), which changes its plan under GROUP BY time() alone (no GapFill;
    without it, planner test select__subqueries__aggregates is the lone table's plan)."""
    aggregate = any(c.name not in MATH for f in inner.fields for c in find(f.expr, A.Call))
    by_time = any(isinstance(d.expr, A.Call) for d in inner.dimensions)
    if aggregate and by_time and inner.fill in (None, "null"):
        return dataclasses.replace(inner, fill="none")
    return inner


def subquery_plans(stmt, inner, plans: Plans, table: Table, types: dict[str, str]) -> Plans | None:
    """v3's plans of ``stmt`` over its subquery ``inner`` of ``table`` (``types``: its fields'
    InfluxQL types), ``plans`` the subquery's as a lone SELECT (inner_statement's); None when
    the shape is not drawn."""
    if stmt.condition is not None or stmt.dimensions or not plain(stmt, None, None, descending=True) \
            or inner.dimensions and any(not isinstance(d.expr, A.Call) for d in inner.dimensions):
        return None
    named = _inner_columns(inner, table, types)
    if named is None:
        return None
    outer = Table("", (), frozenset(named))
    cols = columns(_expanded(stmt, named), outer, named)
    if cols is None or cols.group or cols.time_name != "time" or set(cols.reads) != set(named):
        return None
    inner_texts = [_without_measurement(t) for t in [plans.initial, *(t for _, t in plans.analyzer_steps),
                                                      *(t for _, t in plans.steps)]]
    if None in inner_texts:
        return None
    sort = f"Sort: time AS time {'ASC' if stmt.time_ascending else 'DESC'} NULLS LAST"

    def over(stage: int, text: str) -> str:
        exprs = ", ".join(f"{o.texts[stage]} AS {o.name}" for o in cols.outs)
        head = f"Projection: {dict_literal(table.name)} AS iox::measurement, time AS time, {exprs}"
        return plan_block(sort, plan_block(head, text))
    n = len(plans.analyzer_steps)
    inner_analyzed = tuple((r, inner_texts[1 + i]) for i, (r, _) in enumerate(plans.analyzer_steps))
    inner_steps = tuple((r, inner_texts[1 + n + i]) for i, (r, _) in enumerate(plans.steps))
    outer_analyzed = (("type_coercion", 1),) if any(o.texts[1] != o.texts[0] for o in cols.outs) else ()
    outer_steps = (("simplify_expressions", 2),) if any(o.texts[2] != o.texts[1] for o in cols.outs) else ()
    analyzed = _merged(inner_texts[0], inner_analyzed, outer_analyzed, 0, ANALYZERS, over)
    if analyzed is None:
        return None
    start_stage = outer_analyzed[-1][1] if outer_analyzed else 0
    start = inner_analyzed[-1][1] if inner_analyzed else inner_texts[0]
    steps = _merged(start, inner_steps, outer_steps, start_stage, OPTIMIZERS, over)
    return None if steps is None else Plans(over(0, inner_texts[0]), steps, analyzer_steps=analyzed)


def _merged(inner_start: str, inner_steps, outer_steps, outer_start: int, order, over):
    """The rules that change the subquery's plan or the outer projection, in the session's order,
    each with the whole plan after it; None when they do not merge (rules_of)."""
    rules = rules_of([inner_steps, outer_steps], order)
    if rules is None:
        return None
    inner = walk_steps(inner_start, inner_steps, rules)
    outer = walk_steps(outer_start, outer_steps, rules)
    return tuple((rule, over(stage, text)) for rule, stage, text in zip(rules, outer, inner))


def _inner_columns(inner, table: Table, types: dict[str, str]) -> dict[str, str] | None:
    """The subquery's columns but time, each with its InfluxQL type (the rewriter's); None for a
    wildcard, a tag, or a source other than the table."""
    if len(inner.sources) != 1 or not isinstance(inner.sources[0], A.Measurement) \
            or inner.sources[0].name != table.name or inner.sources[0].regex is not None:
        return None

    def column_type(name: str) -> str | None:
        return "timestamp" if name == "time" else types.get(name) or ("tag" if name in table.tags else None)
    fields = [f for f in inner.fields if not (isinstance(f.expr, A.VarRef) and f.expr.name == "time")]
    named = unique_names([(f, f.alias or _default_name(f.expr)) for f in fields])
    if named is None or any(n is None for _, n in named):
        return None
    out = {name: eval_type(f.expr, column_type) for f, name in named}
    if any(t not in ("float", "integer", "unsigned", "string", "boolean") for t in out.values()):
        return None
    return out


def _default_name(e) -> str | None:
    e = A.unparen(e)
    if isinstance(e, A.VarRef):
        return e.name
    if isinstance(e, A.Call):
        return e.name
    return None


def _expanded(stmt, named: dict[str, str]):
    """The outer ``*`` as the subquery's columns, by name."""
    out = []
    for f in stmt.fields:
        if isinstance(f.expr, A.Wildcard) and f.expr.type in (None, "field"):
            out += [A.Field(A.VarRef(n)) for n in sorted(named)]
        else:
            out.append(f)
    return dataclasses.replace(stmt, fields=tuple(out))


def _without_measurement(text: str) -> str | None:
    """A lone table's plan as a subquery's: its projection without the measurement's column, or
    without project_with_measurement's own projection (the columns by name) over a plan whose
    top is no projection (a Distinct, a SeriesLimit)."""
    lines = text.split("\n")
    m = _MEASUREMENT.match(lines[1]) if len(lines) > 2 else None
    if m is None:
        return None
    if all(re.fullmatch(r"[\w:]+", e) for e in m.group(1).split(", ")):
        return "\n".join([lines[0], *(line[2:] for line in lines[2:])])
    return "\n".join([lines[0], f"  Projection: {m.group(1)}", *lines[2:]])
