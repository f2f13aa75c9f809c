"""Rejections: why an item did not ship. The reasons themselves live in ``packager.model.REGISTRY``."""

from __future__ import annotations

from packager.model import REGISTRY, Rejection

# Reason code -> the plain-words explanation (rejected.jsonl's "advice"), derived from the registry.
REASONS: dict[str, str] = {code: reason.explanation for code, reason in REGISTRY.items()}

__all__ = ["REASONS", "Rejection"]
