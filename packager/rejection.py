"""Rejections: why an item did not ship, in words a collection officer can act on."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

# One line per reason code: what happened, in plain words, and what to change.
REASONS: dict[str, str] = {
    "manifest:missing-id": "The row has no id. Give every row a unique id.",
    "manifest:duplicate-id": "Another row already uses this id. Give every row a unique id.",
    "manifest:no-source": "The row names neither a file nor a url. Fill in one of them.",
    "manifest:both-sources": "The row names both a file and a url. Keep only one of them.",
    "manifest:invalid-row": "The row could not be read. Check the value named in the message.",
    "path:escapes-collection": "The file path points outside the collection folder. Use a path inside it.",
    "file:missing": "The file named in the manifest is not in the collection folder.",
    "file:unreadable": "The file could not be read from disk.",
    "url:unsupported-scheme": "Only http and https addresses can be fetched.",
    "url:http-error": "The server answered with an error for this address.",
    "url:unreachable": "The server could not be reached (timeout or connection error).",
    "url:not-an-image": "The address answered with something that is not an image (a web page, an error page).",
    "url:too-large": "The download was larger than the size limit.",
    "image:unreadable": "The file is not an image that can be opened (corrupt, or not an image format).",
    "image:truncated": "The image file is cut short; export it again.",
    "image:decompression-bomb": ("The image is far larger in pixels than allowed, a sign of a broken or hostile file."),
    "image:unsupported-format": "The image format is not one we accept (JPEG, PNG, WebP, TIFF, BMP, GIF).",
    "rights:not-public-domain": "The rights statement says the work is in copyright or under a licence.",
    "rights:undetermined": (
        "The rights could not be established as public domain: give a rights statement, or the creator's "
        "death year and the date, or settle it in review.csv."
    ),
    "rights:partial": (
        "The work is public domain in some jurisdictions only; this release needs it public domain in all of them."
    ),
    "rights:conflict": (
        "Sources disagree about the rights (the statement, the file's own metadata, the copyright term): "
        "check the record, then settle it in review.csv."
    ),
    "rights:restricted": (
        "The statement says no copyright but restricts use (non-commercial, contract, other laws): "
        "a steward must decide in review.csv."
    ),
    "preference:no-ai-training": "The rights holder or institution asks that this item not be used to train AI.",
    "preference:data-mining-prohibited": "The file's own metadata (XMP-plus DataMining) prohibits AI/ML training.",
    "sensitivity:local-contexts": (
        "Local Contexts labels mark this item as culturally sensitive or restricted; it is not shipped."
    ),
    "sensitivity:needs-review": (
        "The item carries Local Contexts labels or notices: decide with the community, then record it in review.csv."
    ),
    "review:hold": "A steward decided in review.csv to hold this item back.",
    "duplicate:exact": "The same file is already in the release under another id; the first one ships.",
    "duplicate:near": "A near copy of this picture is already in the release; the first one ships.",
    "takedown": "The item was removed on request (manifests/takedowns.csv) and is left out of every later release.",
    "embedded:unreadable": "The file's embedded metadata could not be read, so its rights could not be checked.",
    "rights:us-only": (
        "The work is public domain in the United States only; this release ships worldwide public domain only."
    ),
    "internal:error": "pdpack failed on this item; please report it with the message.",
    "caption:misaligned": (
        "The caption does not match the picture well enough (alignment score below --min-alignment): "
        "check the caption, or lower the threshold."
    ),
    "caption:missing": "There is no caption, title or description to describe the image. Add a title or caption.",
}


@dataclass(frozen=True)
class Rejection:
    """An item that does not ship, with the reason code and the evidence behind it."""

    collection: str
    id: str
    reason: str
    message: str
    row: int | None = None
    evidence: list[dict[str, Any]] = field(default_factory=list)

    def __post_init__(self) -> None:
        if self.reason not in REASONS:
            raise ValueError(f"unknown rejection reason {self.reason!r}")

    @property
    def advice(self) -> str:
        return REASONS[self.reason]

    def to_json(self) -> dict[str, Any]:
        return {
            "collection": self.collection,
            "id": self.id,
            "row": self.row,
            "reason": self.reason,
            "message": self.message,
            "advice": self.advice,
            "evidence": self.evidence,
        }
