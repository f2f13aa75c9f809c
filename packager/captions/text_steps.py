"""The generic cleaning steps for any catalogue text: control characters, mojibake, HTML, Unicode, whitespace."""

from __future__ import annotations

import html
import re
import unicodedata
from collections.abc import Callable

Step = Callable[[str], str]

_BLOCK_TAGS = {"br", "p", "div", "li", "tr", "td", "th", "h1", "h2", "h3", "h4", "h5", "h6"}
_SKIP_TAGS = {"script", "style"}
# C1 controls (\x80-\x9f) are left for ftfy: they are usually the remains of mojibake it can repair.
_C0_CONTROLS = re.compile(r"[\x00-\x1f\x7f]")
# Invisible characters that only hint at line breaking: dropping them joins the word back.
# All are non-ASCII, so ASCII text skips the translate.
_INVISIBLE = dict.fromkeys(map(ord, "\u00ad\u200b\u2060\ufeff"))
# Every character whose Unicode category is Cc (controls), Cs (surrogates) or Co (private use); these
# ranges are fixed by Unicode's stability policy, and a test checks them against unicodedata. One regex
# pass costs a fraction of a per-character unicodedata.category loop.
_CONTROL_SURROGATE_PRIVATE = re.compile(
    r"[\x00-\x1f\x7f-\x9f\ud800-\udfff\ue000-\uf8ff\U000f0000-\U000ffffd\U00100000-\U0010fffd]"
)
# ASCII characters that some fixer of ftfy.fix_text (ftfy 6, default config) can change: "&" starts an
# HTML entity, "\r" is a line break to convert, and the C0 controls and DEL are removed (ESC also
# starts a terminal escape). Every other fixer (encoding, C1 controls, ligatures, widths, curly
# quotes, surrogates, NFC) only changes non-ASCII characters. Tab and newline are kept by ftfy.
_FTFY_MAY_CHANGE_ASCII = re.compile(r"[^\t\n\x20-\x25\x27-\x7e]")
# Applied to text whose whitespace is already single spaces, so a literal space is all it needs to match
# (a literal first character also lets the regex engine skip ahead instead of trying every position).
_SPACE_BEFORE_PUNCT = re.compile(r" ([,.;:!?])")


# One piece of markup, found in one left-to-right pass (HTMLParser rescans the rest of the text for every
# '<' that opens no complete tag, which is quadratic: "<a " repeated 24,000 times took 25 s):
# - a comment, up to "-->" or, unclosed, to the end of the text (as HTML5 reads it);
# - a declaration or processing instruction ("<!DOCTYPE ...>", "<![CDATA[...]]>", "<?xml ...?>");
# - a start or end tag: '<', an optional '/', a letter, then attributes (quoted values may hold '>').
# A candidate never reads past the next '<', so no character is scanned by two candidates; a '<' that
# opens nothing ("a < b", "x <y") stays as text.
_MARKUP = re.compile(
    r"<!--.*?(?:-->|\Z)"
    r"|<[!?][^<>]*+>"
    r"|<(/?)([A-Za-z][^\s/<>]*+)[^<>\"']*+(?:(?:\"[^\"<]*+\"|'[^'<]*+')[^<>\"']*+)*+>",
    re.DOTALL,
)
# The end of a script or style element: its content is raw text, markup included, and is dropped.
_SKIPPED_END = {tag: re.compile(rf"</{tag}\b[^<>]*+>", re.IGNORECASE) for tag in _SKIP_TAGS}


def strip_html(text: str) -> str:
    """Text of an HTML fragment: tags, comments, scripts and styles dropped, entities decoded. Linear time."""
    if "<" not in text and "&" not in text:
        return text
    parts: list[str] = []
    position = 0
    while (match := _MARKUP.search(text, position)) is not None:
        parts.append(html.unescape(text[position : match.start()]))
        position = match.end()
        tag = (match.group(2) or "").lower()
        if tag in _BLOCK_TAGS:
            parts.append(" ")
        elif tag in _SKIP_TAGS and not match.group(1) and not match.group(0).endswith("/>"):
            end = _SKIPPED_END[tag].search(text, position)
            position = end.end() if end else len(text)
    parts.append(html.unescape(text[position:]))
    # A second unescape catches double-escaped entities such as "&amp;amp;".
    return html.unescape("".join(parts))


def replace_controls(text: str) -> str:
    """C0 controls become spaces; invisible break hints (soft hyphen, zero-width space) go.

    Exports separate fields with them (FileMaker's \\v, MARC's \\x1e, \\x1f): a space keeps the words
    apart, where ftfy would delete them and glue the words together.
    """
    text = _C0_CONTROLS.sub(" ", text)
    return text if text.isascii() else text.translate(_INVISIBLE)


def fix_mojibake(text: str) -> str:
    """Repair text decoded with the wrong encoding ("cafÃ©" -> "café"), with ftfy."""
    if text.isascii() and not _FTFY_MAY_CHANGE_ASCII.search(text):
        # ftfy would return it unchanged (see _FTFY_MAY_CHANGE_ASCII), at about 100x the cost of this check.
        return text
    import ftfy  # here, not above: a tenth of a second that only text ftfy may change pays for

    return ftfy.fix_text(text, normalization="NFC")


def normalize_unicode(text: str) -> str:
    """NFC; other control, private-use and surrogate characters become spaces."""
    text = _CONTROL_SURROGATE_PRIVATE.sub(" ", unicodedata.normalize("NFC", text))
    return text if text.isascii() else text.translate(_INVISIBLE)


def collapse_whitespace(text: str) -> str:
    """One space between words, none at the ends or before punctuation."""
    # str.split() splits at runs of exactly the characters that \s matches (both use str.isspace(); a test
    # checks every code point) and drops them at the ends, so this is re.sub(r"\s+", " ", text).strip()
    # without building a replacement for every single space.
    return _SPACE_BEFORE_PUNCT.sub(r"\1", " ".join(text.split()))


TEXT_STEPS: tuple[tuple[str, Step], ...] = (
    ("controls", replace_controls),
    ("mojibake", fix_mojibake),
    ("html", strip_html),
    ("unicode", normalize_unicode),
    ("whitespace", collapse_whitespace),
)
