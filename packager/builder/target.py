"""Where a build goes when ``--out`` is a URL: object storage (``s3://…``) or any other fsspec filesystem.

Each partition task writes its shards into a folder of its own on the machine it runs on, then
uploads them to the target and deletes its copies; the driver keeps its state (checkpoint,
deduplication index, partition records) in a local folder of its own, mirrors each partition's
record (once its shards are there) and the checkpoint to ``URL/.pdpack/``, from which a resumed or
a later build reuses partitions, and uploads the small files (reports, attribution, card) once the
build is complete. The bytes are those a local build writes: the same code writes them, only the
last step (the upload) differs.

Where the storage is and how to sign in comes from fsspec's usual places: the filesystem's own
environment (for S3, ``AWS_ACCESS_KEY_ID``, ``AWS_ENDPOINT_URL``, an instance role), fsspec's
``FSSPEC_<PROTOCOL>_<OPTION>`` variables (``FSSPEC_S3_ENDPOINT_URL``), or ``storage_options``
(``--storage-option KEY=VALUE``), which travel with every task to every node.
"""

from __future__ import annotations

import json
import tempfile
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
        """Delete these files; one that is not there is no error."""
        fs, root = self._fs()
        paths = [f"{root}/{name}" for name in names]
        if "file" in _protocols(fs):
            paths = [path for path in paths if fs.exists(path)]
        if paths:
            fs.rm(paths)

    def shard_files(self) -> list[str]:
        """Every shard and index under ``URL/data/`` (what an earlier build may have left), as relative names."""
        return [name for name in self.files_under("data") if name.endswith(SHARD_SUFFIXES)]

    def files_under(self, folder: str) -> list[str]:
        """Every file under ``URL/FOLDER/``, as names relative to the URL."""
        fs, root = self._fs()
        fs.invalidate_cache()
        top = f"{root}/{folder.strip('/')}".rstrip("/")
        if not fs.exists(top):
            return []
        return sorted(p[len(root) + 1 :] for p in fs.find(top))

    def folders(self) -> list[str]:
        """The names of the folders (prefixes) right under the URL."""
        fs, root = self._fs()
        fs.invalidate_cache()
        if not fs.exists(root):
            return []
        entries = fs.ls(root, detail=True)
        return sorted(e["name"].rstrip("/").rsplit("/", 1)[-1] for e in entries if e.get("type") == "directory")

    def read_json(self, name: str) -> Any:
        """The JSON document ``URL/NAME``; None when there is none (or it is not JSON)."""
        fs, root = self._fs()
        try:
            return json.loads(fs.cat_file(f"{root}/{name}"))
        except (FileNotFoundError, ValueError):
            return None

    def read_bytes(self, name: str) -> bytes | None:
        """The bytes of ``URL/NAME``; None when there is none."""
        fs, root = self._fs()
        try:
            return bytes(fs.cat_file(f"{root}/{name}"))
        except FileNotFoundError:
            return None

    def sizes(self, names: Iterable[str]) -> dict[str, int]:
        """The size of each of these files that is there (one absent is left out)."""
        fs, root = self._fs()
        fs.invalidate_cache()  # a worker elsewhere may have written since
        found: dict[str, int] = {}
        for name in names:
            try:
                info = fs.info(f"{root}/{name}")
            except FileNotFoundError:
                continue
            if info.get("type") == "file":
                found[name] = int(info["size"])
        return found

    def same_place(self, other: Target) -> bool:
        return self.url.rstrip("/") == other.url.rstrip("/") and dict(self.options) == dict(other.options)

    def copy_from(self, source: Target, names: Iterable[str]) -> None:
        """Copy ``SOURCE/NAME`` to ``URL/NAME``: inside the storage where both are on one (no byte passes here)."""
        names = list(names)
        fs, root = self._fs()
        other, other_root = source._fs()
        if _protocols(fs) == _protocols(other) and dict(self.options) == dict(source.options):
            if "file" in _protocols(fs):
                for name in names:
                    fs.makedirs(f"{root}/{name}".rsplit("/", 1)[0], exist_ok=True)
            fs.copy([f"{other_root}/{n}" for n in names], [f"{root}/{n}" for n in names])
            return
        with tempfile.TemporaryDirectory(prefix="pdpack-copy-") as staging:
            source.download(names, Path(staging))
            self.upload(Path(staging), names)


def _protocols(fs: Any) -> tuple[str, ...]:
    protocol = fs.protocol
    return (protocol,) if isinstance(protocol, str) else tuple(protocol)
