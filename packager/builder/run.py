"""A build: collections in, shards and reports out; resumable after a crash."""

from __future__ import annotations

import shutil
from collections.abc import Callable, Iterable, Iterator, Sequence
from pathlib import Path
from typing import Any

from packager import checkpoint
from packager.build_card import remove_build_card, write_build_card
from packager.builder.config import Models, Settings, preflight
from packager.captions.select import caption_stage
from packager.collection import Collection, ManifestError, load_collection
from packager.dedup import Deduplicator
from packager.discovery import id_taken_message, registered_ids, registry_root
from packager.engines import Engine
from packager.model import ResumeError
from packager.pipeline import Result, run
from packager.report import BuildReport
from packager.report_html import REPORT_FILE, write_build_report_html
from packager.sample import Sample
from packager.shards import ShardInfo, ShardWriter, discard_after

BUILD_OUTPUTS = ("report.json", "rejected.jsonl", "ATTRIBUTION.md", REPORT_FILE)


def load_collections(folders: Sequence[Path | str]) -> list[Collection]:
    """Load every collection, refusing two with the same id, in this build or in the manifests/ tree it lies in.

    A pull request that adds a collection is validated alone; checking its id against every collection
    under the same ``manifests/`` folder stops it there, not when the next release builds them together.
    """
    collections = [load_collection(folder) for folder in folders]
    seen: dict[str, Path] = {}
    for collection in collections:
        if collection.id in seen:
            raise ManifestError(
                collection.root / "collection.yaml",
                f"id {collection.id!r} is also used by {seen[collection.id]}; ids must be unique in a build",
                column="id",
            )
        seen[collection.id] = collection.root
    registries: dict[Path, dict[str, list[Path]]] = {}
    for collection in collections:
        root = registry_root(collection.root)
        if root is None:
            continue
        if root not in registries:
            registries[root] = registered_ids(root)
        taken = id_taken_message(collection.id, collection.root, registries[root], root)
        if taken:
            raise ManifestError(collection.root / "collection.yaml", taken, column="id")
    return collections


def clear_previous(out_dir: Path) -> None:
    """Remove what an earlier build wrote here, so no stale shard is mixed into this one."""
    data = out_dir / "data"
    if data.is_dir():
        for pattern in ("*.tar", "*.parquet", "*.tmp"):
            for path in data.glob(pattern):
                path.unlink()
    for name in BUILD_OUTPUTS:
        (out_dir / name).unlink(missing_ok=True)
    remove_build_card(out_dir)
    shutil.rmtree(checkpoint.state_dir(out_dir), ignore_errors=True)


def model_stage(
    results: Iterable[tuple[Collection, Result]], settings: Settings, models: Models
) -> Iterator[tuple[Collection, Result]]:
    """Captions written and scored by open_clip models, in batches, keeping the build order.

    Decoding is deterministic and independent of how images are batched, so a resumed build
    gives the same captions as an uninterrupted one.
    """
    return caption_stage(results, settings.captions, models.captioner, models.scorer, settings.min_alignment)


def build(
    collections: Sequence[Collection],
    out_dir: Path,
    settings: Settings,
    workers: int = 1,
    on_result: Callable[[Collection, Result], None] | None = None,
    resume: bool = False,
    engine: Engine | None = None,
    for_publication: bool = False,
    on_resume: Callable[[checkpoint.Checkpoint], None] | None = None,
) -> dict[str, Any]:
    """Build shards and reports into ``out_dir``; return the report.

    ``settings`` holds everything that decides the output; ``workers`` and ``engine`` only decide
    where the per-item work runs (the output is the same). With ``resume``, carry on from the last
    checkpoint of an interrupted build of the same inputs and settings (or start afresh when there
    is none). ``for_publication`` writes a report.html that pictures only what ships (as every
    release does); without it the page also pictures held-back items for the staff, and ``push``
    refuses it. It changes report.html only, so it is not part of the resume fingerprint. Raises
    ManifestError, ResumeError, MissingTool (no exiftool) or ModelError before anything is written.
    ``on_resume`` is called with the checkpoint a resumed build carries on from.
    """
    models = preflight(settings)
    out_dir.mkdir(parents=True, exist_ok=True)
    recorded = settings.recorded()
    fingerprint = checkpoint.fingerprint(list(collections), recorded)
    inputs = checkpoint.describe_inputs(list(collections), recorded)
    previous = checkpoint.load(out_dir) if resume else None
    if previous is not None and previous.fingerprint != fingerprint:
        changed = checkpoint.changes(previous.inputs, inputs)
        what = (
            ": " + "; ".join(changed)
            if changed
            else " (a changed manifest, option or --as-of date: it defaults to today)"
        )
        raise ResumeError(
            f"{out_dir} holds a build of other inputs or settings{what}. Give the same inputs and options, "
            "or build without --resume to start over"
        )
    if previous is not None and on_resume is not None:
        on_resume(previous)
    if previous is None:
        clear_previous(out_dir)
        (out_dir / "rejected.jsonl").touch()
        previous = checkpoint.Checkpoint(fingerprint, consumed=0, rejected_offset=0)
    done = [ShardInfo(**info) for info in previous.shards]
    if (out_dir / "data").is_dir():
        discard_after(out_dir / "data", keep=len(done))

    dedup = Deduplicator(checkpoint.state_dir(out_dir) / "dedup.sqlite", settings.near_duplicates)
    dedup.rollback(previous.consumed)
    position = previous.consumed
    with BuildReport(out_dir, recorded, resume_offset=previous.rejected_offset) as report:
        report.restore(previous.tallies, previous.overrides, list(collections))

        def record(_: ShardInfo) -> None:
            # Called when a shard is complete, before the sample at ``position`` is added anywhere.
            dedup.commit()
            checkpoint.save(
                out_dir,
                checkpoint.Checkpoint(
                    fingerprint,
                    consumed=position,
                    rejected_offset=report.rejected_offset,
                    shards=[s.to_json() for s in writer.shards],
                    tallies=report.snapshot(),
                    overrides=report.overrides,
                    inputs=inputs,
                ),
            )

        with ShardWriter(
            out_dir, settings.shard_max_count, settings.shard_max_size, existing=done, on_finish=record
        ) as writer:
            results = run(collections, settings, workers, skip=previous.consumed, engine=engine)
            if settings.uses_models:
                results = model_stage(results, settings, models)
            for position, (collection, result) in enumerate(results, start=previous.consumed):
                outcome: Result = result
                if isinstance(result, Sample):
                    duplicate = dedup.check(position, result)
                    if duplicate is not None:
                        outcome = duplicate
                    else:
                        writer.write(result)
                report.add(collection, outcome)
                if on_result is not None:
                    on_result(collection, outcome)
            position = sum(t.items for t in report.tallies.values())  # everything is accounted for
            shards = writer.close()
        dedup.close()
        summary = report.write(shards)
    write_build_report_html(out_dir, list(collections), summary, for_publication)  # after rejected.jsonl is closed
    write_build_card(out_dir, summary)  # so that datasets.load_dataset(out_dir) reads the shards, not the index
    return summary
