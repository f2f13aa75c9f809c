"""SHA-256 of files, read in blocks: a shard or a TIFF master of any size hashes in constant memory."""

from __future__ import annotations

import hashlib
from pathlib import Path


def file_sha256_and_size(path: Path) -> tuple[str, int]:
    with path.open("rb") as handle:
        digest = hashlib.file_digest(handle, "sha256")
        return digest.hexdigest(), handle.tell()


def file_sha256(path: Path) -> str:
    return file_sha256_and_size(path)[0]
