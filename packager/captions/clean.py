"""Clean catalogue text into a caption, as a sequence of small, named steps.

Two entry points:

- ``clean_text`` runs the generic steps (``TEXT_STEPS``: control characters, mojibake, HTML,
  Unicode forms, whitespace). It is used for every field (titles, creators, credit lines) and
  keeps all the words: "Courtesy of the Museum" is a fine credit line.
- ``clean_caption`` runs those and then the caption steps (``STEPS``: URLs, credit lines, accession
  numbers, placeholders, a length limit), and says which steps changed something.

Both are idempotent: cleaning a cleaned text changes nothing. Each runs its steps in order and
repeats the whole sequence until nothing changes, because one step can expose work for an earlier
one (an entity that decodes to markup, mojibake inside a tag).
"""

from __future__ import annotations

import html
import re
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass
from functools import partial
from itertools import pairwise

Step = Callable[[str], str]

# Long enough for a title, a creator line and the first paragraph or two of a description (about
# 200-250 tokens: every long-context text encoder still sees all of it, and CLIP-style trainers cut to
# 77 tokens themselves); short enough to drop the provenance, exhibition history and bibliography that
# follow in full catalogue entries. The untouched text stays in the sample's JSON (original_caption).
DEFAULT_MAX_CHARS = 1000
# A cut at a sentence end is preferred while it keeps at least this share of the allowed length.
_MIN_SENTENCE_SHARE = 0.5
_MAX_ROUNDS = 6
ELLIPSIS = "…"

# --- generic steps (clean_text) ---------------------------------------------------------------------------

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

# --- caption steps ----------------------------------------------------------------------------------------

# Words after which a full stop does not end a sentence (compared lower-case, without the stop).
_ABBREVIATIONS = frozenset(
    [
        "mr",
        "mrs",
        "ms",
        "mme",
        "mlle",
        "mgr",
        "dr",
        "prof",
        "rev",
        "revd",
        "hon",
        "sr",
        "jr",
        "st",
        "ste",
        "mt",
        "ft",
        "co",
        "corp",
        "inc",
        "ltd",
        "bros",
        "no",
        "nos",
        "nr",
        "fig",
        "figs",
        "vol",
        "vols",
        "pl",
        "pls",
        "cat",
        "inv",
        "acc",
        "ed",
        "eds",
        "repr",
        "ill",
        "etc",
        "vs",
        "viz",
        "cf",
        "ca",
        "c",
        "approx",
        "b",
        "d",
        "fl",
        "pp",
        "p",
        "ff",
        "al",
        "dept",
        "univ",
        "misc",
        "jan",
        "feb",
        "mar",
        "apr",
        "jun",
        "jul",
        "aug",
        "sep",
        "sept",
        "oct",
        "nov",
        "dec",
    ]
)
# A sentence ends at . ! ? or an ellipsis (with closing quotes or brackets) before a space and a capital,
# a digit or an opening quote or bracket.
# A run of stops is matched once, from its start (the lookbehind) and whole (possessive): a run of
# 60,000 '?' is one match attempt, not 60,000 that each rescan the rest of the run.
_SENTENCE_END = re.compile(r"""(?<![.!?…])[.!?…]++['"’”)\]»]*+(?=\s++['"‘“(\[«]?[A-Z0-9À-ÖØ-Þ])""")
_WORD_BEFORE = re.compile(r"(?<![\w.-])([\w.-]+)$")


def _is_sentence_end(text: str, end: int) -> bool:
    """Whether the stop that closes text[:end] ends a sentence, not an abbreviation or an initial."""
    head = text[max(0, end - 80) : end].rstrip("'\"’”)]»")  # the word before the stop is all that counts
    if not head.endswith(".") or head.endswith(".."):
        return True
    match = _WORD_BEFORE.search(head[:-1])
    if not match:
        return True
    word = match.group(1)
    last = word.rsplit(".", 1)[-1]
    if "." in word and len(last) <= 2 and last.strip("-").isalpha():
        return False  # D.C., J.-L., e.g., a.m.
    if len(last) == 1 and last.isalpha():
        return False  # an initial: "J. Smith"
    return last.lower() not in _ABBREVIATIONS


def sentence_ends(text: str) -> list[int]:
    """Offsets just after each sentence end in text (not counting the end of the text)."""
    return [m.end() for m in _SENTENCE_END.finditer(text) if _is_sentence_end(text, m.end())]


def split_sentences(text: str) -> list[str]:
    """The sentences of text, each stripped; abbreviations and initials do not split."""
    bounds = [0, *sentence_ends(text), len(text)]
    return [part for a, b in pairwise(bounds) if (part := text[a:b].strip())]


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


_TRAILING_JOINERS = re.compile(r"[\s,;:(\[\-–—]+$")
_TRAILING_WORDS = re.compile(r"\s+(?:and|or|of|the|a|an|by|in|on|at|to|for|with|from|und|et|de|la|le|van|von)$")


def limit_length(text: str, max_chars: int = DEFAULT_MAX_CHARS) -> str:
    """At most max_chars characters: cut after the last whole sentence that fits, else at a word, with "…".

    A sentence cut is used while it keeps at least half of max_chars; a text without a useful
    sentence end is cut between words and marked with an ellipsis, so it never reads as complete.
    """
    if max_chars < 1:
        raise ValueError("max_chars must be at least 1")
    if len(text) <= max_chars:
        return text
    ends = [end for end in sentence_ends(text) if end <= max_chars]
    if ends and ends[-1] >= max_chars * _MIN_SENTENCE_SHARE:
        return text[: ends[-1]].rstrip()
    room = max_chars - len(ELLIPSIS)
    head = text[: room + 1]
    cut = head.rfind(" ")
    head = head[:cut] if cut > room * _MIN_SENTENCE_SHARE else text[:room]
    for _ in range(3):
        head = _TRAILING_WORDS.sub("", _TRAILING_JOINERS.sub("", head))
    return (head.rstrip(".") or text[:room]) + ELLIPSIS


def caption_steps(max_chars: int = DEFAULT_MAX_CHARS) -> tuple[tuple[str, Step], ...]:
    """The caption steps, in order, with a length limit of max_chars."""
    return (
        *TEXT_STEPS,
        ("urls", remove_urls),
        ("credits", remove_credits),
        ("accession-numbers", remove_accession_numbers),
        ("placeholders", remove_placeholders),
        ("length", partial(limit_length, max_chars=max_chars)),
    )


STEPS: tuple[tuple[str, Step], ...] = caption_steps()


@dataclass(frozen=True)
class CleanResult:
    text: str
    applied: tuple[str, ...]  # names of the steps that changed something, in step order

    @property
    def changed(self) -> bool:
        return bool(self.applied)


def run_steps(text: str, steps: tuple[tuple[str, Step], ...]) -> CleanResult:
    """Run steps in order, again and again until a whole pass changes nothing."""
    changed: set[str] = set()
    current = text
    for _ in range(_MAX_ROUNDS):
        before = current
        for name, step in steps:
            result = step(current)
            if result != current:
                changed.add(name)
                current = result
        if current == before:
            break
    return CleanResult(current, tuple(name for name, _ in steps if name in changed))


def clean_text(text: str) -> str:
    """Plain, normalised text from a catalogue string: all its words kept."""
    return run_steps(text, TEXT_STEPS).text


def clean_caption(text: str, max_chars: int = DEFAULT_MAX_CHARS) -> CleanResult:
    """A caption from an institution's text: clean_text, then URLs, credits, numbers and placeholders out,
    and at most max_chars characters. ``applied`` names the steps that changed something."""
    steps = STEPS if max_chars == DEFAULT_MAX_CHARS else caption_steps(max_chars)
    return run_steps(text, steps)
