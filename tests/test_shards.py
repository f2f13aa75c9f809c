"""ShardWriter on its own: streamed parquet index, hashes taken while writing, clean abandonment."""

from __future__ import annotations

import dataclasses
import hashlib
import io
import subprocess
import sys
import tarfile
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from packager.builder.shards import ShardInfo, ShardWriter, add_sample, index_table, member_size, sample_stream
from packager.sample import INDEX_SCHEMA, Sample


def make_sample(n: int) -> Sample:
    image = hashlib.sha256(str(n).encode()).digest() * (n + 1)  # sizes differ, so tar padding varies
    metadata = {
        "id": f"item-{n}",
        "collection": "test-museum",
        "institution": {"name": "Test Museum"},
        "title": f"Print number {n}",
        "creator": None if n % 2 else "Anonymous",
        "caption_source": "title",
        "caption_alignment": None if n % 3 else n / 7,
        "rights": {"statement": "http://creativecommons.org/publicdomain/zero/1.0/", "status": "public_domain"},
        "credit_line": "Test Museum",
        "source_url": f"https://example.org/items/{n}",
        "sha256": hashlib.sha256(image).hexdigest(),
        "phash": f"{n:016x}",
        "width": 10 + n,
        "height": 20 + n,
    }
    return Sample(key=f"test-museum_item-{n}", extension="png", image=image, caption=f"Print ✓ {n}", metadata=metadata)


def write_all(out: Path, samples: list[Sample], **kwargs: int) -> list[ShardInfo]:
    with ShardWriter(out, **kwargs) as writer:
        for sample in samples:
            writer.write(sample)
    return writer.shards


def test_index_is_streamed_in_row_groups_and_reads_back_unchanged(tmp_path: Path) -> None:
    samples = [make_sample(n) for n in range(13)]
    shards = write_all(tmp_path, samples, max_count=8, row_group_size=3)
    assert [s.count for s in shards] == [8, 5]
    # Row groups restart with each shard: boundaries follow the sample sequence only.
    layouts = []
    for shard in shards:
        meta = pq.ParquetFile(tmp_path / shard.index).metadata
        layouts.append([meta.row_group(i).num_rows for i in range(meta.num_row_groups)])
    assert layouts == [[3, 3, 2], [3, 2]]
    rows = [row for shard in shards for row in pq.read_table(tmp_path / shard.index).to_pylist()]
    assert rows == [sample.index_row() for sample in samples]
    with tarfile.open(tmp_path / shards[1].name) as tar:
        assert tar.getnames()[:3] == ["test-museum_item-8.json", "test-museum_item-8.png", "test-museum_item-8.txt"]


def test_same_samples_give_byte_identical_shards(tmp_path: Path) -> None:
    samples = [make_sample(n) for n in range(10)]
    first = write_all(tmp_path / "a", samples, max_count=4, row_group_size=3)
    second = write_all(tmp_path / "b", samples, max_count=4, row_group_size=3)
    assert first == second
    files_a = sorted((tmp_path / "a" / "data").iterdir())
    assert [p.name for p in files_a] == [p.name for p in sorted((tmp_path / "b" / "data").iterdir())]
    assert len(files_a) == 6
    for path in files_a:
        assert path.read_bytes() == (tmp_path / "b" / "data" / path.name).read_bytes(), path.name


def test_shard_info_hashes_and_sizes_match_the_files(tmp_path: Path) -> None:
    seen: list[tuple[ShardInfo, list[str]]] = []

    def on_finish(info: ShardInfo) -> None:
        seen.append((info, sorted(p.name for p in (tmp_path / "data").iterdir())))

    with ShardWriter(tmp_path, max_count=5, row_group_size=2, on_finish=on_finish) as writer:
        for n in range(12):
            writer.write(make_sample(n))
    assert [s.count for s in writer.shards] == [5, 5, 2]
    for shard in writer.shards:
        tar, index = tmp_path / shard.name, tmp_path / shard.index
        assert shard.bytes == tar.stat().st_size
        assert shard.sha256 == hashlib.sha256(tar.read_bytes()).hexdigest()
        assert shard.index_sha256 == hashlib.sha256(index.read_bytes()).hexdigest()
    # The callback runs once per shard, after both files have their final names.
    assert [info for info, _ in seen] == writer.shards
    _, names = seen[0]
    assert names == ["train-000000.parquet", "train-000000.tar"]


def test_failure_inside_with_leaves_only_finished_shards(tmp_path: Path) -> None:
    with pytest.raises(RuntimeError, match="stop"), ShardWriter(tmp_path, max_count=4, row_group_size=2) as writer:
        for n in range(7):  # the open second shard has a row group on disk and a row still buffered
            writer.write(make_sample(n))
        raise RuntimeError("stop")
    assert sorted(p.name for p in (tmp_path / "data").iterdir()) == ["train-000000.parquet", "train-000000.tar"]
    assert writer.shards[0].count == 4
    assert pq.read_table(tmp_path / writer.shards[0].index).num_rows == 4


def test_row_group_size_must_be_positive(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="row_group_size"):
        ShardWriter(tmp_path, row_group_size=0)


def _parquet_bytes(table: pa.Table) -> bytes:
    out = io.BytesIO()
    with pq.ParquetWriter(out, INDEX_SCHEMA, compression="zstd") as writer:
        writer.write_table(table, row_group_size=max(1, table.num_rows))
    return out.getvalue()


@pytest.mark.parametrize("count", [0, 1, 9, 1000])
def test_index_table_is_what_pyarrow_makes_of_the_rows(count: int) -> None:
    rows = [make_sample(n).index_row() for n in range(count)]
    if rows:
        rows[0] = {**rows[0], "title": "", "caption": "漢字 é \u00a0 \U0001f600", "source_url": None, "width": -1}
    ours, pyarrows = index_table(rows), pa.Table.from_pylist(rows, schema=INDEX_SCHEMA)
    assert ours.equals(pyarrows)
    assert _parquet_bytes(ours) == _parquet_bytes(pyarrows)


def test_writing_an_index_does_not_import_pandas(tmp_path: Path) -> None:
    # pandas costs a build half a second of start-up; pyarrow imports it on its first Python list.
    script = (
        "import sys; from pathlib import Path; sys.path.insert(0, sys.argv[2]); "
        "from tests.test_shards import make_sample, write_all; "
        "write_all(Path(sys.argv[1]), [make_sample(n) for n in range(5)]); "
        "assert 'pandas' not in sys.modules, 'pandas was imported'"
    )
    repo = Path(__file__).resolve().parent.parent
    subprocess.run([sys.executable, "-c", script, str(tmp_path), str(repo)], check=True)
    assert (tmp_path / "data" / "train-000000.parquet").is_file()


def test_members_written_elsewhere_and_copied_give_the_same_shards(tmp_path: Path) -> None:
    # A long key takes a PAX header (more bytes than a sample counts toward the size limit), and a size
    # limit rolls shards over part-way: the copies must still land exactly where ``write`` puts them.
    samples = [make_sample(n) for n in range(12)]
    samples[3] = dataclasses.replace(samples[3], key="test-museum_" + "long-id-" * 14)
    limit = sum(member_size(s) for s in samples) // 4
    direct = write_all(tmp_path / "direct", samples, max_size=limit)
    assert len(direct) >= 4

    chunk = io.BytesIO()
    stream = sample_stream(chunk)
    placed = []
    for sample in samples:
        start = stream.offset
        size = add_sample(stream, sample.key, sample.members)
        placed.append((start, stream.offset - start, size))
    assert any(length > size for _, length, size in placed)  # the PAX headers
    with ShardWriter(tmp_path / "copied", max_size=limit) as writer:
        for sample, (start, length, size) in zip(samples, placed, strict=True):
            writer.write_serialized(chunk.getvalue()[start : start + length], size, sample.index_row())
    assert writer.shards == direct
    for shard in direct:
        for name in (shard.name, shard.index):
            assert (tmp_path / "copied" / name).read_bytes() == (tmp_path / "direct" / name).read_bytes()
