"""Crash-safe builds: a checkpoint after every completed shard, so ``--resume`` finishes the job.

The checkpoint records how far through the build order the completed shards reach,
how long rejected.jsonl was then, and the report's tallies. Resuming truncates
everything written after it and carries on from there; because the build order
and every stage are deterministic, the result is byte-identical to a build that
was never interrupted. A fingerprint of the inputs and settings guards against
resuming a different build.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from packager.atomic import write_atomic
from packager.collection import Collection
from packager.digest import file_sha256
from packager.jsonutil import dumps_pretty
from packager.version import __version__

STATE_DIR = ".pdpack"
CHECKPOINT = "checkpoint.json"


class ResumeError(Exception):
    pass


@dataclass
class Checkpoint:
    fingerprint: str
    consumed: int  # results in build order that completed shards and rejected.jsonl account for
    rejected_offset: int
    shards: list[dict[str, Any]] = field(default_factory=list)
    tallies: dict[str, Any] = field(default_factory=dict)
    overrides: list[dict[str, Any]] = field(default_factory=list)


def input_files(collection: Collection) -> list[Path]:
    """The files whose content decides a collection's items: metadata, manifest, reviews."""
    files = [collection.root / "collection.yaml"]
    if collection.manifest.is_dir():
        files += sorted(collection.manifest.glob("*.json"))
    else:
        files.append(collection.manifest)
    review = collection.root / "review.csv"
    if review.is_file():
        files.append(review)
    return files


def fingerprint(collections: list[Collection], settings: dict[str, Any]) -> str:
    digest = hashlib.sha256()
    digest.update(json.dumps({"pdpack": __version__, "settings": settings}, sort_keys=True, default=str).encode())
    for collection in sorted(collections, key=lambda c: c.id):
        digest.update(collection.id.encode())
        for path in input_files(collection):
            digest.update(path.name.encode() + b"\0" + file_sha256(path).encode())
    return digest.hexdigest()


def state_dir(out_dir: Path) -> Path:
    return out_dir / STATE_DIR


def save(out_dir: Path, checkpoint: Checkpoint) -> None:
    """Write the checkpoint atomically: a reader sees the old one or the new one, never half."""
    folder = state_dir(out_dir)
    folder.mkdir(parents=True, exist_ok=True)
    write_atomic(folder / CHECKPOINT, dumps_pretty(asdict(checkpoint)))


def load(out_dir: Path) -> Checkpoint | None:
    path = state_dir(out_dir) / CHECKPOINT
    if not path.is_file():
        return None
    return Checkpoint(**json.loads(path.read_text(encoding="utf-8")))
