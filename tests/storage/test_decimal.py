"""Float columns of few-digit decimals are stored as DECIMAL(18, s) on INT64 (delta-packed), and
every value reads back bit for bit: through the store's own readers, Polars' and DuckDB's casts
to double, a file whose later values stop being decimals (the column turns DOUBLE), files of
both layouts in one measurement, compaction, a rebuilt catalog and the Iceberg copies."""
from __future__ import annotations

import decimal
import itertools
import random

import duckdb
import numpy as np
import polars as pl
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from hypothesis import HealthCheck, given, settings, strategies as st

import tsdb_core
from tsdb_core.base.config import StoreConfig
from tsdb_core.base.types import FieldType
from tsdb_core.storage import encodings, partitions

from .test_encoding import TRICKY, _walk, float_bits

EXACT = 1 << 53
_names = itertools.count()  # a new file per example: DuckDB keeps what it read of a path
SETTINGS = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])


def _frame(values: np.ndarray, nulls: list[bool] | None = None) -> pl.DataFrame:
    v = pl.Series("v", values, dtype=pl.Float64)
    if nulls:
        mask = pl.Series((nulls + [False] * len(values))[: len(values)])
        v = pl.select(pl.when(mask).then(None).otherwise(v).alias("v")).to_series()
    n = len(values)
    return pl.DataFrame({"time": np.arange(n, dtype=np.int64), "host": ["a"] * n}).with_columns(v)


def _write(parts, path, row_group: int = 7) -> pq.ParquetFile:
    partitions._write_parquet(parts, str(path), ("host",), {"v": FieldType.FLOAT},
                              StoreConfig(parquet_row_group_rows=row_group), ["host"])
    return pq.ParquetFile(path)


def _same_bits(got: pl.Series, want: pl.Series) -> None:
    assert got.dtype == pl.Float64
    assert got.is_null().to_list() == want.is_null().to_list()
    a, b = got.drop_nulls().to_numpy(), want.drop_nulls().to_numpy()
    assert (a.view(np.uint64) == b.view(np.uint64)).all()


def _every_reader_agrees(path, want: pl.Series) -> None:
    """The store's readers (whole file, each row group through the footer index, a lazy scan)
    and DuckDB's cast give back the doubles written."""
    _same_bits(encodings.as_floats(pl.read_parquet(path)).get_column("v"), want)
    index = partitions.RowGroups(pq.read_metadata(path))
    groups = [index.read_group(path, g) for g in range(index.meta.num_row_groups)]
    _same_bits(pl.concat([g.get_column("v") for g in groups]), want)
    _same_bits(encodings.as_floats(pl.scan_parquet(path)).collect().get_column("v"), want)
    duck = duckdb.sql(f"SELECT v::DOUBLE AS v FROM read_parquet('{path}') ORDER BY time").pl().get_column("v")
    _same_bits(duck, want)


decimals = st.tuples(st.integers(0, encodings.MAX_SCALE),
                     st.lists(st.one_of(st.integers(-EXACT, EXACT), st.integers(-10_000, 10_000)),
                              min_size=1, max_size=40))


@pytest.mark.no_catalog
@pytest.mark.parametrize("choice", ["chosen", "forced"])
@SETTINGS
@given(data=decimals, nulls=st.lists(st.booleans(), max_size=40))
def test_decimal_values_read_back_bit_for_bit_everywhere(choice, data, nulls, tmp_path, monkeypatch):
    scale, ints = data
    values = np.array(ints, dtype=np.int64) / 10.0 ** scale
    if choice == "forced":  # the decimal layout whatever the sizes say
        monkeypatch.setattr(encodings, "float_layout", lambda v: (encodings.DECIMAL, scale))
    frame = _frame(values, nulls)
    path = tmp_path / f"{next(_names)}.parquet"
    f = _write([frame], path)
    stored = f.schema.column(2)
    fits = encodings.scaled(frame.get_column("v").drop_nulls().to_numpy(), scale) is not None
    if choice == "forced" and fits:
        assert stored.physical_type == "INT64" and f.schema_arrow.field("v").type.scale == scale
        # the decimal numbers themselves: any Parquet reader gets k / 10**scale exactly
        got = f.read().column("v").to_pylist()
        want = [None if x is None else decimal.Decimal(int(k)).scaleb(-scale)
                for x, k in zip(frame.get_column("v").to_list(), encodings.scaled(np.nan_to_num(
                    frame.get_column("v").fill_null(0.0).to_numpy()), scale))]
        assert got == want
    _every_reader_agrees(path, frame.get_column("v"))
    assert not list(tmp_path.glob("*.tmp"))


@pytest.mark.no_catalog
@SETTINGS
@given(bits=st.lists(float_bits, min_size=1, max_size=40), scale=st.integers(0, encodings.MAX_SCALE),
       nulls=st.lists(st.booleans(), max_size=40))
def test_any_64_bit_pattern_under_a_decimal_layout_reads_back(bits, scale, nulls, tmp_path, monkeypatch):
    """Whatever the values, a decimal column either holds them exactly or turns DOUBLE."""
    monkeypatch.setattr(encodings, "float_layout", lambda v: (encodings.DECIMAL, scale))
    values = np.array(bits, dtype=np.uint64).view(np.float64)
    frame = _frame(values, nulls)
    path = tmp_path / f"{next(_names)}.parquet"
    f = _write([frame], path)
    fits = encodings.scaled(frame.get_column("v").drop_nulls().to_numpy(), scale) is not None
    assert f.schema.column(2).physical_type == ("INT64" if fits else "DOUBLE")
    _every_reader_agrees(path, frame.get_column("v"))
    assert not list(tmp_path.glob("*.tmp"))  # no copy left behind


@pytest.mark.no_catalog
@settings(max_examples=200, deadline=None)
@given(bits=st.lists(float_bits, min_size=1, max_size=30), scale=st.integers(0, encodings.MAX_SCALE))
def test_to_decimal_is_exact_or_refuses(bits, scale):
    values = np.array(bits, dtype=np.uint64).view(np.float64)
    dec = encodings.to_decimal(pa.array(values), scale)
    if dec is None:
        return
    assert dec.type == pa.decimal64(encodings.PRECISION, scale)
    back = encodings.as_floats(pl.DataFrame({"v": pl.from_arrow(dec)})).get_column("v").to_numpy()
    assert (back.view(np.uint64) == values.view(np.uint64)).all()


@pytest.mark.no_catalog
def test_the_fewest_digits_are_chosen_and_specials_refused():
    assert encodings.decimal_scale(np.array([1.0, 2.0, 3.0])) == 0
    assert encodings.decimal_scale(np.array([1.5, 2.25, 0.1])) == 2
    assert encodings.decimal_scale(np.array([0.1 + 0.2])) is None  # 0.30000000000000004: 17 digits
    for special in TRICKY[TRICKY != 0].view(np.float64):  # -0.0, NaNs, infinities, subnormals, the largest double
        assert encodings.decimal_scale(np.array([1.0, special])) is None
    assert encodings.decimal_scale(np.array([float(EXACT)])) == 0
    assert encodings.decimal_scale(np.array([float(EXACT + 2)])) is None  # past 2**53: not every integer is a double


@pytest.mark.no_catalog
@pytest.mark.parametrize("values,expected", [
    (_walk(20_000, 2), (encodings.DECIMAL, 2)),         # readings with two decimals: packed deltas
    (_walk(20_000, 4), (encodings.DECIMAL, 4)),
    ([round(x) for x in _walk(20_000, None)], (encodings.DECIMAL, 0)),
    (random.Random(3).choices([0.5, 1.5, 2.25], k=20_000), (encodings.DICTIONARY, None)),  # few distinct
    (_walk(20_000, None), (encodings.BYTE_STREAM_SPLIT, None)),  # full precision: no decimal fits
])
def test_the_layout_follows_the_data(values, expected, tmp_path):
    assert encodings.float_layout(np.array(values)) == expected
    frame = _frame(np.array(values))
    f = _write([frame], tmp_path / "f.parquet", row_group=16_384)
    want = {encodings.DECIMAL: "DELTA_BINARY_PACKED"}.get(expected[0], expected[0])
    assert all(want in f.metadata.row_group(g).column(2).encodings for g in range(f.num_row_groups))
    _every_reader_agrees(tmp_path / "f.parquet", frame.get_column("v"))
    if expected[0] == encodings.DECIMAL:
        assert f.schema_arrow.metadata[b"tsdb.decimal_floats"] == b'["v"]'
        best_double = min(encodings.float_sizes(np.array(values[:16_384])).values())
        assert f.metadata.row_group(0).column(2).total_compressed_size < 0.7 * best_double


@pytest.mark.no_catalog
def test_a_later_part_without_decimals_turns_the_column_double(tmp_path):
    """A compaction writes a file in parts: when a later one holds values no decimal of the
    chosen scale writes exactly, the row groups written so far are copied with the column DOUBLE."""
    first = _frame(np.array(_walk(50_000, 2)))
    later = _frame(np.array(_walk(30_000, None, seed=9))).with_columns(pl.col("time") + 50_000)
    path = tmp_path / "f.parquet"
    f = _write(iter([first, later]), path, row_group=16_384)
    assert f.schema.column(2).physical_type == "DOUBLE" and b"tsdb.decimal_floats" not in f.schema_arrow.metadata
    assert f.metadata.num_rows == 80_000 and f.metadata.num_row_groups == 6
    _every_reader_agrees(path, pl.concat([first, later]).get_column("v"))
    assert [p.name for p in tmp_path.iterdir()] == ["f.parquet"]
    # another scale later (three digits after two): DOUBLE as well, nothing lost
    third = first.with_columns(pl.col("v") + 0.001, pl.col("time") + 80_000)
    _write(iter([first, third]), tmp_path / "g.parquet", row_group=16_384)
    _every_reader_agrees(tmp_path / "g.parquet", pl.concat([first, third]).get_column("v"))


def _bits_of(store, where: str = "") -> np.ndarray:
    rows = store.query(f"SELECT v FROM m {where}", db="db").statements[0].series[0].values
    return np.array([r[1] for r in rows], dtype=np.float64).view(np.uint64)


@pytest.mark.local_files("reads the store's Parquet files")
@pytest.mark.parametrize("cache_bytes", [1 << 30, 0])  # decoded files cached, or every read from Parquet
def test_old_double_files_and_decimal_files_read_together(cache_bytes, tmp_path, monkeypatch):
    """One measurement with files of both layouts (a store written before, then after): raw rows,
    a one-host lookup, aggregates and compaction give the doubles written; a rebuilt catalog
    still calls the column a float."""
    from tsdb_core.storage.objects import LocalFiles
    from tsdb_core.storage.rebuild import rebuild
    n = 6_000
    hosts = ["a", "b", "c"] * (n // 3)
    early = pl.DataFrame({"time": np.arange(n, dtype=np.int64) * 10**9, "host": hosts, "v": _walk(n, 2)})
    late = early.with_columns(pl.col("time") + n * 10**9, pl.Series("v", _walk(n, 2, seed=7)))
    want = pl.concat([early, late])
    config = StoreConfig.for_tests(cache_bytes=cache_bytes, compact_min_files=100, compact_slice_rows=3_000)
    store = tsdb_core.open(tmp_path / "s", config=config)
    with monkeypatch.context() as m:  # the layout of a store written before decimals
        m.setattr(encodings, "float_layout", lambda v: (encodings.PLAIN, None))
        store.write_dataframe("db", early, "m", tags=["host"])
        store.flush()
    store.write_dataframe("db", late, "m", tags=["host"])
    store.flush()
    kinds = sorted(pq.ParquetFile(p).schema.column(2).physical_type for p in (tmp_path / "s").rglob("*.parquet"))
    assert kinds == ["DOUBLE", "INT64"]
    for _ in range(2):  # the files as written, then compacted into one
        assert (_bits_of(store) == want.sort("time").get_column("v").to_numpy().view(np.uint64)).all()
        one = want.filter(pl.col("host") == "b").get_column("v").to_numpy()
        assert (_bits_of(store, "WHERE host = 'b'") == one.view(np.uint64)).all()
        total = store.query("SELECT sum(v), max(v) FROM m WHERE host = 'c'", db="db").statements[0].series[0].values
        c = want.filter(pl.col("host") == "c").get_column("v")
        assert total[0][1:] == [pytest.approx(c.sum(), rel=1e-12), c.max()]
        store.compact()
    [merged] = store.files()
    store.close()
    path = next(p for p in (tmp_path / "s").rglob("*.parquet") if p.name == merged.path.rsplit("/", 1)[-1])
    assert pq.ParquetFile(path).schema.column(2).physical_type == "INT64"  # compaction chose decimals again
    (tmp_path / "s" / "catalog.json").unlink(missing_ok=True)
    assert rebuild(LocalFiles(tmp_path / "s")).catalog.databases["db"].measurements["m"].fields == {
        "v": FieldType.FLOAT}


@pytest.mark.no_catalog
def test_iceberg_copies_keep_doubles():
    from tsdb_core.lakehouse.copies import converted
    values = np.array(_walk(1_000, 2))
    dec = encodings.to_decimal(pa.array(values), 2)
    frame = pl.DataFrame({"time": np.arange(1_000, dtype=np.int64), "v": pl.from_arrow(dec)})
    out = converted(frame, set())
    assert out.schema["v"] == pl.Float64
    assert (out.get_column("v").to_numpy().view(np.uint64) == values.view(np.uint64)).all()


def test_published_iceberg_tables_hold_the_doubles(tmp_path):
    """A store file with a decimal column is published with the table's column double (its copies
    DOUBLE), and pyiceberg reads back the doubles written."""
    pytest.importorskip("pyiceberg")
    from tsdb_core.lakehouse import Publisher
    n = 4_000
    df = pl.DataFrame({"time": np.arange(n, dtype=np.int64) * 10**10, "host": ["a", "b"] * (n // 2),
                       "v": _walk(n, 2)})
    with tsdb_core.open(tmp_path / "store") as store:
        store.write_dataframe("db", df, "m", tags=["host"])
        store.flush()
        [f] = store.files()
        assert pq.ParquetFile(store.root / f.path).schema.column(2).physical_type == "INT64"
        publisher = Publisher(store)
        publisher.publish()
        table = publisher.catalog.load_table(("db", "m"))
        got = pl.from_arrow(table.scan().to_arrow()).sort("time_ns")
    assert got.schema["v"] == pl.Float64
    assert (got.get_column("v").to_numpy().view(np.uint64) == df.get_column("v").to_numpy().view(np.uint64)).all()
    copies = list((tmp_path / "store").rglob("time_day=*/*.parquet"))
    assert copies and {pq.ParquetFile(c).schema.column(c_i).physical_type for c in copies
                       for c_i in [pq.ParquetFile(c).schema_arrow.get_field_index("v")]} == {"DOUBLE"}


@pytest.mark.local_files("reads the store's Parquet files")
def test_fields_only_counted_are_not_converted(tmp_path):
    """count() of a decimal column read from Parquet needs its nulls only: the scan leaves the
    values unconverted (0.0 where a value is), and every count equals the cached store's."""
    n = 3_000
    v = pl.Series("v", _walk(n, 2))
    w = pl.Series("w", _walk(n, 2, seed=5)).scatter(list(range(0, n, 7)), None)  # nulls: points without w
    frame = pl.DataFrame({"time": np.arange(n, dtype=np.int64) * 10**9, "host": ["a", "b", "c"] * (n // 3),
                          "v": v, "w": w})
    answers = []
    for cache_bytes in (1 << 30, 0):
        store = tsdb_core.open(tmp_path / f"s{cache_bytes}", config=StoreConfig.for_tests(cache_bytes=cache_bytes))
        store.write_dataframe("db", frame, "m", tags=["host"])
        store.flush()
        got = [store.query(q, db="db").to_json() for q in (
            "SELECT count(*) FROM m", f"SELECT count(w), mean(v) FROM m WHERE time < {n}s GROUP BY time(7m), host",
            "SELECT count(w) FROM m WHERE w > 50", "SELECT count(v) + count(w) FROM m")]
        answers.append(got)
        if cache_bytes == 0:
            scan = store.scan("db", None, "m", 0, n * 10**9, ["v", "w"], counted=frozenset({"w"})).collect()
            assert scan.schema["w"] == pl.Float64 and scan.schema["v"] == pl.Float64
            assert scan.get_column("w").null_count() == w.null_count()
            assert set(scan.get_column("w").drop_nulls().to_list()) == {0.0}  # values not read back
        store.close()
    # counts equal exactly; a mean over several row groups may differ in its last bit (summation order)
    cached, uncached = (_rounded(a) for a in answers)
    assert cached == uncached
    assert answers[0][0]["results"][0]["series"][0]["values"][0][1:] == [n, n - w.null_count()]  # v, w


def _rounded(value):
    """Floats to 12 significant digits, so answers summed in another order compare equal."""
    if isinstance(value, float):
        return float(f"{value:.12g}")
    if isinstance(value, dict):
        return {k: _rounded(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_rounded(v) for v in value]
    return value
