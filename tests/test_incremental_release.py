"""Incremental releases: what a release beside its previous one takes from it, byte for byte as a release that
takes nothing; the gallery thumbnails it keeps; and an incremental build killed with SIGKILL, then resumed."""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import signal
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from packager.builder.config import Settings
from packager.outputs.thumbnail_cache import THUMBNAILS_FILE, ThumbnailCache, drawn_by
from packager.outputs.thumbnails import GALLERY_SIDE, thumbnail_uri
from packager.publish.release import ReleaseOptions, ReleaseResult, make_release
from tests.helpers import REPO, image_bytes, shard_files, write_collection
from tests.http_server import serve

SOURCE_URL = "https://github.com/example/pdpack"
ITEMS = 36


def rows(count: int = ITEMS) -> list[dict[str, str]]:
    return [{"id": f"item-{n:03d}", "file": f"files/{n:03d}.png", "title": f"Print {n}"} for n in range(count)]


def pictures(count: int = ITEMS) -> dict[str, bytes]:
    return {f"files/{n:03d}.png": image_bytes(color=(n * 7, 255 - n * 5, (n * 37) % 256)) for n in range(count)}


def outputs(out: Path) -> dict[str, bytes]:
    """Every file a build or release wrote, less its state folder (.pdpack/: records, checkpoint, caches)."""
    files = {p.relative_to(out).as_posix(): p.read_bytes() for p in sorted(out.rglob("*")) if p.is_file()}
    return {name: data for name, data in files.items() if not name.startswith(".pdpack/")}


def release(manifests: Path, out: Path, as_of: str, previous: Path | None, workers: int = 1) -> ReleaseResult:
    settings = Settings(as_of=as_of, shard_max_count=4)
    return make_release(
        manifests, out, settings, ReleaseOptions(previous=previous, workers=workers, source_url=SOURCE_URL)
    )


@pytest.fixture(scope="module")
def releases(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """A first release; the next month's beside it (with a pool of workers) and one made without its records."""
    root = tmp_path_factory.mktemp("incremental")
    manifests = root / "manifests"
    write_collection(manifests, rows(), files=pictures())
    first = release(manifests, root / "releases" / "2026.11", "2026-11-30", None).out
    # One item added, one retitled, one removed (from different partitions), as bench/incremental.py does.
    edited = [row for row in rows() if row["id"] != "item-030"]
    edited = [{**row, "title": "Print 17, retitled"} if row["id"] == "item-017" else row for row in edited]
    edited.append({"id": "item-added", "file": "files/added.png", "title": "Added this month"})
    write_collection(manifests, edited, files={"files/added.png": image_bytes(color=(3, 200, 90))})
    warm = release(manifests, root / "releases" / "2026.12", "2026-12-31", first, workers=2).out
    # The same previous release, copied without its records: nothing can be reused or shared with it.
    bare = root / "bare" / "2026.11"
    shutil.copytree(first, bare, ignore=shutil.ignore_patterns(".pdpack"))
    cold = release(manifests, root / "bare" / "2026.12", "2026-12-31", bare).out
    return {"first": first, "warm": warm, "cold": cold}


def test_a_release_beside_its_previous_is_byte_identical_to_one_that_reuses_nothing(releases: dict[str, Path]) -> None:
    warm, cold = outputs(releases["warm"]), outputs(releases["cold"])
    assert sorted(warm) == sorted(cold)
    for name in cold:
        assert warm[name] == cold[name], name
    changelog = warm["CHANGELOG.md"].decode()
    assert "1 sample(s) added, 1 removed" in changelog
    assert "- item-added: new in the manifest" in changelog and "- item-030: no longer in the manifest" in changelog


def linked(earlier: Path, later: Path, suffix: str = ".tar") -> list[Path]:
    """The shard files of ``later`` that are ``earlier``'s files (hard links), not written again."""
    return [
        path
        for path in shard_files(later, suffix)
        if (earlier / path.relative_to(later)).is_file()
        and (earlier / path.relative_to(later)).stat().st_ino == path.stat().st_ino
    ]


def test_unchanged_partitions_are_the_previous_release_s_files(releases: dict[str, Path]) -> None:
    first, warm = releases["first"], releases["warm"]
    # The added, the retitled and the removed item's partitions changed (and the next one, when the removed
    # id was a cut): at most four shard files, as the target says.
    for suffix in (".tar", ".parquet"):
        assert len(shard_files(warm, suffix)) - len(linked(first, warm, suffix)) <= 4
    assert len(linked(first, warm)) >= len(shard_files(warm)) // 2


def test_each_release_keeps_its_gallery_thumbnails_for_the_next(releases: dict[str, Path]) -> None:
    first, warm = releases["first"], releases["warm"]
    kept = json.loads((first / ".pdpack" / THUMBNAILS_FILE).read_text(encoding="utf-8"))
    now = json.loads((warm / ".pdpack" / THUMBNAILS_FILE).read_text(encoding="utf-8"))
    assert kept["drawn_by"] == now["drawn_by"] == drawn_by()
    shared = set(kept["thumbnails"]) & set(now["thumbnails"])
    assert shared and all(kept["thumbnails"][key] == now["thumbnails"][key] for key in shared)
    page = (warm / "report.html").read_text(encoding="utf-8")
    assert all(uri in page for uri in now["thumbnails"].values() if uri)


def saved(path: Path, tag: str, entries: dict[str, Any]) -> Path:
    path.write_text(json.dumps({"drawn_by": tag, "thumbnails": entries}), encoding="utf-8")
    return path


def test_a_kept_thumbnail_is_used_only_if_the_same_code_drew_it_and_it_is_a_picture(tmp_path: Path) -> None:
    picture = image_bytes(size=(600, 400), color=(200, 30, 40))
    other = image_bytes(size=(600, 400), color=(20, 30, 240))
    drawn = thumbnail_uri(picture, GALLERY_SIDE)
    assert drawn is not None and drawn.startswith("data:image/jpeg;base64,")
    key = f"{GALLERY_SIDE}:{hashlib.sha256(picture).hexdigest()}"
    stand_in = thumbnail_uri(other, GALLERY_SIDE)
    # Kept by this pdpack and Pillow: used as it is (a stand-in proves that it is not drawn again).
    cache = ThumbnailCache([saved(tmp_path / "same.json", drawn_by(), {key: stand_in})])
    assert cache.uri(picture, GALLERY_SIDE) == stand_in
    # Drawn by other versions, or not a picture's data: URI: drawn again.
    for name, tag, uri in (
        ("older.json", "pdpack 0.0.9; Pillow 9.0.0", stand_in),
        ("script.json", drawn_by(), "javascript:alert(1)"),
        ("html.json", drawn_by(), "data:text/html;base64,PHNjcmlwdD4="),
        ("quote.json", drawn_by(), 'data:image/png;base64,AAAA" onerror="x'),
    ):
        assert ThumbnailCache([saved(tmp_path / name, tag, {key: uri})]).uri(picture, GALLERY_SIDE) == drawn, name
    (tmp_path / "torn.json").write_text('{"drawn_by": "pdp', encoding="utf-8")
    assert ThumbnailCache([tmp_path / "torn.json", tmp_path / "missing.json"]).uri(picture, GALLERY_SIDE) == drawn
    # What it saves: only the thumbnails this build asked for.
    fresh = ThumbnailCache([saved(tmp_path / "many.json", drawn_by(), {key: stand_in, "280:" + "0" * 64: stand_in})])
    fresh.uri(other, GALLERY_SIDE)
    fresh.save(tmp_path / "next" / THUMBNAILS_FILE)
    again = json.loads((tmp_path / "next" / THUMBNAILS_FILE).read_text(encoding="utf-8"))
    assert list(again["thumbnails"].values()) == [stand_in] and key not in again["thumbnails"]


def build_command(folder: Path, out: Path, *extra: str) -> list[str]:
    return [
        sys.executable, "-m", "packager", "build", str(folder), "--out", str(out), "--as-of", "2026-12-31",
        "--shard-max-count", "2", "--allow-private-urls", "--no-cache", *extra,
    ]  # fmt: skip


def test_an_incremental_build_killed_then_resumed_gives_the_bytes_of_a_cold_build(tmp_path: Path) -> None:
    # A url column from the start: the columns a manifest has are part of every item's key (messages name them).
    folder = write_collection(tmp_path / "manifests", [{**row, "url": ""} for row in rows()], files=pictures())
    first = tmp_path / "first"
    done = subprocess.run(build_command(folder, first), capture_output=True, text=True, check=False)
    assert done.returncode == 0, done.stderr
    with serve({"late.png": image_bytes(color=(1, 2, 250))}) as server:
        # The next month: one item retitled, and a last one whose download waits at the test's server, so the
        # build is killed at a known point: every partition before it reused or written, the last one not.
        edited = [{**row, "url": ""} for row in rows()]
        edited = [{**row, "title": "Print 5, retitled"} if row["id"] == "item-005" else row for row in edited]
        edited.append({"id": "zz-late", "url": f"{server.base}/hold/late.png", "title": "Sent late"})
        write_collection(tmp_path / "manifests", edited)
        warm = tmp_path / "warm"
        build = subprocess.Popen(
            build_command(folder, warm, "--previous", str(first), "--workers", "2"),
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            start_new_session=True,  # its own process group: the kill takes its workers too, as a crash would
        )
        try:
            assert server.arrived.wait(timeout=120), "the build never reached the last item"
            os.killpg(build.pid, signal.SIGKILL)
            build.communicate(timeout=60)
        finally:
            server.release.set()
            if build.poll() is None:
                build.kill()
        assert build.returncode == -signal.SIGKILL
        assert not (warm / "report.json").exists()
        again = build_command(folder, warm, "--previous", str(first), "--resume")
        resumed = subprocess.run(again, capture_output=True, text=True, check=False)
        assert resumed.returncode == 0, resumed.stderr
        cold = tmp_path / "cold"
        done = subprocess.run(build_command(folder, cold), capture_output=True, text=True, check=False)
        assert done.returncode == 0, done.stderr
    got, expected = outputs(warm), outputs(cold)
    assert sorted(got) == sorted(expected)
    for name in expected:
        assert got[name] == expected[name], name
    # Only the retitled item's partition and the last one (with the new item) were written again.
    assert len(shard_files(warm)) - len(linked(first, warm)) <= 3


# A release beside an unchanged previous one, with a pool whose fork server cannot fork a worker until the
# script opens the gate (tests/pool_gate.py), which it does only once the release is made.
HELD_BACK_WORKERS = """
import multiprocessing, os, sys
from pathlib import Path
from packager.builder.config import Settings
from packager.builder.engines import WORKER_MODULES
from packager.builder.local_pool import LocalPoolEngine
from packager.publish.release import ReleaseOptions, make_release
manifests, first, out = map(Path, sys.argv[1:4])
engine = LocalPoolEngine(2, ['tests.pool_gate', *WORKER_MODULES])
options = ReleaseOptions(previous=first, workers=2, source_url=sys.argv[4])
make_release(manifests, out, Settings(as_of='2026-12-31', shard_max_count=4), options, engine=engine)
print(len(multiprocessing.active_children()))
os.close(os.open(os.environ['PDPACK_TEST_POOL_GATE'], os.O_WRONLY))
engine.close()
"""


def test_a_release_with_nothing_changed_is_checked_by_its_own_process_while_the_workers_start(tmp_path: Path) -> None:
    manifests = tmp_path / "manifests"
    write_collection(manifests, rows(12), files=pictures(12))
    first = release(manifests, tmp_path / "releases" / "2026.11", "2026-11-30", None).out
    assert isinstance(first, Path)
    gate = tmp_path / "gate"
    os.mkfifo(gate)
    second = tmp_path / "releases" / "2026.12"
    command = [sys.executable, "-c", HELD_BACK_WORKERS, str(manifests), str(first), str(second), SOURCE_URL]
    env = {**os.environ, "PDPACK_TEST_POOL_GATE": str(gate)}
    # Had a partition needed a worker, the release would wait for one forever: the timeout only ends such a wait.
    done = subprocess.run(command, cwd=REPO, env=env, capture_output=True, text=True, timeout=300, check=False)
    assert done.returncode == 0, done.stderr
    assert done.stdout.split() == ["0"]  # no worker process existed when the release was made
    # Every shard is the first release's file; the records say so too.
    assert shard_files(second) and len(linked(first, second)) == len(shard_files(second))
    assert (
        json.loads((second / "report.json").read_text())["shards"]
        == json.loads((first / "report.json").read_text())["shards"]
    )
