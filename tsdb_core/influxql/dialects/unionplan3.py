"""InfluxDB 3's plans of a SELECT over several measurements: each table's plan under one Union.

``planner.rs`` select_query_to_plan plans each table of the FROM clause (rewriter.rs
find_table_names: a BTreeSet, so in name order, each once) as it plans a lone one, its LIMIT
included (planner.rs limit, per table), puts the measurement's name first in its projection
(project_with_measurement: a lone table's plan has it too), and folds the plans with
union_and_coerce (planner/union.rs: ``union(prev, next)``, each Union holding the one before and
the next plan; no casts when the tables' columns have one type). plan_with_sort
(planner/select.rs) sorts on ``iox::measurement`` first when there is more than one table,
then on the lone table's keys, over the Union's columns (plain ``time``, not the ``time AS
time`` a lone table's projection lends its Sort under tz()).

DataFusion's rules: eliminate_nested_union flattens the Unions (more than two tables); the
others change each branch as they change the lone table's plan, the Union and the Sort over it
needing every column. DataFusion 50.1 printed that for a raw SELECT under tz() over two and
three tables (test_v3_explain_tz_union.py); other shapes follow from it, not printed. The
physical plan stays this store's.
"""
from __future__ import annotations

from .showplan3 import Plans, indented, plan_block

MEASUREMENT_KEY = "iox::measurement ASC NULLS LAST"


def union_plans(plans: list[Plans]) -> Plans | None:
    """The plans of the lone tables' ``plans`` (at least two, in name order) under one Union;
    None when they are not all a Sort over a branch, on the same keys, through the same rules."""
    rules = {tuple(rule for rule, _ in p.steps) for p in plans}
    if len(rules) != 1 or any(p.analyzer_steps for p in plans):
        return None
    stages = [[p.initial, *(text for _, text in p.steps)] for p in plans]
    sorts = {text.split("\n", 1)[0] for stage in stages for text in stage}
    if len(sorts) != 1 or not next(iter(sorts)).startswith("Sort: "):
        return None
    keys = next(iter(sorts)).removeprefix("Sort: ").replace("time AS time ", "time ")
    sort = f"Sort: {MEASUREMENT_KEY}, {keys}"
    branches = [[_branch(text) for text in stage] for stage in stages]  # per table, per stage
    initial = [b[0] for b in branches]
    steps = [("eliminate_nested_union", _flat(sort, initial))] if len(plans) > 2 else []
    steps += [(rule, _flat(sort, [b[i + 1] for b in branches])) for i, rule in enumerate(next(iter(rules)))]
    return Plans(plan_block(sort, _nested(initial)), tuple(steps))


def _branch(text: str) -> str:
    """A lone table's plan below its Sort."""
    return "\n".join(line[2:] for line in text.split("\n")[1:])


def _nested(plans: list[str]) -> str:
    """union_and_coerce's fold: Union(Union(a, b), c) for three tables."""
    out = plans[0]
    for plan in plans[1:]:
        out = "Union\n" + indented(out) + "\n" + indented(plan)
    return out


def _flat(sort: str, plans: list[str]) -> str:
    """The Sort over one Union of every branch."""
    return plan_block(sort, "Union\n" + "\n".join(indented(p) for p in plans))
