"""A real S3-protocol server on 127.0.0.1 for the tests: moto in server mode, in a thread of the test process.

Builds reach it through s3fs like any S3 endpoint; everything it holds is in memory and gone when it stops.
"""

from __future__ import annotations

import logging
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

import pytest

KEY = SECRET = "testing"  # moto accepts any credentials; botocore needs some


@dataclass(frozen=True)
class S3Server:
    endpoint: str

    def env(self) -> dict[str, str]:
        """The standard variables that point an S3 client here (AWS_ENDPOINT_URL as botocore reads it)."""
        return {
            "AWS_ENDPOINT_URL": self.endpoint,
            "AWS_ACCESS_KEY_ID": KEY,
            "AWS_SECRET_ACCESS_KEY": SECRET,
            "AWS_DEFAULT_REGION": "us-east-1",
        }

    def fs(self) -> Any:
        import s3fs

        return s3fs.S3FileSystem(key=KEY, secret=SECRET, endpoint_url=self.endpoint, skip_instance_cache=True)

    def objects(self, url: str) -> dict[str, bytes]:
        """Every object under ``url`` (s3://bucket/prefix), by its name below the prefix."""
        fs = self.fs()
        root = url.split("://", 1)[1].rstrip("/")
        return {path[len(root) + 1 :]: fs.cat_file(path) for path in fs.find(root)}


@contextmanager
def s3_server(bucket: str) -> Iterator[S3Server]:
    pytest.importorskip("s3fs")
    server_module = pytest.importorskip("moto.server")
    logging.getLogger("werkzeug").setLevel(logging.ERROR)  # a line per request otherwise
    server = server_module.ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    try:
        host, port = server.get_host_and_port()
        running = S3Server(f"http://{host}:{port}")
        # moto keeps its buckets in the process, across servers: start each test from none.
        urllib.request.urlopen(urllib.request.Request(f"{running.endpoint}/moto-api/reset", method="POST"), timeout=30)
        running.fs().mkdir(bucket)
        yield running
    finally:
        server.stop()
