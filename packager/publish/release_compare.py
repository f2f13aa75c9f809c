"""What changed since the previous release: the samples each release ships, read from its indexes, compared.

The same comparison gives the card's count of samples per rights statement.
"""

from __future__ import annotations

import json
import os
from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pyarrow.parquet as pq

from packager.outputs.changelog import Change, Changelog
from packager.publish.release_folder import read_release
from packager.rights.vocabulary import lookup, normalise_uri

NOT_IN_MANIFEST = "no longer in the manifest"
COLLECTION_GONE = "collection no longer in the release"


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
