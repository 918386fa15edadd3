"""Readers of the published tables, each independent of the publisher: pyiceberg's own scan,
Polars' ``scan_iceberg`` and DuckDB's iceberg extension (from the ``duckdb-ext-iceberg``
package: nothing is downloaded). Each returns the table as a Polars frame."""
from __future__ import annotations

import functools
import glob
import os
import site

import polars as pl
import pytest

pytest.importorskip("pyiceberg", reason="pyiceberg is not installed (the iceberg extra)")
os.environ.setdefault("POLARS_ICEBERG_PLANNER", "pyiceberg")  # Polars plans with pyiceberg (its planner plugin is not installed)


def read_pyiceberg(table) -> pl.DataFrame:
    return pl.from_arrow(table.scan().to_arrow())


def read_polars(table) -> pl.DataFrame:
    return pl.scan_iceberg(table).collect()


def _duckdb_extensions() -> str | None:
    for base in site.getsitepackages():
        found = glob.glob(os.path.join(base, "duckdb_ext", "extensions", "*", "*", "iceberg.duckdb_extension"))
        if found:
            return os.path.join(base, "duckdb_ext", "extensions")
    return None


@functools.cache
def _duckdb():
    """One connection with the extension loaded (loading it is the slow part)."""
    import duckdb

    con = duckdb.connect(config={"extension_directory": _duckdb_extensions(),
                                 "autoinstall_known_extensions": False, "autoload_known_extensions": False})
    con.execute("LOAD iceberg")
    return con


def read_duckdb(table) -> pl.DataFrame:
    return _duckdb().execute("SELECT * FROM iceberg_scan(?)", [table.metadata_location]).pl()


def _duckdb_reason() -> str | None:
    try:
        import duckdb  # noqa: F401
    except ImportError:
        return "duckdb is not installed (the test extra)"
    if _duckdb_extensions() is None:
        return "DuckDB's iceberg extension package (duckdb-ext-iceberg) is not installed"
    return None


READERS = {"pyiceberg": read_pyiceberg, "polars": read_polars, "duckdb": read_duckdb}


@pytest.fixture(params=sorted(READERS))
def reader(request):
    """One reader (the test runs once per reader)."""
    if request.param == "duckdb" and _duckdb_reason():
        pytest.skip(_duckdb_reason())
    return READERS[request.param]
