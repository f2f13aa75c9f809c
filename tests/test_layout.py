"""How the tests are laid out: helpers are imported from tests/helpers.py, never from conftest.py."""

from __future__ import annotations

import ast
import tomllib
from pathlib import Path

TESTS = Path(__file__).parent
REPO = TESTS.parent


def test_no_test_imports_from_conftest() -> None:
    # pytest loads conftest.py itself; importing it as a module as well gives two copies of its globals.
    offenders = []
    for path in sorted(TESTS.glob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ImportFrom) and node.module in {"tests.conftest", "conftest"}:
                offenders.append(f"{path.name}:{node.lineno}")
    assert not offenders, f"import helpers from tests.helpers instead: {offenders}"


def test_the_model_contract_names_every_other_module_of_the_package() -> None:
    # A forbidden contract whose forbidden module contains its source is skipped by import-linter without
    # a word, so "the model imports nothing else from pdpack" has to name each module it may not import.
    contracts = tomllib.loads((REPO / "pyproject.toml").read_text(encoding="utf-8"))["tool"]["importlinter"]
    model = next(c for c in contracts["contracts"] if c["source_modules"] == ["packager.model"])
    siblings = {
        f"packager.{path.stem if path.suffix == '.py' else path.name}"
        for path in (REPO / "packager").iterdir()
        if (path.suffix == ".py" and path.stem != "__init__") or (path / "__init__.py").is_file()
    }
    assert set(model["forbidden_modules"]) == siblings - {"packager.model"}


def test_no_forbidden_contract_contains_its_own_source() -> None:
    contracts = tomllib.loads((REPO / "pyproject.toml").read_text(encoding="utf-8"))["tool"]["importlinter"]
    for contract in contracts["contracts"]:
        if contract["type"] != "forbidden":
            continue
        for source in contract["source_modules"]:
            for forbidden in contract["forbidden_modules"]:
                assert not (source == forbidden or source.startswith(forbidden + ".")), (contract["name"], forbidden)
