"""The per-item stages: one item's rights, file, image and caption checked into a sample or a rejection.

``process_item`` is a pure function of (collection, item, settings, review), so it can run in
any process (each process keeps one ExifTool process for the files it reads); running it over
collections in build order is ``packager.builder.stream``'s job.
"""

from __future__ import annotations

import tempfile
from collections import OrderedDict
from pathlib import Path
from typing import Any

from packager.builder.config import Settings
from packager.captions.clean import remove_placeholders
from packager.captions.select import choose_caption, eligible, human_candidates, missing_caption_message
from packager.manifest.collection import Collection
from packager.manifest.nearmatch import near_match
from packager.manifest.takedowns import load_takedowns_cached
from packager.media.budget import ItemBudget, OutOfTime
from packager.media.fetch import FetchError, check_url, fetch
from packager.media.image import ImageData, MediaError, inspect_image
from packager.media.netaddress import Policy
from packager.model import Item, Rejection
from packager.outputs.attribution import acquisition_credit, credit_line, rights_words
from packager.rights.conflicts import decisive_conflict
from packager.rights.embedded import EmbeddedReadError, shared_reader
from packager.rights.embedded_tags import EmbeddedFindings, embedded_findings
from packager.rights.evidence import INFO, Evidence
from packager.rights.review import ReviewDecision
from packager.rights.verify import Verdict, all_jurisdictions, decide, verify
from packager.safepath import PathEscapeError, resolve_inside
from packager.sample import Sample, sample_key

NOT_FETCHED = "url:not-fetched"  # validate --offline: an item that would be downloaded, set aside unchecked


Result = Sample | Rejection


def process_item(
    collection: Collection,
    entry: Item | Rejection,
    settings: Settings,
    review: ReviewDecision | None = None,
    fetched: bytes | BaseException | None = None,
    budget: ItemBudget | None = None,
) -> Result:
    """Run every stage on one item. Never raises: an unexpected failure becomes a Rejection.

    ``fetched`` is a URL item's body (or the error its download ended with) when it was
    downloaded beforehand, alongside other items (``process_group``), and ``budget`` the
    item's time budget that download started.
    """
    if isinstance(entry, Rejection):
        return entry
    budget = budget or ItemBudget(settings.item_deadline)
    try:
        with budget.running():
            return _stages(collection, entry, settings, review, budget, fetched)
    except Exception as exc:  # a bug must cost one item, not the whole release
        return Rejection(collection.id, entry.id, "internal:error", f"{type(exc).__name__}: {exc}", row=entry.row)


def _stages(
    collection: Collection,
    item: Item,
    settings: Settings,
    review: ReviewDecision | None,
    budget: ItemBudget,
    fetched: bytes | BaseException | None = None,
) -> Result:
    # Every stage runs even after a problem is found, so the contributor sees all there is to fix in
    # one pass; the first problem in stage order is the item's reason, the rest are listed with it.
    problems: list[tuple[str, str]] = list(item.problems)
    evidence: list[dict[str, Any]] = []
    fixes: dict[str, str] = {}  # reason -> what to change for this item, where it says more than the reason

    def rejection(reason: str, message: str, verdict: Verdict | None = None) -> Rejection:
        found = [e.to_json() for e in verdict.evidence] if verdict else evidence
        return Rejection(collection.id, item.id, reason, message, row=item.row, evidence=found, fix=fixes.get(reason))

    def held_by(verdict: Verdict, held: tuple[str, str]) -> None:
        problems.append(held)
        if held[0] == "rights:conflict" and verdict.conflicts:
            fixes.setdefault(held[0], decisive_conflict(verdict.conflicts).fix)

    def held_back() -> Rejection:
        (reason, message), rest = problems[0], problems[1:]
        result = rejection(reason, message)
        result.also.extend({"reason": r, "message": m} for r, m in rest)
        return result

    takedowns = load_takedowns_cached(settings.takedowns) if settings.takedowns else None
    removed = takedowns.match(collection.id, item.id) if takedowns else None
    if removed:
        return rejection("takedown", removed.message)  # removed on request: nothing else to fix

    # Rights from the manifest first. Embedded metadata can only hold an item back, never let one
    # in, so an item held here stays held; its file is still checked, for the report.
    # Most files carry no metadata block, so the verdict is worked out once, as if this one had none,
    # and worked out again only when it turns out to have one (or for the evidence of a rejection).
    risk = settings.accept_leftover_risk
    verdict: Verdict | None = verify(
        item,
        collection,
        settings.as_of_date,
        embedded=_NO_FINDINGS if settings.embedded else None,
        review=review,
        accept_leftover_risk=risk,
    )
    assert verdict is not None
    held = decide(verdict, settings.policy)
    if held:
        manifest_only = (
            verify(item, collection, settings.as_of_date, review=review, accept_leftover_risk=risk)
            if settings.embedded
            else verdict
        )
        evidence = [e.to_json() for e in manifest_only.evidence]
        held_by(verdict, held)
        verdict = None

    checked = _checked_image(collection, item, settings, problems, budget, fetched)
    image: ImageData | None = None
    if checked is not None:
        data, image = checked
        # The same image re-contributed under another id, or in another collection, is caught by its hash.
        removed = takedowns.match(collection.id, item.id, image.sha256) if takedowns else None
        if removed:
            return rejection("takedown", removed.message)
        if verdict is not None and settings.embedded and image.has_metadata:
            try:
                findings = _embedded(item, data, image, settings, budget)
            except EmbeddedReadError as exc:
                problems.append(("embedded:unreadable", str(exc)))
            except OutOfTime as exc:
                problems.append((exc.reason, f"{item.source}: {exc}"))
            else:
                verdict = verify(
                    item, collection, settings.as_of_date, embedded=findings, review=review, accept_leftover_risk=risk
                )
                held = decide(verdict, settings.policy)
                if held:
                    evidence = [e.to_json() for e in verdict.evidence]
                    held_by(verdict, held)
                    verdict = None

    caption, caption_source = _caption(collection, item, settings)
    if not caption and not settings.uses_models:
        problems.append(("caption:missing", no_caption_message(collection, item, settings.captions)))
    if problems or verdict is None or image is None:
        return held_back()
    key = sample_key(collection.id, item.id)
    return Sample(
        key=key,
        extension=image.extension,
        image=image.payload,
        caption=caption,
        metadata=_metadata(key, collection, item, verdict, image, caption, caption_source),
        row=item.row,
    )


def _checked_image(
    collection: Collection,
    item: Item,
    settings: Settings,
    problems: list[tuple[str, str]],
    budget: ItemBudget,
    fetched: bytes | BaseException | None = None,
) -> tuple[bytes | Path, ImageData] | None:
    """The item's source and decoded image, or None with the reason added to ``problems``."""
    column = collection.column_name("file")
    try:
        data = _read_source(collection, item, settings, budget, fetched)
    except PathEscapeError as exc:
        problems.append(("path:escapes-collection", f"column '{column}': {exc}"))
        return None
    except FileNotFoundError:
        problems.append(("file:missing", missing_file_message(collection, item)))
        return None
    except OSError as exc:
        problems.append(("file:unreadable", f"column '{column}': {item.file!r}: {exc.strerror or exc}"))
        return None
    except FetchError as exc:
        problems.append((exc.reason, str(exc)))
        return None
    try:
        # Decoding cannot be cut off midway; the pixel limit bounds it, and it does not start out of time.
        budget.check("decoding the image")
        return data, inspect_image(data, settings.image)
    except OutOfTime as exc:
        problems.append((exc.reason, f"{item.source}: {exc}"))
        return None
    except MediaError as exc:
        problems.append((exc.reason, f"{item.source}: {exc}"))
        return None


def missing_file_message(collection: Collection, item: Item) -> str:
    """'does not exist', and the file the cell most likely meant when there is one."""
    message = f"column '{collection.column_name('file')}': {item.file!r} does not exist in {collection.root}"
    guess = near_match(collection.root, item.file or "")
    if guess is not None:
        message += f"; did you mean {guess!r}?"
    return message


def no_caption_message(collection: Collection, item: Item, mode: str = "best") -> str:
    """Why no caption could be made, naming the cells that are filled but say nothing (such as 'Untitled')."""
    if mode == "original":
        return missing_caption_message(mode)  # only the caption cell counts, and it is empty
    said_nothing = [
        f"'{collection.column_name(name)}' ({value!r})"
        for name in ("caption", "title", "creator", "date", "description")
        if (value := getattr(item, name)) and not remove_placeholders(value)
    ]
    if not said_nothing:
        return missing_caption_message(mode)
    cells = " and ".join(said_nothing)
    return (
        f"{'column' if len(said_nothing) == 1 else 'columns'} {cells} "
        f"{'says' if len(said_nothing) == 1 else 'say'} nothing about the picture, and no other cell describes it: "
        "add a caption or a description"
    )


def _read_source(
    collection: Collection,
    item: Item,
    settings: Settings,
    budget: ItemBudget | None,
    fetched: bytes | BaseException | None = None,
) -> bytes | Path:
    """A local file's checked path (opened later, never read whole before it must be), or a URL's bytes."""
    if item.file is not None:
        path = resolve_inside(collection.root, item.file)
        if not path.is_file():
            raise FileNotFoundError(path)
        with path.open("rb"):
            pass  # unreadable files (permissions) fail here with an OSError naming the cause
        return path
    assert item.url is not None
    if isinstance(fetched, BaseException):
        raise fetched
    if fetched is not None:
        return fetched
    if settings.offline:
        check_url(item.url, Policy(settings.allow_private_urls, settings.allow_private_networks))
        raise FetchError(NOT_FETCHED, f"{item.url}: not downloaded (--offline); its image is checked at build time")
    return download(item.url, settings, budget)


def download(url: str, settings: Settings, budget: ItemBudget | None) -> bytes:
    return fetch(
        url,
        timeout=settings.fetch_timeout,
        max_bytes=settings.max_download_bytes,
        retries=settings.fetch_retries,
        cache_dir=Path(settings.fetch_cache) if settings.fetch_cache else None,
        max_per_host=settings.max_per_host,
        deadline=settings.fetch_deadline,
        allow_private=settings.allow_private_urls,
        allow_networks=settings.allow_private_networks,
        budget=budget,
    )


NO_METADATA = Evidence(
    "embedded", "", "", INFO, "the file carries no EXIF, XMP, IPTC or text metadata that could state rights"
)
_NO_FINDINGS = EmbeddedFindings(evidence=(NO_METADATA,), data_mining_prohibited=None)


# What ExifTool found in each file this process read, by content hash: the findings, or why it could not
# read the file. Many rows may point at one file (or one hostile file be copied under many names); each
# distinct file costs one read, and a file that exhausts the budget costs the budget once. A read an item's
# budget cut off is marked _CUT_OFF: the file is read again only with its whole budget, so a file that
# outlasts items' budgets also costs one of them once.
class _CutOff:
    pass


_CUT_OFF = _CutOff()
_EMBEDDED_READS: OrderedDict[str, EmbeddedFindings | str | _CutOff] = OrderedDict()
_EMBEDDED_READS_KEPT = 4096
_EMBEDDED_STEP = "reading the file's own metadata with ExifTool"


def _embedded(
    item: Item, source: bytes | Path, image: ImageData, settings: Settings, budget: ItemBudget
) -> EmbeddedFindings:
    """Rights tags from the file itself: read in place for local files, from a temporary copy for URLs.

    Only called when the decoder saw a metadata block: a file without one has no rights tags
    to find (``_NO_FINDINGS``), and skipping ExifTool is most of the speed of a passthrough build.
    Each distinct file (by content) is read once per process, within ``settings.embedded_deadline``
    or what the item's budget has left (OutOfTime when that ran out).
    """
    found = _EMBEDDED_READS.get(image.sha256)
    if found is None or found is _CUT_OFF:
        seconds = budget.bound(settings.embedded_deadline, _EMBEDDED_STEP)
        if found is _CUT_OFF and seconds < settings.embedded_deadline:
            raise OutOfTime(
                f"not read: ExifTool used up an earlier item's time (--item-deadline) on the same file, and reads "
                f"it again only for an item with its whole {settings.embedded_deadline:g} s per file left"
            )
        try:
            found = embedded_findings(_read_tags(source, image, seconds))
        except EmbeddedReadError as exc:
            cut_off = seconds < settings.embedded_deadline and budget.remaining() <= 0
            found = _CUT_OFF if cut_off else exc.message
        _EMBEDDED_READS[image.sha256] = found
        if len(_EMBEDDED_READS) > _EMBEDDED_READS_KEPT:
            _EMBEDDED_READS.popitem(last=False)
        if found is _CUT_OFF:
            raise OutOfTime(budget.ran_out(f"while {_EMBEDDED_STEP}"))
    if isinstance(found, str):
        raise EmbeddedReadError(source if isinstance(source, Path) else item.source, found)
    assert isinstance(found, EmbeddedFindings)
    return found


def _read_tags(source: bytes | Path, image: ImageData, deadline_s: float) -> dict[str, Any]:
    reader = shared_reader()
    if isinstance(source, Path):
        return reader.read(source, deadline_s)
    with tempfile.TemporaryDirectory(prefix="pdpack-") as folder:
        path = Path(folder) / f"download.{image.extension}"
        path.write_bytes(source)
        return reader.read(path, deadline_s)


def _caption(collection: Collection, item: Item, settings: Settings) -> tuple[str, str]:
    """The institution's caption (cleaned if needed), else one made from metadata; a model may replace it later."""
    candidates = eligible(human_candidates(item, collection, collection.caption_template), settings.captions)
    source, text = choose_caption(candidates)
    return text, source


def _metadata(
    key: str,
    collection: Collection,
    item: Item,
    verdict: Verdict,
    image: ImageData,
    caption: str,
    caption_source: str,
) -> dict[str, Any]:
    """The sample's JSON, in the field order of ``SAMPLE_SCHEMA``."""
    return {
        "key": key,
        "id": item.id,
        "collection": collection.id,
        "institution": {"name": collection.institution.name, "url": collection.institution.url},
        "title": item.title,
        "creator": item.creator,
        "date": item.date,
        "description": item.description,
        "source_url": item.source_url,
        "caption": caption,
        "caption_source": caption_source,
        "caption_alignment": None,
        "original_caption": item.caption,
        "credit_line": credit_line(item, collection, shipped_under(verdict)),
        "acquisition_credit": acquisition_credit(item),
        "rights": verdict.to_json(),
        "sha256": image.sha256,
        "width": image.width,
        "height": image.height,
        "original_width": image.original_width,
        "original_height": image.original_height,
        "phash": image.phash,
        "original_format": image.original_format,
        "original_size": image.original_size,
        "converted": image.converted,
        "source": item.source,
        "extra": [{"name": name, "value": value} for name, value in item.extra.items()],
    }


def shipped_under(verdict: Verdict) -> str:
    """The rights statement or finding a sample ships under, in words, for its attribution."""
    return rights_words(verdict.statement, verdict.decided_by, verdict.public_domain_in, all_jurisdictions())
