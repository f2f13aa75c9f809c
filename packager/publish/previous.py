"""The previous release on the Hub: the newest version tag before this one, and its metadata.

``CHANGELOG.md`` compares a release with the one before it. In the release workflow that one lives
on the Hub: ``fetch_previous`` downloads its ``release.json``, ``rejected.jsonl``, ``CHANGELOG.md``
and parquet indexes (no shards) at its tag. Only two answers mean "this is the first release": the
repo does not exist, or it has no release tag before this version. Any other failure (a rejected
token, a server error, a tagged release without its release.json) stops with an error: a changelog
that silently starts afresh would be wrong.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import sys
from collections.abc import Iterable
from pathlib import Path

from packager.model import PreviousError, PushError, ReleaseError
from packager.publish.hub import REPO_TYPE
from packager.publish.hubcalls import find_token, hub_call, make_api
from packager.publish.release import CHANGELOG_FILE, RELEASE_FILE, check_repo, check_version
from packager.sample import INDEX_GLOB
from packager.textsafe import workflow_data as workflow_message

# What the changelog reads of a release: see packager.publish.release.compare.
FILES = (RELEASE_FILE, "rejected.jsonl", CHANGELOG_FILE, INDEX_GLOB)
_PARTS = re.compile(r"(\d+)")


def version_key(version: str) -> tuple[tuple[int, int | str], ...]:
    """Order release versions as people read them: 2026.9 < 2026.10, 2027.01 < 2027.01-rc1 < 2027.02."""
    return tuple((1, int(part)) if part.isdigit() else (0, part) for part in _PARTS.split(version) if part)


def newest_before(tags: Iterable[str], version: str | None) -> str | None:
    """The newest release tag (a valid release version) that comes before ``version`` (any, if None)."""
    versions = []
    for tag in tags:
        try:
            check_version(tag)
        except ReleaseError:
            continue  # a tag someone added by hand, not a release
        if version is None or version_key(tag) < version_key(version):
            versions.append(tag)
    return max(versions, key=version_key, default=None)


def fetch_previous(repo_id: str, out: Path, before: str | None = None, token: str | None = None) -> str | None:
    """Download the newest release before ``before`` into ``out``; its version, or None for a first release."""
    from huggingface_hub import snapshot_download
    from huggingface_hub.errors import RepositoryNotFoundError

    api = make_api(token)

    def tags() -> list[str] | None:
        try:
            refs = api.list_repo_refs(repo_id, repo_type=REPO_TYPE)
        except RepositoryNotFoundError:
            return None
        return [ref.name for ref in refs.tags]

    try:
        names = hub_call(api, f"Could not list the tags of {repo_id}", tags)
        tag = None if names is None else newest_before(names, before)
        if tag is None:
            return None
        if out.exists():
            shutil.rmtree(out)
        hub_call(
            api,
            f"Could not download release {tag} of {repo_id}",
            lambda: snapshot_download(
                repo_id,
                repo_type=REPO_TYPE,
                revision=tag,
                allow_patterns=list(FILES),
                local_dir=out,
                endpoint=api.endpoint,
                token=token or False,
            ),
        )
    except PushError as exc:
        raise PreviousError(str(exc)) from None
    release = out / RELEASE_FILE
    try:
        version = json.loads(release.read_text(encoding="utf-8"))["version"]
    except (OSError, ValueError, KeyError, TypeError) as exc:
        raise PreviousError(f"Release tag {tag} of {repo_id} has no readable {RELEASE_FILE}: {exc}") from None
    if version != tag:
        raise PreviousError(f"Release tag {tag} of {repo_id} holds the {RELEASE_FILE} of version {version!r}")
    shutil.rmtree(out / ".cache", ignore_errors=True)  # the client's download bookkeeping
    return tag


def main(argv: list[str] | None = None) -> int:
    """``python -m packager.publish.previous --repo NAMESPACE/NAME --out DIR [--before VERSION]``.

    Downloads the previous release's metadata into DIR and prints which release it is, or that this is
    the first release. In GitHub Actions (GITHUB_OUTPUT set) it also sets the step output ``previous``
    to that version (empty for a first release). Exit status 1 when the Hub cannot be read.
    """
    import argparse

    parser = argparse.ArgumentParser(prog="python -m packager.publish.previous", description=main.__doc__)
    parser.add_argument("--repo", required=True, metavar="NAMESPACE/NAME")
    parser.add_argument("--out", required=True, type=Path)
    parser.add_argument("--before", metavar="VERSION", help="the version being released: only older tags count")
    args = parser.parse_args(argv)
    try:
        check_repo(args.repo)
        if args.before is not None:
            check_version(args.before)
        previous = fetch_previous(args.repo, args.out, args.before, find_token())
    except (ReleaseError, PreviousError) as exc:
        print(f"::error::{workflow_message(str(exc))}" if os.environ.get("GITHUB_ACTIONS") else f"Error: {exc}")
        return 1
    if previous is None:
        print(f"No release of {args.repo} before {args.before or 'now'}: this is the first one.")
    else:
        print(f"Previous release: {previous} (metadata in {args.out})")
    output = os.environ.get("GITHUB_OUTPUT")
    if output:
        with open(output, "a", encoding="utf-8") as handle:
            handle.write(f"previous={previous or ''}\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
