"""A build to object storage resumes after SIGKILL, and reuses an earlier build there, from the records it keeps there.

The S3-protocol server is moto in server mode (tests/s3_server.py) and the images come from the HTTP server of
tests/http_server.py, both on 127.0.0.1 and started by the test: its request counts show what a build fetched
again, and its /hold/ route stops a build at a known partition, so that it is killed at a point of progress,
not at a moment in time.
"""

from __future__ import annotations

import csv
import os
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

from packager.builder.config import Settings
from packager.builder.records import PartitionRecord
from packager.builder.run import build, load_collections
from packager.jsonutil import dumps_pretty
from tests.helpers import flatten_shards, image_bytes, write_collection
from tests.http_server import serve
from tests.s3_server import KEY, SECRET, s3_server
from tests.test_s3_out import local_files, stored_files

AS_OF = "2026-11-30"
ITEMS = 30
SHARD = 6


def images() -> dict[str, bytes]:
    return {f"{n:03d}.png": image_bytes(color=(n * 8, 200 - n * 5, (n * 41) % 256)) for n in range(ITEMS)}


def url_collection(root: Path, base: str, held: bool = False) -> Path:
    """Items whose images the HTTP server gives; with ``held``, the last one waits for the test's word."""
    rows = [{"id": f"item-{n:03d}", "url": f"{base}/files/{n:03d}.png", "title": f"Print {n}"} for n in range(ITEMS)]
    if held:
        rows.append({"id": "zz-late", "url": f"{base}/hold/late.png", "title": "The last one"})
    return write_collection(root, rows)


def settings() -> Settings:
    return Settings(as_of=AS_OF, shard_max_count=SHARD, allow_private_urls=True)


def records(fs: Any, url: str) -> list[str]:
    fs.invalidate_cache()
    root = url.split("://", 1)[1] + "/.pdpack/partitions"
    return fs.find(root) if fs.exists(root) else []


def test_a_build_to_s3_killed_mid_way_resumes_from_the_partitions_there(tmp_path: Path) -> None:
    with serve({**images(), "late.png": image_bytes(color=(3, 2, 1))}) as server:
        folder = url_collection(tmp_path, server.base, held=True)
        server.release.set()
        local = tmp_path / "local"
        build(load_collections([folder]), local, settings())
        expected = local_files(local)
        partitions = sum(name.startswith(".pdpack/partitions/") for name in expected)
        assert partitions >= 4
        server.release.clear()
        server.arrived.clear()
        url = "s3://pdpack-test/builds/2026-11"
        with s3_server("pdpack-test") as s3:
            fs = s3.fs()
            args = [sys.executable, "-m", "packager", "build", str(folder), "--out", url, "--as-of", AS_OF,
                    "--shard-max-count", str(SHARD), "--workers", "1",
                    "--allow-private-urls", "--no-cache"]  # fmt: skip
            env = {**os.environ, **s3.env()}
            process = subprocess.Popen(args, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
            # Every partition before the last is complete there, and the last waits for its image.
            while not (server.arrived.is_set() and len(records(fs, url)) == partitions - 1):
                assert process.poll() is None, process.communicate()
                time.sleep(0.01)  # polling only: the build cannot get past the held image
            process.kill()
            process.communicate(timeout=60)
            assert records(fs, url) and fs.find(url.split("://", 1)[1] + "/data")
            server.hits.clear()
            server.release.set()
            resumed = subprocess.run([*args, "--resume"], env=env, capture_output=True, text=True, timeout=300)
            assert resumed.returncode == 0, resumed.stderr
            assert "Resuming the interrupted build in s3://pdpack-test/builds/2026-11" in resumed.stderr
            stored = stored_files(s3.objects(url))
    assert sorted(stored) == sorted(expected)
    for name, data in expected.items():
        assert stored[name] == data, name
    # The partitions complete before the kill were kept: only the last one's images were fetched again.
    assert server.hits["/hold/late.png"] == 1 and sum(server.hits.values()) <= SHARD + 1


def test_a_build_to_s3_reuses_an_earlier_build_there_without_fetching_its_images(tmp_path: Path) -> None:
    with serve(images()) as server, s3_server("pdpack-test") as s3:
        folder = url_collection(tmp_path, server.base)
        options = {"endpoint_url": s3.endpoint, "key": KEY, "secret": SECRET}
        november, december = "s3://pdpack-test/builds/2026.11", "s3://pdpack-test/builds/2026.12"
        build(load_collections([folder]), november, settings(), storage_options=options)
        before = s3.objects(november)
        items = folder / "items.csv"
        with items.open(encoding="utf-8", newline="") as handle:
            rows = list(csv.DictReader(handle))
        rows[ITEMS // 2]["title"] = "Print 15, retitled"
        with items.open("w", encoding="utf-8", newline="") as handle:
            writer = csv.DictWriter(handle, fieldnames=list(rows[0]))
            writer.writeheader()
            writer.writerows(rows)
        local = tmp_path / "cold"
        build(load_collections([folder]), local, settings())  # from scratch, for the bytes
        expected = local_files(local)
        server.hits.clear()
        build(load_collections([folder]), december, settings(), storage_options=options, previous=november)
        stored = stored_files(s3.objects(december))
        assert stored_files(s3.objects(november)) == stored_files(before)  # the earlier build is left as it was
    assert sorted(stored) == sorted(expected)
    for name, data in expected.items():
        assert stored[name] == data, name
    # Only the changed partition's images were fetched again (a partition holds at most SHARD items).
    assert 0 < sum(server.hits.values()) <= SHARD
    assert f"/files/{ITEMS // 2:03d}.png" in server.hits


def test_an_earlier_build_at_a_url_with_uncompressed_records_is_reused(tmp_path: Path) -> None:
    import fsspec

    with serve(images()) as server, s3_server("pdpack-test") as s3:
        folder = url_collection(tmp_path, server.base)
        options = {"endpoint_url": s3.endpoint, "key": KEY, "secret": SECRET}
        november, december = "s3://pdpack-test/builds/2026.11", "s3://pdpack-test/builds/2026.12"
        build(load_collections([folder]), november, settings(), storage_options=options)
        # As pdpack kept records before they were compressed: indented JSON, one .json per partition.
        fs, _ = fsspec.core.url_to_fs(november, **options)
        for path in records(fs, november):
            record = PartitionRecord.from_bytes(fs.cat_file(path))
            fs.pipe_file(path.removesuffix(".gz"), dumps_pretty(record.to_json()).encode())
            fs.rm(path)
        assert records(fs, november) and all(path.endswith(".json") for path in records(fs, november))
        local = tmp_path / "cold"
        build(load_collections([folder]), local, settings())
        server.hits.clear()
        build(load_collections([folder]), december, settings(), storage_options=options, previous=november)
        stored = stored_files(s3.objects(december))
    assert stored == local_files(local)  # the records as written now, and nothing else
    assert sum(server.hits.values()) == 0  # every partition reused: no image fetched


def test_an_earlier_build_at_a_url_in_the_flat_layout_is_built_again_into_subfolders(tmp_path: Path) -> None:
    import fsspec

    with serve(images()) as server, s3_server("pdpack-test") as s3:
        folder = url_collection(tmp_path, server.base)
        options = {"endpoint_url": s3.endpoint, "key": KEY, "secret": SECRET}
        november, december = "s3://pdpack-test/builds/2026.11", "s3://pdpack-test/builds/2026.12"
        # November as pdpack wrote it before shard subfolders: data/COLLECTION/PARTITION-NNN.tar.
        earlier = tmp_path / "november"
        build(load_collections([folder]), earlier, settings())
        flat = flatten_shards(earlier)
        fs, root = fsspec.core.url_to_fs(november, **options)
        for path in sorted(p for p in earlier.rglob("*") if p.is_file()):
            fs.put_file(str(path), f"{root}/{path.relative_to(earlier).as_posix()}")
        assert flat <= set(stored_files(s3.objects(november)))
        local = tmp_path / "cold"
        build(load_collections([folder]), local, settings())
        server.hits.clear()
        build(load_collections([folder]), december, settings(), storage_options=options, previous=november)
        stored = stored_files(s3.objects(december))
    assert stored == local_files(local)  # every shard at its path in subfolders, none at a flat one
    assert sum(server.hits.values()) == ITEMS  # no partition taken as it was: each built again
