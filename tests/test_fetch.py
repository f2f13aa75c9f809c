"""URL sources against a real HTTP server on 127.0.0.1."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from packager.build import build, load_collections
from packager.fetch import FetchError, fetch
from packager.pipeline import Settings
from tests.conftest import image_bytes
from tests.http_server import serve

PNG = image_bytes("PNG")


def test_fetch_returns_the_served_bytes() -> None:
    with serve({"a.png": PNG}) as server:
        assert fetch(f"{server.base}/file/a.png") == PNG


def test_fetch_retries_503_then_succeeds() -> None:
    with serve({"a.png": PNG}) as server:
        assert fetch(f"{server.base}/flaky/a.png", retries=3) == PNG
        assert server.hits["/flaky/a.png"] == 3


@pytest.mark.parametrize(
    ("path", "reason", "retries"),
    [
        ("/file/none.png", "url:http-error", 3),  # 404 is final: no retry
        ("/status/403", "url:http-error", 3),
        ("/truncated/a.png", "url:unreachable", 1),
        ("/slow/a.png", "url:unreachable", 0),
    ],
)
def test_fetch_failures_have_reason_codes(path: str, reason: str, retries: int) -> None:
    with serve({"a.png": PNG}) as server:
        with pytest.raises(FetchError) as caught:
            fetch(server.base + path, timeout=0.5, retries=retries)
        assert caught.value.reason == reason
        expected_hits = 1 if reason == "url:http-error" else retries + 1
        assert server.hits[path] == expected_hits


def test_fetch_refuses_oversized_bodies_and_other_schemes() -> None:
    with serve({"a.png": PNG}) as server:
        with pytest.raises(FetchError) as caught:
            fetch(f"{server.base}/file/a.png", max_bytes=len(PNG) - 1)
        assert caught.value.reason == "url:too-large"
    with pytest.raises(FetchError) as caught:
        fetch("file:///etc/passwd")
    assert caught.value.reason == "url:unsupported-scheme"


def test_build_with_url_items(tmp_path: Path, collection_factory: Any) -> None:
    with serve({"a.png": PNG}) as server:
        rows = [
            {"id": "ok", "url": f"{server.base}/file/a.png", "title": "Served"},
            {"id": "gone", "url": f"{server.base}/file/gone.png", "title": "Gone"},
            {"id": "ftp", "url": "ftp://example.org/a.png", "title": "FTP"},
        ]
        folder = collection_factory(rows)
        out = tmp_path / "dist"
        report = build(load_collections([folder]), out, Settings(fetch_timeout=2, fetch_retries=0))
    assert report["totals"] == {**report["totals"], "items": 3, "shipped": 1, "rejected": 2}
    rejected = {
        r["id"]: r["reason"] for r in map(json.loads, (out / "rejected.jsonl").read_text(encoding="utf-8").splitlines())
    }
    assert rejected == {"gone": "url:http-error", "ftp": "url:unsupported-scheme"}
