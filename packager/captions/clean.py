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

The steps live in ``text_steps`` (generic), ``removals`` and ``length`` (caption); this module orders
and runs them, and re-exports them for callers.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import partial

from packager.captions.length import DEFAULT_MAX_CHARS, ELLIPSIS, limit_length, sentence_ends, split_sentences
from packager.captions.removals import remove_accession_numbers, remove_credits, remove_placeholders, remove_urls
from packager.captions.text_steps import (
    TEXT_STEPS,
    Step,
    collapse_whitespace,
    fix_mojibake,
    normalize_unicode,
    replace_controls,
    strip_html,
)

__all__ = [
    "DEFAULT_MAX_CHARS",
    "ELLIPSIS",
    "STEPS",
    "TEXT_STEPS",
    "CleanResult",
    "Step",
    "caption_steps",
    "clean_caption",
    "clean_text",
    "collapse_whitespace",
    "fix_mojibake",
    "limit_length",
    "normalize_unicode",
    "remove_accession_numbers",
    "remove_credits",
    "remove_placeholders",
    "remove_urls",
    "replace_controls",
    "run_steps",
    "sentence_ends",
    "split_sentences",
    "strip_html",
]

_MAX_ROUNDS = 6


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
