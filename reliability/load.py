"""Load: 8 writers and 4 readers against the real ``tsdb serve`` for a fixed time.

Writers post 500-line batches (one series each) to /api/v2/write; readers run
a count per series, a windowed mean and a SHOW query in turn. Checks: zero
errors; every reader's count is at least what was acknowledged before it
asked (acknowledged means queryable); at the end each series' count equals
its acknowledged points exactly. Figures: requests, points/s, p50/p99
latencies per kind.
"""
from __future__ import annotations

import random
import threading
import time
from dataclasses import dataclass
from pathlib import Path

import httpx
import orjson

from .server import Server

BATCH = 500


@dataclass
class LoadFigures:
    seconds: float
    writes: int
    points: int
    queries: int
    errors: int
    write_p50_ms: float
    write_p99_ms: float
    query_p50_ms: float
    query_p99_ms: float

    def row(self) -> str:
        return (f"{self.seconds:.0f} s, {self.writes} writes ({self.points} points, "
                f"{self.points / self.seconds:,.0f} points/s), {self.queries} queries, errors {self.errors}; "
                f"write p50 {self.write_p50_ms:.1f} ms p99 {self.write_p99_ms:.1f} ms; "
                f"query p50 {self.query_p50_ms:.1f} ms p99 {self.query_p99_ms:.1f} ms")


def _pct(xs: list[float], p: float) -> float:
    if not xs:
        return 0.0
    xs = sorted(xs)
    return xs[min(len(xs) - 1, int(p * len(xs)))] * 1e3


def run(data_dir: Path, seconds: float = 30.0, writers: int = 8, readers: int = 4, cli: bool = True,
        seed: int = 3) -> LoadFigures:
    server = Server(data_dir, cli=cli)
    server.start()
    url = server.url
    t0 = time.time_ns() - 3600 * 10**9
    acked = [0] * writers
    lock = threading.Lock()
    wlat: list[float] = []
    qlat: list[float] = []
    errors: list[str] = []
    stop = threading.Event()

    def writer(w: int) -> None:
        c = httpx.Client(timeout=30.0)
        n = 0
        while not stop.is_set():
            body = "\n".join(f"ld,w=w{w} i={n + k}i,v={(n + k) * 0.5} {t0 + (n + k) * 1000}"
                             for k in range(BATCH)).encode()
            s = time.perf_counter()
            try:
                r = c.post(f"{url}/api/v2/write", params={"bucket": "load"}, content=body,
                           headers={"Content-Type": "text/plain"})
                ok = r.status_code == 204
                why = f"write {r.status_code} {r.text[:200]}"
            except httpx.HTTPError as e:
                ok, why = False, f"write {type(e).__name__}: {e}"
            dt = time.perf_counter() - s
            with lock:
                wlat.append(dt)
                if ok:
                    n += BATCH
                    acked[w] = n
                else:
                    errors.append(why)
        c.close()

    def reader(r_: int) -> None:
        c = httpx.Client(timeout=30.0)
        rng = random.Random(seed * 10 + r_)
        while not stop.is_set():
            w = rng.randrange(writers)
            kind = rng.randrange(3)
            with lock:
                floor = acked[w]
            q = (f"SELECT count(i) FROM ld WHERE w = 'w{w}'" if kind == 0 else
                 f"SELECT mean(v) FROM ld WHERE w = 'w{w}' AND time >= {t0} AND time < {t0 + 3600 * 10**9} "
                 "GROUP BY time(1m)" if kind == 1 else "SHOW TAG VALUES FROM ld WITH KEY = w")  # (v3 has no SHOW SERIES)
            s = time.perf_counter()
            try:
                resp = c.get(f"{url}/query", params={"db": "load", "q": q})
                doc = orjson.loads(resp.content) if resp.status_code == 200 else None
                res = doc["results"][0] if doc else {}
                ok = resp.status_code == 200 and "error" not in res
                why = f"query {resp.status_code} {resp.text[:200]}"
                if ok and kind == 0 and floor:
                    got = res["series"][0]["values"][0][1] if res.get("series") else 0
                    if got < floor:
                        ok, why = False, f"count {got} < acknowledged {floor} for w{w}"
            except (httpx.HTTPError, ValueError, KeyError) as e:
                ok, why = False, f"query {type(e).__name__}: {e}"
            dt = time.perf_counter() - s
            with lock:
                qlat.append(dt)
                if not ok:
                    errors.append(why)
        c.close()

    threads = [threading.Thread(target=writer, args=(w,), daemon=True) for w in range(writers)]
    threads += [threading.Thread(target=reader, args=(r,), daemon=True) for r in range(readers)]
    start = time.monotonic()
    try:  # the database exists before the readers start (the first write creates it)
        r = httpx.post(f"{url}/api/v2/write", params={"bucket": "load"}, content=f"init v=1 {t0}".encode())
        assert r.status_code == 204, r.text
        for t in threads:
            t.start()
        time.sleep(seconds)
        stop.set()
        for t in threads:
            t.join(60)
        elapsed = time.monotonic() - start
        doc = orjson.loads(httpx.get(f"{url}/query", params={"db": "load", "q": "SELECT count(i) FROM ld GROUP BY w"},
                                     timeout=60).content)
        got = {s["tags"]["w"]: s["values"][0][1] for s in doc["results"][0].get("series", [])}
        want = {f"w{w}": n for w, n in enumerate(acked) if n}
        if got != want:
            errors.append(f"final counts {got} != acknowledged {want}")
    finally:
        stop.set()
        server.stop()
    return LoadFigures(elapsed, len(wlat), sum(acked), len(qlat), len(errors), _pct(wlat, .5), _pct(wlat, .99),
                       _pct(qlat, .5), _pct(qlat, .99)), errors


if __name__ == "__main__":
    import sys
    import tempfile

    with tempfile.TemporaryDirectory() as d:
        fig, errs = run(Path(d) / "store", seconds=float(sys.argv[1]) if len(sys.argv) > 1 else 10)
        print(fig.row())
        print(errs[:5])
