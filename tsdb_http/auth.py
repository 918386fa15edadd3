"""Who is asking: token extraction (Bearer, Token, Basic, ``?p=``), verification, permission checks.

The Cloud Dedicated API document's schemes: ``Authorization: Bearer TOKEN``, ``Authorization: Token TOKEN``
(the word ``Token`` is case-sensitive), ``Authorization: Basic base64(user:TOKEN)``
(user ignored) and ``?u=USER&p=TOKEN`` (``u`` ignored). As in 1.x the query
string is looked at first. A missing or wrong token is a 401 whose body the app
renders per dialect.

Verifying a token costs a scrypt (slow on purpose) unless the token
store has it cached, so :meth:`Authenticator.authenticate` never runs one on the
event loop: a cache hit answers at once, a miss goes to a small thread pool
(one scrypt per distinct token at a time, however many requests carry it).
Failed verifications are counted per client address (:class:`FailureLimiter`):
past the limit, a request that would need a scrypt answers 429 with
``Retry-After`` without running one, for that address only.

A token that lacks a permission is refused as the dialect says: 401
``authorization failed`` (cloud, per the Cloud Dedicated API document) or 403 with 1.x's words
(influxdb1: ``error authorizing query: ... requires WRITE on mydb``).
"""
from __future__ import annotations

import asyncio
import base64
import binascii
import logging
import math
import os
import threading
import time
from collections import OrderedDict
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass

from tsdb_core import InternalError
from tsdb_http.tokens import ALL_DATABASES, TokenFileError, TokenInfo, TokenStore

from .params import Dialect, HttpError
from .permissions import statement_words

log = logging.getLogger("tsdb_http")

MISSING = "unable to parse authentication credentials"
FAILED = "authorization failed"
NO_DATABASE = "database name required"  # influxd's words for a statement that needs one


class Unauthorized(HttpError):
    """401: ``reason`` is 1.x's wording (MISSING or FAILED)."""

    def __init__(self, reason: str = FAILED):
        super().__init__(401, reason, "unauthorized")


class TooManyFailures(HttpError):
    """429: this client failed too many verifications lately (:class:`FailureLimiter`)."""

    def __init__(self, retry_after: int):
        super().__init__(429, "too many failed authentication attempts from this address: "
                              f"retry in {retry_after} s", headers={"Retry-After": str(retry_after)})


class NotCached(Exception):
    """:meth:`Authenticator.authenticate_now` would need a scrypt: take the ASGI path."""


@dataclass(frozen=True, slots=True)
class Principal:
    """The authenticated caller: a token, or everyone (``--no-auth``)."""

    token: TokenInfo | None  # None = auth disabled
    forbidden: int = 401  # the status of a missing permission: 401 (cloud) or 403 (influxdb1)

    def can(self, action: str, database: str | None) -> bool:
        return self.token is None or self.token.can(action, database)

    @property
    def all_databases(self) -> bool:
        return self.token is None or self.token.can("read", ALL_DATABASES)

    def readable(self, database: str) -> bool:
        return self.token is None or self.token.can("read", database)

    def require(self, action: str, database: str | None, statement=None) -> None:
        """Raise unless the caller may ``action`` on ``database`` (for ``statement``, if any).

        ``database`` None (a statement that names none, and no ``db``): 400 ``database
        name required`` before anything runs, unless the token holds ``action`` on ``*``.
        """
        if self.can(action, database):
            return
        if database is None:
            raise HttpError(400, NO_DATABASE)
        if self.forbidden == 401:
            raise Unauthorized(FAILED)
        raise HttpError(403, self.denial(action, database, statement))

    def denial(self, action: str, database: str, statement=None) -> str:
        """1.x's words for a missing permission, naming the token by its public id."""
        on = "every database (*)" if database == ALL_DATABASES else database
        if statement is None and action == "write":
            return f'token "{self.token.id}" is not authorized to write to database "{database}"'
        what = f"execute {statement_words(statement)}" if statement is not None else action
        return (f"error authorizing query: token {self.token.id} not authorized to {what}, "
                f"requires {action.upper()} on {on}")


OPEN = Principal(None)


def extract_token(headers, query) -> str | None:
    """The token a request carries, None when it carries none.

    Raises :class:`Unauthorized` for a malformed Authorization header (unknown
    scheme, bad base64, ``token`` in lower case, missing value).
    """
    p = query.get("p")
    if p:
        return p
    auth = headers.get("authorization")
    if auth is None:
        return None
    scheme, _, value = auth.strip().partition(" ")
    value = value.strip()
    if scheme in ("Bearer", "Token"):
        if not value or " " in value:
            raise Unauthorized(MISSING)
        if scheme == "Token" and ":" in value:  # 1.x clients send ``Token user:password``
            value = value.split(":", 1)[1]
        return value
    if scheme.lower() == "basic":
        try:
            decoded = base64.b64decode(value, validate=True).decode("utf-8")
        except (binascii.Error, UnicodeDecodeError, ValueError):
            raise Unauthorized(MISSING) from None
        user, sep, password = decoded.partition(":")
        if not sep:
            raise Unauthorized(MISSING)
        return password or None
    raise Unauthorized(MISSING)


class FailureLimiter:
    """Failed verifications per client address: a token bucket of ``burst``, one back every ``refill_s``.

    A verification is charged before its scrypt runs (so a client cannot start more
    than ``burst`` at once) and refunded when the token was good. The table keeps
    the ``max_clients`` addresses seen last.
    """

    def __init__(self, burst: int = 10, refill_s: float = 1.0, max_clients: int = 65_536, clock=time.monotonic):
        self.burst, self.refill_s, self.max_clients, self.clock = burst, refill_s, max_clients, clock
        self._buckets: OrderedDict[str, tuple[float, float]] = OrderedDict()  # client -> (level, at)
        self._lock = threading.Lock()

    def charge(self, client: str) -> int:
        """0 when ``client`` may run a verification (one failure taken), else the seconds to wait."""
        with self._lock:
            level = self._level(client)
            if level < 1:
                return max(1, math.ceil((1 - level) * self.refill_s))
            self._set(client, level - 1)
            return 0

    def refund(self, client: str) -> None:
        with self._lock:
            self._set(client, min(self.burst, self._level(client) + 1))

    def _level(self, client: str) -> float:
        level, at = self._buckets.get(client, (self.burst, 0.0))
        return min(self.burst, level + (self.clock() - at) / self.refill_s) if level < self.burst else level

    def _set(self, client: str, level: float) -> None:
        self._buckets[client] = (level, self.clock())
        self._buckets.move_to_end(client)
        if len(self._buckets) > self.max_clients:
            self._buckets.popitem(last=False)


def _host(client) -> str:
    """The address of a Starlette ``request.client`` (a (host, port) pair), or of nothing."""
    if client is None:
        return ""
    return client if isinstance(client, str) else str(client[0])


class Authenticator:
    """Turns a request into a :class:`Principal` (or 401/429) against a :class:`TokenStore`."""

    def __init__(self, tokens: TokenStore | None, enabled: bool = True, *, dialect=None,
                 limiter: FailureLimiter | None = None, workers: int | None = None):
        self.tokens = tokens
        self.enabled = enabled and tokens is not None
        self.forbidden = 403 if dialect is not None and Dialect(dialect) is Dialect.V1 else 401
        self.limiter = limiter if limiter is not None else FailureLimiter()
        self.workers = workers or min(4, os.cpu_count() or 1)
        self._pool: ThreadPoolExecutor | None = None
        self._inflight: dict[str, Future] = {}
        self._lock = threading.Lock()

    async def authenticate(self, headers, query, client=None) -> Principal:
        """The request's caller; ``client`` is its address (``request.client``) for the failure limit."""
        if not self.enabled:
            return OPEN
        token, info = self._presented(headers, query)
        if info is None:
            info = await self._verify(token, _host(client))
        return Principal(info, self.forbidden)

    def authenticate_now(self, headers, query) -> Principal:
        """As :meth:`authenticate` from the verification cache alone; :class:`NotCached` on a miss."""
        if not self.enabled:
            return OPEN
        _, info = self._presented(headers, query)
        if info is None:
            raise NotCached
        return Principal(info, self.forbidden)

    def _presented(self, headers, query) -> tuple[str, TokenInfo | None]:
        """The request's token and its cached verification (None: not verified lately)."""
        token = extract_token(headers, query)
        if token is None:
            raise Unauthorized(MISSING)
        return token, self._cached(token)

    def verify_blocking(self, token: str, client: str) -> TokenInfo:
        """As :meth:`authenticate`, for callers on their own threads (Flight): the same cache,
        failure limit and cost, so every entry point checks a token the same way."""
        info = self._cached(token)
        if info is not None:
            return info
        if not TokenStore.well_formed(token):
            raise Unauthorized(FAILED)
        wait = self.limiter.charge(client)
        if wait:
            raise TooManyFailures(wait)
        try:
            info = self.tokens.verify(token)
        except TokenFileError as e:
            raise self._damaged(e) from None
        if info is None:
            raise Unauthorized(FAILED)
        self.limiter.refund(client)
        return info

    def _cached(self, token: str) -> TokenInfo | None:
        try:
            return self.tokens.cached(token)
        except TokenFileError as e:
            raise self._damaged(e) from None

    async def _verify(self, token: str, client: str) -> TokenInfo:
        if not TokenStore.well_formed(token):
            raise Unauthorized(FAILED)
        with self._lock:
            fut = self._inflight.get(token)
            owner = fut is None
            if owner:
                wait = self.limiter.charge(client)
                if wait:
                    raise TooManyFailures(wait)
                fut = self._executor().submit(self.tokens.verify, token)
                self._inflight[token] = fut
        if owner:
            fut.add_done_callback(lambda _f: self._forget(token, fut))
        try:
            info = await asyncio.wrap_future(fut)
        except TokenFileError as e:
            raise self._damaged(e) from None
        if info is None:
            raise Unauthorized(FAILED)
        if owner:
            self.limiter.refund(client)
        return info

    def _forget(self, token: str, fut: Future) -> None:
        with self._lock:
            if self._inflight.get(token) is fut:
                del self._inflight[token]

    def _executor(self) -> ThreadPoolExecutor:
        if self._pool is None:
            self._pool = ThreadPoolExecutor(self.workers, thread_name_prefix="tsdb-verify")
        return self._pool

    @staticmethod
    def _damaged(e: TokenFileError) -> InternalError:
        log.error("%s", e)
        return InternalError("internal error: the token file is damaged; the server log says how to recover")
