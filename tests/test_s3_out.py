"""A build to object storage (``--out s3://…``) gives, object for object, the bytes of a build to a folder.

The S3-protocol server is moto in server mode on 127.0.0.1, started by the test; pdpack reaches it through
s3fs as it would reach AWS, with the endpoint from the standard AWS_ENDPOINT_URL variable (the CLI) or from
storage options (the library). The collection holds an exact copy of an earlier picture in a later
partition, so the deduplication filter pass rewrites an uploaded partition, and a missing file, so that
rejected.jsonl is not empty.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from packager.builder.config import Settings
from packager.builder.run import build, load_collections
from tests.helpers import image_bytes, write_collection
from tests.s3_server import KEY, SECRET, s3_server

AS_OF = "2026-11-30"
ITEMS = 40


def make_collection(root: Path) -> Path:
    rows = [{"id": f"item-{n:03d}", "file": f"files/{n:03d}.png", "title": f"Print {n}"} for n in range(ITEMS)]
    rows.append({"id": "zz-copy-of-3", "file": "files/003.png", "title": "The same file again"})
    rows.append({"id": "zz-missing", "file": "files/missing.png", "title": "Not there"})
    files = {f"files/{n:03d}.png": image_bytes(color=(n * 6, 255 - n * 5, (n * 37) % 256)) for n in range(ITEMS)}
    return write_collection(root, rows, files=files)


def local_files(out: Path) -> dict[str, bytes]:
    """Every file a build wrote into a folder, and its partition records, but the rest of its state (.pdpack/)."""
    return {
        p.relative_to(out).as_posix(): p.read_bytes()
        for p in sorted(out.rglob("*"))
        if p.is_file()
        and (".pdpack" not in p.relative_to(out).parts or p.relative_to(out).parts[:2] == (".pdpack", "partitions"))
    }


def stored_files(stored: dict[str, bytes]) -> dict[str, bytes]:
    """The objects of a build at a URL but its checkpoint and progress (which the driver keeps there for --resume)."""
    state = (".pdpack/checkpoint.json", ".pdpack/progress.json")
    return {name: data for name, data in stored.items() if name not in state}


def test_a_build_to_s3_holds_the_bytes_of_a_local_build_and_nothing_older(tmp_path: Path) -> None:
    folder = make_collection(tmp_path)
    local = tmp_path / "local"
    build(load_collections([folder]), local, Settings(as_of=AS_OF, shard_max_count=8))
    expected = local_files(local)
    assert sum(name.endswith(".tar") for name in expected) > 2
    assert b"zz-copy-of-3" in expected["rejected.jsonl"] and b"zz-missing" in expected["rejected.jsonl"]
    url = "s3://pdpack-test/releases/2026-12"
    with s3_server("pdpack-test") as s3:
        # An earlier build to the same prefix, cut otherwise (other partition names), through the library.
        options = {"endpoint_url": s3.endpoint, "key": KEY, "secret": SECRET}
        build(load_collections([folder]), url, Settings(as_of=AS_OF, shard_max_count=2), storage_options=options)
        older = s3.objects(url)
        assert set(older) - set(expected), "the earlier build should leave shards this one does not write"
        env = {**os.environ, **s3.env()}
        done = subprocess.run(
            [sys.executable, "-m", "packager", "build", str(folder), "--out", url, "--as-of", AS_OF,
             "--shard-max-count", "8", "--workers", "2"],
            env=env, capture_output=True, text=True, timeout=300,
        )  # fmt: skip
        assert done.returncode == 0, done.stderr
        assert f"into {url}/" in done.stdout
        stored = s3.objects(url)
    assert ".pdpack/checkpoint.json" in stored and any(name.startswith(".pdpack/partitions/") for name in stored)
    stored = stored_files(stored)
    assert sorted(stored) == sorted(expected)  # every file and record, and nothing the earlier build left
    for name, data in expected.items():
        assert stored[name] == data, name


def test_a_previous_build_at_a_url_needs_a_url_out(tmp_path: Path) -> None:
    folder = make_collection(tmp_path)
    done = subprocess.run(
        [sys.executable, "-m", "packager", "build", str(folder), "--out", str(tmp_path / "dist"),
         "--previous", "s3://pdpack-test/x"],
        capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert done.returncode == 2, done.stderr
    assert "s3://pdpack-test/x is a URL" in done.stderr and "give a folder, or a URL --out" in done.stderr


def test_a_bucket_that_is_not_there_stops_the_build_with_what_to_check(tmp_path: Path) -> None:
    folder = make_collection(tmp_path)
    with s3_server("pdpack-test") as s3:
        done = subprocess.run(
            [sys.executable, "-m", "packager", "build", str(folder), "--out", "s3://no-such-bucket/x",
             "--as-of", AS_OF, "--workers", "2"],
            env={**os.environ, **s3.env()}, capture_output=True, text=True, timeout=300,
        )  # fmt: skip
        assert s3.fs().ls("pdpack-test") == []
    assert done.returncode == 1, done.stderr
    assert "could not write to s3://no-such-bucket/x" in done.stderr
    assert "Check the bucket, the address and the credentials" in done.stderr
