"""Survey: EXPLAIN VERBOSE's ``initial_logical_plan`` against every planner snapshot of influxdb3_core.

Not a test (the mirror is not part of the project): run by hand from the worktree root,
``PYTHONPATH=$PWD python -m tests.dialects.v3_survey [/path/to/bare/repo] [--list CLASS]``.
Each ``plan("...")`` snapshot of ``iox_query_influxql/src/plan/snapshots`` whose body is a plan
is one of: identical; not drawn (this store's own plan printed instead); refused (an error
where v3 plans); drawn differently (a v3-shaped plan, not the snapshot's). An EXPLAIN of an
EXPLAIN is skipped (test_v3_nested_explain.py), as are snapshots of errors.
"""
from __future__ import annotations

import json
import re
import subprocess
import sys
from collections import Counter

import tsdb_core
from tests.dialects.test_v3_explain_show import NOW, _without_schema, catalog_lines
from tsdb_core.testing import ManualClock

MIRROR = "/work/.mirror/influxdata+influxdb3_core/repo"
DIR = "iox_query_influxql/src/plan/snapshots/"
V3_NODES = re.compile(r"(Sort|Projection|Filter|Union|Limit|TableScan|Aggregate|Window|GapFill|SeriesLimit"
                      r"|EmptyRelation|Explain|Analyze|Subquery|Values|Distinct)\b")


def snapshots(repo: str):
    """(name, InfluxQL, plan without schemas) of each planner snapshot of a plan."""
    names = subprocess.run(["git", "-C", repo, "ls-tree", "-z", "--name-only", "HEAD", DIR], check=True,
                           capture_output=True, text=True).stdout.split("\0")
    for path in sorted(n for n in names if "planner__tests" in n and n.endswith(".snap")):
        text = subprocess.run(["git", "-C", repo, "show", f"HEAD:{path}"], check=True,
                              capture_output=True, text=True).stdout
        head, _, body = text.partition("\n---\n")
        m = re.search(r'^expression: (".*")$', head, re.M)
        e = json.loads(m.group(1)) if m else ""
        if not (e.startswith('plan("') and e.endswith('")')):
            continue
        q = re.sub(r"\\(.)", r"\1", e[len('plan("'):-2])
        plan = "\n".join(_without_schema(line) for line in body.strip("\n").split("\n"))
        if not V3_NODES.match(plan):
            continue  # an error's text
        yield path.rsplit("/", 1)[1], q, plan


def classify(store, q: str, plan: str) -> str:
    if q.upper().startswith("EXPLAIN"):
        return "skip"
    (res,) = store.query(f"EXPLAIN VERBOSE {q}", db="db").to_json()["results"]
    got = next((s["values"][0][0] for s in res.get("series", []) if s["name"] == "initial_logical_plan"), None)
    if got is None:
        return "refused"
    if got == plan:
        return "identical"
    return "drawn differently" if V3_NODES.match(got) else "not drawn"


def main(argv: list[str]) -> None:
    repo = next((a for a in argv if not a.startswith("--") and "/" in a), MIRROR)
    listed = argv[argv.index("--list") + 1] if "--list" in argv else None
    store = tsdb_core.open(clock=ManualClock(NOW), dialect="influxdb3")
    assert store.write("db", catalog_lines()).ok
    counts = Counter()
    for name, q, plan in snapshots(repo):
        kind = classify(store, q, plan)
        counts[kind] += 1
        if listed == kind:
            print(name.removeprefix("iox_query_influxql__plan__planner__tests__"), "|", q)
    store.close()
    print(dict(counts), "total", sum(counts.values()))


if __name__ == "__main__":
    main(sys.argv[1:])
