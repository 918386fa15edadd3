"""Every drawn GROUP BY physical plan of the influxdb3 dialect reads its child's columns where they are.

DataFusion prints a physical column as ``<name>@<index>``, the index into its input's schema
(``physical-expr/src/expressions/column.rs`` Display). Over a grid of GROUP BY shapes (aggregates and
selectors, tags, GROUP BY time with each fill, LIMIT/OFFSET, ORDER BY time DESC, tz(), with and
without a tag test; one file, two
partitions, rows not persisted), this follows each node's output columns and checks that every
``name@i`` a node prints names column ``i`` of its child (the scan's predicate excepted: IOx numbers
it over the table's columns).
"""
from __future__ import annotations

import itertools
import re

import pytest

import tsdb_core

PASS = ("SortExec", "SortPreservingMergeExec", "SeriesLimitExec", "FilterExec", "CoalesceBatchesExec",
        "CoalescePartitionsExec", "DeduplicateExec")


def _split(text: str) -> list[str]:
    """Top-level comma-separated items (parentheses, brackets and braces nest)."""
    out, depth, cur = [], 0, ""
    for ch in text:
        depth += ch in "([{"
        depth -= ch in ")]}"
        if ch == "," and depth == 0:
            out.append(cur.strip())
            cur = ""
        else:
            cur += ch
    return [*out, cur.strip()] if cur.strip() else out


def _refs(expr: str) -> list[tuple[str, str]]:
    """Each ``name@i`` in ``expr`` as (name, i): a name may hold nested calls
    (``difference(avg(cpu.f))@3``), found by balancing parentheses back from the ``@``."""
    out = []
    for m in re.finditer(r"@(\d+)", expr):
        i = m.start()
        if expr[i - 1] == ")":
            depth = 0
            while True:
                i -= 1
                depth += (expr[i] == ")") - (expr[i] == "(")
                if depth == 0:
                    break
        while i > 0 and (expr[i - 1].isalnum() or expr[i - 1] in "_.:"):
            i -= 1
        out.append((expr[i:m.start()], m.group(1)))
    return out


def _field(body: str, key: str) -> str:
    """The bracketed value of ``key=[..]`` in a node's text."""
    start = body.index(key + "=[") + len(key) + 2
    depth, i = 1, start
    while depth:
        depth += body[i] == "["
        depth -= body[i] == "]"
        i += 1
    return body[start:i - 1]


def _tree(plan: str):
    """(text, children) of the root, from the two-space indentation."""
    nodes = [(len(line) - len(line.lstrip()), line.strip(), []) for line in plan.splitlines() if line.strip()]
    stack = []
    for node in nodes:
        while stack and stack[-1][0] >= node[0]:
            stack.pop()
        if stack:
            stack[-1][2].append(node)
        stack.append(node)
    return nodes[0]


def _check(node, problems: list[str]) -> list[str]:
    """The node's output columns, after checking its references against its child's."""
    _, text, children = node
    name, _, body = text.partition(":")
    below = [_check(c, problems) for c in children]
    child = below[0] if below else []

    def refs(expr: str):
        for ref, at in _refs(expr):
            if int(at) >= len(child) or child[int(at)] != ref:
                problems.append(f"{name}: {ref}@{at} over {child}")

    if name in ("DataSourceExec", "RecordBatchesExec"):
        return [c.strip() for c in _field(body, "projection").split(",")]
    if name == "UnionExec":
        return child
    if name == "WindowAggExec":  # its input's columns, then each window's (named before its Field)
        return [*child, *(w.split(": Ok(")[0] for w in _split(_field(body, "wdw")) if not w.startswith("frame: "))]
    if name == "ProjectionExec":
        items = _split(_field(body, "expr"))
        for item in items:
            refs(item.rsplit(" as ", 1)[0])
        return [item.rsplit(" as ", 1)[1] for item in items]
    if name == "AggregateExec":
        gby = [g for g in _split(_field(body, "gby")) if g]
        for g in gby:
            refs(g.rsplit(" as ", 1)[0])
        return [g.rsplit(" as ", 1)[1] for g in gby] + _split(_field(body, "aggr"))
    if name == "GapFillExec":
        refs(body.split(" time_range=")[0])
        series = [_refs(s)[0][0] for s in _split(_field(body, "series_expr")) if s]
        fills = [_refs(f)[0][0] for f in _split(_field(body, "fill_expr"))]
        return [*series, "time", *fills]
    assert name in PASS, name
    refs(body)
    return child


SHAPES = [
    ("count(f), sum(g)", "host"), ("mean(f)", "host, region"), ("first(f)", "host"), ("max(g), count(f)", "region"),
    ("median(f)", "time(1s)"), ("count(f), first(f)", "time(1s), host"), ("mean(f), sum(g)", "time(1s), region"),
    ("last(f)", "time(1s), host, region"), ("last(f), max(g), mean(f)", "time(1s)"),
]
CLAUSES = ["", " fill(none)", " fill(null)", " fill(previous)", " fill(linear)", " fill(3)", " LIMIT 1", " ORDER BY time DESC OFFSET 1",
           " tz('Europe/Paris')"]
LAYOUTS = ["file", "two", "buffered"]
TAG_TESTS = ["", " AND host = 'a'"]  # a tag test (with tz() too)


@pytest.fixture(scope="module")
def stores():
    made = {}
    for layout in LAYOUTS:
        s = tsdb_core.open(dialect="influxdb3")
        assert s.write("db", "m,host=a,region=r f=1,g=2i 1000000000\nm,host=b,region=q f=2,g=3i 2000000000\n").ok
        if layout != "buffered":
            s.flush()
        if layout == "two":
            assert s.write("db", "m,host=a,region=r f=3,g=4i 3000000000").ok
        made[layout] = s
    yield made
    for s in made.values():
        s.close()


def _physical(store, q: str) -> str:
    (res,) = store.query(f"EXPLAIN {q}", db="db").to_json()["results"]
    return {s["name"]: s["values"][0][0] for s in res["series"]}["physical_plan"]


def test_every_drawn_plan_reads_its_childs_columns(stores):
    drawn, problems = 0, []
    for (fields, group), clause, layout, tag in itertools.product(SHAPES, CLAUSES, LAYOUTS, TAG_TESTS):
        q = f"SELECT {fields} FROM m WHERE time >= 0 AND time < 5s{tag} GROUP BY {group}{clause}"
        plan = _physical(stores[layout], q)
        if "Exec" not in plan.splitlines()[0]:
            continue  # not drawn as v3's: this store's plan
        drawn += 1
        found: list[str] = []
        _check(_tree(plan), found)
        problems += [f"{q} [{layout}]: {p}" for p in found]
    assert problems == []
    assert drawn >= 320, drawn  # the grid draws most shapes (326 of 486 queries)


def test_every_drawn_plan_is_one_target_partitions(stores):
    """The model's decision (scanplan3.py): v3 at one target partition (iox_query exec.rs l. 124,
    ExecutorConfig::testing; influxdb3 serve.rs l. 871-883 sets it from --datafusion-num-threads,
    by default the CPU count). DataFusion then adds no RepartitionExec, plans no FinalPartitioned
    aggregate and, over several partitions (the union of IOx's chunk groups), merges them below
    the Final aggregate or coalesces them: the root never merges partitions."""
    drawn = 0
    for (fields, group), clause, layout in itertools.product(SHAPES, CLAUSES, LAYOUTS):
        plan = _physical(stores[layout], f"SELECT {fields} FROM m WHERE time >= 0 AND time < 5s GROUP BY {group}{clause}")
        if "Exec" not in plan.splitlines()[0]:
            continue
        drawn += 1
        assert "RepartitionExec" not in plan and "FinalPartitioned" not in plan, plan
        assert not plan.startswith("SortPreservingMergeExec") and "preserve_partitioning=[true]" not in plan.splitlines()[0]
        assert ("mode=Final" in plan) == ("UnionExec" in plan), plan  # a Partial/Final pair over partitions only
    assert drawn >= 130, drawn


WINDOWS = [
    ("derivative(f)", ""), ("difference(g), cumulative_sum(f) AS c", "host"), ("moving_average(f, 2), elapsed(g)", "host, region"),
    ("difference(mean(f))", "time(1s)"), ("derivative(count(f)), mean(f)", "time(1s), host"),
    ("cumulative_sum(sum(g)), difference(sum(g))", "time(1s), host, region"), ("difference(mean(f)), mean(f)", "time(1s)"),
    ("derivative(last(f))", "time(1s), host"), ("difference(max(g)), first(f)", "time(1s)"),
]
WINDOW_CLAUSES = ["", " fill(none)", " fill(previous)", " fill(3)", " LIMIT 1", " LIMIT 2 OFFSET 1", " tz('Europe/Paris')",
                  " ORDER BY time DESC", " ORDER BY time DESC LIMIT 1 tz('Europe/Paris')"]


def test_every_drawn_window_plan_reads_its_childs_columns(stores):
    """The same check over window functions (of fields, of aggregates beside plain ones), under
    each fill, LIMIT/OFFSET and tz() (winfunc3.py, winexec3.py)."""
    drawn, problems = 0, []
    for (fields, group), clause, layout, tag in itertools.product(WINDOWS, WINDOW_CLAUSES, LAYOUTS, TAG_TESTS):
        group_by = f" GROUP BY {group}" if group else ""
        q = f"SELECT {fields} FROM m WHERE time >= 0 AND time < 5s{tag}{group_by}{clause}"
        (res,) = stores[layout].query(f"EXPLAIN {q}", db="db").to_json()["results"]
        plan = {s["name"]: s["values"][0][0] for s in res.get("series", [])}.get("physical_plan", "")
        if "WindowAggExec" not in plan:
            continue  # not drawn (or an error: a fill without GROUP BY time)
        drawn += 1
        found: list[str] = []
        _check(_tree(plan), found)
        problems += [f"{q} [{layout}]: {p}" for p in found]
    assert problems == []
    assert drawn >= 355, drawn  # 360 of 486 (fills without GROUP BY time: errors; some shapes over several partitions: not drawn)


def test_the_checker_finds_a_misplaced_column():
    plan = ("ProjectionExec: expr=[host@1 as host, count(m.f)@0 as count]\n"
            "  AggregateExec: mode=Single, gby=[host@1 as host], aggr=[count(m.f)]\n"
            "    DataSourceExec: file_groups={1 group: [[x.parquet]]}, projection=[f, host], file_type=parquet\n")
    found: list[str] = []
    assert _check(_tree(plan), found) == ["host", "count"]
    assert found == ["ProjectionExec: host@1 over ['host', 'count(m.f)']",
                     "ProjectionExec: count(m.f)@0 over ['host', 'count(m.f)']"]
