"""The README's table of tsdb beside its peers, from the sweep's figures at each scale and precision.

    python -m bench.peer_table                      # bench/out/sweep, 100 and 1,000 hosts
    python -m bench.peer_table --hosts 10,100,1000 --out bench/out/sweep

Reads ``h<N>/figures.json`` (full precision) and ``h<N>-2dp/figures.json`` (values rounded to 2
decimals) as bench/sweep.py leaves them; a cell is ``2 decimals / full`` where both were measured,
the one figure otherwise, ``-`` where the system was not run or could not express the query.
"""
from __future__ import annotations

import argparse
import math
from pathlib import Path

import orjson

from .report import fmt

OUT = Path(__file__).resolve().parent / "out" / "sweep"
COLUMNS = (("tsdb", "tsdb (HTTP)"), ("tsdb-embedded", "tsdb (in process)"), ("influxdb", "InfluxDB 1.6.7"),
           ("duckdb", "DuckDB"), ("victoriametrics", "VictoriaMetrics 1.79.5"))
SINGLE = ("single-groupby-1-1-1", "single-groupby-1-1-12", "single-groupby-1-8-1",
          "single-groupby-5-1-1", "single-groupby-5-1-12", "single-groupby-5-8-1")


def _median(system: dict, q: str) -> float:
    x = system.get("medians_ms", {}).get(q)
    return math.nan if x is None else x


def _slowest(system: dict, qs: tuple[str, ...]) -> float:
    xs = [_median(system, q) for q in qs]
    return math.nan if any(math.isnan(x) for x in xs) else max(xs)


# (row label, how to read it from one system's figures and the run's value count)
ROWS = (
    ("ingest, M values/s", lambda s, n: (s.get("ingest_rate") or math.nan) / 1e6),
    ("disk, bytes/value", lambda s, n: (s.get("disk_bytes") or math.nan) / n),
    ("single-groupby (slowest of 6), ms", lambda s, n: _slowest(s, SINGLE)),
    ("cpu-max-all-8, ms", lambda s, n: _median(s, "cpu-max-all-8")),
    ("double-groupby-1, ms", lambda s, n: _median(s, "double-groupby-1")),
    ("double-groupby-all, ms", lambda s, n: _median(s, "double-groupby-all")),
    ("high-cpu-all, ms", lambda s, n: _median(s, "high-cpu-all")),
    ("lastpoint, ms", lambda s, n: _median(s, "lastpoint")),
    ("groupby-orderby-limit, ms", lambda s, n: _median(s, "groupby-orderby-limit")),
    ("count-all, ms", lambda s, n: _median(s, "count-all")),
    ("show tag values, ms", lambda s, n: _median(s, "show-tag-values-hostname")),
)


def load(out: Path, hosts: int, suffix: str) -> dict | None:
    path = out / f"h{hosts}{suffix}" / "figures.json"
    return orjson.loads(path.read_bytes()) if path.exists() else None


def cell(runs: list[dict | None], name: str, get) -> str:
    """``2dp / full`` of one figure for one system (``-`` for a run without it)."""
    shown = []
    for figs in runs:
        if figs is None:
            continue
        system = next((s for s in figs["systems"] if s["name"] == name), None)
        x = get(system, figs["values"]) if system else math.nan
        shown.append("-" if math.isnan(x) else fmt(x))
    return " / ".join(shown) if shown and set(shown) != {"-"} else "-"


def table(out: Path, hosts: list[int]) -> str:
    """One block of rows per scale; the header says which precisions each block holds."""
    lines = ["| scale | figure | " + " | ".join(label for _, label in COLUMNS) + " |",
             "|---|---|" + "---:|" * len(COLUMNS)]
    for h in hosts:
        runs = [load(out, h, "-2dp"), load(out, h, "")]
        if not any(runs):
            continue
        which = " / ".join(p for p, r in zip(("2 decimals", "full"), runs) if r)
        for i, (label, get) in enumerate(ROWS):
            scale = f"{h:,} hosts ({which})" if i == 0 else ""
            lines.append(f"| {scale} | {label} | " + " | ".join(cell(runs, n, get) for n, _ in COLUMNS) + " |")
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> None:
    p = argparse.ArgumentParser(prog="python -m bench.peer_table", description=__doc__.split("\n\n")[0])
    p.add_argument("--hosts", default="100,1000")
    p.add_argument("--out", type=Path, default=OUT)
    args = p.parse_args(argv)
    print(table(args.out, [int(h) for h in args.hosts.split(",") if h.strip()]), end="")


if __name__ == "__main__":
    main()
