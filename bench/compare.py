"""One command: tsdb against InfluxDB 1.6.7, DuckDB and VictoriaMetrics on the TSBS devops
cpu-only data and query set.

    python -m bench.compare                      # small: 100 hosts x 24 h = 8.64 M values
    python -m bench.compare --decimals 2         # the same walks, values rounded to 2 decimals
    python -m bench.compare --scale large        # 1,000 hosts x 24 h
    python -m bench.compare --workers 1,2,4 --runs 5 --embedded --skip victoriametrics

Every system gets the same file. For each worker count each system in turn loads it
into a fresh server (one server loading at a time: the machine is small and
shared); the last load is kept, compacted (InfluxDB: restart with 1 s cold
thresholds; tsdb: ``tsdb compact``; VictoriaMetrics: force flush and merge),
measured on disk, and queried, the systems taking turns run by run: ``--warmup``
untimed runs, then ``--runs`` timed ones, median reported. DuckDB runs in process
beside ``--embedded`` (bench/duckdb_peer.py: the TSBS queries in SQL); VictoriaMetrics
over HTTP (bench/victoria.py: TSBS's MetricsQL forms, where it can express them).
Answers are compared as normalised JSON wherever two systems' queries mean the same;
a difference makes the command exit 1. The tables go to the terminal and to
bench/out/results.md, a plot of query medians to bench/out/query-medians.png.
"""
from __future__ import annotations

import argparse
import contextlib
import http.client
import math
import os
import platform
import shlex
import shutil
import sys
import tempfile
import time
import urllib.parse
from datetime import datetime, timezone
from pathlib import Path
from typing import Callable

from . import loader, procstat, profile
from .influxd import Influxd
from .queries import DEFAULT_SEED, BenchQuery, devops_queries
from .report import Report, SystemRun
from .turns import turn_order
from .tsdb_server import REPLACED_GRACE_S

OUT = Path(__file__).resolve().parent / "out"
DB = "benchmark"
SCALES = {"small": (100, 24), "large": (1000, 24)}


# -- data --------------------------------------------------------------------------------
def data_file(hosts: int, hours: float, seed: int, out_dir: Path = OUT / "data",
              decimals: int | None = None, progress: bool | None = False) -> Path:
    """The TSBS cpu-only file for (hosts, hours, seed, decimals), generated once and reused;
    written as it is generated (never whole in memory)."""
    out_dir.mkdir(parents=True, exist_ok=True)
    rounded = "" if decimals is None else f"-{decimals}dp"
    path = out_dir / f"cpu-only-{hosts}h-{hours:g}hr-seed{seed}{rounded}.lp"
    if not path.exists() or path.stat().st_size == 0:
        from .devops import INTERVAL_NS
        lines = hosts * int(hours * 3600 * 1_000_000_000 // INTERVAL_NS)
        tmp = path.with_suffix(".tmp")
        with open(tmp, "wb") as fh, loader.Progress(f"generating {path.name}", lines, progress,
                                                    unit="lines") as bar:
            for chunk in _generate(hosts, hours, seed, decimals):
                fh.write(chunk)
                bar.advance(chunk.count(b"\n"))
        os.replace(tmp, path)
    return path


def _generate(hosts: int, hours: float, seed: int, decimals: int | None = None):
    """Chunks of line protocol from the devops generator (bench/devops.py)."""
    from . import devops
    yield from devops.iter_chunks(hosts=hosts, hours=hours, seed=seed, decimals=decimals)


def values_in(batches: loader.Batches) -> int:
    """Field values in the file: every TSBS line carries the same field set."""
    first = bytes(batches.parts[0][:4096]).split(b"\n", 1)[0]
    fields = first.split(b" ")[1]
    return batches.lines * (fields.count(b",") + 1)


# -- queries -----------------------------------------------------------------------------
def http_query(port: int, method: str = "GET") -> Callable[[str], tuple[int, bytes]]:
    """A keep-alive /query client; GET for reads (as TSBS), POST for CREATE/DROP."""
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=600)

    def run(q: str) -> tuple[int, bytes]:
        params = urllib.parse.urlencode({"db": DB, "q": q})
        if method == "GET":
            conn.request("GET", "/query?" + params)
        else:
            conn.request("POST", "/query", body=params,
                         headers={"Content-Type": "application/x-www-form-urlencoded"})
        resp = conn.getresponse()
        return resp.status, resp.read()

    return run


def http_get(port: int) -> Callable[[str], tuple[int, bytes]]:
    """A keep-alive GET client of request paths (VictoriaMetrics' API). A connection the server
    closed while idle (VictoriaMetrics: after a minute, as while the others run a long query at
    1,000 hosts) is opened again once."""
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=600)

    def run(path: str) -> tuple[int, bytes]:
        for attempt in (1, 2):
            try:
                conn.request("GET", path)
                resp = conn.getresponse()
                return resp.status, resp.read()
            except (http.client.RemoteDisconnected, ConnectionResetError, BrokenPipeError):
                conn.close()
                if attempt == 2:
                    raise
        raise AssertionError("unreachable")

    return run


def ask(run: Callable[[str], tuple[int, bytes]], q: str) -> tuple[float, int, bytes]:
    t0 = time.perf_counter()
    status, body = run(q)
    return time.perf_counter() - t0, status, body


def time_queries(systems: list["System"], queries: list[BenchQuery], warmup: int, runs: int,
                 say: Callable[[str], None], progress: bool | None = None,
                 after: Callable[[int], None] = lambda k: None) -> None:
    """Each query on every system in turn, run by run (A B A B ..., every other run B A): on a
    shared, noisy machine a slow minute then hurts both sides of a ratio alike, and no system
    always runs right after the same neighbour. ``after(k)``: k queries done."""
    with loader.Progress("queries", len(queries), progress, unit="queries") as bar:
        for k, bq in enumerate(queries, 1):
            _time_query(systems, bq, warmup, runs)
            _say_query(systems, bq, say)
            bar.advance()
            if k < len(queries):
                after(k)


def _time_query(systems: list["System"], bq: BenchQuery, warmup: int, runs: int) -> None:
    texts = {s.name: s.translate(bq) for s in systems if s.run is not None}
    live = [s for s in systems if texts.get(s.name) is not None]   # None: not expressible there
    for s in live:
        s.texts[bq.name] = texts[s.name]
        s.result.latencies[bq.name] = []
    for k in range(warmup + runs):
        for s in turn_order(live, k):
            try:
                dt, status, body = ask(s.run, texts[s.name])
            except Exception as exc:  # noqa: BLE001 - one bad query must not sink the table
                s.result.errors[bq.name] = f"{type(exc).__name__}: {exc}"
                live.remove(s)
                continue
            if k >= warmup:
                s.result.latencies[bq.name].append(dt)
            s.result.answers[bq.name] = body
            if status != 200 or b'"error"' in body[:2000]:
                s.result.errors[bq.name] = f"error answer (status {status}): {body[:300]!r}"
                live.remove(s)           # an error's latency is no figure


def _say_query(systems: list["System"], bq: BenchQuery, say: Callable[[str], None]) -> None:
    line = []
    for s in systems:
        if s.texts.get(bq.name) is None:
            continue
        if bq.name in s.result.errors:
            s.result.latencies.pop(bq.name, None)
            line.append(f"{s.name} ERROR")
            say(f"  {s.name} {bq.name}: {s.result.errors[bq.name]}")
        else:
            line.append(f"{s.name} {s.result.median_ms(bq.name):,.2f} ms "
                        f"({len(s.result.answers[bq.name]):,} B)")
    say(f"  {bq.name:<26} " + " | ".join(line))


# -- the systems -------------------------------------------------------------------------
class System:
    """One contender: how to start it fresh, how to load it, how to ask it."""

    def __init__(self, name: str, values: int):
        self.name = name
        self.result = SystemRun(name=name, values=values)
        self.run: Callable[[str], tuple[int, bytes]] | None = None
        self.texts: dict[str, str] = {}      # query name -> what was asked of this system
        self.peaks: list[int] = []

    def fresh_load(self, batches: loader.Batches, workers: int, args, say, spy_path: Path | None) -> None:
        raise NotImplementedError

    def translate(self, bq: BenchQuery) -> str | None:
        """What to ask this system for ``bq`` (None: it cannot express it)."""
        return bq.q

    def shape_answers(self) -> None:
        """Fill ``result.shaped`` when the answers are not InfluxDB's JSON (see report.SystemRun)."""

    def compact(self) -> int:
        raise NotImplementedError

    def done_loading(self) -> None:
        """Every load is over: let go of what only loading needed."""

    def close(self) -> None:
        pass

    @property
    def slack(self) -> float:
        """Timeouts grow with the data: 1 up to the 100-host set, 10 at 1,000 hosts."""
        return max(1.0, self.result.values / 8_640_000)

    def _record_load(self, res: loader.LoadResult, workers: int, peak: int | None, say) -> None:
        values = self.result.values
        rate = values / res.seconds if res.ok else math.nan
        self.result.ingest_by_workers[workers] = rate
        if peak:
            self.peaks.append(peak)
            self.result.peak_rss = max(self.peaks)
        self.result.ingest_workers = max(self.result.ingest_by_workers, key=self.result.ingest_by_workers.get)
        if res.errors:
            self.result.errors["ingest"] = res.errors[0]
        say(f"{self.name}: loaded {values:,} values with {workers} workers in {res.seconds:.2f} s "
            f"= {rate:,.0f} values/s" + (f", peak RSS {peak / 2**20:,.0f} MiB" if peak else "")
            + (f"; {len(res.errors)} failed batches, first: {res.errors[0]}" if res.errors else ""))


class HttpSystem(System):
    def __init__(self, make_server, values: int):
        self.make_server = make_server
        super().__init__(make_server.name, values)     # the class's name: no temp folder made yet
        self.server = None

    def fresh_load(self, batches, workers, args, say, spy_path=None) -> None:
        self.close()
        srv = self.server = self.make_server()
        srv.slack = self.slack
        if hasattr(srv, "disk_settle"):
            srv.disk_settle = args.disk_settle
        srv.start()
        srv.create_database(DB)
        spy = profile.PySpy(srv.pid, spy_path) if spy_path else contextlib.nullcontext()
        with procstat.RssSampler(srv.pid) as rss, spy:
            res = loader.load_http(batches, srv.port, DB, workers, label=f"{self.name} load, {workers} workers",
                                   progress=args.progress)
        srv.stop()                      # keeps its folder; only one server runs at a time
        self._record_load(res, workers, rss.peak, say)

    def compact(self) -> int:
        size = self.server.force_compaction(timeout=600 * self.slack)      # restarts the server
        self.run = http_query(self.server.port)
        return size

    def close(self) -> None:
        if self.server is not None:
            self.server.__exit__(None, None, None)
            self.server, self.run = None, None


class VictoriaSystem(HttpSystem):
    """VictoriaMetrics over HTTP: the TSBS MetricsQL forms (bench/victoria.py)."""

    def __init__(self, values: int):
        from .victoria import VictoriaMetrics
        super().__init__(VictoriaMetrics, values)
        self.result.whole_series = self.result.ties_own_order = True
        self.paths: dict[str, str] = {}

    def compact(self) -> int:
        size = self.server.force_compaction(timeout=600 * self.slack)
        self.run = http_get(self.server.port)
        return size

    def translate(self, bq: BenchQuery) -> str | None:
        from .victoria import translate
        path = translate(bq)
        if path is not None:
            self.paths[bq.name] = path
        return path

    def shape_answers(self) -> None:
        from .victoria import influx_shape_of_labels
        self.result.shaped = {q: influx_shape_of_labels(body) for q, body in self.result.answers.items()
                              if self.paths.get(q, "").startswith("/api/v1/label/")}


class DuckSystem(System):
    """DuckDB in process (bench/duckdb_peer.py): the timed load is the table's creation from a
    frame parsed beforehand (DuckDB reads no line protocol)."""

    def __init__(self, values: int):
        super().__init__("duckdb", values)
        self.result.whole_series = self.result.ties_own_order = True
        self.peer = None
        self.frame = None

    def fresh_load(self, batches, workers, args, say, spy_path=None) -> None:
        from .duckdb_peer import DuckPeer, parse_line_protocol
        self.close()
        if self.frame is None:
            t0 = time.perf_counter()
            self.frame = parse_line_protocol(batches.chunks())
            say(f"duckdb: line protocol parsed into a frame in {time.perf_counter() - t0:.1f} s (not timed)")
        self.peer = DuckPeer(threads=2)
        seconds = self.peer.load(self.frame)
        res = loader.LoadResult(seconds, len(batches.parts), len(batches.data), batches.lines)
        self._record_load(res, workers, None, say)

    def done_loading(self) -> None:
        self.frame = None

    def compact(self) -> int:
        self.run = self.peer.run
        return self.peer.disk_bytes()

    def translate(self, bq: BenchQuery) -> str | None:
        return self.peer.translate(bq)

    def close(self) -> None:
        if self.peer is not None:
            self.peer.close()
            self.peer, self.run = None, None


class EmbeddedSystem(System):
    """tsdb in-process: the same batches and queries without HTTP (what the shim costs)."""

    def __init__(self, values: int):
        super().__init__("tsdb-embedded", values)
        self.root = Path(tempfile.mkdtemp(prefix="bench-embedded-"))
        self.store = None

    def fresh_load(self, batches, workers, args, say, spy_path=None) -> None:
        import tsdb_core
        self.close()
        self.store = store = tsdb_core.open(self.root / "data")
        self.disk_settle = args.disk_settle
        # Peak RSS in-process: the harness's own growth over the load (its peak reset first).
        base = procstat.rss_bytes(os.getpid()) if procstat.reset_own_peak() else None
        res = loader.load_embedded(batches, lambda body: store.write(DB, body), workers,
                                   label=f"tsdb-embedded load, {workers} workers", progress=args.progress)
        peak = procstat.hwm_bytes(os.getpid()) - base if base is not None else None
        self._record_load(res, workers, peak, say)

    def compact(self) -> int:
        import orjson
        self.store.flush()
        self.store.compact()
        store = self.store

        def run(q: str) -> tuple[int, bytes]:
            return 200, orjson.dumps(store.query(q, db=DB).to_json())

        self.run = run
        store.start_background()            # as `tsdb serve` runs it: it deletes the replaced files when due
        return procstat.settled_bytes(self.root / "data", self.disk_settle)

    def close(self) -> None:
        if self.store is not None:
            self.store.close()
            self.store, self.run = None, None
        shutil.rmtree(self.root, ignore_errors=True)


def profile_worst(system: HttpSystem, queries: list[BenchQuery], baseline: SystemRun | None,
                  args, say, n: int = 3, seconds: float = 5.0) -> None:
    """py-spy the server while it answers each of the ``n`` worst queries (by ratio to
    InfluxDB, else by latency) over and over for ``seconds``; write text summaries."""
    ours = system.result

    def badness(q: BenchQuery) -> float:
        mine = ours.median_ms(q.name)
        theirs = baseline.median_ms(q.name) if baseline and q.name in baseline.latencies else math.nan
        return mine / theirs if theirs and not math.isnan(theirs) else mine

    timed = [q for q in queries if q.name in ours.latencies]
    if args.profile_queries:
        worst = [q for q in timed if q.name in args.profile_queries]
    else:
        worst = sorted(timed, key=badness, reverse=True)[:n]
    summaries = []
    ingest = args.profile / "ingest.txt"
    if ingest.exists():
        summaries.append(profile.summarise(ingest, title="ingest (HTTP /write)"))
    for q in worst:
        raw = args.profile / f"query-{q.name}.txt"
        with profile.PySpy(system.server.pid, raw):
            t0, k = time.perf_counter(), 0
            while time.perf_counter() - t0 < seconds or k < 3:
                system.run(q.q)
                k += 1
        summaries.append(profile.summarise(raw, title=f"{q.name} x{k} ({badness(q):.2f}x): {q.q}"))
    (args.profile / "summary.txt").write_text("\n".join(summaries))
    say(f"profiles: {args.profile}/summary.txt (worst: {', '.join(q.name for q in worst)})")


def run_all(systems: list[System], batches: loader.Batches, queries: list[BenchQuery], args, say,
            checkpoint: Callable[[str], None] = lambda stage: None) -> None:
    """Loads (worker count by worker count, system by system), compaction, then queries;
    ``checkpoint(stage)`` after each step (the figures so far outlive an interrupted run)."""
    try:
        for i, w in enumerate(args.workers):
            for s in systems:
                spy = (args.profile / "ingest.txt"
                       if args.profile and s.name == "tsdb" and i == len(args.workers) - 1 else None)
                s.fresh_load(batches, w, args, say, spy)
                checkpoint(f"{s.name} loaded with {w} workers")
        for s in systems:
            s.done_loading()
        for s in systems:
            t0 = time.perf_counter()
            s.result.disk_bytes = s.compact()
            say(f"{s.name}: compacted in {time.perf_counter() - t0:.1f} s, {s.result.disk_bytes:,} bytes "
                f"on disk = {s.result.disk_bytes / s.result.values:.2f} bytes/value")
            checkpoint(f"{s.name} compacted")
        time_queries(systems, queries, args.warmup, args.runs, say, args.progress,
                     after=lambda k: checkpoint(f"{k} of {len(queries)} queries timed"))
        for s in systems:
            s.shape_answers()
        if args.profile:
            ours = [s for s in systems if s.name == "tsdb"]
            base = [s.result for s in systems if s.name == "influxdb"]
            if ours:
                profile_worst(ours[0], queries, base[0] if base else None, args, say)
    finally:
        for s in systems:
            s.close()


# -- main --------------------------------------------------------------------------------
def machine() -> str:
    model = "unknown CPU"
    try:
        for line in open("/proc/cpuinfo"):
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    mem = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30
    return f"{model}, {os.cpu_count()} CPUs, {mem:.0f} GiB RAM, {platform.system()} {platform.release()}"


def code_version() -> str:
    """The commit the benchmark runs (``+ changes`` when the tree differs from it)."""
    import subprocess
    repo = Path(__file__).resolve().parent.parent
    try:
        head = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=repo, capture_output=True,
                              text=True, timeout=30).stdout.strip()
        dirty = subprocess.run(["git", "status", "--porcelain", "--untracked-files=no"], cwd=repo,
                               capture_output=True, text=True, timeout=30).stdout.strip()
    except (OSError, subprocess.SubprocessError):
        return "unknown (no git)"
    return (head or "unknown") + (" + changes" if dirty else "")


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    p = argparse.ArgumentParser(prog="python -m bench.compare", description=__doc__.split("\n\n")[0])
    p.add_argument("--scale", choices=sorted(SCALES), default="small")
    p.add_argument("--hosts", type=int, help="override the scale's host count")
    p.add_argument("--hours", type=float, help="override the scale's hours")
    p.add_argument("--seed", type=int, default=DEFAULT_SEED)
    p.add_argument("--workers", default="2,4",
                   help="comma-separated loader worker counts; each loads a fresh server, best wins")
    p.add_argument("--runs", type=int, default=5, help="timed runs per query (median reported)")
    p.add_argument("--warmup", type=int, default=1, help="untimed runs per query before timing")
    p.add_argument("--queries", help="comma-separated subset of query names")
    p.add_argument("--embedded", action="store_true", help="also run tsdb in-process (no HTTP)")
    p.add_argument("--skip", default="",
                   help="comma-separated systems to skip: influxdb,tsdb,duckdb,victoriametrics")
    p.add_argument("--skip-reason", help="why the --skip systems are left out (said and recorded)")
    p.add_argument("--decimals", type=int, default=None,
                   help="round the data's values to this many decimals (default: full precision)")
    p.add_argument("--no-sink", action="store_true", help="skip the loader-vs-no-op-sink check")
    p.add_argument("--out", type=Path, default=OUT)
    p.add_argument("--disk-settle", type=float, default=REPLACED_GRACE_S + 5,
                   help="seconds after tsdb's compaction before its disk figure: the files it replaced "
                        "are deleted when their grace period (60 s) ends")
    p.add_argument("--data-dir", type=Path, default=OUT / "data",
                   help="where generated data files are kept and reused")
    p.add_argument("--profile", type=Path, nargs="?", const=OUT / "profile", default=None,
                   help="py-spy the tsdb server during its last load and its 3 worst queries "
                        "(figures of that run carry the sampling overhead)")
    p.add_argument("--profile-queries", help="comma-separated queries to profile instead of the 3 worst")
    p.add_argument("--progress", action=argparse.BooleanOptionalAction, default=None,
                   help="progress bars (default: when stdout is a terminal)")
    args = p.parse_args(argv)
    hosts, hours = SCALES[args.scale]
    args.hosts = args.hosts or hosts
    args.hours = args.hours or hours
    args.workers = [int(w) for w in str(args.workers).split(",") if w.strip()]
    args.skip = {s.strip() for s in args.skip.split(",") if s.strip()}
    args.profile_queries = set(args.profile_queries.split(",")) if args.profile_queries else set()
    if args.profile_queries and args.profile is None:
        args.profile = OUT / "profile"
    if args.profile is not None and not profile.available():
        p.error("--profile needs py-spy on PATH (pip install py-spy)")
    return args


def make_systems(args, values: int, say, left_out: dict[str, str] | None = None) -> list[System]:
    """The contenders, in the order they load and answer; a missing peer is said and left out
    (the reason recorded in ``left_out``)."""
    left_out = {} if left_out is None else left_out

    def leave(name: str, why: str) -> None:
        left_out[name] = why
        say(f"{name}: {why}, left out")

    for name in sorted(args.skip):
        leave(name, args.skip_reason or "--skip")
    systems: list[System] = []
    if "influxdb" not in args.skip:
        systems.append(HttpSystem(Influxd, values))
    if "tsdb" not in args.skip:
        from .tsdb_server import TsdbServer
        systems.append(HttpSystem(TsdbServer, values))
    if args.embedded:
        systems.append(EmbeddedSystem(values))
    if "duckdb" not in args.skip:
        try:
            import duckdb  # noqa: F401
            systems.append(DuckSystem(values))
        except ImportError:
            leave("duckdb", "not installed (pip install duckdb)")
    if "victoriametrics" not in args.skip:
        from . import victoria
        if victoria.available():
            systems.append(VictoriaSystem(values))
        else:
            leave("victoriametrics", "no victoria-metrics binary (apt-get install victoria-metrics)")
    return systems


def write_outputs(report: Report, queries: list[BenchQuery], out: Path, say) -> None:
    """results.md (the table, the peers' table, the queries) and query-medians.png."""
    out.mkdir(parents=True, exist_ok=True)
    md = out / "results.md"
    queries_md = "\n".join(f"| {q.name} | `{q.q}` |" for q in queries)
    peers = report.peer_markdown()
    md.write_text("# tsdb vs InfluxDB 1.6.7, DuckDB and VictoriaMetrics\n\n" + report.markdown()
                  + (f"\n## tsdb against its peers\n\n{peers}" if peers else "")
                  + "\n## Queries\n\n| name | InfluxQL |\n|---|---|\n" + queries_md + "\n")
    say(f"written: {md}")
    if peers:
        say(peers)
    png = out / "query-medians.png"
    if report.plot(png):
        say(f"written: {png}")
    else:
        say("no plot: matplotlib is not installed (pip install -e '.[bench]')")


def split_runs(systems: list[System], values: int) -> tuple[SystemRun, list[SystemRun]]:
    """(InfluxDB's run, or an empty one when it was left out; everyone else's)."""
    influx = next((s.result for s in systems if s.name == "influxdb"), SystemRun(name="influxdb", values=values))
    return influx, [s.result for s in systems if s.name != "influxdb"]


def partial_figures(systems: list[System], args, queries: list[BenchQuery], values: int, meta: dict,
                    left_out: dict[str, str], t_start: float) -> Callable[[str], None]:
    """A checkpoint writing figures.json as it stands, marked ``partial`` (answers not compared
    yet): a long run stopped half way still leaves what it measured for bench/sweep.py."""
    def checkpoint(stage: str) -> None:
        influx, ours = split_runs(systems, values)
        now = meta | {"partial": f"stopped after: {stage}", "wall time": f"{time.perf_counter() - t_start:.0f} s"}
        write_figures(Report(influx, ours, [q.name for q in queries], now), args, queries, values, left_out)
    return checkpoint


def keep_answers(runs, out: Path) -> None:
    """Every system's last answer to each query, under out/answers/<system>/ (for diffing by hand)."""
    for s in runs:
        adir = out / "answers" / s.name
        adir.mkdir(parents=True, exist_ok=True)
        for qname, body in s.answers.items():
            (adir / f"{qname}.json").write_bytes(body)


def write_figures(report: Report, args, queries: list[BenchQuery], values: int,
                  left_out: dict[str, str]) -> Path:
    """figures.json: the run's figures and its scale, what bench/sweep.py tabulates and plots."""
    import orjson
    from .queries import values_selected
    figures = report.figures() | {
        "hosts": args.hosts, "hours": args.hours, "decimals": args.decimals, "values": values,
        "selected": {q.name: values_selected(q, args.hosts, args.hours) for q in queries},
        "left_out": left_out,
    }
    args.out.mkdir(parents=True, exist_ok=True)
    path, tmp = args.out / "figures.json", args.out / "figures.json.tmp"
    tmp.write_bytes(orjson.dumps(figures, option=orjson.OPT_INDENT_2))
    os.replace(tmp, path)
    return path


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    from rich.console import Console
    console = Console() if sys.stdout.isatty() else Console(width=160)

    def say(msg: str) -> None:
        console.print(msg, highlight=False, markup=False)

    t_start = time.perf_counter()
    path = data_file(args.hosts, args.hours, args.seed, args.data_dir, args.decimals, args.progress)
    batches = loader.map_file(path)
    values = values_in(batches)
    say(f"data: {path} ({len(batches.data) / 2**20:,.0f} MiB, {batches.lines:,} lines, {values:,} values, "
        f"{len(batches.parts)} batches of {loader.BATCH_LINES})")
    queries = devops_queries(args.hosts, args.hours, seed=args.seed,
                             names=args.queries.split(",") if args.queries else None)
    meta = {
        "date": datetime.now(timezone.utc).strftime("%Y-%m-%d %H:%M UTC"),
        "machine": machine(),
        "command": "python -m bench.compare " + shlex.join(argv if argv is not None else sys.argv[1:]),
        "data": f"TSBS devops cpu-only, {args.hosts} hosts x {args.hours:g} h every 10 s from 2016-01-01, "
                f"seed {args.seed}, "
                + ("full precision" if args.decimals is None else f"values rounded to {args.decimals} decimals")
                + f": {batches.lines:,} lines, {values:,} values",
        "load": f"{loader.BATCH_LINES:,}-line batches to /write, workers tried: "
                f"{', '.join(map(str, args.workers))} (best shown)",
        "queries": f"{args.warmup} warm-up run(s), then median of {args.runs}",
        "code": code_version(),
    }
    if not args.no_sink:
        sink = loader.sink_throughput(batches, max(args.workers))
        meta["loader check"] = (f"the loader alone (no-op sink, {max(args.workers)} workers) pushes "
                                f"{values / sink.seconds:,.0f} values/s")
        say(meta["loader check"])

    left_out: dict[str, str] = {}
    systems = make_systems(args, values, say, left_out)
    run_all(systems, batches, queries, args, say,
            partial_figures(systems, args, queries, values, meta, left_out, t_start))
    influx, ours = split_runs(systems, values)

    best = [s.ingest_rate for s in (influx, *ours) if not math.isnan(s.ingest_rate)]
    if best and "loader check" in meta:
        meta["loader check"] += f" = {values / sink.seconds / max(best):.1f}x the fastest system"
    meta["best worker count"] = ", ".join(f"{s.name} {s.ingest_workers}" for s in (influx, *ours)
                                          if s.ingest_by_workers)
    meta["wall time"] = f"{time.perf_counter() - t_start:.0f} s"
    keep_answers((influx, *ours), args.out)
    report = Report(influx, ours, [q.name for q in queries], meta).build()
    report.print_rich(console)
    write_outputs(report, queries, args.out, say)
    write_figures(report, args, queries, values, left_out)
    differing = {name: d for name, d in report.mismatches.items() if d}
    if differing:
        say("RESULTS DIFFER between systems where the queries mean the same: "
            + "; ".join(f"{name}: {', '.join(d)}" for name, d in differing.items()))
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
