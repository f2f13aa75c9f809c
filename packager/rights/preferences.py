"""Usage preferences and cultural sensitivities that keep an item out whatever its copyright.

- AI-training preferences in the IETF AI-preferences vocabulary (``train-ai=n``), written as a
  Structured Fields dictionary: ``train-ai=n, search=y``.
- Local Contexts Traditional Knowledge (TK) and Biocultural (BC) labels and notices, given as a
  list in a ``local_contexts`` column or in collection.yaml.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

# Categories whose "n" means: do not use this item to train models.
_NO_TRAINING = {"train-ai", "train-genai", "ai-training", "train"}
_TOKEN = re.compile(r"^[a-z*][a-z0-9_.*-]*$")
# Labels that bar use outright (Local Contexts guidance on restricted and sensitive material).
_EXCLUDING_LABELS = {
    "secret_sacred",
    "men_restricted",
    "women_restricted",
    "culturally_sensitive",
    "community_use_only",
    "seasonal",
    "non_commercial",
    "non_verified",
}


class PreferenceError(ValueError):
    pass


@dataclass(frozen=True)
class Hold:
    """A reason an item may not ship, independent of its copyright status."""

    reason: str
    # statement | embedded | local-contexts | review; for an AI preference, where it was given
    # ("items.csv column 'AI Use'", "collection.yaml"), which its detail names first.
    source: str
    detail: str
    reviewable: bool  # can a steward's review.csv decision settle it?


def parse_ai_preferences(text: str) -> dict[str, bool]:
    """``train-ai=n, search=y`` -> {"train-ai": False, "search": True}.

    Values are ``y``/``n`` tokens (or Structured Fields booleans ``?1``/``?0``);
    parameters after ``;`` are ignored. Anything else raises PreferenceError.
    """
    result: dict[str, bool] = {}
    for member in filter(None, (part.strip() for part in text.split(","))):
        name, _, value = member.partition("=")
        name = name.strip().lower()
        value = value.split(";", 1)[0].strip().lower()
        if not _TOKEN.match(name):
            raise PreferenceError(f"{name!r} is not a preference category")
        if value in {"y", "?1"}:
            result[name] = True
        elif value in {"n", "?0"}:
            result[name] = False
        else:
            raise PreferenceError(f"{member!r}: the value must be y or n")
    return result


def ai_training_hold(text: str | None, source: str) -> Hold | None:
    """A hold when the preference refuses AI training or cannot be read; ``source`` says where it was given."""
    if not text:
        return None
    try:
        preferences = parse_ai_preferences(text)
    except PreferenceError as exc:
        # An unreadable preference is not consent: hold the item until it is fixed.
        return Hold("preference:no-ai-training", source, f"{source}: unreadable AI preference {text!r}: {exc}", False)
    refused = sorted(name for name, allowed in preferences.items() if name in _NO_TRAINING and not allowed)
    if refused:
        detail = f"{source}: AI preference {text!r} refuses {', '.join(refused)}"
        return Hold("preference:no-ai-training", source, detail, False)
    return None


def normalise_label(label: str) -> str:
    """'TK Secret / Sacred' -> 'secret_sacred'; 'BC Provenance' -> 'provenance'."""
    text = re.sub(r"[^a-z0-9]+", "_", label.strip().lower()).strip("_")
    text = re.sub(r"^(tk|bc)_(label_|notice_)?", "", text)
    return re.sub(r"_(label|notice)$", "", text)


def split_labels(value: str | None) -> list[str]:
    if not value:
        return []
    return [part.strip() for part in re.split(r"[;|\n]", value) if part.strip()]


def local_contexts_hold(labels: list[str], source: str) -> Hold | None:
    """Any TK/BC label or notice keeps an item out; sensitive ones cannot be reviewed into shipping."""
    if not labels:
        return None
    normalised = [normalise_label(label) for label in labels]
    excluding = sorted({n for n in normalised if n in _EXCLUDING_LABELS or n.endswith("_restricted")})
    if excluding:
        return Hold("sensitivity:local-contexts", source, f"Local Contexts labels {', '.join(excluding)}", False)
    return Hold(
        "sensitivity:needs-review",
        source,
        f"Local Contexts labels or notices {', '.join(labels)}: needs a decision with the community",
        True,
    )
