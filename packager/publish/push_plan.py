"""What a push would change: the release folder's files compared with the repo's, as the Hub stores them.

``plan_push`` compares the folder with the repo's current tree, file by file: a file is skipped when the repo
already holds the same bytes (same sha256 for a file stored with LFS or Xet, same git blob id for a file stored
in git). The Hub, not the client, decides how a new file is stored (its ``preupload`` answer), so the plan does
not guess: it compares with how the remote copy is actually stored. Only reads the Hub.
"""

from __future__ import annotations

import hashlib
import json
import os
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from packager.builder.reuse import PUBLISHED_RECORDS
from packager.model import PushError
from packager.outputs.build_card import CARD_FILE
from packager.outputs.report_data import held_back_pictures
from packager.outputs.report_html import REPORT_FILE
from packager.publish.hubcalls import hub_call
from packager.publish.record_packs import write_packs

if TYPE_CHECKING:
    from huggingface_hub import HfApi
    from huggingface_hub.hf_api import RepoFile

REPO_TYPE = "dataset"
DATA_DIR = "data/"
DEFAULT_MAX_FILES_PER_COMMIT = 100  # the Hub's advice: about 50-100 files per commit
_BLOCK = 1 << 20


@dataclass(frozen=True)
class LocalFile:
    """A file of the folder to push."""

    path: str  # POSIX path in the repo, relative to the folder
    source: Path  # the file on disk
    size: int
    sha256: str  # its LFS / Xet object id
    git_oid: str  # its git blob id, sha1(b"blob <size>\0" + data), when stored in git


@dataclass(frozen=True)
class PlannedFile:
    file: LocalFile
    send: bool
    reason: str  # "new", "changed" or "unchanged"

    @property
    def path(self) -> str:
        return self.file.path


@dataclass(frozen=True)
class PushPlan:
    repo_id: str
    revision: str
    endpoint: str
    dist: Path
    repo_exists: bool
    remote_commit: str | None  # the commit of `revision` the plan compared with
    remote_private: bool | None
    files: tuple[PlannedFile, ...]  # in commit order: data files, other files, the card
    remote_only: tuple[str, ...]  # files in the repo that the folder does not have (left in place)
    # Shards the folder's report lists without holding them: reused from the previous release, already in the repo.
    kept_in_repo: tuple[str, ...] = ()

    @property
    def url(self) -> str:
        return f"{self.endpoint}/datasets/{self.repo_id}"

    @property
    def to_send(self) -> list[LocalFile]:
        return [p.file for p in self.files if p.send]

    @property
    def unchanged(self) -> list[LocalFile]:
        return [p.file for p in self.files if not p.send]

    @property
    def bytes_to_send(self) -> int:
        return sum(f.size for f in self.to_send)

    def batches(self, max_files_per_commit: int = DEFAULT_MAX_FILES_PER_COMMIT) -> list[list[LocalFile]]:
        """The files to send, commit by commit, in commit order."""
        if max_files_per_commit < 1:
            raise ValueError("max_files_per_commit must be at least 1")
        files = self.to_send
        return [files[i : i + max_files_per_commit] for i in range(0, len(files), max_files_per_commit)]


def is_stale(path: str) -> bool:
    """Whether a file the repo holds and the folder does not is an earlier release's (a shard, an index, a record)."""
    return path.startswith((DATA_DIR, PUBLISHED_RECORDS))


def commit_order(path: str) -> tuple[int, str]:
    """Data files first, then the other release files, the dataset card last; by path within each."""
    if path == CARD_FILE:
        return (2, path)
    return (0 if path.startswith(DATA_DIR) else 1, path)


def local_files(dist: Path) -> list[LocalFile]:
    """Every file a release is made of, in commit order.

    Skips names starting with a dot (and folders such as .cache), *.tmp files a build leaves while writing,
    and symbolic links (nothing from outside the folder is published by accident); of the build's state in
    .pdpack/, only the partition records are published, so that the next release can reuse its partitions.
    """
    if not dist.is_dir():
        raise PushError(f"{dist} is not a folder")
    found: list[LocalFile] = []
    for root, dirs, names in os.walk(dist):
        dirs[:] = sorted(d for d in dirs if not d.startswith(".") and not Path(root, d).is_symlink())
        for name in names:
            path = Path(root, name)
            if name.startswith(".") or name.endswith(".tmp") or path.is_symlink() or not path.is_file():
                continue
            found.append(_describe(path, path.relative_to(dist).as_posix()))
    for path_in_repo, pack in write_packs(dist):
        found.append(_describe(pack, path_in_repo))
    if not found:
        raise PushError(f"Nothing to push: {dist} holds no files")
    return sorted(found, key=lambda f: commit_order(f.path))


def _describe(source: Path, path: str) -> LocalFile:
    size = source.stat().st_size
    sha256 = hashlib.sha256()
    sha1 = hashlib.sha1(b"blob %d\0" % size, usedforsecurity=False)
    with source.open("rb") as handle:
        for block in iter(lambda: handle.read(_BLOCK), b""):
            sha256.update(block)
            sha1.update(block)
    return LocalFile(path, source, size, sha256.hexdigest(), sha1.hexdigest())


def same_content(local: LocalFile, remote: RepoFile) -> bool:
    """Whether the repo's file holds these bytes, compared the way the Hub stores it."""
    if remote.size != local.size:
        return False
    if remote.lfs is not None:
        return remote.lfs.sha256 == local.sha256
    return remote.blob_id == local.git_oid


def check_publishable(dist: Path) -> None:
    """A PushError when the folder's report.html pictures held-back items (a local build's page, for staff)."""
    page = dist / REPORT_FILE
    if not page.is_file() or page.is_symlink():
        return
    pictured = held_back_pictures(page.read_text(encoding="utf-8", errors="replace"))
    if pictured:
        raise PushError(
            f"{page} pictures {pictured} held-back item(s): it is a local build's report, for staff, not for "
            "publication. Nothing was sent. Build again with `pdpack build ... --for-publication`, or publish a "
            "release (`pdpack release`): their report pictures only what ships."
        )


def plan_push(api: HfApi, dist: Path, repo_id: str, revision: str = "main") -> PushPlan:
    """Compare ``dist`` with the repo: which files to send, which are there already. Only reads the Hub.

    Refuses (PushError) a folder whose report.html pictures held-back items, before asking the Hub anything.
    """
    from huggingface_hub.errors import RepositoryNotFoundError, RevisionNotFoundError
    from huggingface_hub.hf_api import RepoFile

    files = local_files(dist)
    check_publishable(dist)

    def read_remote() -> tuple[Any, dict[str, RepoFile]]:
        try:
            info = api.repo_info(repo_id, repo_type=REPO_TYPE, revision=revision)
        except RepositoryNotFoundError:
            return None, {}
        except RevisionNotFoundError:
            return False, {}
        tree = api.list_repo_tree(repo_id, repo_type=REPO_TYPE, revision=info.sha or revision, recursive=True)
        return info, {entry.path: entry for entry in tree if isinstance(entry, RepoFile)}

    info, remote = hub_call(api, f"Could not read {repo_id} on the Hub", read_remote)
    if info is False:
        raise PushError(f"The dataset repo {repo_id} has no branch {revision!r}")
    planned = []
    for local in files:
        entry = remote.get(local.path)
        if entry is None:
            planned.append(PlannedFile(local, True, "new"))
        else:
            unchanged = same_content(local, entry)
            planned.append(PlannedFile(local, not unchanged, "unchanged" if unchanged else "changed"))
    kept = _kept_in_repo(dist, {f.path for f in files}, remote, repo_id, revision)
    ours = {f.path for f in files} | set(kept)
    remote_only = sorted(p for p in remote if p not in ours and (p.startswith(PUBLISHED_RECORDS) or not _hidden(p)))
    return PushPlan(
        repo_id=repo_id,
        revision=revision,
        endpoint=api.endpoint.rstrip("/"),
        dist=dist,
        repo_exists=info is not None,
        remote_commit=info.sha if info is not None else None,
        remote_private=info.private if info is not None else None,
        files=tuple(planned),
        remote_only=tuple(remote_only),
        kept_in_repo=tuple(kept),
    )


def _hidden(path: str) -> bool:
    return any(part.startswith(".") for part in path.split("/"))


def _kept_in_repo(dist: Path, ours: set[str], remote: dict[str, RepoFile], repo_id: str, revision: str) -> list[str]:
    """The shards the folder's report.json lists without holding them: reused from the previous release, they
    stay in the repo, which must hold exactly those bytes (the digest the report gives) on ``revision``."""
    try:
        shards = json.loads((dist / "report.json").read_text(encoding="utf-8"))["shards"]
        listed = [(str(s["name"]), str(s["sha256"]), int(s["bytes"])) for s in shards]
    except (OSError, ValueError, KeyError, TypeError):
        return []  # not a build (or not one pdpack wrote): every file it has is sent, nothing more is kept
    kept = []
    for name, sha256, size in listed:
        if name in ours:
            continue
        entry = remote.get(name)
        if entry is None or entry.lfs is None or (entry.lfs.sha256, entry.size) != (sha256, size):
            raise PushError(
                f"{dist} lists the shard {name} (reused from the previous release) without holding it, and "
                f"{repo_id} does not hold those bytes on {revision!r}. Nothing was sent. A release that reuses a "
                "previous release's shards without copying them is pushed to the repo that holds that release; "
                "otherwise build it again with --no-previous."
            )
        kept.append(name)
    return sorted(kept)
