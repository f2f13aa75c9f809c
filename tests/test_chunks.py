"""Partitions of unequal sizes processed in chunks by any worker: real builds, the same bytes for any pool."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from packager.builder.chunks import LOCAL_CHUNK_ITEMS, chunk_folder
from packager.builder.config import Settings
from packager.builder.engine_base import Engine
from packager.builder.partition_flow import all_partitions
from packager.builder.run import build, load_collections
from packager.outputs import thumbnail_cache
from packager.outputs.report_data import GALLERY_SIZE
from packager.sample import shard_folder
from tests.helpers import image_bytes, write_collection

ITEMS = 230
# Three partitions of 56, 106 and 72 items (packager.builder.partitions.bounds): each spans several
# chunks, and a shard holds about 28 of these samples, so each partition rolls over by size.
SETTINGS = Settings(as_of="2026-11-30", shard_max_count=150, shard_max_size=300_000)


@pytest.fixture(scope="module")
def collection(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("chunks")
    rows = []
    files = {}
    for n in range(ITEMS):
        name = f"files/{n:04d}.png"
        files[name] = image_bytes(size=(48, 40), color=(n % 256, (n * 7) % 256, (n * 13) % 256))
        rows.append({"id": f"item-{n:04d}", "file": name, "title": f"Print number {n}"})
    # Held back part-way through chunks: a missing file, a damaged one, an item in copyright, and a
    # copy of an earlier file (the deduplication stage takes it out of a partition already written).
    files["files/damaged.png"] = image_bytes(size=(48, 40), color=(1, 2, 3))[:-40]
    rows += [
        {"id": "item-0040-missing", "file": "files/nowhere.png", "title": "Lost"},
        {"id": "item-0100-damaged", "file": "files/damaged.png", "title": "Damaged"},
        {"id": "item-0150-protected", "file": "files/0001.png", "title": "In copyright", "rights": "InC"},
        {"id": "item-0199-copy", "file": "files/0007.png", "title": "The same file again"},
    ]
    return write_collection(root, rows, files=files)


def outputs(out: Path) -> dict[str, bytes]:
    """Every file of the build, the partition records (a later build reuses them) included."""
    files = {p.relative_to(out).as_posix(): p.read_bytes() for p in out.rglob("*") if p.is_file()}
    return {
        name: data
        for name, data in files.items()
        if not name.startswith(".pdpack/") or name.startswith(".pdpack/partitions/")
    }


def build_with(collection: Path, out: Path, workers: int, engine: Engine | None = None) -> dict[str, bytes]:
    build(load_collections([collection]), out, SETTINGS, workers=workers, engine=engine)
    assert not chunk_folder(out).exists()  # every chunk file is gone once its partition is written
    return outputs(out)


@pytest.fixture(scope="module")
def serial(collection: Path, tmp_path_factory: pytest.TempPathFactory) -> dict[str, bytes]:
    return build_with(collection, tmp_path_factory.mktemp("serial") / "out", workers=1)


def test_the_set_has_unequal_partitions_of_several_chunks_and_shards(
    collection: Path, serial: dict[str, bytes]
) -> None:
    sizes = [len(p.entries) for p in all_partitions(load_collections([collection]), SETTINGS)]
    assert len(set(sizes)) == len(sizes) >= 2
    assert sum(size > LOCAL_CHUNK_ITEMS for size in sizes) >= 2
    shards = sorted(name for name in serial if name.endswith(".tar"))
    partitions = {name.rsplit("-", 1)[0] for name in shards}
    assert len(shards) > len(partitions) == len(sizes)  # some partitions roll over into a second shard
    rejected = serial["rejected.jsonl"].decode()
    for reason in ("file:missing", "image:truncated", "duplicate", "item-0150-protected"):
        assert reason in rejected, reason


@pytest.mark.parametrize("workers", [2, 3])
def test_any_number_of_workers_writes_the_bytes_of_a_serial_build(
    collection: Path, serial: dict[str, bytes], tmp_path: Path, workers: int
) -> None:
    got = build_with(collection, tmp_path / "out", workers)
    assert sorted(got) == sorted(serial)
    for name, data in serial.items():
        assert got[name] == data, name


def test_the_gallery_is_drawn_on_the_workers_and_its_page_is_the_serial_build_s(
    collection: Path, serial: dict[str, bytes], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    drawn_here: list[int] = []
    # Only this process's drawing is replaced: the workers were forked from the fork server's own imports.
    monkeypatch.setattr(thumbnail_cache, "thumbnail_uri", lambda image, side: drawn_here.append(side))
    got = build_with(collection, tmp_path / "out", workers=2)
    assert drawn_here == []
    assert serial["report.html"].count(b'src="data:image/') > GALLERY_SIZE  # the gallery and held-back pictures
    assert got["report.html"] == serial["report.html"]


def test_a_resumed_build_mixes_chunked_and_reused_partitions_and_removes_stale_chunks(
    collection: Path, serial: dict[str, bytes], tmp_path: Path
) -> None:
    out = tmp_path / "out"
    build_with(collection, out, workers=2)
    # As a build killed part-way leaves it: partitions without a record, and chunk files. On --resume the
    # first is written again by the build process, the second in chunks, the third reused by a worker.
    first, second, third = all_partitions(load_collections([collection]), SETTINGS)
    records = out / ".pdpack" / "partitions" / "test-museum"
    for partition in (first, second):
        (records / f"{partition.name}.json.gz").unlink()
    stale = chunk_folder(out) / "test-museum" / f"{second.name}-00001.tar"
    stale.parent.mkdir(parents=True)
    stale.write_bytes(b"written by a build that was killed")
    # Links to the shards as they are: a file written again is a new file (the link keeps the old one's inode).
    shards = out / "data" / "test-museum"
    links = tmp_path / "links"
    links.mkdir()
    for path in shards.rglob("*.tar"):
        os.link(path, links / path.name)
    assert any(links.iterdir())
    build(load_collections([collection]), out, SETTINGS, workers=2, resume=True)
    assert not chunk_folder(out).exists()
    assert outputs(out) == serial
    here = {link.name: out / shard_folder("test-museum", link.name) / link.name for link in links.iterdir()}
    kept = {link.name for link in links.iterdir() if here[link.name].samefile(link)}
    assert kept == {link.name for link in links.iterdir() if link.name.startswith(third.name)}


@pytest.mark.ray
def test_ray_writes_the_bytes_of_a_serial_build(collection: Path, serial: dict[str, bytes], tmp_path: Path) -> None:
    pytest.importorskip("ray")
    from packager.builder.ray_engine import RayEngine

    with RayEngine(num_cpus=2) as engine:
        got = build_with(collection, tmp_path / "out", workers=2, engine=engine)
    assert got == serial


def test_a_build_that_fails_leaves_no_chunk_files(collection: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    # A file where the collection's shard folder must go: every chunk is written, then no partition can be.
    (out / "data").mkdir(parents=True)
    (out / "data" / "test-museum").write_text("in the way", encoding="utf-8")
    with pytest.raises(OSError):
        build(load_collections([collection]), out, SETTINGS, workers=2)
    assert not chunk_folder(out).exists()
