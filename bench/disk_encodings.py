"""Bytes per value of the store's Parquet files under each encoding choice, on TSBS devops data.

    python -m bench.disk_encodings                       # 100 hosts x 24 h, full precision and 2 decimals
    python -m bench.disk_encodings --hosts 10 --hours 2

Each data set is loaded into a fresh store (flush, compact) and measured as written;
its rows are then written again under each variant below (one option changed from
the store's layout, or a layout earlier stores wrote; float columns as DECIMAL when every value fits) and
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
        # the doubles written (the store's reader: float columns may be stored as decimals)
        table = pa.concat_tables([encodings_module().as_floats(pl.read_parquet(f)).to_arrow() for f in files])
        values = sum(1 for c in table.column_names if c.startswith("usage_")) * table.num_rows
        return Dataset(name, table, values, procstat.dir_bytes(Path(root)),
                       sum(f.stat().st_size for f in files))


WRITERS = {  # float layout per writer: the store's own choice, or one of those before it
    "BYTE_STREAM_SPLIT (the first layout)": lambda values: ("BYTE_STREAM_SPLIT", None),
    "DOUBLE, per-column choice": lambda values: (encodings_module().float_encoding(values), None),
    "now (decimals where exact)": None,
}


def encodings_module():
    from tsdb_core.storage import encodings
    return encodings


def ingest_seconds(path: Path, writer: str) -> float:
    """Seconds to write a file's batches into a fresh store and flush them (one thread) with
    one of :data:`WRITERS`' float layouts."""
    import tsdb_core
    encodings = encodings_module()
    batches = loader.split_batches(path.read_bytes())
    chooser = encodings.float_layout
    if WRITERS[writer] is not None:
        encodings.float_layout = WRITERS[writer]
    try:
        with tempfile.TemporaryDirectory(prefix="bench-disk-") as root, tsdb_core.open(root) as store:
            t0 = time.perf_counter()
            for part in batches.parts:
                store.write(DB, bytes(part))
            store.flush()
            return time.perf_counter() - t0
    finally:
        encodings.float_layout = chooser


def ingest_table(paths: dict[str, Path], runs: int) -> str:
    """Medians of ``runs`` alternating loads per writer and data set, and the ratios."""
    names = list(WRITERS)
    out = ["| data | " + " | ".join(f"{n}, median s" for n in names) + " | now / first | now / DOUBLE choice |",
           "|---|" + "---:|" * (len(names) + 2)]
    for name, path in paths.items():
        times: dict[str, list[float]] = {n: [] for n in names}
        for _ in range(runs):
            for n in names:
                times[n].append(ingest_seconds(path, n))
        med = [sorted(times[n])[runs // 2] for n in names]
        out.append(f"| {name} | " + " | ".join(f"{m:.2f}" for m in med)
                   + f" | {med[-1] / med[0]:.2f}x | {med[-1] / med[1]:.2f}x |")
    return "\n".join(out)


def _floats(t: pa.Table) -> list[str]:
    return [f.name for f in t.schema if pa.types.is_floating(f.type)]


def _tags(t: pa.Table) -> list[str]:
    return [f.name for f in t.schema if pa.types.is_large_string(f.type) or pa.types.is_string(f.type)]


def as_decimals(t: pa.Table, scale: int) -> pa.Table | None:
    """``t`` with its float columns as DECIMAL(18, scale) (what the store writes when every value
    fits), or None when some value does not."""
    encodings = encodings_module()
    for name in _floats(t):
        dec = encodings.to_decimal(t.column(name), scale)
        if dec is None:
            return None
        t = t.set_column(t.schema.get_field_index(name), name, dec)
    return t


def write(t: pa.Table, *, float_encoding: str | dict[str, str] = "BYTE_STREAM_SPLIT", row_group: int = ROW_GROUP,
          level: int | dict[str, int] = 3, time_encoding: str | None = "DELTA_BINARY_PACKED",
          tag_dictionary: bool = True, float_stats: bool = True, page_index: bool = False,
          decimal_scale: int | None = None, compression: str = "zstd") -> tuple[int, float]:
    """(bytes, seconds) of ``t`` written with these options; ``float_encoding`` "DICT" = dictionary;
    ``decimal_scale``: floats as DECIMAL(18, scale) on INT64 (``float_encoding`` then applies to them)."""
    floats, tags = _floats(t), _tags(t)
    if decimal_scale is not None:
        t = as_decimals(t, decimal_scale)
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
    w = pq.ParquetWriter(buf, t.schema, compression=compression, compression_level=level if compression == "zstd"
                         else None, use_dictionary=dictionary, column_encoding=encoding, write_statistics=stats,
                         write_page_index=page_index, store_decimal_as_integer=True)
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


def decimal_misreads(t: pa.Table, scale: int = 2) -> dict[str, int]:
    """Per reader, values of the float columns whose DECIMAL(18, scale) -> double conversion gives
    another double than the one written (pyarrow's cast does; the store reads through Polars')."""
    import duckdb
    dec = as_decimals(t.select(_floats(t)), scale)
    want = np.concatenate([t.column(c).to_numpy() for c in _floats(t)]).view(np.uint64)
    with tempfile.TemporaryDirectory(prefix="bench-disk-") as d:
        path = str(Path(d) / "dec.parquet")
        pq.write_table(dec, path, store_decimal_as_integer=True)
        got = {
            "pyarrow cast": [pq.read_table(path).column(c).cast(pa.float64()).to_numpy() for c in dec.column_names],
            "Polars cast (the store's reader)": [pl.read_parquet(path).get_column(c).cast(pl.Float64).to_numpy()
                                                 for c in dec.column_names],
            "DuckDB ::DOUBLE": [duckdb.sql(f'SELECT "{c}"::DOUBLE AS v FROM read_parquet(\'{path}\')').fetchnumpy()["v"]
                                for c in dec.column_names],
        }
    return {k: int(np.count_nonzero(np.concatenate(v).view(np.uint64) != want)) for k, v in got.items()}


def column_shares(t: pa.Table, values: int) -> dict[str, float]:
    """Bytes per value of time, the tags and the fields in the store's own file of ``t``."""
    from tsdb_core.base.config import StoreConfig
    from tsdb_core.base.types import FieldType
    from tsdb_core.storage.partitions import _write_parquet
    tags = _tags(t)
    with tempfile.TemporaryDirectory(prefix="bench-disk-") as d:
        path = str(Path(d) / "f.parquet")
        _write_parquet([pl.from_arrow(t)], path, tuple(tags), dict.fromkeys(_floats(t), FieldType.FLOAT),
                       StoreConfig(), list(tags))
        md = pq.read_metadata(path)
        size = Path(path).stat().st_size
    per: dict[str, int] = {}
    for g in range(md.num_row_groups):
        for j in range(md.num_columns):
            c = md.row_group(g).column(j)
            kind = "time" if c.path_in_schema == "time" else "tags" if c.path_in_schema in tags else "fields"
            per[kind] = per.get(kind, 0) + c.total_compressed_size
    per["footer and page headers"] = size - sum(per.values())
    return {k: v / values for k, v in per.items()}


def variants(t: pa.Table) -> dict[str, Callable[[], tuple[int, float]]]:
    """Name -> how to write it; each changes one thing from the previous layout (BSS floats)."""
    floats = _floats(t)
    v: dict[str, Callable[[], tuple[int, float]]] = {
        "before: BYTE_STREAM_SPLIT floats, zstd 3, 16k rows": lambda: write(t),
        "now: the store's writer (decimals where exact, else per-column DOUBLE choice)": lambda: chosen(t),
        "now, with parquet_row_group_rows = 1,048,576": lambda: chosen(t, 1 << 20),
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
    scale = encodings_module().decimal_scale(np.concatenate([t.column(c).to_numpy() for c in floats]))
    if scale is not None:
        delta = dict.fromkeys(floats, "DELTA_BINARY_PACKED")
        v.update({
            f"DECIMAL(18,{scale}) delta, zstd 1": lambda: write(t, float_encoding=delta, level=1, decimal_scale=scale),
            f"DECIMAL(18,{scale}) delta, zstd 9": lambda: write(t, float_encoding=delta, level=9, decimal_scale=scale),
            f"DECIMAL(18,{scale}) delta, uncompressed": lambda: write(t, float_encoding=delta, decimal_scale=scale,
                                                                       compression="none"),
            f"DECIMAL(18,{scale}) delta, 1,048,576-row groups": lambda: write(
                t, float_encoding=delta, row_group=1 << 20, decimal_scale=scale),
            f"DECIMAL(18,{scale}) delta, with a page index": lambda: write(
                t, float_encoding=delta, page_index=True, decimal_scale=scale),
            f"DECIMAL(18,{scale}) delta, sorted by time, then series": lambda: write(
                resorted(t), float_encoding=delta, decimal_scale=scale),
            f"DECIMAL(18,{scale}) dictionary": lambda: write(t, float_encoding="DICT", decimal_scale=scale),
            f"DECIMAL(18,{scale}) BYTE_STREAM_SPLIT": lambda: write(t, decimal_scale=scale),
            f"DECIMAL(18,{scale}) PLAIN": lambda: write(t, float_encoding="PLAIN", decimal_scale=scale),
        })
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
                    help="also time ingest+flush into a store with each float layout, this many runs each")
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
        shares = column_shares(ds.table, ds.values)
        print(f"{ds.name}, the store's file: " + ", ".join(f"{k} {v:.4f}" for k, v in shares.items()) + " B/value")
        scale = encodings_module().decimal_scale(np.concatenate([ds.table.column(c).to_numpy()
                                                                 for c in _floats(ds.table)]))
        if scale is not None:
            bad = decimal_misreads(ds.table, scale)
            print(f"{ds.name}: DECIMAL(18,{scale}) -> double misreads of {ds.values:,} values: "
                  + ", ".join(f"{k} {v:,}" for k, v in bad.items()))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
