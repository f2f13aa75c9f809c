"""Captions from metadata, and credit lines from the collection's template."""

from __future__ import annotations

import re
import string

from packager.captions.clean import clean_text
from packager.collection import Collection, Item

_EMPTY_PUNCT = re.compile(r"(\s*[,;:]\s*)+(?=[.,;:]|$)")
_EMPTY_BRACKETS = re.compile(r"\s*(\(\s*\)|\[\s*\])")
_SINGLE_STOP = re.compile(r"(?<!\.)\.$")


def _field(value: str | None) -> str:
    """Cleaned field text without one closing full stop (an ellipsis stays), ready to be joined."""
    return _SINGLE_STOP.sub("", clean_text(value)) if value else ""


_DOUBLE_SPACE = re.compile(r"\s{2,}")


def caption_from_metadata(item: Item) -> str | None:
    """A plain sentence from title, creator, date and description, or None if there is nothing to say."""
    title, creator, date = _field(item.title), _field(item.creator), _field(item.date)
    description = clean_text(item.description) if item.description else ""
    head = title
    if creator:
        head = f"{head}, by {creator}" if head else f"By {creator}"
    if date:
        head = f"{head}, {date}" if head else date
    sentences = [s for s in (head, description) if s]
    if not sentences:
        return None
    return " ".join(s if s[-1] in ".!?" else s + "." for s in sentences)


def credit_line(item: Item, collection: Collection) -> str:
    """The item's own credit line, or the collection's template filled in.

    Missing fields leave no dangling commas: "{title}, {creator}." with no
    creator gives "Title." not "Title, .".
    """
    if item.credit_line:
        return clean_text(item.credit_line)
    values = {
        "title": _field(item.title),
        "creator": _field(item.creator),
        "date": _field(item.date),
        "institution": collection.institution.name,
        "collection": collection.title,
        "id": item.id,
        "source_url": item.source_url or "",
    }
    # Fields were checked when collection.yaml was loaded; format only plain names.
    text = string.Formatter().vformat(collection.attribution, (), values)
    text = _EMPTY_BRACKETS.sub("", text)
    text = _EMPTY_PUNCT.sub("", text)
    text = re.sub(r"^\s*[,;:.]\s*", "", text)
    text = re.sub(r"(?<!\.)\.\s+\.(?!\.)", ".", text)
    return _DOUBLE_SPACE.sub(" ", text).strip()
