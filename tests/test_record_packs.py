"""Partition records and indexes as a push publishes them: packs (packager.publish.record_packs).

A pack is the same bytes for the same records and indexes, wherever the folder is; a change to one partition
changes the pack that holds it and at most the next; unpacked, a pack gives back the build's own files byte
for byte. A pack from the Hub is untrusted: a member outside the names pdpack packs, a link, one too large,
an index the Hub does not list with those bytes, a torn pack, or a record that inflates like a gzip bomb
never reaches the build as a usable file, and nothing is written outside the release folder.
"""

from __future__ import annotations

import gzip
import hashlib
import io
import shutil
import tarfile
from pathlib import Path

import pytest

from packager.builder.records import MAX_RECORD_BYTES
from packager.builder.remote import RemoteFile
from packager.builder.reuse import PUBLISHED_RECORDS, load_record, record_files
from packager.builder.run import build, load_collections
from packager.builder.stages import Settings
from packager.model import PushError
from packager.publish import record_packs
from packager.publish.record_packs import GROUP, PACK_SUFFIX, groups, pack_bytes, unpack, write_packs
from packager.sample import shard_stem
from tests.helpers import image_bytes, write_collection


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A build of two collections, 4 items a shard: a dozen partitions, their records and indexes."""
    root = tmp_path_factory.mktemp("packs")
    for cid, count in (("a-prints", 12), ("b-photos", 36)):
        files = {f"files/{n:03d}.png": image_bytes(color=(n * 7 % 256, len(cid) * 9, 200)) for n in range(count)}
        rows = [{"id": f"{cid[0]}-{n:03d}", "file": f"files/{n:03d}.png", "title": f"Work {n}"} for n in range(count)]
        write_collection(root / "manifests", rows, cid, files)
    collections = load_collections(sorted(p.parent for p in (root / "manifests").glob("*/collection.yaml")))
    out = root / "out"
    build(collections, out, Settings(as_of="2026-11-30", shard_max_count=4))
    return out


def listing(folder: Path) -> dict[str, RemoteFile]:
    """What the Hub lists for a pushed folder's data files: each one's SHA-256 and size."""
    return {
        p.relative_to(folder).as_posix(): RemoteFile(hashlib.sha256(p.read_bytes()).hexdigest(), p.stat().st_size)
        for p in (folder / "data").rglob("*")
        if p.is_file()
    }


def published_packs(folder: Path) -> dict[str, bytes]:
    return {path: source.read_bytes() for path, source in write_packs(folder)}


def test_packs_are_the_same_bytes_for_the_same_records_wherever_the_folder_is(built: Path, tmp_path: Path) -> None:
    packs = published_packs(built)
    records = record_files(built / PUBLISHED_RECORDS)
    assert len(records) >= 10 and len(packs) == 2  # one pack a collection, at this size
    assert all(path.startswith(PUBLISHED_RECORDS) and path.endswith(PACK_SUFFIX) for path in packs)
    assert published_packs(built) == packs  # made again: the same bytes
    copy = tmp_path / "elsewhere"
    shutil.copytree(built, copy)
    shutil.rmtree(copy / ".pdpack" / "packs")
    assert published_packs(copy) == packs
    (copy / ".pdpack" / "packs" / "a-prints" / f"stale{PACK_SUFFIX}").write_bytes(b"left by an earlier push")
    assert published_packs(copy) == packs and not list(copy.rglob(f"stale{PACK_SUFFIX}"))
    # Never written, nor a stale one deleted, through a link to somewhere else.
    elsewhere = tmp_path / "not-the-folder"
    shutil.move(copy / ".pdpack" / "packs", elsewhere)
    (copy / ".pdpack" / "packs").symlink_to(elsewhere, target_is_directory=True)
    before = {p: p.read_bytes() for p in elsewhere.rglob("*") if p.is_file()}
    with pytest.raises(PushError, match="is a symbolic link"):
        write_packs(copy)
    assert {p: p.read_bytes() for p in elsewhere.rglob("*") if p.is_file()} == before


def test_unpacked_packs_give_back_the_records_and_indexes(built: Path, tmp_path: Path) -> None:
    fetched = tmp_path / "fetched"
    for path, data in published_packs(built).items():
        (fetched / path).parent.mkdir(parents=True, exist_ok=True)
        (fetched / path).write_bytes(data)
    indexes = {p.relative_to(built).as_posix(): p.read_bytes() for p in (built / "data").rglob("*.parquet")}
    records = {p.relative_to(built).as_posix(): p.read_bytes() for _, _, p in record_files(built / PUBLISHED_RECORDS)}

    assert unpack(fetched, listing(built)) == len(indexes) + len(records)

    got = {p.relative_to(fetched).as_posix(): p.read_bytes() for p in fetched.rglob("*") if p.is_file()}
    assert got == indexes | records  # and the packs are gone


def test_a_changed_partition_changes_its_pack_and_at_most_the_next() -> None:
    names = [hashlib.sha256(str(n).encode()).hexdigest()[:16] for n in range(3000)]
    before = groups(names)
    assert all(len(g) <= GROUP.high for g in before) and all(len(g) >= GROUP.low for g in before[:-1])
    assert 3000 / len(before) > GROUP.low  # about GROUP.low + GROUP.divisor a pack
    for changed in (names[:1500] + names[1501:], [*names, "0" * 16], [*names, "7" * 16], [*names, "f" * 16]):
        after = groups(changed)
        assert len({tuple(g) for g in after} - {tuple(g) for g in before}) <= 2


def hostile_pack(members: list[tuple[tarfile.TarInfo, bytes | None]]) -> bytes:
    sink = io.BytesIO()
    with tarfile.open(fileobj=sink, mode="w", format=tarfile.PAX_FORMAT) as archive:
        for info, data in members:
            info.size = len(data or b"")
            archive.addfile(info, io.BytesIO(data) if data is not None else None)
    return sink.getvalue()


def member(name: str, kind: bytes = tarfile.REGTYPE, link: str = "") -> tarfile.TarInfo:
    info = tarfile.TarInfo(name)
    info.type = kind
    info.linkname = link
    return info


def test_a_hostile_pack_writes_nothing_it_should_not(
    built: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    fetched = tmp_path / "release"
    folder = fetched / PUBLISHED_RECORDS / "a-prints"
    folder.mkdir(parents=True)
    record = gzip.compress(b'{"collection": "a-prints"}', mtime=0)
    bomb = gzip.compress(bytes(MAX_RECORD_BYTES + 1), mtime=0)  # 64 MiB of zeros in 64 KB
    index = b"PAR1 an index\n"
    listed = {
        shard_stem("a-prints", "0000000000000002", 0) + ".parquet": RemoteFile(
            hashlib.sha256(index).hexdigest(), len(index)
        )
    }
    monkeypatch.setattr(record_packs, "MAX_RECORD_BYTES", 1 << 20)  # a member's largest size, for this test
    pack = hostile_pack(
        [
            (member("../../outside.json.gz"), record),
            (member("sub/inner.json.gz"), record),
            (member("/etc/absolute.json.gz"), record),
            (member("link.json.gz", tarfile.SYMTYPE, "/etc/passwd"), None),
            (member("hard.json.gz", tarfile.LNKTYPE, "../../outside.json.gz"), None),
            (member("large.json.gz"), bytes(2 << 20)),
            (member("notes.txt"), b"not a record"),
            (member("0000000000000001-000.parquet"), b"an index the Hub does not list"),
            (member("0000000000000002-000.parquet"), index),
            (member("bomb.json.gz"), bomb),
            (member("0000000000000003.json.gz"), record),
        ]
    )
    (folder / f"0000000000000001{PACK_SUFFIX}").write_bytes(pack)
    (folder / f"0000000000000009{PACK_SUFFIX}").write_bytes(pack_bytes([("0000000000000009.json.gz", record)])[:530])

    assert unpack(fetched, listed) == 3

    written = sorted(p.relative_to(tmp_path).as_posix() for p in tmp_path.rglob("*") if p.is_file())
    assert written == [
        "release/.pdpack/partitions/a-prints/0000000000000003.json.gz",
        "release/.pdpack/partitions/a-prints/bomb.json.gz",
        "release/data/a-prints/00/0000000000000002-000.parquet",
    ]
    assert not any(p.is_symlink() for p in tmp_path.rglob("*"))
    # The bomb is a file like any torn record: reading it refuses it, so its partition is built again.
    assert load_record(fetched, "a-prints", "bomb") is None
