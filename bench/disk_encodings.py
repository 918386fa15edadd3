"""Bytes per value of the store's Parquet files under each encoding choice, on TSBS devops data.

    python -m bench.disk_encodings                       # 100 hosts x 24 h, full precision and 2 decimals
    python -m bench.disk_encodings --hosts 10 --hours 2

Each data set is loaded into a fresh store (flush, compact) and measured as written;
its rows are then written again under each variant below (one option changed from
the store's layout, or the layout a store written before per-column choice had) and
every variant's file size is divided by the number of field values. Sizes are exact
(bytes of a file), write times are noisy on a shared machine.
"""
from __future__ import annotations

import argparse
import io
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

import numpy as np
import polars as pl
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from . import loader, procstat
from .compare import data_file

DB = "benchmark"
ROW_GROUP = 16_384


@dataclass(frozen=True, slots=True)
class Dataset:
    """A compacted store's rows (sorted as the store sorts them) and what its files weigh."""

    name: str
    table: pa.Table
    values: int
    store_bytes: int
    parquet_bytes: int


def load(path: Path, name: str) -> Dataset:
    """Load a line-protocol file into a temporary store, flush and compact, read its rows back."""
    import tsdb_core
    batches = loader.split_batches(path.read_bytes())
    with tempfile.TemporaryDirectory(prefix="bench-disk-") as root:
        with tsdb_core.open(root) as store:
            for part in batches.parts:
                store.write(DB, bytes(part))
            store.flush()
            store.compact()
        files = sorted(Path(root).rglob("*.parquet"))
        table = pa.concat_tables([pq.read_table(f) for f in files])
        values = sum(1 for c in table.column_names if c.startswith("usage_")) * table.num_rows
        return Dataset(name, table, values, procstat.dir_bytes(Path(root)),
                       sum(f.stat().st_size for f in files))


def ingest_seconds(path: Path, writer_choice: bool) -> float:
    """Seconds to write a file's batches into a fresh store and flush them (one thread), with
    the per-column choice or with every float column BYTE_STREAM_SPLIT (the layout before)."""
    import tsdb_core
    from tsdb_core.storage import encodings
    batches = loader.split_batches(path.read_bytes())
    chooser = encodings.float_encoding
    if not writer_choice:
        encodings.float_encoding = lambda values: encodings.BYTE_STREAM_SPLIT
    try:
        with tempfile.TemporaryDirectory(prefix="bench-disk-") as root, tsdb_core.open(root) as store:
            t0 = time.perf_counter()
            for part in batches.parts:
                store.write(DB, bytes(part))
            store.flush()
            return time.perf_counter() - t0
    finally:
        encodings.float_encoding = chooser


def ingest_table(paths: dict[str, Path], runs: int) -> str:
    """Medians of ``runs`` alternating loads (before, after) per data set, and their ratio."""
    out = ["| data | ingest+flush before (BSS), median s | after (per-column choice), median s | after/before |",
           "|---|---:|---:|---:|"]
    for name, path in paths.items():
        before, after = [], []
        for _ in range(runs):
            before.append(ingest_seconds(path, False))
            after.append(ingest_seconds(path, True))
        b, a = sorted(before)[runs // 2], sorted(after)[runs // 2]
        out.append(f"| {name} | {b:.2f} | {a:.2f} | {a / b:.2f}x |")
    return "\n".join(out)


def _floats(t: pa.Table) -> list[str]:
    return [f.name for f in t.schema if pa.types.is_floating(f.type)]


def _tags(t: pa.Table) -> list[str]:
    return [f.name for f in t.schema if pa.types.is_large_string(f.type) or pa.types.is_string(f.type)]


def write(t: pa.Table, *, float_encoding: str | dict[str, str] = "BYTE_STREAM_SPLIT", row_group: int = ROW_GROUP,
          level: int | dict[str, int] = 3, time_encoding: str | None = "DELTA_BINARY_PACKED",
          tag_dictionary: bool = True, float_stats: bool = True, page_index: bool = False) -> tuple[int, float]:
    """(bytes, seconds) of ``t`` written with these options; ``float_encoding`` "DICT" = dictionary."""
    floats, tags = _floats(t), _tags(t)
    per_col = float_encoding if isinstance(float_encoding, dict) else dict.fromkeys(floats, float_encoding)
    dictionary = (tags if tag_dictionary else []) + [c for c in floats if per_col[c] == "DICT"]
    encoding = {c: e for c, e in per_col.items() if e != "DICT"}
    if time_encoding:
        encoding["time"] = time_encoding
    if not tag_dictionary:
        encoding.update(dict.fromkeys(tags, "PLAIN"))
    stats = True if float_stats else [c for c in t.column_names if c not in floats]
    buf = io.BytesIO()
    t0 = time.perf_counter()
    w = pq.ParquetWriter(buf, t.schema, compression="zstd", compression_level=level, use_dictionary=dictionary,
                         column_encoding=encoding, write_statistics=stats, write_page_index=page_index)
    for off in range(0, t.num_rows, row_group):
        w.write_table(t.slice(off, row_group), row_group_size=row_group)
    w.close()
    return buf.tell(), time.perf_counter() - t0


def chosen(t: pa.Table, row_group: int = ROW_GROUP) -> tuple[int, float]:
    """The store's own writer on these rows (what a flush or compaction writes now)."""
    from tsdb_core.base.config import StoreConfig
    from tsdb_core.base.types import FieldType
    from tsdb_core.storage.partitions import _write_parquet
    frame = pl.from_arrow(t)
    tags = tuple(_tags(t))
    fields = dict.fromkeys(_floats(t), FieldType.FLOAT)
    with tempfile.TemporaryDirectory(prefix="bench-disk-") as d:
        path = str(Path(d) / "f.parquet")
        t0 = time.perf_counter()
        _write_parquet([frame], path, tags, fields, StoreConfig(parquet_row_group_rows=row_group), list(tags))
        return Path(path).stat().st_size, time.perf_counter() - t0


def resorted(t: pa.Table) -> pa.Table:
    """The same rows in arrival order (time, then series) instead of series, then time."""
    return t.sort_by([("time", "ascending"), ("hostname", "ascending")])


def scaled_integers(t: pa.Table, scale: int = 2) -> pa.Table | None:
    """Floats as INT64 counts of 10**-scale when every value comes back exactly by dividing
    (IEEE division is correctly rounded), else None: what a scaled-integer column would weigh."""
    cols = {}
    for name in t.column_names:
        col = t.column(name)
        if name in _floats(t):
            x = col.to_numpy()
            k = np.rint(x * 10**scale).astype(np.int64)
            if not np.array_equal(k / 10**scale, x):
                return None
            col = pa.array(k)
        cols[name] = col
    return pa.table(cols)


def decimal_misreads(t: pa.Table, scale: int = 2) -> int:
    """Values of the first float column that pyarrow's DECIMAL(18, scale) -> double cast turns
    into another double than the one written (so a DECIMAL column is not the same doubles)."""
    col = t.column(_floats(t)[0])
    back = pc.round(col, scale).cast(pa.decimal128(18, scale)).cast(pa.float64())
    return int(np.count_nonzero(col.to_numpy() != back.to_numpy()))


def variants(t: pa.Table) -> dict[str, Callable[[], tuple[int, float]]]:
    """Name -> how to write it; each changes one thing from the previous layout (BSS floats)."""
    floats = _floats(t)
    v: dict[str, Callable[[], tuple[int, float]]] = {
        "before: BYTE_STREAM_SPLIT floats, zstd 3, 16k rows": lambda: write(t),
        "after: the store's writer (per-column choice)": lambda: chosen(t),
        "after, with parquet_row_group_rows = 1,048,576": lambda: chosen(t, 1 << 20),
        "PLAIN floats": lambda: write(t, float_encoding="PLAIN"),
        "dictionary floats": lambda: write(t, float_encoding="DICT"),
    }
    for rg in (65_536, 262_144, 1 << 22):
        v[f"PLAIN floats, {rg:,}-row groups"] = lambda rg=rg: write(t, float_encoding="PLAIN", row_group=rg)
        v[f"dictionary floats, {rg:,}-row groups"] = lambda rg=rg: write(t, float_encoding="DICT", row_group=rg)
        v[f"BYTE_STREAM_SPLIT floats, {rg:,}-row groups"] = lambda rg=rg: write(t, row_group=rg)
    for lvl in (1, 9, 19):
        v[f"BYTE_STREAM_SPLIT floats, zstd {lvl}"] = lambda lvl=lvl: write(t, level=lvl)
        v[f"PLAIN floats, zstd {lvl}"] = lambda lvl=lvl: write(t, float_encoding="PLAIN", level=lvl)
    v.update({
        "zstd 9 on floats only (PLAIN)": lambda: write(t, float_encoding="PLAIN",
                                                       level={**dict.fromkeys(t.column_names, 3),
                                                              **dict.fromkeys(floats, 9)}),
        "sorted by time, then series": lambda: write(resorted(t)),
        "time PLAIN (not DELTA_BINARY_PACKED)": lambda: write(t, time_encoding=None),
        "tags without dictionary": lambda: write(t, tag_dictionary=False),
        "no statistics on floats": lambda: write(t, float_stats=False),
        "with a page index": lambda: write(t, page_index=True),
    })
    ints = scaled_integers(t)
    if ints is not None:
        v["INT64 x100, DELTA_BINARY_PACKED (not DOUBLE: readers get integers)"] = lambda: write(
            ints, float_encoding="DELTA_BINARY_PACKED")
    return v


def run(datasets: list[Dataset], repeat: int = 1) -> list[tuple[str, dict[str, tuple[float, float]]]]:
    """Rows: (variant, {dataset: (bytes/value, median write seconds)})."""
    rows: dict[str, dict[str, tuple[float, float]]] = {}
    for ds in datasets:
        rows.setdefault("store on disk (everything: Parquet, sidecars, catalog)", {})[ds.name] = (
            ds.store_bytes / ds.values, float("nan"))
        for name, fn in variants(ds.table).items():
            results = [fn() for _ in range(repeat)]
            secs = sorted(r[1] for r in results)[len(results) // 2]
            rows.setdefault(name, {})[ds.name] = (results[0][0] / ds.values, secs)
    return list(rows.items())


def render(rows, names: list[str]) -> str:
    head = "| encoding | " + " | ".join(f"{n} B/value | {n} write s" for n in names) + " |"
    out = [head, "|---|" + "---:|" * (2 * len(names))]
    for variant, cells in rows:
        vals = []
        for n in names:
            b, s = cells.get(n, (float("nan"), float("nan")))
            vals += [f"{b:.3f}", "" if s != s else f"{s:.2f}"]
        out.append(f"| {variant} | " + " | ".join(vals) + " |")
    return "\n".join(out)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m bench.disk_encodings", description=__doc__.split("\n\n")[0])
    ap.add_argument("--hosts", type=int, default=100)
    ap.add_argument("--hours", type=float, default=24)
    ap.add_argument("--seed", type=int, default=123)
    ap.add_argument("--decimals", default="full,2", help="comma-separated: full and/or decimal counts")
    ap.add_argument("--repeat", type=int, default=1, help="writes per variant (median time)")
    ap.add_argument("--ingest-runs", type=int, default=0,
                    help="also time ingest+flush into a store, before/after, this many runs each")
    args = ap.parse_args(argv)
    if args.ingest_runs:
        paths = {("full precision" if d.strip() == "full" else f"{d} decimals"): data_file(
            args.hosts, args.hours, args.seed, decimals=None if d.strip() == "full" else int(d))
            for d in args.decimals.split(",")}
        print(ingest_table(paths, args.ingest_runs))
    datasets = []
    for d in args.decimals.split(","):
        dec = None if d.strip() == "full" else int(d)
        name = "full precision" if dec is None else f"{dec} decimals"
        datasets.append(load(data_file(args.hosts, args.hours, args.seed, decimals=dec), name))
    print(f"TSBS devops cpu-only, {args.hosts} hosts x {args.hours:g} h, seed {args.seed}: "
          f"{datasets[0].values:,} values")
    print(render(run(datasets, args.repeat), [d.name for d in datasets]))
    for ds in datasets:
        if scaled_integers(ds.table) is not None:
            print(f"{ds.name}: pyarrow's DECIMAL(18,2) -> double cast misreads {decimal_misreads(ds.table):,} "
                  f"of {ds.table.num_rows:,} values of {_floats(ds.table)[0]}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
