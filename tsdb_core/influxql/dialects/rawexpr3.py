"""InfluxDB 3's plans of a raw SELECT of expressions: casts, arithmetic, math calls, missing columns.

The shape drawn: ``SELECT <exprs> FROM <one measurement> [WHERE <time range> [AND tag = 'v' ...]]
[GROUP BY <tags or missing columns>]``, ascending, no LIMIT, OFFSET, fill, SLIMIT or tz(), where an
expr is a field with or without ``::type``, a column not in the table, a tag (alone), ``time``
(alone, maybe aliased), a math call over a number, or ``+ - *`` between numbers (a NULL operand
making the operation NULL), or ``*`` / ``/regex/`` (without GROUP BY); any expr may be
aliased. The planner's plan is iox_query_influxql
planner.rs (varref_to_df_expr: a cast to the field's own type is the column, between numeric
types a CAST, else NULL; a column not in the table NULL; scalar_math_func_to_df_expr: ``log(x, b)``
is DataFusion's ``log(Float64(b), x)``, ``atan2``'s literals Float64, ``pow`` the ``power`` UDF)
and planner_rewrite_expression.rs rewrite_binary_expr (NULL with a number is NULL); the filter
tests the fields read, the Sort is on the GROUP BY tags, time and the tags selected (planner tests
select_cast_postfix_operator, select_raw__simple_arithmetic_in_projection,
mathematical_scalar_functions, scalar_functions, mixture_of_existing_and_missing_fields,
time_column, single_measurement, select_single_measurement_group_by). No field of the table read:
an EmptyRelation (whose physical plan is DataFusion's EmptyExec). DataFusion's analyzer
type_coercion casts an integer beside a float, or a math call's integer argument, to Float64 and
simplify_expressions folds a cast literal (DataFusion 50.1 printed these, once, by hand); then
selectplan3.py's rules (push_down_filter hands the filter to the scan, optimize_projections narrows
the scan to the columns the projection reads: a field read only by the filter is not scanned).
The physical plan stays this store's.
"""
from __future__ import annotations

import re
from dataclasses import dataclass

from ..ast import expr as A
from . import cse3
from .rawterms3 import STAGES, Out, expression, qualified, same
from .rawwhere3 import FALSE, TRUE, condition
from .showplan3 import EMPTY, Plans, Table, dict_literal, plan_block, scan_filters, time_filter



def expr_select(stmt, table: Table | None, types: dict[str, str], lower, upper, tags, rest=None) -> Plans | None:
    """v3's plans of ``stmt`` when it has the shape drawn (see the module), else None.
    ``types``: the fields' InfluxQL types; ``tags``: the WHERE's ``tag = 'v'`` tests (None: other
    conditions, ``rest``, drawn by rawwhere3.py)."""
    group = _group(stmt, table) if table is not None else None
    cond = None
    if tags is None and rest is not None and table is not None:
        cond, tags = condition(rest, table, types), []
        if cond is None:
            return None
    src = stmt.sources[0] if len(stmt.sources) == 1 else None
    if not isinstance(src, A.Measurement) or src.name != getattr(table, "name", None) or src.database is not None \
            or src.retention_policy is not None:
        return None
    if table is None or tags is None or group is None or not plain(stmt, lower, upper, descending=True):
        return None
    cols = columns(stmt, table, types)
    if cols is None or (cols.descending and (cols.group or any(o.kind == "Dictionary" for o in cols.outs))):
        return None  # (ORDER BY time DESC over tags: their order not followed)
    if not cols.reads:
        return Plans(EMPTY, physical="EmptyExec\n")
    return branch_plans(table, cols, (lower, upper, tags, cond))


def plain(stmt, lower, upper, descending: bool = False) -> bool:
    """Whether ``stmt`` has none of what is not drawn: INTO, fill, SLIMIT, SOFFSET, LIMIT, OFFSET,
    tz(), ORDER BY time DESC (unless ``descending``), a time range with its lower end above its upper one."""
    return not (stmt.into is not None or stmt.fill is not None or stmt.slimit or stmt.soffset or stmt.limit
                or stmt.offset or stmt.location is not None or not (stmt.time_ascending or descending)
                or (lower is not None and upper is not None and lower > upper))


@dataclass(frozen=True, slots=True)
class Columns:
    """A raw SELECT's columns over one table: ``time``'s name, the GROUP BY names (sorted), the
    projected expressions (Out) in the order of the SELECT list."""

    time_name: str
    group: tuple[str, ...]
    outs: tuple[Out, ...]
    descending: bool = False  # ORDER BY time DESC

    @property
    def reads(self) -> list[str]:
        """The table's fields the expressions read (the filter tests them), by name."""
        return sorted({r for o in self.outs for r in o.reads})

    def kinds(self, table: Table) -> dict[str, str]:
        """Each projected column's Arrow type (``Dictionary`` a tag, ``Null`` a NULL), the GROUP
        BY columns not selected too: what union_and_coerce coerces across tables."""
        named = {o.name for o in self.outs}
        grouped = {g: "Dictionary" if g in table.tags else "Null" for g in self.group if g not in named}
        return {**grouped, **{o.name: o.kind for o in self.outs}}


def columns(stmt, table: Table, types: dict[str, str]) -> Columns | None:
    """The columns of ``stmt`` over ``table`` as the planner projects them, or None when an
    expression is not drawn (or only tags are selected, or two columns share a name)."""
    group, time_name, outs, fields = _group(stmt, table), "time", [], _expanded(stmt, table)
    if fields is None or group is None:
        return None
    for f in fields:
        e = A.unparen(f.expr)
        if isinstance(e, A.VarRef) and e.name == "time" and e.type is None:
            time_name = f.alias or "time"
            continue
        if isinstance(e, A.VarRef) and e.name in table.tags and e.type in (None, "tag"):
            out = Out(e.name, same(qualified(table, e.name)), frozenset(), "Dictionary", scans=frozenset({e.name}))
        else:
            out = expression(e, table, types)
        if out is None:
            return None
        outs.append(Out(f.alias or out.name, out.texts, out.reads, out.kind, scans=out.scans,
                        text_is_division=out.text_is_division))
    names = [time_name, *(g for g in group if g not in {o.name for o in outs}), *(o.name for o in outs)]
    if all(o.kind == "Dictionary" for o in outs) or len(set(names)) != len(names):  # (tags alone: not drawn)
        return None
    return Columns(time_name, tuple(group), tuple(outs), not stmt.time_ascending)


def _expanded(stmt, table: Table) -> list | None:
    """The fields with ``*`` and ``/regex/`` expanded as v3's rewriter does (rewriter.rs
    expand_select_fields: the table's fields and tags by name, those a regex matches; planner
    tests select_raw__single_measurement-6, -7, field_matching_rules-5); None with a GROUP BY
    (which a wildcard leaves out) or an alias on a wildcard."""
    out = []
    for f in stmt.fields:
        e = A.unparen(f.expr)
        if not isinstance(e, (A.Wildcard, A.RegexLiteral)):
            out.append(f)
            continue
        if stmt.dimensions or f.alias is not None:
            return None
        kinds = {None: ("field", "tag"), "field": ("field",), "tag": ("tag",)}.get(getattr(e, "type", None), ())
        names = [*(c for c in table.fields if "field" in kinds), *(c for c in table.tags if "tag" in kinds)]
        try:
            matched = sorted(n for n in names if isinstance(e, A.Wildcard) or re.search(e.val, n))
        except re.error:  # (a pattern Python's re does not read as Rust's regex: not drawn)
            return None
        out += [A.Field(A.VarRef(n, "tag" if n in table.tags else None)) for n in matched]
    return out


def _group(stmt, table: Table) -> list[str] | None:
    """The GROUP BY names, sorted and deduplicated (planner.rs select_query_to_plan), when each
    is a tag or a column not in the table (projected as NULL, no Sort key: planner test
    select_single_measurement_group_by-6); None otherwise."""
    names = set()
    for d in stmt.dimensions:
        if not isinstance(d.expr, A.VarRef) or d.expr.type not in (None, "tag") or d.expr.name in table.fields \
                or d.expr.name == "time":
            return None
        names.add(d.expr.name)
    return sorted(names)


def branch_plans(table: Table, cols: Columns, where, casts: dict[str, str] | None = None,
                 sort: str | None = None) -> Plans:
    """The planner's plan, DataFusion's type_coercion and simplify_expressions where they change
    it (a Float64 argument or operand cast, a cast literal folded), its push_down_filter and
    optimize_projections steps; a condition folded to false, eliminate_filter's EmptyRelation, which
    propagate_empty_relation makes the whole plan (``where``: lower, upper, tag tests, rawwhere3's text).
    In a union (unioncast3.py): ``casts``, each column's type across the tables (a column of another
    type CAST to it), and ``sort``, the union's Sort."""
    m, (lower, upper, tags, cond), outs, group, time_name = table.name, where, cols.outs, cols.group, cols.time_name
    fields, named, kinds, casts = cols.reads, {o.name for o in outs}, cols.kinds(table), casts or {}
    grouped = [(f"{m}.{g}" if g in table.tags else "NULL", g) for g in group if g not in named]
    texts = {**{g: (text,) * STAGES for text, g in grouped}, **{o.name: o.texts for o in outs}}
    texts = {n: cast(t, kinds[n], casts.get(n, kinds[n])) for n, t in texts.items()}

    def projection(stage: int) -> str:
        exprs = [f"{m}.time AS {time_name}", *(f"{texts[n][stage]} AS {n}" for n in [*(g for _, g in grouped),
                                                                                  *(o.name for o in outs)])]
        return f"Projection: {dict_literal(m)} AS iox::measurement, " + ", ".join(exprs)
    selected = [o.name for o in outs if o.kind == "Dictionary" and o.name not in group]
    keys = [*(f"{g} ASC" for g in group if g in table.tags), f"{time_name} {'DESC' if cols.descending else 'ASC'}"]
    sort = sort or "Sort: " + ", ".join([*(f"{k} NULLS LAST" for k in keys),
                                         *(f"{t} ASC NULLS LAST" for t in selected)])
    if cond is None:
        base, pushed = scan_filters(m, fields, tags, lower, upper)
    else:
        base, pushed = _where(m, fields, lower, upper, cond)
    scanned = ", ".join(sorted({"time", *(g for g in group if g in table.tags), *(c for o in outs for c in o.scans)}))
    initial, coerced, simplified = (plan_block(sort, plan_block(projection(i), base)) for i in range(STAGES))
    if cond in (TRUE, FALSE):  # simplify_expressions: ``x AND true`` is x, ``x AND false`` false
        folded = re.sub(r"Filter: .* AND Boolean\(false\)", "Filter: Boolean(false)", base.replace(f" AND {TRUE}", ""))
        simplified = plan_block(sort, plan_block(projection(2), folded))
    steps = (("simplify_expressions", simplified),) if simplified != coerced else ()
    analyzed = (("type_coercion", coerced),) if coerced != initial else ()
    if cond == FALSE:
        eliminated = re.sub(r"Filter: Boolean\(false\)(\n.*)*", EMPTY, simplified)
        return Plans(initial, steps + (("eliminate_filter", eliminated), ("propagate_empty_relation", EMPTY)),
                     "EmptyExec\n", analyzer_steps=analyzed)
    narrowed = f"TableScan: {m} projection=[{scanned}], {pushed}"
    pushed_plan = plan_block(sort, plan_block(projection(2), f"TableScan: {m}, {pushed}"))
    narrowed_plan = plan_block(sort, plan_block(projection(2), narrowed))
    commons = _commons(projection(2)) if any(o.text_is_division for o in outs) else []
    if commons:  # cse3.py: DataFusion's common_sub_expression_eliminate, then optimize_projections narrowing it
        read = [f"{m}.{c}" for c in sorted({*table.tags, *table.fields, "time"})]
        return Plans(initial, steps + (("push_down_filter", pushed_plan), (
            "common_sub_expression_eliminate", cse3.eliminated(pushed_plan, commons, read, False)),
            ("optimize_projections", cse3.eliminated(narrowed_plan, commons, read, True))), analyzer_steps=analyzed)
    steps += (("push_down_filter", pushed_plan), ("optimize_projections", narrowed_plan))
    return Plans(initial, steps, analyzer_steps=analyzed)


def _commons(projection: str) -> list[str]:
    """The casts a division's CASE reads more than once (its integer operands widened), which
    DataFusion 50.1 extracted as ``__common_expr_N`` in the order it met them (printed for
    ``i64_field / i64_field``, once, by hand)."""
    casts = set(re.findall(r"CAST\([\w.]+ AS Float64\)", projection))
    return cse3.ordered([c for c in casts if projection.count(c) > 1], [projection])


def cast(texts: tuple[str, str, str], kind: str, target: str) -> tuple[str, str, str]:
    """A column's texts CAST to ``target`` by union_and_coerce (coerce_plan_expr_for_schema), a
    NULL's cast folded by simplify_expressions into a typed null (DataFusion 50.1 printed both)."""
    if kind == target:
        return texts
    if kind == "Null":
        return f"CAST(NULL AS {target})", f"CAST(NULL AS {target})", f"{target}(NULL)"
    return tuple(f"CAST({t} AS {target})" for t in texts)


def _where(m: str, fields, lower, upper, cond: str) -> tuple[str, str]:
    """scan_filters with rawwhere3's condition in place of tag tests: beside the time range (its
    Filter above the fields' one) or, without one, beside the fields' test; push_down_filter's
    ``full_filters`` (``Boolean(true)`` gone: simplify_expressions ran before)."""
    not_null = " OR ".join(f"{m}.{f} IS NOT NULL" for f in fields)
    kept = [] if cond == TRUE else [cond]
    anded = f"({cond})" if " OR " in cond else cond  # BinaryExpr's Display: an OR under an AND
    if lower is None and upper is None:
        joined = f"({not_null})" if " OR " in not_null else not_null
        return (plan_block(f"Filter: {joined} AND {anded}", f"TableScan: {m}"),
                f"full_filters=[{', '.join([not_null, *kept])}]")
    time = time_filter(m, lower, upper).removeprefix("Filter: ")
    plan = plan_block(f"Filter: {time} AND {anded}", plan_block(f"Filter: {not_null}", f"TableScan: {m}"))
    return plan, f"full_filters=[{', '.join([*time.split(' AND '), *kept, not_null])}]"
