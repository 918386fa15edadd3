"""Record v1fill.json from influxd 1.6.7: ``python tests/cases/query/v1fill_record.py BASE``.

Writes v1fill_cases' lines into a fresh ``v1fill`` database, asks every query twice, then writes
them again in reverse into a fresh database and asks again: a query whose answers differ is
recorded with ``"varies": true``. An answer that is no JSON (json's error for an infinity) is
kept as status, content type and body. ``--integral``: ask the m10 queries of
v1integral_map.json 20 times over each load and record their rows as a multiset
(``"rows"``) where every ask gave the same one."""
from __future__ import annotations

import json
import sys
import urllib.parse
import urllib.request
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from build_noaa_cases import fetch_raw  # noqa: E402
from v1fill_cases import FILL_DB, QUERIES, fill_lines  # noqa: E402

HERE = Path(__file__).resolve().parent
S = 1_000_000_000


def load(base: str, db: str, lines: list[str], reverse: bool) -> None:
    fetch_raw(base, f'DROP DATABASE "{db}"', "", None)
    fetch_raw(base, f'CREATE DATABASE "{db}"', "", None)
    lines = lines[::-1] if reverse else lines
    req = urllib.request.Request(f"{base}/write?{urllib.parse.urlencode({'db': db})}", data="\n".join(lines).encode())
    with urllib.request.urlopen(req) as r:
        assert r.status == 204


def _answer(base: str, q: str, db: str) -> dict:
    status, ctype, body = fetch_raw(base, q, db, None)
    try:
        return {"expected": json.loads(body)}
    except ValueError:
        return {"status": status, "content_type": ctype, "body": body.decode()}


def main(base: str) -> None:
    answers: dict[str, list] = {q: [] for q in QUERIES}
    for reverse in (False, True):
        load(base, FILL_DB, fill_lines(), reverse)
        for q in answers:
            answers[q] += [_answer(base, q, FILL_DB) for _ in range(2)]
    cases = []
    for q, got in answers.items():
        case = {"query": q, "db": FILL_DB, "epoch": None, **got[0]}
        if any(a != got[0] for a in got):
            case["varies"] = True
        cases.append(case)
    (HERE / "v1fill.json").write_text(json.dumps(cases, indent=1) + "\n")


def integral_rows(answer: dict) -> list:
    """The rows of an answer with their series' name and tags, sorted: what stays when only
    the order of the series varies."""
    out = []
    for st in answer.get("results", []):
        for s in st.get("series", []):
            out += [json.dumps([s["name"], s.get("tags"), s["columns"], row], sort_keys=True) for row in s["values"]]
    return sorted(out)


M10 = ["SELECT integral(v) FROM m10 GROUP BY host", "SELECT integral(v) FROM m10 GROUP BY time(3s), host",
       "SELECT integral(v) FROM m10 GROUP BY host ORDER BY time DESC"]


def record_integral(base: str) -> None:
    lines = [f"m10,host=h{h} v={i}i {i * S}" for h in range(10) for i in range(5)]
    path = HERE / "v1integral_map.json"
    cases = {c["query"]: c for c in json.loads(path.read_text())}
    asked: dict[str, list] = {q: [] for q in M10}
    for reverse in (False, True):
        load(base, "it10", lines, reverse)
        for q in M10:
            asked[q] += [json.loads(fetch_raw(base, q, "it10", None)[2]) for _ in range(20)]
    for q, got in asked.items():
        rows = {json.dumps(integral_rows(a)) for a in got}
        orders = {json.dumps(a) for a in got}
        case = cases.setdefault(q, {"query": q})
        case.update({"rows_asked": len(got), "rows_distinct_orders": len(orders)})
        if len(rows) == 1:
            case["rows"] = json.loads(rows.pop())
    path.write_text(json.dumps(list(cases.values()), indent=1) + "\n")


if __name__ == "__main__":
    if "--integral" in sys.argv[2:]:
        record_integral(sys.argv[1])
    else:
        main(sys.argv[1])
