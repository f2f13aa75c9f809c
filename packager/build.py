"""A build: collections in, shards and reports out."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import asdict
from pathlib import Path
from typing import Any

from packager.collection import Collection, ManifestError, load_collection
from packager.pipeline import Result, Settings, run
from packager.report import BuildReport
from packager.sample import Sample
from packager.shards import DEFAULT_MAX_COUNT, DEFAULT_MAX_SIZE, ShardWriter

BUILD_OUTPUTS = ("report.json", "rejected.jsonl", "ATTRIBUTION.md")


def load_collections(folders: Sequence[Path | str]) -> list[Collection]:
    """Load every collection, refusing two with the same id."""
    collections = [load_collection(folder) for folder in folders]
    seen: dict[str, Path] = {}
    for collection in collections:
        if collection.id in seen:
            raise ManifestError(
                collection.root / "collection.yaml",
                f"id {collection.id!r} is also used by {seen[collection.id]}; ids must be unique in a build",
                column="id",
            )
        seen[collection.id] = collection.root
    return collections


def clear_previous(out_dir: Path) -> None:
    """Remove what an earlier build wrote here, so no stale shard is mixed into this one."""
    data = out_dir / "data"
    if data.is_dir():
        for pattern in ("*.tar", "*.parquet", "*.tmp"):
            for path in data.glob(pattern):
                path.unlink()
    for name in BUILD_OUTPUTS:
        (out_dir / name).unlink(missing_ok=True)


def build(
    collections: Sequence[Collection],
    out_dir: Path,
    settings: Settings,
    workers: int = 1,
    max_count: int = DEFAULT_MAX_COUNT,
    max_size: int = DEFAULT_MAX_SIZE,
    on_result: Callable[[Collection, Result], None] | None = None,
) -> dict[str, Any]:
    """Build shards and reports into ``out_dir``; return the report."""
    out_dir.mkdir(parents=True, exist_ok=True)
    clear_previous(out_dir)
    recorded = {**asdict(settings), "shard_max_count": max_count, "shard_max_size": max_size}
    with BuildReport(out_dir, recorded) as report, ShardWriter(out_dir, max_count, max_size) as writer:
        for collection, result in run(collections, settings, workers):
            if isinstance(result, Sample):
                writer.write(result)
            report.add(collection, result)
            if on_result is not None:
                on_result(collection, result)
        shards = writer.close()
        return report.write(shards)
