"""What a file's own rights tags say: the tags read, evidence for the verdict, and copyright-claim detection."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from packager.rights.evidence import Evidence
from packager.rights.vocabulary import Term, lookup

# Family-1 names exactly as `exiftool -j -G1 -n` prints them (12.57). EXIF:Copyright
# prints as IFD0:Copyright. XMP-plus:DataMining is unknown to exiftool before 12.6x:
# it is still read, as an unconverted property, holding the full vocabulary URI.
# PNG:Copyright (the PNG tEXt "Copyright" keyword) is read as well.
RIGHTS_TAGS: tuple[str, ...] = (
    "XMP-xmpRights:Marked",
    "XMP-xmpRights:WebStatement",
    "XMP-xmpRights:UsageTerms",
    "XMP-cc:License",
    "XMP-dc:Rights",
    "IPTC:CopyrightNotice",
    "IFD0:Copyright",
    "PNG:Copyright",
    "XMP-plus:CopyrightStatus",
    "XMP-plus:DataMining",
    "XMP-plus:OtherConstraints",
    "XMP-iptcExt:ArtworkCopyrightNotice",
    "XMP-iptcExt:ArtworkCreator",
    "XMP-iptcExt:ArtworkDateCreated",
    "XMP-iptcExt:ArtworkCircaDateCreated",
    "XMP-iptcExt:ArtworkTitle",
    "XMP-iptcExt:ArtworkCopyrightOwnerName",
    "XMP-iptcExt:ArtworkLicensorName",
    "XMP-iptcExt:ArtworkSource",
    "XMP-iptcExt:ArtworkSourceInventoryNo",
)
# Lang-alt tags: exiftool prints other languages as "Tag-xx" keys.
LANG_ALT = frozenset(
    {"XMP-dc:Rights", "XMP-xmpRights:UsageTerms", "XMP-plus:OtherConstraints", "XMP-iptcExt:ArtworkTitle"}
)
_LANG_SUFFIX = re.compile(r"-[A-Za-z]{2,3}(?:-[A-Za-z0-9]{1,8})*$")


def base_tag(key: str) -> str:
    if key in TAG_SET:
        return key
    stripped = _LANG_SUFFIX.sub("", key)
    return stripped if stripped in LANG_ALT else key


TAG_SET = frozenset(RIGHTS_TAGS)
_RANK = {"not_public_domain": 0, "undetermined": 1, "public_domain_us": 2, "public_domain": 3, "info": 4}
_PLUS_VOCAB = "http://ns.useplus.org/ldf/vocab/"
# XMP-plus:CopyrightStatus. CS-PUB says "Public Domain" without naming a
# jurisdiction. It maps to public_domain_us, as in the reference's status table
# (rights-vocabulary.md §5 summary): below worldwide public_domain, so a file
# claim can never widen a verdict past the US, yet an embedded claim that agrees
# with the manifest does not send the item to review, which "undetermined" would.
_COPYRIGHT_STATUS = {
    "CS-PRO": ("not_public_domain", "PLUS copyright status: protected"),
    "CS-PUB": ("public_domain_us", "PLUS copyright status: public domain (no jurisdiction stated)"),
    "CS-UNK": ("info", "PLUS copyright status: unknown"),
}
# Text fields whose value is a rights statement, URI or copyright line.
_STATEMENT_FIELDS = frozenset(
    {
        "XMP-xmpRights:WebStatement",
        "XMP-xmpRights:UsageTerms",
        "XMP-cc:License",
        "XMP-dc:Rights",
        "IPTC:CopyrightNotice",
        "IFD0:Copyright",
        "PNG:Copyright",
        "XMP-plus:OtherConstraints",
        "XMP-iptcExt:ArtworkCopyrightNotice",
    }
)
_ARTWORK_KEYS = {
    "XMP-iptcExt:ArtworkCreator": "creator",
    "XMP-iptcExt:ArtworkDateCreated": "date_created",
    "XMP-iptcExt:ArtworkCircaDateCreated": "circa_date_created",
    "XMP-iptcExt:ArtworkTitle": "title",
    "XMP-iptcExt:ArtworkCopyrightNotice": "copyright_notice",
    "XMP-iptcExt:ArtworkCopyrightOwnerName": "copyright_owner",
    "XMP-iptcExt:ArtworkLicensorName": "licensor",
    "XMP-iptcExt:ArtworkSource": "source",
    "XMP-iptcExt:ArtworkSourceInventoryNo": "source_inventory_no",
}
# Phrases that deny or disclaim copyright. Where one appears, the word
# "copyright" is not read as a claim (the © sign and "(c) <year>" still are).
_DISCLAIMER = re.compile(
    r"public[\s-]+domain|\bno\s+(?:known\s+)?copyright|\bnot\s+(?:in\s+)?copyright|\bout\s+of\s+copyright"
    r"|copyright[\s-]+(?:free|expired|has\s+expired|not\s+evaluated|undetermined|unknown)"
    r"|\bfree\s+(?:of|from)\s+copyright|\bwithout\s+(?:known\s+)?copyright|\bcopyright\s+(?:is\s+)?not\s+claimed"
    r"|\bno\s+rights\s+reserved|\bcc[\s-]?0\b|\bcc[\s-]?zero\b|\bpdm\b",
    re.IGNORECASE,
)
# The sign itself, or its look-alikes (circled C), not followed by a disclaimer word.
_SIGN = re.compile(
    r"[©\u24b8\u24d2](?!\s*(?:public\s+domain|none|n/a|expired|no\s+known|no\s+copyright|cc[\s-]?0))",
    re.IGNORECASE,
)
_YEAR = r"(?:1[5-9]\d\d|20\d\d)"
_C_YEAR = re.compile(r"\(c\)\s*" + _YEAR, re.IGNORECASE)
# "(c) Name": only outside "(a) ... (b) ... (c) ..." enumerations.
_C_NAME = re.compile(r"\([cC]\)\s*[A-Z][\w.'-]+")
_ENUMERATION = re.compile(r"\((?:a|b|i|ii)\)", re.IGNORECASE)
# "Copyright 2014 ...", "Copyright: Tate", "copyright by John Smith", "Copyrighted by ...".
_NOT_A_HOLDER = (
    r"(?!(?:unknown|expired|free|none|undetermined|not|status|restrictions?|information|info|public"
    r"|holder|owner|notice|by)\b)"
)
_COPYRIGHT_WORD = re.compile(
    r"\bcopyright(?:ed)?\b(?:\s*(?:[:,-]|by\b|owner\b|holder\b|notice\b|\(c\)|©))*\s*"
    + _NOT_A_HOLDER
    + r"(?:"
    + _YEAR
    + r"|(?-i:[A-Z]))",
    re.IGNORECASE,
)
_RESERVED = re.compile(r"(?<!\bno\s)\b(?:all|some)\s+rights\s+reserved\b", re.IGNORECASE)
_URI = re.compile(r"https?://[^\s<>\"')\]]+", re.IGNORECASE)


def copyright_notice(text: str) -> bool:
    """Whether free text carries a copyright claim (©, "(c) 1998", "Copyright Tate", "All rights reserved")."""
    if _SIGN.search(text) or _C_YEAR.search(text) or _RESERVED.search(text):
        return True
    if _C_NAME.search(text) and not _ENUMERATION.search(text):
        return True
    if _DISCLAIMER.search(text):
        return False
    return _COPYRIGHT_WORD.search(text) is not None


def _repair_iptc(text: str) -> str:
    """Undo UTF-8 read as Latin ("Â© MusÃ©e" → "© Musée"): IPTC written as UTF-8 without CodedCharacterSet."""
    if text.isascii():
        return text
    for codec in ("cp1252", "latin-1"):
        try:
            repaired = text.encode(codec).decode("utf-8")
        except UnicodeError:
            continue
        return repaired
    return text


def _strings(value: Any) -> list[str]:
    if value is None:
        return []
    if isinstance(value, list):
        return [s for v in value for s in _strings(v)]
    if isinstance(value, bool):
        return ["True" if value else "False"]
    return [str(value)]


def _short(text: str, limit: int = 160) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _term_finding(field_name: str, term: Term) -> str:
    return f"embedded {field_name}: {term.label}" + (f" ({term.note})" if term.note else "")


def _read_statement(tag: str, field_name: str, text: str) -> tuple[str, str]:
    """(status, finding) for one rights text value of ``tag`` (printed as ``field_name``)."""
    is_artwork = tag == "XMP-iptcExt:ArtworkCopyrightNotice"
    term = lookup(text)
    if term is not None:
        prefix = "artwork " if is_artwork else ""
        return term.status, _term_finding(prefix + field_name, term)
    if copyright_notice(text):
        kind = "embedded artwork © notice" if is_artwork else "embedded © notice"
        return "not_public_domain", f"{kind}: {_short(text)!r}"
    known = [(t, uri) for uri in _URI.findall(text) if (t := lookup(uri.rstrip(".,;"))) is not None]
    if known:
        term, uri = min(known, key=lambda pair: _RANK[pair[0].status])
        return term.status, f"embedded {field_name}: {term.label} ({uri} in the text)"
    return "info", f"embedded {field_name}: unrecognised rights text {_short(text)!r} (recorded, not deciding)"


@dataclass(frozen=True)
class EmbeddedFindings:
    evidence: tuple[Evidence, ...]  # one Evidence per relevant tag, source="embedded", field=<tag name>
    data_mining_prohibited: str | None  # the DMI-PROHIBITED* value if any, else None
    artwork: dict[str, str] = field(default_factory=dict)  # artwork fields for term rules, may be empty


def embedded_findings(tags: dict[str, Any]) -> EmbeddedFindings:
    """Evidence from the tags ``EmbeddedReader.read`` returns.

    Statuses are conservative: a recognised URI or label gives its vocabulary
    status, a © notice gives not_public_domain, and anything unrecognised is
    "info" (recorded, never deciding). Keys may also be "EXIF:Copyright".
    """
    evidence: list[Evidence] = []
    data_mining: str | None = None
    artwork: dict[str, str] = {}
    for tag, key, raw in _in_tag_order(tags):
        texts = [t.strip() for t in _strings(raw) if t.strip()]
        if tag == "IPTC:CopyrightNotice":
            texts = [_repair_iptc(t) for t in texts]
        if not texts:
            continue
        value = " | ".join(texts)
        if tag == "XMP-xmpRights:Marked":
            status, finding = _marked(texts[0])
        elif tag == "XMP-plus:CopyrightStatus":
            code = texts[0].removeprefix(_PLUS_VOCAB).upper()
            status, finding = _COPYRIGHT_STATUS.get(code, ("info", f"PLUS copyright status: {code}"))
            finding = f"embedded {finding}"
        elif tag == "XMP-plus:DataMining":
            codes = [t.removeprefix(_PLUS_VOCAB) for t in texts]
            prohibited = [c for c in codes if "PROHIBITED" in c.upper()]
            if prohibited and data_mining is None:
                data_mining = prohibited[0]
            status = "info"
            finding = (
                f"embedded PLUS data-mining prohibition: {', '.join(prohibited)}"
                if prohibited
                else f"embedded PLUS data-mining: {', '.join(codes)}"
            )
        elif tag in _STATEMENT_FIELDS:
            readings = [_read_statement(tag, key, t) for t in texts]
            status, finding = min(readings, key=lambda r: _RANK[r[0]])
        else:
            status, finding = "info", f"embedded {key}: {_short(value)!r}"
        if tag in _ARTWORK_KEYS:
            name = _ARTWORK_KEYS[tag]
            artwork[name] = f"{artwork[name]} | {value}" if name in artwork else value
        evidence.append(Evidence("embedded", key, value, status, finding))
    return EmbeddedFindings(tuple(evidence), data_mining, artwork)


def _in_tag_order(tags: dict[str, Any]) -> list[tuple[str, str, Any]]:
    """(rights tag, key as given, value) in RIGHTS_TAGS order, whatever order the file stored them in."""
    found = []
    for key, value in tags.items():
        tag = "IFD0:Copyright" if key == "EXIF:Copyright" else base_tag(key)
        if tag in TAG_SET:
            found.append((tag, key, value))
    return sorted(found, key=lambda t: (RIGHTS_TAGS.index(t[0]), t[1]))


def _marked(text: str) -> tuple[str, str]:
    flag = text.strip().lower()
    if flag in {"true", "1"}:
        return "not_public_domain", "embedded XMP-xmpRights:Marked=True: marked as copyrighted"
    if flag in {"false", "0"}:
        return "public_domain", "embedded XMP-xmpRights:Marked=False: marked as public domain"
    return "info", f"embedded XMP-xmpRights:Marked={text!r}: not a boolean"
