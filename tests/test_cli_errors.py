"""One table from error to exit status (packager/cli/errors.py), used by every command."""

from __future__ import annotations

import ast
import sqlite3
from pathlib import Path

import pytest
from click.testing import CliRunner

import packager.cli
from packager.cli import cli
from packager.cli.errors import EXIT_STATUS, INTERRUPTED, exit_status, exit_status_table
from packager.model import ManifestError, MissingTool, ModelUnavailable, PushError, ReleaseError, ResumeError

CLI = Path(packager.cli.__file__).parent


def test_each_error_has_its_status() -> None:
    assert exit_status(ModelUnavailable("weights missing")) == 2  # a subclass of ModelError
    assert exit_status(KeyboardInterrupt()) == INTERRUPTED == 130
    for error in (ManifestError("f", "m"), ResumeError(), MissingTool(), ReleaseError(), PushError(), OSError()):
        assert exit_status(error) == 1, error
    assert exit_status(sqlite3.OperationalError("disk full")) == 1
    table = exit_status_table()
    assert all(f"| `{kind.__name__}` | {status} |" in table for kind, status, _ in EXIT_STATUS)


def test_every_error_a_command_stops_on_is_in_the_table() -> None:
    # Every `except` clause whose body ends the command through fail() or exit_status() names classes the
    # table knows: a new error gets its row (and so its line in the command reference).
    known = {kind.__name__ for kind, _, _ in EXIT_STATUS} | {"Error"}  # sqlite3.Error
    caught = set()
    for path in sorted(CLI.glob("*.py")):
        for handler in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if not isinstance(handler, ast.ExceptHandler) or handler.type is None:
                continue
            calls = {
                node.func.id
                for node in ast.walk(ast.Module(body=handler.body, type_ignores=[]))
                if isinstance(node, ast.Call) and isinstance(node.func, ast.Name)
            }
            if calls & {"fail", "exit_status"}:
                types = handler.type.elts if isinstance(handler.type, ast.Tuple) else [handler.type]
                caught |= {t.attr if isinstance(t, ast.Attribute) else t.id for t in types}  # type: ignore[union-attr]
    assert caught, "no command stops through fail() or exit_status()"
    assert caught <= known, caught - known


def test_a_collection_that_cannot_be_read_exits_1_naming_it(tmp_path: Path) -> None:
    folder = tmp_path / "broken"
    folder.mkdir()
    (folder / "collection.yaml").write_text("id: [not, text]\n", encoding="utf-8")
    for command in (["validate", str(folder)], ["build", str(folder), "--out", str(tmp_path / "dist")]):
        result = CliRunner().invoke(cli, command)
        assert result.exit_code == 1, result.output
        assert "Error:" in result.output and "collection.yaml" in result.output


@pytest.mark.parametrize("command", ["validate", "review", "build"])
def test_a_missing_exiftool_exits_1_for_every_command(command: str, tmp_path: Path) -> None:
    examples = Path(packager.cli.__file__).parents[2] / "manifests" / "examples" / "nasa-spacex"
    args = [command, str(examples)] + (["--out", str(tmp_path / "dist")] if command == "build" else [])
    result = CliRunner().invoke(cli, args, env={"PATH": str(tmp_path / "no-programs")})
    assert result.exit_code == 1 and "needs the exiftool program" in result.output
