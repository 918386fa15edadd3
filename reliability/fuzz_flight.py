"""Fuzz Flight SQL tickets: nothing outside the ticket's database is ever read or fetched.

    python -m reliability.fuzz_flight --examples 20000 [--seed 1]

One real Flight server on 127.0.0.1 over an on-disk store (databases ``fz`` and ``other``),
a token that may read ``fz`` only, secret files with a marker outside the store (watched
with inotify: any open of them or of their directory is a finding), and a tiny HTTP server
on 127.0.0.1 that must receive no request. Cases mix random SQL built from Polars'
function names (its I/O table functions among them), paths (the secret files, the store's
tokens.json and Parquet files, ``../``) and URLs of the HTTP server, with valid SQL over the
seeded tables. Invariant for every case: the answer holds no marker (no file, no other
database), an error is a gRPC status raised as a Flight error with a clean message (no
traceback, no source path), no file in the watched directory is opened, no URL fetched.
``tests/reliability/test_fuzz_flight.py`` runs a few dozen cases in CI.
"""
from __future__ import annotations

import argparse
import ctypes
import json
import os
import random
import resource
import sys
import tempfile
import threading
import time
from collections import Counter
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import polars as pl

MARKER = "FUZZ_SECRET_5d1e"
OTHER_MARKER = "FUZZ_OTHER_DB_8b2c"
IO_FUNCTIONS = ["read_csv", "read_parquet", "read_ipc", "read_json", "read_ndjson", "read_avro", "read_delta",
                "read_excel", "scan_csv", "scan_parquet", "scan_ipc", "scan_ndjson", "read_csv_auto",
                "generate_series", "unnest", "read_database", "glob", "read_text", "pg_read_file"]
PURE_FUNCTIONS = ["avg", "count", "sum", "min", "max", "median", "stddev", "abs", "round", "lower", "upper",
                  "length", "concat", "coalesce", "date_trunc", "now", "first", "last", "sqrt", "ln"]
KEYWORDS = ["SELECT", "*", "FROM", "WHERE", "GROUP BY", "ORDER BY", "LIMIT", "1", "10", "JOIN", "CROSS JOIN",
            "LEFT JOIN", "ON", "true", "AND", "OR", "NOT", "IN", "UNION ALL", "WITH", "AS", "(", ")", ",", ";",
            "=", "<", ">", "'", '"', "--", "/*", "*/", "$$", "E'", "\\", "::text", "COPY", "TO", "CREATE TABLE",
            "INSERT INTO", "VALUES", "DROP TABLE", "SET", "EXPLAIN", "LATERAL", "TABLE", "DESCRIBE", "||",
            "time", "host", "usage", "x", "k", "has_header", "=>", "false", "NULL", "interval '1 hour'"]
TABLES = ["cpu", "big", "iox.cpu", "public.iox.cpu", '"cpu"', "other.cpu", "other.iox.secret", "secret",
          "information_schema.tables", "information_schema.columns", "nope"]
VALID = [
    "SELECT host, avg(usage) AS u FROM cpu GROUP BY host ORDER BY host",
    "SELECT count(*) AS n FROM big WHERE k = 'k1'",
    "SELECT * FROM cpu WHERE time >= '1970-01-01T00:00:01Z' ORDER BY time",
    "WITH c AS (SELECT host, usage FROM iox.cpu) SELECT c.host, max(c.usage) AS m FROM c GROUP BY c.host",
    "SELECT c.host, b.x FROM cpu c JOIN big b ON c.host = b.k ORDER BY b.x LIMIT 5",
    "SELECT k, sum(x) AS s FROM big GROUP BY k ORDER BY k",
    "SELECT * FROM information_schema.columns WHERE table_name = 'cpu'",
    "SHOW TABLES",
    "SELECT date_trunc('second', time) AS t, usage FROM cpu WHERE usage > 1",
    "SELECT host FROM cpu UNION ALL SELECT k FROM big LIMIT 3",
]


_READERS = {"csv": "read_csv", "parquet": "read_parquet", "ipc": "read_ipc", "ndjson": "read_ndjson",
            "json": "read_json", "1": "read_csv"}


def write_secrets(folder: Path, marker: str) -> None:
    """Files outside the store holding ``marker``, in every format a Polars reader takes."""
    folder.mkdir()
    frame = pl.DataFrame({"a": [marker]})
    for ext in ("csv", "parquet", "ipc", "ndjson", "json"):
        getattr(frame, f"write_{ext}")(folder / f"s.{ext}")


def serve_recorder(handler: type["Recorder"]) -> tuple[ThreadingHTTPServer, str]:
    """An HTTP server on 127.0.0.1 recording what it is asked (``handler.hits``), and its URL."""
    handler.hits = []
    http = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=http.serve_forever, daemon=True).start()
    return http, f"http://127.0.0.1:{http.server_address[1]}"


class Recorder(BaseHTTPRequestHandler):
    """Records every request it gets (the server must fetch no URL) and answers ``marker``."""

    hits: list[str] = []
    marker = MARKER

    def do_GET(self):  # noqa: N802 - http.server's name
        type(self).hits.append(self.path)
        body = f"a\n{self.marker}\n".encode()
        self.send_response(200)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    do_HEAD = do_POST = do_GET

    def log_message(self, *args):
        pass


class _Watch:
    """inotify IN_OPEN on one directory: which of its entries were opened since the last look."""

    IN_OPEN = 0x20

    def __init__(self, path: Path):
        self.libc = ctypes.CDLL(None, use_errno=True)
        self.fd = self.libc.inotify_init1(os.O_NONBLOCK | os.O_CLOEXEC)
        if self.fd < 0 or self.libc.inotify_add_watch(self.fd, str(path).encode(), self.IN_OPEN) < 0:
            raise OSError(ctypes.get_errno(), "inotify unavailable")

    def opened(self) -> list[str]:
        names = []
        while True:
            try:
                buf = os.read(self.fd, 65536)
            except BlockingIOError:
                return names
            i = 0
            while i < len(buf):
                n = int.from_bytes(buf[i + 12:i + 16], "little")  # struct inotify_event: wd, mask, cookie, len
                names.append(buf[i + 16:i + 16 + n].rstrip(b"\0").decode(errors="replace") or ".")
                i += 16 + n

    def close(self) -> None:
        os.close(self.fd)


@dataclass
class Target:
    location: str
    token: str
    paths: list[str]
    url: str
    watch: _Watch

    def call(self, q: str):
        import pyarrow.flight as flight

        c = flight.FlightClient(self.location)
        try:
            ticket = flight.Ticket(json.dumps({"database": "fz", "sql_query": q, "query_type": "sql"}).encode())
            opts = flight.FlightCallOptions(headers=[(b"authorization", f"Bearer {self.token}".encode())],
                                            timeout=60)
            return c.do_get(ticket, opts).read_all()
        finally:
            c.close()


@contextmanager
def flight_target(root: Path):
    """The server, the secrets, the HTTP recorder and the watch, for one fuzz run."""
    import tsdb_core
    from tsdb_core.base.config import StoreConfig
    from tsdb_http.tokens import TokenStore
    from tsdb_http.flight import start_flight

    store = tsdb_core.open(root / "store", config=StoreConfig.for_tests(query_timeout_s=5.0))
    store.create_database("fz")
    store.create_database("other")
    store.write("fz", "cpu,host=h1 usage=1.5 1000000000\ncpu,host=h2 usage=2.5 2000000000\n")
    store.write("fz", "".join(f"big,k=k{i % 5} x={i}i {i * 1_000_000_000}\n" for i in range(2000)))
    store.write("other", f'secret,host=h1 v="{OTHER_MARKER}" 1000000000\n')
    store.write("other", f'cpu,host=h1 usage=9.5,note="{OTHER_MARKER}" 1000000000\n')
    store.flush()
    tokens = TokenStore(root / "store")
    token = tokens.create("fz", read=True, write=False)[0]
    secret = root / "secret"
    write_secrets(secret, MARKER)
    watch = _Watch(secret)
    http, url = serve_recorder(Recorder)
    parquet = sorted(str(p) for p in (root / "store").rglob("*.parquet"))
    paths = [str(secret / n) for n in ("s.csv", "s.parquet", "s.ipc", "s.ndjson", "s.json", "*.csv", "")]
    paths += ["/etc/passwd", str(root / "store" / "tokens.json"), *parquet[:2], "../secret/s.csv",
              str(root / "store" / ".." / "secret" / "s.csv"), f"file://{secret / 's.csv'}",
              f"{url}/s.csv", f"{url}/s.parquet", f"{url}/x?y=1", "s3://bucket/x.parquet", "~/.bashrc"]
    service = start_flight(store, tokens, quiet=True)
    watch.opened()  # writing the secrets above opened them
    try:
        yield Target(service.location, token, paths, url, watch)
    finally:
        service.stop()
        http.shutdown()
        watch.close()
        store.close()


def _lit(s: str) -> str:
    return "'" + s.replace("'", "''") + "'"


def case(rng: random.Random, paths: list[str]) -> str:
    """One ticket's SQL: valid, templated with a hostile table, or a random soup of pieces."""
    kind = rng.random()
    path = rng.choice(paths)
    fn = rng.choice(IO_FUNCTIONS + PURE_FUNCTIONS[:3])
    reader = _READERS.get(path.rsplit(".", 1)[-1])
    if reader and rng.random() < 0.6:  # the reader that would succeed on that file
        fn = reader
    call = f"{fn}({_lit(path)}{rng.choice(['', '', ', has_header => false', ', 1'])})"
    table = rng.choice([call, call, call.upper(), _lit(path), f'"{path}"', rng.choice(TABLES)])
    if kind < 0.25:
        return rng.choice(VALID)
    if kind < 0.7:
        template = rng.choice([
            "SELECT * FROM {t}", "SELECT * FROM cpu JOIN {t} AS t ON true", "SELECT * FROM cpu, {t}",
            "SELECT * FROM cpu WHERE host IN (SELECT * FROM {t})", "WITH c AS (SELECT * FROM {t}) SELECT * FROM c",
            "SELECT * FROM (SELECT * FROM {t}) s", "SELECT host FROM cpu UNION ALL SELECT * FROM {t}",
            "SELECT {f} AS x FROM cpu", "SELECT * FROM cpu WHERE host = {s}", "COPY cpu TO {s}",
            "COPY (SELECT * FROM {t}) TO {s}", "CREATE TABLE z AS SELECT * FROM {t}", "EXPLAIN SELECT * FROM {t}",
            "SELECT 1; SELECT * FROM {t}", "SELECT * FROM {t} -- {s}", "SELECT {s} AS p, * FROM {t}",
            "SELECT * FROM cpu LEFT JOIN LATERAL (SELECT * FROM {t}) s ON true", "SELECT * FROM {t} /* {s} */",
            "SELECT * FROM cpu WHERE EXISTS (SELECT 1 FROM {t})", "SELECT count(*) FROM {t}, {t}",
        ])
        return template.format(t=table, f=call, s=_lit(path))
    n = rng.randint(1, 14)
    pieces = [rng.choice([rng.choice(KEYWORDS), rng.choice(KEYWORDS), rng.choice(TABLES), call, _lit(path),
                          rng.choice(IO_FUNCTIONS) + "(", rng.choice(PURE_FUNCTIONS) + "("]) for _ in range(n)]
    return " ".join(pieces)


@dataclass
class Figures:
    cases: int = 0
    answered: int = 0
    codes: Counter = field(default_factory=Counter)
    findings: list[str] = field(default_factory=list)
    internal: list[str] = field(default_factory=list)


def check(target: Target, q: str, fig: Figures) -> None:
    """Run one case and record it; a broken invariant is a finding."""
    import pyarrow.flight as flight

    fig.cases += 1
    try:
        table = target.call(q)
    except flight.FlightError as e:
        name = type(e).__name__
        fig.codes[name] += 1
        text = str(e)
        if "Traceback" in text or '.py"' in text or ".py," in text or "_flight.pyx" in text:
            fig.findings.append(f"traceback in error: {q!r}: {text[:300]}")
        if MARKER in text or OTHER_MARKER in text:
            fig.findings.append(f"marker in error: {q!r}")
        if name == "FlightInternalError":
            fig.internal.append(q)
    except Exception as e:  # noqa: BLE001 - not a Flight status: a Python exception crossed the wire
        fig.codes[type(e).__name__] += 1
        fig.findings.append(f"not a Flight error ({type(e).__name__}): {q!r}: {str(e)[:300]}")
    else:
        fig.answered += 1
        fig.codes["OK"] += 1
        body = json.dumps(table.to_pylist(), default=str)
        if MARKER in body or OTHER_MARKER in body:
            fig.findings.append(f"marker in answer: {q!r}")
    opened = target.watch.opened()
    if opened:
        fig.findings.append(f"secret directory opened ({opened}): {q!r}")
    if Recorder.hits:
        fig.findings.append(f"URL fetched ({Recorder.hits}): {q!r}")
        Recorder.hits.clear()


def run(examples: int, seed: int = 1, root: Path | None = None, log=None) -> tuple[Figures, float, float]:
    """Run ``examples`` cases; (figures, wall seconds, CPU seconds of this process)."""
    rng = random.Random(seed)
    fig = Figures()
    t0, c0 = time.monotonic(), _cpu()
    with tempfile.TemporaryDirectory(dir=root) as d, flight_target(Path(d)) as target:
        for i in range(examples):
            check(target, case(rng, target.paths), fig)
            if log and (i + 1) % 2000 == 0:
                log(f"  {i + 1} cases, {time.monotonic() - t0:.0f} s, findings {len(fig.findings)}")
    return fig, time.monotonic() - t0, _cpu() - c0


def _cpu() -> float:
    r = resource.getrusage(resource.RUSAGE_SELF)
    return r.ru_utime + r.ru_stime


def summary(fig: Figures, wall: float, cpu: float) -> str:
    codes = ", ".join(f"{k} {v}" for k, v in fig.codes.most_common())
    return (f"flight-fuzz: {fig.cases} cases in {wall:.0f} s wall, {cpu:.0f} s CPU; answered {fig.answered}; "
            f"statuses: {codes}; internal errors {len(fig.internal)}; findings {len(fig.findings)}")


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m reliability.fuzz_flight")
    ap.add_argument("--examples", type=int, default=2000)
    ap.add_argument("--seed", type=int, default=1)
    a = ap.parse_args(argv)
    fig, wall, cpu = run(a.examples, a.seed, log=lambda m: print(m, flush=True))
    print(summary(fig, wall, cpu), flush=True)
    for f in fig.findings[:20]:
        print("  FINDING", f)
    for q in fig.internal[:10]:
        print("  INTERNAL", q)
    return 1 if fig.findings else 0


if __name__ == "__main__":
    sys.exit(main())
