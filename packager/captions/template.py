"""Captions from metadata (the credit line is packager.outputs.attribution).

A caption template is a ``str.format`` string over plain fields (``CAPTION_FIELDS``), e.g.
``"{object_type} '{title}' by {creator}, {date}."``. A missing field takes its own words with it:
the literal text just before a field ("by ", ", ", " '", " (") belongs to that field, and so do the
closing quotes or brackets just after it ("'", ")", "'s"). So with no creator the example gives
"Painting 'The Harvesters', 1565." and with no title "Painting by Pieter Bruegel the Elder, 1565.";
never "by ," or "''". Text after the last field is always kept; text before the first field belongs
to the first field. When a caption ends up starting with template words ("by Anna Smith"), their
first letter is capitalised; a field value is left as written ("de Stijl").
"""

from __future__ import annotations

import re
import string
from dataclasses import dataclass

from packager.captions.clean import clean_caption, clean_text
from packager.model import Collection, Item

# Fields a caption template may use.
CAPTION_FIELDS = ("title", "creator", "date", "object_type", "medium", "description", "collection", "institution")
# The built-in caption: "Title, by Creator, Date. Description."
DEFAULT_CAPTION_TEMPLATE = "{title}, by {creator}, {date}. {description}."
# Manifest columns that fill object_type and medium when the manifest has no such field of its own:
# compared case-insensitively, ignoring spaces, '_' and '-' (so "Object Name", "object_name" and
# "objectName" all match). The first present, non-empty column wins.
EXTRA_COLUMNS: dict[str, tuple[str, ...]] = {
    "object_type": ("objecttype", "objectname", "worktype", "typeofobject", "classification", "type", "genre"),
    "medium": ("medium", "mediumtechnique", "materialandtechnique", "technique", "materials", "material"),
}

_SINGLE_STOP = re.compile(r"(?<!\.)\.$")
_DOUBLE_SPACE = re.compile(r"\s{2,}")
# The closing part of the literal after a field, which goes with the field: quotes, brackets, "'s".
_FIELD_SUFFIX = re.compile(r"^(?:['’]s\b|['\"’”)\]}»›]+)")
_LEADING_SEPARATORS = re.compile(r"^[\s,;:.!?\-–—/|]+")
_SPACE_BEFORE_PUNCT = re.compile(r"\s+([,.;:!?])")
_STOP_AFTER_END = re.compile(r"(\.\.\.|[!?…])\.(?=\s|$)")
_REPEATED_SEPARATORS = re.compile(r"(?<![\s,;:])([,;:])(?:\s*+[,;:])++")
_SEPARATOR_BEFORE_STOP = re.compile(r"(?<![,;:])[,;:]++(?=\s*[.!?](?:\s|$))")
_TRAILING_SEPARATORS = re.compile(r"(?<![\s,;:])[\s,;:]++$")


def _field(value: str | None) -> str:
    """Cleaned field text without one closing full stop (an ellipsis stays), ready to be joined."""
    return _SINGLE_STOP.sub("", clean_text(value)) if value else ""


def _squash(name: str) -> str:
    return re.sub(r"[\s_\-]+", "", name).lower()


def extra_value(item: Item, field: str) -> str | None:
    """object_type or medium from the item's extra manifest columns (see EXTRA_COLUMNS), or None."""
    columns = {_squash(name): value for name, value in item.extra.items() if value and value.strip()}
    for candidate in EXTRA_COLUMNS[field]:
        if candidate in columns:
            return columns[candidate]
    return None


def _caption_field(value: str | None) -> str:
    """A field cleaned as caption text (placeholders such as "n.d." or "[no title]" go), no closing stop."""
    return _SINGLE_STOP.sub("", clean_caption(value).text) if value else ""


def caption_fields(item: Item, collection: Collection | None = None) -> dict[str, str]:
    """Every caption field's cleaned value ("" when missing)."""
    return {
        "title": _caption_field(item.title),
        "creator": _caption_field(item.creator),
        "date": _caption_field(item.date),
        "object_type": _caption_field(extra_value(item, "object_type")),
        "medium": _caption_field(extra_value(item, "medium")),
        "description": _caption_field(item.description),
        "collection": _field(collection.title) if collection else "",
        "institution": _field(collection.institution.name) if collection else "",
    }


def check_caption_template(template: str) -> None:
    """Raise ValueError unless template uses only plain ``{field}`` names from CAPTION_FIELDS."""
    try:
        parsed = list(string.Formatter().parse(template))
    except ValueError as exc:
        raise ValueError(f"is not a valid template: {exc}") from exc
    names = []
    for _, name, spec, conversion in parsed:
        if name is None:
            continue
        if name not in CAPTION_FIELDS or spec or conversion:
            allowed = ", ".join("{" + f + "}" for f in CAPTION_FIELDS)
            raise ValueError(f"uses '{{{name}}}'; allowed fields are {allowed}")
        names.append(name)
    if not names:
        raise ValueError("names no field; use at least one of " + ", ".join("{" + f + "}" for f in CAPTION_FIELDS))


@dataclass(frozen=True)
class _Piece:
    text: str
    literal: bool


def fill_caption_template(template: str, values: dict[str, str]) -> str:
    """The template filled in; a missing field drops its own words (see the module docstring)."""
    check_caption_template(template)
    parsed = list(string.Formatter().parse(template))
    pieces: list[_Piece] = []
    last_value: str | None = None  # None before the first field
    for literal, name, _, _ in parsed:
        text = literal
        if last_value is not None:
            suffix = _FIELD_SUFFIX.match(text)
            if suffix:
                if last_value:
                    pieces.append(_Piece(suffix.group(0), literal=True))
                text = text[suffix.end() :]
        if name is None:  # the literal after the last field: always kept
            pieces.append(_Piece(text, literal=True))
            continue
        value = values.get(name, "")
        if value:
            pieces.append(_Piece(text, literal=True))
            pieces.append(_Piece(value, literal=False))
        last_value = value
    # Drop leading separators across pieces, then capitalise template words that now open the caption.
    while pieces:
        first = pieces[0]
        stripped = _LEADING_SEPARATORS.sub("", first.text) if first.literal else first.text
        if stripped:
            if first.literal and stripped[0].islower():
                stripped = stripped[0].upper() + stripped[1:]
            pieces[0] = _Piece(stripped, first.literal)
            break
        pieces.pop(0)
    if not any(not p.literal for p in pieces):
        return ""
    text = "".join(p.text for p in pieces)
    text = _DOUBLE_SPACE.sub(" ", text).strip()
    text = _SPACE_BEFORE_PUNCT.sub(r"\1", text)
    text = _REPEATED_SEPARATORS.sub(r"\1", text)
    text = _SEPARATOR_BEFORE_STOP.sub("", text)
    text = _STOP_AFTER_END.sub(r"\1", text)
    return _TRAILING_SEPARATORS.sub("", text)


def caption_from_metadata(item: Item, template: str | None = None, collection: Collection | None = None) -> str | None:
    """A caption made from the item's metadata with the template, or None if there is nothing to say.

    ``template`` defaults to DEFAULT_CAPTION_TEMPLATE ("Title, by Creator, Date. Description.").
    ``collection`` fills {collection} and {institution}. The result is cleaned as a caption (no
    credits, accession numbers or URLs; at most DEFAULT_MAX_CHARS characters).
    """
    text = fill_caption_template(template or DEFAULT_CAPTION_TEMPLATE, caption_fields(item, collection))
    cleaned = clean_caption(text).text if text else ""
    return cleaned or None
