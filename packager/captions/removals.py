"""Caption steps that take out what does not describe the work: URLs, credits, accession numbers, placeholders."""

from __future__ import annotations

import re

from packager.captions.length import split_sentences
from packager.captions.text_steps import collapse_whitespace

# Punctuation left behind where a phrase was taken out: ", ." -> ".", "()" -> "", leading ", ".
# (Every pattern here starts only where a run begins and never backtracks into it: linear on any input.)
_EMPTY_BRACKETS = re.compile(r"(?<!\s)\s*+(?:\([\s,;:.]*+\)|\[[\s,;:.]*+\])")
# A run of spaces and separators before a stop, a closing bracket or the end; dropped if it holds a separator.
_SEPARATOR_RUN = re.compile(r"(?<![\s,;:])[\s,;:]++(?=[.!?)\]]|$)")
_REPEATED_SEPARATORS = re.compile(r"(?<![\s,;:])\s*+([,;:])(?:\s*+[,;:])++")
_STOP_AFTER_STOP = re.compile(r"(?<![.])([.!?])(?:\s*\.)+(?!\.)")
_LEADING_PUNCT = re.compile(r"^[\s,;:.)\]]+")


def _drop_separators(match: re.Match[str]) -> str:
    run = match.group(0)
    return run if run.isspace() else ""


def _tidy(text: str) -> str:
    for _ in range(3):
        before = text
        text = _EMPTY_BRACKETS.sub("", text)
        text = _REPEATED_SEPARATORS.sub(r"\1", text)
        text = _SEPARATOR_RUN.sub(_drop_separators, text)
        text = _STOP_AFTER_STOP.sub(r"\1", text)
        text = _LEADING_PUNCT.sub("", text)
        text = collapse_whitespace(text)
        if text == before:
            break
    return text


_URL_CHARS = r"[^\s<>\"'()\[\]]"
_URL_LAST_CHAR = r"[^\s<>\"'()\[\].,;:!?]"
_URL = re.compile(
    r"(?:\b(?i:see|visit|more\s+(?:info(?:rmation)?|details)|source|link|url|available(?:\s+online)?|online)"
    r"(?:\s+(?i:at|on|from|here))?\s*:?\s*)?"
    rf"(?i:\bhttps?://|\bwww\.){_URL_CHARS}*{_URL_LAST_CHAR}"
)
_URL_IN_BRACKETS = re.compile(rf"\s*[(\[]\s*(?i:https?://|www\.){_URL_CHARS}*\s*[)\]]")


def remove_urls(text: str) -> str:
    """Web addresses, with a lead-in such as "See:" or "More information at" that only points to them."""
    if "http" not in text.lower() and "www." not in text.lower():
        return text
    cleaned = _URL.sub("", _URL_IN_BRACKETS.sub("", text))
    return _tidy(cleaned) if cleaned != text else text


# A credit or copyright line: the sentence it starts is dropped, in brackets only the bracket.
_CREDIT = (
    r"(?:(?:digital\s+)?(?:image|photo(?:graph)?|photography|picture|scan|reproduction)s?"
    r"(?:\s+credit)?\s*(?::|©|\(c\)|\bcopyright\b|\bcourtesy\b)"
    r"|courtesy\s+of\b|©|\(c\)(?=\s)|copyright\s+(?:©\s*)?(?:\d{4}|by|the|of)\b"
    r"|all\s+rights\s+reserved\b)"
)
_CREDIT_START = re.compile(_CREDIT, re.IGNORECASE)
_CREDIT_IN_BRACKETS = re.compile(rf"\s*(?:\(\s*{_CREDIT}[^()]*\)|\[\s*{_CREDIT}[^\[\]]*\])", re.IGNORECASE)


def remove_credits(text: str) -> str:
    """Photo credits and courtesy or copyright lines ("Image courtesy of ...", "Photo: ...", "© ...").

    They name who made or lent the photograph, not what it shows. A sentence that starts with one
    goes whole (abbreviations and initials inside it do not end it); a bracketed one goes with its
    brackets. Mid-sentence mentions stay: "a print after a photo by Nadar" describes the work.
    """
    cleaned = _CREDIT_IN_BRACKETS.sub("", text)
    kept = [s for s in split_sentences(cleaned) if not _CREDIT_START.match(s)]
    cleaned = " ".join(kept)
    return _tidy(cleaned) if cleaned != text else text


# An accession, object, inventory or registration number: a label, then a number with a digit in it.
_ACCESSION_LABEL = (
    r"(?i:acc(?:ession)?\.?\s*(?:no|nos|nr|num|number|\#)\.?\s*:?"
    r"|accession\s*:"
    r"|(?:object|museum|registration|reg|inventory|inv|catalogue|cat)\.?\s*(?:no|nos|nr|num|number|id|\#)\.?\s*:?"
    r"|inv\.|inventory\s*:)"
)
_ACCESSION_NUMBER = r"(?:[A-Z]{1,5}[\s-])?[A-Za-z]{0,5}[-.]?\d[\w./,:-]*(?<![.,:/-])"
_ACCESSION = re.compile(rf"(?:[,;]\s*|\s*[(\[]\s*)?\b{_ACCESSION_LABEL}\s*{_ACCESSION_NUMBER}(?:\s*[)\]])?")


def remove_accession_numbers(text: str) -> str:
    """Accession, object, inventory and registration numbers ("Acc. no. 1923.45.1", "Inv. RF 1234").

    The label must be followed by a number with a digit in it, so engravers' "inv." ("Rubens inv.")
    and words such as "inventory" in running text stay.
    """
    cleaned = _ACCESSION.sub("", text)
    return _tidy(cleaned) if cleaned != text else text


_PLACEHOLDER_WORDS = (
    r"untitled|no\s+title|title\s+(?:unknown|not\s+known)|unknown|not\s+known|none|null|nil|n/?a|tbd|"
    r"no\s+(?:caption|description)|not\s+available|no\s+image|n\.\s?d\.|s\.\s?d\.|undated|unknown\s+date|-+|\?+|\.+"
)
_WHOLE_PLACEHOLDER = re.compile(rf"^[\[(]?\s*(?:{_PLACEHOLDER_WORDS})\s*[\])]?\.?$", re.IGNORECASE)
# Cataloguers' bracketed notes that there is no title: "[no title]", "(untitled)" at the start.
_BRACKETED_PLACEHOLDER = re.compile(
    r"\s*[\[(]\s*(?:no\s+title|untitled|title\s+(?:unknown|not\s+known)|n\.\s?d\.|s\.\s?d\.|no\s+date)\s*[\])]",
    re.IGNORECASE,
)
# "n.d." (no date) after a comma, as the date of a sentence: "Portrait of a man, n.d."
_NO_DATE = re.compile(r"[,;]\s*[ns]\.\s?d\.?(?=\s*$|\s+[A-Z(\[]|\s*([,;)\]]))", re.IGNORECASE)


def _no_date(match: re.Match[str]) -> str:
    return "" if match.group(1) else "."


def remove_placeholders(text: str) -> str:
    """Values that only say there is no value: "Untitled" alone, "[no title]", "n.d.", "N/A", "unknown"."""
    if _WHOLE_PLACEHOLDER.match(text):
        return ""
    cleaned = _BRACKETED_PLACEHOLDER.sub("", text)
    cleaned = _NO_DATE.sub(_no_date, cleaned)
    if cleaned != text:
        cleaned = _tidy(cleaned)
        return "" if _WHOLE_PLACEHOLDER.match(cleaned) else cleaned
    return text
