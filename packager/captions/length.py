"""Where a sentence ends, and the length limit that cuts a caption after its last whole sentence."""

from __future__ import annotations

import re
from itertools import pairwise

# Long enough for a title, a creator line and the first paragraph or two of a description (about
# 200-250 tokens: every long-context text encoder still sees all of it, and CLIP-style trainers cut to
# 77 tokens themselves); short enough to drop the provenance, exhibition history and bibliography that
# follow in full catalogue entries. The untouched text stays in the sample's JSON (original_caption).
DEFAULT_MAX_CHARS = 1000
# A cut at a sentence end is preferred while it keeps at least this share of the allowed length.
_MIN_SENTENCE_SHARE = 0.5
ELLIPSIS = "…"

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
