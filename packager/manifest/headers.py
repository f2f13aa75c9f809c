"""The header of an item manifest in the contributor's own words.

Which separator a spreadsheet export used, which column feeds which pdpack field
(matched forgivingly: an export's "Object number" is the "Object Number" that
``columns:`` names), and, when the header has no id or image column, the
``columns:`` mapping to paste into collection.yaml, guessed from the columns the
file has. Also life dates ("1775–1851"), which registrars keep in one column.
"""

from __future__ import annotations

import csv
import json
import re
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

SEPARATORS = {",": "commas", ";": "semicolons", "\t": "tabs"}
# Characters a spreadsheet leaves invisibly in a header cell (byte-order mark, zero-width space, no-break space).
_INVISIBLE = dict.fromkeys(map(ord, "\ufeff\u200b\u200c\u200d\u2060"), None) | {0xA0: " "}


def detect_separator(first_line: str) -> str:
    """The separator that splits the header line into the most cells; a comma when none splits it."""
    best, most = ",", 1
    for separator in SEPARATORS:
        cells = next(csv.reader([first_line], delimiter=separator), [])
        if len(cells) > most:
            best, most = separator, len(cells)
    return best


def clean_name(name: str) -> str:
    """A header cell without surrounding whitespace or invisible characters."""
    stripped = name.strip()
    if stripped.isascii():
        return stripped  # the common case, kept cheap: a header may have 100,000 cells
    return unicodedata.normalize("NFC", name.translate(_INVISIBLE)).strip()


_LOOSE = re.compile(r"[\s_.\-]+")


def loose(name: str) -> str:
    """A name for forgiving comparison: case, spaces, '_', '-' and '.' do not count."""
    return _LOOSE.sub("", clean_name(name).casefold())


@dataclass
class HeaderMatch:
    """What each header cell feeds, and what was matched forgivingly (for a note to the user)."""

    fields: list[str]
    notes: list[str] = field(default_factory=list)
    # pdpack field -> the header cell that feeds it, as the file spells it
    sources: dict[str, str] = field(default_factory=dict)


def match_header(header: Sequence[str], renames: dict[str, str], fields: Iterable[str]) -> HeaderMatch:
    """Map header cells to pdpack fields.

    ``renames`` is collection.yaml's ``columns`` as {their column: our field}. A cell matches a
    mapped column or a field name exactly, or else ignoring case, spacing, '_', '-' and '.'.
    A cell that carries a field's own name while another column is mapped to that field keeps
    its value under ``original_<name>``.
    """
    known = tuple(fields)
    by_loose = {loose(theirs): theirs for theirs in renames}
    field_by_loose = {loose(name): name for name in known}
    match = HeaderMatch(fields=[])
    known_set, mapped = set(known), set(renames.values())
    for raw in header:
        cell = clean_name(raw)
        target = cell
        lower = cell.lower()
        if cell in renames:
            target = renames[cell]
        elif lower in known_set:
            target = f"original_{cell}" if lower in mapped else lower
        else:
            key = _LOOSE.sub("", cell.casefold())
            if key in by_loose:
                theirs = by_loose[key]
                target = renames[theirs]
                match.notes.append(f"the column '{cell}' is read as '{theirs}', which columns: maps to {target}")
            elif key in field_by_loose and field_by_loose[key] not in mapped:
                target = field_by_loose[key]
                match.notes.append(f"the column '{cell}' is read as {target}")
        if target in known_set and target not in match.sources:
            match.sources[target] = cell
        match.fields.append(target)
    return match


# Column names seen in museum and library exports, by the pdpack field they hold (compared loosely).
LIKELY_COLUMNS: dict[str, tuple[str, ...]] = {
    "id": (
        "object number",
        "objectnumber",
        "accession number",
        "accession no",
        "accession",
        "inventory number",
        "inventory no",
        "inv no",
        "object id",
        "identifier",
        "catalogue number",
        "catalog number",
        "record number",
        "reference number",
    ),
    "file": ("image", "images", "filename", "file name", "image file", "image filename", "path", "media", "photo"),
    "url": ("image url", "imageurl", "primary image", "primary image url", "iiif image", "media url", "image link"),
    "title": ("title", "object title", "name", "object name", "work title"),
    "creator": ("artist", "artist name", "artist display name", "maker", "author", "photographer", "creator name"),
    "creator_dates": ("artist dates", "life dates", "artist life dates", "maker dates", "creator dates", "dates"),
    "creator_death_year": ("death year", "year of death", "artist death year", "artist end date", "died"),
    "date": ("object date", "date made", "date of creation", "creation date", "year", "dated", "date"),
    "description": ("description", "physical description", "label text", "notes"),
    "rights": ("rights", "rights statement", "licence", "license", "copyright status", "is public domain"),
    "source_url": ("link", "object url", "record url", "link resource", "web page", "permalink"),
    "credit_line": ("credit line", "creditline", "credit"),
    "copyright_notice": ("copyright", "copyright notice", "copyright line"),
}


def guess_columns(header: Sequence[str], present: Iterable[str] = ()) -> dict[str, str]:
    """{pdpack field: their column} for the columns whose names look like a pdpack field's.

    ``present`` are the fields the header already names; neither they nor their columns are guessed.
    """
    done = set(present)
    guesses: dict[str, str] = {}
    taken: set[str] = {cell for cell in map(clean_name, header) if loose(cell) in {loose(f) for f in done}}
    cells = [clean_name(cell) for cell in header if clean_name(cell)]
    for name, likely in LIKELY_COLUMNS.items():
        if name in done:
            continue
        wanted = [loose(candidate) for candidate in likely]
        # The earliest synonym wins, so "Image URL" is the url and not the file when both exist.
        for candidate in wanted:
            hit = next((cell for cell in cells if loose(cell) == candidate and cell not in taken), None)
            if hit is not None:
                guesses[name] = hit
                taken.add(hit)
                break
    if "file" in guesses and "url" in guesses:
        del guesses["file"]  # an item has one source; the url column is the likelier one to be complete
    return guesses


def columns_snippet(header: Sequence[str], present: Iterable[str] = ()) -> str:
    """A ready-to-paste ``columns:`` block for collection.yaml, guessed from the header's columns."""
    done = set(present)
    guesses = guess_columns(header, done)
    lines = ["columns:"]
    if "id" not in guesses and "id" not in done:
        lines.append("  id: ...            # the column with each item's catalogue number")
    if not {"file", "url"} & {*guesses, *done}:
        lines.append("  file: ...          # the column with the image's file name (or url: its web address)")
    # Fields in the order a reader checks them: the id and the image first.
    for name in sorted(guesses, key=lambda n: (n not in ("id", "file", "url"), list(LIKELY_COLUMNS).index(n))):
        lines.append(f"  {name}: {_yaml_text(guesses[name])}")
    return "\n".join(lines)


def _yaml_text(text: str) -> str:
    """A YAML double-quoted string (JSON's is one), with any control character escaped."""
    return json.dumps(text, ensure_ascii=False)


_YEAR = r"(\d{3,4})"
_RANGE = re.compile(_YEAR + r"\s*(?:[-–—‒]|to)\s*(\d{2,4})\b")
_DIED = re.compile(r"(?:\bd\.|\bdied\b|†)\s*(?:c\.\s*|ca\.\s*|circa\s*)?" + _YEAR, re.IGNORECASE)
_ONLY_BORN = re.compile(r"^\s*(?:\bb\.|\bborn\b|\*)", re.IGNORECASE)


def looks_like_life_dates(text: str) -> bool:
    """Whether a cell holds a creator's life dates ("1775–1851", "b. 1920", "d. 1851") rather than one year."""
    return bool(_RANGE.search(text) or _DIED.search(text) or _ONLY_BORN.search(text))


def death_year_from_life_dates(text: str) -> int | None:
    """The year of death in life dates, the latest one for several creators ("1775–1851 | 1800–1870").

    None when a creator's death is not given (``b. 1920``, ``active 1840s``): the term cannot be counted.
    """
    deaths: list[int] = []
    for part in re.split(r"\|", text):
        if not part.strip():
            continue
        died = _DIED.search(part)
        span = _RANGE.search(part)
        if died:
            deaths.append(int(died.group(1)))
        elif span:
            start, end = int(span.group(1)), span.group(2)
            death = int(end) if len(end) > 2 else start // 100 * 100 + int(end)
            if death < start:
                death += 100 if len(end) <= 2 else 0
            if death < start:
                return None  # not a life span in order; no guess
            deaths.append(death)
        else:
            return None
    return max(deaths) if deaths else None
