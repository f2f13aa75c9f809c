"""Many downloads in flight per worker, the per-host limit across processes, and the same bytes whatever
the concurrency (issue 15, point 5), against a real HTTP server on 127.0.0.1."""

from __future__ import annotations

import json
import threading
from pathlib import Path
from typing import Any

from packager.builder.run import build, load_collections
from packager.builder.stages import Settings
from packager.sample import SHARD_GLOB
from tests.helpers import image_bytes
from tests.http_server import serve

IMAGES = {f"{n}.png": image_bytes("PNG", color=(20 * n % 256, 255 - 7 * n % 256, 90 + 13 * n % 160)) for n in range(24)}


def _settings(tmp_path: Path, **fields: Any) -> Settings:
    return Settings(as_of="2026-11-30", allow_private_urls=True, fetch_cache=str(tmp_path / "cache"), **fields)


def _rows(base: str, route: str, count: int) -> list[dict[str, str]]:
    return [{"id": f"item-{n:02d}", "url": f"{base}/{route}/{n}.png", "title": f"Picture {n}"} for n in range(count)]


def test_one_worker_has_many_downloads_in_flight(tmp_path: Path, collection_factory: Any) -> None:
    # The server answers /together/ only once four requests wait at the same time: one download at a
    # time would leave each waiting until the server gives up (30 s) and answers 504.
    with serve(IMAGES) as server:
        server.together = threading.Barrier(4)
        folder = collection_factory(_rows(server.base, "together", 8))
        report = build(load_collections([folder]), tmp_path / "dist", _settings(tmp_path, fetch_threads=4))
    assert report["totals"]["shipped"] == 8, (tmp_path / "dist" / "rejected.jsonl").read_text()
    assert server.max_concurrent >= 4


def test_the_per_host_limit_holds_across_worker_processes(tmp_path: Path, collection_factory: Any) -> None:
    with serve(IMAGES) as server:
        rows = [{**row, "url": row["url"] + "?short"} for row in _rows(server.base, "slow", 24)]  # 0.6 s each
        folder = collection_factory(rows)
        settings = _settings(tmp_path, fetch_threads=8, max_per_host=3)
        report = build(load_collections([folder]), tmp_path / "dist", settings, workers=2)
    assert report["totals"]["shipped"] == 24
    assert server.max_concurrent <= 3  # 2 processes x 8 threads, and never more than 3 at the host


def test_the_output_is_the_same_whatever_the_download_threads_and_workers(
    tmp_path: Path, collection_factory: Any
) -> None:
    with serve({**IMAGES, "page.png": b"<html>not a picture</html>"}) as server:
        rows = _rows(server.base, "file", 16)
        rows += [
            {"id": "item-gone", "url": f"{server.base}/file/gone.png", "title": "Gone"},
            {"id": "item-page", "url": f"{server.base}/html/page.png", "title": "A page"},
            {"id": "item-flaky", "url": f"{server.base}/flaky/20.png", "title": "Flaky"},
        ]
        folder = collection_factory(rows)
        outputs = []
        for name, workers, threads in (("one", 1, 1), ("many", 2, 6)):
            out = tmp_path / name
            server.hits.clear()
            settings = _settings(tmp_path / name, fetch_threads=threads)
            build(load_collections([folder]), out, settings, workers=workers)
            outputs.append(out)
    one, many = outputs
    written = sorted(str(path.relative_to(one)) for path in one.glob(SHARD_GLOB) if path.is_file())
    assert written == sorted(str(path.relative_to(many)) for path in many.glob(SHARD_GLOB) if path.is_file())
    assert any(name.endswith(".tar") for name in written)
    for relative in [*written, "rejected.jsonl"]:
        assert (one / relative).read_bytes() == (many / relative).read_bytes(), relative
    reasons = {r["id"]: r["reason"] for r in map(json.loads, (many / "rejected.jsonl").read_text().splitlines())}
    # The flaky URL fails twice with 503, then answers: retried, and shipped like the rest.
    assert reasons == {"item-gone": "url:http-error", "item-page": "url:not-an-image"}


def test_a_stalled_url_among_many_costs_its_deadline_and_nothing_else(tmp_path: Path, collection_factory: Any) -> None:
    with serve(IMAGES) as server:
        stalled = {"id": "item-stalled", "url": f"{server.base}/stall/x.png", "title": "x"}
        rows = [*_rows(server.base, "file", 8), stalled]
        folder = collection_factory(rows)
        settings = _settings(tmp_path, fetch_threads=4, fetch_deadline=3)  # ample for the good ones, even on one core
        report = build(load_collections([folder]), tmp_path / "dist", settings)
    assert report["totals"]["shipped"] == 8
    (line,) = map(json.loads, (tmp_path / "dist" / "rejected.jsonl").read_text().splitlines())
    assert (line["id"], line["reason"]) == ("item-stalled", "url:deadline")
