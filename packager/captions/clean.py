"""Clean catalogue text into a caption: markup, mojibake, Unicode forms, whitespace.

``clean_text`` is idempotent: cleaning a cleaned caption changes nothing.
"""

from __future__ import annotations

import html
import re
import unicodedata
from html.parser import HTMLParser

import ftfy

_BLOCK_TAGS = {"br", "p", "div", "li", "tr", "td", "th", "h1", "h2", "h3", "h4", "h5", "h6"}
_SKIP_TAGS = {"script", "style"}
_WHITESPACE = re.compile(r"\s+")
# C1 controls (\x80-\x9f) are left for ftfy: they are usually the remains of mojibake it can repair.
_C0_CONTROLS = re.compile(r"[\x00-\x1f\x7f]")
# Invisible characters that only hint at line breaking: dropping them joins the word back.
_INVISIBLE = dict.fromkeys(map(ord, "\u00ad\u200b\u2060\ufeff"))
_SPACE_BEFORE_PUNCT = re.compile(r"\s+([,.;:!?])")


class _TextExtractor(HTMLParser):
    """Keep the text of an HTML fragment; drop tags, scripts and styles."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self._skipping = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in _SKIP_TAGS:
            self._skipping += 1
        elif tag in _BLOCK_TAGS:
            self.parts.append(" ")

    def handle_endtag(self, tag: str) -> None:
        if tag in _SKIP_TAGS and self._skipping:
            self._skipping -= 1
        elif tag in _BLOCK_TAGS:
            self.parts.append(" ")

    def handle_data(self, data: str) -> None:
        if not self._skipping:
            self.parts.append(data)


def strip_html(text: str) -> str:
    if "<" not in text and "&" not in text:
        return text
    parser = _TextExtractor()
    parser.feed(text)
    parser.close()
    # A second unescape catches double-escaped entities such as "&amp;amp;".
    return html.unescape("".join(parser.parts))


def clean_text(text: str) -> str:
    """Plain, normalised text from a catalogue string."""
    previous = None
    current = text
    # Markup and mojibake can hide each other; repeat until nothing changes (two passes in practice).
    for _ in range(4):
        if current == previous:
            break
        previous = current
        # C0 controls separate fields in exports (FileMaker's \v, MARC's \x1e, \x1f): make them spaces
        # before ftfy, which would delete them and glue words together.
        current = _C0_CONTROLS.sub(" ", current).translate(_INVISIBLE)
        current = ftfy.fix_text(current, normalization="NFC")
        current = strip_html(current)
        current = unicodedata.normalize("NFC", current)
        current = "".join(" " if unicodedata.category(ch) in ("Cc", "Co", "Cs") else ch for ch in current)
        current = current.translate(_INVISIBLE)
        current = _WHITESPACE.sub(" ", current).strip()
        current = _SPACE_BEFORE_PUNCT.sub(r"\1", current)
    return current
