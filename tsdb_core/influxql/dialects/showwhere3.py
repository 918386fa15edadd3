"""DataFusion's optimizer on v3's plans of SHOW MEASUREMENTS and SHOW TAG KEYS with a WHERE clause.

The planner's plan is showplan3.py's (planner.rs show_measurements_to_plan: for each table a
Projection of its name over ``Limit: skip=0, fetch=1`` over its filtered scan, the tables joined
table by table in nested Unions, under a Sort). DataFusion 50's rules, as it printed them for the
same builder calls over tables that take every filter (datafusion-python 50.1, pyarrow datasets;
once, by hand: it is no dependency): eliminate_nested_union flattens the Unions;
simplify_expressions folds a conjunct ``Boolean(false)`` (a table without the compared tag) into
the whole filter, eliminate_filter makes it an EmptyRelation, propagate_empty_relation drops that
table (one table left: no Union; none: the whole plan is an EmptyRelation); push_down_filter hands
the filter to the scan, optimize_projections reads no column; a second pass's push_down_limit gives
the scan the Limit's fetch. The physical plan depends on IOx's scan with a limit: not drawn
(but for no table left: an EmptyExec).
"""
from __future__ import annotations

import re

from ..ast import expr as A
from .rust_debug import string as rust_debug
from .scanplan3 import Chunk, Conjunct, table_scan
from .showplan3 import EMPTY, Plans, Table, dict_literal, indented, plan_block, time_filter

SORT = "Sort: iox::measurement ASC NULLS LAST, name ASC NULLS LAST"
FALSE = "Boolean(false)"


def measurements_plans(initial: str, branches: list[tuple[str, list[str]]], offset: int = 0, limit: int = 0) -> Plans:
    """The Plans of ``initial`` over ``branches``: each table's name and its filter's conjuncts
    as the planner prints them (``Boolean(false)`` among them: no row can match). ``offset`` /
    ``limit``: the ``Limit`` over the Sort (show_measurements_to_plan); DataFusion 50.1 printed,
    for the same builder calls, the first pass's push_down_limit giving the Sort the rows it
    must keep (``fetch=<offset + limit>``, before push_down_filter), and propagate_empty_relation
    dropping the Limit over an EmptyRelation."""
    if not branches:
        return Plans(initial)
    kept = [(name, conj) for name, conj in branches if FALSE not in conj]
    steps = []
    if len(branches) > 2:
        steps.append(("eliminate_nested_union", _plan(branches, _filtered)))
    if any(FALSE in conj and len(conj) > 1 for _, conj in branches):
        steps.append(("simplify_expressions", _plan(branches, lambda n, c: _filtered(n, [FALSE] if FALSE in c else c))))
    if len(kept) < len(branches):
        steps.append(("eliminate_filter", _plan(branches, lambda n, c: EMPTY if FALSE in c else _filtered(n, c))))
        steps.append(("propagate_empty_relation", _plan(kept, _filtered) if kept else EMPTY))
    if not kept:  # DataFusion's physical planner: an EmptyRelation is an EmptyExec
        return Plans(initial, tuple(_limited(steps, offset, limit, fetched=False)), "EmptyExec\n")
    unfetched = len(steps)
    if limit:  # the first pass's push_down_limit: the Sort keeps offset + limit rows
        steps.append(("push_down_limit", steps[-1][1] if steps else _plan(kept, _filtered)))
    steps += [
        ("push_down_filter", _plan(kept, lambda n, c: _scan(n, c, ""))),
        ("optimize_projections", _plan(kept, lambda n, c: _scan(n, c, " projection=[]"))),
        ("push_down_limit", _plan(kept, lambda n, c: _scan(n, c, " projection=[]", ", fetch=1"))),  # 2nd pass
    ]
    out = _limited(steps[:unfetched], offset, limit, fetched=False) + _limited(steps[unfetched:], offset, limit,
                                                                                fetched=True)
    return Plans(initial, tuple(out))


def _limited(steps, offset: int, limit: int, *, fetched: bool) -> list[tuple[str, str]]:
    """Each step's plan under the statement's Limit (none without LIMIT or OFFSET), the Sort with
    push_down_limit's ``fetch`` once ``fetched``; an EmptyRelation stays alone."""
    if not (offset or limit):
        return list(steps)
    head = f"Limit: skip={offset}, fetch={limit or 'None'}"
    out = []
    for rule, text in steps:
        if fetched and limit:
            text = text.replace(SORT, f"{SORT}, fetch={offset + limit}", 1)
        out.append((rule, text if text == EMPTY else plan_block(head, text)))
    return out


def _plan(branches, inner) -> str:
    texts = [plan_block(f"Projection: {dict_literal('measurements')} AS iox::measurement, {dict_literal(name)} AS name",
                    plan_block("Limit: skip=0, fetch=1", inner(name, conj))) for name, conj in branches]
    return plan_block(SORT, texts[0] if len(texts) == 1 else "Union\n" + "\n".join(indented(t) for t in texts))


def _filtered(name: str, conj: list[str]) -> str:
    return plan_block(f"Filter: {' AND '.join(conj)}", f"TableScan: {name}")


def _scan(name: str, conj: list[str], projection: str, fetch: str = "") -> str:
    return f"TableScan: {name}{projection}, full_filters=[{', '.join(conj)}]{fetch}"


def conjuncts(table, lower: int | None, upper: int | None, cond) -> list[str]:
    """The conjuncts of showplan3.py's filter of ``table`` (its ``_scan``): the time range's,
    then a drawn ``tag = 'value'`` (``Boolean(false)`` for a table without that tag)."""
    out = time_filter(table.name, lower, upper).removeprefix("Filter: ").split(" AND ")
    cond = A.unparen(cond)
    if cond is not None:
        out.append(f"{cond.lhs.name} = {dict_literal(cond.rhs.val)}" if cond.lhs.name in table.tags else FALSE)
    return out


TAG_KEYS_SORT = "Sort: iox::measurement ASC NULLS LAST, tagKey ASC NULLS LAST"
DECIMAL = "Decimal128(20, 0)"


def tag_keys_plans(initial: str, branches: list[tuple[Table, list[str], tuple[Chunk, ...] | None]],
                   lower: int | None, upper: int | None, cond: list[tuple[str, str]],
                   limit: str | None = None) -> Plans | None:
    """SHOW TAG KEYS with a WHERE clause over ``branches`` (each table, its filter's conjuncts,
    its chunks in the range) when every table has a tag (None otherwise). DataFusion 50.1
    printed, for the same builder calls: the analyzer's type_coercion compares each tag's count
    (UInt64) with ``Int32(0)`` as Decimal128(20, 0), simplify_expressions folds that to
    ``UInt64(0)`` (and a filter with ``Boolean(false)``, a table without the compared tag, to
    that alone); eliminate_filter makes such a filter an EmptyRelation, which the Aggregate
    keeps (an aggregate without groups has a row); eliminate_nested_union, push_down_filter and
    optimize_projections as for SHOW MEASUREMENTS (the scan reads the tags; over an
    EmptyRelation a Projection of the tags, which the second pass's propagate_empty_relation
    removes); in the physical plan each table's AggregateExec (mode=Single) under the Unnest,
    sorted on tagKey, merged across tables (not drawn with an EmptyRelation). ``limit``: the
    SeriesLimit line of a LIMIT or OFFSET over the Sort, where optimize_projections stops (no
    necessary_children_exprs): the scans keep their columns, no physical plan drawn."""
    if not branches or any(not t.tags for t, _, _ in branches):
        return None

    def plan(stage) -> str:
        texts = [_tag_keys_branch(t, conj, stage) for t, conj, _ in branches]
        out = plan_block(TAG_KEYS_SORT, texts[0] if len(texts) == 1 else "Union\n" + "\n".join(indented(x) for x in texts))
        return out if limit is None else plan_block(limit, out)

    empty = any(FALSE in conj for _, conj, _ in branches)
    steps = ([("eliminate_nested_union", plan("coerced"))] if len(branches) > 2 else []) + [
        ("simplify_expressions", plan("simplified")), *([("eliminate_filter", plan("eliminated"))] if empty else []),
        ("push_down_filter", plan("pushed"))]
    if limit is None:
        steps += [("optimize_projections", plan("narrowed")),
                  *([("propagate_empty_relation", plan("propagated"))] if empty else [])]
    physical = None
    if all(chunks is not None for *_, chunks in branches) and not empty and limit is None:  # (sum: not from statistics)
        parts = [_tag_keys_exec(t, lower, upper, cond, chunks) for t, _, chunks in branches]
        if None not in parts:
            physical = _merged(parts, "SortPreservingMergeExec: [iox::measurement@0 ASC NULLS LAST, tagKey@1 ASC NULLS "
                                      "LAST]")
    coerced = re.sub(r"CASE WHEN (.*?) > Int32\(0\) THEN",
                     lambda m: f"CASE WHEN CAST({m[1]} AS {DECIMAL}) > CAST(Int32(0) AS {DECIMAL}) THEN", initial)
    return Plans(initial, tuple(steps), physical, analyzer_steps=(("type_coercion", coerced),))


def _tag_keys_branch(t: Table, conj: list[str], stage: str) -> str:
    """One table's branch at a stage: ``coerced`` (the analyzer's), ``simplified``,
    ``eliminated`` (a false filter an EmptyRelation), ``pushed`` (the filter in the scan),
    ``narrowed`` (the scan reads the tags), ``propagated`` (the second pass)."""
    if stage == "coerced":
        tests = [f"CAST({tag} AS {DECIMAL}) > CAST(Int32(0) AS {DECIMAL})" for tag in t.tags]
    else:
        tests = [f"{tag} > UInt64(0)" for tag in t.tags]
    cases = ", ".join(f"CASE WHEN {test} THEN Utf8({rust_debug(tag)}) END" for test, tag in zip(tests, t.tags))
    sums = ", ".join(f"sum(CAST({t.name}.{tag} IS NOT NULL AS UInt64)) AS {tag}" for tag in t.tags)
    out = plan_block(f"Aggregate: groupBy=[[]], aggr=[[{sums}]]", _tag_keys_input(t, conj, stage))
    out = plan_block(f"Projection: make_array({cases}) AS tagKey", out)
    out = plan_block("Filter: tagKey IS NOT NULL", plan_block("Unnest: lists[tagKey|depth=1] structs[]", out))
    return plan_block(f"Projection: {dict_literal(t.name)} AS iox::measurement, tagKey", out)


def _tag_keys_input(t: Table, conj: list[str], stage: str) -> str:
    """What one table's Aggregate reads at ``stage`` (see _tag_keys_branch)."""
    if FALSE in conj and stage != "coerced":
        if stage == "simplified":
            return _filtered(t.name, [FALSE])
        if stage == "narrowed":
            return plan_block(f"Projection: {', '.join(f'{t.name}.{tag}' for tag in t.tags)}", EMPTY)
        return EMPTY
    if stage in ("coerced", "simplified", "eliminated"):
        return _filtered(t.name, conj)
    projection = f" projection=[{', '.join(t.tags)}]" if stage in ("narrowed", "propagated") else ""
    return f"TableScan: {t.name}{projection}, full_filters=[{', '.join(conj)}]"


def _tag_keys_exec(t: Table, lower, upper, cond, chunks) -> list[str] | None:
    tests = _tests(lower, upper, cond)
    found = table_scan(tuple(sorted({*t.tags, *t.fields, "time"})), t.tags, t.tags, tests, chunks)
    if found.partitions > 1:
        return None
    cases = ", ".join(f"CASE WHEN {tag}@{i} > 0 THEN {tag} END" for i, tag in enumerate(t.tags))
    return ["SortExec: expr=[tagKey@1 ASC NULLS LAST], preserve_partitioning=[false]",
            f"  ProjectionExec: expr=[{t.name} as iox::measurement, tagKey@0 as tagKey]",
            "    CoalesceBatchesExec: target_batch_size=8192", "      FilterExec: tagKey@0 IS NOT NULL",
            "        UnnestExec", f"          ProjectionExec: expr=[make_array({cases}) as tagKey]",
            f"            AggregateExec: mode=Single, gby=[], aggr=[{', '.join(t.tags)}]",
            *("              " + line for line in found.lines)]


def _tests(lower, upper, cond) -> tuple[Conjunct, ...]:
    if lower is not None and lower == upper:
        time = [Conjunct("=", ("time",), lower)]
    else:
        time = [*([Conjunct(">=", ("time",), lower)] if lower is not None else []),
                *([Conjunct("<=", ("time",), upper)] if upper is not None else [])]
    return (*time, *(Conjunct("=", (c,), v) for c, v in cond))


def _merged(parts: list[list[str]], merge: str) -> str:
    if len(parts) == 1:
        return "\n".join(parts[0]) + "\n"
    return "\n".join([merge, "  UnionExec", *("    " + line for p in parts for line in p)]) + "\n"
