"""Float columns are written as DOUBLE in the encoding their values compress best in (or as
decimals: tests/storage/test_decimal.py), and every value reads back bit for bit: NaN payloads,
-0.0, infinities, subnormals, in every row group."""
from __future__ import annotations

import random

import numpy as np
import polars as pl
import pyarrow.parquet as pq
import pytest
from hypothesis import HealthCheck, given, settings, strategies as st

from tsdb_core.base.config import StoreConfig
from tsdb_core.base.types import FieldType
from tsdb_core.storage import encodings, partitions

TRICKY = np.array([0x8000000000000000, 0, 0x7FF8000000000001, 0x7FF8000000000000, 0xFFF8000000000000,
                   0x7FF4000000000ABC, 0x7FF0000000000000, 0xFFF0000000000000, 1, 0x800FFFFFFFFFFFFF,
                   0x7FEFFFFFFFFFFFFF], dtype=np.uint64)  # -0, 0, NaNs (quiet, signalling, negative), ±inf, subnormals, max

bits64 = st.integers(min_value=0, max_value=(1 << 64) - 1)
# any 64-bit pattern (so every NaN payload), tricky ones often, and runs of repeats
float_bits = st.one_of(bits64, st.sampled_from(TRICKY.tolist()),
                       st.floats(allow_nan=True, allow_infinity=True, allow_subnormal=True).map(
                           lambda x: int(np.float64(x).view(np.uint64))))


def _frame(bits: list[int], nulls: list[bool] | None = None) -> pl.DataFrame:
    values = pl.Series("v", np.array(bits, dtype=np.uint64).view(np.float64))
    if nulls:
        values = pl.select(pl.when(pl.Series(nulls[: len(bits)] + [False] * (len(bits) - len(nulls))))
                           .then(None).otherwise(values).alias("v")).to_series()
    return pl.DataFrame({"time": np.arange(len(bits), dtype=np.int64), "host": ["a"] * len(bits)}).with_columns(values)


def _write(frame: pl.DataFrame, path, row_group: int = 7) -> pq.ParquetFile:
    partitions._write_parquet([frame], str(path), ("host",), {"v": FieldType.FLOAT},
                              StoreConfig(parquet_row_group_rows=row_group), ["host"])
    return pq.ParquetFile(path)


def _bits(column) -> np.ndarray:
    return column.to_numpy(zero_copy_only=False).astype(np.float64).view(np.uint64)


@pytest.mark.no_catalog
@pytest.mark.parametrize("encoding", [encodings.BYTE_STREAM_SPLIT, encodings.PLAIN, encodings.DICTIONARY])
@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(bits=st.lists(float_bits, min_size=1, max_size=40), nulls=st.lists(st.booleans(), max_size=40))
def test_every_encoding_reads_back_every_bit_per_row_group(encoding, bits, nulls, tmp_path, monkeypatch):
    monkeypatch.setattr(encodings, "float_layout", lambda values: (encoding, None))
    frame = _frame(bits, nulls)
    f = _write(frame, tmp_path / f"{len(bits)}-{sum(nulls)}.parquet")
    assert f.schema_arrow.field("v").type == "double" and f.schema.column(2).physical_type == "DOUBLE"
    used = {e for g in range(f.num_row_groups) for e in f.metadata.row_group(g).column(2).encodings}
    assert (encoding in used) if encoding != encodings.DICTIONARY else ("RLE_DICTIONARY" in used
                                                                         or "PLAIN" in used)
    want = frame.get_column("v")
    off = 0
    for g in range(f.num_row_groups):
        got = f.read_row_group(g).column("v")
        part = want.slice(off, len(got))
        assert got.to_pylist().count(None) == part.null_count()
        assert (_bits(got.drop_null()) == part.drop_nulls().to_numpy().view(np.uint64)).all()
        off += len(got)
    assert off == len(bits)


def _walk(n: int, decimals: int | None, seed: int = 5) -> list[float]:
    rng, v, out = random.Random(seed), 50.0, []
    for _ in range(n):
        v = min(100.0, max(0.0, v + rng.gauss(0, 1)))
        out.append(v if decimals is None else round(v, decimals))
    return out


def _with_negative_zero(values: list[float]) -> list[float]:
    return [-0.0 if i == 7 else v for i, v in enumerate(values)]  # -0.0 is no decimal: stays DOUBLE


@pytest.mark.no_catalog
@pytest.mark.parametrize("values,expected", [
    (_walk(20_000, None), "BYTE_STREAM_SPLIT"),       # full-precision measurements
    (_with_negative_zero(_walk(20_000, 4)), "PLAIN"),  # four decimals, not all decimals: whole doubles repeat
    (random.Random(3).choices(_walk(5, None), k=20_000), "RLE_DICTIONARY"),                               # a handful of distinct values
])
def test_the_encoding_follows_the_data(values, expected, tmp_path):
    frame = pl.DataFrame({"time": np.arange(len(values), dtype=np.int64), "host": ["a"] * len(values),
                          "v": values})
    f = _write(frame, tmp_path / "f.parquet", row_group=16_384)
    assert f.schema.column(2).physical_type == "DOUBLE"
    for g in range(f.num_row_groups):
        assert expected in f.metadata.row_group(g).column(2).encodings
    assert f.read().column("v").to_pylist() == values
    other = {"BYTE_STREAM_SPLIT": "PLAIN", "PLAIN": "BYTE_STREAM_SPLIT", "RLE_DICTIONARY": "PLAIN"}[expected]
    sizes = encodings.float_sizes(np.array(values[:16_384]))
    assert sizes[expected] < sizes[other]


@pytest.mark.no_catalog
def test_a_column_of_nulls_and_an_empty_sample_keep_byte_stream_split():
    assert encodings.float_encoding(np.array([], dtype=np.float64)) == encodings.BYTE_STREAM_SPLIT


def test_store_files_keep_tricky_doubles_and_external_readers_agree(tmp_path):
    duckdb = pytest.importorskip("duckdb")
    import tsdb_core
    store = tsdb_core.open(tmp_path / "s")
    finite = TRICKY[np.isfinite(TRICKY.view(np.float64))]  # the store refuses NaN and inf, as InfluxDB does
    values = np.resize(finite, 3000).view(np.float64)
    n = len(values)
    df = pl.DataFrame({"time": np.arange(n, dtype=np.int64) * 1_000_000_000, "host": ["a", "b"] * (n // 2),
                       "v": values, "w": [round(x, 2) for x in _walk(n, 2)],
                       "d": random.Random(1).choices(_walk(4, None), k=n), "f": _walk(n, None)})
    store.write_dataframe("db", df, "m", tags=["host"])
    store.flush()
    store.close()
    files = sorted((tmp_path / "s").rglob("*.parquet"))
    assert files
    back = pl.concat([pl.read_parquet(p) for p in files]).sort("time")
    assert (back.get_column("v").to_numpy().view(np.uint64) == values.view(np.uint64)).all()
    # "w" (two decimals) is stored as DECIMAL(18, 2): Polars and DuckDB read the decimals, and their
    # casts to double give the doubles written
    assert back.schema["w"] == pl.Decimal(18, 2)
    assert back.select(pl.col("w").cast(pl.Float64), "d", "f").rows() == df.select("w", "d", "f").rows()
    con = duckdb.connect()
    got = con.execute(f"SELECT w::DOUBLE, d, f FROM read_parquet({[str(p) for p in files]!r}) ORDER BY time").fetchall()
    assert got == df.select("w", "d", "f").rows()
    meta = pq.ParquetFile(files[0]).metadata
    used = {meta.schema.column(i).name: meta.row_group(0).column(i).encodings for i in range(meta.num_columns)}
    assert "RLE_DICTIONARY" in used["d"] and "DELTA_BINARY_PACKED" in used["w"] and "BYTE_STREAM_SPLIT" in used["f"]
    kinds = {meta.schema.column(i).name: meta.schema.column(i).physical_type for i in range(meta.num_columns)}
    assert [kinds[c] for c in ("v", "w", "d", "f")] == ["DOUBLE", "INT64", "DOUBLE", "DOUBLE"]
    with tsdb_core.open(tmp_path / "s") as again:  # and the store reads its doubles back
        rows = again.query("SELECT v, w, d, f FROM m", db="db").statements[0].series[0].values
    assert [tuple(r[2:]) for r in rows] == df.select("w", "d", "f").rows()
    assert (np.array([r[1] for r in rows]).view(np.uint64) == values.view(np.uint64)).all()
