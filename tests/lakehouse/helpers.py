"""The store's answers (InfluxQL) and a reader's answers (a published table), summarised alike:
per series, row count, sums and counts per field, min and max time."""
from __future__ import annotations

import math
import random

import polars as pl

from tsdb_core.testing import to_ns

MIN = 60 * 10**9
FIELDS = {"v": "sum", "i": "sum", "u": "sum", "b": "count", "s": "count"}  # v is in every row


def lines(measurement: str, start: str, points: int, *, seed: int, hosts=("a", "b", "c"),
          step: int = 10 * MIN, offset: int = 0, all_fields: bool = True) -> str:
    """Line protocol: per host (and region for some) ``points`` points from ``start``."""
    rnd = random.Random(seed)
    t0 = to_ns(start)
    out = []
    for h in hosts:
        for region in ("eu", None):
            tags = f"host={h}" + (f",region={region}" if region else "")
            for k in range(points):
                fv = f"v={rnd.uniform(-100, 100)!r},i={rnd.randint(-1000, 1000)}i"
                if all_fields:
                    fv += f",u={rnd.randint(0, 10**6)}u,b={rnd.choice(['true', 'false'])},s=\"x{rnd.randint(0, 9)}\""
                out.append(f"{measurement},{tags} {fv} {t0 + offset + k * step}")
    return "\n".join(out)


def _key(tags: dict) -> tuple:
    return tuple(sorted((k, v) for k, v in tags.items() if v))


def store_summary(store, db: str, rp: str, measurement: str) -> dict:
    """Per series: {'rows', field aggregates, 'tmin', 'tmax'} from InfluxQL."""
    fields = [f for f in FIELDS if f in (store.schema(db, measurement).fields if store.schema(db, measurement) else {})]
    aggs = ", ".join(f"{FIELDS[f]}({f}) AS {f}" for f in fields)
    out: dict = {}
    for q, names in ((f"SELECT count(v) AS rows, {aggs} FROM {measurement} GROUP BY *", ["rows", *fields]),
                     (f"SELECT first(v) FROM {measurement} GROUP BY *", ["tmin"]),
                     (f"SELECT last(v) FROM {measurement} GROUP BY *", ["tmax"])):
        res = store.query(q, db=db, rp=rp, epoch="ns").statements[0]
        assert res.error is None, res.error
        for s in res.series:
            row = dict(zip(s.columns, s.values[0]))
            entry = out.setdefault(_key(s.tags or {}), {})
            for n in names:
                entry[n] = row["time"] if n in ("tmin", "tmax") else row[n]
    return out


def table_summary(frame: pl.DataFrame, tags: list[str]) -> dict:
    """The same summary from a reader's frame of a published table (times from ``time_ns``,
    after checking that ``time`` is those nanoseconds rounded down to the microsecond)."""
    if frame.height:
        assert frame["time"].dtype == pl.Datetime("us", frame["time"].dtype.time_zone)
        assert frame["time"].dt.replace_time_zone(None).cast(pl.Int64).to_list() == \
            [t // 1000 for t in frame["time_ns"].to_list()]
    fields = [f for f in FIELDS if f in frame.columns]
    if frame.height == 0:
        return {}
    aggs = [pl.col("v").count().alias("rows"), pl.col("time_ns").filter(pl.col("v").is_not_null()).min().alias("tmin"),
            pl.col("time_ns").filter(pl.col("v").is_not_null()).max().alias("tmax")]
    # a series with no value of a field: InfluxQL answers null, not 0
    aggs += [pl.when(pl.col(f).count() > 0).then(pl.col(f).sum() if FIELDS[f] == "sum" else pl.col(f).count())
             .alias(f) for f in fields]
    grouped = frame.with_columns([pl.col(t).fill_null("") for t in tags]).group_by(tags).agg(aggs)
    return {_key({t: r[t] for t in tags}): {k: r[k] for k in ["rows", "tmin", "tmax", *fields]}
            for r in grouped.iter_rows(named=True)}


def assert_same(store_side: dict, table_side: dict) -> None:
    assert store_side.keys() == table_side.keys()
    assert store_side, "nothing to compare"
    for key, want in store_side.items():
        got = table_side[key]
        for name, value in want.items():
            if isinstance(value, float):
                assert math.isclose(got[name], value, rel_tol=1e-9, abs_tol=1e-9), (key, name, got[name], value)
            else:
                assert got[name] == value, (key, name, got[name], value)
