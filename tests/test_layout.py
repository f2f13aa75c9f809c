"""How the tests are laid out: helpers are imported from tests/helpers.py, never from conftest.py."""

from __future__ import annotations

import ast
from pathlib import Path

TESTS = Path(__file__).parent


def test_no_test_imports_from_conftest() -> None:
    # pytest loads conftest.py itself; importing it as a module as well gives two copies of its globals.
    offenders = []
    for path in sorted(TESTS.glob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ImportFrom) and node.module in {"tests.conftest", "conftest"}:
                offenders.append(f"{path.name}:{node.lineno}")
    assert not offenders, f"import helpers from tests.helpers instead: {offenders}"
