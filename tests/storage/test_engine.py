"""The storage engine behind Store: composed (not mixed in), layered, and the provider it offers."""
from __future__ import annotations

import ast
import inspect
from pathlib import Path

import numpy as np
import polars as pl
import pytest

import tsdb_core
from tsdb_core.base.time import MAX_TIME, MIN_TIME
from tsdb_core.query.provider import DataProvider
from tsdb_core.storage.engine import StorageEngine

ROOT = Path(__file__).resolve().parents[2] / "tsdb_core"
T0 = 1_700_000_000_000_000_000


def _internal_imports(source: str, pkg: tuple[str, ...]) -> set[str]:
    """The tsdb_core subpackages a module of package ``pkg`` imports (relative imports resolved)."""
    out = set()
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.ImportFrom) and node.level:
            base = pkg[: len(pkg) - node.level + 1]
            parts = (*base, *(node.module or "").split(".")) if node.module else base
            if len(parts) > 1:
                out.add(parts[1])
            else:
                out.update(a.name for a in node.names)
        elif isinstance(node, (ast.Import, ast.ImportFrom)):
            names = [node.module] if isinstance(node, ast.ImportFrom) else [a.name for a in node.names]
            out.update(n.split(".")[1] for n in names if n and n.startswith("tsdb_core."))
    return out


@pytest.mark.no_catalog
@pytest.mark.parametrize("package", ["storage", "ingest"])
def test_storage_and_ingest_import_only_base(package):
    for py in (ROOT / package).rglob("*.py"):
        pkg = py.relative_to(ROOT.parent).with_suffix("").parts[:-1]
        assert _internal_imports(py.read_text(), pkg) <= {package, "base"}, py


@pytest.mark.no_catalog
def test_the_layering_check_sees_a_forbidden_import():
    src = "from ..query import provider\nfrom tsdb_core.ingest import dataframe\nfrom .wal import Wal\n"
    assert _internal_imports(src, ("tsdb_core", "storage")) == {"query", "ingest", "storage"}
    assert _internal_imports("from .. import base\n", ("tsdb_core", "storage")) == {"base"}


def test_store_composes_an_engine_of_collaborators(tmp_path):
    assert tsdb_core.Store.__mro__ == (tsdb_core.Store, object)  # no mixins
    with tsdb_core.open(tmp_path / "s") as s:
        eng = s._engine
        assert isinstance(eng, StorageEngine)
        parts = [eng.writes, eng.maintenance, eng.recovery, eng.reads, eng.index_files]
        assert len({id(p) for p in parts}) == 5
        assert all(p.state is eng.state for p in parts)  # one state, handed over explicitly
        assert eng.maintenance.recovery is eng.recovery and eng.reads.recovery is eng.recovery
        assert eng.maintenance.index_files is eng.index_files is eng.recovery.index_files
        assert eng.lock_file.held
    assert not eng.lock_file.held


@pytest.mark.no_catalog
def test_store_implements_every_provider_method_itself():
    protocol = {n for n, v in vars(DataProvider).items() if inspect.isfunction(v) and not n.startswith("_")}
    assert protocol - set(vars(tsdb_core.Store)) == set()
    assert isinstance(tsdb_core.open(), DataProvider)


def test_declared_capabilities_hold(tmp_path):
    caps = tsdb_core.Store.capabilities
    assert (caps.exact_tag_scan, caps.arrays, caps.row_estimates, caps.statistics) == (True, True, True, False)
    with tsdb_core.open(tmp_path / "s") as s:
        s.write("db", "\n".join(f"m,host=h{i % 2} v={i} {T0 + i}" for i in range(10)))
        s.flush()
        got = s.scan("db", None, "m", MIN_TIME, MAX_TIME, ["v"], tags={"host": ["h1"]}).collect()
        assert sorted(got["v"].to_list()) == [1.0, 3.0, 5.0, 7.0, 9.0]  # exact: only h1's rows
        arrays = s.scan_arrays("db", None, "m", MIN_TIME, MAX_TIME, ["v"], {"host": ["h0"]})
        assert sorted(arrays["v"].tolist()) == [0.0, 2.0, 4.0, 6.0, 8.0]
        assert isinstance(arrays["time"], np.ndarray)
        tags, one = s.scan_series("db", None, "m", MIN_TIME, MAX_TIME, ["v"], {"host": ["h0"]})
        assert tags == {"host": "h0"} and one["time"].tolist() == [T0, T0 + 2, T0 + 4, T0 + 6, T0 + 8]
        assert s.row_estimate("db", None, "m", MIN_TIME, MAX_TIME) == 10
        assert s.stats() == []


@pytest.mark.no_catalog
def test_scan_takes_the_provider_form_only_and_rp_none_is_the_default(tmp_path):
    with tsdb_core.open() as s:
        s.create_database("db")
        s.create_retention_policy("db", "short", duration=3600 * 10**9 * 24, default=False)
        s.write("db", f"m v=1 {T0}")
        s.write("db", f"m v=2 {T0}", rp="short")
        assert s.scan("db", None, "m", MIN_TIME, MAX_TIME).collect()["v"].to_list() == [1.0]
        assert s.scan("db", "autogen", "m", MIN_TIME, MAX_TIME).collect()["v"].to_list() == [1.0]
        with pytest.raises(TypeError):
            s.scan("db", "m")  # the old (db, measurement) form is gone


def test_delete_rewrites_files_through_the_engine(tmp_path):
    with tsdb_core.open(tmp_path / "s") as s:
        s.write("db", f"m,h=a v=1 {T0}\nm,h=b v=2 {T0}\nm,h=a v=3 {T0 + 1}")
        s.flush()
        [before] = s.files()
        s.delete("db", "m", T0, T0, pl.col("h") == "a")
        [after] = s.files()
        assert after.id != before.id and after.rows == 2
        rows = s.scan("db", None, "m", MIN_TIME, MAX_TIME).collect().sort("time", "h").rows()
        assert rows == [(T0, "b", 2.0), (T0 + 1, "a", 3.0)]


@pytest.mark.no_catalog
def test_results_and_provider_types_come_from_the_package():
    from tsdb_core import Capabilities, DataProvider, PreparedQuery, QueryResult, Series, StatementResult

    with tsdb_core.open() as s:
        s.write("db", f"m v=1 {T0}")
        prepared = s.prepare("SELECT v FROM m")
        assert isinstance(prepared, PreparedQuery)
        res = s.execute(prepared, db="db")
        assert isinstance(res, QueryResult) and isinstance(res.statements[0], StatementResult)
        assert isinstance(res.statements[0].series[0], Series)
    assert {"QueryResult", "StatementResult", "Series", "PreparedQuery", "DataProvider",
            "Capabilities"} <= set(tsdb_core.__all__)
    assert Capabilities is type(tsdb_core.Store.capabilities) and DataProvider.__name__ == "DataProvider"


@pytest.mark.no_catalog
def test_numpy_scans_read_the_partitions_of_their_range_only():
    """Files outside the range are left out before anything is built for them; a range whose
    ends fall exactly on a file's first or last row still reads that row."""
    week = 7 * 24 * 3600 * 10**9
    with tsdb_core.open() as s:
        s.create_database("db")
        for w in range(4):  # one file per weekly partition
            s.write("db", "\n".join(f"m,host=h0 v={w * 10 + i}.0 {w * week + i}" for i in range(3)))
            s.flush()
        one = s.scan_arrays("db", None, "m", 2 * week, 2 * week + 2, ["v"], {"host": ["h0"]})
        assert one["v"].tolist() == [20.0, 21.0, 22.0]
        edges = s.scan_arrays("db", None, "m", week + 2, 3 * week, ["v"], {"host": ["h0"]})
        assert edges["time"].tolist() == [week + 2, 2 * week, 2 * week + 1, 2 * week + 2, 3 * week]
        assert edges["v"].tolist() == [12.0, 20.0, 21.0, 22.0, 30.0]
        tags, alone = s.scan_series("db", None, "m", 3 * week + 1, MAX_TIME, ["v"], {"host": ["h0"]})
        assert tags == {"host": "h0"} and alone["v"].tolist() == [31.0, 32.0]
