"""Publishing to a REST catalog: a real Iceberg REST catalog server from PyPI (``lakana-server``,
a Python platform with an Iceberg REST catalog: installed in a virtual environment of its own by
.ci/run, as its dependencies differ from ours). It places tables itself, wants a bearer token and
a prefix (its environment), and allows tables only under the namespaces bronze, silver and gold:
the database here is named ``bronze``."""
from __future__ import annotations

import os
import shutil
import socket
import subprocess
from pathlib import Path

import httpx
import pytest

import tsdb_core
from tsdb_core import StoreConfig

from ..waiting import wait_until
from .conftest import read_duckdb, read_polars, read_pyiceberg
from .helpers import assert_same, lines, store_summary, table_summary

T = "2024-03-01T00:00:00Z"
ENV = "tsdb"


def _server_binary() -> str | None:
    for candidate in (os.environ.get("TSDB_LAKANA_SERVER"), "/opt/lakana/bin/lakana-server",
                      shutil.which("lakana-server")):
        if candidate and Path(candidate).is_file():
            return candidate
    return None


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def rest_catalog(tmp_path_factory):
    """(URL, token) of a running lakana-server with an environment whose storage is a local directory."""
    binary = _server_binary()
    if binary is None:
        pytest.skip("no Iceberg REST catalog server: lakana-server is not installed (.ci/run puts it in /opt/lakana)")
    work = tmp_path_factory.mktemp("rest")
    env = {**os.environ, "LAKANA_DATABASE__URL": f"sqlite:///{work}/catalog.sqlite", "LAKANA_PORT": str(_free_port()),
           "LAKANA_BOOTSTRAP_TOKEN_FILE": str(work / "token")}
    subprocess.run([binary, "migrate"], env=env, check=True, capture_output=True, timeout=120)
    log = open(work / "server.log", "w")
    proc = subprocess.Popen([binary], env=env, stdout=log, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{env['LAKANA_PORT']}"
    try:
        def answers() -> bool:
            try:
                return httpx.get(f"{url}/v1/config").status_code == 200
            except httpx.TransportError:
                return False

        wait_until(lambda: proc.poll() is None and answers() or proc.poll() is not None, "the REST catalog", 60)
        assert proc.poll() is None, (work / "server.log").read_text()[-2000:]
        token = (work / "token").read_text().strip()
        made = httpx.post(f"{url}/api/v1/environments", headers={"Authorization": f"Bearer {token}"},
                          json={"name": ENV, "storage": {"scheme": "file", "root": (work / "warehouse").as_uri()}})
        assert made.status_code == 201, made.text
        yield url, token, work / "warehouse"
    finally:
        proc.terminate()
        proc.wait(30)
        log.close()


def test_a_rest_catalog_gets_the_tables_in_the_same_step(tmp_path, rest_catalog, monkeypatch):
    url, token, warehouse = rest_catalog
    import pyiceberg.catalog
    from pyiceberg.utils.config import Config

    monkeypatch.setenv("PYICEBERG_CATALOG__TSDB__TOKEN", token)  # pyiceberg's own configuration,
    monkeypatch.setenv("PYICEBERG_CATALOG__TSDB__PREFIX", ENV)
    monkeypatch.setattr(pyiceberg.catalog, "_ENV_CONFIG", Config())  # read as if set before the process began
    config = StoreConfig(iceberg=True, iceberg_catalog=url, file_grace_s=0.0)
    with tsdb_core.open(tmp_path / "s", config=config) as store:
        store.write("bronze", lines("cpu", T, 10, seed=1))
        store.flush()
        store.write("bronze", lines("cpu", "2024-03-02T00:00:00Z", 10, seed=2))
        store.flush()
        table = store.iceberg.catalog.load_table(("bronze", "cpu"))
        assert table.location().startswith(warehouse.as_uri())  # placed by the catalog, not by us
        assert len(list(table.scan().plan_files())) == 2
        for read in (read_pyiceberg, read_polars, read_duckdb):
            assert_same(store_summary(store, "bronze", "autogen", "cpu"),
                        table_summary(read(table), ["host", "region"]))
        store.write("bronze", lines("cpu", T, 10, seed=3))  # the first flush's points again
        store.flush()
        table = store.iceberg.catalog.load_table(("bronze", "cpu"))
        assert read_pyiceberg(table).height == 120 and store.health()["status"] == "ok"
        store.drop_measurement("bronze", "cpu")
        assert ("bronze", "cpu") not in store.iceberg.catalog.list_tables(("bronze",))
