"""Partitions that stay put, and incremental builds that reuse them: real builds, compared byte for byte."""

from __future__ import annotations

import json
import random
import tarfile
from pathlib import Path
from typing import Any

from packager.builder.config import Settings
from packager.builder.partitions import bounds, cut
from packager.builder.run import build, load_collections
from packager.model import Item
from packager.sample import shard_stem
from tests.helpers import flatten_shards, image_bytes, shard_files, write_collection

ITEMS = 60
SETTINGS = Settings(as_of="2026-11-30", shard_max_count=8)


def ids_cut(ids: list[str], shard_max_count: int) -> list[tuple[str, ...]]:
    entries = [Item("c", item_id, n) for n, item_id in enumerate(sorted(ids))]
    return [tuple(entry.id for entry in part) for part, _ in cut(entries, bounds(shard_max_count))]


def test_an_edit_changes_only_the_partitions_around_it() -> None:
    rng = random.Random(15)
    ids = [f"obj-{rng.randrange(10**9):09d}" for _ in range(3000)]
    before = ids_cut(ids, 100)
    limits = bounds(100)
    assert all(len(part) <= limits.high for part in before)
    assert sum(len(part) >= limits.low for part in before) >= len(before) - 1  # only the last may be short
    for _ in range(20):
        removed = rng.choice(ids)
        after = ids_cut([i for i in ids if i != removed], 100)
        # Partitions are content-defined: all but a few stay exactly as they were.
        assert len(set(before) - set(after)) <= 3, removed
        added = ids_cut([*ids, f"obj-new-{rng.randrange(10**6)}"], 100)
        assert len(set(before) - set(added)) <= 3


def make_collection(root: Path, rows_edit: Any = None) -> Path:
    rows = [{"id": f"item-{n:03d}", "file": f"files/{n:03d}.png", "title": f"Print {n}"} for n in range(ITEMS)]
    rows.append({"id": "zz-copy-of-3", "file": "files/003.png", "title": "The same file again"})
    if rows_edit is not None:
        rows = rows_edit(rows)
    files = {f"files/{n:03d}.png": image_bytes(color=(n * 4, 255 - n * 3, (n * 37) % 256)) for n in range(ITEMS)}
    return write_collection(root, rows, files=files)


def outputs(out: Path) -> dict[str, bytes]:
    names = ["report.json", "rejected.jsonl", "ATTRIBUTION.md"]
    names += [p.relative_to(out).as_posix() for p in sorted((out / "data").rglob("*.*"))]
    return {name: (out / name).read_bytes() for name in names}


def rebuild(tmp_path: Path, name: str, edit: Any, previous: Path) -> tuple[Path, Path]:
    """The edited collection built with ``previous`` and from scratch; both folders."""
    folder = make_collection(tmp_path / f"{name}-manifests", edit)
    warm, cold = tmp_path / f"{name}-warm", tmp_path / f"{name}-cold"
    build(load_collections([folder]), warm, SETTINGS, previous=previous)
    build(load_collections([folder]), cold, SETTINGS)
    return warm, cold


def test_an_incremental_build_reuses_what_did_not_change_and_gives_the_same_bytes(tmp_path: Path) -> None:
    first = tmp_path / "first"
    report = build(load_collections([make_collection(tmp_path / "manifests")]), first, SETTINGS)
    assert report["totals"]["shards"] > 3
    rejected = (first / "rejected.jsonl").read_text(encoding="utf-8")
    assert '"id":"zz-copy-of-3"' in rejected and "test-museum/item-003" in rejected

    def retitle(rows: list[dict[str, str]]) -> list[dict[str, str]]:
        return [{**row, "title": "Print 30, retitled"} if row["id"] == "item-030" else row for row in rows]

    warm, cold = rebuild(tmp_path, "retitled", retitle, first)
    assert outputs(warm) == outputs(cold)
    before = {p.relative_to(first).as_posix(): p for p in shard_files(first)}
    after = {p.relative_to(warm).as_posix(): p for p in shard_files(warm)}
    changed = [
        name for name, path in after.items() if name not in before or before[name].read_bytes() != path.read_bytes()
    ]
    assert len(changed) == 1 and set(before) == set(after)
    # Unchanged shards were linked from the first build, not written again.
    linked = [name for name in after if after[name].stat().st_ino == before[name].stat().st_ino]
    assert len(linked) == len(after) - 1


def test_deduplication_across_partitions_follows_the_first_copy(tmp_path: Path) -> None:
    first = tmp_path / "first"
    build(load_collections([make_collection(tmp_path / "manifests")]), first, SETTINGS)

    def without_item_3(rows: list[dict[str, str]]) -> list[dict[str, str]]:
        return [row for row in rows if row["id"] != "item-003"]

    # The copy was held back as a duplicate; with the first gone it ships, in its own (reused-then-rebuilt) partition.
    warm, cold = rebuild(tmp_path, "gone", without_item_3, first)
    assert outputs(warm) == outputs(cold)
    index = [json.loads(line) for line in (warm / "rejected.jsonl").read_text(encoding="utf-8").splitlines()]
    assert not any(r["id"] == "zz-copy-of-3" for r in index)
    report = json.loads((warm / "report.json").read_text(encoding="utf-8"))
    assert report["totals"]["shipped"] == ITEMS

    def copy_first(rows: list[dict[str, str]]) -> list[dict[str, str]]:
        # A new copy early in build order: the later one, in a partition that did not change, is taken out.
        return [{"id": "aa-copy-of-40", "file": "files/040.png", "title": "Copy"}, *rows]

    warm, cold = rebuild(tmp_path, "copied", copy_first, first)
    assert outputs(warm) == outputs(cold)
    rejected = (warm / "rejected.jsonl").read_text(encoding="utf-8")
    assert '"id":"item-040"' in rejected and "test-museum/aa-copy-of-40, which ships" in rejected


def test_a_new_as_of_date_changes_only_the_partitions_it_decides(tmp_path: Path) -> None:
    def one_protected(rows: list[dict[str, str]]) -> list[dict[str, str]]:
        # Its rights evidence words what the term rules find on the as-of date (the US rule's year moves
        # on 1 January), so its partition is built again; every other sample's evidence stays the same.
        return [
            {**row, "rights": "", "creator": "A. Painter", "creator_death_year": "1955", "date": "1950"}
            if row["id"] == "item-020"
            else row
            for row in rows
        ]

    folder = make_collection(tmp_path / "manifests", one_protected)
    first = tmp_path / "first"
    build(load_collections([folder]), first, SETTINGS)
    later = Settings(as_of="2027-01-01", shard_max_count=8)
    warm, cold = tmp_path / "warm", tmp_path / "cold"
    build(load_collections([folder]), warm, later, previous=first)
    build(load_collections([folder]), cold, later)
    assert outputs(warm) == outputs(cold)
    before = {p.relative_to(first).as_posix(): p for p in shard_files(first)}
    after = {p.relative_to(warm).as_posix(): p for p in shard_files(warm)}
    rebuilt = [name for name in after if after[name].stat().st_ino != before[name].stat().st_ino]
    assert set(after) == set(before) and len(rebuilt) == 1
    with tarfile.open(after[rebuilt[0]]) as tar:
        assert "test-museum_item-020.json" in tar.getnames()


def test_a_build_in_the_flat_layout_of_before_is_built_again_into_subfolders(tmp_path: Path) -> None:
    folder = make_collection(tmp_path / "manifests")
    first, warm, cold = tmp_path / "first", tmp_path / "warm", tmp_path / "cold"
    build(load_collections([folder]), first, SETTINGS)
    flat = flatten_shards(first)
    assert len(flat) > 6 and all(name.count("/") == 2 for name in flat)
    build(load_collections([folder]), warm, SETTINGS, previous=first)
    build(load_collections([folder]), cold, SETTINGS)
    assert outputs(warm) == outputs(cold)
    report = json.loads((warm / "report.json").read_text(encoding="utf-8"))
    for shard in report["shards"]:
        name = Path(shard["name"]).name
        assert shard["name"] == shard_stem("test-museum", name.rsplit("-", 1)[0], int(name[-7:-4])) + ".tar"
    # Each shard is written anew at its new path (none linked from the earlier build), so a push sends it once.
    earlier = {(p.stat().st_dev, p.stat().st_ino) for p in (first / "data").rglob("*.tar")}
    assert not any((p.stat().st_dev, p.stat().st_ino) in earlier for p in shard_files(warm))
    # The next build reuses them as they are.
    again = tmp_path / "again"
    build(load_collections([folder]), again, SETTINGS, previous=warm)
    assert outputs(again) == outputs(cold)
    assert all(p.samefile(warm / p.relative_to(again)) for p in shard_files(again))
