"""A 10 M-row answer over Arrow Flight SQL: time to the first batch, total time and the server's
peak RSS, streamed (as the server answers) vs computed whole before the first batch is sent.

    python -m tests.flight.bench_flight_stream --rows 10000000 --runs 3

One measurement of ``--rows`` points (a tag, two fields) is written once under ``--dir``; each
run starts a fresh server process (``--cache-bytes`` 0: files are read from Parquet, so the
answer's own memory shows), asks ``SELECT * FROM m`` once with the ADBC driver and once with
pyarrow.flight, and reads the server's peak RSS (VmHWM) from /proc. Medians of ``--runs``.
Not collected by pytest.
"""
from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

QUERY = "SELECT * FROM m"
BASE = 1_700_000_000_000_000_000


def write_data(root: Path, rows: int) -> None:
    import numpy as np
    import polars as pl

    import tsdb_core

    if (root / "rows").exists() and (root / "rows").read_text() == str(rows):
        return
    with tsdb_core.open(root) as store:
        store.create_database("big")
        for start in range(0, rows, 1_000_000):
            k = np.arange(start, min(rows, start + 1_000_000))
            store.write_dataframe("big", pl.DataFrame({
                "time": BASE + k * 1_000_000_000, "host": pl.Series([f"h{i}" for i in range(10)])[k % 10],
                "usage": k * 0.5, "n": k}), "m", tags=["host"], fields=["usage", "n"])
            store.flush()
    (root / "rows").write_text(str(rows))


def serve(root: str, mode: str, cache_bytes: int) -> None:
    """A Flight server over ``root``; ``whole``: every SQL answer computed whole before sending."""
    import tsdb_core
    from tsdb_core.base.config import StoreConfig
    from tsdb_http.flight import start_flight

    store = tsdb_core.open(root, config=StoreConfig(cache_bytes=cache_bytes))
    if mode == "whole":
        streaming = store.sql_stream

        def whole(database, q, params=None, **kw):
            stream = streaming(database, q, params, **kw)
            return _Whole(stream.schema, store.sql(database, q, params), kw.get("batch_rows") or 65_536)

        store.sql_stream = whole
    service = start_flight(store, None, quiet=True, no_auth=True)
    print(service.port, flush=True)
    sys.stdin.read()  # until the parent closes our stdin
    service.stop()
    store.close()


class _Whole:
    """The answer computed whole, then sent in batches (how the server answered before streaming)."""

    def __init__(self, schema, table, rows):
        self.schema, self.table, self.rows = schema, table, rows
        self.closed, self.stopped, self.batches_sent, self.cancelled = False, False, 0, None

    def close(self):
        self.closed = True

    def __iter__(self):
        yield from self.table.cast(self.schema).combine_chunks().to_batches(max_chunksize=self.rows)


def _peak_kb(pid: int) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1])
    return 0


def _adbc(port: int) -> tuple[float, float, int]:
    import adbc_driver_flightsql.dbapi as fs

    with fs.connect(f"grpc://127.0.0.1:{port}", autocommit=True,
                    db_kwargs={"adbc.flight.sql.rpc.call_header.database": "big"}) as conn, conn.cursor() as cur:
        t0 = time.perf_counter()
        cur.execute(QUERY)
        reader = cur.fetch_record_batch()
        first, rows = None, 0
        for batch in reader:
            first = first or time.perf_counter() - t0
            rows += batch.num_rows
    return first, time.perf_counter() - t0, rows


def _pyarrow(port: int) -> tuple[float, float, int]:
    import pyarrow.flight as flight

    from tsdb_http.flight_sql import FlightSql_pb2 as pb
    from tsdb_http.flight_sql.protocol import pack

    client = flight.FlightClient(f"grpc+tcp://127.0.0.1:{port}")
    opts = flight.FlightCallOptions(headers=[(b"database", b"big")])
    t0 = time.perf_counter()
    info = client.get_flight_info(flight.FlightDescriptor.for_command(pack(pb.CommandStatementQuery(query=QUERY))),
                                  opts)
    first, rows = None, 0
    for chunk in client.do_get(info.endpoints[0].ticket, opts):
        first = first or time.perf_counter() - t0
        rows += chunk.data.num_rows
    client.close()
    return first, time.perf_counter() - t0, rows


def one_run(root: Path, mode: str, client, cache_bytes: int) -> tuple[float, float, int, int, int]:
    env = dict(os.environ, PYTHONPATH=os.pathsep.join([str(Path.cwd()), os.environ.get("PYTHONPATH", "")]))
    proc = subprocess.Popen([sys.executable, "-m", "tests.flight.bench_flight_stream", "--serve", str(root),
                             "--mode", mode, "--cache-bytes", str(cache_bytes)],
                            stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True, env=env)
    try:
        port = int(proc.stdout.readline())
        idle = _peak_kb(proc.pid)
        first, total, rows = client(port)
        peak = _peak_kb(proc.pid)
    finally:
        proc.stdin.close()
        proc.wait(60)
    return first, total, rows, idle, peak


def main(argv: list[str] | None = None) -> None:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--rows", type=int, default=10_000_000)
    p.add_argument("--runs", type=int, default=3)
    p.add_argument("--dir", default="/tmp/tsdb-bench-flight-stream")
    p.add_argument("--cache-bytes", type=int, default=0)
    p.add_argument("--serve")
    p.add_argument("--mode", default="stream", choices=["stream", "whole"])
    a = p.parse_args(argv)
    if a.serve:
        return serve(a.serve, a.mode, a.cache_bytes)
    root = Path(a.dir)
    write_data(root, a.rows)
    print(f"`{QUERY}`, {a.rows:,} rows, cache_bytes={a.cache_bytes}, medians of {a.runs} runs "
          "(a fresh server process per run)")
    print("| client | answer | first batch s | all rows s | server peak RSS MB (idle) |")
    print("|---|---|---|---|---|")
    for name, client in (("ADBC", _adbc), ("pyarrow.flight", _pyarrow)):
        for mode in ("stream", "whole"):
            runs = [one_run(root, mode, client, a.cache_bytes) for _ in range(a.runs)]
            assert all(r[2] == a.rows for r in runs), [r[2] for r in runs]
            med = [statistics.median(r[i] for r in runs) for i in range(5)]
            print(f"| {name} | {mode} | {med[0]:.3f} | {med[1]:.2f} | {med[4] / 1024:.0f} ({med[3] / 1024:.0f}) |",
                  flush=True)


if __name__ == "__main__":
    main()
