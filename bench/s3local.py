"""An S3 API server on 127.0.0.1 (moto's standalone server, real HTTP), for benchmarks and tests.

``serving()`` starts one and points this process's AWS settings at it, restoring them after.
"""
from __future__ import annotations

import contextlib
import logging
import os
import uuid

KEY = SECRET = "testing"
ENV = {"AWS_ACCESS_KEY_ID": KEY, "AWS_SECRET_ACCESS_KEY": SECRET, "AWS_REGION": "us-east-1"}


class S3Server:
    """A running server: its endpoint, and buckets made on demand."""

    def __init__(self):
        from moto.server import ThreadedMotoServer

        logging.getLogger("werkzeug").setLevel(logging.ERROR)  # one line per request otherwise
        self.server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
        self.server.start()
        host, port = self.server.get_host_and_port()
        self.endpoint = f"http://{host}:{port}"

    def filesystem(self):
        import pyarrow.fs as pafs

        return pafs.S3FileSystem(endpoint_override=self.endpoint.split("//")[1], scheme="http",
                                 region=ENV["AWS_REGION"], allow_bucket_creation=True, access_key=KEY,
                                 secret_key=SECRET)

    def new_bucket(self, name: str | None = None) -> str:
        name = name or f"tsdb-{uuid.uuid4().hex[:12]}"
        self.filesystem().create_dir(name)
        return name

    def stop(self) -> None:
        self.server.stop()


@contextlib.contextmanager
def serving():
    """A server whose endpoint and credentials are this process's AWS settings meanwhile."""
    saved = {k: os.environ.get(k) for k in (*ENV, "AWS_ENDPOINT_URL")}
    server = S3Server()
    os.environ.update(ENV, AWS_ENDPOINT_URL=server.endpoint)
    try:
        yield server
    finally:
        server.stop()
        for k, v in saved.items():
            if v is None:
                os.environ.pop(k, None)
            else:
                os.environ[k] = v
