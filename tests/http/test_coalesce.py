"""coalesce.install: Hypercorn writes a sized response's head and body in one piece; streamed heads at once."""
from __future__ import annotations

import asyncio

import h11
import pytest
from hypercorn.events import RawData
from hypercorn.protocol.h11 import H11Protocol

from tsdb_http.coalesce import install


class FakeProtocol:
    """Just what ``_send_h11_event`` touches: an h11 connection that has read a request, and ``send``."""

    def __init__(self):
        self.connection = h11.Connection(h11.SERVER)
        self.connection.receive_data(b"GET /query HTTP/1.1\r\nhost: x\r\n\r\n")
        assert isinstance(self.connection.next_event(), h11.Request)
        self.sent: list[bytes] = []

    async def send(self, event):
        assert isinstance(event, RawData)
        self.sent.append(event.data)


def play(events) -> list[bytes]:
    assert install()
    proto = FakeProtocol()

    async def go():
        for ev in events:
            await H11Protocol._send_h11_event(proto, ev)
    asyncio.run(go())
    return proto.sent


@pytest.mark.parametrize("name,events,writes", [
    ("sized body", [h11.Response(status_code=200, headers=[("content-length", "2")]), h11.Data(data=b"{}"),
                    h11.EndOfMessage()], 2),  # head+body, then the (empty) end
    ("no body", [h11.Response(status_code=204, headers=[("content-length", "0")]), h11.EndOfMessage()], 1),
    ("streamed", [h11.Response(status_code=200, headers=[("transfer-encoding", "chunked")]),
                  h11.Data(data=b"{}"), h11.EndOfMessage()], 3),
    ("bodiless 204", [h11.Response(status_code=204, headers=[]), h11.EndOfMessage()], 2),
])
def test_same_bytes_fewer_writes(name, events, writes):
    sent = play(events)
    plain = h11.Connection(h11.SERVER)
    plain.receive_data(b"GET /query HTTP/1.1\r\nhost: x\r\n\r\n")
    plain.next_event()
    assert b"".join(sent) == b"".join(plain.send(ev) for ev in events)
    assert len(sent) == writes
    if name == "sized body":
        assert sent[0].startswith(b"HTTP/1.1 200 ") and sent[0].endswith(b"\r\n\r\n{}")


def test_install_is_idempotent():
    assert install() and install()
    assert hasattr(H11Protocol._send_h11_event, "__wrapped__")
    assert not hasattr(H11Protocol._send_h11_event.__wrapped__, "__wrapped__")
