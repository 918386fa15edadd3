"""Fixtures: an in-process app over a real in-memory store (the query engine, or the
fake of ``fakes.py`` while the engine is not importable) and a set of tokens."""
from __future__ import annotations

import json
import time
from dataclasses import dataclass

import pytest
from starlette.testclient import TestClient

import tsdb_core
from tests.http import fakes
from tsdb_http.app import ShimConfig, create_app
from tsdb_http.serve import store_config
from tsdb_http.tokens import TokenStore

REAL_ENGINE = fakes.real_engine_available()
NOW_S = int(time.time()) - 60  # recent: the cloud dialect's auto-created databases keep 3 days
NOW_NS = NOW_S * 1_000_000_000


def engine_store(compat: str = "cloud-dedicated"):
    store = tsdb_core.open(None, config=store_config(compat))
    return (store if REAL_ENGINE else fakes.FakeEngineStore(store)), store


@dataclass
class Tokens:
    store: TokenStore
    all: str  # read, write and manage on every database (as the token `tsdb serve` mints)
    ro: str   # read mydb
    wo: str   # write mydb
    other: str  # read+write otherdb


_TOKENS: Tokens | None = None


@pytest.fixture(scope="session")
def tokens() -> Tokens:
    """Made once per session: scrypt makes token creation and first use cost ~50 ms."""
    global _TOKENS
    if _TOKENS is None:
        ts = TokenStore(None)
        _TOKENS = Tokens(ts, ts.create("*", manage=True)[0], ts.create("mydb", read=True, write=False)[0],
                         ts.create("mydb", read=False, write=True)[0], ts.create("otherdb")[0])
        for t in (_TOKENS.all, _TOKENS.ro, _TOKENS.wo, _TOKENS.other):
            ts.verify(t)  # warm the verify cache
    return _TOKENS


def make_client(compat="cloud-dedicated", *, no_auth=True, tokens=None, max_body_bytes=25_000_000, influxql=""):
    store, raw = engine_store(compat)
    app = create_app(store, tokens.store if tokens else None,
                     ShimConfig(compat=compat, no_auth=no_auth, max_body_bytes=max_body_bytes, influxql=influxql))
    client = TestClient(app, raise_server_exceptions=False)
    client.raw_store = raw
    return client


@pytest.fixture
def cloud():
    return make_client("cloud-dedicated")


@pytest.fixture
def v1():
    return make_client("influxdb1")


@pytest.fixture
def authed(tokens):
    return make_client("cloud-dedicated", no_auth=False, tokens=tokens)


@pytest.fixture
def authed_v1(tokens):
    return make_client("influxdb1", no_auth=False, tokens=tokens)


def json_documents(text: str) -> list:
    """The JSON documents of a chunked answer: one a line (1.x) or back to back (InfluxDB 3)."""
    dec, out, i = json.JSONDecoder(), [], 0
    while i < len(text):
        if text[i].isspace():
            i += 1
            continue
        doc, i = dec.raw_decode(text, i)
        out.append(doc)
    return out
