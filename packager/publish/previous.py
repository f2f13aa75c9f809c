"""The previous release on the Hub: the newest version tag before this one, what it holds, and its metadata.

``CHANGELOG.md`` compares a release with the one before it, and a release reuses the partitions whose
inputs did not change since then (``packager.builder.reuse``). In the release workflow that one lives on
the Hub: ``fetch_previous`` downloads, at its tag, its ``release.json``, ``rejected.jsonl``,
``CHANGELOG.md``, parquet indexes and partition records (``.pdpack/partitions/``: packs, unpacked into one
file per partition as a build keeps them, or those files themselves from a release published before packs,
``packager.publish.record_packs``), and the few shards report.html pictures samples from; every other shard
stays in the repo. ``.pdpack/remote.json`` lists
the digest and size the Hub holds for each shard at that tag (its LFS object id), so that the build
reuses a partition only where the repo holds exactly the tars its record names
(``packager.builder.remote``). Only two answers mean "this is the first release": the repo does not
exist, or it has no release tag before this version. Any other failure (a rejected token, a server
error, a tagged release without its release.json, a shard whose bytes are not what the Hub lists) stops
with an error: a changelog that silently starts afresh would be wrong.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import sys
from collections.abc import Iterable
from fnmatch import fnmatch
from pathlib import Path
from typing import Any

from packager.builder.remote import RemoteFile, RemoteShards, load_remote, save_remote
from packager.builder.reuse import PUBLISHED_RECORDS, RECORD_GLOBS, record_files
from packager.digest import file_sha256_and_size
from packager.model import PreviousError, PushError, ReleaseError
from packager.outputs.report_data import gallery_shards
from packager.publish.hubcalls import find_token, hub_call, make_api
from packager.publish.push_plan import DATA_DIR, REPO_TYPE
from packager.publish.record_packs import PACK_GLOB, unpack
from packager.publish.release_checks import check_repo, check_version
from packager.publish.release_folder import CHANGELOG_FILE, RELEASE_FILE
from packager.sample import INDEX_GLOB, ShardInfo
from packager.textsafe import workflow_data as workflow_message

# What the changelog reads of a release (packager.publish.release_compare.compare), and the records and
# indexes reuse reads: in packs, as pdpack publishes them now, or one file each, as it published them before.
METADATA = (RELEASE_FILE, "rejected.jsonl", CHANGELOG_FILE)
PACKS = f"{PUBLISHED_RECORDS}{PACK_GLOB}"
RECORDS = (PACKS, *(f"{PUBLISHED_RECORDS}{g}" for g in RECORD_GLOBS))
# Indexes no pack brought (a pack torn, or a release published before packs) are fetched one by one up to
# this many, else by their pattern: the client matches every file of the repo against every pattern.
MISSING_BY_NAME = 256
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
    from huggingface_hub.hf_api import RepoFile

    api = make_api(token)

    def tags() -> list[str] | None:
        try:
            refs = api.list_repo_refs(repo_id, repo_type=REPO_TYPE)
        except RepositoryNotFoundError:
            return None
        return [ref.name for ref in refs.tags]

    def download(patterns: list[str], commit: str) -> None:
        snapshot_download(
            repo_id,
            repo_type=REPO_TYPE,
            revision=commit,
            allow_patterns=patterns,
            local_dir=out,
            endpoint=api.endpoint,
            token=token or False,
        )

    try:
        names = hub_call(api, f"Could not list the tags of {repo_id}", tags)
        tag = None if names is None else newest_before(names, before)
        if tag is None:
            return None
        if out.exists():
            shutil.rmtree(out)
        what = f"Could not download release {tag} of {repo_id}"
        # The tag's commit, so that every call below reads the same tree.
        commit = hub_call(api, what, lambda: api.repo_info(repo_id, repo_type=REPO_TYPE, revision=tag).sha) or tag
        tree = hub_call(
            api, what, lambda: list(api.list_repo_tree(repo_id, repo_type=REPO_TYPE, revision=commit, recursive=True))
        )
        packed = any(isinstance(entry, RepoFile) and fnmatch(entry.path, PACKS) for entry in tree)
        first = [*METADATA, *RECORDS] if packed else [*METADATA, *RECORDS, INDEX_GLOB]
        hub_call(api, what, lambda: download(first, commit))
        release = _read_release(out, repo_id, tag)
        stored = {
            entry.path: RemoteFile(entry.lfs.sha256, entry.size)
            for entry in tree
            if isinstance(entry, RepoFile) and entry.path.startswith(DATA_DIR) and entry.lfs is not None
        }
        unpack(out, stored)  # the build reads one record file per partition, and the indexes where they are
        shards = [ShardInfo(**shard) for shard in release["shards"]]
        gallery = gallery_shards(shards)
        missing = sorted({shard.index for shard in shards if not (out / shard.index).is_file()})
        rest = gallery + (missing if len(missing) <= MISSING_BY_NAME else [INDEX_GLOB])
        if rest:
            hub_call(api, what, lambda: download(rest, commit))
    except PushError as exc:
        raise PreviousError(str(exc)) from None
    for name in gallery:
        if (out / name).is_file() and stored.get(name) != RemoteFile(*file_sha256_and_size(out / name)):
            raise PreviousError(f"Release {tag} of {repo_id}: {name} as downloaded is not the file the Hub lists")
    shutil.rmtree(out / ".cache", ignore_errors=True)  # the client's download bookkeeping
    save_remote(out, RemoteShards(repo_id, tag, str(commit), stored))
    return tag


def _read_release(out: Path, repo_id: str, tag: str) -> dict[str, Any]:
    try:
        release = json.loads((out / RELEASE_FILE).read_text(encoding="utf-8"))
        version, shards = release["version"], release["shards"]
    except (OSError, ValueError, KeyError, TypeError) as exc:
        raise PreviousError(f"Release tag {tag} of {repo_id} has no readable {RELEASE_FILE}: {exc}") from None
    if version != tag:
        raise PreviousError(f"Release tag {tag} of {repo_id} holds the {RELEASE_FILE} of version {version!r}")
    if not isinstance(shards, list):
        raise PreviousError(f"Release tag {tag} of {repo_id}: its {RELEASE_FILE} has no shard list")
    return dict(release)


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
        records = len(record_files(args.out / PUBLISHED_RECORDS))
        here = len(list((args.out / DATA_DIR).rglob("*.tar")))  # in subfolders, or flat as published before
        remote = load_remote(args.out)
        there = sum(name.endswith(".tar") for name in remote.files) if remote is not None else 0
        print(
            f"Previous release: {previous} (metadata in {args.out}): {records} partition record(s); "
            f"{here} of its {there} shard(s) downloaded (those report.html pictures), the others left on the Hub"
        )
    output = os.environ.get("GITHUB_OUTPUT")
    if output:
        with open(output, "a", encoding="utf-8") as handle:
            handle.write(f"previous={previous or ''}\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
