"""AI-training preferences and Local Contexts labels."""

from __future__ import annotations

import pytest

from packager.rights.preferences import (
    PreferenceError,
    ai_training_hold,
    local_contexts_hold,
    normalise_label,
    parse_ai_preferences,
    split_labels,
)


def test_parse_structured_field_dictionary() -> None:
    assert parse_ai_preferences("train-ai=n, search=y") == {"train-ai": False, "search": True}
    assert parse_ai_preferences("train-ai=?0;exp=1") == {"train-ai": False}
    assert parse_ai_preferences("") == {}


@pytest.mark.parametrize("text", ["train-ai", "train-ai=maybe", "Train AI=n", "=n"])
def test_malformed_preferences_raise(text: str) -> None:
    with pytest.raises(PreferenceError):
        parse_ai_preferences(text)


@pytest.mark.parametrize(
    ("text", "held"),
    [
        ("train-ai=n", True),
        ("train-genai=n, search=y", True),
        ("train-ai=y", False),
        ("search=n", False),  # a search preference says nothing about training
        (None, False),
        ("train-ai=perhaps", True),  # unreadable is not consent
    ],
)
def test_ai_training_hold(text: str | None, held: bool) -> None:
    hold = ai_training_hold(text, "items")
    assert (hold is not None) == held
    if hold:
        assert hold.reason == "preference:no-ai-training" and not hold.reviewable


@pytest.mark.parametrize(
    ("label", "normal"),
    [
        ("TK Secret / Sacred", "secret_sacred"),
        ("tk_secret_sacred", "secret_sacred"),
        ("BC Provenance Label", "provenance"),
        ("TK Women Restricted", "women_restricted"),
        ("TK Attribution", "attribution"),
    ],
)
def test_label_normalisation(label: str, normal: str) -> None:
    assert normalise_label(label) == normal


def test_sensitive_labels_exclude_and_others_wait_for_review() -> None:
    excluded = local_contexts_hold(split_labels("TK Attribution; TK Secret / Sacred"), "local-contexts")
    assert excluded is not None
    assert (excluded.reason, excluded.reviewable) == ("sensitivity:local-contexts", False)
    assert "secret_sacred" in excluded.detail
    review = local_contexts_hold(["TK Attribution"], "local-contexts")
    assert review is not None and (review.reason, review.reviewable) == ("sensitivity:needs-review", True)
    assert local_contexts_hold([], "local-contexts") is None
