"""API tokens: create, list, revoke, verify; only salted hashes are kept.

A token is ``tsdb_`` + a 12-character public id + a 43-character secret
(URL-safe, no ``:``, so it also fits Basic auth and ``?p=``). The id is the
lookup key, so :meth:`TokenStore.verify` costs one dict lookup and one scrypt,
never a scan over every hash; a verified token is then cached (keyed by a
SHA-256 of the whole token) until the token file changes, so a busy writer pays
the scrypt once. Comparisons use :func:`hmac.compare_digest`.

On disk the tokens live in ``<root>/tokens.json`` (temp file, fsync,
``os.replace``, fsync of the directory). Every call re-reads the file when its
``(mtime, size, inode)`` changed, so a token created by ``tsdb token create``
while ``tsdb serve`` runs on the same directory works at once. Writers hold an
``flock`` on ``<root>/tokens.lock`` around read-modify-write. With
``root=None`` the tokens live in memory only.

    from tsdb_core.tokens import TokenStore
    tokens = TokenStore("/var/lib/tsdb")            # or TokenStore(None) in memory
    secret, info = tokens.create("mydb", read=True, write=False, description="grafana")
    print(secret)                                    # shown once; only its hash is stored
    tokens.verify(secret).can("read", "mydb")        # -> True
    tokens.list()                                    # [TokenInfo(...)] (no secrets)
    tokens.revoke(info.id)                           # -> True
"""
from __future__ import annotations

import hashlib
import hmac
import json
import os
import secrets
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

try:  # POSIX advisory locks; absent on Windows, where one process is assumed
    import fcntl
except ImportError:  # pragma: no cover
    fcntl = None  # type: ignore[assignment]

__all__ = ["TokenStore", "TokenInfo", "Permission", "ALL_DATABASES", "TOKEN_PREFIX"]

ALL_DATABASES = "*"
TOKEN_PREFIX = "tsdb_"
_ID_LEN = 12
_SECRET_BYTES = 32
FILE_NAME = "tokens.json"
LOCK_NAME = "tokens.lock"
# scrypt cost: ~20-40 ms per verify on one core, paid once per token thanks to the cache.
_SCRYPT = {"n": 2 ** 14, "r": 8, "p": 1, "dklen": 32}


@dataclass(frozen=True, slots=True)
class Permission:
    """Read and/or write on one database, or on every database (``*``)."""

    database: str
    read: bool = False
    write: bool = False

    def allows(self, action: str, database: str | None) -> bool:
        if not getattr(self, action):
            return False
        if self.database == ALL_DATABASES:
            return True
        # ``database=None``: any database will do (the statement names none itself).
        return database is None or database == self.database


@dataclass(frozen=True, slots=True)
class TokenInfo:
    """What is known of a token besides its secret."""

    id: str
    description: str = ""
    created_at: str = ""  # RFC3339, UTC
    permissions: tuple[Permission, ...] = ()

    def can(self, action: str, database: str | None) -> bool:
        """``action`` is ``"read"`` or ``"write"``; ``database`` ``"*"`` asks for all databases."""
        if database == ALL_DATABASES:
            return any(getattr(p, action) and p.database == ALL_DATABASES for p in self.permissions)
        return any(p.allows(action, database) for p in self.permissions)

    @property
    def all_databases(self) -> bool:
        return any(p.database == ALL_DATABASES for p in self.permissions)

    def readable(self, database: str) -> bool:
        return self.can("read", database)

    def to_json(self) -> dict:
        return {"id": self.id, "description": self.description, "created_at": self.created_at,
                "permissions": [{"database": p.database, "read": p.read, "write": p.write}
                                for p in self.permissions]}


@dataclass(slots=True)
class _Record:
    info: TokenInfo
    salt: bytes
    digest: bytes


@dataclass(slots=True)
class _State:
    records: dict[str, _Record] = field(default_factory=dict)
    stamp: tuple | None = None


def _hash(secret: str, salt: bytes) -> bytes:
    return hashlib.scrypt(secret.encode(), salt=salt, maxmem=64 * 1024 * 1024, **_SCRYPT)


def _parse_permissions(database, read: bool, write: bool) -> tuple[Permission, ...]:
    names = [database] if isinstance(database, str) else list(database)
    if not names:
        raise ValueError("a token needs at least one database (or '*')")
    if not (read or write):
        raise ValueError("a token needs read and/or write permission")
    for n in names:
        if not isinstance(n, str) or not n:
            raise ValueError(f"invalid database name for a token: {n!r}")
    return tuple(Permission(n, read, write) for n in dict.fromkeys(names))


class TokenStore:
    """The token registry of one store directory (``root``) or of memory (``root=None``).

    Thread-safe within a process; safe across processes (CLI and server) on one
    directory through the lock file and atomic replacement.
    """

    def __init__(self, root: str | os.PathLike | None = None):
        self.root = Path(root) if root is not None else None
        self._lock = threading.RLock()
        self._state = _State()
        self._cache: dict[bytes, TokenInfo] = {}

    # -- public API -------------------------------------------------------------
    def create(self, database="*", *, read: bool = True, write: bool = True,
               description: str = "") -> tuple[str, TokenInfo]:
        """Make a token for ``database`` (a name, ``"*"``, or a list of names).

        Returns ``(secret, info)``; the secret is not stored and cannot be shown again.
        """
        perms = _parse_permissions(database, read, write)
        token_id = secrets.token_hex(_ID_LEN // 2)
        secret_part = secrets.token_urlsafe(_SECRET_BYTES)
        token = f"{TOKEN_PREFIX}{token_id}{secret_part}"
        salt = secrets.token_bytes(16)
        info = TokenInfo(id=token_id, description=description,
                         created_at=time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
                         permissions=perms)
        rec = _Record(info, salt, _hash(token, salt))
        with self._mutate() as records:
            records[token_id] = rec
        return token, info

    def list(self) -> list[TokenInfo]:
        """Every token's id, description, creation time and permissions (oldest first)."""
        with self._lock:
            self._refresh()
            return sorted((r.info for r in self._state.records.values()),
                          key=lambda i: (i.created_at, i.id))

    def revoke(self, token_id: str) -> bool:
        """Forget a token by id (or by the whole token); False when there was none."""
        if token_id.startswith(TOKEN_PREFIX) and len(token_id) > len(TOKEN_PREFIX) + _ID_LEN:
            token_id = token_id[len(TOKEN_PREFIX):len(TOKEN_PREFIX) + _ID_LEN]
        with self._mutate() as records:
            return records.pop(token_id, None) is not None

    def verify(self, token: str | None) -> TokenInfo | None:
        """The token's :class:`TokenInfo`, or None when it is unknown, revoked or malformed."""
        if not token or not token.startswith(TOKEN_PREFIX) or len(token) > 256:
            return None
        key = hashlib.sha256(token.encode("utf-8", "surrogatepass")).digest()
        with self._lock:
            self._refresh()
            hit = self._cache.get(key)
            if hit is not None:
                return hit
            rec = self._state.records.get(token[len(TOKEN_PREFIX):len(TOKEN_PREFIX) + _ID_LEN])
        if rec is None:
            return None
        if not hmac.compare_digest(_hash(token, rec.salt), rec.digest):
            return None
        with self._lock:
            # Only cache if the token was not revoked meanwhile.
            if self._state.records.get(rec.info.id) is rec:
                self._cache[key] = rec.info
        return rec.info

    def is_empty(self) -> bool:
        with self._lock:
            self._refresh()
            return not self._state.records

    def __len__(self) -> int:
        with self._lock:
            self._refresh()
            return len(self._state.records)

    # -- persistence --------------------------------------------------------------
    @property
    def path(self) -> Path | None:
        return self.root / FILE_NAME if self.root is not None else None

    def _stamp(self):
        try:
            st = os.stat(self.path)
        except FileNotFoundError:
            return None
        return (st.st_mtime_ns, st.st_size, st.st_ino)

    def _refresh(self) -> None:
        """Re-read tokens.json when it changed on disk (caller holds ``_lock``)."""
        if self.root is None:
            return
        stamp = self._stamp()
        if stamp == self._state.stamp:
            return
        self._state = _State(self._load(), stamp)
        self._cache.clear()

    def _load(self) -> dict[str, _Record]:
        try:
            raw = self.path.read_bytes()
        except FileNotFoundError:
            return {}
        doc = json.loads(raw) if raw.strip() else {"tokens": []}
        out: dict[str, _Record] = {}
        for t in doc.get("tokens", []):
            perms = tuple(Permission(p["database"], bool(p.get("read")), bool(p.get("write")))
                          for p in t.get("permissions", []))
            info = TokenInfo(t["id"], t.get("description", ""), t.get("created_at", ""), perms)
            out[t["id"]] = _Record(info, bytes.fromhex(t["salt"]), bytes.fromhex(t["hash"]))
        return out

    def _save(self, records: dict[str, _Record]) -> None:
        doc = {"version": 1, "hash": "scrypt", "scrypt": {k: v for k, v in _SCRYPT.items()},
               "tokens": [{**r.info.to_json(), "salt": r.salt.hex(), "hash": r.digest.hex()}
                          for r in records.values()]}
        data = json.dumps(doc, indent=2).encode() + b"\n"
        tmp = self.path.with_name(FILE_NAME + f".tmp{os.getpid()}")
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        try:
            os.write(fd, data)
            os.fsync(fd)
        finally:
            os.close(fd)
        os.replace(tmp, self.path)
        dfd = os.open(self.root, os.O_RDONLY)
        try:
            os.fsync(dfd)
        finally:
            os.close(dfd)

    def _mutate(self):
        return _Mutation(self)


class _Mutation:
    """``with store._mutate() as records:`` — locked read-modify-write of tokens.json."""

    def __init__(self, store: TokenStore):
        self.s = store
        self.lockfd: int | None = None

    def __enter__(self) -> dict[str, _Record]:
        s = self.s
        s._lock.acquire()
        if s.root is None:
            self.records = dict(s._state.records)
            return self.records
        s.root.mkdir(parents=True, exist_ok=True)
        self.lockfd = os.open(s.root / LOCK_NAME, os.O_RDWR | os.O_CREAT, 0o600)
        if fcntl is not None:
            fcntl.flock(self.lockfd, fcntl.LOCK_EX)
        self.records = s._load()  # always the file's latest, not our possibly stale view
        return self.records

    def __exit__(self, exc_type, exc, tb) -> None:
        s = self.s
        try:
            if exc_type is None:
                if s.root is not None:
                    s._save(self.records)
                    s._state = _State(self.records, s._stamp())
                else:
                    s._state = _State(self.records, None)
                s._cache.clear()
        finally:
            if self.lockfd is not None:
                os.close(self.lockfd)  # closing releases the flock
            s._lock.release()
