"""API tokens: create, list, revoke, verify; only salted hashes are kept.

A token is ``tsdb_`` + a 12-character public id + a 43-character secret
(URL-safe, no ``:``, so it also fits Basic auth and ``?p=``). The id is the
lookup key, so :meth:`TokenStore.verify` costs one dict lookup and one scrypt,
never a scan over every hash. An unknown id is hashed against a dummy record,
so a wrong secret costs the same whether or not its id exists (no oracle for
which ids exist). A verified token is then cached (keyed by a SHA-256 of a
per-process key and the whole token, at most ``CACHE_SIZE`` entries for ``CACHE_TTL_S`` seconds, and
dropped whenever the token file changes), so a busy writer pays the scrypt once
a minute; :meth:`TokenStore.cached` answers from that cache alone.
Comparisons use :func:`hmac.compare_digest`.

A permission names a database (or ``*``, every database) and any of three
actions: ``read`` (queries), ``write`` (points only) and ``manage`` (CREATE /
ALTER / DROP, DELETE, DROP SERIES / MEASUREMENT). A permission with no
``manage`` key on disk (files before it existed) gets it only when it is a
read/write permission on ``*``: the first token ``tsdb serve`` mints, which
could always do everything.

On disk the tokens live in ``<root>/tokens.json`` (temp file, fsync,
``os.replace``, fsync of the directory). Every call re-reads the file when its
``(mtime, size, inode)`` changed, so a token created or revoked by ``tsdb token``
while ``tsdb serve`` runs on the same directory takes effect at the next request.
Writers hold an ``flock`` on ``<root>/tokens.lock`` around read-modify-write.
A damaged file (empty, not JSON, not the shape written here) raises
:class:`TokenFileError`, naming the file, what is wrong and how to recover;
nothing is written over it and no token is minted beside it. With ``root=None``
the tokens live in memory only.

    from tsdb_http.tokens import TokenStore
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
import sys
import threading
import time
from collections import OrderedDict
from dataclasses import dataclass, field
from pathlib import Path

from tsdb_core import UserError

try:  # POSIX advisory locks; absent on Windows, where one process is assumed
    import fcntl
except ImportError:  # pragma: no cover
    fcntl = None  # type: ignore[assignment]

__all__ = ["TokenStore", "TokenInfo", "Permission", "TokenFileError", "ALL_DATABASES", "TOKEN_PREFIX",
           "ACTIONS"]

ALL_DATABASES = "*"
TOKEN_PREFIX = "tsdb_"
ACTIONS = ("read", "write", "manage")
_ID_LEN = 12
_SECRET_BYTES = 32
_TOKEN_LEN = len(TOKEN_PREFIX) + _ID_LEN + len(secrets.token_urlsafe(_SECRET_BYTES))  # what create() makes
FILE_NAME = "tokens.json"
LOCK_NAME = "tokens.lock"
CACHE_TTL_S = 60.0  # a verified token is trusted this long without a scrypt (and dropped when the file changes)
CACHE_SIZE = 4096
# scrypt is slow on purpose (guessing is expensive); the cache pays it once per token and minute.
_SCRYPT = {"n": 2 ** 14, "r": 8, "p": 1, "dklen": 32}


class TokenFileError(UserError):
    """tokens.json exists but cannot be used; the message says why and how to recover."""


@dataclass(frozen=True, slots=True)
class Permission:
    """Actions on one database, or on every database (``*``)."""

    database: str
    read: bool = False
    write: bool = False
    manage: bool = False

    def allows(self, action: str, database: str | None) -> bool:
        """``database`` None (a statement naming no database) is allowed on ``*`` only."""
        if not getattr(self, action):
            return False
        return self.database == ALL_DATABASES or database == self.database

    @property
    def letters(self) -> str:
        return "".join(a[0] for a in ACTIONS if getattr(self, a))


@dataclass(frozen=True, slots=True)
class TokenInfo:
    """What is known of a token besides its secret."""

    id: str
    description: str = ""
    created_at: str = ""  # RFC3339, UTC
    permissions: tuple[Permission, ...] = ()

    def can(self, action: str, database: str | None) -> bool:
        """``action`` is one of :data:`ACTIONS`; ``database`` ``"*"`` asks for all databases."""
        return any(p.allows(action, database) for p in self.permissions)

    @property
    def all_databases(self) -> bool:
        return any(p.database == ALL_DATABASES for p in self.permissions)

    def readable(self, database: str) -> bool:
        return self.can("read", database)

    def to_json(self) -> dict:
        return {"id": self.id, "description": self.description, "created_at": self.created_at,
                "permissions": [{"database": p.database, "read": p.read, "write": p.write, "manage": p.manage}
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
    return hashlib.scrypt(secret.encode("utf-8", "surrogatepass"), salt=salt, maxmem=64 * 1024 * 1024, **_SCRYPT)


def _parse_permissions(database, read: bool, write: bool, manage: bool) -> tuple[Permission, ...]:
    names = [database] if isinstance(database, str) else list(database)
    if not names:
        raise ValueError("a token needs at least one database (or '*')")
    if not (read or write or manage):
        raise ValueError("a token needs read, write and/or manage permission")
    for n in names:
        if not isinstance(n, str) or not n:
            raise ValueError(f"invalid database name for a token: {n!r}")
    return tuple(Permission(n, read, write, manage) for n in dict.fromkeys(names))


def _records(doc) -> dict[str, _Record]:
    """The records of a parsed tokens.json; ValueError says what is wrong with its shape."""
    if not isinstance(doc, dict) or not isinstance(doc.get("tokens"), list):
        raise ValueError('it is not a token file (expected a JSON object with a "tokens" list)')
    out: dict[str, _Record] = {}
    for n, t in enumerate(doc["tokens"], 1):
        try:
            rec = _record(t)
        except (KeyError, TypeError, ValueError) as e:
            what = f"no {e.args[0]!r}" if isinstance(e, KeyError) else str(e)
            raise ValueError(f"token {n} of {len(doc['tokens'])}: {what}") from None
        if rec.info.id in out:
            raise ValueError(f"token {n} repeats the id {rec.info.id}")
        out[rec.info.id] = rec
    return out


def _record(t) -> _Record:
    if not isinstance(t, dict):
        raise TypeError("not an object")
    if not isinstance(t["id"], str) or not t["id"]:
        raise ValueError("its id is not a string")
    salt, digest = bytes.fromhex(t["salt"]), bytes.fromhex(t["hash"])
    if not salt or len(digest) != _SCRYPT["dklen"]:
        raise ValueError("its salt or hash has the wrong length")
    perms = []
    for p in t["permissions"]:
        db = p["database"]
        if not isinstance(db, str) or not db:
            raise ValueError("a permission names no database")
        read, write = bool(p.get("read")), bool(p.get("write"))
        manage = bool(p["manage"]) if "manage" in p else (db == ALL_DATABASES and read and write)
        perms.append(Permission(db, read, write, manage))
    info = TokenInfo(t["id"], str(t.get("description", "")), str(t.get("created_at", "")), tuple(perms))
    return _Record(info, salt, digest)


class TokenStore:
    """The token registry of one store directory (``root``) or of memory (``root=None``).

    Thread-safe within a process; safe across processes (CLI and server) on one
    directory through the lock file and atomic replacement.
    """

    def __init__(self, root: str | os.PathLike | None = None, *, cache_ttl_s: float = CACHE_TTL_S,
                 cache_size: int = CACHE_SIZE):
        self.root = Path(root) if root is not None else None
        self.cache_ttl_s, self.cache_size = cache_ttl_s, cache_size
        self._lock = threading.RLock()
        self._state = _State()
        self._cache: OrderedDict[bytes, tuple[TokenInfo, float]] = OrderedDict()
        self._cache_key = secrets.token_bytes(32)  # per process: cache keys mean nothing elsewhere
        # What an unknown id is checked against: the same scrypt, never a match.
        self._dummy = _Record(TokenInfo(""), secrets.token_bytes(16), secrets.token_bytes(_SCRYPT["dklen"]))

    # -- public API -------------------------------------------------------------
    def create(self, database="*", *, read: bool = True, write: bool = True, manage: bool = False,
               description: str = "") -> tuple[str, TokenInfo]:
        """Make a token for ``database`` (a name, ``"*"``, or a list of names).

        Returns ``(secret, info)``; the secret is not stored and cannot be shown again.
        Raises :class:`TokenFileError` (and writes nothing) when tokens.json is damaged.
        """
        perms = _parse_permissions(database, read, write, manage)
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

    @staticmethod
    def well_formed(token: str | None) -> bool:
        """Whether ``token`` has the shape :meth:`create` gives (else it fails without a scrypt)."""
        return bool(token) and len(token) == _TOKEN_LEN and token.startswith(TOKEN_PREFIX)

    def cached(self, token: str | None) -> TokenInfo | None:
        """The token's :class:`TokenInfo` if it was verified lately, else None (no scrypt run)."""
        if not self.well_formed(token):
            return None
        key = self._key(token)
        with self._lock:
            self._refresh()
            return self._cached(key)

    def verify(self, token: str | None) -> TokenInfo | None:
        """The token's :class:`TokenInfo`, or None when it is unknown, revoked or malformed.

        Costs one scrypt unless cached (:meth:`cached`), the same for a known id with a
        wrong secret as for an unknown id.
        """
        if not self.well_formed(token):
            return None
        key = self._key(token)
        with self._lock:
            self._refresh()
            hit = self._cached(key)
            if hit is not None:
                return hit
            rec = self._state.records.get(token[len(TOKEN_PREFIX):len(TOKEN_PREFIX) + _ID_LEN])
        against = rec if rec is not None else self._dummy
        match = hmac.compare_digest(_hash(token, against.salt), against.digest)
        if rec is None or not match:
            return None
        with self._lock:
            # Only cache if the token was not revoked meanwhile.
            if self._state.records.get(rec.info.id) is rec:
                self._cache[key] = (rec.info, time.monotonic() + self.cache_ttl_s)
                if len(self._cache) > self.cache_size:
                    self._cache.popitem(last=False)
        return rec.info

    def is_new(self) -> bool:
        """True only for a brand-new store: no tokens.json yet (in memory: no token yet).

        Raises :class:`TokenFileError` when tokens.json exists but is damaged: the one
        decision that may mint a first token must never take a damaged file for none.
        """
        with self._lock:
            self._refresh()
            if self.root is None:
                return not self._state.records
            return self._state.stamp is None

    def is_empty(self) -> bool:
        with self._lock:
            self._refresh()
            return not self._state.records

    def __len__(self) -> int:
        with self._lock:
            self._refresh()
            return len(self._state.records)

    # -- the cache ------------------------------------------------------------------
    def _key(self, token: str) -> bytes:
        return hashlib.sha256(self._cache_key + token.encode("utf-8", "surrogatepass")).digest()

    def _cached(self, key: bytes) -> TokenInfo | None:
        """A fresh cache entry (caller holds ``_lock``)."""
        hit = self._cache.get(key)
        if hit is None:
            return None
        if hit[1] < time.monotonic():
            del self._cache[key]
            return None
        self._cache.move_to_end(key)
        return hit[0]

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
        """The file's records ({} when there is no file); TokenFileError when it is damaged."""
        try:
            raw = self.path.read_bytes()
        except FileNotFoundError:
            return {}
        except OSError as e:
            raise self._damaged(f"cannot be read ({e.strerror or e})") from None
        if not raw.strip():
            raise self._damaged("is empty")
        try:
            doc = json.loads(raw)
        except ValueError as e:  # JSONDecodeError, UnicodeDecodeError
            raise self._damaged(f"is not valid JSON ({e})") from None
        try:
            return _records(doc)
        except ValueError as e:
            raise self._damaged(f"is damaged: {e}") from None

    def _damaged(self, what: str) -> TokenFileError:
        return TokenFileError(
            f"token file {self.path} {what}. No token was read from it, written over it or created "
            f"beside it: restore it from a backup, or move it aside and create a token with "
            f"`tsdb token create --data-dir {self.root} --database '*' --read --write --manage`")

    def _save(self, records: dict[str, _Record]) -> None:
        doc = {"version": 2, "hash": "scrypt", "scrypt": {k: v for k, v in _SCRYPT.items()},
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
        try:
            s.root.mkdir(parents=True, exist_ok=True)
            self.lockfd = os.open(s.root / LOCK_NAME, os.O_RDWR | os.O_CREAT, 0o600)
            if fcntl is not None:
                fcntl.flock(self.lockfd, fcntl.LOCK_EX)
            self.records = s._load()  # always the file's latest, not our possibly stale view
        except BaseException:  # a damaged file: nothing written, the locks released
            self.__exit__(*sys.exc_info())
            raise
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
