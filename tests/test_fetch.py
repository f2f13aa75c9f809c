"""URL sources against a real HTTP server on 127.0.0.1."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from packager.builder.run import build, load_collections
from packager.builder.stages import Settings
from packager.media.fetch import FetchError
from packager.media.fetch import fetch as fetch_any
from tests.helpers import image_bytes
from tests.http_server import serve

PNG = image_bytes("PNG")


def fetch(url: str, **options: Any) -> bytes:
    """The test servers listen on 127.0.0.1, which only --allow-private-urls lets pdpack fetch from."""
    return fetch_any(url, allow_private=True, **options)


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
        report = build(
            load_collections([folder]), out, Settings(fetch_timeout=2, fetch_retries=0, allow_private_urls=True)
        )
    assert report["totals"] == {**report["totals"], "items": 3, "shipped": 1, "rejected": 2}
    rejected = {
        r["id"]: r["reason"] for r in map(json.loads, (out / "rejected.jsonl").read_text(encoding="utf-8").splitlines())
    }
    assert rejected == {"gone": "url:http-error", "ftp": "url:unsupported-scheme"}


def test_cache_serves_a_rebuild_without_fetching_and_rejects_damage(tmp_path: Path) -> None:
    cache = tmp_path / "cache"
    with serve({"a.png": PNG}) as server:
        url = f"{server.base}/file/a.png"
        assert fetch(url, cache_dir=cache) == PNG
        assert fetch(url, cache_dir=cache) == PNG
        assert server.hits["/file/a.png"] == 1
        (body,) = (cache / "fetch").rglob("*.bin")
        body.write_bytes(b"damaged")
        assert fetch(url, cache_dir=cache) == PNG  # the checksum no longer matches: fetched again
        assert server.hits["/file/a.png"] == 2


def test_non_images_are_refused_by_content_type_and_by_magic_bytes() -> None:
    with serve({"a.png": PNG, "page.png": b"<html>hello</html>"}) as server:
        with pytest.raises(FetchError) as caught:
            fetch(f"{server.base}/html/a.png")
        assert caught.value.reason == "url:not-an-image" and "text/html" in str(caught.value)
        with pytest.raises(FetchError) as caught:
            fetch(f"{server.base}/file/page.png")
        assert caught.value.reason == "url:not-an-image"


def test_connections_per_host_are_bounded(tmp_path: Path) -> None:
    import threading

    with serve({"a.png": PNG}) as server:
        url = f"{server.base}/slow/a.png"
        # Separate URLs per thread so the cache cannot serve any of them.
        threads = [
            threading.Thread(
                target=fetch, args=(f"{url}?n={n}",), kwargs={"cache_dir": tmp_path / "c", "max_per_host": 2}
            )
            for n in range(5)
        ]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
    assert server.max_concurrent == 2
