"""Downloads run ahead of the items being processed, so that a stalled server is found out early in a
build, not at its end (issue 15, point 5), against a real HTTP server on 127.0.0.1.

The server's progress points make these tests independent of the machine's speed: a URL it holds
is answered once the URLs it waits for have been requested, never after a pause.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from packager.builder.checkpoint import state_dir
from packager.builder.run import build, load_collections
from packager.builder.stages import Settings
from packager.sample import SHARD_GLOB
from tests.helpers import image_bytes
from tests.http_server import serve

COUNT = 96  # 12 tasks of 8 items (2 download threads x 4): more than the 8 tasks two workers have in flight
IMAGES = {f"{n}.png": image_bytes("PNG", color=(n % 256, 255 - 2 * n % 256, 40 + 3 * n % 200)) for n in range(COUNT)}


def _settings(**fields: Any) -> Settings:
    # A deadline far above what the test needs on any machine: the holds end by progress points, and a
    # hold that ended by the deadline would show as a rejection.
    return Settings(as_of="2026-11-30", allow_private_urls=True, fetch_threads=2, max_per_host=8, **fields)


def test_the_last_url_is_requested_while_the_first_is_held(tmp_path: Path, collection_factory: Any) -> None:
    # The attack of bench/url_fetch.py --stall, turned into progress points: the first URL in build order
    # is answered only once the last one has been requested, and the last only once every other has.
    # A build that downloads each task's items only when it processes them stops at the first (its
    # workers fill the window of tasks in flight, and the last task is never sent) until the first
    # URL's deadline rejects it; one that fetches ahead asks for the last URL while the first is held.
    with serve(IMAGES) as server:
        paths = [f"/after/{n}.png" for n in range(COUNT)]
        server.after = {paths[0]: {paths[-1]}, paths[-1]: set(paths[:-1])}
        rows = [
            {"id": f"item-{n:03d}", "url": server.base + path, "title": f"Picture {n}"} for n, path in enumerate(paths)
        ]
        folder = collection_factory(rows)
        out = tmp_path / "dist"
        report = build(load_collections([folder]), out, _settings(fetch_deadline=30), workers=2)
        hits = dict(server.hits)
    assert (out / "rejected.jsonl").read_text() == ""
    assert report["totals"]["shipped"] == COUNT
    assert hits == {path: 1 for path in paths}  # each URL downloaded once, ahead or by its own worker
    assert not (state_dir(out) / "prefetch").exists()


def test_a_download_fetched_ahead_gives_the_same_outcome(tmp_path: Path, collection_factory: Any) -> None:
    # Failures among the URLs that later tasks hold (fetched ahead by the workers of earlier ones) end
    # as the same rejections, and the output is byte-identical to a build on one worker, which fetches
    # nothing ahead.
    with serve({**IMAGES, "page.png": b"<html>not a picture</html>"}) as server:
        rows = [
            {"id": f"item-{n:03d}", "url": f"{server.base}/file/{n}.png", "title": f"Picture {n}"} for n in range(COUNT)
        ]
        rows[70]["url"] = f"{server.base}/file/gone.png"
        rows[80]["url"] = f"{server.base}/html/page.png"
        rows[90]["url"] = f"{server.base}/stall/x.png"
        folder = collection_factory(rows)
        outputs = []
        for name, workers in (("one", 1), ("two", 2)):
            out = tmp_path / name
            server.hits.clear()
            build(load_collections([folder]), out, _settings(fetch_deadline=3), workers=workers)
            assert set(server.hits.values()) == {1}, name  # nothing downloaded twice
            outputs.append(out)
    one, two = outputs
    written = sorted(str(path.relative_to(one)) for path in one.glob(SHARD_GLOB) if path.is_file())
    assert any(name.endswith(".tar") for name in written)
    assert written == sorted(str(path.relative_to(two)) for path in two.glob(SHARD_GLOB) if path.is_file())
    for relative in [*written, "rejected.jsonl"]:
        assert (one / relative).read_bytes() == (two / relative).read_bytes(), relative
    reasons = {r["id"]: r["reason"] for r in map(json.loads, (two / "rejected.jsonl").read_text().splitlines())}
    assert reasons == {"item-070": "url:http-error", "item-080": "url:not-an-image", "item-090": "url:deadline"}


def test_an_item_fetched_ahead_keeps_its_own_budget(tmp_path: Path, collection_factory: Any) -> None:
    # A stalled URL that a later task holds, with the item's budget (--item-deadline) well below the
    # deadline per URL: the worker that fetches it ahead gives up when the item's budget runs out, and
    # the item is held back as item:deadline with the message a build on one worker writes.
    with serve(IMAGES) as server:
        rows = [
            {"id": f"item-{n:03d}", "url": f"{server.base}/file/{n}.png", "title": f"Picture {n}"} for n in range(COUNT)
        ]
        rows[90]["url"] = f"{server.base}/stall/x.png"
        folder = collection_factory(rows)
        outputs = []
        for name, workers in (("one", 1), ("two", 2)):
            out = tmp_path / name
            build(load_collections([folder]), out, _settings(fetch_deadline=60, item_deadline=3), workers=workers)
            outputs.append(out)
    one, two = outputs
    assert (one / "rejected.jsonl").read_bytes() == (two / "rejected.jsonl").read_bytes()
    (line,) = map(json.loads, (two / "rejected.jsonl").read_text().splitlines())
    assert (line["id"], line["reason"]) == ("item-090", "item:deadline")
    assert "ran out while downloading" in line["message"]
