"""A build: collections in, shards and reports out; resumable after a crash."""

from __future__ import annotations

import shutil
import tempfile
from collections.abc import Callable, Mapping, Sequence
from itertools import chain
from pathlib import Path
from typing import Any

from packager.builder import checkpoint
from packager.builder.chunks import remove_chunks
from packager.builder.config import Settings, preflight
from packager.builder.dedup import Deduplicator
from packager.builder.destination import Destination
from packager.builder.engine_base import Engine
from packager.builder.engines import WORKER_MODULES, make_engine
from packager.builder.filter_pass import deduplicated, filtered_record, upload_written
from packager.builder.partition_flow import model_partition, partition_records
from packager.builder.partition_job import Job, run_job
from packager.builder.partitions import Partition
from packager.builder.records import Outcome, PartitionRecord
from packager.builder.remote import load_remote, save_remote
from packager.builder.reuse import (
    LEGACY_SUFFIX,
    PUBLISHED_RECORDS,
    RECORDS,
    record_files,
    record_name,
    record_names,
    save_record,
    shards_here,
)
from packager.builder.target import Target, is_url
from packager.manifest.collection import Collection, ManifestError, load_collection
from packager.manifest.discovery import id_taken_message, registered_ids, registry_root
from packager.model import ResumeError
from packager.outputs.build_card import CARD_FILE, remove_build_card, write_build_card
from packager.outputs.report import BuildReport
from packager.outputs.report_data import gallery_shards, read_samples
from packager.outputs.report_html import REPORT_FILE, write_build_report_html
from packager.outputs.thumbnail_cache import THUMBNAILS_FILE, ThumbnailCache
from packager.outputs.thumbnails import GALLERY_SIDE
from packager.sample import ShardInfo

# A checkpoint waits for the disk (5 to 20 ms). After a partition that was written it is saved at once; after
# reused ones (placed again on resume without decoding) once every this many.
REUSED_PER_CHECKPOINT = 16
SHARD_FILES = ("*.tar", "*.parquet", "*.tmp")
CHECKPOINT_NAME = f"{checkpoint.STATE_DIR}/{checkpoint.CHECKPOINT}"  # relative to the build, as at a URL
PROGRESS_NAME = f"{checkpoint.STATE_DIR}/{checkpoint.PROGRESS}"
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
        for pattern in SHARD_FILES:
            for path in data.rglob(pattern):
                path.unlink()
    for name in BUILD_OUTPUTS:
        (out_dir / name).unlink(missing_ok=True)
    remove_build_card(out_dir)
    shutil.rmtree(checkpoint.state_dir(out_dir), ignore_errors=True)


def sweep(out_dir: Path, shards: Sequence[ShardInfo], records: set[tuple[str, str]]) -> None:
    """Delete shard files and partition records that are not part of this build (left by an earlier one)."""
    keep = {s.name for s in shards} | {s.index for s in shards}
    data = out_dir / "data"
    if data.is_dir():
        for pattern in SHARD_FILES:
            for path in sorted(data.rglob(pattern)):
                if path.relative_to(out_dir).as_posix() not in keep:
                    path.unlink()
        # Deepest first (a subfolder sorts after its parent), so a collection's folder emptied of its
        # shard subfolders goes too.
        for folder in sorted((p for p in data.rglob("*") if p.is_dir()), reverse=True):
            if not any(folder.iterdir()):
                folder.rmdir()
    for collection, name, path in record_files(checkpoint.state_dir(out_dir) / RECORDS):
        if (collection, name) not in records or path.name.endswith(LEGACY_SUFFIX):
            path.unlink()  # every partition of this build has its record as written now


def build(
    collections: Sequence[Collection],
    out_dir: Path | str,
    settings: Settings,
    workers: int = 1,
    on_result: Callable[[Collection, Outcome], None] | None = None,
    resume: bool = False,
    engine: Engine | None = None,
    for_publication: bool = False,
    on_resume: Callable[[checkpoint.Checkpoint], None] | None = None,
    previous: Path | str | None = None,
    storage_options: Mapping[str, Any] | None = None,
) -> dict[str, Any]:
    """Build shards and reports into ``out_dir``, a folder or an fsspec URL (``s3://bucket/prefix``); return the report.

    To a URL, each partition task uploads its own shards and the driver the small files and the
    partition records (``packager.builder.target``), reached with ``storage_options``; ``resume``
    carries on from the records at the URL, and ``previous`` may be a folder or another URL on
    the same storage (its shards are copied inside it). Otherwise, as follows.

    ``settings`` holds everything that decides the output; ``workers`` and ``engine`` only decide
    where the per-partition work runs (the output is the same). With ``resume``, carry on from an
    interrupted build of the same inputs and settings (or start afresh when there is none): every
    partition it completed is kept. With ``previous`` (an earlier build or release folder), every
    partition whose inputs are unchanged is taken from there without decoding anything
    (``packager.builder.reuse``). ``for_publication`` writes a report.html that pictures only what
    ships (as every release does); without it the page also pictures held-back items for the staff,
    and ``push`` refuses it. It changes report.html only, so it is not part of the resume
    fingerprint. Raises ManifestError, ResumeError, MissingTool (no exiftool) or ModelError before
    anything is written. ``on_resume`` is called with the checkpoint a resumed build carries on from.
    """
    if isinstance(out_dir, str) and not is_url(out_dir):
        out_dir = Path(out_dir)
    prior = previous if isinstance(previous, str) and is_url(previous) else None
    folder = Path(previous) if previous is not None and prior is None else None
    if isinstance(out_dir, Path):
        if prior is not None:
            raise ValueError(f"--previous {prior} is a URL: its shards stay there, so --out must be a URL too")
        return _build(
            collections, out_dir, settings, workers, on_result, resume, engine, for_publication, on_resume, folder
        )
    options = dict(storage_options or {})
    target = Target(out_dir, options)
    at = (Target(prior, options),) if prior is not None else ()
    # The driver works in a folder of its own (checkpoint, deduplication index, records), which it mirrors to
    # URL/.pdpack/ as partitions complete, so that --resume finds them; the shards do not pass here.
    with tempfile.TemporaryDirectory(prefix="pdpack-build-") as staging:
        return _build(
            collections, Path(staging), settings, workers, on_result, resume, engine, for_publication, on_resume,
            folder, target, at,
        )  # fmt: skip


def _build(
    collections: Sequence[Collection],
    out_dir: Path,
    settings: Settings,
    workers: int,
    on_result: Callable[[Collection, Outcome], None] | None,
    resume: bool,
    engine: Engine | None,
    for_publication: bool,
    on_resume: Callable[[checkpoint.Checkpoint], None] | None,
    previous: Path | None,
    target: Target | None = None,
    prior: tuple[Target, ...] = (),
) -> dict[str, Any]:
    models = preflight(settings)
    out_dir.mkdir(parents=True, exist_ok=True)
    recorded = settings.recorded()
    fingerprint = checkpoint.fingerprint(list(collections), recorded)
    inputs = checkpoint.describe_inputs(list(collections), recorded)
    if resume and target is not None:
        target.download([name for name in (CHECKPOINT_NAME, PROGRESS_NAME) if target.exists(name)], out_dir)
    interrupted = checkpoint.load(out_dir) if resume else None
    if interrupted is not None and interrupted.fingerprint != fingerprint:
        changed = checkpoint.changes(interrupted.inputs, inputs)
        what = (
            ": " + "; ".join(changed)
            if changed
            else " (a changed manifest, option or --as-of date: it defaults to today)"
        )
        raise ResumeError(
            f"{out_dir} holds a build of other inputs or settings{what}. Give the same inputs and options, "
            "or build without --resume to start over"
        )
    if interrupted is not None and on_resume is not None:
        on_resume(interrupted)
    in_place = previous is not None and previous.resolve() == out_dir.resolve()
    in_place = in_place or any(target is not None and target.same_place(p) for p in prior)
    if interrupted is None and not in_place:
        clear_previous(out_dir)
        if target is not None:
            target.remove(target.files_under(checkpoint.STATE_DIR))  # an earlier build's state there
    checkpoint.start(out_dir, fingerprint, inputs, resume=interrupted is not None)
    if target is not None:
        target.upload(out_dir, [CHECKPOINT_NAME])
    remove_chunks(out_dir)
    reuse_from: list[Path] = []
    url_sources: list[Target] = []
    if (interrupted is not None or in_place) and target is not None:
        url_sources.append(target)  # what the interrupted build completed there, or the earlier build at that URL
    elif interrupted is not None or in_place:
        reuse_from.append(out_dir)  # what the interrupted build completed, or the earlier build in this folder
    if previous is not None and not in_place:
        reuse_from.append(previous)
    url_sources += [p for p in prior if not in_place]
    sources = tuple(str(folder.resolve()) for folder in reuse_from)
    remote = load_remote(previous) if previous is not None and not in_place else None
    if remote is not None:
        save_remote(out_dir, remote)  # the shards reused from there stay there: a resume or a push needs to know
    for name in BUILD_OUTPUTS:
        (out_dir / name).unlink(missing_ok=True)
    dedup_path = checkpoint.state_dir(out_dir) / "dedup.sqlite"
    dedup_path.unlink(missing_ok=True)  # decided afresh from the partitions' signatures: no decoding
    dedup = Deduplicator(dedup_path, settings.near_duplicates)
    by_id = {c.id: c for c in collections}
    replayed = interrupted.consumed if interrupted is not None else 0  # already shown before the interruption
    shards: list[ShardInfo] = []
    kept: set[tuple[str, str]] = set()
    position = 0
    unsaved = 0  # reused partitions since the last checkpoint
    owned = engine is None
    active = engine or make_engine("local", workers, preload=WORKER_MODULES)
    try:
        with BuildReport(out_dir, recorded) as report:

            def rebuild(partition: Partition) -> PartitionRecord:
                if settings.uses_models:
                    return model_partition(partition, settings, models, Destination(out_dir), active, workers)
                return run_job(Job(partition, settings, str(out_dir)))  # here: uploaded below with the filter pass's

            where = Destination(out_dir, sources, target, tuple(url_sources))
            records = partition_records(collections, settings, models, where, active, workers)
            for partition, record in records:
                collection = by_id[record.collection]
                outcomes, removed = deduplicated(dedup, record, position)
                position += len(outcomes)
                if target is None and not shards_here(record, out_dir):
                    # Its tars stay where the previous release is; the filter pass and report.html need the bytes.
                    pictured = len(gallery_shards([*shards, *record.shards])) > len(shards)
                    if removed != set(record.removed) or pictured:
                        record = rebuild(partition)
                if target is not None and removed != set(record.removed):
                    target.remove(record_names(record.collection, record.name))  # its shards are rewritten
                filtered = filtered_record(partition, record, removed, out_dir, settings, rebuild, target)
                placed = record.reused and filtered is record and target is None  # placed again cheaply on resume
                record = filtered
                if target is not None:
                    upload_written(target, out_dir, record)
                    save_record(out_dir, record)
                for number, outcome in enumerate(outcomes, start=position - len(outcomes)):
                    report.add(collection, outcome)
                    if on_result is not None and number >= replayed:
                        on_result(collection, outcome)
                shards.extend(record.shards)
                kept.add((record.collection, record.name))
                dedup.commit()
                unsaved = unsaved + 1 if placed else REUSED_PER_CHECKPOINT
                if unsaved >= REUSED_PER_CHECKPOINT:
                    unsaved = 0
                    checkpoint.save_progress(out_dir, position, len(shards))
                if target is not None:
                    # The record only once its shards are complete there: a resume reuses what it finds.
                    target.upload(out_dir, [record_name(record.collection, record.name), PROGRESS_NAME])
            dedup.close()
            summary = report.write(shards)
        # The gallery's pictures that an earlier build drew are not drawn again; the others are drawn now, on the
        # workers, which are idle by now, instead of one after another in this process for report.html.
        gallery = ThumbnailCache([checkpoint.state_dir(Path(folder)) / THUMBNAILS_FILE for folder in sources])
        if target is None and workers > 1:
            gallery.draw_ahead(
                (sample.image for sample in read_samples(out_dir, summary)),
                GALLERY_SIDE,
                lambda draw, drawings: active.map_ordered(draw, drawings, len(drawings), batch=1),
            )
    finally:
        if owned:
            active.close()
        # Chunk files of partitions left unwritten (an error, Ctrl-C) are no use to a resume, which writes
        # those partitions again; after a complete build only the empty folders remain.
        remove_chunks(out_dir)
    sweep(out_dir, shards, kept)
    if target is not None:
        _gallery_shards(target, out_dir, shards)
        if target.exists(CARD_FILE):
            target.download([CARD_FILE], out_dir)  # so that a card of someone else's is kept, as in a folder
    # After rejected.jsonl is closed.
    write_build_report_html(out_dir, list(collections), summary, for_publication, gallery)
    gallery.save(checkpoint.state_dir(out_dir) / THUMBNAILS_FILE)
    # A card, so that datasets.load_dataset(out_dir) reads the shards, not the index.
    carded = write_build_card(out_dir, summary)
    if target is not None:
        keep = set(chain.from_iterable((s.name, s.index) for s in shards))
        keep |= {record_name(collection, name) for collection, name in kept}
        stale = [*target.shard_files(), *target.files_under(PUBLISHED_RECORDS)]
        target.remove([name for name in stale if name not in keep])  # left by an earlier build
        target.upload(out_dir, [*BUILD_OUTPUTS, *([CARD_FILE] if carded else [])])
    return summary


def _gallery_shards(target: Target, staging: Path, shards: Sequence[ShardInfo]) -> None:
    """Download the first shards, those report.html pictures samples from."""
    target.download(gallery_shards(shards), staging)
