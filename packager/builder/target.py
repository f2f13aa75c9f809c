"""Where a build goes when ``--out`` is a URL: object storage (``s3://…``) or any other fsspec filesystem.

Each partition task writes its shards into a folder of its own on the machine it runs on, then
uploads them to the target and deletes its copies; the driver keeps its state (checkpoint,
deduplication index, partition records) in a local folder of its own and uploads the small files
(reports, attribution, card) once the build is complete. The bytes are those a local build writes:
the same code writes them, only the last step (the upload) differs.

Where the storage is and how to sign in comes from fsspec's usual places: the filesystem's own
environment (for S3, ``AWS_ACCESS_KEY_ID``, ``AWS_ENDPOINT_URL``, an instance role), fsspec's
``FSSPEC_<PROTOCOL>_<OPTION>`` variables (``FSSPEC_S3_ENDPOINT_URL``), or ``storage_options``
(``--storage-option KEY=VALUE``), which travel with every task to every node.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

# Files of a build that a later build to the same URL replaces or removes: the shards and their indexes.
SHARD_SUFFIXES = (".tar", ".parquet")


def is_url(out: Path | str) -> bool:
    """Whether ``--out`` names an fsspec URL (``s3://bucket/prefix``) rather than a folder."""
    return isinstance(out, str) and "://" in out


def storage_option(text: str) -> tuple[str, Any]:
    """One ``KEY=VALUE`` option; VALUE is read as JSON where it is JSON (true, 3, {...}), else as text."""
    key, sep, value = text.partition("=")
    if not sep or not key.strip():
        raise ValueError(f"a storage option is KEY=VALUE, not {text!r}")
    try:
        parsed: Any = json.loads(value)
    except ValueError:
        parsed = value
    return key.strip(), parsed


@dataclass(frozen=True)
class Target:
    """A build's destination URL and the fsspec options to reach it (picklable: it travels with each task)."""

    url: str
    options: Mapping[str, Any] = field(default_factory=dict)

    def _fs(self) -> tuple[Any, str]:
        import fsspec  # imported where a URL is used: local builds never load it

        fs, root = fsspec.core.url_to_fs(self.url, **dict(self.options))
        return fs, root.rstrip("/")

    def upload(self, local: Path, names: Iterable[str]) -> None:
        """Copy ``local/NAME`` to ``URL/NAME`` for every name (a relative POSIX path)."""
        fs, root = self._fs()
        for name in names:
            remote = f"{root}/{name}"
            if "file" in _protocols(fs):
                fs.makedirs(remote.rsplit("/", 1)[0], exist_ok=True)  # object stores have no folders to make
            fs.put_file(str(local / name), remote)

    def download(self, names: Iterable[str], local: Path) -> None:
        fs, root = self._fs()
        for name in names:
            (local / name).parent.mkdir(parents=True, exist_ok=True)
            fs.get_file(f"{root}/{name}", str(local / name))

    def exists(self, name: str) -> bool:
        fs, root = self._fs()
        fs.invalidate_cache()  # another process (a worker) may have written since this one last looked
        return bool(fs.isfile(f"{root}/{name}"))

    def remove(self, names: Iterable[str]) -> None:
        fs, root = self._fs()
        paths = [f"{root}/{name}" for name in names]
        if paths:
            fs.rm(paths)

    def shard_files(self) -> list[str]:
        """Every shard and index under ``URL/data/`` (what an earlier build may have left), as relative names."""
        fs, root = self._fs()
        fs.invalidate_cache()
        data = f"{root}/data"
        if not fs.exists(data):
            return []
        found = fs.find(data)
        return sorted(p[len(root) + 1 :] for p in found if p.endswith(SHARD_SUFFIXES))


def _protocols(fs: Any) -> tuple[str, ...]:
    protocol = fs.protocol
    return (protocol,) if isinstance(protocol, str) else tuple(protocol)
