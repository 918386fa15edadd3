"""Every storage test runs twice: with the default catalog (SQLite next to the data) and with
the catalog on PostgreSQL (a throwaway cluster on 127.0.0.1, tests/pg_cluster.py); with
``TSDB_TEST_STORE=s3`` once, with the data on the S3 server and the catalog on PostgreSQL.
tests/stores.py says how, and which tests are skipped where.
"""
from __future__ import annotations

import pytest

from tests.stores import STORAGE_PARAMS, catalogs_for


@pytest.fixture(autouse=True, params=STORAGE_PARAMS)
def catalogs(request, monkeypatch):
    yield from catalogs_for(request, monkeypatch, request.param)
