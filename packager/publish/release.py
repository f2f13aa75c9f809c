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
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
import os
import re
import tempfile
from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pyarrow.parquet as pq

from packager.atomic import write_atomic
from packager.builder.config import Settings
from packager.builder.engines import Engine
from packager.builder.run import build, load_collections
from packager.builder.target import Target, is_url
from packager.digest import file_sha256
from packager.jsonutil import dumps_pretty
from packager.manifest.collection import COLLECTION_FILE, Collection, is_placeholder_url
from packager.manifest.discovery import collection_folders
from packager.manifest.inputs import collection_inputs
from packager.manifest.takedowns import TAKEDOWNS_FILE, load_takedowns
from packager.markdown import safe_url
from packager.model import ReleaseError
from packager.outputs.card import DEFAULT_PRETTY_NAME, dataset_card
from packager.outputs.card import release_license as license_of
from packager.outputs.card_body import contact_link
from packager.outputs.changelog import Change, Changelog, changelog_markdown
from packager.outputs.croissant import croissant, write_croissant
from packager.publish.release_url import fetch_release, newest_release_beside, stage_build
from packager.rights.vocabulary import lookup, normalise_uri
from packager.safepath import PathEscapeError, resolve_inside
from packager.version import __version__

RELEASES_FOLDER = "releases"
RELEASE_FILE = "release.json"
CHANGELOG_FILE = "CHANGELOG.md"
CARD_FILE = "README.md"
CROISSANT_FILE = "croissant.json"
VERSION_PATTERN = re.compile(r"^[0-9A-Za-z][0-9A-Za-z._-]{0,63}$")
REPO_PATTERN = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]*/[A-Za-z0-9][A-Za-z0-9._-]*$")
# Reported outputs whose bytes depend only on the manifests and the settings.
HASHED_OUTPUTS = ("report.json", "rejected.jsonl", "ATTRIBUTION.md")
NOT_IN_MANIFEST = "no longer in the manifest"
COLLECTION_GONE = "collection no longer in the release"


class _Auto:
    def __repr__(self) -> str:
        return "AUTO"


AUTO: Any = _Auto()  # find the previous release among the folders beside the output


@dataclass(frozen=True)
class ReleaseResult:
    out: Path | str  # the release folder, or its URL
    release: dict[str, Any]
    report: dict[str, Any]
    changelog: Changelog


def default_version(as_of: str) -> str:
    """``2026.12`` for any as-of date in December 2026."""
    date = dt.date.fromisoformat(as_of)
    return f"{date.year:04d}.{date.month:02d}"


def check_version(version: str) -> str:
    if not VERSION_PATTERN.match(version) or ".." in version:
        raise ReleaseError(f"{version!r} is not a release version; write e.g. 2026.12 (letters, digits, '.', '-', '_')")
    return version


def check_repo(repo_id: str) -> str:
    if not REPO_PATTERN.match(repo_id):
        raise ReleaseError(f"{repo_id!r} is not a Hub repository id; write NAMESPACE/NAME")
    return repo_id


def check_contact(source_url: str | None, contact: str | None) -> None:
    """A published release must say where to ask for an item's removal: a repository, an address, or both."""
    if source_url is not None and safe_url(source_url) is None:
        raise ReleaseError(f"--source-url {source_url!r} is not an http(s) address")
    if contact is not None and contact_link(contact) is None:
        raise ReleaseError(f"--contact {contact!r} is neither an e-mail address nor an http(s) address")
    if source_url is None and contact is None:
        raise ReleaseError(
            "a release must say where to ask for an item's removal: give --source-url URL (the repository it is "
            "built from; the card links its issues) or --contact EMAIL-OR-URL (or both)"
        )


def discover(manifests: Path, include_examples: bool = False) -> list[Path]:
    """Every collection folder under ``manifests`` (a folder with collection.yaml), in path order.

    ``manifests/schema`` is never a collection; ``manifests/examples`` counts only when asked.
    """
    if not manifests.is_dir():
        raise ReleaseError(f"{manifests} is not a folder; give the folder that holds the collections")
    return collection_folders(manifests, include_examples)


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


def previous_release(out: Path) -> Path | None:
    """The newest other release folder beside ``out`` (by as-of date, then version), or None."""
    parent = out.resolve().parent
    if not parent.is_dir():
        return None
    candidates = []
    for folder in parent.iterdir():
        if folder.resolve() == out.resolve() or not (folder / RELEASE_FILE).is_file():
            continue
        try:
            meta = read_release(folder)
        except ReleaseError:
            continue
        candidates.append((str(meta.get("as_of", "")), str(meta.get("version", "")), folder))
    return max(candidates)[2] if candidates else None


def read_release(folder: Path) -> dict[str, Any]:
    path = folder / RELEASE_FILE
    try:
        meta = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise ReleaseError(f"{path}: not a pdpack release ({exc})") from exc
    if not isinstance(meta, dict) or "version" not in meta or "shards" not in meta:
        raise ReleaseError(f"{path}: not a pdpack release (no version or shard list)")
    return meta


INDEX_COLUMNS = ["collection", "id", "rights_status", "rights_statement"]


@dataclass
class ReleaseSamples:
    """What a release ships, read from its parquet indexes (and the previous release's, to compare)."""

    ids: set[tuple[str, str]] = field(default_factory=set)  # (collection, id) of every sample
    # ... of the samples in indexes the previous release holds as the same file (a reused partition's hard link)
    unchanged: set[tuple[str, str]] = field(default_factory=set)
    per_collection: Counter[str] = field(default_factory=Counter)
    by_statement: Counter[tuple[str, str]] = field(default_factory=Counter)  # (verdict, statement key)


def read_index(path: Path, columns: list[str]) -> list[tuple[Any, ...]]:
    # ParquetFile, not read_table: read_table imports pyarrow.dataset, a quarter of a second of every release.
    with path.open("rb") as handle:
        table = pq.ParquetFile(handle).read(columns=columns)
    return list(zip(*(table.column(name).to_pylist() for name in columns), strict=True))


def _same_file(one: Path, other: Path) -> bool:
    try:
        return os.path.samefile(one, other)
    except OSError:
        return False


def release_samples(folder: Path, shards: Iterable[Mapping[str, Any]], previous: Path | None = None) -> ReleaseSamples:
    """The samples a release ships, by id, collection and rights statement, from its parquet indexes.

    An index that ``previous`` holds as the same file is noted in ``unchanged``: the previous release
    ships the same samples from it, so comparing the two needs only the previous release's other indexes.
    """
    found = ReleaseSamples()
    keys: dict[str, str] = {}  # a release has few statements and many samples
    for shard in shards:
        path = folder / shard["index"]
        rows = read_index(path, INDEX_COLUMNS)
        ids = {(collection, item) for collection, item, _, _ in rows}
        found.ids |= ids
        if previous is not None and _same_file(path, previous / shard["index"]):
            found.unchanged |= ids
        for collection, _, status, statement in rows:
            found.per_collection[collection] += 1
            if statement not in keys:
                keys[statement] = statement_key(statement or "")
            found.by_statement[(status or "", keys[statement])] += 1
    return found


def shipped_ids(folder: Path, shards: Iterable[Mapping[str, Any]], skip: Path | None = None) -> set[tuple[str, str]]:
    """(collection, id) of every sample in a release's indexes, less those that ``skip`` holds as the same file."""
    found: set[tuple[str, str]] = set()
    for shard in shards:
        path = folder / shard["index"]
        if skip is None or not _same_file(path, skip / shard["index"]):
            found.update((collection, item) for collection, item in read_index(path, ["collection", "id"]))
    return found


def rejected_reasons(folder: Path) -> dict[tuple[str, str], str]:
    """The reason code of every held-back item of a release (the first line for an id wins)."""
    reasons: dict[tuple[str, str], str] = {}
    path = folder / "rejected.jsonl"
    if path.is_file():
        with path.open(encoding="utf-8") as handle:
            for line in handle:
                if line.strip():
                    record = json.loads(line)
                    reasons.setdefault((record["collection"], record["id"]), record["reason"])
    return reasons


def statement_key(statement: str) -> str:
    """One row per statement however it was written: a known URI in its canonical form, a known label
    as the vocabulary's label ("PD", "public domain" and "Public Domain" are one), anything else as is."""
    term = lookup(statement) if statement.strip() else None
    if term is None:
        return statement.strip()
    return term.canonical if normalise_uri(statement) is not None else term.label


def statements(found: ReleaseSamples) -> dict[str, dict[str, int]]:
    """Shipped samples by verdict, then by rights statement ("" when there is none)."""
    result: dict[str, dict[str, int]] = {}
    for (status, statement), count in sorted(found.by_statement.items()):
        result.setdefault(status, {})[statement] = count
    return result


def compare(
    version: str,
    as_of: str,
    out: Path,
    report: Mapping[str, Any],
    previous: Path | None,
    now: ReleaseSamples | None = None,
) -> Changelog:
    """What changed since the previous release: samples added and removed, per collection, and why."""
    now = now if now is not None else release_samples(out, report["shards"], previous)
    per_collection = dict(sorted(now.per_collection.items()))
    if previous is None:
        return Changelog(version, as_of, None, shipped=per_collection)
    meta = read_release(previous)
    # The indexes both releases share list the same samples in both: only the previous release's others are read.
    before_set = shipped_ids(previous, meta["shards"], skip=out) | now.unchanged
    now_set = now.ids
    held_now = rejected_reasons(out)
    held_before = rejected_reasons(previous)
    collections_now = {c["id"] for c in report["collections"]}
    collections_before = {c for c, _ in before_set} | {c for c, _ in held_before}
    added = []
    for collection, item in sorted(now_set - before_set):
        if (collection, item) in held_before:
            why = f"previously held back: {held_before[(collection, item)]}"
        elif collection not in collections_before:
            why = "new collection"
        else:
            why = "new in the manifest"
        added.append(Change(collection, item, why))
    removed = []
    for collection, item in sorted(before_set - now_set):
        if (collection, item) in held_now:
            why = held_now[(collection, item)]
        elif collection not in collections_now:
            why = COLLECTION_GONE
        else:
            why = NOT_IN_MANIFEST
        removed.append(Change(collection, item, why))
    return Changelog(
        version,
        as_of,
        str(meta["version"]),
        previous_as_of=str(meta.get("as_of", "")) or None,
        added=added,
        removed=removed,
        shipped=per_collection,
    )


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
    version: str | None = None,
    include_examples: bool = False,
    previous: Path | str | Any | None = AUTO,
    workers: int = 1,
    pretty_name: str = DEFAULT_PRETTY_NAME,
    repo_id: str | None = None,
    source_url: str | None = None,
    contact: str | None = None,
    engine: Engine | None = None,
    storage_options: Mapping[str, Any] | None = None,
) -> ReleaseResult:
    """Build every registered collection into ``out`` and write the release files.

    ``out`` may be a URL (``s3://bucket/releases/2026.12``, reached with ``storage_options``), and then
    ``previous`` a release at a URL on the same storage (``packager.publish.release_url``).
    """
    if not (isinstance(out, str) and is_url(out)):
        if isinstance(previous, str) and is_url(previous):
            raise ReleaseError(f"the previous release {previous} is at a URL: --out must be a URL too")
        return _make_release(manifests, Path(out), None, settings, version, include_examples, previous, workers,
                             pretty_name, repo_id, source_url, contact, engine)  # fmt: skip
    target = Target(out, dict(storage_options or {}))
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
        return _make_release(manifests, Path(staging) / "release", target, settings, version, include_examples,
                             previous, workers, pretty_name, repo_id, source_url, contact, engine)  # fmt: skip


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
    version: str | None,
    include_examples: bool,
    previous: Path | _AtUrl | Any | None,
    workers: int,
    pretty_name: str,
    repo_id: str | None,
    source_url: str | None,
    contact: str | None,
    engine: Engine | None,
) -> ReleaseResult:
    """The release written into ``out``; with ``target``, built there and its files staged in ``out`` and uploaded."""
    version = check_version(version or default_version(settings.as_of))
    check_contact(source_url, contact)
    if repo_id is not None:
        check_repo(repo_id)
    folders = discover(manifests, include_examples)
    if not folders:
        hint = "" if include_examples else " (pass --include-examples to release the bundled samples)"
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
        workers=workers,
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
    write_croissant(out / CROISSANT_FILE, croissant(release, report, pretty_name, repo_id, source_url))
    files = {p.name for p in out.iterdir()} | {CARD_FILE, RELEASE_FILE}
    card = dataset_card(release, report, changelog, pretty_name, repo_id, source_url, files, contact)
    write_atomic(out / CARD_FILE, card + "\n")
    write_atomic(out / RELEASE_FILE, dumps_pretty(release))
    if target is not None:
        target.upload(out, [CHANGELOG_FILE, CROISSANT_FILE, CARD_FILE, RELEASE_FILE])
        return ReleaseResult(target.url, release, report, changelog)
    return ReleaseResult(out, release, report, changelog)
