"""The findings a steward's override can overrule, by name, as written in review.csv's ``overrules`` column.

A decision to ship settles doubt; it overrules a finding only when the row says ``override=yes``
and names that finding. Naming each one keeps an override written for one finding (a stale
embedded notice, say) from silently covering a different one that appears later (a term the
rules find still running). The names:

* ``statement``: an in-copyright or licence statement (the item's ``rights`` or the collection default);
* ``copyright_notice``: a © notice in the manifest's ``copyright_notice`` column;
* ``embedded``: a © notice embedded in the image file;
* ``notice``: a © notice or a licence in another text of the record (the ``credit_line``, an IIIF
  ``requiredStatement`` or ``attribution``, Rights metadata: ``packager.rights.notices``), such as a
  photographer's credit on a reproduction;
* ``term:XX``: a copyright term the rules find still running in jurisdiction XX (a code of terms.csv;
  a group such as ``term:EU`` or ``term:worldwide`` names each of its members).

A claim of copyright read from another field is named by that field; it can be overruled only
once its field is added to ``CLAIM_NAMES``.
"""

from __future__ import annotations

import re

from packager.rights.evidence import Evidence
from packager.rights.terms import expand

STATEMENT = "statement"
EMBEDDED = "embedded"
TERM_PREFIX = "term:"
# Names of claims of copyright that an override may name.
CLAIM_NAMES = (STATEMENT, "copyright_notice", EMBEDDED, "notice")

_SEPARATORS = re.compile(r"[;,\s]+")


def claim_name(claim: Evidence) -> str:
    """The name an override uses for one claim of copyright."""
    if claim.source == "embedded":
        return EMBEDDED
    if claim.field == "rights":
        return STATEMENT
    return claim.field


def term_name(code: str) -> str:
    return f"{TERM_PREFIX}{code}"


def parse_overrules(text: str) -> tuple[str, ...]:
    """The finding names in an ``overrules`` cell, in order, groups expanded; ValueError names a bad one."""
    names: dict[str, None] = {}
    for word in _SEPARATORS.split(text.strip()):
        if not word:
            continue
        lowered = word.lower()
        if lowered.startswith(TERM_PREFIX):
            try:
                codes = expand(word[len(TERM_PREFIX) :])
            except ValueError as exc:
                raise ValueError(f"{word!r} names no jurisdiction of terms.csv; write a code such as term:MX") from exc
            names.update(dict.fromkeys(term_name(code) for code in codes))
        elif lowered in CLAIM_NAMES:
            names[lowered] = None
        else:
            known = ", ".join([*CLAIM_NAMES, "term:XX"])
            raise ValueError(f"{word!r} is not a finding an override can name; write {known}")
    return tuple(names)
