"""End-to-end builds of the bundled sample: accounting, read-back, determinism."""

from __future__ import annotations

import csv
import io
import json
import re
import sys
import tarfile
from pathlib import Path
from typing import Any

import pyarrow.parquet as pq
import pytest
import webdataset as wds
from click.testing import CliRunner

from packager.builder.run import build, load_collections
from packager.builder.stages import Settings
from packager.cli import cli
from packager.model import Rejection
from packager.sample import SHARD_GLOB
from tests.helpers import CC0, image_bytes, shard_files


def manifest_ids(folder: Path) -> set[str]:
    with (folder / "items.csv").open(encoding="utf-8-sig", newline="") as handle:
        return {row["id"] for row in csv.DictReader(handle)}


def build_examples(folders: list[Path], out: Path, workers: int, **settings: Any) -> dict[str, Any]:
    return build(load_collections(folders), out, Settings(**settings), workers=workers)


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory, example_folders: list[Path]) -> tuple[Path, dict[str, Any]]:
    out = tmp_path_factory.mktemp("dist")
    return out, build_examples(example_folders, out, workers=1)


def read_rejected(out: Path) -> list[dict[str, Any]]:
    return [json.loads(line) for line in (out / "rejected.jsonl").read_text(encoding="utf-8").splitlines()]


def read_samples(out: Path) -> list[dict[str, Any]]:
    urls = [str(p) for p in shard_files(out)]  # build order
    return list(wds.WebDataset(urls, shardshuffle=False))


def read_index(out: Path) -> list[dict[str, Any]]:
    return [row for path in shard_files(out, ".parquet") for row in pq.read_table(path).to_pylist()]


def test_every_item_ends_in_exactly_one_place(built: tuple[Path, dict[str, Any]], example_folders: list[Path]) -> None:
    out, report = built
    expected = {(folder.name, item_id) for folder in example_folders for item_id in manifest_ids(folder)}
    shipped = [(m["collection"], m["id"]) for m in (json.loads(x["json"]) for x in read_samples(out))]
    rejected = [(r["collection"], r["id"]) for r in read_rejected(out)]
    assert len(shipped) == len(set(shipped))
    assert len(rejected) == len(set(rejected))
    assert set(shipped).isdisjoint(rejected)
    assert set(shipped) | set(rejected) == expected
    assert report["totals"] == {
        "items": len(expected),
        "shipped": len(shipped),
        "rejected": len(rejected),
        "shards": len(shard_files(out)),
        "bytes": sum(path.stat().st_size for path in shard_files(out)),
    }
    # A shard per partition, and a collection this small is one partition: one shard per collection.
    assert [s["name"].split("/")[1] for s in report["shards"]] == sorted(folder.name for folder in example_folders)


def test_sample_shows_shipping_and_reasoned_rejection(built: tuple[Path, dict[str, Any]]) -> None:
    out, report = built
    rejected = {r["id"]: r for r in read_rejected(out)}
    # NASA works are public domain in the US only; the default policy ships worldwide public domain.
    assert rejected["astronaut"]["reason"] == "rights:us-only"
    assert rejected["coins"]["reason"] == "rights:undetermined"  # No Known Copyright needs review
    assert rejected["moon"]["reason"] == "rights:undetermined"  # no licence stated anywhere
    assert "no rights statement" in rejected["moon"]["message"]
    assert rejected["moon"]["evidence"][0]["status"] == "undetermined"
    # Held back on the manifest alone, before the file was opened: no finding about the file's metadata.
    assert all(e["source"] != "embedded" for r in rejected.values() for e in r["evidence"])
    by_collection = {c["id"]: c for c in report["collections"]}
    assert by_collection["nasa-spacex"]["rejected_by_reason"] == {"rights:us-only": 2}
    assert report["shipped_by_verdict"] == {"public_domain": report["totals"]["shipped"]}


def test_shards_read_back_by_webdataset_match_report_and_index(built: tuple[Path, dict[str, Any]]) -> None:
    out, report = built
    samples = read_samples(out)
    index = read_index(out)
    assert len(samples) == report["totals"]["shipped"] == len(index)
    for sample, row in zip(samples, index, strict=True):
        meta = json.loads(sample["json"])
        caption = sample["txt"].decode("utf-8")
        image_ext = next(ext for ext in ("jpg", "png", "webp") if ext in sample)
        assert "." not in sample["__key__"]
        assert sample["__key__"] == meta["key"] == row["key"]
        assert caption == meta["caption"] == row["caption"]
        assert meta["rights"]["status"] == row["rights_status"] == "public_domain"
        assert meta["rights"]["evidence"], "every sample carries its rights evidence"
        assert meta["credit_line"] and meta["institution"]["name"]
        assert len(sample[image_ext]) == row["image_bytes"]
        assert row["sha256"] == meta["sha256"]
    assert sum(shard["count"] for shard in report["shards"]) == len(samples)
    for shard in report["shards"]:
        # Named after the collection and the partition, never after a counter across the release.
        # In a subfolder named after the partition's first two characters: no folder passes the Hub's 10,000 files.
        assert re.fullmatch(r"data/[a-z0-9-]+/([0-9a-f]{2})/\1[0-9a-f]{14}-000\.tar", shard["name"]), shard["name"]
        assert shard["index"] == shard["name"].removesuffix(".tar") + ".parquet"


def test_passthrough_keeps_original_bytes_and_tiff_is_converted(
    built: tuple[Path, dict[str, Any]], example_folders: list[Path]
) -> None:
    import hashlib

    out, _ = built
    by_id = {json.loads(s["json"])["id"]: s for s in read_samples(out)}
    rocket = by_id["rocket-dscovr"]
    original = (next(f for f in example_folders if f.name == "nasa-spacex") / "files" / "rocket.jpg").read_bytes()
    assert rocket["jpg"] == original
    chelsea = by_id["chelsea"]
    meta = json.loads(chelsea["json"])
    assert "png" in chelsea and meta["original_format"] == "TIFF" and meta["converted"] is True
    tif = (next(f for f in example_folders if f.name == "scikit-image-gallery") / "files" / "chelsea.tif").read_bytes()
    assert meta["sha256"] == hashlib.sha256(tif).hexdigest()


def test_captions_record_their_source(built: tuple[Path, dict[str, Any]]) -> None:
    out, report = built
    metas = {m["id"]: m for m in (json.loads(s["json"]) for s in read_samples(out))}
    coffee = metas["coffee"]
    assert coffee["caption_source"] == "cleaned"
    assert "<br/>" in coffee["original_caption"] and "&amp;" in coffee["original_caption"]
    assert coffee["caption"] == "Espresso cup on a red saucer & wooden table"
    assert metas["camera"]["caption_source"] == "metadata"
    assert metas["camera"]["caption"].startswith("Photographer with a tripod camera, by Lav Varshney.")
    sources = {c["id"]: c["caption_sources"] for c in report["collections"]}
    assert sum(sum(v.values()) for v in sources.values()) == report["totals"]["shipped"]


def test_shards_load_with_hugging_face_datasets(built: tuple[Path, dict[str, Any]]) -> None:
    datasets = pytest.importorskip("datasets")
    from packager.outputs.hf import hf_features

    out, report = built
    ds = datasets.load_dataset(
        "webdataset",
        data_files={"train": str(out / SHARD_GLOB)},
        split="train",
        features=hf_features(),
        cache_dir=str(out / "hf-cache"),
    )
    assert ds.num_rows == report["totals"]["shipped"]
    index = {row["id"]: row for row in read_index(out)}
    assert sorted(index) == sorted(record["json"]["id"] for record in ds)
    for record in ds:
        row = index[record["json"]["id"]]
        assert record["txt"] == row["caption"] == record["json"]["caption"]
        assert record["json"]["id"] == row["id"]
        image = record[row["image_extension"]]
        assert (image.width, image.height) == (row["width"], row["height"])
        others = [ext for ext in ("jpg", "png", "webp") if ext != row["image_extension"]]
        assert all(record[ext] is None for ext in others)


def test_output_is_byte_identical_for_any_worker_count(
    tmp_path: Path, built: tuple[Path, dict[str, Any]], example_folders: list[Path]
) -> None:
    one, _ = built
    two = tmp_path / "two"
    build_examples(example_folders, two, workers=2)
    names = [
        "report.json",
        "rejected.jsonl",
        "ATTRIBUTION.md",
        *sorted(str(p.relative_to(one)) for p in (one / "data").rglob("*") if p.is_file()),
    ]
    assert any(n.endswith(".tar") for n in names) and any(n.endswith(".parquet") for n in names)
    for name in names:
        assert (one / name).read_bytes() == (two / name).read_bytes(), name


def test_tar_members_have_fixed_metadata(built: tuple[Path, dict[str, Any]]) -> None:
    out, _ = built
    members = []
    for path in shard_files(out):
        with tarfile.open(path) as tar:
            members += tar.getmembers()
    assert members
    for member in members:
        assert member.mtime == 0 and member.uname == "pdpack" and member.mode == 0o444
        assert "/" not in member.name and not member.name.startswith(".")
        assert member.isfile()
    # Three members per sample, grouped by key: image, json, txt.
    keys = [m.name.split(".", 1)[0] for m in members]
    assert len(keys) % 3 == 0 and all(keys[i] == keys[i + 1] == keys[i + 2] for i in range(0, len(keys), 3))


def test_shard_limits_split_by_count_and_size(tmp_path: Path, example_folders: list[Path]) -> None:
    by_count = build_examples(example_folders, tmp_path / "count", workers=1, shard_max_count=3)
    shipped = by_count["totals"]["shipped"]
    assert sum(s["count"] for s in by_count["shards"]) == shipped
    assert all(s["count"] <= 3 for s in by_count["shards"])
    limit = 600_000
    by_size = build_examples(example_folders, tmp_path / "size", workers=1, shard_max_size=limit)
    assert sum(s["count"] for s in by_size["shards"]) == shipped
    for shard in by_size["shards"]:
        # A shard goes over the limit only when a single sample is bigger than it.
        assert shard["bytes"] <= limit + 10 * 512 or shard["count"] == 1
    assert len(by_size["shards"]) > 1
    files = sorted(p.relative_to(tmp_path / "size").as_posix() for p in (tmp_path / "size" / "data").rglob("*"))
    files = [name for name in files if "." in name]
    assert files == sorted([s["name"] for s in by_size["shards"]] + [s["index"] for s in by_size["shards"]])
    # Within a partition, shards are numbered from 000 in order.
    partitions: dict[str, list[int]] = {}
    for shard in by_size["shards"]:
        stem, number = shard["name"].removesuffix(".tar").rsplit("-", 1)
        partitions.setdefault(stem, []).append(int(number))
    assert all(numbers == list(range(len(numbers))) for numbers in partitions.values())


def test_rebuild_removes_stale_shards(tmp_path: Path, example_folders: list[Path]) -> None:
    out = tmp_path / "dist"
    build_examples(example_folders, out, workers=1, shard_max_count=1)
    assert len(list((out / "data").rglob("*.tar"))) > 1
    report = build_examples(example_folders, out, workers=1)
    assert sorted(p.relative_to(out).as_posix() for p in (out / "data").rglob("*.tar")) == sorted(
        s["name"] for s in report["shards"]
    )
    assert report["totals"]["shards"] == len(example_folders)
    # Shard subfolders the earlier build filled and this one does not use are gone too.
    assert all(any(folder.iterdir()) for folder in (out / "data").rglob("*") if folder.is_dir())


def test_item_ids_with_dots_and_slashes_get_safe_unique_keys(tmp_path: Path, collection_factory: Any) -> None:
    files = {f"files/{n}.png": image_bytes(color=(n * 40, 0, 0)) for n in range(4)}
    rows = [
        {"id": "1889.12.3", "file": "files/0.png", "title": "A"},
        {"id": "1889_12_3", "file": "files/1.png", "title": "B"},
        {"id": "box/7", "file": "files/2.png", "title": "C"},
        {"id": "x" * 200, "file": "files/3.png", "title": "D"},
    ]
    folder = collection_factory(rows, files=files)
    out = tmp_path / "dist"
    report = build(load_collections([folder]), out, Settings())
    assert report["totals"]["shipped"] == 4
    keys = [s["__key__"] for s in read_samples(out)]
    assert len(set(keys)) == 4
    for key in keys:
        assert "." not in key and "/" not in key and len(key) <= 80
        assert key.startswith("test-museum_")
    assert "test-museum_1889_12_3" in keys  # an id that was already safe keeps its readable key


def test_bad_items_are_rejected_with_reasons_and_the_rest_ship(tmp_path: Path, collection_factory: Any) -> None:
    outside = tmp_path / "secret.png"
    outside.write_bytes(image_bytes())
    good = image_bytes("JPEG")
    files = {
        "files/good.jpg": good,
        "files/empty.png": b"",
        "files/truncated.jpg": good[: len(good) // 2],
        "files/notes.png": b"<html><body>not an image</body></html>",
    }
    rows = [
        {"id": "good", "file": "files/good.jpg", "title": "Good"},
        {"id": "empty", "file": "files/empty.png", "title": "Empty"},
        {"id": "truncated", "file": "files/truncated.jpg", "title": "Truncated"},
        {"id": "html", "file": "files/notes.png", "title": "HTML posing as PNG"},
        {"id": "missing", "file": "files/nowhere.png", "title": "Missing"},
        {"id": "escape", "file": "../secret.png", "title": "Escape"},
        {"id": "link", "file": "files/link.png", "title": "Symlink out"},
        {"id": "licensed", "file": "files/good.jpg", "title": "CC BY", "rights": "CC BY"},
        {"id": "untitled", "file": "files/good.jpg"},
    ]
    folder = collection_factory(rows, files=files)
    (folder / "files" / "link.png").symlink_to(outside)
    out = tmp_path / "dist"
    report = build(load_collections([folder]), out, Settings())
    reasons = {r["id"]: r["reason"] for r in read_rejected(out)}
    assert reasons == {
        "empty": "image:unreadable",
        "truncated": "image:truncated",
        "html": "image:unreadable",
        "missing": "file:missing",
        "escape": "path:escapes-collection",
        "link": "path:escapes-collection",
        "licensed": "rights:not-public-domain",
        "untitled": "caption:missing",
    }
    assert report["totals"]["shipped"] == 1
    assert [json.loads(s["json"])["id"] for s in read_samples(out)] == ["good"]


def test_cli_build_prints_a_summary(tmp_path: Path, example_folders: list[Path]) -> None:
    out = tmp_path / "dist"
    result = CliRunner().invoke(
        cli, ["build", *map(str, example_folders), "--out", str(out), "--shard-max-size", "1GB"]
    )
    assert result.exit_code == 0, result.output
    report = json.loads((out / "report.json").read_text(encoding="utf-8"))
    totals = report["totals"]
    assert f"Built {totals['shipped']} sample(s) from {totals['items']} item(s)" in result.output
    assert "nasa-spacex: 1 shipped, 2 held back (rights:us-only 2)" in result.output
    assert report["settings"]["shard_max_size"] == 1_000_000_000


def test_cli_policy_us_ships_us_only_works(tmp_path: Path, example_folders: list[Path]) -> None:
    out = tmp_path / "dist"
    nasa = next(f for f in example_folders if f.name == "nasa-spacex")
    result = CliRunner().invoke(cli, ["build", str(nasa), "--out", str(out), "--policy", "us"])
    assert result.exit_code == 0, result.output
    report = json.loads((out / "report.json").read_text(encoding="utf-8"))
    assert report["shipped_by_verdict"] == {"public_domain": 1, "public_domain_us": 2}


def test_cli_validate_reports_items_and_exits_1_on_manifest_errors(
    tmp_path: Path, example_folders: list[Path], collection_factory: Any
) -> None:
    runner = CliRunner()
    ok = runner.invoke(cli, ["validate", *map(str, example_folders)])
    assert ok.exit_code == 0, ok.output
    assert "nasa-spacex: NASA and SpaceX images from scikit-image" in ok.output
    assert "1 item(s) would ship, 2 would be held back." in ok.output
    assert "What to do:" in ok.output
    strict = runner.invoke(cli, ["validate", "--strict", *map(str, example_folders)])
    assert strict.exit_code == 1

    folder = collection_factory([{"id": "a", "file": "files/a.png"}])
    (folder / "items.csv").write_text("identifier,file\nx,files/a.png\n", encoding="utf-8")
    bad = runner.invoke(cli, ["validate", str(folder)])
    assert bad.exit_code == 1
    assert "items.csv, row 1, column 'id': the header has no 'id' column" in bad.output


def test_cli_rejects_bad_shard_size_and_duplicate_collection_ids(tmp_path: Path, collection_factory: Any) -> None:
    runner = CliRunner()
    folder = collection_factory([{"id": "a", "file": "files/a.png"}], files={"files/a.png": image_bytes()})
    bad_size = runner.invoke(cli, ["build", str(folder), "--shard-max-size", "lots"])
    assert bad_size.exit_code == 2 and "not a size" in bad_size.output
    twin = tmp_path / "twin"
    twin.mkdir()
    for name in ("collection.yaml", "items.csv"):
        (twin / name).write_bytes((folder / name).read_bytes())
    dup = runner.invoke(cli, ["build", str(folder), str(twin), "--out", str(tmp_path / "d")])
    assert dup.exit_code == 1 and "ids must be unique in a build" in dup.output


def test_every_command_help_has_an_example() -> None:
    runner = CliRunner()
    for command in ("validate", "build", "review", "init", "push"):
        result = runner.invoke(cli, [command, "--help"])
        assert result.exit_code == 0
        assert "Example" in result.output and f"pdpack {command}" in result.output


def test_jsonl_manifests_build_like_csv(tmp_path: Path, collection_factory: Any) -> None:
    rows = [{"id": "a", "file": "files/a.webp", "title": "WebP", "rights": CC0, "accession": 1923}]
    folder = collection_factory(rows, files={"files/a.webp": image_bytes("WEBP")}, fmt="jsonl")
    out = tmp_path / "dist"
    report = build(load_collections([folder]), out, Settings())
    assert report["totals"]["shipped"] == 1
    (sample,) = read_samples(out)
    assert "webp" in sample
    assert json.loads(sample["json"])["extra"] == [{"name": "accession", "value": "1923"}]


def test_validate_github_annotations_point_at_file_and_row(
    collection_factory: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    folder = collection_factory(
        [
            {"id": "good", "file": "files/a.png", "title": "Fine"},
            {"id": "gone", "file": "files/missing.png", "title": "Missing, with a comma"},
            {"id": "inc", "file": "files/a.png", "title": "In copyright", "rights": "InC"},
        ],
        files={"files/a.png": image_bytes()},
    )
    monkeypatch.chdir(folder.parent)
    result = CliRunner().invoke(cli, ["validate", folder.name, "--format", "github", "--as-of", "2026-11-30"])
    assert result.exit_code == 1, result.output  # a missing file fails the check; a rights hold alone would not
    lines = [line for line in result.output.splitlines() if line.startswith("::")]
    assert lines[0].startswith("::error file=test-museum/items.csv,line=3,title=gone%3A file%3Amissing::")
    assert lines[1].startswith("::warning file=test-museum/items.csv,line=4,title=inc%3A rights%3Anot-public-domain::")
    (folder / "items.csv").write_text("identifier,file\nx,a.png\n", encoding="utf-8")
    broken = CliRunner().invoke(cli, ["validate", folder.name, "--format", "github"])
    assert broken.exit_code == 1
    assert "::error file=test-museum/items.csv,line=1,title=Manifest error::" in broken.output


def test_tar_member_names_are_checked() -> None:
    from packager.builder.shards import ShardWriter, safe_member_name
    from packager.sample import Sample

    assert safe_member_name("museum_a-1.jpg")
    for name in ("../x.jpg", "/etc/x.jpg", "a/b.jpg", "a..jpg", ".jpg", "a.b.jpg", "a\n.jpg", "a"):
        assert not safe_member_name(name), name
    sample = Sample(key="../escape", extension="png", image=b"x", caption="c", metadata={"id": "x"})
    with pytest.raises(ValueError, match="unsafe names"):
        ShardWriter(Path(pytest.importorskip("tempfile").mkdtemp())).write(sample)


class _Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_progress_bar_shows_total_rate_and_shipped_bytes_on_a_terminal(
    example_folders: list[Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    from packager.builder.stream import run
    from packager.cli.progress import Progress
    from packager.sample import Sample

    terminal = _Terminal()
    monkeypatch.setattr(sys, "stderr", terminal)
    collections = load_collections(example_folders)
    results = list(run(collections, Settings(as_of="2026-11-30")))
    shipped = [r for _, r in results if isinstance(r, Sample)]
    with Progress(collections) as progress:
        assert progress.counter is not None
        progress.counter.join()  # the total is counted on a thread; wait for it here
        for collection, result in results:
            progress.update(collection, result)
    output = terminal.getvalue()
    assert f"{len(results)}/{len(results)}" in output  # a total, so an ETA
    assert f"{len(shipped):,} shipped, {sum(len(s.image) for s in shipped) / 1e6:,.1f} MB" in output
    assert "items/s" in output


def test_progress_without_a_terminal_is_a_line_per_interval(
    example_folders: list[Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    """CI logs get no bar, but a line every PDPACK_PROGRESS_SECONDS (30 by default), so a long run shows life."""
    from packager.cli.progress import Progress

    plain = io.StringIO()
    monkeypatch.setattr(sys, "stderr", plain)
    collections = load_collections(example_folders)
    rejection = Rejection(collections[0].id, "x", "file:missing", "gone")
    monkeypatch.setenv("PDPACK_PROGRESS_SECONDS", "3600")
    with Progress(collections) as progress:
        assert progress.bar is None
        progress.update(collections[0], rejection)
    assert plain.getvalue() == ""  # an hour has not passed
    monkeypatch.setenv("PDPACK_PROGRESS_SECONDS", "0")
    with Progress(desc="checking", shipped="would ship") as progress:
        progress.update(collections[0], rejection)
        progress.update(collections[0], rejection)
    assert plain.getvalue() == (
        "checking: 1 items, 0 would ship (nasa-spacex)\nchecking: 2 items, 0 would ship (nasa-spacex)\n"
    )
