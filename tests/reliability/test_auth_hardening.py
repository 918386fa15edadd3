"""Tokens under attack and on damaged disks (issue 16, items 5, 12 and 16).

* Verification: the scrypt runs off the event loop, costs the same for an unknown id as
  for a known id with a wrong secret, is cached (keyed by a hash of the whole token) until
  the TTL, a change of tokens.json or the bound of the cache, and failures are limited per
  client address (429 + Retry-After, no scrypt).
* Permissions: a write token writes points only; DDL and deletes need ``manage`` on the
  database they name; a statement naming no database is refused unless the permission is on ``*``.
* tokens.json: a damaged file stops ``tsdb serve`` with a message that names the file, what
  is wrong and how to recover, and never mints a token; only a missing file does.
"""
from __future__ import annotations

import asyncio
import json
import os
import secrets
import statistics
import subprocess
import sys
import threading
import time
from pathlib import Path

import httpx
import pytest
from starlette.testclient import TestClient

import tsdb_core
from tsdb_http.tokens import TokenStore
from tsdb_http.app import ShimConfig, create_app
from tsdb_http.serve import serve, store_config

REPO = Path(__file__).resolve().parents[2]


class CountingTokens(TokenStore):
    """A TokenStore that counts its scrypt verifications (the Authenticator calls verify on a cache miss)."""

    def __init__(self, *a, **kw):
        super().__init__(*a, **kw)
        self.verifies = 0

    def verify(self, token):
        self.verifies += 1
        return super().verify(token)


def _wrong_secret(token: str) -> str:
    """The same id (the first 17 characters), another secret."""
    return token[:17] + secrets.token_urlsafe(32)


def _unknown_id(token: str) -> str:
    return "tsdb_" + secrets.token_hex(6) + token[17:]


@pytest.fixture()
def app_over(tmp_path):
    """``app_over(tokens, compat)``: an app over a fresh on-disk store; the stores are closed after."""
    stores = []

    def make(tokens, compat="cloud-dedicated"):
        store = tsdb_core.open(tmp_path / f"store{len(stores)}", config=store_config(compat))
        stores.append(store)
        return create_app(store, tokens, ShimConfig(compat=compat))

    yield make
    for s in stores:
        s.close()


# -- item 5: verification ----------------------------------------------------------------

def test_an_unknown_id_costs_as_much_as_a_wrong_secret():
    """No timing oracle for which ids exist: median of 5 verifications each, within 0.5x-2x."""
    tokens = TokenStore(None)
    good, _ = tokens.create("mydb")
    known, unknown = [], []
    for _ in range(5):  # interleaved, so a change of machine load hits both alike
        for out, token in ((known, _wrong_secret(good)), (unknown, _unknown_id(good))):
            t0 = time.perf_counter()
            assert tokens.verify(token) is None
            out.append(time.perf_counter() - t0)
    ratio = statistics.median(unknown) / statistics.median(known)
    assert 0.5 < ratio < 2, (known, unknown)


def test_verification_runs_off_the_event_loop(app_over):
    """Four clients sending wrong secrets (no limit here) do not hold up /ping on the same loop."""
    tokens = TokenStore(None)
    good, _ = tokens.create("mydb")
    costs = []
    for _ in range(3):
        t0 = time.perf_counter()
        tokens.verify(_wrong_secret(good))
        costs.append(time.perf_counter() - t0)
    scrypt_s = statistics.median(costs)
    app = app_over(tokens)
    from tsdb_http.auth import FailureLimiter

    app.state.shim.auth.limiter = FailureLimiter(burst=10 ** 9)  # measure the loop, not the limiter

    async def go():
        transport = httpx.ASGITransport(app=app, client=("10.0.0.9", 1))
        async with httpx.AsyncClient(transport=transport, base_url="http://t") as c:
            done = asyncio.Event()
            statuses = []

            async def attacker():
                while not done.is_set():
                    r = await c.post("/api/v2/write?bucket=mydb", content=b"cpu v=1",
                                     headers={"Authorization": f"Token {_wrong_secret(good)}"})
                    statuses.append(r.status_code)
                    await asyncio.sleep(0)  # as a network client would (in-process, a 401 may never suspend)

            tasks = [asyncio.create_task(attacker()) for _ in range(4)]
            deadline = time.monotonic() + 30
            while len(statuses) < 8 and time.monotonic() < deadline:  # until they are all busy
                await asyncio.sleep(0.001)
            pings = []
            for _ in range(25):  # a probe every 5 ms, timed from when it was due (as if it came off the network)
                due = time.perf_counter() + 0.005
                await asyncio.sleep(0.005)
                assert (await c.get("/ping")).status_code == 204
                pings.append(time.perf_counter() - due)
            done.set()
            await asyncio.gather(*tasks)
            return pings, statuses

    pings, statuses = asyncio.run(go())
    assert statuses and set(statuses) == {401}
    # With the scrypt on the loop, a ping waited behind several (median 0.38-0.56 s for a 35-48 ms scrypt).
    assert statistics.median(pings) < scrypt_s, (scrypt_s, sorted(pings))


def test_a_verified_token_is_cached_and_a_revoke_elsewhere_takes_effect(tmp_path):
    """Cached by a hash of the whole token; a revoke by the CLI (another process) applies at the next request."""
    server = TokenStore(tmp_path)
    good, info = TokenStore(tmp_path).create("mydb", read=True, write=False)
    assert server.cached(good) is None  # not verified yet
    assert server.verify(good) == info
    assert server.cached(good) == info  # no scrypt from now on
    assert server.cached(_wrong_secret(good)) is None and server.verify(_wrong_secret(good)) is None
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    r = subprocess.run([sys.executable, "-m", "tsdb_core.cli", "token", "revoke", "--data-dir", str(tmp_path), info.id],
                       capture_output=True, text=True, env=env, timeout=60)
    assert r.returncode == 0, r.stderr
    assert server.cached(good) is None and server.verify(good) is None


def test_the_cache_is_bounded_and_expires():
    tokens = TokenStore(None, cache_ttl_s=3600, cache_size=2)
    made = [tokens.create("mydb")[0] for _ in range(3)]
    for t in made:
        assert tokens.verify(t) is not None
    assert [tokens.cached(t) is not None for t in made] == [False, True, True]  # the oldest went
    short = TokenStore(None, cache_ttl_s=0.0)
    t, info = short.create("mydb")
    assert short.verify(t) == info and short.cached(t) is None  # expired at once: the next request pays a scrypt


def test_failed_verifications_are_limited_per_client(app_over):
    """Past the burst, 429 + Retry-After for that address only, without running scrypt."""
    tokens = CountingTokens(None)
    good, _ = tokens.create("mydb", read=False, write=True)
    app = app_over(tokens)
    from tsdb_http.auth import FailureLimiter

    now = [1000.0]
    app.state.shim.auth.limiter = FailureLimiter(burst=3, refill_s=20.0, clock=lambda: now[0])
    attacker = TestClient(app, client=("10.0.0.1", 1111))
    neighbour = TestClient(app, client=("10.0.0.2", 2222))

    def write(client, token):
        return client.post("/api/v2/write?bucket=mydb", content=b"cpu v=1", headers={"Authorization": f"Token {token}"})

    assert [write(attacker, _wrong_secret(good)).status_code for _ in range(3)] == [401, 401, 401]
    assert tokens.verifies == 3
    r = write(attacker, _unknown_id(good))
    assert r.status_code == 429 and r.headers["retry-after"] == "20"
    assert r.json() == {"code": "too many requests",
                        "message": "too many failed authentication attempts from this address: retry in 20 s"}
    r = attacker.get("/query", params={"db": "mydb", "q": "SHOW MEASUREMENTS", "p": _wrong_secret(good)})
    assert r.status_code == 429 and r.headers["retry-after"] == "20"  # /query too, in the dialect's body
    assert r.json()["code"] == "too many requests"
    assert tokens.verifies == 3  # no scrypt for a limited client
    assert write(neighbour, _wrong_secret(good)).status_code == 401  # another address is not limited
    assert write(neighbour, good).status_code == 204  # nor is a good token
    assert write(attacker, good).status_code == 204  # a verified (cached) token needs no scrypt: not limited
    now[0] += 20.0  # one failure back
    assert write(attacker, _wrong_secret(good)).status_code == 401
    assert write(attacker, _wrong_secret(good)).status_code == 429


def test_concurrent_requests_with_one_new_token_share_one_scrypt(app_over):
    tokens = CountingTokens(None)
    good, _ = tokens.create("mydb", read=False, write=True)
    app = app_over(tokens)

    async def go():
        transport = httpx.ASGITransport(app=app, client=("10.0.0.3", 1))
        async with httpx.AsyncClient(transport=transport, base_url="http://t") as c:
            rs = await asyncio.gather(*[c.post("/api/v2/write?bucket=mydb", content=b"cpu v=1",
                                               headers={"Authorization": f"Token {good}"}) for _ in range(20)])
            return [r.status_code for r in rs]

    assert asyncio.run(go()) == [204] * 20
    assert tokens.verifies == 1


# -- item 12: manage -----------------------------------------------------------------------

PERMS = {  # name -> (database, read, write, manage)
    "write mydb": ("mydb", False, True, False),
    "read mydb": ("mydb", True, False, False),
    "rw mydb": ("mydb", True, True, False),
    "manage mydb": ("mydb", False, False, True),
    "manage *": ("*", False, False, True),
    "read *": ("*", True, False, False),
}
NO_DB = (400, {"error": "database name required"})


def _denied(action, db, words):
    return 403, {"error": f"error authorizing query: token {{id}} not authorized to execute {words}, requires {action} on {db}"}


OK = (200, None)
TABLE = [  # (token, statement, db parameter) -> (status, body or None for a 200 without errors)
    ("write mydb", "DROP DATABASE mydb", None, _denied("MANAGE", "mydb", "DROP DATABASE")),
    ("write mydb", "DROP DATABASE mydb", "mydb", _denied("MANAGE", "mydb", "DROP DATABASE")),
    ("write mydb", "CREATE DATABASE newdb", None, _denied("MANAGE", "newdb", "CREATE DATABASE")),
    ("write mydb", "DROP MEASUREMENT cpu", "mydb", _denied("MANAGE", "mydb", "DROP MEASUREMENT")),
    ("write mydb", "DROP MEASUREMENT cpu", None, NO_DB),
    ("write mydb", "DELETE FROM cpu", None, NO_DB),
    ("write mydb", "DROP SERIES FROM cpu", None, NO_DB),
    ("write mydb", "DELETE FROM cpu", "mydb", _denied("MANAGE", "mydb", "DELETE")),
    ("write mydb", "DROP SERIES FROM cpu WHERE host = 'a'", "mydb", _denied("MANAGE", "mydb", "DROP SERIES")),
    ("write mydb", "ALTER RETENTION POLICY autogen ON mydb DURATION 2d", None,
     _denied("MANAGE", "mydb", "ALTER RETENTION POLICY")),
    ("write mydb", "CREATE RETENTION POLICY r ON mydb DURATION 1d REPLICATION 1", None,
     _denied("MANAGE", "mydb", "CREATE RETENTION POLICY")),
    ("write mydb", "DROP RETENTION POLICY autogen ON mydb", None, _denied("MANAGE", "mydb", "DROP RETENTION POLICY")),
    ("write mydb", "SELECT v INTO copy FROM cpu", "mydb", _denied("READ", "mydb", "SELECT")),
    ("rw mydb", "SELECT v INTO copy FROM cpu", "mydb", OK),
    ("read mydb", "SELECT v INTO other..copy FROM cpu", "mydb", _denied("WRITE", "other", "SELECT")),
    ("read mydb", "SHOW MEASUREMENTS", None, NO_DB),
    ("read mydb", "SHOW MEASUREMENTS ON other", None, _denied("READ", "other", "SHOW MEASUREMENTS")),
    ("manage mydb", "DROP MEASUREMENT cpu", None, NO_DB),
    ("manage mydb", "DROP DATABASE other", None, _denied("MANAGE", "other", "DROP DATABASE")),
    ("manage mydb", "KILL QUERY 1", None, _denied("MANAGE", "every database (*)", "KILL QUERY")),
    ("manage mydb", "CREATE RETENTION POLICY r ON mydb DURATION 1d REPLICATION 1", None, OK),
    ("manage mydb", "DELETE FROM cpu WHERE host = 'a'", "mydb", OK),
    ("manage mydb", "DROP MEASUREMENT cpu", "mydb", OK),
    ("manage mydb", "SELECT * FROM cpu", "mydb", _denied("READ", "mydb", "SELECT")),
    # A permission on every database covers a statement that names none: the core answers as influxd.
    ("manage *", "DROP MEASUREMENT cpu", None, (200, {"results": [{"statement_id": 0, "error": "database not found: "}]})),
    ("read *", "SHOW MEASUREMENTS", None, (200, {"results": [{"statement_id": 0, "error": "database name required"}]})),
    ("manage *", "DROP DATABASE mydb", None, OK),
]


@pytest.fixture(scope="module")
def v1_tokens():
    tokens = TokenStore(None)
    made = {name: tokens.create(db, read=r, write=w, manage=m) for name, (db, r, w, m) in PERMS.items()}
    return tokens, made


@pytest.mark.parametrize("who,q,db,expected", TABLE, ids=[f"{w}|{q}|{d}" for w, q, d, _ in TABLE])
def test_statement_permissions(app_over, v1_tokens, who, q, db, expected):
    """(token, statement, db parameter) -> allowed, or 403 / 400 in 1.x's words before anything runs."""
    tokens, made = v1_tokens
    secret, info = made[who]
    app = app_over(tokens, "influxdb1")
    store = app.state.shim.store
    for name in ("mydb", "other"):
        store.create_database(name)
    store.write("mydb", b"cpu,host=a v=1 1700000000000000000\ncpu,host=b v=2 1700000000000000000")
    c = TestClient(app)
    r = c.post("/query", params={"q": q, **({"db": db} if db else {})}, headers={"Authorization": f"Token {secret}"})
    status, body = expected
    if body is None:
        assert (r.status_code, [s.get("error") for s in r.json()["results"]]) == (200, [None])
        return
    body = {"error": body["error"].format(id=info.id)} if "error" in body else body
    assert (r.status_code, r.json()) == (status, body)
    if status != 200:  # refused before anything ran
        assert r.headers["x-influxdb-error"] == body["error"]
        assert store.databases() == ["mydb", "other"]
        assert store.query("SELECT count(v) FROM cpu", db="mydb").statements[0].series[0].values[0][1] == 2
        assert [p.name for p in store.retention_policies("mydb")] == ["autogen"]


def test_a_write_token_writes_points_and_the_cloud_dialect_answers_401(app_over, v1_tokens):
    tokens, made = v1_tokens
    secret, _ = made["write mydb"]
    app = app_over(tokens)
    c = TestClient(app, headers={"Authorization": f"Token {secret}"})
    assert c.post("/api/v2/write?bucket=mydb", content=b"cpu v=1").status_code == 204
    r = c.post("/query", params={"q": "DROP MEASUREMENT cpu", "db": "mydb"})  # (v3 has no DROP DATABASE)
    assert (r.status_code, r.json()) == (401, {"code": "unauthorized", "message": "unauthorized access"})
    r = c.post("/query", params={"q": "DROP MEASUREMENT cpu"})
    assert (r.status_code, r.json()) == (400, {"error": "database name required"})
    assert app.state.shim.store.databases() == ["mydb"]


def test_influxdb1_write_without_the_permission_is_403(app_over, v1_tokens):
    tokens, made = v1_tokens
    secret, info = made["read mydb"]
    app = app_over(tokens, "influxdb1")
    app.state.shim.store.create_database("mydb")
    r = TestClient(app).post("/write?db=mydb", content=b"cpu v=1", headers={"Authorization": f"Token {secret}"})
    assert (r.status_code, r.json()) == (403, {"error": f'token "{info.id}" is not authorized to write to database "mydb"'})


def test_a_token_file_from_before_manage(tmp_path):
    """Version-1 files: the all-databases read/write token (the one first start minted) keeps manage; others do not."""
    ts = TokenStore(tmp_path)
    admin, _ = ts.create("*", read=True, write=True, manage=True)
    ingest, _ = ts.create("mydb", read=False, write=True)
    rw_all_no_manage, _ = ts.create("*", read=True, write=True)
    doc = json.loads((tmp_path / "tokens.json").read_text())
    doc["version"] = 1
    for t in doc["tokens"]:
        for p in t["permissions"]:
            del p["manage"]
    (tmp_path / "tokens.json").write_text(json.dumps(doc))
    old = TokenStore(tmp_path)
    assert old.verify(admin).can("manage", "x") and old.verify(rw_all_no_manage).can("manage", "x")
    assert not old.verify(ingest).can("manage", "mydb") and old.verify(ingest).can("write", "mydb")


# -- item 16: a damaged tokens.json ---------------------------------------------------------

def _valid_file(root: Path) -> bytes:
    TokenStore(root).create("*", manage=True)
    return (root / "tokens.json").read_bytes()


DAMAGED = {  # name -> (make the bytes from a valid file, the words after "token file <path> ")
    "empty": (lambda ok: b"", "is empty"),
    "blank": (lambda ok: b" \n\n", "is empty"),
    "garbage": (lambda ok: b"\x00\xff\x13garbage", "is not valid JSON ("),
    "truncated": (lambda ok: ok[: len(ok) // 2], "is not valid JSON (Expecting"),
    "a list": (lambda ok: b"[]", 'is damaged: it is not a token file (expected a JSON object with a "tokens" list)'),
    "tokens not a list": (lambda ok: b'{"tokens": {}}', 'is damaged: it is not a token file'),
    "token without hash": (lambda ok: b'{"tokens": [{"id": "abc", "salt": "00", "permissions": []}]}',
                           "is damaged: token 1 of 1: no 'hash'"),
    "hash not hex": (lambda ok: ok.replace(b'"hash": "', b'"hash": "zz'),
                     "is damaged: token 1 of 1: non-hexadecimal number found in fromhex() arg at position 0"),
}


def _recovery(root: Path) -> str:
    return ("No token was read from it, written over it or created beside it: restore it from a backup, "
            f"or move it aside and create a token with `tsdb token create --data-dir {root} --database '*' "
            "--read --write --manage`")


@pytest.mark.parametrize("kind", list(DAMAGED))
def test_a_damaged_token_file_stops_the_server_and_mints_nothing(tmp_path, capsys, kind):
    from tsdb_http.tokens import TokenFileError

    root = tmp_path / "d"
    damage, words = DAMAGED[kind]
    bad = damage(_valid_file(root))
    (root / "tokens.json").write_bytes(bad)
    stop = threading.Event()
    stop.set()  # (old code: starts, mints, then stops at once)
    with pytest.raises(TokenFileError) as e:
        serve(root, port=0, stop=stop)
    msg = str(e.value)
    assert msg.startswith(f"token file {root / 'tokens.json'} {words}")
    assert msg.endswith(". " + _recovery(root))
    assert capsys.readouterr().out == ""  # no token printed
    assert (root / "tokens.json").read_bytes() == bad  # nothing written over it
    with pytest.raises(TokenFileError):  # nor by `tsdb token create`'s code path
        TokenStore(root).create("*")
    assert (root / "tokens.json").read_bytes() == bad


@pytest.mark.parametrize("kind", ["empty", "truncated"])
def test_tsdb_serve_on_a_damaged_token_file_exits_1_without_a_traceback(tmp_path, kind):
    root = tmp_path / "d"
    damage, words = DAMAGED[kind]
    (root / "tokens.json").write_bytes(damage(_valid_file(root)))
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    for args in (["serve", "--port", "0"], ["token", "create", "--database", "*", "--read"]):
        r = subprocess.run([sys.executable, "-m", "tsdb_core.cli", *args, "--data-dir", str(root)],
                           capture_output=True, text=True, env=env, timeout=60)
        assert r.returncode == 1, r.stderr
        assert r.stdout == ""
        assert "Traceback" not in r.stderr
        assert f"Error: token file {root / 'tokens.json'} {words}" in r.stderr
        assert _recovery(root) in r.stderr
        assert "stopped" not in r.stderr  # refused before the store was opened
    assert {p.name for p in root.iterdir()} <= {"tokens.json", "tokens.lock"}  # no store created beside it


def test_only_a_missing_token_file_mints_the_first_token(tmp_path, capsys):
    from tsdb_http.serve import bootstrap_token

    new = TokenStore(tmp_path / "new")
    secret = bootstrap_token(new)
    assert secret and capsys.readouterr().out == secret + "\n"
    info = new.verify(secret)
    assert [(p.database, p.read, p.write, p.manage) for p in info.permissions] == [("*", True, True, True)]
    assert bootstrap_token(new) is None  # a file now exists
    new.revoke(info.id)
    assert bootstrap_token(TokenStore(tmp_path / "new")) is None  # every token revoked: a valid, empty file
    out = capsys.readouterr()
    assert out.out == "" and "holds no token, so every request will be refused" in out.err


def test_a_token_file_damaged_while_serving_answers_500_until_restored(tmp_path, app_over, caplog):
    tokens = TokenStore(tmp_path)
    good, _ = tokens.create("mydb")
    app = app_over(tokens)
    c = TestClient(app, headers={"Authorization": f"Token {good}"})
    assert c.post("/api/v2/write?bucket=mydb", content=b"cpu v=1").status_code == 204
    path = tmp_path / "tokens.json"
    ok = path.read_bytes()
    path.write_bytes(ok[:40])
    r = c.post("/api/v2/write?bucket=mydb", content=b"cpu v=1")
    assert (r.status_code, r.json()) == (500, {"code": "internal error", "message":
                                               "internal error: the token file is damaged; the server log says how to recover"})
    assert "is not valid JSON" in caplog.text and "restore it from a backup" in caplog.text
    path.write_bytes(ok)
    assert c.post("/api/v2/write?bucket=mydb", content=b"cpu v=1").status_code == 204


def test_python_m_tsdb_http_serve_on_a_damaged_token_file_exits_1_without_a_traceback(tmp_path, capsys):
    from tsdb_http.serve import main

    (tmp_path / "tokens.json").write_bytes(b"")
    with pytest.raises(SystemExit) as exit_:
        main(["--data-dir", str(tmp_path), "--port", "0"])
    assert exit_.value.code == 1
    assert f"Error: token file {tmp_path / 'tokens.json'} is empty" in capsys.readouterr().err
    assert {p.name for p in tmp_path.iterdir()} == {"tokens.json"}  # no store opened beside it
