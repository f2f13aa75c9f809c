"""Which caption a sample ships with: the institution's, one from its metadata, or a model's.

Candidates are (source, text) pairs in order of preference: the institution's caption
("original" when cleaning changed nothing, else "cleaned"), then the metadata caption
("metadata"), then the model's ("model"). ``choose_caption`` picks one:

- without scores, the first candidate with text: people's words beat a model's, and an
  institution's caption that was only boilerplate ("Image courtesy of ...") is empty after
  cleaning and so makes way for the metadata caption;
- with alignment scores, the first candidate (in that same order) that scores within ``margin``
  of the best one. A model caption wins only when it fits the picture clearly better than the
  catalogue text; with margin 0 it is the plain highest score, ties going to people's words.

This module imports no model code: ``decide_captions`` takes a captioner and a scorer that the
caller loaded (packager.captions.model / score).
"""

from __future__ import annotations

import dataclasses
import io
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from PIL import Image

from packager.captions.clean import clean_caption
from packager.captions.template import caption_from_metadata
from packager.model import Collection, Item, Rejection
from packager.sample import Sample

if TYPE_CHECKING:
    from packager.captions.model import Captioner
    from packager.captions.score import Scorer

HUMAN_SOURCES = ("original", "cleaned", "metadata")
# The one table of which human candidates each --captions mode may ship. The per-item stage (no models)
# and the model stage both read it, so a scorer never changes which captions are eligible.
CAPTION_SOURCES: dict[str, tuple[str, ...]] = {
    "original": ("original", "cleaned"),
    "metadata": ("metadata",),
    "model": (),
    "best": HUMAN_SOURCES,
}
CAPTION_MODES = tuple(CAPTION_SOURCES)
_MISSING = {
    "original": "no caption of the institution's own (--captions original ships only those)",
    "metadata": "no title, creator, date or description to make a caption from (--captions metadata)",
    "model": "the captioning model wrote no caption for the image",
    "best": "no caption, title, creator, date or description to describe the image",
}
# How much better (in cosine similarity) a later candidate must score to beat an earlier one.
DEFAULT_MARGIN = 0.02

Candidate = tuple[str, str]


def human_candidates(item: Item, collection: Collection | None = None, template: str | None = None) -> list[Candidate]:
    """The institution's caption (cleaned) and the metadata caption, where they have text."""
    candidates: list[Candidate] = []
    if item.caption:
        cleaned = clean_caption(item.caption)
        if cleaned.text:
            candidates.append(("cleaned" if cleaned.applied else "original", cleaned.text))
    generated = caption_from_metadata(item, template, collection)
    if generated:
        candidates.append(("metadata", generated))
    return candidates


def eligible(candidates: Iterable[Candidate], mode: str) -> list[Candidate]:
    """The candidates that ``mode`` may ship (``CAPTION_SOURCES``), keeping their order."""
    wanted = CAPTION_SOURCES[mode]
    return [c for c in candidates if c[0] in wanted and c[1].strip()]


def missing_caption_message(mode: str) -> str:
    """The message of a caption:missing rejection under ``mode`` when no cell says why in more detail."""
    return _MISSING[mode]


def choose_index(
    candidates: Sequence[Candidate], scores: Sequence[float] | None = None, margin: float = DEFAULT_MARGIN
) -> int | None:
    """The index of the chosen candidate (see the module docstring), or None when none has text."""
    if scores is not None and len(scores) != len(candidates):
        raise ValueError(f"{len(candidates)} candidates but {len(scores)} scores")
    usable = [index for index, (_, text) in enumerate(candidates) if text and text.strip()]
    if not usable:
        return None
    if scores is None:
        return usable[0]
    best = max(scores[index] for index in usable)
    return next(index for index in usable if scores[index] >= best - margin)


def choose_caption(
    candidates: list[tuple[str, str]], scores: list[float] | None = None, margin: float = DEFAULT_MARGIN
) -> tuple[str, str]:
    """The chosen (source, text), or ("", "") when no candidate has text."""
    index = choose_index(candidates, scores, margin)
    return candidates[index] if index is not None else ("", "")


@dataclass(frozen=True)
class CaptionDecision:
    source: str  # original | cleaned | metadata | model; "" when rejected for want of a caption
    text: str
    score: float | None = None  # alignment of the chosen caption, when a scorer ran
    reason: str | None = None  # caption:missing or caption:misaligned when the item cannot ship
    message: str | None = None

    @property
    def rejected(self) -> bool:
        return self.reason is not None


def decide_captions(
    images: Sequence[Image.Image],
    candidates: Sequence[Sequence[Candidate]],
    mode: str = "best",
    captioner: Captioner | None = None,
    scorer: Scorer | None = None,
    min_alignment: float | None = None,
    margin: float = DEFAULT_MARGIN,
    batch_size: int = 16,
) -> list[CaptionDecision]:
    """A caption decision for each image, given its human candidates (``human_candidates``).

    mode: "original" (the institution's caption only), "metadata" (the metadata caption only),
    "model" (the captioner's only) or "best" (all of them, chosen by ``choose_caption``). In "best"
    mode the captioner runs for every image when there is a scorer to compare with, else only for
    images without a human candidate. With min_alignment, a chosen caption that scores lower is
    rejected as caption:misaligned.
    """
    if mode not in CAPTION_MODES:
        raise ValueError(f"mode must be one of {', '.join(CAPTION_MODES)}, not {mode!r}")
    if len(images) != len(candidates):
        raise ValueError(f"{len(images)} images but {len(candidates)} candidate lists")
    if mode == "model" and captioner is None:
        raise ValueError("mode 'model' needs a captioner")
    if min_alignment is not None and scorer is None:
        raise ValueError("min_alignment needs a scorer")
    lists = [eligible(item, mode) for item in candidates]
    if captioner is not None and mode in ("model", "best"):
        need = [i for i, item in enumerate(lists) if mode == "model" or scorer is not None or not item]
        if need:
            written = captioner.generate([images[i] for i in need], batch_size=batch_size)
            for i, text in zip(need, written, strict=True):
                if text:
                    lists[i].append(("model", text))
    scores: list[list[float] | None] = [None] * len(lists)
    if scorer is not None:
        scored = [i for i, item in enumerate(lists) if item]
        if scored:
            results = scorer.score_candidates(
                [images[i] for i in scored], [[text for _, text in lists[i]] for i in scored], batch_size
            )
            for i, result in zip(scored, results, strict=True):
                scores[i] = result
    decisions = []
    for item, item_scores in zip(lists, scores, strict=True):
        index = choose_index(item, item_scores, margin)
        if index is None:
            decisions.append(CaptionDecision("", "", reason="caption:missing", message=missing_caption_message(mode)))
            continue
        source, text = item[index]
        score = item_scores[index] if item_scores is not None else None
        if min_alignment is not None and score is not None and score < min_alignment:
            decisions.append(
                CaptionDecision(
                    source,
                    text,
                    score,
                    reason="caption:misaligned",
                    message=f"the {source} caption scores {score:.4f} against the image, below --min-alignment "
                    f"{min_alignment:g}: {text[:120]!r}",
                )
            )
            continue
        decisions.append(CaptionDecision(source, text, score))
    return decisions


# --- the model stage of a build ---------------------------------------------------------------------------

# Big scans are decoded at a reduced scale (JPEG draft mode) no smaller than this: models see 224-448 px.
DECODE_MIN_SIDE = 512


def candidates_from_metadata(metadata: dict[str, Any], collection: Collection) -> list[Candidate]:
    """human_candidates rebuilt from a sample's JSON (which keeps the manifest's raw fields)."""
    item = Item(
        collection=collection.id,
        id=str(metadata.get("id", "")),
        row=0,
        title=metadata.get("title"),
        creator=metadata.get("creator"),
        description=metadata.get("description"),
        caption=metadata.get("original_caption"),
        date=metadata.get("date"),
        extra={e["name"]: e["value"] for e in metadata.get("extra") or [] if e.get("value") is not None},
    )
    return human_candidates(item, collection, getattr(collection, "caption_template", None))


def open_for_model(data: bytes, min_side: int = DECODE_MIN_SIDE) -> Image.Image:
    """An RGB picture from image bytes, decoded at a reduced scale where the format allows it."""
    image = Image.open(io.BytesIO(data))
    image.draft("RGB", (min_side, min_side))
    return image.convert("RGB")


def caption_stage(
    results: Iterable[tuple[Collection, Sample | Rejection]],
    mode: str = "best",
    captioner: Captioner | None = None,
    scorer: Scorer | None = None,
    min_alignment: float | None = None,
    margin: float = DEFAULT_MARGIN,
    window: int = 64,
    batch_size: int = 16,
) -> Iterator[tuple[Collection, Sample | Rejection]]:
    """The results again, in the same order, with each sample's caption decided by decide_captions.

    Samples are taken ``window`` at a time (that many decoded pictures in memory) and go through the
    models in batches of batch_size; rejections pass through untouched. A sample gets its new
    ``caption`` and ``caption_source`` (and ``caption_alignment`` when a scorer ran and its JSON has
    that field), or becomes a caption:missing / caption:misaligned Rejection.
    """
    buffer: list[tuple[Collection, Sample | Rejection]] = []
    for entry in results:
        buffer.append(entry)
        if len(buffer) >= window:
            yield from _decide_window(buffer, mode, captioner, scorer, min_alignment, margin, batch_size)
            buffer = []
    if buffer:
        yield from _decide_window(buffer, mode, captioner, scorer, min_alignment, margin, batch_size)


def _decide_window(
    entries: list[tuple[Collection, Sample | Rejection]],
    mode: str,
    captioner: Captioner | None,
    scorer: Scorer | None,
    min_alignment: float | None,
    margin: float,
    batch_size: int,
) -> list[tuple[Collection, Sample | Rejection]]:
    out: list[tuple[Collection, Sample | Rejection]] = list(entries)
    places: list[int] = []
    images: list[Image.Image] = []
    candidates: list[list[Candidate]] = []
    for place, (collection, result) in enumerate(entries):
        if not isinstance(result, Sample):
            continue
        try:
            image = open_for_model(result.image)
        except (OSError, ValueError) as exc:
            out[place] = (collection, _reject(collection, result, "image:unreadable", f"cannot be decoded: {exc}"))
            continue
        places.append(place)
        images.append(image)
        candidates.append(candidates_from_metadata(result.metadata, collection))
    decisions = decide_captions(images, candidates, mode, captioner, scorer, min_alignment, margin, batch_size)
    for place, decision in zip(places, decisions, strict=True):
        collection, sample = entries[place]
        assert isinstance(sample, Sample)
        if decision.reason is not None:
            out[place] = (collection, _reject(collection, sample, decision.reason, decision.message or ""))
            continue
        metadata = {**sample.metadata, "caption": decision.text, "caption_source": decision.source}
        if "caption_alignment" in metadata:
            metadata["caption_alignment"] = decision.score
        out[place] = (collection, dataclasses.replace(sample, caption=decision.text, metadata=metadata))
    return out


def _reject(collection: Collection, sample: Sample, reason: str, message: str) -> Rejection:
    return Rejection(
        collection.id, str(sample.metadata.get("id", sample.key)), reason, message, row=getattr(sample, "row", None)
    )
