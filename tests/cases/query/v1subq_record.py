"""Record v1subq.json from influxd 1.6.7: ``python tests/cases/query/v1subq_record.py BASE``.

Writes v1subq_cases' lines (both measurements) into a fresh ``v1subq`` database, asks every query twice, then
writes the lines again in reverse into a second fresh database and asks again: a query
whose answers differ is recorded with ``"varies": true`` (the tests skip it, saying so).
``--append``: ask only the queries v1subq.json lacks and add them at its end (the rest kept as is)."""
from __future__ import annotations

import json
import sys
import urllib.parse
import urllib.request
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from build_noaa_cases import fetch  # noqa: E402
from v1subq_cases import QUERIES, SUBQ_DB, UNMODELLED, shard_lines, subq_lines  # noqa: E402


def load(base: str, reverse: bool) -> None:
    fetch(base, f'DROP DATABASE "{SUBQ_DB}"', "", None)
    fetch(base, f'CREATE DATABASE "{SUBQ_DB}"', "", None)
    lines = subq_lines() + shard_lines()
    lines = lines[::-1] if reverse else lines
    req = urllib.request.Request(f"{base}/write?{urllib.parse.urlencode({'db': SUBQ_DB})}",
                                 data="\n".join(lines).encode())
    with urllib.request.urlopen(req) as r:
        assert r.status == 204


def main(base: str, append: bool = False) -> None:
    out = Path(__file__).resolve().parent / "v1subq.json"
    kept = json.loads(out.read_text()) if append else []
    known = {c["query"] for c in kept}
    answers: dict[str, list] = {q: [] for q in QUERIES if q not in known}
    for reverse in (False, True):
        load(base, reverse)
        for q in answers:
            answers[q] += [fetch(base, q, SUBQ_DB, None) for _ in range(2)]
    cases = kept
    for q, got in answers.items():
        case = {"query": q, "db": SUBQ_DB, "epoch": None, "expected": got[0]}
        if any(a != got[0] for a in got):
            case["varies"] = True
        if q in UNMODELLED:
            case["unmodelled"] = UNMODELLED[q]
        cases.append(case)
    out.write_text(json.dumps(cases, indent=1) + "\n")


if __name__ == "__main__":
    main(sys.argv[1], "--append" in sys.argv[2:])
