"""Shared fixtures: an in-process app over a real store, and the slow switch."""
from __future__ import annotations

import os
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
if str(ROOT) not in sys.path:  # the reliability/ harness lives at the repo root
    sys.path.insert(0, str(ROOT))

SLOW = os.environ.get("TSDB_SLOW") == "1"


@pytest.fixture()
def app_client(tmp_path):
    """A TestClient over the cloud-dialect app on an on-disk store (auth on, one token)."""
    from starlette.testclient import TestClient

    import tsdb_core
    from tsdb_http.tokens import TokenStore
    from tsdb_http.app import ShimConfig, create_app
    from tsdb_http.serve import store_config

    store = tsdb_core.open(tmp_path / "store", config=store_config("cloud-dedicated"))
    tokens = TokenStore(None)
    secret, _ = tokens.create("*", read=True, write=True)
    app = create_app(store, tokens, ShimConfig(max_body_bytes=1_000_000))
    with TestClient(app, raise_server_exceptions=False) as c:
        c.headers["Authorization"] = f"Token {secret}"
        c.token = secret
        yield c
    store.close()
