"""A release: every collection registered under ``manifests/``, built into ``releases/<version>``.

A release folder holds what ``pdpack build`` writes (shards, indexes, report.json,
rejected.jsonl, ATTRIBUTION.md) plus:

- ``release.json``: version, as-of date, policy, pdpack version, counts per collection,
  the SHA-256 of every shard and index and of every input manifest file. It holds no
  timestamp other than the as-of date and no path of the machine, so the same manifests
  and as-of date give the same release.json (and the same shard bytes);
- ``README.md``: the dataset card;
- ``croissant.json``: Croissant metadata;
- ``CHANGELOG.md``: what was added and removed since the previous release, and why.

The checks made before the build are ``release_checks``, the folder's file names and reading one back
``release_folder``, and the comparison with the previous release ``release_compare``.
"""

from __future__ import annotations

import dataclasses
import tempfile
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from packager.atomic import write_atomic
from packager.builder.config import Settings
from packager.builder.engine_base import Engine
from packager.builder.run import build, load_collections
from packager.builder.target import Target, is_url
from packager.digest import file_sha256
from packager.jsonutil import dumps_pretty
from packager.manifest.collection import COLLECTION_FILE, Collection, is_placeholder_url
from packager.manifest.inputs import collection_inputs
from packager.manifest.takedowns import TAKEDOWNS_FILE, load_takedowns
from packager.model import ReleaseError
from packager.outputs.build_card import CARD_FILE
from packager.outputs.card import DEFAULT_PRETTY_NAME, dataset_card
from packager.outputs.card import release_license as license_of
from packager.outputs.changelog import Changelog, changelog_markdown
from packager.outputs.croissant import croissant, write_croissant
from packager.publish.release_checks import check_contact, check_repo, check_version, default_version, discover
from packager.publish.release_compare import compare, release_samples, statements
from packager.publish.release_folder import (
    CHANGELOG_FILE,
    CROISSANT_FILE,
    RELEASE_FILE,
    previous_release,
    read_release,
)
from packager.publish.release_url import fetch_release, newest_release_beside, stage_build
from packager.safepath import PathEscapeError, resolve_inside
from packager.version import __version__

# Reported outputs whose bytes depend only on the manifests and the settings.
HASHED_OUTPUTS = ("report.json", "rejected.jsonl", "ATTRIBUTION.md")


class _Auto:
    def __repr__(self) -> str:
        return "AUTO"


AUTO: Any = _Auto()  # find the previous release among the folders beside the output


@dataclass(frozen=True)
class ReleaseOptions:
    """Everything a release takes besides the build settings: plain data, built alike by ``pdpack release``
    and ``packager.release`` (whose keyword arguments are these fields)."""

    version: str | None = None  # default: the year and month of the as-of date, e.g. 2026.12
    include_examples: bool = False  # also release MANIFESTS/examples/
    # The release to compare with and reuse partitions from: AUTO, the newest other one beside the output;
    # None, this is the first; a folder, or a URL when the output is one.
    previous: Path | str | Any | None = AUTO
    workers: int = 1
    pretty_name: str = DEFAULT_PRETTY_NAME  # the card's title
    repo_id: str | None = None  # the Hub repo the card's loading examples name
    source_url: str | None = None  # the repository the release is built from
    contact: str | None = None  # where to ask for an item's removal (source_url or contact is required)
    storage_options: Mapping[str, Any] | None = None  # fsspec options when the output is a URL


@dataclass(frozen=True)
class ReleaseResult:
    out: Path | str  # the release folder, or its URL
    release: dict[str, Any]
    report: dict[str, Any]
    changelog: Changelog


def input_hashes(collections: Iterable[Collection], manifests: Path) -> dict[str, str]:
    """SHA-256 of every input file, by its path from the manifests folder's parent (``manifests/...``)."""
    files = [f for c in collections for f in collection_inputs(c)]
    if (manifests / TAKEDOWNS_FILE).is_file():
        files.append(manifests / TAKEDOWNS_FILE)
    hashes = {}
    for path in files:
        try:
            name = (Path(manifests.resolve().name) / path.resolve().relative_to(manifests.resolve())).as_posix()
        except ValueError:
            name = path.name
        hashes[name] = file_sha256(path)
    return dict(sorted(hashes.items()))


def _with_takedowns(settings: Settings, manifests: Path) -> Settings:
    """Hold back the items in manifests/takedowns.csv, checking the file before the build starts."""
    path = manifests / TAKEDOWNS_FILE
    if path.is_symlink():
        try:
            resolve_inside(manifests, TAKEDOWNS_FILE)
        except PathEscapeError as exc:
            raise ReleaseError(
                f"{path} is a symlink that points outside {manifests}; commit the file itself instead of a link"
            ) from exc
    if not path.is_file():
        return settings
    load_takedowns(path)  # a broken file stops the release here, naming the row and column
    return dataclasses.replace(settings, takedowns=str(path))


def make_release(
    manifests: Path,
    out: Path | str,
    settings: Settings,
    options: ReleaseOptions | None = None,
    engine: Engine | None = None,
) -> ReleaseResult:
    """Build every registered collection into ``out`` and write the release files.

    ``out`` may be a URL (``s3://bucket/releases/2026.12``, reached with ``options.storage_options``), and
    then ``options.previous`` a release at a URL on the same storage (``packager.publish.release_url``).
    """
    options = options or ReleaseOptions()
    previous = options.previous
    if not (isinstance(out, str) and is_url(out)):
        if isinstance(previous, str) and is_url(previous):
            raise ReleaseError(f"the previous release {previous} is at a URL: --out must be a URL too")
        return _make_release(manifests, Path(out), None, settings, options, previous, engine)
    target = Target(out, dict(options.storage_options or {}))
    with tempfile.TemporaryDirectory(prefix="pdpack-release-") as staging:
        if previous is AUTO:
            previous = newest_release_beside(target, RELEASE_FILE)
        if isinstance(previous, str) and is_url(previous):
            earlier = Target(previous, target.options)
            if earlier.same_place(target):
                raise ReleaseError(f"the previous release {previous} is --out itself; give another one")
            local = fetch_release(earlier, Path(staging) / "previous", RELEASE_FILE, ("rejected.jsonl", CHANGELOG_FILE))
            previous = _AtUrl(local, previous)
        elif previous is not None:
            previous = Path(previous)
        return _make_release(manifests, Path(staging) / "release", target, settings, options, previous, engine)


@dataclass(frozen=True)
class _AtUrl:
    """A previous release at a URL: its metadata here (for the changelog), its records and shards there."""

    local: Path
    url: str


def _make_release(
    manifests: Path,
    out: Path,
    target: Target | None,
    settings: Settings,
    options: ReleaseOptions,
    previous: Path | _AtUrl | Any | None,
    engine: Engine | None,
) -> ReleaseResult:
    """The release written into ``out``; with ``target``, built there and its files staged in ``out`` and uploaded.

    ``previous`` is ``options.previous`` as found: a release at a URL is here as ``_AtUrl``.
    """
    version = check_version(options.version or default_version(settings.as_of))
    check_contact(options.source_url, options.contact)
    if options.repo_id is not None:
        check_repo(options.repo_id)
    folders = discover(manifests, options.include_examples)
    if not folders:
        hint = "" if options.include_examples else " (pass --include-examples to release the bundled samples)"
        raise ReleaseError(f"no collection folder (with a {COLLECTION_FILE}) under {manifests}{hint}")
    build_previous: Path | str | None = previous.url if isinstance(previous, _AtUrl) else None
    if isinstance(previous, _AtUrl):
        previous = previous.local
        read_release(previous)
    elif previous is AUTO:
        previous = previous_release(out)
        build_previous = previous
    elif previous is not None:
        previous = Path(previous)
        if previous.resolve() == out.resolve():
            raise ReleaseError(f"the previous release {previous} is the output folder; give another one")
        read_release(previous)  # fail now, not after the build
        build_previous = previous
    collections = load_collections(folders)
    placeholders = [c for c in collections if c.institution.url and is_placeholder_url(c.institution.url)]
    if placeholders:
        # It would be printed as the institution's address in ATTRIBUTION.md, the card and Croissant.
        names = ", ".join(f"{c.root / COLLECTION_FILE} ({c.institution.url})" for c in placeholders)
        raise ReleaseError(f"institution url is pdpack init's placeholder in {names}: give the real web address")
    settings = _with_takedowns(settings, manifests)
    # A release is published: its report.html pictures only what ships.
    # Partitions whose inputs are unchanged since the previous release are taken from it, not decoded again.
    report = build(
        collections,
        out if target is None else target.url,
        settings,
        workers=options.workers,
        for_publication=True,
        previous=build_previous,
        engine=engine,
        storage_options=target.options if target is not None else None,
    )
    if target is not None:
        stage_build(target, report, out)  # what the release files are made from: reports, card, indexes

    now = release_samples(out, report["shards"], previous)
    changelog = compare(version, settings.as_of, out, report, previous, now)
    shipped_by_statement = statements(now)
    release: dict[str, Any] = {
        "version": version,
        "as_of": settings.as_of,
        "policy": settings.policy,
        "pdpack_version": __version__,
        "previous": (
            None if changelog.previous is None else {"version": changelog.previous, "as_of": changelog.previous_as_of}
        ),
        "license": license_of(shipped_by_statement or {"public_domain": {"": 0}}),
        "settings": {
            "shard_max_count": settings.shard_max_count,
            "shard_max_size": settings.shard_max_size,
            "leftover_risk": settings.leftover_risk,
        },
        "totals": report["totals"],
        "collections": [
            {
                "id": c["id"],
                "title": c["title"],
                "institution": c["institution"],
                "items": c["items"],
                "shipped": c["shipped"],
                "rejected": c["rejected"],
            }
            for c in report["collections"]
        ],
        "changes": {"added": len(changelog.added), "removed": len(changelog.removed)},
        "shipped_by_statement": shipped_by_statement,
        "shards": report["shards"],
        "inputs": input_hashes(collections, manifests),
        "outputs": {name: file_sha256(out / name) for name in HASHED_OUTPUTS if (out / name).is_file()},
    }
    previous_text = None
    if previous is not None and (previous / CHANGELOG_FILE).is_file():
        previous_text = (previous / CHANGELOG_FILE).read_text(encoding="utf-8")
    write_atomic(out / CHANGELOG_FILE, changelog_markdown(changelog, previous_text))
    write_croissant(
        out / CROISSANT_FILE, croissant(release, report, options.pretty_name, options.repo_id, options.source_url)
    )
    files = {p.name for p in out.iterdir()} | {CARD_FILE, RELEASE_FILE}
    card = dataset_card(
        release, report, changelog, options.pretty_name, options.repo_id, options.source_url, files, options.contact
    )
    write_atomic(out / CARD_FILE, card + "\n")
    write_atomic(out / RELEASE_FILE, dumps_pretty(release))
    if target is not None:
        target.upload(out, [CHANGELOG_FILE, CROISSANT_FILE, CARD_FILE, RELEASE_FILE])
        return ReleaseResult(target.url, release, report, changelog)
    return ReleaseResult(out, release, report, changelog)
