"""The logical plans InfluxDB 3's planner builds for SHOW statements, as DataFusion prints them.

Follows ``planner.rs`` of the crate ``iox_query_influxql`` (show_measurements_to_plan,
show_tag_keys_to_plan, show_field_keys_to_plan, show_tag_values_to_plan,
show_retention_policies_to_plan, plan_where_clause). The plan names the database's tables,
their tag columns and the time range, so it is built from this store's catalog; it is
printed as DataFusion's ``display_indent`` prints it (two spaces a level, no schemas).

Two kinds of plan:

- a scan of a table v3 fills in memory (SHOW MEASUREMENTS and SHOW TAG KEYS without WHERE,
  SHOW FIELD KEYS, SHOW RETENTION POLICIES): the whole of v3's answer is known, optimized
  logical plan and physical plan included (DataFusion's optimize_projections adds the
  ``projection=[...]``, a LIMIT is pushed into the scan);
- a scan of the data (SHOW TAG VALUES, SHOW MEASUREMENTS / TAG KEYS with WHERE): only the
  planner's plan is known; what DataFusion's optimizer and v3's storage make of it is not.
  A WHERE clause is drawn when it bounds time and at most compares one tag with a string
  (``tag = 'value'``: false for a table without that tag); otherwise not (None).
"""
from __future__ import annotations

from dataclasses import dataclass

from ...base import regex as linear_regex
from ..ast import expr as A
from ..ast import meta as M
from .rust_debug import string as rust_debug

EMPTY = "EmptyRelation: rows=0"  # DataFusion's plan of no table (v3's planner returns one for no FROM left)

MEASUREMENT = "iox::measurement"
MEMORY_SCAN = "DataSourceExec: partitions=1, partition_sizes=[1]"  # MemorySourceConfig, one batch
# The MemTables' columns (planner.rs output_schema): tags are Dictionary(Int32, Utf8), none nullable
DICT = "Dictionary(Int32, Utf8)"
MEMORY_TABLES = {
    M.ShowMeasurementsStatement: ("measurements", ((MEASUREMENT, DICT), ("name", DICT))),
    M.ShowTagKeysStatement: ("tag_keys", ((MEASUREMENT, DICT), ("tagKey", DICT))),
    M.ShowFieldKeysStatement: ("field_keys", ((MEASUREMENT, "Utf8"), ("fieldKey", "Utf8"), ("fieldType", "Utf8"))),
    M.ShowRetentionPoliciesStatement: ("retention policies", (
        (MEASUREMENT, DICT), ("name", "Utf8"), ("duration", "Utf8"), ("shardGroupDuration", "Utf8"),
        ("replicaN", "Int64"), ("default", "Boolean"))),
}
_KEY_COLUMN = {M.ShowTagKeysStatement: "tagKey", M.ShowFieldKeysStatement: "fieldKey"}


@dataclass(frozen=True, slots=True)
class Plans:
    """What v3's EXPLAIN prints of one plan: the planner's plan, then each optimizer rule that
    changes it, pass after pass (``steps``: rule, plan after it; none known: no step), and
    likewise for the physical plan when v3's is known (``physical``; None when it depends on
    v3's storage). ``schemas``: the initial and final physical plans with their schemas;
    ``analyzer_steps``: DataFusion's analyzer rules that change the planner's plan."""

    initial: str
    steps: tuple[tuple[str, str], ...] = ()
    physical: str | None = None
    physical_steps: tuple[tuple[str, str], ...] = ()
    schemas: tuple[str, str] | None = None
    analyzer_steps: tuple[tuple[str, str], ...] = ()  # (analyzer rule, plan after it) that change it

    @property
    def logical(self) -> str:
        """The optimized logical plan (``logical_plan``)."""
        return self.steps[-1][1] if self.steps else self.initial

    @property
    def final_physical(self) -> str | None:
        """The physical plan after the last physical rule (the plain one when no rule ran)."""
        return self.physical_steps[-1][1] if self.physical_steps else self.physical

    @property
    def with_metrics(self) -> str | None:
        """EXPLAIN ANALYZE's plan when v3's is known and its metrics are none (a scan of an
        in-memory table: ``metrics=[]``); None otherwise (a LIMIT's metrics count time)."""
        if self.schemas is None or self.physical_steps or self.physical is None or self.physical.count("\n") != 1:
            return None
        return self.physical.replace("\n", ", metrics=[]\n")


@dataclass(frozen=True, slots=True)
class Table:
    """One measurement as v3's catalog sees it: its tag columns, in name order, and its fields."""

    name: str
    tags: tuple[str, ...]
    fields: frozenset[str] = frozenset()


@dataclass(frozen=True, slots=True)
class Where:
    """A SHOW's WHERE clause as v3 plans it (plan_where_clause): the time range (ends
    inclusive, None: unbounded) and the rest of the condition."""

    lower: int | None
    upper: int | None
    cond: object = None


def show_plans(stmt, tables: list[Table], now: int, cutoff_ns: int, time_range=None, cond=None) -> Plans | None:
    """v3's plans of a SHOW statement over ``tables`` (all of the database's, by name), or
    None when not drawn. ``time_range``: the (start, end) the WHERE clause bounds, ends
    inclusive, None for either end unbounded; without either the last ``cutoff_ns`` count.
    ``cond``: the rest of the WHERE clause (drawn: ``tag = 'value'`` alone)."""
    if isinstance(stmt, M.ShowRetentionPoliciesStatement) or (
            isinstance(stmt, (M.ShowMeasurementsStatement, M.ShowTagKeysStatement)) and stmt.condition is None) or \
            isinstance(stmt, M.ShowFieldKeysStatement):
        return _memory_plans(stmt)
    lower, upper = time_range if time_range is not None else (None, None)
    if lower is None and upper is None:
        lower = now - cutoff_ns
    where = Where(lower, upper, cond)
    if cond is not None and not _drawn(cond):
        return None
    if isinstance(stmt, M.ShowTagValuesStatement):
        plans = [_tag_values_plan(t, key, where) for t in from_tables(tables, stmt.sources)
                 for key in matching_keys(t.tags, stmt.op, stmt.tag_key_expr)]
        if None in plans:
            return None
        initial = _sorted(_flat_union(plans), ("key", "value"))
        return _limited(initial, stmt, ("key",), "value")
    if isinstance(stmt, M.ShowTagKeysStatement):
        plans = [_tag_keys_plan(t, where) for t in from_tables(tables, stmt.sources)]
        if None in plans:
            return None
        initial = _sorted(_nested_union(plans), ("tagKey",))
        return _limited(initial, stmt, (), "tagKey")
    plans = [_measurement_plan(t, where) for t in tables if with_measurement(t.name, stmt.source)]
    if None in plans:
        return None
    initial = _sorted(_nested_union(plans), ("name",))
    if stmt.limit or stmt.offset:
        initial = plan_block(f"Limit: skip={stmt.offset}, fetch={stmt.limit or 'None'}", initial)
    return Plans(initial)


def _memory_plans(stmt) -> Plans:
    """A scan of one of v3's in-memory tables, and a LIMIT over it (SHOW MEASUREMENTS) or v3's
    SeriesLimit (SHOW TAG KEYS / FIELD KEYS)."""
    table, columns = MEMORY_TABLES[type(stmt)]
    scan = f"TableScan: {table}"
    projection = f" projection=[{', '.join(c for c, _ in columns)}]"
    schema = f", schema=[{', '.join(f'{c}:{t}' for c, t in columns)}]"
    limit, offset = getattr(stmt, "limit", 0), getattr(stmt, "offset", 0)
    if not (limit or offset):
        return Plans(scan, (("optimize_projections", scan + projection),), MEMORY_SCAN + "\n",
                     schemas=(MEMORY_SCAN + schema + "\n",) * 2)
    if isinstance(stmt, M.ShowMeasurementsStatement):
        return _limited_memory_scan(scan, projection, schema, limit, offset)
    key = _KEY_COLUMN[type(stmt)]
    default = DICT.replace("Utf8)", "Utf8(NULL))") if isinstance(stmt, M.ShowTagKeysStatement) else "Utf8(NULL)"
    return Plans(plan_block(_series_limit(f"[{MEASUREMENT}]", key, default, offset, limit), scan))


def _limited_memory_scan(scan: str, projection: str, schema: str, limit: int, offset: int) -> Plans:
    """LIMIT / OFFSET over a scan: DataFusion's push_down_limit gives the scan the rows it
    must read (skip + fetch), optimize_projections its columns; the physical plan's
    LimitPushdown does the same to the DataSourceExec."""
    head = f"Limit: skip={offset}, fetch={limit or 'None'}"
    exec_head = f"GlobalLimitExec: skip={offset}, fetch={limit or 'None'}"
    fetch = f", fetch={offset + limit}" if limit else ""
    steps = ((("push_down_limit", plan_block(head, scan + fetch)),) if limit else ()) + (
        ("optimize_projections", plan_block(head, scan + projection + fetch)),)
    physical = f"{exec_head}\n  {MEMORY_SCAN}\n"
    physical_steps = (("LimitPushdown", f"{exec_head}\n  {MEMORY_SCAN}{fetch}\n"),) if limit else ()
    schemas = (f"{exec_head}{schema}\n  {MEMORY_SCAN}{schema}\n", f"{exec_head}{schema}\n  {MEMORY_SCAN}{fetch}{schema}\n")
    return Plans(plan_block(head, scan), steps, physical, physical_steps, schemas)


def _series_limit(series: str, column: str, default: str, offset: int, limit: int) -> str:
    """SeriesLimit's line (iox_query series_limit/logical.rs fmt_for_explain; plan.rs series_limit
    gives no skip for 0 and no fetch without a LIMIT)."""
    return (f"SeriesLimit: series={series}, order=[{column} ASC NULLS LAST], limit_expr=[{column} RESPECT NULLS "
            f"(default: {default})]" + (f", skip=UInt64({offset})" if offset else "")
            + (f", fetch=UInt64({limit})" if limit else ""))


def _limited(initial: str, stmt, series: tuple[str, ...], column: str) -> Plans:
    if stmt.limit or stmt.offset:
        default = DICT.replace("Utf8)", "Utf8(NULL))")
        initial = plan_block(_series_limit(f"[{', '.join((MEASUREMENT, *series))}]", column, default, stmt.offset,
                                       stmt.limit), initial)
    return Plans(initial)


def plan_block(head: str, child: str) -> str:
    """A plan node's line over its child's lines, indented as EXPLAIN prints a tree."""
    return head + "\n" + indented(child)


def indented(text: str) -> str:
    """Every line of ``text`` two spaces in (one level of a plan tree)."""
    return "\n".join("  " + line for line in text.split("\n"))


def dict_literal(text: str) -> str:
    """A dictionary string literal as DataFusion prints it."""
    return f"Dictionary(Int32, Utf8({rust_debug(text)}))"


def scan_filters(m: str, fields, tags, lower: int | None, upper: int | None) -> tuple[str, str]:
    """A SELECT's filters over ``TableScan: m`` as the planner stacks them (the fields not all
    null, then the time range and the ``tag = 'v'`` tests above), and the ``full_filters=[...]``
    push_down_filter leaves in the scan (IOx's table takes every conjunct)."""
    not_null = " OR ".join(f"{m}.{f} IS NOT NULL" for f in fields)
    cond = [f"{t} = {dict_literal(v)}" for t, v in tags]
    time = time_filter(m, lower, upper).removeprefix("Filter: ") if (lower, upper) != (None, None) else None
    joined = f"({not_null})" if " OR " in not_null and cond and not time else not_null  # BinaryExpr's Display
    plan = plan_block(f"Filter: {' AND '.join([joined, *([] if time else cond)])}", f"TableScan: {m}")
    if time:
        plan = plan_block(f"Filter: {' AND '.join([time, *cond])}", plan)
    pushed = [*time.split(" AND "), *cond, not_null] if time else [not_null, *cond]
    return plan, f"full_filters=[{', '.join(pushed)}]"


def time_filter(table: str, lower: int | None, upper: int | None) -> str:
    """planner_time_range_expression.rs time_range_to_df_expr over ``<table>.time``."""
    col = f"{table}.time"
    if lower is not None and upper is not None:
        if lower == upper:
            return f"Filter: {col} = TimestampNanosecond({lower}, None)"
        if lower > upper:
            return "Filter: Boolean(false)"
        return f"Filter: {col} >= TimestampNanosecond({lower}, None) AND {col} <= TimestampNanosecond({upper}, None)"
    if lower is not None:
        return f"Filter: {col} >= TimestampNanosecond({lower}, None)"
    return f"Filter: {col} <= TimestampNanosecond({upper}, None)"


def _drawn(cond) -> bool:
    """A condition drawn as v3 plans it: ``tag = 'value'`` (planner.rs conditional_to_df_expr,
    then rewrite_conditional_expr; others it rewrites in ways not followed here)."""
    cond = A.unparen(cond)
    return (isinstance(cond, A.BinaryExpr) and cond.op == "=" and isinstance(cond.lhs, A.VarRef)
            and not cond.lhs.type and isinstance(cond.rhs, A.StringLiteral) and cond.rhs.val != "")


def _scan(t: Table, where: Where) -> str | None:
    """The table's scan under its WHERE filter (the condition joined to the time range's by
    AND, as plan_condition adds to an existing filter); None when the condition names a field."""
    test = time_filter(t.name, where.lower, where.upper).removeprefix("Filter: ")
    cond = where.cond
    cond = A.unparen(cond)
    if cond is not None:
        name = cond.lhs.name
        if name in t.fields:
            return None
        test += f" AND {name} = {dict_literal(cond.rhs.val)}" if name in t.tags else " AND Boolean(false)"
    return plan_block(f"Filter: {test}", f"TableScan: {t.name}")


def _tag_values_plan(t: Table, key: str, where: Where) -> str | None:
    scan = _scan(t, where)
    if scan is None:
        return None
    inner = plan_block(f"Projection: {t.name}.{key}", scan)
    return plan_block(f"Projection: {dict_literal(t.name)} AS {MEASUREMENT}, {dict_literal(key)} AS key, {t.name}.{key} AS value",
                  plan_block("Distinct:", inner))


def _tag_keys_plan(t: Table, where: Where) -> str | None:
    scan = _scan(t, where)
    if scan is None:
        return None
    sums = ", ".join(f"sum(CAST({t.name}.{tag} IS NOT NULL AS UInt64)) AS {tag}" for tag in t.tags)
    cases = ", ".join(f'CASE WHEN {tag} > Int32(0) THEN Utf8({rust_debug(tag)}) END' for tag in t.tags)
    plan = plan_block(f"Aggregate: groupBy=[[]], aggr=[[{sums}]]", scan)
    plan = plan_block(f"Projection: make_array({cases}) AS tagKey", plan)
    plan = plan_block("Filter: tagKey IS NOT NULL", plan_block("Unnest: lists[tagKey|depth=1] structs[]", plan))
    return plan_block(f"Projection: {dict_literal(t.name)} AS {MEASUREMENT}, tagKey", plan)


def _measurement_plan(t: Table, where: Where) -> str | None:
    scan = _scan(t, where)
    if scan is None:
        return None
    plan = plan_block("Limit: skip=0, fetch=1", scan)
    return plan_block(f"Projection: {dict_literal('measurements')} AS {MEASUREMENT}, {dict_literal(t.name)} AS name", plan)


def _nested_union(plans: list[str]) -> str | None:
    """union_and_coerce, table by table: each Union holds the one before and the next plan."""
    out = plans[0] if plans else None
    for plan in plans[1:]:
        out = "Union\n" + indented(out) + "\n" + indented(plan)
    return out


def _flat_union(plans: list[str]) -> str | None:
    """show_tag_values_to_plan flattens its Unions: one Union over every plan."""
    if len(plans) < 2:
        return plans[0] if plans else None
    return "Union\n" + "\n".join(indented(p) for p in plans)


def _sorted(plan: str | None, columns: tuple[str, ...]) -> str:
    keys = ", ".join(f"{c} ASC NULLS LAST" for c in (MEASUREMENT, *columns))
    return plan_block(f"Sort: {keys}", plan if plan is not None else EMPTY)


def from_tables(tables: list[Table], sources) -> list[Table]:
    """expand_show_from_clause: the tables a FROM names (by name or regex), in name order."""
    if not sources:
        return tables
    return [t for t in tables if any(_matches(t.name, s) for s in sources)]


def _matches(name: str, source) -> bool:
    if not isinstance(source, A.Measurement):
        return False
    if source.regex is not None:
        return linear_regex.compile(source.regex.val).search(name)
    return source.name == name


def with_measurement(name: str, source) -> bool:
    """Whether the measurement ``name`` is one a SHOW's FROM names (any without FROM)."""
    return source is None or _matches(name, source)


def matching_keys(tags: tuple[str, ...], op: str, expr) -> list[str]:
    """eval_with_key_clause: the table's tags the WITH KEY clause picks, in the table's order."""
    if op == "IN":
        wanted = set(expr.vals) if isinstance(expr, A.ListLiteral) else set()
        return [t for t in tags if t in wanted]
    if op in ("=~", "!~"):
        hits = set(linear_regex.compile(expr.val).select(tags))
        return [t for t in tags if (t in hits) == (op == "=~")]
    return [t for t in tags if (t == expr.val) == (op == "=")]
