"""Call an ASGI app in-process without a socket or a thread portal (fast enough for fuzzing)."""
from __future__ import annotations

import asyncio
from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Answer:
    status: int
    headers: dict[str, str]
    body: bytes


class AsgiCaller:
    """One event loop, reused across calls; the app's lifespan is not run (create_app needs none)."""

    def __init__(self, app):
        self.app = app
        self.loop = asyncio.new_event_loop()
        self.consumed = 0

    def close(self) -> None:
        self.loop.run_until_complete(self.loop.shutdown_asyncgens())
        self.loop.close()

    def __call__(self, method: str, path: str, query: bytes = b"", headers: list[tuple[bytes, bytes]] = (),
                 body: bytes = b"", chunk: int = 65536) -> Answer:
        return self.loop.run_until_complete(self._call(method, path, query, list(headers), body, chunk))

    async def _call(self, method, path, query, headers, body, chunk) -> Answer:
        scope = {"type": "http", "asgi": {"version": "3.0"}, "http_version": "1.1", "method": method,
                 "scheme": "http", "path": path, "raw_path": path.encode("utf-8", "surrogateescape"),
                 "query_string": query, "root_path": "", "headers": headers,
                 "client": ("127.0.0.1", 1234), "server": ("127.0.0.1", 8086)}
        parts = [body[i:i + chunk] for i in range(0, len(body), chunk)] or [b""]
        sent = 0
        status = 0
        out_headers: dict[str, str] = {}
        out: list[bytes] = []

        async def receive():
            nonlocal sent
            if sent < len(parts):
                sent += 1
                return {"type": "http.request", "body": parts[sent - 1], "more_body": sent < len(parts)}
            await asyncio.sleep(3600)  # a client that stays connected
            return {"type": "http.disconnect"}

        async def send(message):
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
                for k, v in message.get("headers", ()):
                    out_headers[k.decode("latin-1").lower()] = v.decode("latin-1")
            elif message["type"] == "http.response.body":
                out.append(message.get("body", b""))

        await self.app(scope, receive, send)
        self.consumed = sent  # body parts the app asked for (413 must come before the last)
        return Answer(status, out_headers, b"".join(out))
