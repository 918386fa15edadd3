"""tsdb_http.tokens: hashes only on disk, permissions, revocation, cross-process refresh."""
from __future__ import annotations

import json
import os
import stat

import pytest

from tsdb_http.tokens import Permission, TokenInfo, TokenStore


@pytest.fixture(scope="module")
def made(tmp_path_factory):
    root = tmp_path_factory.mktemp("tok")
    ts = TokenStore(root)
    ro = ts.create("mydb", read=True, write=False, description="grafana")
    rw_all = ts.create("*")
    return root, ts, ro, rw_all


def test_file_holds_hashes_not_secrets(made):
    root, ts, (secret, info), _ = made
    raw = (root / "tokens.json").read_text()
    assert secret not in raw and secret[5:] not in raw
    doc = json.loads(raw)
    assert {t["id"] for t in doc["tokens"]} == {i.id for i in ts.list()}
    assert all(len(bytes.fromhex(t["hash"])) == 32 and len(bytes.fromhex(t["salt"])) == 16 for t in doc["tokens"])
    assert stat.S_IMODE(os.stat(root / "tokens.json").st_mode) == 0o600


def test_verify_and_permissions(made):
    _, ts, (ro, ro_info), (rw, rw_info) = made
    assert ts.verify(ro) == ro_info and ro_info.description == "grafana"
    assert ro_info.can("read", "mydb") and not ro_info.can("write", "mydb") and not ro_info.can("read", "other")
    assert not ro_info.can("read", "*")
    info = ts.verify(rw)
    assert info.can("write", "anything") and info.can("read", "*")
    assert ts.verify(rw[:-2] + ("xy" if rw[-2:] != "xy" else "zz")) is None
    for bad in ("", None, "tsdb_", "nope", rw + "x", "tsdb_" + "0" * 60):
        assert ts.verify(bad) is None


def test_other_instance_sees_changes_at_once(made):
    root, ts, _, _ = made
    other = TokenStore(root)
    secret, info = other.create(["a", "b"], read=True, write=True)
    assert ts.verify(secret) == info
    assert {p.database for p in info.permissions} == {"a", "b"}
    assert other.revoke(info.id) and not other.revoke(info.id)
    assert ts.verify(secret) is None


def test_revoke_by_full_token(tmp_path):
    ts = TokenStore(tmp_path)
    secret, _ = ts.create("db")
    assert ts.revoke(secret) and ts.verify(secret) is None and ts.is_empty()


def test_in_memory_store_writes_no_file(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    ts = TokenStore(None)
    secret, info = ts.create("db", write=False)
    assert ts.verify(secret) == info and len(ts) == 1 and not list(tmp_path.iterdir())


@pytest.mark.parametrize("database,read,write", [([], True, True), ("db", False, False), ("", True, True)])
def test_invalid_creations(database, read, write):
    with pytest.raises(ValueError):
        TokenStore(None).create(database, read=read, write=write, manage=False)


@pytest.mark.parametrize("perms,action,db,ok", [
    ((Permission("*", True, False),), "read", "x", True),
    ((Permission("*", True, False),), "write", "x", False),
    ((Permission("x", True, True),), "write", "x", True),
    ((Permission("x", True, True),), "write", "y", False),
    ((Permission("x", True, True),), "read", None, False),  # a statement naming no database
    ((Permission("*", True, False),), "read", None, True),
    ((Permission("x", True, True),), "read", "*", False),
    ((Permission("*", False, True),), "write", "*", True),
    ((Permission("*", True, True),), "manage", "x", False),
    ((Permission("x", False, False, True),), "manage", "x", True),
    ((Permission("x", False, False, True),), "write", "x", False),
    ((Permission("x", False, False, True),), "manage", None, False),
    ((Permission("*", False, False, True),), "manage", None, True),
])
def test_can(perms, action, db, ok):
    assert TokenInfo("id", permissions=perms).can(action, db) is ok
