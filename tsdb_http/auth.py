"""Who is asking: token extraction (Bearer, Token, Basic, ``?p=``) and permission checks.

The seed's schemes: ``Authorization: Bearer TOKEN``, ``Authorization: Token TOKEN``
(the word ``Token`` is case-sensitive), ``Authorization: Basic base64(user:TOKEN)``
(user ignored) and ``?u=USER&p=TOKEN`` (``u`` ignored). As in 1.x the query
string is looked at first. Every failure is a 401 whose body the app renders
per dialect.
"""
from __future__ import annotations

import base64
import binascii
from dataclasses import dataclass

from tsdb_core.tokens import ALL_DATABASES, TokenInfo, TokenStore

from .params import HttpError

MISSING = "unable to parse authentication credentials"
FAILED = "authorization failed"


class Unauthorized(HttpError):
    """401: ``reason`` is 1.x's wording (MISSING or FAILED)."""

    def __init__(self, reason: str = FAILED):
        super().__init__(401, reason, "unauthorized")


@dataclass(frozen=True, slots=True)
class Principal:
    """The authenticated caller: a token, or everyone (``--no-auth``)."""

    token: TokenInfo | None  # None = auth disabled

    def can(self, action: str, database: str | None) -> bool:
        return self.token is None or self.token.can(action, database)

    @property
    def all_databases(self) -> bool:
        return self.token is None or self.token.can("read", ALL_DATABASES)

    def readable(self, database: str) -> bool:
        return self.token is None or self.token.can("read", database)

    def require(self, action: str, database: str | None) -> None:
        if not self.can(action, database):
            raise Unauthorized(FAILED)


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


class Authenticator:
    """Turns a request into a :class:`Principal` (or 401) against a :class:`TokenStore`."""

    def __init__(self, tokens: TokenStore | None, enabled: bool = True):
        self.tokens = tokens
        self.enabled = enabled and tokens is not None

    def authenticate(self, headers, query) -> Principal:
        if not self.enabled:
            return OPEN
        token = extract_token(headers, query)
        if token is None:
            raise Unauthorized(MISSING)
        info = self.tokens.verify(token)
        if info is None:
            raise Unauthorized(FAILED)
        return Principal(info)
