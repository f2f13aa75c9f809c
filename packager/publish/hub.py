"""Publish a build folder to a Hugging Face dataset repo: plan what changed, then send it in ordered commits.

``plan_push`` compares the folder with the repo's current tree, file by file: a file is skipped when the repo
already holds the same bytes (same sha256 for a file stored with LFS or Xet, same git blob id for a file stored
in git). The Hub, not the client, decides how a new file is stored (its ``preupload`` answer), so the plan does
not guess: it compares with how the remote copy is actually stored.

``push`` creates the repo if needed and sends the changed files through ``HfApi.create_commit`` in commits of
at most ``max_files_per_commit`` files: data files first, then the other release files, the dataset card
(README.md) last, so that a push cut short never shows a card describing shards that are not there yet. A
commit that fails for a passing reason (HTTP 408/429/5xx, a dropped connection) is retried with backoff; a
push that still fails can simply be run again: it plans afresh and sends only what is missing.

The token comes from ``huggingface_hub.get_token()`` (HF_TOKEN, then the saved ``hf auth login`` token). It is
never printed or logged, and every error message is scrubbed of it before it leaves this module.
"""

from __future__ import annotations

import hashlib
import os
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from packager.model import PushError
from packager.outputs.report_data import held_back_pictures
from packager.outputs.report_html import REPORT_FILE
from packager.publish.hubcalls import (
    NO_TOKEN,
    TOKEN_REJECTED,
    find_token,
    hub_call,
    hub_endpoint,
    is_transient,
    make_api,
    push_error,
    scrub,
    token_of,
)

if TYPE_CHECKING:
    from huggingface_hub import HfApi
    from huggingface_hub.hf_api import CommitInfo, RepoFile

REPO_TYPE = "dataset"
CARD = "README.md"
DATA_DIR = "data/"
DEFAULT_MAX_FILES_PER_COMMIT = 100  # the Hub's advice: about 50-100 files per commit
DEFAULT_RETRIES = 3
RETRY_BASE_DELAY = 1.0  # seconds before the first retry of a commit; doubles after each
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


@dataclass
class PushResult:
    repo_id: str
    url: str
    files_sent: int = 0
    bytes_sent: int = 0
    commits: int = 0
    files_skipped: int = 0
    repo_created: bool = False
    tag: str | None = None
    tag_created: bool = False
    head: str | None = None  # the commit the branch (and the tag) points at after the push
    commit_urls: list[str] = field(default_factory=list)
    files_deleted: int = 0  # stale data/ files of an earlier release removed from the repo


def commit_order(path: str) -> tuple[int, str]:
    """Data files first, then the other release files, the dataset card last; by path within each."""
    if path == CARD:
        return (2, path)
    return (0 if path.startswith(DATA_DIR) else 1, path)


def local_files(dist: Path) -> list[LocalFile]:
    """Every file a release is made of, in commit order.

    Skips names starting with a dot (and folders such as .cache), *.tmp files a build leaves while writing,
    and symbolic links (nothing from outside the folder is published by accident).
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
    ours = {f.path for f in files}
    remote_only = sorted(p for p in remote if p not in ours and not any(s.startswith(".") for s in p.split("/")))
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
    )


def push(
    api: HfApi,
    plan: PushPlan,
    *,
    private: bool,
    tag: str | None,
    commit_message: str,
    max_files_per_commit: int = DEFAULT_MAX_FILES_PER_COMMIT,
    retries: int = DEFAULT_RETRIES,
    delete_stale: bool = True,
) -> PushResult:
    """Send what ``plan`` says changed; tag the result if asked. See the module docstring.

    ``retries`` is the number of further attempts at a commit after a passing failure, waiting
    RETRY_BASE_DELAY seconds before the first and twice as long before each next one.
    """
    if max_files_per_commit < 1:
        raise ValueError("max_files_per_commit must be at least 1")
    if not token_of(api):
        raise PushError(NO_TOKEN)
    result = PushResult(plan.repo_id, plan.url, files_skipped=len(plan.unchanged), tag=tag)
    if plan.repo_exists and private and plan.remote_private is False:
        raise PushError(
            f"{plan.repo_id} already exists and is public; --private only applies to a new repo. "
            "Change its visibility in the repo settings on the Hub, or push without --private."
        )
    existing_tag = _check_tag(api, plan, tag) if tag and plan.repo_exists else None
    if not plan.repo_exists:
        hub_call(
            api,
            f"Could not create the dataset repo {plan.repo_id}",
            lambda: api.create_repo(plan.repo_id, repo_type=REPO_TYPE, private=private, exist_ok=True),
        )
        result.repo_created = True
    result.head = plan.remote_commit
    batches = plan.batches(max_files_per_commit)
    # Shards of an earlier, larger release would still match data/*.tar: they go in the last commit,
    # with the card, so the repo never shows a card without its shards or shards without their card.
    stale = [path for path in plan.remote_only if path.startswith("data/")] if delete_stale else []
    if stale and not batches:
        batches = [[]]
    for number, batch in enumerate(batches, 1):
        message = commit_message if len(batches) == 1 else f"{commit_message} (part {number} of {len(batches)})"
        deletes = stale if number == len(batches) else []
        info = _commit_with_retries(
            api, plan, batch, message, retries, f"Commit {number} of {len(batches)}", result, deletes
        )
        result.files_deleted += len(deletes)
        if info.oid == result.head:  # the Hub had these bytes already (pushed meanwhile): nothing was committed
            result.files_skipped += len(batch)
        else:
            result.commits += 1
            result.commit_urls.append(info.commit_url)
            result.files_sent += len(batch)
            result.bytes_sent += sum(f.size for f in batch)
        result.head = info.oid
    if tag and existing_tag is None:
        result.tag_created = _create_tag(api, plan, tag, result.head, commit_message)
    return result


def _check_tag(api: HfApi, plan: PushPlan, tag: str) -> str | None:
    """The commit ``tag`` points at, if it exists and may stay; a PushError if the push would outrun it."""
    existing = _tag_target(api, plan, tag)
    if existing is None:
        return None
    if plan.to_send:
        raise PushError(
            f"Tag {tag!r} already exists on {plan.repo_id} (commit {existing[:12]}), and this folder differs from "
            f"the repo in {len(plan.to_send)} file(s). A release tag is never moved: choose a new tag. "
            "Nothing was sent."
        )
    if existing != plan.remote_commit:
        raise PushError(
            f"Tag {tag!r} already points at commit {existing[:12]}, not at the current {plan.revision} "
            f"({(plan.remote_commit or '')[:12]}). A release tag is never moved: choose a new tag."
        )
    return existing


def _tag_target(api: HfApi, plan: PushPlan, tag: str) -> str | None:
    refs = hub_call(
        api, f"Could not list the tags of {plan.repo_id}", lambda: api.list_repo_refs(plan.repo_id, repo_type=REPO_TYPE)
    )
    return next((ref.target_commit for ref in refs.tags if ref.name == tag), None)


def _create_tag(api: HfApi, plan: PushPlan, tag: str, head: str | None, message: str) -> bool:
    from huggingface_hub.errors import HfHubHTTPError

    assert head is not None

    def create() -> bool:
        try:
            api.create_tag(plan.repo_id, tag=tag, tag_message=message, revision=head, repo_type=REPO_TYPE)
        except HfHubHTTPError as exc:
            if exc.response is None or exc.response.status_code != 409:
                raise
            return False
        return True

    if hub_call(api, f"The files were sent, but tag {tag!r} could not be created", create):
        return True
    existing = _tag_target(api, plan, tag)  # created meanwhile by someone else
    if existing != head:
        raise PushError(
            f"The files were sent, but tag {tag!r} was created meanwhile on commit {(existing or '?')[:12]}, "
            f"not on the pushed commit {head[:12]}."
        )
    return False


def _commit_with_retries(
    api: HfApi,
    plan: PushPlan,
    batch: list[LocalFile],
    message: str,
    retries: int,
    what: str,
    done: PushResult,
    deletes: list[str] | None = None,
) -> CommitInfo:
    from huggingface_hub import CommitOperationAdd, CommitOperationDelete

    attempt = 0
    while True:
        attempt += 1
        # Fresh operations each time: create_commit marks them as it goes. Files already uploaded are not sent
        # again (the LFS batch answer says so), and files already committed are dropped by create_commit.
        operations: list[Any] = [CommitOperationAdd(path_in_repo=f.path, path_or_fileobj=str(f.source)) for f in batch]
        operations += [CommitOperationDelete(path_in_repo=path) for path in deletes or []]
        failure: Exception | None = None
        try:
            return api.create_commit(
                plan.repo_id, operations, commit_message=message, repo_type=REPO_TYPE, revision=plan.revision
            )
        except Exception as exc:
            failure = exc
        if attempt <= retries and is_transient(failure):
            time.sleep(RETRY_BASE_DELAY * 2 ** (attempt - 1))
            continue
        names = ", ".join(f.path for f in batch[:3]) + (f" and {len(batch) - 3} more" if len(batch) > 3 else "")
        attempts = f"{attempt} attempt{'s' if attempt != 1 else ''}"
        progress = (
            f"{done.files_sent} file(s) in {done.commits} earlier commit(s) reached the Hub. "
            "Run the same command again to send the rest: files already there are skipped."
        )
        error = push_error(api, f"{what} ({names}) failed after {attempts}", failure, suffix=progress)
        raise error


__all__ = [
    "CARD",
    "DEFAULT_MAX_FILES_PER_COMMIT",
    "NO_TOKEN",
    "TOKEN_REJECTED",
    "LocalFile",
    "PlannedFile",
    "PushError",
    "PushPlan",
    "PushResult",
    "commit_order",
    "find_token",
    "hub_endpoint",
    "is_transient",
    "local_files",
    "make_api",
    "plan_push",
    "push",
    "same_content",
    "scrub",
]
