"""InfluxDB 3's plans of a raw SELECT of fields under tz() over several measurements.

``planner.rs`` select_query_to_plan plans each table of the FROM clause (rewriter.rs
find_table_names: a BTreeSet, so in name order, each once) as it plans a lone one
(tzplan3.py: the not-null filter, project_timezone, the time range; the fields'
projection), puts the measurement's name first in that projection
(project_with_measurement), and folds the plans with union_and_coerce (planner/union.rs:
``union(prev, next)``, each Union holding the one before and the next plan; no casts when
every table's columns have the same types). plan_with_sort (planner/select.rs) sorts on
``iox::measurement`` first when there is more than one table, then time, over the Union's
columns (plain ``time``, not the ``time AS time`` a lone table's projection lends its Sort).

DataFusion's rules: eliminate_nested_union flattens the Unions (more than two tables);
push_down_filter and optimize_projections change each branch as they change a lone table's
plan (selectplan3.tz_branches), the Union and the Sort over it needing every column. Derived
from those, not printed by v3: no snapshot of v3's holds tz() over several tables. The physical
plan stays this store's, as for one table under tz().
"""
from __future__ import annotations

from .selectplan3 import tz_branches
from .showplan3 import Plans, Table, indented, plan_block

SORT = "Sort: iox::measurement ASC NULLS LAST, time ASC NULLS LAST"


def tz_union_plans(refs, tables: list[Table], lower: int | None, upper: int | None, zone: str) -> Plans:
    """v3's plans of ``SELECT <refs> FROM <tables> [WHERE <time range>] TZ(<zone>)``: ``refs``
    fields every one of ``tables`` (at least two, in name order) holds with one type;
    ``lower``/``upper`` the time range (ends inclusive, None: unbounded)."""
    fields = sorted({r.name for r in refs})
    initial, pushed, narrowed = zip(*(tz_branches(refs, t, fields, [], lower, upper, zone) for t in tables))
    steps = [("eliminate_nested_union", _flat(initial))] if len(tables) > 2 else []
    steps += [("push_down_filter", _flat(pushed)), ("optimize_projections", _flat(narrowed))]
    return Plans(plan_block(SORT, _nested(initial)), tuple(steps))


def _nested(plans) -> str:
    """union_and_coerce's fold: Union(Union(a, b), c) for three tables."""
    out = plans[0]
    for plan in plans[1:]:
        out = "Union\n" + indented(out) + "\n" + indented(plan)
    return out


def _flat(plans) -> str:
    """The Sort over one Union of every branch."""
    return plan_block(SORT, "Union\n" + "\n".join(indented(p) for p in plans))
