"""What a release folder holds besides a build's files, and finding and reading one back."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from packager.model import ReleaseError

RELEASES_FOLDER = "releases"
RELEASE_FILE = "release.json"
CHANGELOG_FILE = "CHANGELOG.md"
CROISSANT_FILE = "croissant.json"


def previous_release(out: Path) -> Path | None:
    """The newest other release folder beside ``out`` (by as-of date, then version), or None."""
    parent = out.resolve().parent
    if not parent.is_dir():
        return None
    candidates = []
    for folder in parent.iterdir():
        if folder.resolve() == out.resolve() or not (folder / RELEASE_FILE).is_file():
            continue
        try:
            meta = read_release(folder)
        except ReleaseError:
            continue
        candidates.append((str(meta.get("as_of", "")), str(meta.get("version", "")), folder))
    return max(candidates)[2] if candidates else None


def read_release(folder: Path) -> dict[str, Any]:
    path = folder / RELEASE_FILE
    try:
        meta = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise ReleaseError(f"{path}: not a pdpack release ({exc})") from exc
    if not isinstance(meta, dict) or "version" not in meta or "shards" not in meta:
        raise ReleaseError(f"{path}: not a pdpack release (no version or shard list)")
    return meta
