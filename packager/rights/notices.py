"""Rights claims in free text: a copyright notice or a licence in a credit line, an IIIF requiredStatement, ...

Records carry rights in texts that are not rights statements: a museum's credit line ("Photo © Museum
2019"), an IIIF 3.0 ``requiredStatement`` or 2.1 ``attribution`` ("Copyright (c) The Board of Trustees
... All rights reserved."; "... Attribution-NonCommercial 4.0 International (CC BY-NC 4.0)"), metadata
pairs labelled Rights or License. Such a text is evidence like a ``copyright_notice`` cell: a claim in it
can only hold an item back (a collection default never overrules it), and a text that claims nothing
decides nothing. Public-domain wording in these texts ("CC0", "Public Domain") is never read as a reason
to ship: only the rights statement and the term rules can do that.
"""

from __future__ import annotations

import re

from packager.rights.embedded_tags import copyright_notice
from packager.rights.vocabulary import lookup

_URI = re.compile(r"https?://[^\s<>\"')\]]+", re.IGNORECASE)
# Creative Commons licences by their short names ("CC BY-NC 4.0", "CC-BY-SA") and their long names
# ("Attribution-NonCommercial 4.0 International", "Creative Commons Attribution-ShareAlike"). CC0 and the
# Public Domain Mark are not licences and are not matched.
_CC_SHORT = re.compile(r"\bCC[\s-]*BY(?:[\s-]+(?:NC|SA|ND))*(?:[\s-]+\d\.\d)?\b", re.IGNORECASE)
_CC_LONG = re.compile(
    r"\bCreative\s+Commons\s+(?:Attribution|Licen[cs]e)\b"
    r"|\bAttribution(?:[\s-]+(?:Non-?Commercial|Share-?Alike|No-?Derivs|No-?Derivatives))*\s+\d\.\d"
    r"(?:\s+(?:International|Generic|Unported))?\b",
    re.IGNORECASE,
)
MAX_SHOWN = 120
# Names of fields whose values may state rights or a credit: "Rights", "Rights and Reproduction",
# "Copyright Status", "License", "Credit Line", "Photo credit", "Terms of use", "Usage", "Attribution".
_RIGHTS_NAME = re.compile(
    r"(?<![a-z])(?:rights?|copyrights?|licen[cs]es?|credits?|attribution|usage|terms|permissions?|reproductions?)"
    r"(?![a-z])",
    re.IGNORECASE,
)


def may_state_rights(name: str) -> bool:
    """Whether a column or metadata label names a text that may state rights ("Rights and Reproduction")."""
    return _RIGHTS_NAME.search(name.replace("_", " ")) is not None


def rights_claim(text: str) -> str | None:
    """What ``text`` claims against the public domain, in a few words; None when it claims nothing.

    'copyright notice', 'licence CC BY-NC 4.0', 'In Copyright statement', 'licence
    http://creativecommons.org/licenses/by-nc-sa/4.0/'.
    """
    stripped = text.strip()
    if not stripped:
        return None
    term = lookup(stripped)
    if term is not None:
        return _claim_of(term.status, term.label, term.restriction)
    if copyright_notice(stripped):
        return "copyright notice"
    for uri in _URI.findall(stripped):
        found = lookup(uri.rstrip(".,;"))
        if found is not None and (claim := _claim_of(found.status, found.label, found.restriction)):
            return f"{claim} ({uri.rstrip('.,;')})"
    match = _CC_SHORT.search(stripped) or _CC_LONG.search(stripped)
    if match:
        return f"licence {' '.join(match.group(0).split())}"
    return None


def _claim_of(status: str, label: str, restriction: str | None) -> str | None:
    if status == "not_public_domain":
        if "licen" in label.lower():
            return label
        return f"licence {label}" if label.upper().startswith("CC BY") else label
    if restriction:
        return f"{label} ({restriction} restriction)"
    return None


def shown(text: str) -> str:
    """The text as quoted in a finding: one line, at most MAX_SHOWN characters."""
    line = " ".join(text.split())
    return line if len(line) <= MAX_SHOWN else line[: MAX_SHOWN - 1] + "…"
