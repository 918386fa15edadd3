"""Load a line-protocol file: 5,000-line batches, N concurrent workers, over HTTP or in-process.

The file is read and split once, before the clock starts; workers are threads with one
keep-alive ``http.client`` connection each (the send and the wait release the GIL, so
threads are enough). ``sink_throughput`` times the same loader against a server that
reads the body and answers 204, to show the loader is not the bottleneck.
"""
from __future__ import annotations

import http.client
import multiprocessing
import sys
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Callable, Iterator, Sequence

import numpy as np

BATCH_LINES = 5_000


@dataclass(frozen=True, slots=True)
class Batches:
    """The file split at line boundaries; ``parts`` are zero-copy views of ``data``."""

    data: bytes
    parts: tuple[memoryview, ...]
    lines: int

    def chunks(self, per_chunk: int = 100) -> Iterator[memoryview]:
        """Runs of ``per_chunk`` consecutive batches as one view each (whole lines, no copy)."""
        view, start = memoryview(self.data), 0
        for i in range(0, len(self.parts), per_chunk):
            end = start + sum(len(p) for p in self.parts[i:i + per_chunk])
            yield view[start:end]
            start = end


def split_batches(data: bytes, lines_per_batch: int = BATCH_LINES, scan_bytes: int = 1 << 26) -> Batches:
    """Split ``data`` (bytes or a read-only mmap) into chunks of ``lines_per_batch`` lines
    (vectorised newline search, a slice at a time so a file of gigabytes needs no copy)."""
    if data and data[-1:] != b"\n":
        data = bytes(data) + b"\n"
    view = np.frombuffer(data, dtype=np.uint8)
    ends = np.concatenate([np.flatnonzero(view[off:off + scan_bytes] == 10) + (off + 1)
                           for off in range(0, len(view), scan_bytes)] or [np.zeros(0, np.int64)])
    cuts = ends[lines_per_batch - 1::lines_per_batch].tolist()
    if not cuts or cuts[-1] != len(data):
        cuts.append(len(data))
    mv = memoryview(data)
    parts, start = [], 0
    for end in cuts:
        if end > start:
            parts.append(mv[start:end])
        start = end
    return Batches(data, tuple(parts), int(len(ends)))


def map_file(path, lines_per_batch: int = BATCH_LINES) -> Batches:
    """A line-protocol file mapped read-only and split: the pages stay the kernel's (the
    1,000-host file is 4 GiB), read as the loaders reach them."""
    import mmap
    with open(path, "rb") as fh:
        if fh.seek(0, 2) == 0:
            return split_batches(b"", lines_per_batch)
        mapped = mmap.mmap(fh.fileno(), 0, access=mmap.ACCESS_READ)
    return split_batches(mapped, lines_per_batch)


@dataclass(slots=True)
class LoadResult:
    seconds: float
    batches: int
    bytes: int
    lines: int
    errors: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.errors


class Progress:
    """A rich progress bar on a terminal, nothing otherwise."""

    def __init__(self, label: str, total: int, enabled: bool | None = None, unit: str = "batches"):
        self.enabled = sys.stdout.isatty() if enabled is None else enabled
        self._lock = threading.Lock()
        if self.enabled:
            from rich.progress import (BarColumn, MofNCompleteColumn, Progress, TextColumn,
                                       TimeElapsedColumn, TimeRemainingColumn)
            self._p = Progress(TextColumn(f"[bold]{label}"), BarColumn(), MofNCompleteColumn(),
                               TextColumn(unit), TimeElapsedColumn(), TimeRemainingColumn(),
                               transient=True)
            self._task = self._p.add_task(label, total=total)

    def __enter__(self) -> "Progress":
        if self.enabled:
            self._p.start()
        return self

    def advance(self, n: int = 1) -> None:
        if self.enabled:
            with self._lock:
                self._p.advance(self._task, n)

    def __exit__(self, *exc) -> None:
        if self.enabled:
            self._p.stop()


def _run_workers(parts: Sequence[memoryview], workers: int,
                 make_send: Callable[[], Callable[[memoryview], str | None]],
                 label: str, progress: bool | None) -> tuple[float, list[str]]:
    """Each worker takes the next batch index under a lock; returns (seconds, errors)."""
    nxt = iter(range(len(parts)))
    lock = threading.Lock()
    errors: list[str] = []
    senders = [make_send() for _ in range(workers)]   # connect before the clock starts
    barrier = threading.Barrier(workers + 1)

    def work(send: Callable[[memoryview], str | None], bar: Progress) -> None:
        barrier.wait()
        while True:
            with lock:
                i = next(nxt, None)
            if i is None:
                return
            err = send(parts[i])
            if err is not None:
                with lock:
                    errors.append(f"batch {i}: {err}")
            bar.advance()

    with Progress(label, len(parts), progress) as bar:
        threads = [threading.Thread(target=work, args=(s, bar), daemon=True) for s in senders]
        for t in threads:
            t.start()
        barrier.wait()
        t0 = time.perf_counter()
        for t in threads:
            t.join()
        seconds = time.perf_counter() - t0
    return seconds, errors


def http_sender(port: int, path: str, host: str = "127.0.0.1") -> Callable[[], Callable[[memoryview], str | None]]:
    """Factory of per-worker senders posting to ``http://host:port{path}`` on one connection."""

    def make() -> Callable[[memoryview], str | None]:
        conn = http.client.HTTPConnection(host, port, timeout=600)
        conn.connect()
        headers = {"Content-Type": "text/plain; charset=utf-8"}

        def send(body: memoryview) -> str | None:
            headers["Content-Length"] = str(len(body))
            conn.request("POST", path, body=body, headers=headers)
            resp = conn.getresponse()
            text = resp.read()
            if resp.status // 100 != 2:
                return f"HTTP {resp.status}: {text[:300]!r}"
            return None

        return send

    return make


def load_http(batches: Batches, port: int, db: str, workers: int, *, precision: str = "ns",
              label: str = "load", progress: bool | None = None) -> LoadResult:
    path = f"/write?db={db}&precision={precision}"
    seconds, errors = _run_workers(batches.parts, workers, http_sender(port, path), label, progress)
    return LoadResult(seconds, len(batches.parts), len(batches.data), batches.lines, errors)


def load_embedded(batches: Batches, write: Callable[[bytes], object], workers: int, *,
                  label: str = "load (embedded)", progress: bool | None = None) -> LoadResult:
    """Same batches through an in-process ``write(body)`` callable (e.g. ``store.write``)."""

    def make() -> Callable[[memoryview], str | None]:
        def send(body: memoryview) -> str | None:
            try:
                write(bytes(body))
            except Exception as exc:  # noqa: BLE001 - reported, not hidden
                return f"{type(exc).__name__}: {exc}"
            return None
        return send

    seconds, errors = _run_workers(batches.parts, workers, make, label, progress)
    return LoadResult(seconds, len(batches.parts), len(batches.data), batches.lines, errors)


# -- the no-op sink ----------------------------------------------------------------------
class _SinkHandler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def do_POST(self) -> None:  # noqa: N802 - http.server's naming
        n = int(self.headers.get("Content-Length", 0))
        while n > 0:
            chunk = self.rfile.read(min(n, 1 << 20))
            if not chunk:
                break
            n -= len(chunk)
        self.send_response(204)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def do_GET(self) -> None:  # noqa: N802
        self.do_POST()

    def log_message(self, *args) -> None:
        pass


def _sink_main(port_q) -> None:
    srv = ThreadingHTTPServer(("127.0.0.1", 0), _SinkHandler)
    srv.daemon_threads = True
    port_q.put(srv.server_address[1])
    srv.serve_forever()


class NoopSink:
    """A throw-away HTTP server in its own process that reads bodies and answers 204."""

    def __enter__(self) -> "NoopSink":
        ctx = multiprocessing.get_context("spawn")
        q = ctx.Queue()
        self.proc = ctx.Process(target=_sink_main, args=(q,), daemon=True)
        self.proc.start()
        self.port = q.get(timeout=30)
        return self

    def __exit__(self, *exc) -> None:
        self.proc.terminate()
        self.proc.join(5)


def sink_throughput(batches: Batches, workers: int, progress: bool | None = False) -> LoadResult:
    """The loader against the no-op sink: an upper bound on what the loader can deliver."""
    with NoopSink() as sink:
        return load_http(batches, sink.port, "sink", workers, label="load (no-op sink)",
                         progress=progress)
