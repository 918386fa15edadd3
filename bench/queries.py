"""The TSBS devops query set in InfluxQL, with deterministic parameters.

Query shapes are TSBS's own (cmd/tsbs_generate_queries/databases/influx/devops.go),
text for text, so figures compare with published TSBS runs: lower-case ``from``/
``where``, ``or``-joined host lists, RFC 3339 second-precision bounds. Windows and
hosts are drawn as TSBS draws them (a random window inside the data set, a random
subset of hosts) from a ``random.Random`` seeded per query name, so the set does not
depend on the order or the number of queries asked for.
"""
from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone

# TSBS constants (uses/devops/common.go).
CPU_METRICS = (
    "usage_user", "usage_system", "usage_idle", "usage_nice", "usage_iowait",
    "usage_irq", "usage_softirq", "usage_steal", "usage_guest", "usage_guest_nice",
)
DOUBLE_GROUPBY_DURATION = timedelta(hours=12)
HIGH_CPU_DURATION = timedelta(hours=12)
MAX_ALL_DURATION = timedelta(hours=8)
DEFAULT_START = datetime(2016, 1, 1, tzinfo=timezone.utc)
DEFAULT_SEED = 123


@dataclass(frozen=True, slots=True)
class BenchQuery:
    name: str
    q: str


def rfc3339(t: datetime) -> str:
    """``t`` as TSBS writes times in its queries (UTC, whole seconds)."""
    return t.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


class _Params:
    """Random windows and hosts inside [start, end) for one query name."""

    def __init__(self, name: str, seed: int, hosts: int, start: datetime, end: datetime):
        self.rng = random.Random(f"{seed}:{name}")
        self.hosts, self.start, self.end = hosts, start, end

    def window(self, length: timedelta) -> tuple[str, str]:
        span = self.end - self.start
        length = min(length, span)
        slack = int((span - length).total_seconds())
        lo = self.start + timedelta(seconds=self.rng.randint(0, slack))
        return rfc3339(lo), rfc3339(lo + length)

    def host_where(self, n: int) -> str:
        if n > self.hosts:
            raise ValueError(f"number of hosts ({n}) larger than total hosts ({self.hosts})")
        picks = self.rng.sample(range(self.hosts), n)
        return "(" + " or ".join(f"hostname = 'host_{i}'" for i in picks) + ")"


def _single_groupby(p: _Params, metrics: int, hosts: int, hours: int) -> str:
    lo, hi = p.window(timedelta(hours=hours))
    sel = ", ".join(f"max({m})" for m in CPU_METRICS[:metrics])
    return (f"SELECT {sel} from cpu where {p.host_where(hosts)} and time >= '{lo}' "
            f"and time < '{hi}' group by time(1m)")


def _max_all(p: _Params, hosts: int) -> str:
    lo, hi = p.window(MAX_ALL_DURATION)
    sel = ",".join(f"max({m})" for m in CPU_METRICS)
    return (f"SELECT {sel} from cpu where {p.host_where(hosts)} and time >= '{lo}' "
            f"and time < '{hi}' group by time(1h)")


def _double_groupby(p: _Params, metrics: int) -> str:
    lo, hi = p.window(DOUBLE_GROUPBY_DURATION)
    sel = ", ".join(f"mean({m})" for m in CPU_METRICS[:metrics])
    return f"SELECT {sel} from cpu where time >= '{lo}' and time < '{hi}' group by time(1h),hostname"


def _high_cpu(p: _Params, hosts: int) -> str:
    lo, hi = p.window(HIGH_CPU_DURATION)
    where_hosts = f"and {p.host_where(hosts)}" if hosts else ""
    return f"SELECT * from cpu where usage_user > 90.0 {where_hosts} and time >= '{lo}' and time < '{hi}'"


def _groupby_orderby_limit(p: _Params) -> str:
    _lo, hi = p.window(timedelta(hours=1))
    return f"SELECT max(usage_user) from cpu WHERE time < '{hi}' group by time(1m) limit 5"


def _lastpoint(p: _Params) -> str:
    return 'SELECT * from cpu group by "hostname" order by time desc limit 1'


def _raw_lookup(p: _Params) -> str:
    lo, hi = p.window(timedelta(minutes=1))
    return f"SELECT * from cpu where {p.host_where(1)} and time >= '{lo}' and time < '{hi}'"


def _count_all(p: _Params) -> str:
    return "SELECT count(*) from cpu"


def _show_hostnames(p: _Params) -> str:
    return "SHOW TAG VALUES WITH KEY = hostname"


# name -> (builder, *args); the order is the report's row order.
QUERY_SET: dict[str, tuple] = {
    "single-groupby-1-1-1": (_single_groupby, 1, 1, 1),
    "single-groupby-1-1-12": (_single_groupby, 1, 1, 12),
    "single-groupby-1-8-1": (_single_groupby, 1, 8, 1),
    "single-groupby-5-1-1": (_single_groupby, 5, 1, 1),
    "single-groupby-5-1-12": (_single_groupby, 5, 1, 12),
    "single-groupby-5-8-1": (_single_groupby, 5, 8, 1),
    "cpu-max-all-1": (_max_all, 1),
    "cpu-max-all-8": (_max_all, 8),
    "double-groupby-1": (_double_groupby, 1),
    "double-groupby-5": (_double_groupby, 5),
    "double-groupby-all": (_double_groupby, len(CPU_METRICS)),
    "high-cpu-1": (_high_cpu, 1),
    "high-cpu-all": (_high_cpu, 0),
    "lastpoint": (_lastpoint,),
    "groupby-orderby-limit": (_groupby_orderby_limit,),
    "raw-1-host-1-min": (_raw_lookup,),
    "count-all": (_count_all,),
    "show-tag-values-hostname": (_show_hostnames,),
}


def _hosts_needed(fn, args: tuple) -> int:
    if fn is _single_groupby:
        return args[1]
    if fn in (_max_all, _high_cpu):
        return args[0]
    return 1


def devops_queries(hosts: int, hours: float, *, start: datetime = DEFAULT_START,
                   seed: int = DEFAULT_SEED, names: list[str] | None = None) -> list[BenchQuery]:
    """The query set for ``hosts`` hosts over ``hours`` hours from ``start``; queries that
    need more hosts than the data set has (8-host ones on a tiny set) are left out."""
    end = start + timedelta(hours=hours)
    out = []
    for name in names or list(QUERY_SET):
        fn, *args = QUERY_SET[name]
        if _hosts_needed(fn, tuple(args)) > hosts:
            continue
        out.append(BenchQuery(name, fn(_Params(name, seed, hosts, start, end), *args)))
    return out


# -- the same queries for other engines ---------------------------------------------------
@dataclass(frozen=True, slots=True)
class QueryParts:
    """What a TSBS query asks, read back from its InfluxQL text, so that SQL and MetricsQL
    translations use exactly the hosts and windows drawn for it."""

    kind: str                  # the builder: single-groupby, cpu-max-all, double-groupby, ...
    metrics: tuple[str, ...]   # aggregated fields, in order
    hosts: tuple[str, ...]     # hostnames picked (empty: every host)
    start: str | None          # RFC 3339 bounds: time >= start and time < end
    end: str | None


_KINDS = {_single_groupby: "single-groupby", _max_all: "cpu-max-all", _double_groupby: "double-groupby",
          _high_cpu: "high-cpu", _groupby_orderby_limit: "groupby-orderby-limit", _lastpoint: "lastpoint",
          _raw_lookup: "raw", _count_all: "count-all", _show_hostnames: "show-tag-values"}


def parts(bq: BenchQuery) -> QueryParts:
    """The parts of a query of :data:`QUERY_SET` (by its name's builder and its text)."""
    import re
    kind = _KINDS[QUERY_SET[bq.name][0]]
    start = re.search(r"time >= '([^']+)'", bq.q)
    end = re.search(r"time < '([^']+)'", bq.q)
    return QueryParts(kind, tuple(re.findall(r"(?:max|mean)\((\w+)\)", bq.q)),
                      tuple(re.findall(r"hostname = '([^']+)'", bq.q)),
                      start.group(1) if start else None, end.group(1) if end else None)


INTERVAL = timedelta(seconds=10)      # the devops data's step (bench/devops.py)


def values_selected(bq: BenchQuery, hosts: int, hours: float, start: datetime = DEFAULT_START) -> int:
    """The stored values a query's WHERE clause selects: hosts x points in its window x fields
    it reads (every field for ``SELECT *``). The unit of the cost-per-value figures of
    bench/sweep.py. SHOW TAG VALUES reads no values: its unit is the series (one per host)."""
    p = parts(bq)
    n_hosts = len(p.hosts) or hosts
    if p.kind == "show-tag-values":
        return n_hosts
    end = start + timedelta(hours=hours)
    lo = max(start, parse_rfc3339(p.start)) if p.start else start
    hi = min(end, parse_rfc3339(p.end)) if p.end else end
    points = max(0, -(-(hi - start) // INTERVAL) - -(-(lo - start) // INTERVAL))
    return n_hosts * points * (len(p.metrics) or len(CPU_METRICS))


def parse_rfc3339(rfc: str) -> datetime:
    """The UTC instant of a whole-second RFC 3339 time as TSBS's queries write it (:func:`rfc3339`'s inverse)."""
    return datetime.strptime(rfc, "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=timezone.utc)
