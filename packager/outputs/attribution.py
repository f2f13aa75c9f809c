"""How a sample is credited: an attribution built the TASL way, and acquisition credits kept apart.

TASL (Title, Author, Source, Licence), as Creative Commons recommends for attribution: the
work's title, its creator, the source institution with a link to the record, and the licence
or rights statement it ships under. The collection's ``attribution`` template words the first
parts ("{title}, {creator}. {institution}, {source_url}."); a template that leaves out the link
or the rights statement gets them added at the end, so every credit line names all four.

Museum exports carry a "Credit Line" that is an acquisition credit ("Gift of Mrs. Harriet Smith,
1921", "Museum purchase", "Bequest of ...", "Purchased with funds from ..."): how the museum came
to own the object, not who made it or how to credit its image. Such a text is kept in the
sample's ``acquisition_credit`` and never used as the attribution. Any other credit line of the
item ("Courtesy National Gallery of Art, Washington", an IIIF "Provided by ...") is the
institution's own wording of the source, and stands for ``{institution}``.
"""

from __future__ import annotations

import re
import string
from collections.abc import Iterable

from packager.captions.clean import clean_text
from packager.manifest.collection import Collection
from packager.manifest.rows import read_items
from packager.model import Item
from packager.rights.vocabulary import lookup

# Phrases of acquisition credits, as museums write them (matched anywhere, case-insensitive).
ACQUISITION_PHRASES = (
    r"gifts? (?:of|from)",
    r"(?:partial|promised|fractional|anonymous) gift",
    r"bequest(?: of)?",
    r"bequeathed (?:by|to)",
    r"museum purchase",
    r"purchased? (?:with|from|by|through|as)",
    r"purchase(?=\s*(?:[,;.]|$))",
    r"purchased",
    r"fund,? (?:1[6-9]|20)\d\d",
    r"funds? (?:provided|given|donated|from)",
    r"donated by",
    r"donation (?:of|from)",
    r"presented by",
    r"transfer(?:red)? from",
    r"acquired (?:with|from|through|by)",
    r"accepted (?:by [\w\s.]+ )?in lieu",
    r"lent by",
    r"on (?:long-term )?loan from",
)
_ACQUISITION = re.compile(r"(?<![\w-])(?:" + "|".join(ACQUISITION_PHRASES) + r")(?![\w-])", re.IGNORECASE)
_EMPTY_PUNCT = re.compile(r"(\s*[,;:]\s*)+(?=[.,;:]|$)")
_EMPTY_BRACKETS = re.compile(r"\s*(\(\s*\)|\[\s*\])")
_SINGLE_STOP = re.compile(r"(?<!\.)\.$")
_DOUBLE_SPACE = re.compile(r"\s{2,}")
_STOP = re.compile(r"[.!?…]$")
_WEB = re.compile(r"^https?://\S+$", re.IGNORECASE)
# A few codes are written out; more are counted.
_LISTED_CODES = 3


def is_acquisition_credit(text: str | None) -> bool:
    """Whether a credit line says how the museum acquired the object ("Gift of ...", "Museum purchase")."""
    return bool(text) and _ACQUISITION.search(text or "") is not None


def acquisition_credit(item: Item) -> str | None:
    """The item's acquisition credit: its own column, and a credit line that is one (kept both, never lost)."""
    parts = [clean_text(item.acquisition_credit)] if item.acquisition_credit else []
    if item.credit_line and is_acquisition_credit(item.credit_line):
        credit = clean_text(item.credit_line)
        if credit not in parts:
            parts.append(credit)
    return "; ".join(p for p in parts if p) or None


def rights_words(
    statement: str | None, decided_by: str, public_domain_in: Iterable[str], everywhere: frozenset[str]
) -> str:
    """The L of TASL: the statement's name when it decided, else where the work is public domain."""
    term = lookup(statement) if statement and decided_by == "statement" else None
    if term is not None and term.status in ("public_domain", "public_domain_us"):
        return term.label
    codes = sorted(set(public_domain_in))
    if set(codes) >= everywhere:
        return "Public domain"
    if codes == ["US"]:
        return "Public domain in the United States"
    if not codes:
        return ""
    if len(codes) <= _LISTED_CODES:
        return "Public domain in " + ", ".join(codes)
    return f"Public domain in {len(codes)} countries"


def _field(value: str | None) -> str:
    """Cleaned field text without one closing full stop (an ellipsis stays), ready to be joined."""
    return _SINGLE_STOP.sub("", clean_text(value)) if value else ""


def _link(item: Item, collection: Collection) -> str:
    for url in (item.source_url, collection.institution.url):
        if url and _WEB.match(url.strip()):
            return url.strip()
    return ""


def credit_line(item: Item, collection: Collection, rights: str = "") -> str:
    """The attribution: the collection's template filled in, with the link and ``rights`` always there.

    Missing fields leave no dangling commas: "{title}, {creator}." with no creator gives "Title."
    not "Title, .". The item's own credit line, unless it is an acquisition credit, stands for
    {institution}.
    """
    own = item.credit_line if item.credit_line and not is_acquisition_credit(item.credit_line) else None
    values = {
        "title": _field(item.title),
        "creator": _field(item.creator),
        "date": _field(item.date),
        "institution": _field(own) if own else collection.institution.name,
        "collection": collection.title,
        "id": item.id,
        "source_url": _link(item, collection),
        "rights": rights,
    }
    template = collection.attribution
    # Fields were checked when collection.yaml was loaded; format only plain names.
    text = _tidy(string.Formatter().vformat(template, (), values))
    for name in ("source_url", "rights"):
        if "{" + name + "}" not in template and values[name]:
            text = (text if not text or _STOP.search(text) else text + ".") + f" {values[name]}."
    return _tidy(text)


def _tidy(text: str) -> str:
    text = _EMPTY_BRACKETS.sub("", text)
    text = _EMPTY_PUNCT.sub("", text)
    text = re.sub(r"^\s*[,;:.]\s*", "", text)
    text = re.sub(r"(?<!\.)\.\s+\.(?!\.)", ".", text)
    return _DOUBLE_SPACE.sub(" ", text).strip()


def acquisition_credit_warning(collection: Collection) -> str | None:
    """A warning when the values given as credit_line look like acquisition credits, in the contributor's words."""
    total = matching = 0
    example = ""
    for entry in read_items(collection):
        if not isinstance(entry, Item) or not entry.credit_line:
            continue
        total += 1
        if is_acquisition_credit(entry.credit_line):
            matching += 1
            example = example or entry.credit_line
    if not matching:
        return None
    column = collection.column_name("credit_line")
    where = "the IIIF requiredStatement or attribution" if collection.manifest.is_dir() else f"column '{column}'"
    advice = (
        f'map it to acquisition_credit in collection.yaml (columns: {{acquisition_credit: "{column}"}})'
        if not collection.manifest.is_dir()
        else "that is how the museum acquired the object, not how to credit its image"
    )
    return (
        f"{where} (credit_line) looks like an acquisition credit in {matching} of {total} item(s), e.g. "
        f"{example!r}: {advice}. pdpack keeps such text in acquisition_credit, never in the attribution."
    )
