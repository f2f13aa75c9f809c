"""pdpack: package public-domain image-text datasets from GLAM collections.

The library API lives in ``packager.api`` and is exported here: ``load_collection``, ``validate``,
``build``, ``release`` and ``push``.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

from packager.version import __version__

__all__ = ["__version__", "build", "load_collection", "push", "release", "validate"]
API = frozenset(__all__) - {"__version__"}

if TYPE_CHECKING:
    from packager.api import build, load_collection, push, release, validate


def __getattr__(name: str) -> Any:
    # Loaded on first use, not with the package: a program that only needs packager.model or the
    # schema does not pay for pyarrow, Pillow and the Hub client.
    if name in API:
        return getattr(importlib.import_module("packager.api"), name)
    raise AttributeError(f"module 'packager' has no attribute {name!r}")
