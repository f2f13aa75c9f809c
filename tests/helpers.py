"""Shared test helpers: real collection folders with real image files (the fixtures in conftest.py use them)."""

from __future__ import annotations

import csv
import io
import random
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from PIL import Image

REPO = Path(__file__).resolve().parent.parent
EXAMPLES = REPO / "manifests" / "examples"
CC0 = "http://creativecommons.org/publicdomain/zero/1.0/"


def image_bytes(
    fmt: str = "PNG", size: tuple[int, int] = (32, 24), color: tuple[int, int, int] = (200, 30, 30)
) -> bytes:
    """A small real image in the given Pillow format.

    The colour seeds a pattern as well, so images of different colours are different pictures
    (flat images would all share one perceptual hash and be held back as near duplicates).
    """
    out = io.BytesIO()
    mode = "CMYK" if fmt == "TIFF-CMYK" else "RGB"
    rng = random.Random(color[0] * 65536 + color[1] * 256 + color[2])
    noise = Image.frombytes("RGB", size, rng.randbytes(size[0] * size[1] * 3))
    image = Image.blend(Image.new("RGB", size, color), noise, 0.5)
    if mode == "CMYK":
        image = image.convert("CMYK")
    image.save(out, format="TIFF" if fmt == "TIFF-CMYK" else fmt)
    return out.getvalue()


def write_collection(
    root: Path,
    rows: Iterable[dict[str, Any]],
    collection_id: str = "test-museum",
    files: dict[str, bytes] | None = None,
    rights: str | None = CC0,
    fmt: str = "csv",
) -> Path:
    """Write a collection folder: collection.yaml, items.csv (or .jsonl) and the given files."""
    folder = root / collection_id
    folder.mkdir(parents=True, exist_ok=True)
    lines = [
        f"id: {collection_id}",
        f"title: Test collection {collection_id}",
        'institution: {name: "Test Museum", url: "https://museum.example"}',
        "jurisdiction: US",
    ]
    if rights:
        lines.append(f"rights: {rights}")
    (folder / "collection.yaml").write_text("\n".join(lines) + "\n", encoding="utf-8")
    for name, data in (files or {}).items():
        path = folder / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)
    rows = list(rows)
    if fmt == "csv":
        columns: list[str] = []
        for row in rows:
            columns += [k for k in row if k not in columns]
        with (folder / "items.csv").open("w", encoding="utf-8", newline="") as handle:
            writer = csv.DictWriter(handle, fieldnames=columns)
            writer.writeheader()
            writer.writerows(rows)
    else:
        import json

        (folder / "items.jsonl").write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
    return folder


def shard_files(out: Path, suffix: str = ".tar") -> list[Path]:
    """A build's shard (or index, with suffix .parquet) files, in build order, as its report lists them."""
    import json

    report = json.loads((out / "report.json").read_text(encoding="utf-8"))
    key = "name" if suffix == ".tar" else "index"
    return [out / shard[key] for shard in report["shards"]]


def only_shard(out: Path, suffix: str = ".tar") -> Path:
    """The one shard (or its index) of a build that wrote exactly one."""
    (path,) = shard_files(out, suffix)
    return path


def flatten_shards(folder: Path) -> set[str]:
    """Lay a build or release folder out as pdpack did before shard subfolders: ``data/COLLECTION/PARTITION-NNN``
    (files moved, records, report.json and release.json rewritten to name them). Returns the flat paths."""
    import dataclasses
    import json

    from packager.builder.records import PartitionRecord

    moved: dict[str, str] = {}
    for path in sorted((folder / ".pdpack" / "partitions").glob("*/*.json.gz")):
        record = PartitionRecord.from_bytes(path.read_bytes())
        shards = []
        for shard in record.shards:
            for name in (shard.name, shard.index):
                moved[name] = f"data/{record.collection}/{Path(name).name}"
                (folder / name).rename(folder / moved[name])
            shards.append(dataclasses.replace(shard, name=moved[shard.name], index=moved[shard.index]))
        path.write_bytes(dataclasses.replace(record, shards=shards).to_bytes())
    for summary in (folder / "report.json", folder / "release.json"):
        if summary.is_file():
            data = json.loads(summary.read_text(encoding="utf-8"))
            for shard in data["shards"]:
                shard["name"], shard["index"] = moved[shard["name"]], moved[shard["index"]]
            summary.write_text(json.dumps(data, indent=2), encoding="utf-8")
    for empty in sorted((p for p in (folder / "data").rglob("*") if p.is_dir()), reverse=True):
        if not any(empty.iterdir()):
            empty.rmdir()
    return set(moved.values())
