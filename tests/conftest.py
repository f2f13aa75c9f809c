"""Shared fixtures: real collection folders with real image files. Helpers to import live in tests/helpers.py."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

import pytest

from tests.helpers import EXAMPLES, write_collection


@pytest.fixture
def collection_factory(tmp_path: Path) -> Callable[..., Path]:
    def make(rows: Iterable[dict[str, Any]], **kwargs: Any) -> Path:
        return write_collection(tmp_path / "collections", rows, **kwargs)

    return make


@pytest.fixture(scope="session")
def example_folders() -> list[Path]:
    return sorted(p for p in EXAMPLES.iterdir() if (p / "collection.yaml").is_file())
