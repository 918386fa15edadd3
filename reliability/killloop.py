"""Kill loop: concurrent HTTP writers, SIGKILL at random moments, restart, verify.

Every batch is ``LINES`` points over two measurements (``ka``: even lines,
``kb``: odd lines); its points' values are a function of (writer, batch, line),
so the checker recomputes them instead of storing them. Batch ``b`` of writer
``w`` lives in the 1 ms time bucket ``b * WRITERS + w`` after ``T0``: one
``count(v), sum(i) ... GROUP BY time(1ms)`` query gives every batch's row count
in both measurements. After each restart:

* every acknowledged (204) batch has all its rows (counts and sums), and the
  batches acknowledged since the last check are compared value by value;
* a batch whose request failed (in flight at the kill, or refused while the
  server was down) is all there or not there at all, in both measurements;
  once seen it must stay (it is durable), once absent it must never appear;
* the server restarted on its own (no repair step) and answered /ping.

At the end every acknowledged point is compared value by value.
"""
from __future__ import annotations

import random
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

import httpx
import orjson
import polars as pl

from .server import Server

LINES = 50
MS = 1_000_000


@dataclass
class Ledger:
    writers: int
    t0: int
    lock: threading.Lock = field(default_factory=threading.Lock)
    acked: set[int] = field(default_factory=set)        # bucket numbers (b * writers + w)
    uncertain: set[int] = field(default_factory=set)    # request failed: all or nothing
    present: set[int] = field(default_factory=set)      # must be there (acked or recovered)
    absent: set[int] = field(default_factory=set)       # failed and not there: must never appear
    new_acked: set[int] = field(default_factory=set)    # not yet compared value by value
    requests: int = 0
    errors_5xx: list[str] = field(default_factory=list)
    # Checks run with writers paused: one query over two measurements is not one snapshot.
    gate: threading.Condition = field(default_factory=threading.Condition)
    paused: bool = False
    inflight: int = 0

    def enter(self) -> None:
        with self.gate:
            while self.paused:
                self.gate.wait()
            self.inflight += 1

    def leave(self) -> None:
        with self.gate:
            self.inflight -= 1
            self.gate.notify_all()

    def pause(self) -> None:
        with self.gate:
            self.paused = True
            while self.inflight:
                self.gate.wait()

    def resume(self) -> None:
        with self.gate:
            self.paused = False
            self.gate.notify_all()


def batch_body(t0: int, writers: int, w: int, b: int) -> bytes:
    bucket = b * writers + w
    out = []
    for k in range(LINES):
        i = b * 1000 + k
        v = (i * 7919 + w) / 3.0
        m = "ka" if k % 2 == 0 else "kb"
        t = t0 + bucket * MS + k * 1000
        out.append(f'{m},w=w{w} i={i}i,v={v!r},s="w{w} b{b},k{k}" {t}')
    return "\n".join(out).encode()


def expected_frame(t0: int, writers: int, buckets: list[int]) -> pl.DataFrame:
    """Every point of the given batches, as the query returns them."""
    bk = pl.DataFrame({"bucket": buckets}, schema={"bucket": pl.Int64})
    df = bk.join(pl.DataFrame({"k": list(range(LINES))}, schema={"k": pl.Int64}), how="cross")
    w = pl.col("bucket") % writers
    b = pl.col("bucket") // writers
    i = b * 1000 + pl.col("k")
    out = df.select(
        pl.when(pl.col("k") % 2 == 0).then(pl.lit("ka")).otherwise(pl.lit("kb")).alias("m"),
        (t0 + pl.col("bucket") * MS + pl.col("k") * 1000).alias("time"),
        i.alias("i"),
        (i * 7919 + w).alias("v"),
        pl.format("w{} b{},k{}", w, b, pl.col("k")).alias("s"),
        pl.format("w{}", w).alias("w"),
    )
    # numpy divides exactly as Python does (Polars may multiply by the reciprocal)
    return out.with_columns(pl.Series("v", out["v"].to_numpy() / 3.0))


def _writer(url: str, ledger: Ledger, w: int, stop: threading.Event, rng: random.Random) -> None:
    client = httpx.Client(timeout=10.0)
    b = 0
    try:
        while not stop.is_set():
            bucket = b * ledger.writers + w
            body = batch_body(ledger.t0, ledger.writers, w, b)
            b += 1
            ledger.enter()
            try:
                r = client.post(f"{url}/api/v2/write", params={"bucket": "kill", "precision": "ns"},
                                content=body, headers={"Content-Type": "text/plain; charset=utf-8"})
            except httpx.HTTPError:
                ledger.leave()
                with ledger.lock:
                    ledger.uncertain.add(bucket)
                time.sleep(0.05 + rng.random() * 0.05)
                continue
            ledger.leave()
            with ledger.lock:
                ledger.requests += 1
                if r.status_code == 204:
                    ledger.acked.add(bucket)
                    ledger.present.add(bucket)
                    ledger.new_acked.add(bucket)
                else:
                    ledger.uncertain.add(bucket)
                    if r.status_code >= 500:
                        ledger.errors_5xx.append(f"{r.status_code} {r.text[:200]}")
    finally:
        client.close()


def query(url: str, q: str) -> dict:
    r = httpx.post(f"{url}/query", data={"db": "kill", "q": q, "epoch": "ns"}, timeout=120.0)
    r.raise_for_status()
    doc = orjson.loads(r.content)
    res = doc["results"][0]
    if "error" in res:
        raise AssertionError(f"query failed: {res['error']}")
    return res


def batch_counts(url: str, ledger: Ledger, top: int) -> dict[int, tuple[int, int, int]]:
    """bucket → (rows in ka, rows in kb, sum of i over both)."""
    res = query(url, f"SELECT count(v), sum(i) FROM ka, kb WHERE time >= {ledger.t0} "
                     f"AND time < {ledger.t0 + (top + 1) * MS} GROUP BY time(1ms) fill(none)")
    out: dict[int, list[int]] = {}
    for s in res.get("series", []):
        col = 0 if s["name"] == "ka" else 1
        for t, n, total in s["values"]:
            e = out.setdefault((t - ledger.t0) // MS, [0, 0, 0])
            e[col] = n
            e[2] += total
    return {k: tuple(v) for k, v in out.items()}


def rows(url: str, t0: int, start: int, end: int) -> pl.DataFrame:
    res = query(url, f"SELECT i, s, v, w FROM ka, kb WHERE time >= {start} AND time < {end}")
    frames = []
    for s in res.get("series", []):
        cols = s["columns"]
        df = pl.DataFrame(s["values"], schema=cols, orient="row", infer_schema_length=None)
        frames.append(df.with_columns(pl.lit(s["name"]).alias("m")))
    if not frames:
        return pl.DataFrame(schema={"m": pl.String, "time": pl.Int64, "i": pl.Int64, "v": pl.Float64,
                                    "s": pl.String, "w": pl.String})
    return pl.concat(frames, how="diagonal_relaxed").select(
        "m", pl.col("time").cast(pl.Int64), pl.col("i").cast(pl.Int64), pl.col("v").cast(pl.Float64),
        pl.col("s").cast(pl.String), pl.col("w").cast(pl.String))


def expected_sum(writers: int, bucket: int) -> int:
    b = bucket // writers
    return sum(b * 1000 + k for k in range(LINES))


def check(url: str, ledger: Ledger, full: bool = False) -> int:
    """Verify the store against the ledger (see the module docstring); returns points compared exactly."""
    with ledger.lock:
        acked_now = set(ledger.present)
        uncertain = ledger.uncertain - ledger.present - ledger.absent
        new = set(ledger.new_acked)
        absent = set(ledger.absent)
    known = acked_now | uncertain | absent
    top = max(known) if known else 0
    counts = batch_counts(url, ledger, top)
    half = {b: c for b, c in counts.items() if c[:2] not in ((LINES // 2, LINES // 2),)}
    assert not half, f"half batches visible: {sorted(half.items())[:5]}"
    missing = acked_now - counts.keys()
    assert not missing, f"acknowledged batches lost: {sorted(missing)[:10]} ({len(missing)})"
    wrong = [b for b in acked_now if counts[b][2] != expected_sum(ledger.writers, b)]
    assert not wrong, f"batches with wrong sums: {sorted(wrong)[:10]}"
    stray = counts.keys() - known
    assert not stray, f"rows nobody wrote: buckets {sorted(stray)[:10]}"
    resurrected = absent & counts.keys()
    assert not resurrected, f"batches seen absent came back: {sorted(resurrected)[:10]}"
    with ledger.lock:
        for b in uncertain:
            (ledger.present if b in counts else ledger.absent).add(b)
        recovered = {b for b in uncertain if b in counts}
        ledger.new_acked -= new
    exact = sorted(ledger.present if full else (new | recovered))
    if not exact:
        return 0
    start = ledger.t0 + exact[0] * MS
    got = rows(url, ledger.t0, start, ledger.t0 + (exact[-1] + 1) * MS)
    want = expected_frame(ledger.t0, ledger.writers, exact)
    key = ["m", "time"]
    joined = want.join(got, on=key, how="left", suffix="_got")
    lost = joined.filter(pl.col("i_got").is_null())
    assert lost.height == 0, f"acknowledged points lost: {lost.head(5).to_dicts()}"
    bad = joined.filter((pl.col("i") != pl.col("i_got")) | (pl.col("v") != pl.col("v_got"))
                        | (pl.col("s") != pl.col("s_got")) | (pl.col("w") != pl.col("w_got")))
    assert bad.height == 0, f"wrong values: {bad.head(5).to_dicts()}"
    return want.height


@dataclass
class KillFigures:
    kills: int
    requests: int
    acked_batches: int
    acked_points: int
    failed_batches: int
    recovered_batches: int
    points_checked: int
    points_lost: int
    max_restart_s: float
    seconds: float

    def row(self) -> str:
        return (f"kills {self.kills}, write requests {self.requests}, acknowledged points {self.acked_points} "
                f"({self.acked_batches} batches), failed requests {self.failed_batches} "
                f"(of which {self.recovered_batches} whole in the store, the rest wholly absent), "
                f"points compared exactly {self.points_checked}, points lost {self.points_lost}, "
                f"slowest restart {self.max_restart_s:.2f} s, {self.seconds:.0f} s")


def run(data_dir: Path, kills: int = 5, writers: int = 4, seed: int = 1, cli: bool = False,
        min_up: float = 0.5, max_up: float = 2.5, log=print) -> KillFigures:
    rng = random.Random(seed)
    t_start = time.monotonic()
    now = time.time_ns()
    ledger = Ledger(writers, (now - 86_400 * 10**9) // 10**9 * 10**9)
    server = Server(data_dir, cli=cli)
    max_restart = server_start = server.start()
    stop = threading.Event()
    threads = [threading.Thread(target=_writer, args=(server.url, ledger, w, stop, random.Random(seed * 100 + w)),
                                daemon=True) for w in range(writers)]
    for t in threads:
        t.start()
    checked = 0
    try:
        for n in range(kills):
            time.sleep(min_up + rng.random() * (max_up - min_up))
            server.kill()
            time.sleep(rng.random() * 0.05)
            took = server.start()
            max_restart = max(max_restart, took)
            ledger.pause()
            try:
                checked += check(server.url, ledger)
            finally:
                ledger.resume()
            log(f"kill {n + 1}/{kills}: restart {took:.2f}s, acked batches {len(ledger.acked)}, "
                f"failed {len(ledger.uncertain)}")
        stop.set()
        for t in threads:
            t.join(30)
        server.kill()  # the last one with nothing in flight
        server.start()
        checked += check(server.url, ledger, full=True)
        assert not ledger.errors_5xx, f"5xx answers: {ledger.errors_5xx[:3]}"
        log_text = server.log_tail(1_000_000)
        assert "Traceback" not in log_text, log_text[-3000:]
    finally:
        stop.set()
        server.kill()
    del server_start
    return KillFigures(kills=kills + 1, requests=ledger.requests, acked_batches=len(ledger.acked),
                       acked_points=len(ledger.acked) * LINES, failed_batches=len(ledger.uncertain),
                       recovered_batches=len(ledger.uncertain & ledger.present), points_checked=checked,
                       points_lost=0, max_restart_s=max_restart, seconds=time.monotonic() - t_start)


if __name__ == "__main__":
    import sys
    import tempfile

    with tempfile.TemporaryDirectory() as d:
        print(run(Path(d) / "store", kills=int(sys.argv[1]) if len(sys.argv) > 1 else 5).row())
