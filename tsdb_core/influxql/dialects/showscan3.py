"""v3's optimized and physical plans of a SHOW TAG VALUES: each (table, key) a branch of a Union.

The planner's plan is showplan3.py's (planner.rs show_tag_values_to_plan: a Distinct over the
key's column of the filtered table). DataFusion 50 turns the Distinct into an Aggregate
(replace_distinct_aggregate), hands the filter to IOx's table (push_down_filter: it takes
every conjunct) and narrows the scan to the key (optimize_projections); its physical plan
groups in one partition (CombinePartialFinalAggregate: ``mode=Single``), over input sorted on
the key when the key is the table's first tag (``ordering_mode=Sorted``), and sorts only on
``value`` (EnforceSorting: the measurement and the key are constants). Each step was printed by
DataFusion 50.1 for the same builder calls (once, by hand). Several keys or tables: the
planner's flat Union of one such branch each, every rule changing each branch alike, the
branches' sorted plans merged. The scan is scanplan3.py's.
"""
from __future__ import annotations

import re

from .scanplan3 import Chunk, Conjunct, table_scan
from .showplan3 import EMPTY, Plans, Table, dict_literal, indented, plan_block

SORT = "Sort: iox::measurement ASC NULLS LAST, key ASC NULLS LAST, value ASC NULLS LAST"


def tag_values_plans(initial: str, branches: list[tuple[Table, str, list[tuple[str, str]] | None, tuple[Chunk, ...] | None]],
                     lower: int | None, upper: int | None, limit: str | None = None) -> Plans:
    """The Plans of ``initial`` (the planner's plan) over ``branches``: each (table, key, its tag
    comparisons or None for a table without the compared tag, its chunks in the range), in the
    planner's order; the time range ``lower``..``upper`` (lower always set: the metadata
    cutoff). Each rule changes every branch alike (a flat Union under the Sort); a branch of a
    table without the compared tag is folded away (_emptied). ``limit``: the SeriesLimit line of
    a LIMIT or OFFSET over the Sort, where optimize_projections stops (no
    necessary_children_exprs): the scans keep their columns, and the physical plan is not
    drawn. The physical plan only when every kept branch's chunks are known (none: the scan an
    EmptyExec) and each is read as one partition."""
    kept = [b for b in branches if b[2] is not None]

    def plan(branch_text) -> str:
        texts = [branch_text(*b) for b in kept]
        out = plan_block(SORT, texts[0] if len(texts) == 1 else "Union\n" + "\n".join(indented(t) for t in texts))
        return out if limit is None else plan_block(limit, out)

    def scan(t: Table, key: str, cond, extra: str = "") -> str:
        return f"TableScan: {t.name}{extra}, full_filters=[{', '.join(_filters(t.name, lower, upper, cond))}]"

    def head(t: Table, key: str) -> str:
        return f"Projection: {dict_literal(t.name)} AS iox::measurement, {dict_literal(key)} AS key, {t.name}.{key} AS value"

    def group(t: Table, key: str) -> str:
        return f"Aggregate: groupBy=[[{t.name}.{key}]], aggr=[[]]"

    def filtered(t: Table, key: str, cond, _) -> str:
        inner = plan_block(f"Filter: {' AND '.join(_filters(t.name, lower, upper, cond))}", f"TableScan: {t.name}")
        return plan_block(head(t, key), plan_block(group(t, key), plan_block(f"Projection: {t.name}.{key}", inner)))

    groups = [group(t, k) for t, k, *_ in branches]
    if len(kept) < len(branches):
        steps = _emptied(initial, groups, EMPTY if not kept else plan(filtered))
        if not kept:
            return Plans(initial, steps, "EmptyExec\n")
    else:
        steps = (("replace_distinct_aggregate", _replace_distinct(initial, groups)),)
    steps += (
        ("push_down_filter", plan(lambda t, k, cond, _: plan_block(head(t, k), plan_block(group(t, k), plan_block(
            f"Projection: {t.name}.{k}", scan(t, k, cond)))))),
        ("optimize_projections", plan(lambda t, k, cond, _: plan_block(head(t, k), plan_block(group(t, k), scan(
            t, k, cond, f" projection=[{k}]"))))),
    )
    if limit is not None:
        return Plans(initial, steps[:-1])
    physical = None
    if all(chunks is not None for *_, chunks in kept):  # none: an EmptyExec (scanplan3.table_scan)
        physical = _physical(kept, lower, upper)
    return Plans(initial, steps, physical)


def _emptied(initial: str, groups: list[str], propagated: str) -> tuple[tuple[str, str], ...]:
    """The first pass over a plan with false branches (DataFusion 50.1 printed the same builder
    calls once, by hand): simplify_expressions folds ``.. AND Boolean(false)`` to
    ``Boolean(false)``, replace_distinct_aggregate makes each Distinct an Aggregate,
    eliminate_filter each false filter an EmptyRelation, propagate_empty_relation drops those
    branches (``propagated``: the plan of the others, a lone one without its Union)."""
    simplified = re.sub(r"Filter: [^\n]* AND Boolean\(false\)", "Filter: Boolean(false)", initial)
    replaced = _replace_distinct(simplified, groups)
    eliminated = re.sub(r"Filter: Boolean\(false\)\n *TableScan: [^\n]*", EMPTY, replaced)
    return (("simplify_expressions", simplified), ("replace_distinct_aggregate", replaced),
            ("eliminate_filter", eliminated), ("propagate_empty_relation", propagated))


def _replace_distinct(initial: str, groups: list[str]) -> str:
    """replace_distinct_aggregate: each branch's Distinct, in order, as its Aggregate."""
    out = initial
    for g in groups:
        out = out.replace("Distinct:", g, 1)
    return out


def _filters(table: str, lower: int | None, upper: int | None, cond) -> list[str]:
    time = [f"{table}.time >= TimestampNanosecond({lower}, None)"] if lower is not None else []
    time += [f"{table}.time <= TimestampNanosecond({upper}, None)"] if upper is not None else []
    if lower is not None and lower == upper:
        time = [f"{table}.time = TimestampNanosecond({lower}, None)"]
    return [*time, *(f'{t} = {dict_literal(v)}' for t, v in cond)]


def _physical(branches, lower, upper) -> str | None:
    """Each branch sorted on ``value`` alone (EnforceSorting: the measurement and the key are
    constants); several branches a UnionExec under a merge on the three columns (DataFusion
    50.1 printed both for the same builder calls over one-partition tables, once, by hand).
    None when a branch reads several partitions (how DataFusion 50 groups them is not drawn)."""
    parts = [_branch(t, key, lower, upper, cond, chunks) for t, key, cond, chunks in branches]
    if None in parts:
        return None
    if len(parts) == 1:
        return "\n".join(parts[0]) + "\n"
    merge = "SortPreservingMergeExec: [iox::measurement@0 ASC NULLS LAST, key@1 ASC NULLS LAST, value@2 ASC NULLS LAST]"
    return "\n".join([merge, "  UnionExec", *("    " + line for p in parts for line in p)]) + "\n"


def _branch(t: Table, key, lower, upper, cond, chunks) -> list[str] | None:
    tests = [Conjunct("=", ("time",), lower)] if lower is not None and lower == upper else \
        [*([Conjunct(">=", ("time",), lower)] if lower is not None else []),
         *([Conjunct("<=", ("time",), upper)] if upper is not None else [])]
    tests += [Conjunct("=", (c,), v) for c, v in cond]
    found = table_scan(tuple(sorted({*t.tags, *t.fields, "time"})), t.tags, (key,), tuple(tests), chunks)
    if found.partitions > 1:
        return None
    sorted_on_key = ", ordering_mode=Sorted" if found.ordered[:1] == (key,) else ""
    return ["SortExec: expr=[value@2 ASC NULLS LAST], preserve_partitioning=[false]",
            f"  ProjectionExec: expr=[{t.name} as iox::measurement, {key} as key, {key}@0 as value]",
            f"    AggregateExec: mode=Single, gby=[{key}@0 as {key}], aggr=[]{sorted_on_key}",
            *("      " + line for line in found.lines)]
