"""One build configuration: the fingerprint, the same options for build and release, preconditions checked once."""

from __future__ import annotations

import json
import tarfile
from dataclasses import fields
from pathlib import Path

import click
import pytest
from click.testing import CliRunner
from PIL import Image

from packager.builder.config import MACHINE_SETTINGS, Settings, preflight
from packager.builder.run import build, load_collections
from packager.cli import cli
from packager.cli.options import build_options
from packager.cli.release import release as release_command
from packager.model import MissingTool
from tests.helpers import image_bytes, write_collection

AS_OF = "2026-11-30"


def _option_names(command: click.Command) -> set[str]:
    return {param.name for param in command.params if isinstance(param, click.Option) and param.name}


def _museum(root: Path) -> Path:
    rows = [{"id": f"p{i}", "file": f"files/p{i}.png", "title": f"Print {i}"} for i in range(3)]
    files = {f"files/p{i}.png": image_bytes(size=(200, 100), color=(40 * i, 90, 160)) for i in range(3)}
    return write_collection(root, rows, files=files)


def test_recorded_settings_are_every_field_but_the_machine_ones() -> None:
    settings = Settings(as_of=AS_OF, fetch_cache="/somewhere/on/this/machine", max_per_host=1, shard_max_count=7)
    recorded = settings.recorded()
    assert {"fetch_cache", "max_per_host"} <= set(MACHINE_SETTINGS)
    assert list(recorded) == [f.name for f in fields(Settings) if f.name not in MACHINE_SETTINGS]
    assert recorded["shard_max_count"] == 7 and recorded["near_duplicates"] == 3
    assert "/somewhere" not in json.dumps(recorded)


def test_a_machine_setting_leaves_the_report_alone_an_output_setting_does_not(tmp_path: Path) -> None:
    collections = load_collections([_museum(tmp_path / "manifests")])
    one = build(collections, tmp_path / "one", Settings(as_of=AS_OF, max_per_host=1))
    two = build(collections, tmp_path / "two", Settings(as_of=AS_OF, max_per_host=9))
    three = build(collections, tmp_path / "three", Settings(as_of=AS_OF, near_duplicates=None))
    assert one == two
    assert three["settings"]["near_duplicates"] is None and one["settings"]["near_duplicates"] == 3
    assert (tmp_path / "one" / "report.json").read_bytes() == (tmp_path / "two" / "report.json").read_bytes()


def test_build_and_release_take_the_same_output_options() -> None:
    shared = _option_names(build_options(click.Command("probe")))
    assert {"policy", "as_of", "max_side", "encode", "captions", "min_alignment", "shard_max_count"} <= shared
    assert shared <= _option_names(cli.commands["build"])
    assert shared <= _option_names(release_command)


def test_release_resizes_and_captions_as_build_does(tmp_path: Path) -> None:
    _museum(tmp_path / "manifests")
    args = ["--as-of", AS_OF, "--max-side", "64", "--captions", "metadata", "--shard-max-count", "2", "--no-cache"]
    args += ["--leftover-risk", "hold"]
    released = CliRunner().invoke(
        release_command,
        [
            "--manifests",
            str(tmp_path / "manifests"),
            "--out",
            str(tmp_path / "release"),
            "--no-previous",
            *args,
            "--source-url",
            "https://git.example/pdpack",
        ],
        catch_exceptions=False,
    )
    assert released.exit_code == 0, released.output
    built = CliRunner().invoke(
        cli, ["build", str(tmp_path / "manifests" / "test-museum"), "--out", str(tmp_path / "dist"), *args]
    )
    assert built.exit_code == 0, built.output
    report = json.loads((tmp_path / "release" / "report.json").read_text(encoding="utf-8"))
    assert report["settings"]["image"]["max_side"] == 64 and report["settings"]["captions"] == "metadata"
    assert report["settings"] == json.loads((tmp_path / "dist" / "report.json").read_text(encoding="utf-8"))["settings"]
    release = json.loads((tmp_path / "release" / "release.json").read_text(encoding="utf-8"))
    assert report["settings"]["leftover_risk"] == "hold"
    assert release["settings"] == {
        "shard_max_count": 2,
        "shard_max_size": report["settings"]["shard_max_size"],
        "leftover_risk": "hold",
    }
    for shard in sorted((tmp_path / "release" / "data").rglob("*.tar")):
        with tarfile.open(shard) as tar:
            for member in tar.getmembers():
                if member.name.endswith(".png"):
                    handle = tar.extractfile(member)
                    assert handle is not None
                    assert max(Image.open(handle).size) == 64
    for name in ("report.json", "rejected.jsonl", "ATTRIBUTION.md"):
        assert (tmp_path / "release" / name).read_bytes() == (tmp_path / "dist" / name).read_bytes(), name


def test_missing_exiftool_stops_build_and_release_before_anything_is_written(tmp_path: Path) -> None:
    folder = _museum(tmp_path / "manifests")
    no_tools = {"PATH": str(tmp_path / "empty-bin")}
    built = CliRunner().invoke(cli, ["build", str(folder), "--out", str(tmp_path / "dist")], env=no_tools)
    released = CliRunner().invoke(
        release_command,
        [
            "--manifests",
            str(tmp_path / "manifests"),
            "--out",
            str(tmp_path / "release"),
            "--no-previous",
            "--contact",
            "rights@museum.example",
        ],
        env=no_tools,
    )
    for result in (built, released):
        assert result.exit_code == 1
        assert "needs the exiftool program" in result.output
    assert not (tmp_path / "dist").exists() and not (tmp_path / "release").exists()


def test_the_library_build_checks_the_same_preconditions(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    collections = load_collections([_museum(tmp_path / "manifests")])
    monkeypatch.setenv("PATH", str(tmp_path / "empty-bin"))
    with pytest.raises(MissingTool, match="exiftool"):
        build(collections, tmp_path / "dist", Settings(as_of=AS_OF))
    assert not (tmp_path / "dist").exists()
    preflight(Settings(as_of=AS_OF, embedded=False))  # no exiftool needed when files' metadata is not read


def test_settings_refuse_impossible_values() -> None:
    with pytest.raises(ValueError, match="at least one sample"):
        Settings(as_of=AS_OF, shard_max_count=0)
    with pytest.raises(ValueError, match="near_duplicates"):
        Settings(as_of=AS_OF, near_duplicates=9)
