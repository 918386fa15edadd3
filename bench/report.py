"""Result checking and the comparison table (terminal via rich, markdown to bench/out/).

Every figure is shown for each system with the ratio ours/InfluxDB beside it. For
ingest higher is better (target >= 1); for everything else lower is better (target
<= 1). The query verdict is the geometric mean of the per-query latency ratios.
"""
from __future__ import annotations

import math
import statistics
from dataclasses import dataclass, field
from typing import Any, Iterable

import orjson

SIG_DIGITS = 10          # floats compare after rounding to this many significant digits


# -- result equality ---------------------------------------------------------------------
def normalise(obj: Any) -> Any:
    """JSON value with numbers as floats rounded to SIG_DIGITS significant digits.

    Go prints 90.0 as ``90`` and a mean may differ in the last ulp between two correct
    engines; neither is a difference in the answer."""
    if isinstance(obj, bool) or obj is None or isinstance(obj, str):
        return obj
    if isinstance(obj, (int, float)):
        x = float(obj)
        if x == 0 or not math.isfinite(x):
            return x
        return float(f"{x:.{SIG_DIGITS - 1}e}")
    if isinstance(obj, list):
        return [normalise(v) for v in obj]
    if isinstance(obj, dict):
        return {k: normalise(v) for k, v in obj.items()}
    raise TypeError(f"not a JSON value: {type(obj).__name__}")


def first_difference(a: Any, b: Any, path: str = "$") -> str | None:
    """Where two normalised JSON values first differ, as a short readable path."""
    if type(a) is not type(b):
        return f"{path}: {_short(a)} != {_short(b)}"
    if isinstance(a, dict):
        if a.keys() != b.keys():
            return f"{path}: keys {sorted(a)} != {sorted(b)}"
        for k in a:
            d = first_difference(a[k], b[k], f"{path}.{k}")
            if d:
                return d
        return None
    if isinstance(a, list):
        for i, (x, y) in enumerate(zip(a, b)):
            d = first_difference(x, y, f"{path}[{i}]")
            if d:
                return d
        if len(a) != len(b):
            return f"{path}: length {len(a)} != {len(b)}"
        return None
    return None if a == b else f"{path}: {_short(a)} != {_short(b)}"


def _short(v: Any, n: int = 80) -> str:
    s = orjson.dumps(v).decode() if not isinstance(v, str) else repr(v)
    return s if len(s) <= n else s[: n - 3] + "..."


def compare_json(ours: bytes | str, theirs: bytes | str, whole_series: bool = False,
                 ties_unordered: bool = False) -> str | None:
    """None when both answers are the same after normalising, else the first difference;
    ``whole_series``: InfluxDB's ``partial`` pieces of a large series joined on both sides first
    (for a peer that answers in one piece); ``ties_unordered``: rows of equal time within a
    series compared as a set (for a peer whose order among them is its own: InfluxQL's is
    influxd's heap merge of the series, SQL's whatever ORDER BY names next)."""
    try:
        a, b = normalise(orjson.loads(ours)), normalise(orjson.loads(theirs))
    except orjson.JSONDecodeError as exc:
        return f"not JSON: {exc}"
    if whole_series:
        a, b = join_partial(a), join_partial(b)
    if ties_unordered:
        a, b = sort_ties(a), sort_ties(b)
    return first_difference(a, b)


def sort_ties(answer: Any) -> Any:
    """An InfluxDB answer with each series' rows of equal time (first column) sorted by their text."""
    for result in answer.get("results", []) if isinstance(answer, dict) else []:
        for s in result.get("series", []):
            s["values"] = sorted(s.get("values", []), key=lambda row: (row[0], repr(row[1:])))
    return answer


def join_partial(answer: Any) -> Any:
    """An InfluxDB answer with each series that comes in ``partial`` pieces joined into one, and
    no ``partial`` marks (InfluxDB marks a large series partial even when it sends it whole)."""
    for result in answer.get("results", []) if isinstance(answer, dict) else []:
        joined: list[dict] = []
        for s in result.get("series", []):
            prev = joined[-1] if joined else None
            if prev is not None and prev.get("partial") and all(
                    prev.get(k) == s.get(k) for k in ("name", "tags", "columns")):
                prev["values"] = prev["values"] + s["values"]
                prev["partial"] = s.get("partial", False)
                continue
            joined.append(dict(s))
        for s in joined:
            s.pop("partial", None)
        if "series" in result:
            result["series"] = joined
    return answer


# -- statistics --------------------------------------------------------------------------
def median(xs: Iterable[float]) -> float:
    xs = list(xs)
    return statistics.median(xs) if xs else math.nan


def geomean(xs: Iterable[float]) -> float:
    xs = [x for x in xs if x > 0 and math.isfinite(x)]
    return math.exp(sum(math.log(x) for x in xs) / len(xs)) if xs else math.nan


def ratio(ours: float | None, theirs: float | None) -> float:
    if ours is None or theirs is None or theirs == 0 or math.isnan(ours) or math.isnan(theirs):
        return math.nan
    return ours / theirs


# -- figures -----------------------------------------------------------------------------
@dataclass(slots=True)
class SystemRun:
    """What one system measured; ``latencies`` holds every timed run (warm-up excluded)."""

    name: str
    values: int = 0
    ingest_seconds: float = math.nan
    ingest_workers: int = 0
    ingest_by_workers: dict[int, float] = field(default_factory=dict)   # workers -> values/s
    disk_bytes: int | None = None
    peak_rss: int | None = None
    latencies: dict[str, list[float]] = field(default_factory=dict)
    answers: dict[str, bytes] = field(default_factory=dict)
    errors: dict[str, str] = field(default_factory=dict)
    # Answers in InfluxDB's JSON shape for the queries whose meaning matches InfluxQL's, when
    # ``answers`` have another shape (DuckDB rows, VictoriaMetrics matrices); None: ``answers`` are.
    shaped: dict[str, bytes] | None = None
    whole_series: bool = False    # answers large series in one piece (InfluxDB sends ``partial`` pieces)
    ties_own_order: bool = False  # orders rows of equal time its own way (not influxd's heap merge)

    def comparable(self) -> dict[str, bytes]:
        return self.answers if self.shaped is None else self.shaped

    @property
    def ingest_rate(self) -> float:
        """Best values/s over the worker counts tried (n/a if any load had failed batches)."""
        rates = list(self.ingest_by_workers.values())
        return math.nan if not rates or any(math.isnan(r) for r in rates) else max(rates)

    @property
    def bytes_per_value(self) -> float:
        return self.disk_bytes / self.values if self.disk_bytes and self.values else math.nan

    def median_ms(self, name: str) -> float:
        return median(self.latencies.get(name, [])) * 1000


@dataclass(frozen=True, slots=True)
class Row:
    figure: str
    unit: str
    influx: float
    ours: dict[str, float]        # system name -> value
    ratios: dict[str, float]      # system name -> ours / influx
    note: str = ""


@dataclass(slots=True)
class Report:
    influx: SystemRun
    ours: list[SystemRun]
    queries: list[str]
    meta: dict[str, str] = field(default_factory=dict)
    rows: list[Row] = field(default_factory=list)
    mismatches: dict[str, dict[str, str]] = field(default_factory=dict)   # system -> query -> diff
    geomeans: dict[str, float] = field(default_factory=dict)

    def build(self) -> "Report":
        inf, rows = self.influx, []

        def row(fig: str, unit: str, get, note: str = "") -> None:
            base = get(inf)
            vals = {s.name: get(s) for s in self.ours}
            rows.append(Row(fig, unit, base, vals, {k: ratio(v, base) for k, v in vals.items()}, note))

        row("ingest", "values/s", lambda s: s.ingest_rate, "higher is better")
        row("disk", "bytes/value", lambda s: s.bytes_per_value)
        row(RSS_FIGURE, "MiB", lambda s: s.peak_rss / 2**20 if s.peak_rss else math.nan,
            "target <= 2 GiB, not a ratio; embedded: growth of the harness process over the load")
        for s in self.ours:
            self.mismatches[s.name] = {}
        for q in self.queries:
            row(q, "ms", lambda s, q=q: s.median_ms(q) if q in s.latencies else math.nan)
            self._check(q)
        for s in self.ours:
            qr = [r.ratios[s.name] for r in rows if r.unit == "ms"]
            self.geomeans[s.name] = geomean(qr)
        self.rows = rows
        return self

    def _check(self, q: str) -> None:
        """Each system's answer to ``q`` against InfluxDB's (or, InfluxDB skipped, the first
        system's that answered it), where the two mean the same."""
        inf = self.influx
        ref = inf if (inf.answers or inf.errors) else next(
            (s for s in self.ours if q in s.comparable() and q not in s.errors), None)
        if ref is None:
            return
        for s in self.ours:
            if s is ref or (s.shaped is not None and q not in s.shaped and q not in s.errors):
                continue                      # not comparable (or not expressible) there
            diff = s.errors.get(q) or ref.errors.get(q)
            if diff is None and q in s.comparable() and q in ref.comparable():
                diff = compare_json(s.comparable()[q], ref.comparable()[q],
                                    whole_series=s.whole_series or ref.whole_series,
                                    ties_unordered=s.ties_own_order or ref.ties_own_order)
            elif diff is None:
                diff = "no answer"
            if diff:
                self.mismatches[s.name][q] = diff if ref is inf else f"{diff} (against {ref.name})"

    def figures(self) -> dict:
        """The measured figures as plain JSON (bench/sweep.py reads one of these per scale)."""
        return {
            "meta": self.meta,
            "systems": [{
                "name": s.name, "values": s.values, "ingest_rate": _num(s.ingest_rate),
                "ingest_by_workers": {str(k): _num(v) for k, v in s.ingest_by_workers.items()},
                "disk_bytes": s.disk_bytes, "peak_rss": s.peak_rss,
                "medians_ms": {q: _num(s.median_ms(q)) for q in self.queries if s.latencies.get(q)},
                "runs": {q: len(s.latencies[q]) for q in self.queries if s.latencies.get(q)},
                "errors": dict(s.errors),
            } for s in (self.influx, *self.ours) if s.ingest_by_workers or s.latencies],
            "mismatches": {k: v for k, v in self.mismatches.items() if v},
        }

    def checked(self, name: str, q: str) -> str:
        """ok, DIFF, or - (not compared) for one system's answer to one query."""
        if q in self.mismatches.get(name, {}):
            return "DIFF"
        s = next(s for s in self.ours if s.name == name)
        return "-" if s.shaped is not None and q not in s.shaped else "ok"

    # -- rendering -------------------------------------------------------------------
    def _cells(self, r: Row) -> list[str]:
        cells = [r.figure, r.unit, fmt(r.influx)]
        for s in self.ours:
            if r.figure == RSS_FIGURE:  # the target is absolute: the server stays under 2 GiB
                mark = "" if math.isnan(r.ours[s.name]) or r.ours[s.name] <= RSS_LIMIT_MIB else " !"
                cells += [fmt(r.ours[s.name]), fmt_ratio(r.ratios[s.name], mark_misses=False) + mark]
                continue
            cells += [fmt(r.ours[s.name]), fmt_ratio(r.ratios[s.name], higher_better=r.unit == "values/s")]
        if r.unit == "ms":
            cells.append("/".join(self.checked(s.name, r.figure) for s in self.ours))
        else:
            cells.append("")
        return cells

    def header(self) -> list[str]:
        h = ["figure", "unit", "InfluxDB 1.6.7"]
        for s in self.ours:
            h += [s.name, "ratio"]
        return h + ["same result"]

    def geomean_cells(self) -> list[str]:
        cells = ["geomean of query ratios", "", ""]
        for s in self.ours:
            cells += ["", fmt_ratio(self.geomeans[s.name])]
        return cells + [""]

    def markdown(self) -> str:
        out = []
        if self.meta:
            out.append("\n".join(f"- {k}: {v}" for k, v in self.meta.items()))
            out.append("")
        h = self.header()
        out.append("| " + " | ".join(h) + " |")
        out.append("|" + "|".join("---" if i < 2 else "---:" for i in range(len(h))) + "|")
        for r in self.rows:
            out.append("| " + " | ".join(self._cells(r)) + " |")
        out.append("| " + " | ".join(f"**{c}**" if c else "" for c in self.geomean_cells()) + " |")
        notes = [f"{r.figure}: {r.note}" for r in self.rows if r.note]
        if notes:
            out.append("")
            out.append("Ratios are ours / InfluxDB; `!` marks a figure that misses its target "
                       "(ingest >= 1, peak RSS <= 2 GiB, everything else <= 1). " + "; ".join(notes) + ".")
        for s in (self.influx, *self.ours):
            if "ingest" in s.errors:
                out.append("")
                out.append(f"Ingest failed ({s.name}): {s.errors['ingest']}")
        for name, diffs in self.mismatches.items():
            if diffs:
                out.append("")
                out.append(f"Results differing from InfluxDB ({name}):")
                out.extend(f"- `{q}`: {d}" for q, d in diffs.items())
        return "\n".join(out) + "\n"

    def peer_markdown(self) -> str:
        """tsdb beside its strongest peers: in process against DuckDB, over HTTP against
        VictoriaMetrics (ratio = tsdb / peer; ingest: higher is better, else lower)."""
        runs = {s.name: s for s in (self.influx, *self.ours)}
        pairs = [(a, b) for a, b in PEERS if a in runs and b in runs]
        if not pairs:
            return ""
        head = ["figure", "unit"] + [c for a, b in pairs for c in (a, b, "ratio")]
        out = ["| " + " | ".join(head) + " |", "|---|---|" + "---:|" * (3 * len(pairs))]
        figures = [("ingest", "values/s", lambda s: s.ingest_rate),
                   ("disk", "bytes/value", lambda s: s.bytes_per_value)]
        figures += [(q, "ms", lambda s, q=q: s.median_ms(q) if q in s.latencies else math.nan)
                    for q in self.queries]
        for fig, unit, get in figures:
            cells = [fig, unit]
            for a, b in pairs:
                x, y = get(runs[a]), get(runs[b])
                cells += [fmt(x), fmt(y), fmt_ratio(ratio(x, y), higher_better=unit == "values/s")]
            out.append("| " + " | ".join(cells) + " |")
        return "\n".join(out) + "\n"

    def plot(self, path) -> bool:
        """Query medians per system as a PNG (log scale); False when matplotlib is missing."""
        try:
            import matplotlib
        except ImportError:
            return False
        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
        runs = [s for s in (self.influx, *self.ours) if s.latencies]
        fig, ax = plt.subplots(figsize=(10, 0.12 * len(self.queries) * max(1, len(runs)) + 1.5))
        height = 0.8 / max(1, len(runs))
        for i, s in enumerate(runs):
            ys = [k + i * height for k in range(len(self.queries))]
            ax.barh(ys, [s.median_ms(q) if q in s.latencies else 0 for q in self.queries], height,
                    label=s.name)
        ax.set_yticks([k + 0.4 - height / 2 for k in range(len(self.queries))], self.queries, fontsize=8)
        ax.invert_yaxis()
        ax.set_xscale("log")
        ax.set_xlabel("median ms (log scale; no bar: not run or not expressible)")
        ax.set_title(self.meta.get("data", "TSBS devops queries"), fontsize=8)
        ax.legend(fontsize=8)
        fig.tight_layout()
        fig.savefig(path, dpi=110)
        plt.close(fig)
        return True

    def print_rich(self, console=None) -> None:
        from rich.console import Console
        from rich.table import Table
        console = console or Console()
        t = Table(title="tsdb vs InfluxDB 1.6.7 (ratio = ours / InfluxDB)")
        for i, h in enumerate(self.header()):
            t.add_column(h, justify="left" if i < 2 else "right")
        for r in self.rows:
            t.add_row(*self._cells(r))
        t.add_section()
        t.add_row(*self.geomean_cells())
        console.print(t)
        for s in (self.influx, *self.ours):
            if "ingest" in s.errors:
                console.print(f"[red]{s.name} ingest failed[/red]: {s.errors['ingest']}")
        for name, diffs in self.mismatches.items():
            for q, d in diffs.items():
                console.print(f"[red]{name} {q}[/red]: {d}")


def _num(x: float) -> float | None:
    return None if x is None or math.isnan(x) else x


def fmt(x: float | None) -> str:
    if x is None or (isinstance(x, float) and math.isnan(x)):
        return "n/a"
    if abs(x) >= 1e3:
        return f"{x:,.0f}"
    if abs(x) >= 100:
        return f"{x:.0f}"
    if abs(x) >= 10:
        return f"{x:.1f}"
    return f"{x:.2f}"


def fmt_ratio(x: float, higher_better: bool = False, mark_misses: bool = True) -> str:
    if x is None or math.isnan(x):
        return "n/a"
    good = x >= 1 if higher_better else x <= 1
    return f"{x:.2f}x" + ("" if good or not mark_misses else " !")


RSS_FIGURE = "peak RSS (load)"
PEERS = (("tsdb-embedded", "duckdb"), ("tsdb", "victoriametrics"))
RSS_LIMIT_MIB = 2048
