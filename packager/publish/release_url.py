"""A release whose folder is a URL (``s3://bucket/releases/2026.12``): its small files staged here, its shards there.

``pdpack release --out URL`` builds to the URL (each partition task uploads its shards,
``packager.builder.target``), then downloads what the release files are made from (the build's reports,
card and indexes: no shard) into a folder of its own, writes ``release.json``, ``CHANGELOG.md``,
``croissant.json`` and the card there exactly as into a release folder, and uploads them. A previous
release at a URL is read the same way: its metadata and indexes for the changelog, its partition records
(at the URL) for reuse. ``pdpack push URL`` stages the release's small files, and of its shards only those
the repo does not hold byte for byte (by the digest its report gives), so that a monthly push downloads
what changed and nothing else; the others stay in the repo (``push_plan``).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING, Any

from packager.builder.reuse import PUBLISHED_RECORDS
from packager.builder.run import BUILD_OUTPUTS
from packager.builder.target import Target
from packager.model import ReleaseError
from packager.outputs.build_card import CARD_FILE
from packager.publish.hubcalls import hub_call
from packager.publish.push_plan import REPO_TYPE

if TYPE_CHECKING:
    from huggingface_hub import HfApi


def stage_build(target: Target, report: dict[str, Any], local: Path) -> None:
    """The build's small files and every index it lists, from ``target`` into ``local`` (no shard)."""
    names = [name for name in (*BUILD_OUTPUTS, CARD_FILE) if target.exists(name)]
    names += [shard["index"] for shard in report["shards"]]
    target.download(names, local)


def fetch_release(target: Target, local: Path, release_file: str, others: tuple[str, ...]) -> Path:
    """What a changelog reads of the release at ``target`` (``release_file``, ``others`` where they are there,
    and the indexes), into ``local``."""
    if not target.exists(release_file):
        raise ReleaseError(f"{target.url}: not a pdpack release (no {release_file} there)")
    target.download([release_file, *(name for name in others if target.exists(name))], local)
    try:
        shards = json.loads((local / release_file).read_text(encoding="utf-8"))["shards"]
        target.download([str(shard["index"]) for shard in shards], local)
    except (OSError, ValueError, KeyError, TypeError) as exc:
        raise ReleaseError(f"{target.url}/{release_file}: not a pdpack release ({exc})") from exc
    return local


def newest_release_beside(target: Target, release_file: str) -> str | None:
    """The newest other release (by as-of date, then version) in the folders beside ``target``, as a URL."""
    parent = Target(target.url.rstrip("/").rsplit("/", 1)[0], target.options)
    candidates = []
    for folder in parent.folders():
        url = f"{parent.url.rstrip('/')}/{folder}"
        if Target(url, target.options).same_place(target):
            continue
        meta = parent.read_json(f"{folder}/{release_file}")
        if isinstance(meta, dict) and "version" in meta and "shards" in meta:
            candidates.append((str(meta.get("as_of", "")), str(meta["version"]), url))
    return max(candidates)[2] if candidates else None


def stage_for_push(target: Target, local: Path, held: dict[str, tuple[str, int]]) -> Path:
    """The release at ``target`` as a folder to push: every file but the shards that ``held`` (path -> sha256 and
    size, as the repo holds them) lists with the digest the release's report gives, which stay in the repo."""
    names = [name for name in target.files_under("") if not name.startswith(".") or name.startswith(PUBLISHED_RECORDS)]
    small = [name for name in names if not name.endswith(".tar")]
    target.download(small, local)
    try:
        shards = json.loads((local / "report.json").read_text(encoding="utf-8"))["shards"]
        listed = {str(s["name"]): (str(s["sha256"]), int(s["bytes"])) for s in shards}
    except (OSError, ValueError, KeyError, TypeError):
        listed = {}
    # A tar is left in the repo only where the report vouches for the bytes the repo holds; any other is fetched.
    wanted = [name for name in names if name.endswith(".tar") and held.get(name, ()) != listed.get(name)]
    target.download(wanted, local)
    return local


def stage_for_repo(api: HfApi, target: Target, repo_id: str, local: Path, revision: str = "main") -> Path:
    """The release at ``target`` staged in ``local`` to be pushed to ``repo_id``: see ``stage_for_push``."""
    held = hub_call(api, f"Could not read {repo_id} on the Hub", lambda: _held(api, repo_id, revision))
    return stage_for_push(target, local, held)


def _held(api: HfApi, repo_id: str, revision: str) -> dict[str, tuple[str, int]]:
    """Path -> (sha256, size) of every file the repo stores with LFS on ``revision`` (none: a new repo)."""
    from huggingface_hub.errors import RepositoryNotFoundError, RevisionNotFoundError
    from huggingface_hub.hf_api import RepoFile

    try:
        tree = list(api.list_repo_tree(repo_id, repo_type=REPO_TYPE, revision=revision, recursive=True))
    except (RepositoryNotFoundError, RevisionNotFoundError):
        return {}
    return {e.path: (e.lfs.sha256, e.size) for e in tree if isinstance(e, RepoFile) and e.lfs is not None}
