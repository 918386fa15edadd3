"""Record v1ties.json from influxd 1.6.7: ``python tests/cases/query/v1ties_record.py BASE [BASE2]``.

Each influxd holds the NOAA sample in NOAA_water_database; the recorder writes v1ties_cases'
lines into a fresh ``v1ties`` database (BASE2 gets them in reverse). Every query is asked of
each base twice; a query whose answers differ is recorded with ``"varies": true`` (and
the tests skip it, saying so); one of v1ties_cases.UNMODELLED with ``"unmodelled": why``."""
from __future__ import annotations

import json
import sys
import urllib.parse
import urllib.request
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from build_noaa_cases import fetch  # noqa: E402
from v1ties_cases import (NOAA_DB, NOAA_QUERIES, REGROUPED, TIES_DB, TIES_QUERIES, UNMODELLED,  # noqa: E402
                          escaped_lines, group_lines, shard_lines, ties_lines)


def load(base: str, reverse: bool) -> None:
    fetch(base, f'DROP DATABASE "{TIES_DB}"', "", None)
    fetch(base, f'CREATE DATABASE "{TIES_DB}"', "", None)
    lines = ties_lines() + escaped_lines() + group_lines() + shard_lines()
    lines = lines[::-1] if reverse else lines
    req = urllib.request.Request(f"{base}/write?{urllib.parse.urlencode({'db': TIES_DB})}",
                                 data="\n".join(lines).encode())
    with urllib.request.urlopen(req) as r:
        assert r.status == 204


def main(bases: list[str]) -> None:
    for i, base in enumerate(bases):
        load(base, reverse=i % 2 == 1)
    cases = []
    for db, queries in ((TIES_DB, TIES_QUERIES + REGROUPED + list(UNMODELLED)), (NOAA_DB, NOAA_QUERIES)):
        for q in queries:
            answers = [fetch(base, q, db, None) for base in bases for _ in range(2)]
            case = {"query": q, "db": db, "epoch": None, "expected": answers[0]}
            if any(a != answers[0] for a in answers):
                case["varies"] = True
            if q in UNMODELLED:
                case["unmodelled"] = UNMODELLED[q]
            cases.append(case)
    out = Path(__file__).resolve().parent / "v1ties.json"
    out.write_text(json.dumps(cases, indent=1) + "\n")


if __name__ == "__main__":
    main(sys.argv[1:])
