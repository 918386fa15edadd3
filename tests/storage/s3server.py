"""The session's S3 API server on 127.0.0.1 (bench/s3local.py: moto's standalone server, real HTTP)."""
from __future__ import annotations

import pytest

from bench.s3local import S3Server  # noqa: F401 - for the tests that name the type


@pytest.fixture(scope="session")
def s3_server():
    """One S3 server for the session; the AWS settings point every client in this process at it."""
    pytest.importorskip("moto.server", reason="moto[server] is not installed (the test extra)")
    from bench.s3local import serving

    with serving() as server:
        yield server
