"""The library API: what the ``pdpack`` commands do, as five functions.

```python
from pathlib import Path

import packager
from packager.builder.config import Settings

collection = packager.load_collection("manifests/examples/nasa-spacex")
check = packager.validate([collection.root])
print(check.shipped, [r.reason for r in check.held])

settings = Settings(as_of="2026-12-01", shard_max_count=1000)
report = packager.build(["manifests/examples/nasa-spacex"], Path("dist"), settings)
release = packager.release(
    Path("manifests"), Path("releases/2026.12"), settings, include_examples=True, contact="rights@museum.example"
)
packager.push(release.out, "my-org/public-domain-images", tag=release.release["version"])
```

Each function takes the same ``Settings`` as the commands (``packager.builder.config``), checks
the same preconditions, and writes the same bytes. Errors are exceptions, never exits:
``ManifestError`` (a collection cannot be read), ``MissingTool`` (no exiftool), ``ModelError``,
``ResumeError``, ``ReleaseError`` and ``PushError``.
"""

from __future__ import annotations

import tempfile
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from packager.builder.config import Settings, require_tools
from packager.builder.dedup import Deduplicator
from packager.builder.run import build as _build
from packager.builder.run import load_collections
from packager.builder.stream import run
from packager.builder.target import Target, is_url
from packager.manifest.collection import load_collection
from packager.model import REGISTRY, Collection, Rejection
from packager.outputs.card import DEFAULT_PRETTY_NAME
from packager.publish.hub import PushResult, plan_push
from packager.publish.hub import push as _push
from packager.publish.hubcalls import find_token, make_api
from packager.publish.release import AUTO, ReleaseOptions, ReleaseResult, make_release
from packager.publish.release_url import stage_for_repo
from packager.sample import Sample
from packager.version import __version__

__all__ = ["Validation", "build", "load_collection", "push", "release", "validate"]

Folders = Sequence[Path | str] | Sequence[Collection]


@dataclass(frozen=True)
class Validation:
    """What a build of these collections would ship and hold back, without writing anything."""

    collections: list[Collection]
    shipped: Counter[str] = field(default_factory=Counter)  # collection id -> items that would ship
    held: list[Rejection] = field(default_factory=list)  # in build order

    @property
    def must_fix(self) -> list[Rejection]:
        """The held-back items whose reason fails a pull-request check: problems in the files."""
        return [r for r in self.held if REGISTRY[r.reason].fails_check]


def _collections(folders: Folders) -> list[Collection]:
    if all(isinstance(folder, Collection) for folder in folders):
        return [folder for folder in folders if isinstance(folder, Collection)]
    return load_collections([folder for folder in folders if not isinstance(folder, Collection)])


def validate(folders: Folders, settings: Settings | None = None, workers: int = 1) -> Validation:
    """Check collections as ``pdpack validate`` does: every item through every stage, nothing written.

    ``folders`` are collection folders (or collections already loaded). The duplicate check is
    the build's, so ``validate`` and ``build`` agree on what ships. Raises ``ManifestError`` when a
    collection cannot be read and ``MissingTool`` when exiftool is missing.
    """
    settings = settings or Settings()
    require_tools(settings)
    collections = _collections(folders)
    result = Validation(collections)
    with tempfile.TemporaryDirectory(prefix="pdpack-validate-") as scratch:
        dedup = Deduplicator(Path(scratch) / "dedup.sqlite", settings.near_duplicates)
        try:
            for position, (collection, outcome) in enumerate(run(collections, settings, workers)):
                checked = (dedup.check(position, outcome) or outcome) if isinstance(outcome, Sample) else outcome
                if isinstance(checked, Rejection):
                    result.held.append(checked)
                else:
                    result.shipped[collection.id] += 1
        finally:
            dedup.close()
    return result


def build(
    folders: Folders,
    out: Path | str,
    settings: Settings | None = None,
    workers: int = 1,
    *,
    resume: bool = False,
    for_publication: bool = False,
    previous: Path | str | None = None,
    storage_options: Mapping[str, Any] | None = None,
) -> dict[str, Any]:
    """Build WebDataset shards and reports into ``out``, as ``pdpack build`` does; return report.json's content.

    ``out`` is a folder, or an fsspec URL (``s3://bucket/prefix``) reached with ``storage_options``;
    then ``previous`` may also be an earlier build at a URL on the same storage.

    ``settings`` decides everything the output depends on (default: ``Settings()``, as of today);
    ``workers`` only how many processes do the per-item work. With ``resume``, an interrupted
    build of the same inputs and settings carries on from its last complete shard. Without
    ``for_publication`` the report.html pictures held-back items for the staff, and ``push``
    refuses the folder. With ``previous`` (an earlier build or release folder), every partition whose
    inputs are unchanged is taken from it without decoding.
    """
    return _build(
        _collections(folders),
        out if is_url(out) else Path(out),
        settings or Settings(),
        workers=workers,
        resume=resume,
        for_publication=for_publication,
        previous=previous if previous is None or is_url(previous) else Path(previous),
        storage_options=storage_options,
    )


def release(
    manifests: Path,
    out: Path | str,
    settings: Settings | None = None,
    *,
    version: str | None = None,
    include_examples: bool = False,
    previous: Path | Any | None = AUTO,
    workers: int = 1,
    pretty_name: str = DEFAULT_PRETTY_NAME,
    repo_id: str | None = None,
    source_url: str | None = None,
    contact: str | None = None,
    storage_options: Mapping[str, Any] | None = None,
) -> ReleaseResult:
    """Build every collection registered under ``manifests`` into a release folder, as ``pdpack release`` does.

    ``out`` may be an fsspec URL reached with ``storage_options`` (and ``previous`` a release at a URL).

    Writes release.json, the dataset card (README.md), croissant.json and CHANGELOG.md beside the
    build's files. ``previous`` is the release to compare with (default: the newest other one
    beside ``out``; ``None``: this is the first). A release must say where to ask for an item's
    removal: ``source_url`` (the repository it is built from) or ``contact`` (an e-mail address or
    URL), or both. Raises ``ReleaseError`` or ``ManifestError``.
    """
    # The keyword arguments are ReleaseOptions' fields, spelled out so that the API documents each one
    # (tests/test_api.py checks that the two agree, defaults included).
    options = ReleaseOptions(
        version=version,
        include_examples=include_examples,
        previous=previous,
        workers=workers,
        pretty_name=pretty_name,
        repo_id=repo_id,
        source_url=source_url,
        contact=contact,
        storage_options=storage_options,
    )
    return make_release(Path(manifests), out if is_url(out) else Path(out), settings or Settings(), options)


def push(
    folder: Path | str,
    repo_id: str,
    *,
    token: str | None = None,
    private: bool = False,
    tag: str | None = None,
    message: str | None = None,
    storage_options: Mapping[str, Any] | None = None,
) -> PushResult:
    """Publish a build or release folder to a Hugging Face dataset repo, as ``pdpack push`` does.

    Sends only what the repo does not already hold byte for byte, shards first and the card last,
    and deletes shards of an earlier release in the last commit. ``folder`` may be a URL (reached
    with ``storage_options``): of its shards, only those the repo does not hold are downloaded. The
    token defaults to HF_TOKEN or the one saved by ``hf auth login``; HF_ENDPOINT picks another Hub.
    Raises ``PushError``.
    """
    api = make_api(token or find_token())
    default = f"Release {tag}" if tag else "Upload dataset"
    message = message or f"{default} (pdpack {__version__})"
    if not is_url(folder):
        return _push(api, plan_push(api, Path(folder), repo_id), private=private, tag=tag, commit_message=message)
    with tempfile.TemporaryDirectory(prefix="pdpack-push-") as staging:
        target = Target(str(folder), dict(storage_options or {}))
        plan = plan_push(api, stage_for_repo(api, target, repo_id, Path(staging)), repo_id)
        return _push(api, plan, private=private, tag=tag, commit_message=message)
