"""Which browsers may talk to a server without authentication: Host and Origin checks.

With ``--no-auth`` anything that reaches the port may write and drop
databases, and a browser reaches ``127.0.0.1`` for any web page it shows:

* **DNS rebinding**: a page at ``evil.example`` re-resolves its own name to
  127.0.0.1 and reads and writes as a same-origin page; its requests carry
  ``Host: evil.example``. Without auth only loopback names (``localhost``,
  ``*.localhost``), IP literals and one-label names (a rebinding needs a public
  DNS name, which has a dot; compose service names have none) and names given by
  ``--allowed-host`` are accepted (403 otherwise);
* **CSRF**: a page posts a form (``q=DROP DATABASE x``) across origins; the
  browser sends it without asking, and only the ``Origin`` header tells. Without
  auth a request whose ``Origin`` is neither loopback nor given by ``--cors-origin``
  is refused with 403, and CORS headers are only sent to those origins.
  (``/ping`` and ``/health``, which change nothing, answer every Host and Origin.)

With auth on, every request needs a token a page cannot take from the browser,
so CORS answers any origin (as InfluxDB does) unless ``--cors-origin`` narrows it.
"""
from __future__ import annotations

import functools
import ipaddress

_LOOPBACK_NAMES = ("localhost", "localhost.")
_OPEN_PATHS = frozenset(("/ping", "/health"))


def _hostname(host: str) -> str:
    """``name`` of ``name[:port]`` / ``[v6][:port]``, lower case, no trailing dot."""
    host = host.strip().lower()
    if host.startswith("["):
        return host[1:host.find("]")] if "]" in host else host
    name, sep, port = host.rpartition(":")
    if sep and port.isdigit() and ":" not in name:
        host = name
    return host.rstrip(".")


def _ip(name: str) -> ipaddress.IPv4Address | ipaddress.IPv6Address | None:
    try:
        return ipaddress.ip_address(name)
    except ValueError:
        return None


def _loopback(name: str) -> bool:
    ip = _ip(name)
    if ip is not None:
        return ip.is_loopback
    return name in _LOOPBACK_NAMES or name.endswith(".localhost")


class Guard:
    """The Host/Origin policy of one server (``no_auth``, ``--allowed-host``, ``--cors-origin``)."""

    def __init__(self, no_auth: bool, allowed_hosts=(), cors_origins=()):
        self.no_auth = no_auth
        self.allowed_hosts = frozenset(h.strip().lower().rstrip(".") for h in allowed_hosts)
        self.cors_origins = frozenset(o.strip().rstrip("/").lower() for o in cors_origins)
        self.host_ok = functools.lru_cache(maxsize=256)(self._host_ok)
        self.cors_ok = functools.lru_cache(maxsize=256)(self._cors_ok)

    def _host_ok(self, host: bytes) -> bool:
        name = _hostname(host.decode("latin-1"))
        return ("*" in self.allowed_hosts or name in self.allowed_hosts or _loopback(name)
                or "." not in name or _ip(name) is not None)

    def _cors_ok(self, origin: bytes) -> bool:
        """May a page at ``origin`` read our answers (and, without auth, send requests)?"""
        text = origin.decode("latin-1").strip().rstrip("/").lower()
        if self.cors_origins:
            return "*" in self.cors_origins or text in self.cors_origins
        if not self.no_auth:
            return True  # a token is needed anyway (InfluxDB answers every origin)
        scheme, sep, rest = text.partition("://")
        return bool(sep) and scheme in ("http", "https") and _loopback(_hostname(rest))

    def refusal(self, scope) -> str | None:
        """Why a request must be refused (403), or None; only without auth."""
        if not self.no_auth:
            return None
        host = origin = None
        for k, v in scope["headers"]:
            if k == b"host":
                host = v
            elif k == b"origin":
                origin = v
        if host is not None and scope["path"] not in _OPEN_PATHS and not self.host_ok(host):
            name = _hostname(host.decode("latin-1"))
            return (f"host {name!r} is not allowed without authentication (DNS rebinding): "
                    f"use a loopback address, or start the server with --allowed-host {name}")
        if (origin is not None and scope["method"] != "OPTIONS" and scope["path"] not in _OPEN_PATHS
                and not self.cors_ok(origin)):
            text = origin.decode("latin-1")
            return (f"cross-origin request from {text!r} refused without authentication (CSRF): "
                    f"start the server with --cors-origin {text} to allow it")
        return None
