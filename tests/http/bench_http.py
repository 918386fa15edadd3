"""Throughput of the shim (not a test): ``python tests/http/bench_http.py [--lines N]``.

Writes N lines (5,000 per request, 4 fields each) through /api/v2/write on a real
socket, then times /query answers of the same rows in JSON, CSV and msgpack, and
the encoders alone on a 100k-row result.
"""
from __future__ import annotations

import argparse
import tempfile
import time

import httpx

from tsdb_core.query.results import Series, StatementResult
from tsdb_http import encode
from tsdb_http.serve import start_in_thread


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--lines", type=int, default=200_000)
    ap.add_argument("--batch", type=int, default=5_000)
    a = ap.parse_args()
    now = time.time_ns() - 3600 * 10**9
    with tempfile.TemporaryDirectory() as d:
        h = start_in_thread(d, no_auth=True, log_level="error")
        try:
            c = httpx.Client(base_url=h.url, timeout=120)
            bodies = []
            for start in range(0, a.lines, a.batch):
                bodies.append("\n".join(
                    f"cpu,host=h{i % 100},dc=d{i % 7} usage={i * 0.5},idle={100 - i % 100}.25,n={i}i,ok=true {now + i * 1000}"
                    for i in range(start, min(start + a.batch, a.lines))).encode())
            t = time.perf_counter()
            for b in bodies:
                r = c.post("/api/v2/write?bucket=bench", content=b)
                assert r.status_code == 204, r.text
            dt = time.perf_counter() - t
            print(f"write: {a.lines} lines ({a.lines * 4} values) in {dt:.2f}s = {a.lines / dt:,.0f} lines/s, "
                  f"{a.lines * 4 / dt:,.0f} values/s")
            for accept in ("application/json", "application/csv", "application/x-msgpack"):
                t = time.perf_counter()
                r = c.get("/query", params={"db": "bench", "q": "SELECT * FROM cpu"}, headers={"Accept": accept})
                dt = time.perf_counter() - t
                assert r.status_code == 200
                print(f"query {accept}: {a.lines} rows x 7 cols, {len(r.content) / 1e6:.1f} MB in {dt:.2f}s")
        finally:
            h.stop()
    rows = [[now + i, f"h{i % 100}", i * 0.5, 100 - i % 100 + 0.25, i, True] for i in range(100_000)]
    for kind in (encode.JSON, encode.CSV, encode.MSGPACK):
        res = [StatementResult(0, [Series("cpu", None, ["time", "host", "usage", "idle", "n", "ok"], [list(r) for r in rows])])]
        t = time.perf_counter()
        encode.render_times(res, None, kind)
        body = encode.Encoder(kind).encode(encode.Response(res))
        print(f"encode {kind}: 100k rows x 6 cols -> {len(body) / 1e6:.1f} MB in {time.perf_counter() - t:.3f}s")


if __name__ == "__main__":
    main()
