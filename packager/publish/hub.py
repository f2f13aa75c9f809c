"""Publish a build folder to a Hugging Face dataset repo: plan what changed, then send it in ordered commits.

``plan_push`` (``packager.publish.push_plan``) compares the folder with the repo's current tree, file by file,
and sends nothing: a file is skipped when the repo already holds the same bytes.

``push`` creates the repo if needed and sends the changed files through ``HfApi.create_commit`` in commits of
at most ``max_files_per_commit`` files: data files first, then the other release files, the dataset card
(README.md) last, so that a push cut short never shows a card describing shards that are not there yet. A
commit that fails for a passing reason (HTTP 408/429/5xx, a dropped connection) is retried with backoff; a
push that still fails can simply be run again: it plans afresh and sends only what is missing.

The token comes from ``huggingface_hub.get_token()`` (HF_TOKEN, then the saved ``hf auth login`` token). It is
never printed or logged, and every error message is scrubbed of it before it leaves this module.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from packager.model import PushError
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
from packager.publish.push_plan import (
    DEFAULT_MAX_FILES_PER_COMMIT,
    REPO_TYPE,
    LocalFile,
    PlannedFile,
    PushPlan,
    check_publishable,
    commit_order,
    is_stale,
    local_files,
    plan_push,
    same_content,
)

if TYPE_CHECKING:
    from huggingface_hub import HfApi
    from huggingface_hub.hf_api import CommitInfo

DEFAULT_RETRIES = 3
RETRY_BASE_DELAY = 1.0  # seconds before the first retry of a commit; doubles after each


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
    files_deleted: int = 0  # stale files of an earlier release removed from the repo (shards, indexes, records)


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
    # Shards of an earlier, larger release would still match data/*.tar (and its records would be reused): they go
    # in the last commit, with the card, so the repo never shows a card without its shards or shards without their card.
    stale = [path for path in plan.remote_only if is_stale(path)] if delete_stale else []
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
    "DEFAULT_MAX_FILES_PER_COMMIT",
    "NO_TOKEN",
    "REPO_TYPE",
    "TOKEN_REJECTED",
    "LocalFile",
    "PlannedFile",
    "PushError",
    "PushPlan",
    "PushResult",
    "check_publishable",
    "commit_order",
    "find_token",
    "hub_endpoint",
    "is_stale",
    "is_transient",
    "local_files",
    "make_api",
    "plan_push",
    "push",
    "same_content",
    "scrub",
]
