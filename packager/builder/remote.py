"""Shards that an earlier release holds elsewhere (a Hub repo at its tag), and what is known of them there.

A previous release fetched from the Hub (``packager.publish.previous``) brings its records and indexes but
not its shards, which stay in the repo: ``.pdpack/remote.json`` beside the records lists, for every shard
file of the repo at that tag, the SHA-256 and size the Hub holds (the LFS object id, which the Hub checks
against the bytes on upload). A partition whose key is unchanged is reused without its tar files when each
one the record names is there with the digest and size the record gives: the new release lists the same
files, and ``push`` leaves them in the repo instead of sending them again. Names are never trusted alone:
a shard the repo does not hold byte for byte (by its digest) is built again.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from packager.atomic import write_atomic
from packager.builder.checkpoint import state_dir
from packager.jsonutil import dumps_pretty
from packager.sample import ShardInfo

REMOTE_FILE = "remote.json"


@dataclass(frozen=True)
class RemoteFile:
    sha256: str
    size: int


@dataclass(frozen=True)
class RemoteShards:
    """Where an earlier release's shards are (``repo`` at ``revision``, commit ``commit``) and their digests."""

    repo: str
    revision: str
    commit: str
    files: dict[str, RemoteFile] = field(default_factory=dict)

    def holds(self, shard: ShardInfo) -> bool:
        """Whether the remote copy of the shard's tar is the one the record describes (digest and size)."""
        found = self.files.get(shard.name)
        return found is not None and found.sha256 == shard.sha256 and found.size == shard.bytes

    def to_json(self) -> dict[str, Any]:
        return {
            "repo": self.repo,
            "revision": self.revision,
            "commit": self.commit,
            "files": {name: {"sha256": f.sha256, "size": f.size} for name, f in sorted(self.files.items())},
        }

    @staticmethod
    def from_json(data: dict[str, Any]) -> RemoteShards:
        files = {str(name): RemoteFile(str(f["sha256"]), int(f["size"])) for name, f in data["files"].items()}
        return RemoteShards(str(data["repo"]), str(data["revision"]), str(data["commit"]), files)


def remote_path(folder: Path) -> Path:
    return state_dir(folder) / REMOTE_FILE


def load_remote(folder: Path) -> RemoteShards | None:
    """The remote shards of the release in ``folder``; None when its shards are all in the folder (or unknown)."""
    try:
        return RemoteShards.from_json(json.loads(remote_path(folder).read_text(encoding="utf-8")))
    except (OSError, ValueError, KeyError, TypeError, AttributeError):
        return None  # none, or unreadable: nothing is reused without its files


def save_remote(folder: Path, remote: RemoteShards) -> None:
    path = remote_path(folder)
    path.parent.mkdir(parents=True, exist_ok=True)
    write_atomic(path, dumps_pretty(remote.to_json()))


_cache: dict[Path, tuple[tuple[int, int], RemoteShards | None]] = {}


def load_remote_cached(folder: Path) -> RemoteShards | None:
    """``load_remote``, read once per file version: it is asked about every partition of a build."""
    path = remote_path(folder)
    try:
        stat = path.stat()
    except OSError:
        return None
    version = (stat.st_mtime_ns, stat.st_size)
    cached = _cache.get(path)
    if cached is None or cached[0] != version:
        cached = (version, load_remote(folder))
        _cache[path] = cached
    return cached[1]
