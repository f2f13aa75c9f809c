"""The build's own state at scale: compact compressed partition records, and a checkpoint whose saves do not grow.

Real builds of one collection cut into many partitions (at most 3 items each). The records are gzipped
compact JSON, the same bytes on every build; an earlier build whose records are indented ``.json`` (as pdpack
kept them before) is reused all the same; a torn record costs rebuilding its partition only; and the
checkpoint holds the inputs once and a progress line of fixed size, whatever the number of partitions.
"""

from __future__ import annotations

import gzip
import json
import os
from pathlib import Path

import pytest
from click.testing import CliRunner

from packager.builder import checkpoint, records
from packager.builder.records import PartitionRecord
from packager.builder.reuse import PUBLISHED_RECORDS, load_record, record_files
from packager.builder.run import build, load_collections
from packager.builder.stages import Settings
from packager.cli import cli
from packager.jsonutil import dumps_pretty
from tests.helpers import image_bytes, write_collection

ITEMS = 40
SETTINGS = Settings(as_of="2026-11-30", shard_max_count=3)


@pytest.fixture(scope="module")
def collection(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("state")
    files = {f"files/{n:03d}.png": image_bytes(size=(24, 20), color=(n * 5, 80, 200 - n)) for n in range(ITEMS)}
    rows = [{"id": f"item-{n:03d}", "file": f"files/{n:03d}.png", "title": f"Print {n}"} for n in range(ITEMS)]
    rows.append({"id": "item-020x", "file": "files/nowhere.png", "title": "Lost"})
    return write_collection(root, rows, files=files)


def outputs(out: Path) -> dict[str, bytes]:
    """Every file of the build, its partition records included, but the rest of its state."""
    found = {p.relative_to(out).as_posix(): p.read_bytes() for p in sorted(out.rglob("*")) if p.is_file()}
    return {k: v for k, v in found.items() if not k.startswith(".pdpack/") or k.startswith(PUBLISHED_RECORDS)}


@pytest.fixture(scope="module")
def cold(collection: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("cold") / "dist"
    build(load_collections([collection]), out, SETTINGS)
    return out


def test_records_are_compact_gzipped_json_the_same_bytes_on_every_build(
    collection: Path, cold: Path, tmp_path: Path
) -> None:
    files = record_files(cold / PUBLISHED_RECORDS)
    assert len(files) > 10 and all(path.name.endswith(".json.gz") for _, _, path in files)
    again = tmp_path / "again"
    build(load_collections([collection]), again, SETTINGS, workers=2)
    assert outputs(again) == outputs(cold)
    plain = indented = packed = 0
    for collection_id, name, path in files:
        data = path.read_bytes()
        assert data[:2] == b"\x1f\x8b" and data[4:8] == b"\0\0\0\0"  # gzip, with no timestamp in its header
        text = gzip.decompress(data)
        assert b"\n" not in text and b'":' in text and b'": ' not in text  # compact: no indent, no spaces
        record = load_record(cold, collection_id, name)
        assert record is not None and record.name == name and record.outcomes
        plain += len(text)
        indented += len(dumps_pretty(record.to_json()).encode())
        packed += len(data)
    assert packed < plain < indented and packed * 2 < indented


def test_an_earlier_build_with_uncompressed_records_is_reused_and_its_records_rewritten(
    collection: Path, cold: Path, tmp_path: Path
) -> None:
    earlier = tmp_path / "earlier"
    build(load_collections([collection]), earlier, SETTINGS)
    # As pdpack kept records before they were compressed: indented JSON, one .json per partition.
    for _, _, path in record_files(earlier / PUBLISHED_RECORDS):
        record = PartitionRecord.from_bytes(path.read_bytes())
        path.with_name(path.name.removesuffix(".gz")).write_text(dumps_pretty(record.to_json()), encoding="utf-8")
        path.unlink()
    assert all(path.suffix == ".json" for _, _, path in record_files(earlier / PUBLISHED_RECORDS))
    later = tmp_path / "later"
    build(load_collections([collection]), later, SETTINGS, previous=earlier)
    tars = sorted((earlier / "data").rglob("*.tar"))
    # Every partition reused (its tars are the earlier build's files), and the records written as now.
    assert tars and all(os.path.samefile(t, later / t.relative_to(earlier)) for t in tars)
    assert outputs(later) == outputs(cold)
    # Built again in place, the old records give way to the new ones: one record per partition.
    build(load_collections([collection]), earlier, SETTINGS, previous=earlier)
    assert outputs(earlier) == outputs(cold)


def test_a_torn_record_costs_its_partition_only(collection: Path, cold: Path, tmp_path: Path) -> None:
    out = tmp_path / "dist"
    build(load_collections([collection]), out, SETTINGS)
    (_, _, torn), *_ = record_files(out / PUBLISHED_RECORDS)
    torn.write_bytes(torn.read_bytes()[:-9])  # as a power cut might leave it: its gzip trailer gone
    # Links to the tars as they are: a file written again is a new file (the link keeps the old one's inode).
    links = tmp_path / "links"
    links.mkdir()
    tars = sorted((out / "data").rglob("*.tar"))
    for number, path in enumerate(tars):
        os.link(path, links / str(number))
    build(load_collections([collection]), out, SETTINGS, resume=True)
    assert outputs(out) == outputs(cold)
    rewritten = [p for number, p in enumerate(tars) if not os.path.samefile(p, links / str(number))]
    assert rewritten and all(p.name.startswith(torn.name.split(".")[0]) for p in rewritten)


def test_a_record_that_inflates_past_the_limit_is_refused(cold: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (collection_id, name, path), *_ = record_files(cold / PUBLISHED_RECORDS)
    size = len(gzip.decompress(path.read_bytes()))
    assert load_record(cold, collection_id, name) is not None
    monkeypatch.setattr(records, "MAX_RECORD_BYTES", size - 1)
    assert load_record(cold, collection_id, name) is None  # refused, so the partition would be built again
    with pytest.raises(ValueError, match="inflates past"):
        PartitionRecord.from_bytes(path.read_bytes())


def test_the_checkpoint_holds_the_inputs_once_and_a_progress_of_fixed_size(cold: Path) -> None:
    state = checkpoint.state_dir(cold)
    header = json.loads((state / checkpoint.CHECKPOINT).read_text(encoding="utf-8"))
    assert set(header) == {"fingerprint", "inputs"}  # no shard list: written once, at the start
    report = json.loads((cold / "report.json").read_text(encoding="utf-8"))
    progress = (state / checkpoint.PROGRESS).read_bytes()
    # What a resume reads back and says: items done and complete shards, nothing that grows with the build.
    assert json.loads(progress) == {"consumed": ITEMS + 1, "shards": len(report["shards"])}
    assert len(progress) < 80 and len(report["shards"]) > 10
    point = checkpoint.load(cold)
    assert point is not None and point.consumed == ITEMS + 1 and point.shards == len(report["shards"])
    assert point.fingerprint == header["fingerprint"] and point.inputs == header["inputs"]


def test_a_build_killed_before_its_first_partition_resumes_from_its_checkpoint(
    collection: Path, cold: Path, tmp_path: Path
) -> None:
    out = tmp_path / "dist"
    args = ["build", str(collection), "--out", str(out), "--as-of", "2026-11-30", "--shard-max-count", "3"]
    assert CliRunner().invoke(cli, args).exit_code == 0
    # What a kill -9 right after the start leaves: the checkpoint, no progress (and here every partition's record).
    (checkpoint.state_dir(out) / checkpoint.PROGRESS).unlink()
    resumed = CliRunner().invoke(cli, [*args, "--resume"])
    assert resumed.exit_code == 0, resumed.output
    assert "Resuming the interrupted build in" in resumed.output and "0 item(s) are done" in resumed.output
    assert outputs(out) == outputs(cold)
    refused = CliRunner().invoke(cli, [*args[:-1], "2", "--resume"])
    assert refused.exit_code == 1 and "holds a build of other inputs or settings" in refused.output
    assert "option --shard-max-count was 3, now 2" in refused.output
