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
three tables (test_v3_explain_tz_union.py); other shapes follow from it, not printed. A rule
that changes some branches and not others (a cast NULL folded in one: unioncast3.py) is one
step of the union, each branch as that rule left it. The physical plan stays this store's.
"""
from __future__ import annotations

from .explain3 import ANALYZERS, OPTIMIZERS
from .showplan3 import Plans, indented, plan_block

MEASUREMENT_KEY = "iox::measurement ASC NULLS LAST"


def union_plans(plans: list[Plans]) -> Plans | None:
    """The plans of the lone tables' ``plans`` (at least two, in name order) under one Union;
    None when they are not all a Sort over a branch on the same keys, or when their rules do not
    merge into one list (rules_of)."""
    analyzers = rules_of([p.analyzer_steps for p in plans], ANALYZERS)
    rules = rules_of([p.steps for p in plans], OPTIMIZERS)
    if analyzers is None or rules is None:
        return None
    stages = [[p.initial, *(t for _, t in p.analyzer_steps), *(t for _, t in p.steps)] for p in plans]
    sorts = {text.split("\n", 1)[0] for stage in stages for text in stage}
    if len(sorts) != 1 or not next(iter(sorts)).startswith("Sort: "):
        return None
    keys = next(iter(sorts)).removeprefix("Sort: ").replace("time AS time ", "time ")
    sort = f"Sort: {MEASUREMENT_KEY}, {keys}"
    analyzed = [walk_steps(p.initial, p.analyzer_steps, analyzers) for p in plans]  # per table, per analyzer rule
    starts = [a[-1] if a else p.initial for a, p in zip(analyzed, plans)]
    walked = [walk_steps(start, p.steps, rules) for start, p in zip(starts, plans)]  # per table, per optimizer rule
    steps = [("eliminate_nested_union", _flat(sort, [_branch(t) for t in starts]))] if len(plans) > 2 else []
    steps += [(rule, _flat(sort, [_branch(w[i]) for w in walked])) for i, rule in enumerate(rules)]
    nested = [(rule, plan_block(sort, _nested([_branch(a[i]) for a in analyzed]))) for i, rule in enumerate(analyzers)]
    return Plans(plan_block(sort, _nested([_branch(p.initial) for p in plans])), tuple(steps), analyzer_steps=tuple(nested))


def rules_of(steps: list[tuple[tuple[str, str], ...]], order: tuple[str, ...]) -> tuple[str, ...] | None:
    """The rules the union's plan is printed after: the branches' own when they are alike (passes
    included), else each rule any branch lists, in the session's ``order``, when every branch lists
    its rules once each, in that order (one pass); None otherwise."""
    names = {tuple(rule for rule, _ in s) for s in steps}
    if len(names) == 1:
        return next(iter(names))
    if not all(set(n) <= set(order) and list(n) == sorted(set(n), key=order.index) for n in names):
        return None
    return tuple(sorted({r for n in names for r in n}, key=order.index))


def walk_steps(start: str, steps: tuple[tuple[str, str], ...], rules: tuple[str, ...]) -> list[str]:
    """A branch's plan after each of ``rules``: its step's when it lists the rule, else as it was."""
    out, i, text = [], 0, start
    for rule in rules:
        if i < len(steps) and steps[i][0] == rule:
            text, i = steps[i][1], i + 1
        out.append(text)
    return out


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
