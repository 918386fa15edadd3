"""The comparison at several scales and the cost per value at each: does it stay flat?

    python -m bench.sweep                                   # 10, 100, 1,000 hosts x 24 h
    python -m bench.sweep --hosts 10,100,1000 --runs 5,5,1 --embedded --workers 2 --no-sink
    python -m bench.sweep --hosts 10,100 --reuse            # run only the scales not yet measured
    python -m bench.sweep --report-only                     # tabulate what is there, run nothing

Each scale is one ``python -m bench.compare --hosts N`` in its own process (its own
memory, peak-RSS figures and progress bars), writing its tables and ``figures.json`` to
``OUT/h<N>`` (``-<d>dp`` with ``--decimals d``); options this command does not know are
passed on to it. Then, per system and scale: ingest seconds per million values, bytes
on disk per value, and each query's median per value it selects (hosts x points in its
window x fields it reads, see bench/queries.py ``values_selected``), summed up as a
geometric mean over the queries the system answered at every scale. The tables go to the
terminal and ``OUT/sweep.md``, the plot to ``OUT/cost-per-value.png`` (``sweep-2dp.md`` and
``cost-per-value-2dp.png`` with ``--decimals 2``). A scale whose
answers differed between systems (or whose run failed or stopped half way: bench.compare
leaves its figures so far, marked partial) makes the command exit 1.
"""
from __future__ import annotations

import argparse
import math
import subprocess
import sys
import warnings
from dataclasses import dataclass
from pathlib import Path

import orjson

from .report import fmt, geomean

OUT = Path(__file__).resolve().parent / "out" / "sweep"
ORDER = ("tsdb", "tsdb-embedded", "influxdb", "duckdb", "victoriametrics")


@dataclass(frozen=True, slots=True)
class Scale:
    """One scale's figures.json, as written by bench/compare.py."""

    hosts: int
    figures: dict

    @property
    def values(self) -> int:
        return self.figures["values"]

    @property
    def partial(self) -> str | None:
        """Where an interrupted run stopped (its figures.json is a checkpoint), else None."""
        return self.figures["meta"].get("partial")

    def system(self, name: str) -> dict | None:
        return next((s for s in self.figures["systems"] if s["name"] == name), None)

    def ingest_s_per_m(self, name: str) -> float:
        rate = (self.system(name) or {}).get("ingest_rate")
        return 1e6 / rate if rate else math.nan

    def bytes_per_value(self, name: str) -> float:
        disk = (self.system(name) or {}).get("disk_bytes")
        return disk / self.values if disk else math.nan

    def ns_per_value(self, name: str, query: str) -> float:
        """A query's median in nanoseconds per value it selects (per series for SHOW)."""
        ms = (self.system(name) or {}).get("medians_ms", {}).get(query)
        selected = self.figures["selected"].get(query)
        return ms * 1e6 / selected if ms is not None and selected else math.nan


# -- running -------------------------------------------------------------------------
def scale_dir(out: Path, hosts: int, decimals: int | None) -> Path:
    return out / (f"h{hosts}" + ("" if decimals is None else f"-{decimals}dp"))


def run_scale(hosts: int, runs: int, warmup: int, args, passthrough: list[str]) -> int:
    """One bench.compare run in a child process (its output straight to ours): its exit code."""
    cmd = [sys.executable, "-m", "bench.compare", "--hosts", str(hosts), "--hours", f"{args.hours:g}",
           "--runs", str(runs), "--warmup", str(warmup),
           "--out", str(scale_dir(args.out, hosts, args.decimals)), *passthrough]
    if args.decimals is not None:
        cmd += ["--decimals", str(args.decimals)]
    sys.stdout.flush()
    return subprocess.run(cmd, cwd=Path(__file__).resolve().parent.parent).returncode


def load_scale(out: Path, hosts: int, decimals: int | None) -> Scale | None:
    path = scale_dir(out, hosts, decimals) / "figures.json"
    return Scale(hosts, orjson.loads(path.read_bytes())) if path.exists() else None


# -- the tables ----------------------------------------------------------------------
def systems_in(scales: list[Scale]) -> list[str]:
    names = {s["name"] for sc in scales for s in sc.figures["systems"]}
    return [n for n in ORDER if n in names] + sorted(names - set(ORDER))


def common_queries(scales: list[Scale], name: str, grows: bool | None = None) -> list[str]:
    """The queries ``name`` answered at every scale (the geomean compares like with like);
    ``grows``: only those whose values selected grow with the hosts (True: queries over
    every host) or only those that stay the same (False: queries over a fixed few hosts)."""
    sets = [set((sc.system(name) or {}).get("medians_ms", {})) for sc in scales]
    qs = [q for q in scales[-1].figures["selected"] if sets and all(q in s for s in sets)]
    if grows is None:
        return qs
    sel = lambda sc, q: sc.figures["selected"].get(q, 0)  # noqa: E731
    return [q for q in qs if (sel(scales[-1], q) > sel(scales[0], q)) == grows]


def _geomean_ns(sc: Scale, name: str, qs: list[str]) -> float:
    return geomean(sc.ns_per_value(name, q) for q in qs) if qs else math.nan


def trend(xs: list[float]) -> float:
    """Last scale's figure over the first's (1.00x: flat; below: cheaper per value)."""
    known = [x for x in xs if not math.isnan(x)]
    return known[-1] / known[0] if len(known) >= 2 and known[0] else math.nan


def summary_rows(scales: list[Scale]) -> list[list[str]]:
    rows = []
    figures = [
        ("ingest, s per M values", None, lambda sc, n, qs: sc.ingest_s_per_m(n)),
        ("disk, bytes/value", None, lambda sc, n, qs: sc.bytes_per_value(n)),
        ("queries over every host, ns per value selected (geomean)", True, _geomean_ns),
        ("queries over 1-8 hosts, ns per value selected (geomean)", False, _geomean_ns),
        ("all queries, median ms (geomean)", None,
         lambda sc, n, qs: geomean((sc.system(n) or {}).get("medians_ms", {}).get(q, math.nan) for q in qs)
         if qs else math.nan),
    ]
    for label, grows, get in figures:
        for name in systems_in(scales):
            qs = common_queries(scales, name, grows)
            xs = [get(sc, name, qs) if sc.system(name) else math.nan for sc in scales]
            rows.append([label, name, *(fmt(x) for x in xs), fmt_trend(trend(xs))])
    return rows


def query_rows(scales: list[Scale]) -> list[list[str]]:
    rows = []
    for q in scales[-1].figures["selected"]:
        selected = " / ".join(f"{sc.figures['selected'].get(q, 0):,}" for sc in scales)
        for name in systems_in(scales):
            xs = [sc.ns_per_value(name, q) for sc in scales]
            if all(math.isnan(x) for x in xs):
                continue
            rows.append([q, selected, name, *(fmt(x) for x in xs), fmt_trend(trend(xs))])
            selected = ""
    return rows


def fmt_trend(x: float) -> str:
    return "n/a" if math.isnan(x) else f"{x:.2f}x"


def scale_headers(scales: list[Scale]) -> list[str]:
    first, last = scales[0].hosts, scales[-1].hosts
    return [f"{sc.hosts:,} hosts" for sc in scales] + [f"{last:,} / {first:,}"]


def markdown(scales: list[Scale], left_out: list[str]) -> str:
    def table(head: list[str], rows: list[list[str]], left: int) -> str:
        lines = ["| " + " | ".join(head) + " |",
                 "|" + "|".join("---" if i < left else "---:" for i in range(len(head))) + "|"]
        return "\n".join(lines + ["| " + " | ".join(r) + " |" for r in rows])

    out = ["# Cost per value at " + ", ".join(f"{sc.hosts:,}" for sc in scales) + " hosts", ""]
    for sc in scales:
        m = sc.figures["meta"]
        out.append(f"- {sc.hosts:,} hosts: `{m.get('command', '?')}`, {m.get('date', '?')}, "
                   f"code {m.get('code', '?')}, {sc.values:,} values, wall time {m.get('wall time', '?')}")
    out.append(f"- machine: {scales[0].figures['meta'].get('machine', '?')}")
    out += [""] + [f"- {line}" for line in left_out]
    out += ["", table(["figure", "system", *scale_headers(scales)], summary_rows(scales), 2), "",
            "Lower is better everywhere; the last column is the largest scale's figure over the smallest's "
            "(1.00x: flat cost per value; below: falling). Query figures: median per value the query "
            "selects (hosts x points in its window x fields it reads; SHOW TAG VALUES: per series), "
            "geomean over the queries the system answered at every scale: those over every host (the values "
            "they select grow with the hosts) and those over a fixed 1-8 hosts (their values do not).", "",
            "## Per query: ns per value selected", "",
            table(["query", "values selected", "system", *scale_headers(scales)], query_rows(scales), 3), ""]
    return "\n".join(out) + "\n"


def left_out_lines(scales: list[Scale]) -> list[str]:
    """Systems left out (with why, once for all the scales alike), errors, differing answers."""
    where: dict[tuple[str, str], list[str]] = {}
    for sc in scales:
        for name, why in sc.figures["left_out"].items():
            where.setdefault((name, why), []).append(f"{sc.hosts:,}")
    out = [f"{name} left out at {', '.join(hs)} hosts: {why}" for (name, why), hs in where.items()]
    out += [f"{sc.hosts:,} hosts: PARTIAL run, {sc.partial}" for sc in scales if sc.partial]
    for sc in scales:
        for s in sc.figures["systems"]:
            out += [f"{sc.hosts:,} hosts: {s['name']} {q}: {e}" for q, e in s["errors"].items()]
        out += [f"{sc.hosts:,} hosts: RESULTS DIFFER, {n}: {', '.join(d)}"
                for n, d in sc.figures["mismatches"].items()]
    return out


# -- the plot ------------------------------------------------------------------------
def plot(scales: list[Scale], path: Path) -> bool:
    """Four panels against hosts (log-log): ingest, disk, query geomean per value, and each
    query per value for tsdb in process (tsdb over HTTP without --embedded)."""
    try:
        import matplotlib
    except ImportError:
        return False
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    hosts = [sc.hosts for sc in scales]
    fig, axes = plt.subplots(2, 2, figsize=(12, 8.5))
    panels = [(axes[0][0], "ingest: s per million values", lambda sc, n, qs: sc.ingest_s_per_m(n)),
              (axes[0][1], "disk: bytes per value", lambda sc, n, qs: sc.bytes_per_value(n)),
              (axes[1][0], "queries over every host: ns per value selected (geomean)", _geomean_ns)]
    for ax, title, get in panels:
        for name in systems_in(scales):
            qs = common_queries(scales, name, grows=True)
            ax.plot(hosts, [get(sc, name, qs) for sc in scales], marker="o", label=name)
        ax.set_title(title, fontsize=10)
    names = systems_in(scales)
    ours = "tsdb-embedded" if "tsdb-embedded" in names else names[0] if names else ""
    ax = axes[1][1]
    for i, q in enumerate(common_queries(scales, ours) if ours else []):
        ax.plot(hosts, [sc.ns_per_value(ours, q) for sc in scales], marker=".", label=q,
                linestyle=("-", "--", ":")[i // 10 % 3])      # colours repeat after ten
    ax.set_title(f"{ours}: ns per value selected, per query", fontsize=10)
    ax.legend(fontsize=6, ncol=2)
    axes[0][0].legend(fontsize=8)
    for ax in axes.flat:
        ax.set_xscale("log")
        ys = [y for line in ax.get_lines() for y in line.get_ydata() if math.isfinite(y) and y > 0]
        if not ys:
            ax.text(0.5, 0.5, "no figures", transform=ax.transAxes, ha="center")
            continue
        with warnings.catch_warnings():      # one scale: flat lines, matplotlib widens the axis itself
            warnings.simplefilter("ignore", UserWarning)
            ax.set_yscale("log")
        ax.set_xticks(hosts, [f"{h:,}" for h in hosts])
        ax.set_xlabel("hosts (x 24 h of 10 s points, 10 values each)", fontsize=8)
    fig.suptitle("cost per value by scale (lower is better; flat lines: cost grows with the data, no faster)",
                 fontsize=10)
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)
    return True


# -- main ----------------------------------------------------------------------------
def per_scale(text: str, n: int, what: str) -> list[int]:
    """``5`` or ``5,5,1`` (one per scale)."""
    xs = [int(x) for x in text.split(",") if x.strip()]
    if len(xs) == 1:
        return xs * n
    if len(xs) != n:
        raise SystemExit(f"--{what}: give one number or one per scale ({n})")
    return xs


def parse_args(argv: list[str] | None) -> tuple[argparse.Namespace, list[str]]:
    p = argparse.ArgumentParser(prog="python -m bench.sweep", description=__doc__.split("\n\n")[0],
                                epilog="Other options go to python -m bench.compare.")
    p.add_argument("--hosts", default="10,100,1000", help="comma-separated host counts, smallest first")
    p.add_argument("--hours", type=float, default=24.0)
    p.add_argument("--runs", default="5", help="timed runs per query: one number, or one per scale")
    p.add_argument("--warmup", default="1", help="warm-up runs per query: one number, or one per scale")
    p.add_argument("--decimals", type=int, default=None, help="values rounded to this many decimals")
    p.add_argument("--reuse", action="store_true",
                   help="a scale with figures already in the output folder is not run again")
    p.add_argument("--report-only", action="store_true",
                   help="run nothing: tabulate and plot the figures already in the output folder")
    p.add_argument("--out", type=Path, default=OUT)
    args, passthrough = p.parse_known_args(argv)
    hosts = [int(h) for h in args.hosts.split(",") if h.strip()]
    runs, warmup = per_scale(args.runs, len(hosts), "runs"), per_scale(args.warmup, len(hosts), "warmup")
    args.hosts, args.runs, args.warmup = (list(x) for x in zip(*sorted(zip(hosts, runs, warmup))))
    return args, passthrough


def main(argv: list[str] | None = None) -> int:
    args, passthrough = parse_args(argv)
    from rich.console import Console
    console = Console() if sys.stdout.isatty() else Console(width=200)
    failed = []
    for i, (hosts, runs, warmup) in enumerate(zip(args.hosts, args.runs, args.warmup), 1):
        done = load_scale(args.out, hosts, args.decimals)
        if args.report_only or (args.reuse and done is not None and not done.partial):
            console.print(f"[{i}/{len(args.hosts)}] {hosts:,} hosts: not run (figures of an earlier run, if any)",
                          highlight=False, markup=False)
            continue
        console.rule(f"[{i}/{len(args.hosts)}] {hosts:,} hosts x {args.hours:g} h, {runs} run(s)")
        rc = run_scale(hosts, runs, warmup, args, passthrough)
        if rc != 0:
            failed.append(f"{hosts:,} hosts: bench.compare exited with {rc}")
    scales = [sc for sc in (load_scale(args.out, h, args.decimals) for h in args.hosts) if sc is not None]
    rc = report(scales, failed, args.out, console, "" if args.decimals is None else f"-{args.decimals}dp")
    from .peer_table import table
    (args.out / "peers.md").write_text(table(args.out, args.hosts))
    console.print(f"written: {args.out / 'peers.md'} (tsdb beside its peers, 2 decimals / full)",
                  highlight=False, markup=False)
    return rc


def report(scales: list[Scale], failed: list[str], out: Path, console, suffix: str = "") -> int:
    """Tables to the terminal and sweep.md, the plot; 1 if a scale failed or its answers differed."""
    if not scales:
        console.print("no figures to tabulate", highlight=False, markup=False)
        return 1
    notes = failed + left_out_lines(scales)
    md = markdown(scales, notes)
    out.mkdir(parents=True, exist_ok=True)
    (out / f"sweep{suffix}.md").write_text(md)
    print_rich(scales, notes, console)
    png = out / f"cost-per-value{suffix}.png"
    console.print(f"written: {out / f'sweep{suffix}.md'}" + (f", {png}" if plot(scales, png) else
                  " (no plot: matplotlib is not installed)"), highlight=False, markup=False)
    differ = any(sc.figures["mismatches"] for sc in scales)
    return 1 if failed or differ or any(sc.partial for sc in scales) else 0


def print_rich(scales: list[Scale], notes: list[str], console) -> None:
    from rich.table import Table
    t = Table(title="cost per value by scale (last column: largest scale / smallest)")
    for i, h in enumerate(["figure", "system", *scale_headers(scales)]):
        t.add_column(h, justify="left" if i < 2 else "right")
    last = None
    for row in summary_rows(scales):
        if last is not None and row[0] != last:
            t.add_section()
        t.add_row(*row)
        last = row[0]
    console.print(t)
    for line in notes:
        console.print(line, highlight=False, markup=False)


if __name__ == "__main__":
    sys.exit(main())
