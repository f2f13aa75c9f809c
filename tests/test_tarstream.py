"""The fast tar writer gives exactly the bytes of webdataset.TarWriter, and tar readers read it back."""

from __future__ import annotations

import io
import random
import sys
import tarfile

import pytest

from packager.builder.tarstream import TarStream

sys.modules.setdefault("torch", None)  # type: ignore[arg-type]  # webdataset without torch: only TarWriter is used
import webdataset as wds  # noqa: E402

if sys.modules.get("torch", 0) is None:
    del sys.modules["torch"]


def samples(seed: int, count: int) -> list[dict[str, bytes | str]]:
    rng = random.Random(seed)
    out: list[dict[str, bytes | str]] = []
    for number in range(count):
        key_length = rng.choice([3, 40, 95, 96, 97, 120, 250])  # around the 100-byte name field
        key = "".join(rng.choice("abcdefghijklmnopqrstuvwxyz0123456789_-") for _ in range(key_length))
        size = rng.choice([0, 1, 511, 512, 513, 10_240, 123_457])
        out.append(
            {
                "__key__": f"{key}{number}",
                "jpg": rng.randbytes(size),
                "json": rng.randbytes(rng.randrange(2000)),
                "txt": rng.randbytes(rng.randrange(300)),
            }
        )
    return out


def with_webdataset(items: list[dict[str, bytes | str]]) -> bytes:
    out = io.BytesIO()
    writer = wds.TarWriter(out, encoder=False, mtime=0, user="pdpack", group="pdpack")
    for item in items:
        writer.write(item)
    writer.close()
    return out.getvalue()


def with_tarstream(items: list[dict[str, bytes | str]]) -> bytes:
    out = io.BytesIO()
    stream = TarStream(out, user="pdpack", group="pdpack", mtime=0)
    for item in items:
        key = str(item["__key__"])
        for extension in sorted(k for k in item if k != "__key__"):
            value = item[extension]
            assert isinstance(value, bytes)
            stream.add(f"{key}.{extension}", value)
    stream.close()
    assert stream.offset == len(out.getvalue())
    return out.getvalue()


@pytest.mark.parametrize(("seed", "count"), [(1, 0), (2, 1), (3, 7), (4, 40)])
def test_same_bytes_as_webdataset(seed: int, count: int) -> None:
    items = samples(seed, count)
    assert with_tarstream(items) == with_webdataset(items)


def test_long_and_non_ascii_names_take_tarfiles_own_path() -> None:
    items: list[dict[str, bytes | str]] = [
        {"__key__": "x" * 150, "txt": b"long"},
        {"__key__": "caf\u00e9", "txt": b"accent"},
    ]
    assert with_tarstream(items) == with_webdataset(items)


def test_members_read_back_with_fixed_metadata() -> None:
    items = samples(5, 5)
    with tarfile.open(fileobj=io.BytesIO(with_tarstream(items))) as archive:
        members = archive.getmembers()
        assert [m.name for m in members] == [
            f"{item['__key__']}.{ext}" for item in items for ext in ("jpg", "json", "txt")
        ]
        for member in members:
            assert (member.mtime, member.mode, member.uname, member.gname) == (0, 0o444, "pdpack", "pdpack")
            assert member.isfile()
        first = archive.extractfile(members[0])
        assert first is not None and first.read() == items[0]["jpg"]


def test_close_twice_writes_the_end_once() -> None:
    out = io.BytesIO()
    stream = TarStream(out, user="pdpack", group="pdpack")
    stream.add("a.txt", b"x")
    stream.close()
    stream.close()
    assert len(out.getvalue()) == tarfile.RECORDSIZE
