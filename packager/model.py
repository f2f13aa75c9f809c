"""The model: what a collection, an item and a rejection are, and every reason an item can be held back.

This module imports nothing else from pdpack, so every other module can import it without a cycle.
The reason registry (``REGISTRY``) is the one place a reason code is defined: its short label, the
plain-words explanation written into ``rejected.jsonl``, what to change, its severity, whether a
steward can settle it in ``review.csv``, whether ``report.html`` may picture the item, and whether it
fails a pull-request check. Exit codes, annotations, report wording and the documentation's reason
table are all derived from it; a new failure mode is one new ``Reason`` here.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field, fields
from enum import StrEnum
from pathlib import Path
from typing import Any

# --- rights verdicts ------------------------------------------------------------------------------------

# The four verdicts, from most to least open. Evidence may also carry "info" (says nothing either way).
STATUSES = ("public_domain", "public_domain_us", "not_public_domain", "undetermined")

# --- reasons --------------------------------------------------------------------------------------------


class Severity(StrEnum):
    """Who has to act on a held-back item."""

    FIX = "fix"  # something is wrong in the files: the manifest, a path, a file, an address, the captions
    RIGHTS = "rights"  # a rights outcome: often exactly right (an in-copyright work held back)
    INFO = "info"  # for information: a duplicate, a takedown


class Picture(StrEnum):
    """Whether report.html draws a thumbnail of a held-back item."""

    SHOWN = "shown"  # nothing is said against the file: it is decoded again and pictured
    NONE = "none"  # the file, its path or its row is the problem: nothing to draw
    WITHHELD = "withheld"  # the picture is left out on purpose (cultural sensitivity, takedown)


@dataclass(frozen=True)
class Reason:
    """One reason an item does not ship."""

    code: str
    label: str  # a short name for charts and tables
    explanation: str  # what happened in plain words (rejected.jsonl's "advice", validate's "what to do")
    fix: str  # what to change, concretely, for collection staff (report.html)
    severity: Severity
    picture: Picture
    steward: bool = False  # a steward's decision in review.csv settles it: `pdpack review` lists it

    @property
    def fails_check(self) -> bool:
        """A pull-request check (``validate --format github``) fails on it: it must be fixed in the files."""
        return self.severity is Severity.FIX


REGISTRY_ORDER: tuple[Reason, ...] = (
    Reason(
        "manifest:missing-id",
        label="No id",
        explanation="The row has no id. Give every row a unique id.",
        fix=(
            "In items.csv, fill in the id cell of this row with a code used by no other row, such as the "
            "accession number."
        ),
        severity=Severity.FIX,
        picture=Picture.NONE,
    ),
    Reason(
        "manifest:duplicate-id",
        label="Id used twice",
        explanation="Another row already uses this id. Give every row a unique id.",
        fix=(
            "Give this row an id of its own (or delete the row if it repeats an item): every row needs a "
            "different id. The first row with the id ships."
        ),
        severity=Severity.FIX,
        picture=Picture.NONE,
    ),
    Reason(
        "manifest:no-source",
        label="No file or web address",
        explanation="The row names neither a file nor a url. Fill in one of them.",
        fix=(
            "Fill in the file cell with the picture's path inside the collection folder (e.g. "
            "files/1923-45.jpg), or the url cell with its web address."
        ),
        severity=Severity.FIX,
        picture=Picture.NONE,
    ),
    Reason(
        "manifest:both-sources",
        label="Both a file and a web address",
        explanation="The row names both a file and a url. Keep only one of them.",
        fix=(
            "Empty either the file cell or the url cell of this row; keep the one that leads to the "
            "picture you want to publish."
        ),
        severity=Severity.FIX,
        picture=Picture.NONE,
    ),
    Reason(
        "manifest:invalid-row",
        label="Row could not be read",
        explanation="The row could not be read. Check the value named in the message.",
        fix=(
            "Correct the cell named in the detail: a year like 1890 in creator_death_year, no more cells "
            "in the row than there are column names in the first row."
        ),
        severity=Severity.FIX,
        picture=Picture.NONE,
    ),
    Reason(
        "manifest:invalid-id",
        label="Id not allowed",
        explanation=(
            "The id has a control character or line break, is over 200 characters, or starts with a space or an "
            "apostrophe. Give the row a plain id."
        ),
        fix=(
            "Write the id cell as plain text of at most 200 characters, such as the accession number: no tabs, "
            "line breaks or other invisible control characters, no space or apostrophe at the start."
        ),
        severity=Severity.FIX,
        picture=Picture.NONE,
    ),
    Reason(
        "path:escapes-collection",
        label="File outside the collection folder",
        explanation="The file path points outside the collection folder. Use a path inside it.",
        fix=(
            "Move the picture into the collection folder (e.g. into files/) and write its path from "
            "there, such as files/1923-45.jpg: no '..', no path starting with '/', no line breaks, no "
            "shortcut (symbolic link) to elsewhere."
        ),
        severity=Severity.FIX,
        picture=Picture.NONE,
    ),
    Reason(
        "file:missing",
        label="File not found",
        explanation="The file named in the manifest is not in the collection folder.",
        fix=(
            "Put the picture at the path given in the file cell, or correct the path: check capitals, "
            "spaces and the ending (.jpg or .jpeg, .tif or .tiff)."
        ),
        severity=Severity.FIX,
        picture=Picture.NONE,
    ),
    Reason(
        "file:unreadable",
        label="File could not be read",
        explanation="The file could not be read from disk.",
        fix="Check the file opens on your computer and is not locked; copy it into the folder again.",
        severity=Severity.FIX,
        picture=Picture.NONE,
    ),
    Reason(
        "url:unsupported-scheme",
        label="Web address not http or https",
        explanation="Only http and https addresses can be fetched.",
        fix=(
            "Give a web address starting with https:// or http:// in the url cell, or put the picture in "
            "the folder and give its path in the file cell instead."
        ),
        severity=Severity.FIX,
        picture=Picture.NONE,
    ),
    Reason(
        "url:http-error",
        label="Web server answered with an error",
        explanation="The server answered with an error for this address.",
        fix=(
            "Open the address in a browser; if it no longer leads to the picture, put the current address"
            " in the url cell."
        ),
        severity=Severity.FIX,
        picture=Picture.NONE,
    ),
    Reason(
        "url:unreachable",
        label="Web server not reachable",
        explanation="The server could not be reached (timeout or connection error).",
        fix=(
            "Check the address in the url cell and build again later; if the site stays down, save the "
            "picture into the folder and use the file cell."
        ),
        severity=Severity.FIX,
        picture=Picture.NONE,
    ),
    Reason(
        "url:not-an-image",
        label="Web address gives no image",
        explanation="The address answered with something that is not an image (a web page, an error page).",
        fix=(
            "Open the address in a browser: it should show the picture alone, not a web page about it. "
            "Put the address of the image file itself (often ending in .jpg) in the url cell."
        ),
        severity=Severity.FIX,
        picture=Picture.NONE,
    ),
    Reason(
        "url:too-large",
        label="Download too large",
        explanation="The download was larger than the size limit.",
        fix="Link a smaller version of the picture in the url cell (a few thousand pixels across is plenty).",
        severity=Severity.FIX,
        picture=Picture.NONE,
    ),
    Reason(
        "url:private-address",
        label="Web address in a private network",
        explanation=(
            "The address leads to this machine or a private network (loopback, private, link-local...), which "
            "pdpack does not fetch from. Give the image's public address; for an in-house server, build with "
            "--allow-private-urls."
        ),
        fix=(
            "Put the picture's public web address in the url cell (one that opens from any computer on the "
            "internet), or save the picture into the folder and use the file cell."
        ),
        severity=Severity.FIX,
        picture=Picture.NONE,
    ),
    Reason(
        "url:deadline",
        label="Download took too long",
        explanation=(
            "The server did not deliver the image within the time allowed per address, retries included "
            "(--fetch-deadline): it is stalled or too slow."
        ),
        fix=(
            "Open the address in a browser: if the picture is slow to come, build again later, link a smaller "
            "or faster copy in the url cell, or save the picture into the folder and use the file cell."
        ),
        severity=Severity.FIX,
        picture=Picture.NONE,
    ),
    Reason(
        "url:bad-redirect",
        label="Web address redirects badly",
        explanation="The address redirects too many times, or without saying where to.",
        fix="Open the address in a browser and put the address it finally shows the picture at in the url cell.",
        severity=Severity.FIX,
        picture=Picture.NONE,
    ),
    Reason(
        "url:not-fetched",
        label="Not downloaded (validate --offline)",
        explanation=(
            "Not downloaded: pdpack validate --offline checks a URL's form and address only; its image is "
            "checked when the collection is built."
        ),
        fix="Nothing to change now; run pdpack validate without --offline to try the download yourself.",
        severity=Severity.INFO,
        picture=Picture.NONE,
    ),
    Reason(
        "image:unreadable",
        label="Not an image that can be opened",
        explanation="The file is not an image that can be opened (corrupt, or not an image format).",
        fix=(
            "Export the picture again as JPEG, PNG or TIFF and replace the file: a PDF, SVG, web page or "
            "empty file saved under a picture's name will not open."
        ),
        severity=Severity.FIX,
        picture=Picture.NONE,
    ),
    Reason(
        "image:truncated",
        label="Image file cut short",
        explanation="The image file is cut short; export it again.",
        fix=(
            "The file is incomplete (the copy or export stopped early): copy or export it again from the "
            "original and replace it."
        ),
        severity=Severity.FIX,
        picture=Picture.NONE,
    ),
    Reason(
        "image:decompression-bomb",
        label="Image far too large",
        explanation="The image is far larger in pixels than allowed, a sign of a broken or hostile file.",
        fix="Export a smaller version (under 89 million pixels, e.g. 9,000 x 9,000) and replace the file.",
        severity=Severity.FIX,
        picture=Picture.NONE,
    ),
    Reason(
        "image:unsupported-format",
        label="Image format not accepted",
        explanation="The image format is not one we accept (JPEG, PNG, WebP, TIFF, BMP, GIF).",
        fix="Save the picture as JPEG, PNG, WebP or TIFF and point the file cell at the new file.",
        severity=Severity.FIX,
        picture=Picture.NONE,
    ),
    Reason(
        "rights:not-public-domain",
        label="In copyright or under a licence",
        explanation="The rights statement says the work is in copyright or under a licence.",
        fix=(
            "Nothing to change if the rights statement is right. If the work is in fact public domain, "
            "correct the rights cell (e.g. http://creativecommons.org/publicdomain/mark/1.0/); a steward "
            "can also record a decision in review.csv (override=yes with a note)."
        ),
        severity=Severity.RIGHTS,
        picture=Picture.SHOWN,
    ),
    Reason(
        "rights:undetermined",
        label="Rights not established",
        explanation=(
            "The rights could not be established as public domain: give a rights statement, or the "
            "creator's death year and the date, or settle it in review.csv."
        ),
        fix=(
            "Give a rights statement in the rights cell (e.g. "
            "http://creativecommons.org/publicdomain/mark/1.0/), or the creator's death year "
            "(creator_death_year) and the date; or have a steward record a decision for this id in "
            "review.csv."
        ),
        severity=Severity.RIGHTS,
        picture=Picture.SHOWN,
        steward=True,
    ),
    Reason(
        "rights:partial",
        label="Public domain in some countries only",
        explanation=(
            "The work is public domain in some jurisdictions only; this release needs it public domain in all of them."
        ),
        fix=(
            "Check creator_death_year, date and published: if they are right, the work is not yet public "
            "domain everywhere. A steward can record a decision for this id in review.csv."
        ),
        severity=Severity.RIGHTS,
        picture=Picture.SHOWN,
        steward=True,
    ),
    Reason(
        "rights:conflict",
        label="Rights sources disagree",
        explanation=(
            "Sources disagree about the rights (the statement, a copyright notice in the record or the file, "
            "a copyright term still running): each item says which source says what, and what to change."
        ),
        fix=(
            "Read the finding: it says which source says what, and each item says what to change for its "
            "kind of conflict. A copyright term still running is the law: check the dates, then wait. A stale "
            "notice or a photographer's credit: a steward can settle it in review.csv (override=yes, "
            "overrules, a note)."
        ),
        severity=Severity.RIGHTS,
        picture=Picture.SHOWN,
        steward=True,
    ),
    Reason(
        "rights:restricted",
        label="No copyright, but use restricted",
        explanation=(
            "The statement says no copyright but restricts use (non-commercial, contract, other laws): a "
            "steward must decide in review.csv."
        ),
        fix=(
            "A steward must decide: add a row for this id to review.csv with decision ship or hold, "
            "reviewer, date and a note."
        ),
        severity=Severity.RIGHTS,
        picture=Picture.SHOWN,
        steward=True,
    ),
    Reason(
        "preference:no-ai-training",
        label="Not for AI training",
        explanation="The rights holder or institution asks that this item not be used to train AI.",
        fix=(
            "The ai_preferences (train-ai=n) in items.csv or collection.yaml keep it out; remove them "
            "only if the rights holder agrees. An unreadable preference also holds the item: write train-"
            "ai=y or train-ai=n."
        ),
        severity=Severity.RIGHTS,
        picture=Picture.SHOWN,
    ),
    Reason(
        "preference:data-mining-prohibited",
        label="File forbids data mining",
        explanation="The file's own metadata (XMP-plus DataMining) prohibits AI/ML training.",
        fix=(
            "The picture file itself forbids data mining (XMP-plus); if that tag is wrong, export the "
            "file again without it."
        ),
        severity=Severity.RIGHTS,
        picture=Picture.SHOWN,
    ),
    Reason(
        "sensitivity:local-contexts",
        label="Culturally sensitive",
        explanation="Local Contexts labels mark this item as culturally sensitive or restricted; it is not shipped.",
        fix=(
            "Nothing to change: Local Contexts labels mark it as restricted, so it does not ship. Remove "
            "the label only on the community's word."
        ),
        severity=Severity.RIGHTS,
        picture=Picture.WITHHELD,
    ),
    Reason(
        "sensitivity:needs-review",
        label="Needs a decision with the community",
        explanation=(
            "The item carries Local Contexts labels or notices: "
            "decide with the community, then record it in review.csv."
        ),
        fix="Decide with the community, then add a row for this id to review.csv with decision ship or hold.",
        severity=Severity.RIGHTS,
        picture=Picture.WITHHELD,
        steward=True,
    ),
    Reason(
        "review:hold",
        label="Held by a steward",
        explanation="A steward decided in review.csv to hold this item back.",
        fix="A steward chose to hold it in review.csv; change that row's decision to ship to publish it.",
        severity=Severity.RIGHTS,
        picture=Picture.SHOWN,
    ),
    Reason(
        "duplicate:exact",
        label="Same file as another item",
        explanation="The same file is already in the release under another id; the first one ships.",
        fix=(
            "The same file already ships under the id named in the detail: delete this row, or point its "
            "file cell at the right picture."
        ),
        severity=Severity.INFO,
        picture=Picture.SHOWN,
    ),
    Reason(
        "duplicate:near",
        label="Near copy of another item",
        explanation="A near copy of this picture is already in the release; the first one ships.",
        fix=(
            "A near copy already ships under the id named in the detail: delete this row if it is the "
            "same picture, or check that its file is the right one."
        ),
        severity=Severity.INFO,
        picture=Picture.SHOWN,
    ),
    Reason(
        "takedown",
        label="Removed on request",
        explanation="The item was removed on request (manifests/takedowns.csv) and is left out of every later release.",
        fix=(
            "Nothing to change in the manifest: the item was taken down on request and is listed in "
            "manifests/takedowns.csv. It comes back only if its row there is removed."
        ),
        severity=Severity.INFO,
        picture=Picture.WITHHELD,
    ),
    Reason(
        "embedded:unreadable",
        label="File's own metadata unreadable",
        explanation="The file's embedded metadata could not be read, so its rights could not be checked.",
        fix="Export the picture again (e.g. 'Save as' JPEG or TIFF) so its metadata can be read, and replace the file.",
        severity=Severity.FIX,
        picture=Picture.NONE,
    ),
    Reason(
        "rights:us-only",
        label="Public domain in the US only",
        explanation=(
            "The work is public domain in the United States only; this release ships worldwide public domain only."
        ),
        fix=(
            "Nothing to change if it is right: this release ships only works that are public domain "
            "everywhere. If the work is free elsewhere too, put a worldwide statement in the rights cell "
            "(dates alone do not widen a US-only statement), or record a steward's decision in "
            "review.csv."
        ),
        severity=Severity.RIGHTS,
        picture=Picture.SHOWN,
        steward=True,  # a plain ship settles it (the statement leaves the rest of the world in doubt)
    ),
    Reason(
        "internal:error",
        label="pdpack failed on this item",
        explanation="pdpack failed on this item; please report it with the message.",
        fix="Nothing to change in the manifest: send this item's detail to the pdpack maintainers.",
        severity=Severity.FIX,
        picture=Picture.SHOWN,
    ),
    Reason(
        "caption:misaligned",
        label="Caption does not match the picture",
        explanation=(
            "The caption does not match the picture well enough (alignment score below --min-alignment): "
            "check the caption, or lower the threshold."
        ),
        fix=(
            "Check that the caption or title of this row describes this picture (a mix-up of files is the"
            " usual cause), or build with a lower --min-alignment."
        ),
        severity=Severity.FIX,
        picture=Picture.SHOWN,
    ),
    Reason(
        "caption:missing",
        label="Nothing to describe the picture",
        explanation="There is no caption, title or description to describe the image. Add a title or caption.",
        fix="Fill in the title cell (or caption, creator, date or description) of this row.",
        severity=Severity.FIX,
        picture=Picture.SHOWN,
    ),
)

REGISTRY: dict[str, Reason] = {reason.code: reason for reason in REGISTRY_ORDER}


def reason(code: str) -> Reason:
    """The registered reason for ``code``; KeyError names an unknown one."""
    return REGISTRY[code]


class ManifestError(Exception):
    """A collection cannot be read; names the file, and the row and column where known."""

    def __init__(self, file: Path | str, message: str, row: int | None = None, column: str | None = None):
        self.file = str(file)
        self.row = row
        self.column = column
        self.message = message
        self.line: int | None = row  # the line of the file a GitHub annotation points at
        where = self.file
        if row is not None:
            where += f", row {row}"
        if column is not None:
            where += f", column '{column}'"
        super().__init__(f"{where}: {message}")


class MissingTool(Exception):
    """This machine lacks a program the build configuration needs (the exiftool program)."""


class ModelError(Exception):
    """A caption or scoring model cannot be used: unknown name or tag, wrong kind of model."""


class ModelUnavailable(ModelError):
    """The model's weights are not on this machine and cannot be downloaded."""


class ResumeError(Exception):
    """A build cannot resume: the folder holds a build of other inputs, options or as-of date."""


class ReleaseError(Exception):
    """A release cannot be made as asked; the message says what to change."""


class PushError(Exception):
    """A push that cannot go on, with a message for people (never holding the token)."""


class PreviousError(Exception):
    """The previous release could not be read; the message says why (never with the token)."""


@dataclass(frozen=True)
class Rejection:
    """An item that does not ship, with the reason code and the evidence behind it."""

    collection: str
    id: str
    reason: str
    message: str
    row: int | None = None
    evidence: list[dict[str, Any]] = field(default_factory=list)
    # Problems found besides the reason, each {"reason", "message"}, so that one pass shows all there is to fix.
    also: list[dict[str, str]] = field(default_factory=list)
    # What to change for this item when it says more than the reason's own fix (a conflict's kind).
    fix: str | None = None

    def __post_init__(self) -> None:
        if self.reason not in REGISTRY:
            raise ValueError(f"unknown rejection reason {self.reason!r}")

    @property
    def advice(self) -> str:
        return REGISTRY[self.reason].explanation

    def to_json(self) -> dict[str, Any]:
        return {
            "collection": self.collection,
            "id": self.id,
            "row": self.row,
            "reason": self.reason,
            "message": self.message,
            "advice": self.advice,
            "evidence": self.evidence,
            # Only when there is something: a line with one problem reads as it always has.
            **({"also": self.also} if self.also else {}),
            **({"fix": self.fix} if self.fix else {}),
        }


# --- collections and items ------------------------------------------------------------------------------

COLLECTION_FILE = "collection.yaml"
ID_PATTERN = re.compile(r"^[a-z0-9](?:[a-z0-9-]{0,62}[a-z0-9])?$")
# Control characters, as a regex character class body: C0 (tab and line breaks included), DEL and C1
# (CSI, OSC, NEL), the Unicode line and paragraph separators, and the bidirectional marks, overrides and
# isolates. Never allowed in an id or a web address; always escaped when printed (packager.textsafe).
CONTROL_CHARACTERS = "\x00-\x1f\x7f-\x9f\u2028\u2029\u200e\u200f\u202a-\u202e\u2066-\u2069"
# An item id: 1 to 200 characters of any script, with no control characters (C0, C1, DEL, line and
# paragraph separators, bidirectional controls: the characters packager.textsafe escapes), not starting
# or ending with white space and not starting with an apostrophe (spreadsheets mark text with one, and
# `pdpack review --template` uses it before ids that start like a formula).
MAX_ITEM_ID_CHARS = 200
ITEM_ID_PATTERN = re.compile(f"^(?![\\s'])[^{CONTROL_CHARACTERS}]{{1,{MAX_ITEM_ID_CHARS}}}(?<!\\s)$")
MAX_YAML_BYTES = 1_000_000
# TASL: title, creator, the source institution with its link, the rights statement (packager.outputs.attribution).
DEFAULT_ATTRIBUTION = "{title}, {creator}. {institution}, {source_url}. {rights}."
# Fields a credit-line template (``attribution``) may use: plain {name} fields only.
TEMPLATE_FIELDS = {"title", "creator", "date", "institution", "collection", "id", "source_url", "rights"}


@dataclass(frozen=True)
class Institution:
    name: str
    url: str | None = None


@dataclass(frozen=True)
class Collection:
    id: str
    root: Path
    title: str
    institution: Institution
    manifest: Path
    rights: str | None = None
    jurisdiction: str | None = None
    attribution: str = DEFAULT_ATTRIBUTION
    description: str | None = None
    ai_preferences: str | None = None
    local_contexts: tuple[str, ...] = ()
    # The institution's own column names for pdpack's fields (their name -> ours), so an export can be
    # dropped in unchanged; and value translations per field (e.g. rights: {"True": "Public Domain"}).
    columns: dict[str, str] = field(default_factory=dict)
    values: dict[str, dict[str, str]] = field(default_factory=dict)
    caption_template: str | None = None  # how captions are made from metadata (packager.captions.template)
    warnings: tuple[str, ...] = ()
    # How the manifest was read where pdpack had to be forgiving (a separator, a header spelled differently).
    notes: tuple[str, ...] = ()

    def column_name(self, name: str) -> str:
        """The contributor's column for a pdpack field: the one ``columns`` maps to it, else the field's name."""
        return next((theirs for theirs, ours in self.columns.items() if ours == name), name)


@dataclass(frozen=True)
class Item:
    collection: str
    id: str
    row: int
    file: str | None = None
    url: str | None = None
    title: str | None = None
    creator: str | None = None
    description: str | None = None
    caption: str | None = None
    date: str | None = None
    creator_death_year: int | None = None
    creator_dates: str | None = None  # life dates as registrars keep them ("1775–1851"); the death year is read
    rights: str | None = None
    source_url: str | None = None
    credit_line: str | None = None
    # How the museum acquired the object ("Gift of ...", "Museum purchase"): kept, never the attribution.
    acquisition_credit: str | None = None
    published: str | None = None  # year of first publication: the evidence US term rules need
    us_federal_work: str | None = None  # yes: a work of the US federal government (17 U.S.C. 105)
    ai_preferences: str | None = None  # IETF AI-preferences, e.g. "train-ai=n"
    local_contexts: str | None = None  # Local Contexts TK/BC labels and notices, separated by ";"
    copyright_notice: str | None = None  # the record's own copyright line, e.g. "© Tate": evidence, checked for claims
    extra: dict[str, str] = field(default_factory=dict)
    # (reason, message) for cells that are wrong but leave the item checkable: the item is held back
    # for the first, and every other stage still runs, so one pass shows everything to fix.
    problems: tuple[tuple[str, str], ...] = ()
    # (where, text) of other texts the source gave that may state rights: the credit line, an IIIF
    # requiredStatement or attribution, metadata labelled Rights or License. Evidence like copyright_notice
    # (packager.rights.notices): a claim in one can only hold the item back. Filled by the readers, not a column.
    notices: tuple[tuple[str, str], ...] = ()

    @property
    def source(self) -> str:
        return self.file if self.file is not None else (self.url or "")


# The fields a manifest row may fill, in the order of Item: adding a field to Item adds it here.
ITEM_FIELDS: tuple[str, ...] = tuple(
    f.name for f in fields(Item) if f.name not in {"collection", "row", "extra", "problems", "notices"}
)
# The keys collection.yaml may hold: the fields of Collection that are not worked out while loading.
COLLECTION_KEYS: frozenset[str] = frozenset(
    f.name for f in fields(Collection) if f.name not in {"root", "manifest", "warnings", "notes"}
)
