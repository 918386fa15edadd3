"""An S3 API server on 127.0.0.1 (moto's standalone server, real HTTP) for the object-storage tests."""
from __future__ import annotations

import logging
import os
import uuid

import pytest

_ENV = {"AWS_ACCESS_KEY_ID": "testing", "AWS_SECRET_ACCESS_KEY": "testing", "AWS_REGION": "us-east-1"}


class S3Server:
    """A running server: its endpoint, and buckets made on demand."""

    def __init__(self, moto_server):
        logging.getLogger("werkzeug").setLevel(logging.ERROR)  # one line per request otherwise
        self.server = moto_server.ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
        self.server.start()
        host, port = self.server.get_host_and_port()
        self.endpoint = f"http://{host}:{port}"

    def filesystem(self):
        import pyarrow.fs as pafs

        return pafs.S3FileSystem(endpoint_override=self.endpoint.split("//")[1], scheme="http",
                                 region="us-east-1", allow_bucket_creation=True, access_key="testing",
                                 secret_key="testing")

    def new_bucket(self) -> str:
        name = f"tsdb-{uuid.uuid4().hex[:12]}"
        self.filesystem().create_dir(name)
        return name

    def stop(self) -> None:
        self.server.stop()


@pytest.fixture(scope="session")
def s3_server():
    """One S3 server for the session; the AWS settings point every client in this process at it."""
    moto_server = pytest.importorskip("moto.server", reason="moto[server] is not installed (the test extra)")
    saved = {k: os.environ.get(k) for k in (*_ENV, "AWS_ENDPOINT_URL")}
    server = S3Server(moto_server)
    os.environ.update(_ENV, AWS_ENDPOINT_URL=server.endpoint)
    try:
        yield server
    finally:
        server.stop()
        for k, v in saved.items():
            if v is None:
                os.environ.pop(k, None)
            else:
                os.environ[k] = v
