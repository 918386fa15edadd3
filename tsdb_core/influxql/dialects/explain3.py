"""EXPLAIN as InfluxDB 3 answers it: DataFusion's rows (``plan_type``, ``plan``).

v3's planner (iox_query_influxql ``planner.rs`` explain_statement_to_plan) hands EXPLAIN to
DataFusion, whose answer is rows of (``plan_type``, ``plan``); the v1 API makes ``plan_type``
the series name. The plan types are DataFusion's (``datafusion/common/src/display/mod.rs``
PlanType, ``physical-plan/src/analyze.rs``). VERBOSE prints the plan after each analyzer,
optimizer and physical optimizer rule of v3's session (DataFusion 50.3 as influxdb3_core
pins it; 51.0 in influxdata/influxdb has the same lists; with v3's own rules: iox_query
``exec/context.rs``), ``SAME TEXT AS ABOVE`` where the text did
not change (``physical-plan/src/explain.rs`` should_show). The plans are v3's where
showplan3.py draws them, else this store's; a rule changes only a plan it draws.
"""
from __future__ import annotations

import re
from dataclasses import dataclass

from .showplan3 import Plans

SAME = "SAME TEXT AS ABOVE"  # DataFusion: a stage whose plan did not change
PLAIN = ("logical_plan", "physical_plan")
# DataFusion's Analyzer::new, then iox_query analyzer/mod.rs register_iox_analyzers (appended)
ANALYZERS = ("resolve_grouping_function", "type_coercion", "extract_sleep", "handle_gap_fill")
# DataFusion's Optimizer::new (optimizer.rs), then logical_optimizer/mod.rs (appended)
OPTIMIZERS = ("eliminate_nested_union", "simplify_expressions", "replace_distinct_aggregate", "eliminate_join",
              "decorrelate_predicate_subquery", "scalar_subquery_to_join", "decorrelate_lateral_join",
              "extract_equijoin_predicate", "eliminate_duplicated_expr", "eliminate_filter", "eliminate_cross_join",
              "eliminate_limit", "propagate_empty_relation", "eliminate_one_union", "filter_null_join_keys",
              "eliminate_outer_join", "push_down_limit", "push_down_filter", "single_distinct_aggregation_to_group_by",
              "eliminate_group_by_constant", "common_sub_expression_eliminate", "optimize_projections",
              "influx_regex_to_datafusion_regex")
MAX_PASSES = 3  # datafusion.optimizer.max_passes
# physical_optimizer/mod.rs register_iox_physical_optimizers: v3's rules, DataFusion's, then v3's again
PHYSICAL = ("split_dedup", "dedup_null_columns", "dedup_sort_order", "predicate_pushdown", "projection_pushdown",
            "parquet_sortness", "nested_union",
            "OutputRequirements", "aggregate_statistics", "join_selection", "LimitedDistinctAggregation",
            "FilterPushdown", "EnforceDistribution", "CombinePartialFinalAggregate", "EnforceSorting",
            "OptimizeAggregateOrder", "ProjectionPushdown", "coalesce_batches", "coalesce_async_exec_input",
            "OutputRequirements", "LimitAggregation", "LimitPushPastWindows", "LimitPushdown", "ProjectionPushdown",
            "EnsureCooperative", "FilterPushdown(Post)", "SanityCheckPlan",
            "order_union_sorted_inputs", "cached_parquet_data", "check-limits")
REQUIREMENT = "OutputRequirementExec: order_by=[], dist_by=Unspecified"
_EXEC = re.compile(r"[A-Za-z]+Exec\b")  # a physical plan drawn as v3's (this store's nodes are not ``...Exec``)


_BUG = ("This issue was likely caused by a bug in DataFusion's code. Please help us to resolve this by filing a "
        "bug report in our issue tracker: https://github.com/apache/datafusion/issues")  # error.rs, Internal


@dataclass(frozen=True, slots=True)
class NodeOver:
    """A plan whose root is DataFusion's ``Explain`` (or ``Analyze``) node over ``inner``: an
    EXPLAIN of an EXPLAIN (planner.rs explain_statement_to_plan plans the inner one first).
    plan.rs displays the node's name above its input, which the optimizer reaches; the
    physical planner refuses the node (physical_planner.rs: ``internal_err!("Unsupported
    logical plan: Explain must be root of the plan")``), and handle_explain prints that error
    as the ``physical_plan_error`` row."""

    inner: Plans | NodeOver
    analyze: bool = False

    @property
    def name(self) -> str:
        """DataFusion's name of the node (``Explain`` or ``Analyze``)."""
        return "Analyze" if self.analyze else "Explain"

    def logical_plans(self) -> Plans:
        """The node's logical plans: its name above each of the inner plan's."""
        inner = self.inner.logical_plans() if isinstance(self.inner, NodeOver) else self.inner
        def wrap(text: str) -> str:
            return "\n".join([self.name, *("  " + line for line in text.splitlines())])
        return Plans(wrap(inner.initial), tuple((rule, wrap(text)) for rule, text in inner.steps))

    @property
    def error(self) -> str:
        """The ``physical_plan_error`` row: DataFusion cannot plan an Explain below the root."""
        return f"Internal error: Unsupported logical plan: {self.name} must be root of the plan.\n{_BUG}"


def rows(plan: str | Plans | NodeOver, *, verbose: bool) -> list[tuple[str, str]]:
    """(plan_type, plan) rows of EXPLAIN [VERBOSE]; a ``str`` is this store's plan, printed
    as both the logical and the physical plan."""
    if isinstance(plan, NodeOver):
        logical = plan.logical_plans()
        stages = _logical_stages(logical) if verbose else [("logical_plan", logical.logical)]
        return _same_text([*stages, ("physical_plan_error", plan.error)])
    plans = plan if isinstance(plan, Plans) else Plans(plan, physical=plan)
    if not verbose:
        return [("logical_plan", plans.logical), ("physical_plan", plans.final_physical or plans.logical)]
    return _same_text(_logical_stages(plans) + _physical_stages(plans))


def _logical_stages(plans: Plans) -> list[tuple[str, str]]:
    """session_state.rs optimize: each analyzer rule, then optimizer passes until one
    changes nothing (optimizer.rs: the plan after a pass is one seen before); ``steps`` are
    taken in order, so a rule that changes the plan again in a later pass is listed again."""
    out, plan, analyzed = [("initial_logical_plan", plans.initial)], plans.initial, dict(plans.analyzer_steps)
    for rule in ANALYZERS:
        plan = analyzed.get(rule, plan)
        out.append((f"logical_plan after {rule}", plan))
    out.append(("analyzed_logical_plan", plan))
    seen, steps = {plan}, list(plans.steps)
    for _ in range(MAX_PASSES):
        for rule in OPTIMIZERS:
            if steps and steps[0][0] == rule:  # the steps in the order the passes reach them
                plan = steps.pop(0)[1]
            out.append((f"logical_plan after {rule}", plan))
        if plan in seen:
            break
        seen.add(plan)
    return out + [("logical_plan", plans.logical)]


def _physical_stages(plans: Plans) -> list[tuple[str, str]]:
    """physical_planner.rs handle_explain: the initial plan (with statistics, with schema),
    each physical optimizer rule, the final plan (with statistics, with schema). For a plan
    drawn as v3's, the first OutputRequirements wraps it in its requirement (``required``), the
    second unwraps it. Statistics are not printed (v3's count its in-memory bytes). The plan
    before and between the rules is the final one: how IOx's rules and DataFusion's reshape the
    scan stage by stage is not drawn."""
    plan = plans.physical or plans.logical
    first, last = plans.schemas or (plan, plans.final_physical or plan)
    out = [("initial_physical_plan", plan), ("initial_physical_plan_with_stats", plan),
           ("initial_physical_plan_with_schema", first)]
    steps, requirement = dict(plans.physical_steps), False
    drawn = plans.schemas is not None or bool(_EXEC.match(plan))
    head = required(plans.logical)
    for rule in PHYSICAL:
        plan = steps.pop(rule, plan)
        if rule == "OutputRequirements" and drawn:
            requirement = not requirement
        text = head + "\n" + "".join("  " + line + "\n" for line in plan.splitlines()) if requirement else plan
        out.append((f"physical_plan after {rule}", text))
    return out + [("physical_plan", plan), ("physical_plan_with_stats", plan), ("physical_plan_with_schema", last)]


def required(logical: str) -> str:
    """The OutputRequirementExec the first OutputRequirements rule puts at the top of the plan
    (output_requirements.rs require_top_ordering): over the root SortExec the physical planner
    makes of a root ``Sort``, its keys (each ``(column@index, asc|desc)``, the index in the
    Sort's input: the projection below it, a Union's first branch's) on one partition; else
    none (DataFusion 50.1 printed ``order_by=[(t@2, asc), (time@0, desc)], dist_by=SinglePartition``
    over ``SortExec: expr=[t@2 ASC NULLS LAST, time@0 DESC]``, once, by hand)."""
    lines = logical.split("\n")
    if not lines[0].startswith("Sort: ") or len(lines) < 2:
        return REQUIREMENT
    below = lines[2].strip() if lines[1].strip() == "Union" and len(lines) > 2 else lines[1].strip()
    if not below.startswith("Projection: "):
        return REQUIREMENT
    names = [_output_name(e) for e in _top_level(below.removeprefix("Projection: "))]
    keys = []
    for key in _top_level(lines[0].removeprefix("Sort: ")):
        expr, direction = re.fullmatch(r"(.*) (ASC|DESC) NULLS (?:FIRST|LAST)", key).groups()
        name = _output_name(expr)
        if name not in names:
            return REQUIREMENT
        keys.append(f"({name}@{names.index(name)}, {direction.lower()})")
    return f"OutputRequirementExec: order_by=[{', '.join(keys)}], dist_by=SinglePartition"


def _top_level(text: str) -> list[str]:
    """``text`` split at the commas outside brackets and quotes."""
    out, depth, start, quoted = [], 0, 0, False
    for i, c in enumerate(text):
        if c == '"':
            quoted = not quoted
        elif not quoted and c in "([{":
            depth += 1
        elif not quoted and c in ")]}":
            depth -= 1
        elif not quoted and not depth and text.startswith(", ", i):
            out.append(text[start:i])
            start = i + 2
    return out + [text[start:]]


def _output_name(expr: str) -> str:
    """The column a projection's expression outputs: its alias, else the column's name."""
    if " AS " in expr:
        return expr.rsplit(" AS ", 1)[1]
    return expr.rsplit(".", 1)[-1] if re.fullmatch(r"[\w:]+(\.[\w:]+)?", expr) else expr


def _same_text(stages: list[tuple[str, str]]) -> list[tuple[str, str]]:
    """explain.rs ExplainExec: a plan equal to the one above is SAME TEXT AS ABOVE, except the
    final ``logical_plan`` and ``physical_plan``, always printed."""
    out, prev = [], None
    for kind, text in stages:
        out.append((kind, SAME if prev == text and kind not in PLAIN else text))
        prev = text
    return out


def analyze_rows(plan: str, *, verbose: bool, output_rows: int = 0, elapsed_ns: int = 0) -> list[tuple[str, str]]:
    """(plan_type, plan) rows of EXPLAIN ANALYZE [VERBOSE] (analyze.rs create_output_batch)."""
    out = [("Plan with Metrics", plan)]
    if verbose:
        out += [("Plan with Full Metrics", plan), ("Output Rows", str(output_rows)),
                ("Duration", rust_duration(elapsed_ns))]
    return out


def rust_duration(ns: int) -> str:
    """Rust's ``{:?}`` of a ``std::time::Duration``: the largest unit that is at least 1,
    its fraction without trailing zeros (``1.5s``, ``2.25ms``, ``13µs``, ``80ns``)."""
    for unit, size in (("s", 10**9), ("ms", 10**6), ("µs", 10**3)):
        if ns >= size:
            whole, frac = divmod(ns, size)
            digits = f"{frac:0{len(str(size)) - 1}d}".rstrip("0")
            return f"{whole}.{digits}{unit}" if digits else f"{whole}{unit}"
    return f"{ns}ns"
