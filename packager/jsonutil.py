"""JSON written the same way everywhere, so equal data gives equal bytes."""

from __future__ import annotations

import json
from typing import Any


def dumps_canonical(value: Any) -> bytes:
    """Compact UTF-8 JSON with keys in a fixed order (as given) and no trailing space."""
    return json.dumps(value, ensure_ascii=False, separators=(",", ":")).encode("utf-8")


def dumps_pretty(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, indent=2) + "\n"
