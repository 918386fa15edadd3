"""Every SELECT of InfluxDB 3's own tests, run through this store's influxdb3 dialect.

A development tool, not a test: it reads the sources of influxdata/influxdb3_core
(``iox_query_influxql``'s planner snapshots, ``planner.rs``, ``rewriter.rs`` and the crate's
other test strings) and of influxdata/influxdb (``influxdb3/tests/server/query.rs``) from git
mirrors, takes each statement with what v3 does with it (plans it, or errs), runs it on a store
holding the planner tests' schema (``plan/test_utils.rs`` and ``planner.rs`` logical_plan) and
lists where this store errs and v3 does not ("refused") and where v3 errs and this store
answers ("answered"). Run::

    PYTHONPATH=$PWD python -m tests.dialects.iox_corpus [--core REPO.git] [--influxdb REPO.git] [-v]
"""
from __future__ import annotations

import argparse
import collections
import json
import re
import subprocess
from dataclasses import dataclass
from datetime import datetime

CORE = "/work/.mirror/influxdata+influxdb3_core/repo"
INFLUXDB = "/work/.mirror/influxdata+influxdb/repo"
SNAPSHOTS = "iox_query_influxql/src/plan/snapshots/"
NOW = "2023-01-01T00:00:00Z"  # test_utils.rs MockSchemaProvider: query_execution_start_time

# the planner tests' measurements (test_utils.rs database::schemas, planner.rs logical_plan),
# all_types holding both versions' fields; two points each, before NOW
SCHEMA = {
    "cpu": ("host=h1,region=r1,cpu=cpu0", "usage_user=1.5,usage_system=2.5,usage_idle=90.5"),
    "disk": ("host=h1,region=r1,device=sda", "bytes_used=10i,bytes_free=20i"),
    "diskio": ("host=h1,region=r1,status=ok",
               "bytes_read=1i,bytes_written=2i,read_utilization=0.5,write_utilization=0.25,is_local=true"),
    "temp_01": ("shared_tag0=a,shared_tag1=b",
                'shared_field0=1.5,field_f64=2.5,field_i64=3i,field_u64=4u,field_str="s"'),
    "temp_02": ("shared_tag0=a,shared_tag1=b", "shared_field0=2i"),
    "temp_03": ("shared_tag0=a,shared_tag1=b", 'shared_field0="x"'),
    "merge_00": ("col0=a", 'col1=1.5,col2=true,col3="s"'),
    "merge_01": ("col1=a", 'col0=1.5,col3=true,col2="s"'),
    "all_types": ("tag0=a,tag1=b", 'field_f64=1.5,field_i64=2i,field_u64=3u,field_str="s",field_bool=true,'
                                   'f64_field=1.5,i64_field=2i,str_field="s",bool_field=true,u64_field=3u'),
    "data": ("foo=a,bar=b", 'f64_field=1.5,mixedCase=2.5,with\\ space=3.5,i64_field=4i,str_field="s",'
                            "bool_field=true,TIME=false"),
    "name_clash": ("first=a", "f=1.5"),
    **{f"m{i}": ("many_measurements=a", "f64_field=1.5") for i in range(5)},
}
TIMES = ("2022-12-31T23:50:00Z", "2022-12-31T23:55:00Z")

_LITERAL = re.compile(r'r(#*)"(.*?)"\1|"((?:[^"\\]|\\.)*)"', re.S)
_COMMENT_LINE = re.compile(r"^[ \t]*//.*$", re.M)
_SELECT = re.compile(r"\s*select\b", re.I)
_ERRS = ("unwrap_err", "is_err()", "assert_error!", "expect_err")
_PLAN = re.compile(r"(Sort|EmptyRelation|Explain|Analyze|Projection|Union|Limit|Filter|Aggregate|GapFill)\b")


@dataclass(frozen=True)
class Case:
    """One statement of v3's tests and what v3 does with it."""

    query: str
    v3_errs: bool | None  # None: v3's answer is not known (an ignored test)
    source: str
    columns: tuple[str, ...] | None = None  # the plan's output columns (a snapshot's), () for none


def plan_columns(plan: str) -> tuple[str, ...] | None:
    """The output columns of a snapshot's logical plan (its root's schema, ``[name:Type, ...]``,
    but ``iox::measurement``); () for an EmptyRelation; None for an EXPLAIN."""
    first = plan.strip().split("\n", 1)[0]
    if first.startswith("EmptyRelation"):
        return ()
    if first.startswith(("Explain", "Analyze")) or not first.endswith("]"):
        return None
    schema, depth, parts, cur = first[first.rindex(" [") + 2:-1], 0, [], ""
    for ch in schema:
        depth += ch == "("
        depth -= ch == ")"
        if ch == "," and depth == 0:
            parts.append(cur.strip())
            cur = ""
        else:
            cur += ch
    parts.append(cur.strip())
    names = [re.match(r"(.*?):(?=[A-Z][A-Za-z0-9]*(?:\(|;|$))", p).group(1) for p in parts]
    return tuple(n for n in names if n != "iox::measurement")


def git_show(repo: str, path: str) -> str:
    """A file of a bare mirror's HEAD."""
    return subprocess.run(["git", "-C", repo, "show", f"HEAD:{path}"], capture_output=True, text=True,
                          check=True).stdout


def git_files(repo: str, under: str) -> list[str]:
    """The files under a folder of a bare mirror's HEAD (names may hold spaces)."""
    out = subprocess.run(["git", "-C", repo, "ls-tree", "-r", "-z", "--name-only", "HEAD", under],
                         capture_output=True, text=True, check=True).stdout
    return [p for p in out.split("\0") if p]


def rust_string(m: re.Match) -> str:
    """The text of a Rust string literal matched by ``_LITERAL`` (raw, or with its escapes undone)."""
    if m.group(2) is not None:
        return m.group(2)
    return re.sub(r'\\(.)', lambda e: {"n": "\n", "t": "\t"}.get(e.group(1), e.group(1)), m.group(3))


def snapshot_cases(repo: str) -> list[Case]:
    """planner.rs snapshots: the statement (insta's ``expression: "plan(...)"``) and its plan or error."""
    out = []
    for path in git_files(repo, SNAPSHOTS):
        text = git_show(repo, path)
        head, _, body = text.partition("\n---\n")
        expr = re.search(r'^expression: (".*")$', head, re.M)
        if expr is None:
            continue
        call = json.loads(expr.group(1))
        lit = _LITERAL.search(call)
        if lit is None or not _SELECT.match(rust_string(lit)):
            continue
        planned = bool(_PLAN.match(body.strip()))
        out.append(Case(" ".join(rust_string(lit).split()), not planned, path.rsplit("/", 1)[1],
                        plan_columns(body) if planned else None))
    return out


def source_cases(repo: str, path: str, planned: bool) -> list[Case]:
    """Each SELECT literal of a Rust file, v3 erring when the code after it (up to the next
    statement literal) checks for an error. ``planned``: a test that passes has planned the
    statement (planner.rs); else it only passed the rewriter, v3's answer is unknown. None
    from ``#[ignore]``d tests, comments, ``format!`` templates or printed rewrites (``::timestamp``)."""
    text = _COMMENT_LINE.sub(lambda c: " " * len(c.group()), git_show(repo, path))
    found = [(m, rust_string(m)) for m in _LITERAL.finditer(text)]
    found = [(m, s) for m, s in found if _SELECT.match(s) and not _skipped(s)]
    out = []
    for k, (m, s) in enumerate(found):
        upto = found[k + 1][0].start() if k + 1 < len(found) else len(text)
        after = text[m.end():min(upto, m.end() + 400)]
        before = text[max(0, m.start() - 60):m.start()]
        fn = text.rfind("fn ", 0, m.start())
        ignored = "#[ignore]" in text[max(0, fn - 80):fn]
        err_at = min((after.find(e) for e in _ERRS if e in after), default=-1)
        ok_at = after.find(".unwrap()")
        errs = "TestFailure" in before or (err_at >= 0 and not 0 <= ok_at < err_at)
        known = errs or (planned and not ignored)
        out.append(Case(" ".join(s.split()), errs if known else None,
                        f"{path.rsplit('/', 1)[1]}:{text.count(chr(10), 0, m.start()) + 1}"))
    return out


def _skipped(s: str) -> bool:
    return ("$" in s or "{" in s or "::timestamp" in s
            or "distinct_cache" in s)


def server_cases(repo: str) -> list[Case]:
    """influxdb3/tests/server/query.rs: InfluxQL of the /query and /api/v3/query_influxql tests."""
    text = git_show(repo, "influxdb3/tests/server/query.rs")
    out = []
    for fn in re.finditer(r"async fn (\w+)\(", text):
        name = fn.group(1)
        if "sql" in name and "influxql" not in name or "distinct_cache" in name:
            continue
        end = text.find("async fn ", fn.end())
        body = text[fn.end():end if end > 0 else len(text)]
        for m in _LITERAL.finditer(body):
            s = rust_string(m)
            if _SELECT.match(s) and "$" not in s:
                errs = "invalid" in name or '"invalid' in body[m.end():m.end() + 300]
                out.append(Case(" ".join(s.split()), errs, f"query.rs {name}"))
    return out


def all_cases(core: str, influxdb: str) -> list[Case]:
    cases = snapshot_cases(core)
    snapped = {c.query for c in cases}
    for path in git_files(core, "iox_query_influxql/src") + git_files(core, "iox_query_influxql_rewrite/src"):
        if path.endswith(".rs"):
            planned = path.endswith(("planner.rs", "frontend/planner.rs"))
            cases += [c for c in source_cases(core, path, planned) if c.query not in snapped]
    cases += server_cases(influxdb)
    seen, unique = set(), []
    for c in cases:  # one case per statement: a known answer before an unknown one
        if c.query not in seen:
            seen.add(c.query)
            unique.append(c)
    return unique


def _ns(rfc: str) -> int:
    return int(datetime.fromisoformat(rfc.replace("Z", "+00:00")).timestamp()) * 10**9


def shown(c: Case) -> tuple[str, ...]:
    """The plan's columns a v1 answer shows: GROUP BY tags are series tags, columns only when
    a field of the tag's name selects it (planner.rs make_tag_key_column_meta ``is_projected``,
    iox_v1_query_api; planner/select.rs ProjectionInfo: a field of the name not renamed ``_1``)."""
    from tsdb_core.influxql.ast import expr as A
    from tsdb_core.influxql.parser.driver import parse_statement
    from tsdb_core.influxql.dialects.influxdb3 import order_by_time
    stmt = parse_statement(order_by_time(c.query))
    tags = {d.expr.name for d in stmt.dimensions if isinstance(d.expr, A.VarRef)}
    named = {f.alias or f.expr.name for f in stmt.fields if isinstance(f.expr, (A.VarRef, A.Call))}
    dropped = tags - {n for n in named if f"{n}_1" not in c.columns}
    return tuple(n for n in c.columns if n not in dropped)


# the databases v3's rewrite tests name (iox_query_influxql_rewrite lib.rs ``select``): ``db`` the
# request's, ``foo/bar`` (``foo.bar.cpu``) and ``<id>/bar``, a v3 ``db/rp`` being database db, policy rp here
DATABASES = (("db", None), ("foo", None), ("foo", "bar"), ("5318725357728643_8729387113858758", "bar"))


def store():
    """An influxdb3 store holding the planner tests' measurements in the DATABASES."""
    import tsdb_core
    from tsdb_core.testing import ManualClock
    s = tsdb_core.open(clock=ManualClock(_ns(NOW)), dialect="influxdb3")
    lines = [f"{m},{tags} {fields} {_ns(t)}" for m, (tags, fields) in SCHEMA.items() for t in TIMES]
    for db, rp in DATABASES:
        if rp is not None:
            s.create_database(db)
            s.create_retention_policy(db, rp, duration=0)
        result = s.write(db, "\n".join(lines), rp=rp)
        assert result.ok, result
    return s


def answer_of(s, q: str) -> tuple[str | None, tuple[str, ...] | None]:
    """(the statement's error, the columns of its first series: None when it has none)."""
    doc = s.query(q, db="db").to_json()
    if "error" in doc:
        return doc["error"], None
    res = doc["results"][0]
    series = res.get("series") or [{}]
    return res.get("error"), tuple(series[0]["columns"]) if "columns" in series[0] else None


def main(argv=None) -> int:
    """Print the counts and the statements answered otherwise than v3 does."""
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--core", default=CORE)
    ap.add_argument("--influxdb", default=INFLUXDB)
    ap.add_argument("-v", "--verbose", action="store_true", help="print every statement")
    args = ap.parse_args(argv)
    cases = all_cases(args.core, args.influxdb)
    s = store()
    refused, answered, shaped, kinds = [], [], [], collections.Counter()
    for c in cases:
        try:
            err, columns = answer_of(s, c.query)
        except Exception as e:  # noqa: BLE001 - an internal error is a finding too
            err, columns = f"internal: {type(e).__name__}: {e}", None
        if err is not None and c.v3_errs is False:
            refused.append((c, err))
            kinds[err.split("\n")[-1][:90]] += 1
        elif err is None and c.v3_errs:
            answered.append(c)
        elif err is None and c.columns is not None and columns is not None and columns != shown(c):
            shaped.append((c, columns))
        if args.verbose:
            print(f"{c.source}\t{'ERR' if c.v3_errs else 'ok' if c.v3_errs is False else '?'}\t{c.query}\t{err}")
    print(f"{len(cases)} statements ({sum(c.v3_errs is False for c in cases)} v3 plans, "
          f"{sum(bool(c.v3_errs) for c in cases)} v3 refuses, {sum(c.v3_errs is None for c in cases)} unknown)")
    print(f"refused here, planned by v3: {len(refused)}")
    for c, err in refused:
        print(f"  {c.source}: {c.query}\n      -> {err.splitlines()[-1][:160]}")
    print(f"answered here, refused by v3: {len(answered)}")
    for c in answered:
        print(f"  {c.source}: {c.query}")
    print(f"other columns than v3's plan: {len(shaped)}")
    for c, columns in shaped:
        print(f"  {c.source}: {c.query}\n      v3 {list(shown(c))}\n      us {list(columns)}")
    print("commonest refusals:")
    for k, n in kinds.most_common(10):
        print(f"  {n:3d}  {k}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
