"""Record v1sums.json from influxd 1.6.7: ``python tests/cases/query/v1sums_record.py BASE``.

Writes v1sums_cases' lines into a fresh ``v1sums`` database, asks every query twice, then writes
them again in reverse into a fresh database and asks again: a query whose answers differ is
recorded with ``"varies": true``."""
from __future__ import annotations

import json
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from build_noaa_cases import fetch  # noqa: E402
from v1fill_record import load  # noqa: E402
from v1sums_cases import QUERIES, SUMS_DB, sums_lines  # noqa: E402

HERE = Path(__file__).resolve().parent


def main(base: str) -> None:
    answers: dict[str, list] = {q: [] for q in QUERIES}
    for reverse in (False, True):
        load(base, SUMS_DB, sums_lines(), reverse)
        for q in answers:
            answers[q] += [fetch(base, q, SUMS_DB, None) for _ in range(2)]
    cases = []
    for q, got in answers.items():
        case = {"query": q, "db": SUMS_DB, "epoch": None, "expected": got[0]}
        if any(a != got[0] for a in got):
            case["varies"] = True
        cases.append(case)
    (HERE / "v1sums.json").write_text(json.dumps(cases, indent=1) + "\n")


if __name__ == "__main__":
    main(sys.argv[1])
