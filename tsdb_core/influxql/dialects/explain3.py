"""EXPLAIN as InfluxDB 3 answers it: DataFusion's rows, holding this store's plan.

v3's planner (iox_query_influxql ``planner.rs`` explain_statement_to_plan) hands EXPLAIN to
DataFusion, whose answer is rows of (``plan_type``, ``plan``); the v1 API makes ``plan_type``
the series name. The plan types are DataFusion's (``datafusion/common/src/display/mod.rs``
PlanType, ``physical-plan/src/analyze.rs``). VERBOSE adds the plan at each stage DataFusion
shows; its rows naming each optimizer pass ("logical_plan after <rule>") are left out, as
this store's planner has no such passes.
"""
from __future__ import annotations

SAME = "SAME TEXT AS ABOVE"  # DataFusion: a stage whose plan did not change
PLAIN = ("logical_plan", "physical_plan")
VERBOSE = ("initial_logical_plan", "analyzed_logical_plan", "logical_plan", "initial_physical_plan",
           "initial_physical_plan_with_stats", "initial_physical_plan_with_schema", "physical_plan",
           "physical_plan_with_stats", "physical_plan_with_schema")
_UNCHANGED = frozenset({"analyzed_logical_plan"})  # the analyzer leaves our plan as it is


def rows(plan: str, *, verbose: bool) -> list[tuple[str, str]]:
    """(plan_type, plan) rows of EXPLAIN [VERBOSE]."""
    if not verbose:
        return [(kind, plan) for kind in PLAIN]
    return [(kind, SAME if kind in _UNCHANGED else plan) for kind in VERBOSE]


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
