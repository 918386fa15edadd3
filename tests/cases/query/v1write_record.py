"""Record v1write.json from a real influxd 1.6.7 (run by hand; the tests only read the file):

    python tests/cases/query/v1write_record.py http://127.0.0.1:8086
"""
from __future__ import annotations

import json
import sys
import urllib.error
import urllib.request
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
from build_noaa_cases import fetch, record  # noqa: E402
from v1write_cases import QUERIES, V1WRITE_DB, WRITES  # noqa: E402


def write(base: str, body: str) -> dict:
    req = urllib.request.Request(f"{base}/write?db={V1WRITE_DB}", data=body.encode())
    try:
        with urllib.request.urlopen(req) as r:
            return {"body": body, "status": r.status, "error": None}
    except urllib.error.HTTPError as e:
        return {"body": body, "status": e.code, "error": json.loads(e.read())["error"]}


def main(base: str) -> None:
    fetch(base, f"DROP DATABASE {V1WRITE_DB}", V1WRITE_DB, None)
    fetch(base, f"CREATE DATABASE {V1WRITE_DB}", V1WRITE_DB, None)
    writes = [write(base, body) for body in WRITES]
    record(base, QUERIES, V1WRITE_DB, "v1write.json")
    out = Path(__file__).with_name("v1write.json")
    out.write_text(json.dumps({"writes": writes, "queries": json.loads(out.read_text())}, indent=1) + "\n")


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else "http://127.0.0.1:18186")
