"""One socket write per response: Hypercorn's HTTP/1.1 head waits for the first body bytes.

Hypercorn writes a response's head and its body in two ``send`` calls; on
loopback each wakes the client, which reads the head, then sleeps again for the
body. :func:`install` makes its h11 protocol hold the head until the next event
of the same response (the body, or the end of a bodiless one) and write both at
once: the same bytes, one segment, one wake-up (~0.05-0.1 ms a request here).
Only heads with a Content-Length are held (their body follows at once);
streamed (chunked) answers send their head straight away, as before.
Installed by :func:`tsdb_http.serve.serve`; ``TSDB_HTTP_COALESCE=0`` leaves
Hypercorn as it is, as does a Hypercorn outside the tested 0.16-0.18 or without the method.
"""
from __future__ import annotations

import os
import re

_installed = False
_TESTED = re.compile(r"0\.1[6-8]\.")  # Hypercorn versions whose _send_h11_event this matches


def install() -> bool:
    """Patch Hypercorn's ``H11Protocol._send_h11_event`` once per process; True when active."""
    global _installed
    if _installed:
        return True
    if os.environ.get("TSDB_HTTP_COALESCE", "1") == "0":
        return False
    try:
        from importlib.metadata import version

        import h11
        from hypercorn.events import RawData
        from hypercorn.protocol.h11 import H11Protocol
    except ImportError:
        return False
    if not _TESTED.match(version("hypercorn")):
        return False  # a private method of another Hypercorn may mean something else
    original = getattr(H11Protocol, "_send_h11_event", None)
    if original is None:
        return False

    async def _send_h11_event(self, event) -> None:
        if type(event) is not h11.Response or not any(k == b"content-length" for k, _ in event.headers):
            held = self.__dict__.pop("_tsdb_held_head", None)
            if held is None:
                return await original(self, event)
            try:
                data = self.connection.send(event)
            except h11.LocalProtocolError:
                data = b""
                if self.connection.their_state != h11.ERROR:
                    await self.send(RawData(data=held))
                    raise
            await self.send(RawData(data=held + (data or b"")))
            return
        try:
            head = self.connection.send(event)
        except h11.LocalProtocolError:
            if self.connection.their_state != h11.ERROR:
                raise
            return
        self.__dict__["_tsdb_held_head"] = head

    _send_h11_event.__wrapped__ = original
    H11Protocol._send_h11_event = _send_h11_event
    _installed = True
    return True
