"""Record v1restart.json from a real influxd 1.6.7, restarted by hand in between (the tests
only read the file):

    python tests/cases/query/v1restart_record.py before http://127.0.0.1:8086
    (restart influxd)
    python tests/cases/query/v1restart_record.py after http://127.0.0.1:8086
"""
from __future__ import annotations

import json
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
from build_noaa_cases import fetch  # noqa: E402
from v1restart_cases import LATER_QUERIES, LATER_WRITES, QUERIES, V1RESTART_DB, WRITES  # noqa: E402
from v1write_cases import V1WRITE_DB  # noqa: E402,F401 (same write helper below)
import v1write_record  # noqa: E402

OUT = Path(__file__).with_name("v1restart.json")


def answers(base: str, queries: list[str]) -> list[dict]:
    return [{"query": q, "expected": fetch(base, q, V1RESTART_DB, None)} for q in queries]


def write(base: str, body: str) -> dict:
    v1write_record.V1WRITE_DB = V1RESTART_DB
    return v1write_record.write(base, body)


def main(phase: str, base: str) -> None:
    if phase == "before":
        fetch(base, f"DROP DATABASE {V1RESTART_DB}", V1RESTART_DB, None)
        fetch(base, f"CREATE DATABASE {V1RESTART_DB}", V1RESTART_DB, None)
        doc = {"writes": [write(base, b) for b in WRITES], "before": answers(base, QUERIES)}
    else:
        doc = json.loads(OUT.read_text())
        doc["after"] = answers(base, QUERIES)
        doc["later_writes"] = [write(base, b) for b in LATER_WRITES]
        doc["later"] = answers(base, LATER_QUERIES)
    OUT.write_text(json.dumps(doc, indent=1) + "\n")


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2] if len(sys.argv) > 2 else "http://127.0.0.1:18186")
