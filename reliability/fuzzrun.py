"""The long fuzz run: N cases per input, batched hypothesis draws, two worker processes.

    python -m reliability.fuzzrun --examples 100000            # 100,000 per input, split over both dialects
    python -m reliability.fuzzrun --examples 2000 --only influxql,gzip --seed 7

Why batched: Hypothesis's engine costs a few ms per example (seeding, the data
tree, span bookkeeping), more than the app's answer to most cases, so one
example draws a list of ``BATCH`` cases and each case is still one request
checked on its own. Why rounds: a fresh engine every ``ROUND`` cases keeps
its data tree (memory) small and reports progress. No shrinking and no example
database: a broken case is recorded with its exact input and the run goes on
(findings are listed at the end; the exit code is 1 if there is any).

Each input's cases are split between the two dialects (half each), each
(input, dialect) job on its own on-disk store; jobs run in ``--procs`` worker
processes (spawned, so Polars' thread pool is never forked).
"""
from __future__ import annotations

import argparse
import logging
import os
import random
import resource
import sys
import tempfile
import time
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from multiprocessing import get_context
from pathlib import Path

from . import fuzz

BATCH = 20  # cases per hypothesis example (hypothesis caps an example at 8,192 choices)
ROUND = 2000  # cases per hypothesis engine run
SLOW_S = 2.0  # a case slower than this is counted (not a finding: the invariant is about answers)
MAX_FINDINGS = 50  # distinct kinds (first line of the error) per job; more are counted, not recorded


@dataclass(slots=True)
class JobResult:
    target: str
    dialect: str
    cases: int = 0
    wall_s: float = 0.0
    cpu_s: float = 0.0
    broken: int = 0  # cases that broke the invariant or raised
    findings: dict[str, list] = field(default_factory=dict)  # kind -> [count, what broke, repr(first case)]
    statuses: dict[int, int] = field(default_factory=dict)
    slow: int = 0  # cases answered correctly but after more than SLOW_S
    slowest: tuple[float, str] = (0.0, "")  # (seconds, repr(case))


def run_job(target_name: str, dialect: str, n: int, seed: int, root: str | None = None,
            batch: int = BATCH, round_cases: int = ROUND, target: fuzz.Target | None = None,
            deadline: float | None = None, progress: int = 0) -> JobResult:
    """``n`` cases of one input against one dialect's app over a fresh on-disk store.

    Stops early (``res.cases < n``) once ``time.time()`` passes ``deadline``;
    prints a progress line every ``progress`` cases (0 = never).
    """
    from hypothesis import strategies as st

    target = target or fuzz.TARGETS[target_name]
    res = JobResult(target.name, dialect)
    cases = st.lists(target.cases(), min_size=batch, max_size=batch)
    rng = random.Random(seed)
    t0, c0 = time.monotonic(), time.process_time()
    logging.disable(logging.ERROR)  # the engine logs each internal error's traceback; findings keep the message
    try:
        _cases(res, target, dialect, n, cases, rng, root, batch, round_cases, deadline, progress, t0)
    finally:
        logging.disable(logging.NOTSET)
    res.wall_s, res.cpu_s = time.monotonic() - t0, time.process_time() - c0
    return res


def _cases(res, target, dialect, n, cases, rng, root, batch, round_cases, deadline, progress, t0) -> None:
    from hypothesis import HealthCheck, Phase, given, settings
    from hypothesis import seed as hseed

    with tempfile.TemporaryDirectory(dir=root) as d, fuzz.fuzz_app(Path(d) / "store", dialect) as call:
        def one(case) -> None:
            res.cases += 1
            t = time.monotonic()
            try:
                ans = fuzz.run_case(call, target, case)
                res.statuses[ans.status] = res.statuses.get(ans.status, 0) + 1
                took = time.monotonic() - t
                if took > SLOW_S:
                    res.slow += 1
                    if took > res.slowest[0]:
                        res.slowest = (took, repr(case)[:1000])
            except Exception as e:  # noqa: BLE001 - every exception is a finding, with its input
                res.broken += 1
                what = f"{type(e).__name__}: {e}"
                kind = what.splitlines()[0][:160]
                if kind in res.findings:
                    res.findings[kind][0] += 1
                elif len(res.findings) < MAX_FINDINGS:
                    res.findings[kind] = [1, what[:3000], repr(case)[:3000]]

        while res.cases < n and (deadline is None or time.time() < deadline):
            if progress and res.cases and res.cases % progress < round_cases:
                print(f"    .. {target.name} {dialect}: {res.cases} cases, {time.monotonic() - t0:.0f} s, "
                      f"broken {res.broken}", flush=True)
            todo = min(round_cases, n - res.cases)

            @settings(max_examples=-(-todo // batch), deadline=None, database=None, phases=[Phase.generate],
                      suppress_health_check=list(HealthCheck), report_multiple_bugs=False)
            @hseed(rng.getrandbits(64))
            @given(batch_cases=cases)
            def draw(batch_cases):
                for case in batch_cases:
                    if res.cases >= stop:
                        return
                    one(case)

            stop = res.cases + todo
            before = res.cases
            draw()
            if res.cases == before:  # hypothesis found nothing new to draw (never with these strategies)
                break


COST = {"headers": 0, "influxql": 1}  # the slowest jobs start first (the pool balances the rest)


def plan(examples: int, only: list[str]) -> list[tuple[str, str, int]]:
    """(input, dialect, cases): each input's ``examples`` split as evenly as possible over the dialects."""
    jobs = []
    for name in sorted(only, key=lambda n: COST.get(n, 9)):
        for i, dialect in enumerate(fuzz.DIALECTS):
            share = examples // len(fuzz.DIALECTS) + (i < examples % len(fuzz.DIALECTS))
            if share:
                jobs.append((name, dialect, share))
    return jobs


def _init_worker() -> None:
    os.environ.setdefault("POLARS_MAX_THREADS", "1")


def run(examples: int, only: list[str] | None = None, procs: int = 2, seed: int | None = None,
        root: str | None = None, log=print, max_seconds: float | None = None,
        progress: int = 0) -> tuple[list[JobResult], dict]:
    """Run every job; returns the job results and the totals (wall, CPU of the workers, cases, broken).

    ``max_seconds`` bounds the whole run: jobs still running then stop where they
    are, and the counts say how far each got.
    """
    only = only or list(fuzz.TARGETS)
    seed = random.randrange(2**32) if seed is None else seed
    jobs = plan(examples, only)
    log(f"fuzz: {examples} cases per input over {fuzz.DIALECTS}, {len(jobs)} jobs, {procs} processes, seed {seed}")
    t0 = time.monotonic()
    results: list[JobResult] = []
    deadline = None if max_seconds is None else time.time() + max_seconds
    args = [(name, dialect, n, seed * 1000 + i, root, BATCH, ROUND, None, deadline, progress)
            for i, (name, dialect, n) in enumerate(jobs)]
    if procs <= 1:
        for a in args:
            results.append(run_job(*a))
            log(_line(results[-1]))
    else:
        with ProcessPoolExecutor(procs, mp_context=get_context("spawn"), initializer=_init_worker) as ex:
            for fut in [ex.submit(run_job, *a) for a in args]:
                results.append(fut.result())
                log(_line(results[-1]))
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    totals = {"seed": seed, "wall_s": time.monotonic() - t0, "cases": sum(r.cases for r in results),
              "cpu_s": sum(r.cpu_s for r in results), "children_cpu_s": usage.ru_utime + usage.ru_stime,
              "broken": sum(r.broken for r in results)}
    return results, totals


def _line(r: JobResult) -> str:
    top = ", ".join(f"{k}: {v}" for k, v in sorted(r.statuses.items()))
    return (f"  {r.target:13} {r.dialect:16} {r.cases:7d} cases {r.wall_s:7.1f} s wall {r.cpu_s:7.1f} s CPU "
            f"({1000 * r.cpu_s / max(r.cases, 1):.2f} ms/case) broken {r.broken} slow {r.slow}  [{top}]")


def summary(results: list[JobResult], totals: dict) -> str:
    per_input: dict[str, int] = {}
    for r in results:
        per_input[r.target] = per_input.get(r.target, 0) + r.cases
    lines = [f"fuzz: {totals['cases']} cases ({', '.join(f'{k} {v}' for k, v in per_input.items())}), "
             f"{totals['wall_s']:.0f} s wall, {totals['cpu_s']:.0f} s CPU in the workers, "
             f"broken {totals['broken']}, seed {totals['seed']}"]
    for r in results:
        for kind, (count, what, case) in r.findings.items():
            lines.append(f"  FINDING {r.target} {r.dialect} x{count}: {what}\n    first input: {case}")
        if r.slow:
            lines.append(f"  SLOW {r.target} {r.dialect}: {r.slow} cases over {SLOW_S} s; slowest "
                         f"{r.slowest[0]:.1f} s: {r.slowest[1]}")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m reliability.fuzzrun")
    ap.add_argument("--examples", type=int, default=2000, help="cases per input (split over the two dialects)")
    ap.add_argument("--only", default=",".join(fuzz.TARGETS))
    ap.add_argument("--procs", type=int, default=2)
    ap.add_argument("--seed", type=int)
    ap.add_argument("--max-seconds", type=float, help="stop every job where it is after this long")
    ap.add_argument("--progress", type=int, default=10_000, help="a progress line every N cases per job")
    a = ap.parse_args(argv)
    only = a.only.split(",")
    unknown = set(only) - set(fuzz.TARGETS)
    if unknown:
        ap.error(f"unknown input(s) {sorted(unknown)}; choose from {list(fuzz.TARGETS)}")
    results, totals = run(a.examples, only, a.procs, a.seed, log=lambda m: print(m, flush=True),
                          max_seconds=a.max_seconds, progress=a.progress)
    print(summary(results, totals), flush=True)
    return 1 if totals["broken"] else 0


if __name__ == "__main__":
    sys.exit(main())
