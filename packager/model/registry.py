"""The reason registry: every reason an item can be held back, in one table, the one place a code is defined."""

from __future__ import annotations

from packager.model.reason import Picture, Reason, Severity
from packager.model.reasons_files import FILE_REASONS
from packager.model.reasons_rights import RIGHTS_REASONS

# Reasons registered after the two families were laid out. They stay last so that the reason tables
# (the documentation, validate's summary) keep the order they have always had.
LATER_REASONS: tuple[Reason, ...] = (
    Reason(
        "embedded:unreadable",
        label="File's own metadata unreadable",
        explanation="The file's embedded metadata could not be read, so its rights could not be checked.",
        fix_template=(
            "Export the picture again (e.g. 'Save as' JPEG or TIFF) so its metadata can be read, and replace the file."
        ),
        severity=Severity.FIX,
        picture=Picture.NONE,
    ),
    Reason(
        "rights:us-only",
        label="Public domain in the US only",
        explanation=(
            "The work is public domain in the United States only; this release ships worldwide public domain only."
        ),
        fix_template=(
            "Nothing to change if it is right: this release ships only works that are public domain "
            "everywhere. If the work is free elsewhere too, put a worldwide statement in {rights} "
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
        fix_template="Nothing to change in the manifest: send this item's detail to the pdpack maintainers.",
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
        fix_template=(
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
        fix_template="Fill in {title} of this row, or one of {caption,creator,date,description}.",
        severity=Severity.FIX,
        picture=Picture.SHOWN,
    ),
    Reason(
        "item:deadline",
        label="Item took too long",
        explanation=(
            "Downloading, reading and checking this item together took longer than the time allowed per item "
            "(--item-deadline), though no single step ran past its own limit; the detail names the step that "
            "was running."
        ),
        fix_template=(
            "If the detail names the download, open the address in a browser: if the picture is slow to come, "
            "link a smaller or faster copy in {url}, or save the picture into the folder and use {file}. "
            "If it names the file's own metadata, export the picture again (e.g. 'Save as' JPEG) and "
            "replace the file."
        ),
        severity=Severity.FIX,
        picture=Picture.NONE,
    ),
)

REGISTRY_ORDER: tuple[Reason, ...] = FILE_REASONS + RIGHTS_REASONS + LATER_REASONS

REGISTRY: dict[str, Reason] = {reason.code: reason for reason in REGISTRY_ORDER}


def reason(code: str) -> Reason:
    """The registered reason for ``code``; KeyError names an unknown one."""
    return REGISTRY[code]
