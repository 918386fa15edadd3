"""Record v1time.json from influxd 1.6.7: ``python tests/cases/query/v1time_record.py BASE``.

Writes v1time_cases' lines into a fresh ``v1time`` database, asks every query twice, then
writes the lines again in reverse into a fresh database and asks again: a query whose answers
differ is recorded with ``"varies": true`` (the tests fail on it)."""
from __future__ import annotations

import json
import sys
import urllib.parse
import urllib.request
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from build_noaa_cases import fetch  # noqa: E402
from v1time_cases import QUERIES, TIME_DB, time_lines  # noqa: E402


def load(base: str, reverse: bool) -> None:
    fetch(base, f'DROP DATABASE "{TIME_DB}"', "", None)
    fetch(base, f'CREATE DATABASE "{TIME_DB}"', "", None)
    lines = time_lines()[::-1] if reverse else time_lines()
    req = urllib.request.Request(f"{base}/write?{urllib.parse.urlencode({'db': TIME_DB})}",
                                 data="\n".join(lines).encode())
    with urllib.request.urlopen(req) as r:
        assert r.status == 204


def main(base: str) -> None:
    answers: dict[str, list] = {q: [] for q in QUERIES}
    for reverse in (False, True):
        load(base, reverse)
        for q in answers:
            answers[q] += [fetch(base, q, TIME_DB, None) for _ in range(2)]
    cases = []
    for q, got in answers.items():
        case = {"query": q, "db": TIME_DB, "epoch": None, "expected": got[0]}
        if any(a != got[0] for a in got):
            case["varies"] = True
        cases.append(case)
    (Path(__file__).resolve().parent / "v1time.json").write_text(json.dumps(cases, indent=1) + "\n")


if __name__ == "__main__":
    main(sys.argv[1])
