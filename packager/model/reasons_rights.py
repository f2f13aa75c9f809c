"""The reasons that are rights outcomes: statements, terms, wishes, sensitivity, stewards, duplicates, takedowns."""

from __future__ import annotations

from packager.model.reason import Picture, Reason, Severity

# In the order the reason tables list them (packager.model.registry puts the families together).
RIGHTS_REASONS: tuple[Reason, ...] = (
    Reason(
        "rights:not-public-domain",
        label="In copyright or under a licence",
        explanation="The rights statement says the work is in copyright or under a licence.",
        fix_template=(
            "Nothing to change if the rights statement is right. If the work is in fact public domain, "
            "correct {rights} (e.g. http://creativecommons.org/publicdomain/mark/1.0/); a steward "
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
        fix_template=(
            "Give a rights statement in {rights} (e.g. "
            "http://creativecommons.org/publicdomain/mark/1.0/), or the creator's death year "
            "in {creator_death_year} and the date in {date}; or have a steward record a decision for this id in "
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
        fix_template=(
            "Check {creator_death_year,date,published}: if they are right, the work is not yet public "
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
        fix_template=(
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
        fix_template=(
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
        fix_template=(
            "The AI preference (train-ai=n) in {ai_preferences} or in collection.yaml's ai_preferences keeps "
            "it out; remove it only if the rights holder agrees. An unreadable preference also holds the "
            "item: write train-ai=y or train-ai=n."
        ),
        severity=Severity.RIGHTS,
        picture=Picture.SHOWN,
    ),
    Reason(
        "preference:data-mining-prohibited",
        label="File forbids data mining",
        explanation="The file's own metadata (XMP-plus DataMining) prohibits AI/ML training.",
        fix_template=(
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
        fix_template=(
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
        fix_template="Decide with the community, then add a row for this id to review.csv with decision ship or hold.",
        severity=Severity.RIGHTS,
        picture=Picture.WITHHELD,
        steward=True,
    ),
    Reason(
        "review:hold",
        label="Held by a steward",
        explanation="A steward decided in review.csv to hold this item back.",
        fix_template="A steward chose to hold it in review.csv; change that row's decision to ship to publish it.",
        severity=Severity.RIGHTS,
        picture=Picture.SHOWN,
    ),
    Reason(
        "duplicate:exact",
        label="Same file as another item",
        explanation="The same file is already in the release under another id; the first one ships.",
        fix_template=(
            "The same file already ships under the id named in the detail: delete this row, or point "
            "{file} at the right picture."
        ),
        severity=Severity.INFO,
        picture=Picture.SHOWN,
    ),
    Reason(
        "duplicate:near",
        label="Near copy of another item",
        explanation="A near copy of this picture is already in the release; the first one ships.",
        fix_template=(
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
        fix_template=(
            "Nothing to change in the manifest: the item was taken down on request and is listed in "
            "manifests/takedowns.csv. It comes back only if its row there is removed."
        ),
        severity=Severity.INFO,
        picture=Picture.WITHHELD,
    ),
)
