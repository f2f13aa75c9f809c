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
from packager.digest import file_sha256
from packager.jsonutil import dumps_pretty
from packager.manifest.collection import Collection
from packager.manifest.inputs import collection_inputs
from packager.version import __version__

STATE_DIR = ".pdpack"
CHECKPOINT = "checkpoint.json"


@dataclass
class Checkpoint:
    fingerprint: str
    consumed: int  # results in build order that completed shards and rejected.jsonl account for
    rejected_offset: int
    shards: list[dict[str, Any]] = field(default_factory=list)
    tallies: dict[str, Any] = field(default_factory=dict)
    overrides: list[dict[str, Any]] = field(default_factory=list)
    # What the fingerprint was made of (pdpack version, settings, each input file's hash), so that a
    # refused resume can say what changed.
    inputs: dict[str, Any] = field(default_factory=dict)


def fingerprint(collections: list[Collection], settings: dict[str, Any]) -> str:
    digest = hashlib.sha256()
    digest.update(json.dumps({"pdpack": __version__, "settings": settings}, sort_keys=True, default=str).encode())
    for collection in sorted(collections, key=lambda c: c.id):
        digest.update(collection.id.encode())
        for path in collection_inputs(collection):
            digest.update(path.name.encode() + b"\0" + file_sha256(path).encode())
    return digest.hexdigest()


def describe_inputs(collections: list[Collection], settings: dict[str, Any]) -> dict[str, Any]:
    """The inputs the fingerprint is made of, in a form two builds can be compared by."""
    files = {
        f"{collection.id}/{path.name}": file_sha256(path)
        for collection in sorted(collections, key=lambda c: c.id)
        for path in collection_inputs(collection)
    }
    plain = json.loads(json.dumps(settings, sort_keys=True, default=str))
    return {"pdpack": __version__, "settings": plain, "files": files}


def _flat(settings: dict[str, Any]) -> dict[str, Any]:
    """Settings one level deep (``image.max_side`` as ``max_side``): the names options have."""
    flat: dict[str, Any] = {}
    for key, value in settings.items():
        if isinstance(value, dict):
            flat.update(value)
        else:
            flat[key] = value
    return flat


def changes(before: dict[str, Any], now: dict[str, Any]) -> list[str]:
    """What differs between an interrupted build's inputs and this one's, in words (empty when unknown)."""
    if not before:
        return []
    said: list[str] = []
    if before.get("pdpack") != now.get("pdpack"):
        said.append(f"pdpack was version {before.get('pdpack')}, now {now.get('pdpack')}")
    old_settings, new_settings = _flat(before.get("settings", {})), _flat(now.get("settings", {}))
    for key in sorted({*old_settings, *new_settings}):
        old, new = old_settings.get(key), new_settings.get(key)
        if old == new:
            continue
        if key == "as_of":
            said.append(f"the as-of date was {old}, now {new} (it defaults to today: give --as-of {old} to resume)")
        else:
            said.append(f"option --{key.replace('_', '-')} was {old!r}, now {new!r}")
    old_files, new_files = before.get("files", {}), now.get("files", {})
    old_collections = {name.split("/", 1)[0] for name in old_files}
    new_collections = {name.split("/", 1)[0] for name in new_files}
    for collection in sorted(old_collections - new_collections):
        said.append(f"collection {collection} was in the interrupted build and is not given now")
    for collection in sorted(new_collections - old_collections):
        said.append(f"collection {collection} was not in the interrupted build")
    for name in sorted({*old_files, *new_files}):
        collection, file = name.split("/", 1)
        if collection not in old_collections & new_collections or old_files.get(name) == new_files.get(name):
            continue
        if name not in old_files:
            said.append(f"{file} of collection {collection} is new")
        elif name not in new_files:
            said.append(f"{file} of collection {collection} is gone")
        else:
            said.append(f"{file} of collection {collection} changed")
    return said


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
    fields = json.loads(path.read_text(encoding="utf-8"))
    return Checkpoint(**{k: v for k, v in fields.items() if k in Checkpoint.__dataclass_fields__})
