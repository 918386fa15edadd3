"""The data explorer: a browser page at ``/`` of the shim, its assets, and ``/docs``.

The page (``static/``) talks to the same server's ``/query`` with the token the
user types; it keeps the token in the tab's ``sessionStorage`` and sends it only
as an ``Authorization`` header, never in a URL. The page and its assets are public
(they hold no data) and go out with a Content-Security-Policy that allows this
origin only: no inline script, no other host, no framing. Assets are looked up in
a fixed table by name: a request's path never becomes a file path.
"""
from __future__ import annotations

import functools
from pathlib import Path

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Match, Route

from ..params import HttpError

STATIC = Path(__file__).resolve().parent / "static"
CSP = ("default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; "
       "base-uri 'none'; form-action 'none'; frame-ancestors 'none'")
PAGE_HEADERS = {"Content-Security-Policy": CSP, "X-Content-Type-Options": "nosniff", "Referrer-Policy": "no-referrer",
                "X-Frame-Options": "DENY", "Cross-Origin-Opener-Policy": "same-origin",
                "Cross-Origin-Resource-Policy": "same-origin"}
# name in the URL (/explorer/NAME) → (file under static/, media type)
ASSETS = {
    "explorer.js": ("explorer.js", "text/javascript; charset=utf-8"),
    "explorer.css": ("explorer.css", "text/css; charset=utf-8"),
    "uPlot.iife.min.js": ("vendor/uPlot.iife.min.js", "text/javascript; charset=utf-8"),
    "uPlot.min.css": ("vendor/uPlot.min.css", "text/css; charset=utf-8"),
    "uPlot.LICENSE": ("vendor/uPlot.LICENSE", "text/plain; charset=utf-8"),
}


@functools.lru_cache(maxsize=None)
def _read(relative: str) -> bytes:
    return (STATIC / relative).read_bytes()


async def page(request: Request) -> Response:
    return Response(_read("index.html"), 200, media_type="text/html; charset=utf-8",
                    headers={**PAGE_HEADERS, "Cache-Control": "no-store"})


async def asset(request: Request) -> Response:
    entry = ASSETS.get(request.path_params["asset"])
    if entry is None:
        raise HttpError(404, "path not found")
    return Response(_read(entry[0]), 200, media_type=entry[1],
                    headers={**PAGE_HEADERS, "Cache-Control": "no-cache"})


async def docs(request: Request) -> Response:
    from .reference import render

    return Response(render(request.app.state.openapi), 200, media_type="text/html; charset=utf-8",
                    headers={**PAGE_HEADERS, "Cache-Control": "no-cache"})


class ExactRoute(Route):
    """A route for the path the client sent only: never the target of Starlette's slash redirect
    (which would send ``/docs/``, or a malformed empty path, to a page with a 307)."""

    def matches(self, scope):
        raw = scope.get("raw_path")
        if raw is not None and raw.split(b"?", 1)[0].decode("latin-1") != scope["path"]:
            return Match.NONE, {}
        return super().matches(scope)


def routes(guard) -> list[Route]:
    """The explorer's routes, each wrapped by ``guard`` (the app's error guard)."""
    return [ExactRoute("/", guard(page), methods=["GET"]), ExactRoute("/docs", guard(docs), methods=["GET"]),
            ExactRoute("/explorer/{asset}", guard(asset), methods=["GET"])]
