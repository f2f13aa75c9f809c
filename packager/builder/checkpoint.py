"""Crash-safe builds: what a build is of, and how far it got, so that ``--resume`` finishes the job.

A resume keeps every partition whose record and shards are complete (``packager.builder.reuse``),
so the state here is small and its cost per partition does not grow with the build:
``checkpoint.json``, written once at the start, holds a fingerprint of the inputs and settings
(and what it was made of, so that a refused resume names each change), which guards against
resuming a different build; ``progress.json``, replaced after partitions complete, holds how far
through the build order they reach and how many shards are complete (a few dozen bytes at any size:
at PD12M scale a checkpoint that listed every shard wrote tens of GB over a build). Because the
build order and every stage are deterministic, a resumed build is byte-identical to one that was
never interrupted.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from packager.atomic import write_atomic
from packager.digest import file_sha256
from packager.jsonutil import dumps_canonical, dumps_pretty
from packager.manifest.collection import Collection
from packager.manifest.inputs import collection_inputs
from packager.version import __version__

STATE_DIR = ".pdpack"
CHECKPOINT = "checkpoint.json"  # what the build is of: written once, at its start
PROGRESS = "progress.json"  # how far it got: replaced after partitions complete


@dataclass
class Checkpoint:
    fingerprint: str
    consumed: int = 0  # results in build order that completed partitions account for
    shards: int = 0  # complete shards
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


def start(out_dir: Path, fingerprint: str, inputs: dict[str, Any], resume: bool) -> None:
    """Record what the build is of; a build that does not resume starts with no progress."""
    folder = state_dir(out_dir)
    folder.mkdir(parents=True, exist_ok=True)
    if not resume:
        (folder / PROGRESS).unlink(missing_ok=True)
    write_atomic(folder / CHECKPOINT, dumps_pretty({"fingerprint": fingerprint, "inputs": inputs}))


def save_progress(out_dir: Path, consumed: int, shards: int) -> None:
    """Replace the progress atomically: a reader sees the old one or the new one, never half. Its size does not
    grow with the build.

    It holds only what a resume says and where its progress starts: a resumed build writes rejected.jsonl
    afresh from its partitions' records, so the file's length then is not kept.
    """
    progress = {"consumed": consumed, "shards": shards}
    write_atomic(state_dir(out_dir) / PROGRESS, dumps_canonical(progress) + b"\n")


def load(out_dir: Path) -> Checkpoint | None:
    """The interrupted build in ``out_dir``; None when there is none (or its checkpoint is unreadable)."""
    folder = state_dir(out_dir)
    try:
        header = json.loads((folder / CHECKPOINT).read_text(encoding="utf-8"))
        point = Checkpoint(str(header["fingerprint"]), inputs=dict(header.get("inputs") or {}))
    except (OSError, ValueError, KeyError, TypeError):
        return None
    try:
        progress = json.loads((folder / PROGRESS).read_text(encoding="utf-8"))
        point.consumed = int(progress["consumed"])
        point.shards = int(progress["shards"])
    except (OSError, ValueError, KeyError, TypeError):
        pass  # killed before its first partition was complete: nothing done yet
    return point
