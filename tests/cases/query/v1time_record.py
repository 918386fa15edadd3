"""Record v1time.json from influxd 1.6.7: ``python tests/cases/query/v1time_record.py BASE``
(``... BASE v1raw``: v1raw.json from v1raw_cases, its DB, lines() and QUERIES).

Writes v1time_cases' lines into a fresh ``v1time`` database, asks every query twice, then
writes the lines again in reverse into a fresh database and asks again: a query whose answers
differ is recorded with ``"varies": true`` (the tests fail on it)."""
from __future__ import annotations

import importlib
import json
import sys
import urllib.parse
import urllib.request
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from build_noaa_cases import fetch  # noqa: E402
from v1time_cases import QUERIES, TIME_DB, time_lines  # noqa: E402


def load(base: str, reverse: bool, db: str = TIME_DB, make_lines=time_lines) -> None:
    fetch(base, f'DROP DATABASE "{db}"', "", None)
    fetch(base, f'CREATE DATABASE "{db}"', "", None)
    lines = make_lines()[::-1] if reverse else make_lines()
    req = urllib.request.Request(f"{base}/write?{urllib.parse.urlencode({'db': db})}",
                                 data="\n".join(lines).encode())
    with urllib.request.urlopen(req) as r:
        assert r.status == 204


def main(base: str, name: str = "v1time") -> None:
    if name == "v1time":
        db, make_lines, queries = TIME_DB, time_lines, QUERIES
    else:
        mod = importlib.import_module(f"{name}_cases")
        db, make_lines, queries = mod.DB, mod.lines, mod.QUERIES
    answers: dict[str, list] = {q: [] for q in queries}
    for reverse in (False, True):
        load(base, reverse, db, make_lines)
        for q in answers:
            answers[q] += [fetch(base, q, db, None) for _ in range(2)]
    cases = []
    for q, got in answers.items():
        case = {"query": q, "db": db, "epoch": None, "expected": got[0]}
        if any(a != got[0] for a in got):
            case["varies"] = True
        cases.append(case)
    (Path(__file__).resolve().parent / f"{name}.json").write_text(json.dumps(cases, indent=1) + "\n")


if __name__ == "__main__":
    main(*sys.argv[1:3])
