"""v3's optimized and physical plans of a SHOW TAG VALUES that reads one table for one key.

The planner's plan is showplan3.py's (planner.rs show_tag_values_to_plan: a Distinct over the
key's column of the filtered table). DataFusion 50 turns the Distinct into an Aggregate
(replace_distinct_aggregate), hands the filter to IOx's table (push_down_filter: it takes
every conjunct) and narrows the scan to the key (optimize_projections); its physical plan
groups in one partition (CombinePartialFinalAggregate: ``mode=Single``), over input sorted on
the key when the key is the table's first tag (``ordering_mode=Sorted``), and sorts only on
``value`` (EnforceSorting: the measurement and the key are constants). Each step was printed by
DataFusion 50.1 for the same builder calls (once, by hand). The scan is scanplan3.py's.
"""
from __future__ import annotations

from .scanplan3 import Chunk, Conjunct, table_scan
from .showplan3 import Plans, _block, _lit

SORT = "Sort: iox::measurement ASC NULLS LAST, key ASC NULLS LAST, value ASC NULLS LAST"


def tag_values_plans(initial: str, table: str, tags: tuple[str, ...], fields, key: str,
                     lower: int | None, upper: int | None, cond: list[tuple[str, str]],
                     chunks: tuple[Chunk, ...] | None) -> Plans:
    """The Plans of ``initial`` (the planner's plan) for ``key`` of ``table`` (its tags in name
    order), the time range ``lower``..``upper`` (lower always set: the metadata cutoff) and the
    tag comparisons ``cond``; the physical plan only when ``chunks`` are known and not none."""
    time = [f"{table}.time >= TimestampNanosecond({lower}, None)"] if lower is not None else []
    time += [f"{table}.time <= TimestampNanosecond({upper}, None)"] if upper is not None else []
    if lower is not None and lower == upper:
        time = [f"{table}.time = TimestampNanosecond({lower}, None)"]
    filters = f"full_filters=[{', '.join([*time, *(f'{t} = {_lit(v)}' for t, v in cond)])}]"
    head = f"Projection: {_lit(table)} AS iox::measurement, {_lit(key)} AS key, {table}.{key} AS value"
    group = f"Aggregate: groupBy=[[{table}.{key}]], aggr=[[]]"
    steps = (
        ("replace_distinct_aggregate", initial.replace("Distinct:", group, 1)),
        ("push_down_filter", _block(SORT, _block(head, _block(group, _block(f"Projection: {table}.{key}",
                                                                            f"TableScan: {table}, {filters}"))))),
        ("optimize_projections", _block(SORT, _block(head, _block(group, f"TableScan: {table} projection=[{key}], "
                                                                        f"{filters}")))),
    )
    physical = None
    if chunks:
        physical = _physical(table, tags, fields, key, lower, upper, cond, chunks)
    return Plans(initial, steps, physical)


def _physical(table, tags, fields, key, lower, upper, cond, chunks) -> str | None:
    """None over several partitions (how DataFusion 50 groups them there is not drawn)."""
    tests = [Conjunct("=", ("time",), lower)] if lower is not None and lower == upper else \
        [*([Conjunct(">=", ("time",), lower)] if lower is not None else []),
         *([Conjunct("<=", ("time",), upper)] if upper is not None else [])]
    tests += [Conjunct("=", (t,), v) for t, v in cond]
    found = table_scan(tuple(sorted({*tags, *fields, "time"})), tags, (key,), tuple(tests), chunks)
    if found.partitions > 1:
        return None
    sorted_on_key = ", ordering_mode=Sorted" if found.ordered[:1] == (key,) else ""
    lines = ["SortExec: expr=[value@2 ASC NULLS LAST], preserve_partitioning=[false]",
             f"  ProjectionExec: expr=[{table} as iox::measurement, {key} as key, {key}@0 as value]",
             f"    AggregateExec: mode=Single, gby=[{key}@0 as {key}], aggr=[]{sorted_on_key}",
             *("      " + line for line in found.lines)]
    return "\n".join(lines) + "\n"
