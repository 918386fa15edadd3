"""Every storage test runs twice: with the default catalog (SQLite next to the data) and with
the catalog on PostgreSQL (a throwaway cluster on 127.0.0.1, tests/pg_cluster.py); with
``TSDB_TEST_STORE=s3`` once, with the data on the S3 server and the catalog on PostgreSQL.
tests/stores.py says how, and which tests are skipped where.

A test marked ``no_catalog`` opens no catalog (it encodes, parses or sorts in memory), so the
two runs would be the same run: it runs once, ``[no-catalog]``, and fails if it opens a catalog
after all (the two names the catalogs are installed through refuse), so the mark cannot hide a
test the catalog matters to.
"""
from __future__ import annotations

import pytest

from tests.stores import STORAGE_PARAMS, catalogs_for
from tsdb_core.storage import engine as engine_mod
from tsdb_core.storage import readonly

NO_CATALOG = "no-catalog"


def pytest_configure(config):
    config.addinivalue_line("markers", "no_catalog: opens no catalog; runs once, not once per catalog")


@pytest.hookimpl(tryfirst=True)  # a parametrize mark of its own wins over the fixture's params
def pytest_generate_tests(metafunc):
    if metafunc.definition.get_closest_marker("no_catalog") and "catalogs" in metafunc.fixturenames:
        metafunc.definition.add_marker(pytest.mark.parametrize("catalogs", [NO_CATALOG], indirect=True))


@pytest.fixture(autouse=True, params=STORAGE_PARAMS)
def catalogs(request, monkeypatch):
    if request.param == NO_CATALOG:
        def refuse(*args, **kwargs):
            raise AssertionError("a test marked no_catalog opened a catalog: drop the mark")
        monkeypatch.setattr(engine_mod, "SqlCatalog", refuse)
        monkeypatch.setattr(readonly, "ReaderCatalog", refuse)
        yield None
        return
    yield from catalogs_for(request, monkeypatch, request.param)
