"""The library API (packager.load_collection, validate, build, release, push) does what the commands do."""

from __future__ import annotations

import dataclasses
import hashlib
import inspect
import json
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner

import packager
from packager.builder.config import Settings
from packager.cli import cli
from packager.model import Collection, ManifestError
from packager.publish.release import ReleaseOptions
from tests.helpers import EXAMPLES, REPO, image_bytes, write_collection
from tests.hub_server import HubServer, configured_hub

AS_OF = "2026-11-30"
TOKEN = "hf_api_test_token"


def digests(root: Path) -> dict[str, str]:
    return {
        p.relative_to(root).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(root.rglob("*"))
        if p.is_file() and not p.relative_to(root).as_posix().startswith(".")
    }


@pytest.fixture
def hub(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Iterator[HubServer]:
    with configured_hub(monkeypatch, tmp_path, TOKEN) as server:
        yield server


def test_the_package_exports_the_api_with_docstrings() -> None:
    assert set(packager.__all__) == {"__version__", "build", "load_collection", "push", "release", "validate"}
    for name in ("build", "load_collection", "push", "release", "validate"):
        function = getattr(packager, name)
        assert callable(function) and function.__doc__ and len(function.__doc__) > 60, name
    with pytest.raises(AttributeError):
        _ = packager.no_such_thing  # type: ignore[attr-defined]


def test_importing_the_model_loads_no_build_machinery() -> None:
    code = "import sys, packager.model; print(sorted({'pyarrow', 'PIL', 'huggingface_hub'} & set(sys.modules)))"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=REPO)
    assert out.stdout.strip() == "[]"


def test_load_collection_and_validate_agree_with_the_build(tmp_path: Path) -> None:
    folders = sorted(p for p in EXAMPLES.iterdir() if (p / "collection.yaml").is_file())
    collection = packager.load_collection(folders[0])
    assert isinstance(collection, Collection) and collection.root == folders[0]
    settings = Settings(as_of=AS_OF)
    check = packager.validate(folders, settings)
    report = packager.build(folders, tmp_path / "dist", settings)
    assert dict(check.shipped) == {c["id"]: c["shipped"] for c in report["collections"] if c["shipped"]}
    rejected = [json.loads(line) for line in (tmp_path / "dist" / "rejected.jsonl").read_text().splitlines()]
    held = [(r.collection, r.id, r.reason) for r in check.held]
    assert held == [(r["collection"], r["id"], r["reason"]) for r in rejected]


def test_validate_names_what_must_be_fixed(tmp_path: Path) -> None:
    folder = write_collection(
        tmp_path,
        [{"id": "ok", "file": "files/ok.png", "title": "Fine"}, {"id": "gone", "file": "files/gone.png", "title": "x"}],
        files={"files/ok.png": image_bytes()},
    )
    check = packager.validate([folder], Settings(as_of=AS_OF))
    assert check.shipped["test-museum"] == 1
    assert [(r.id, r.reason) for r in check.must_fix] == [("gone", "file:missing")]
    with pytest.raises(ManifestError):
        packager.validate([tmp_path / "not-a-collection"], Settings(as_of=AS_OF))


def test_build_gives_the_bytes_of_pdpack_build(tmp_path: Path) -> None:
    folders = sorted(str(p) for p in EXAMPLES.iterdir() if (p / "collection.yaml").is_file())
    packager.build(folders, tmp_path / "api", Settings(as_of=AS_OF, shard_max_count=4), for_publication=True)
    args = ["build", *folders, "--out", str(tmp_path / "cli"), "--as-of", AS_OF, "--shard-max-count", "4"]
    result = CliRunner().invoke(cli, [*args, "--for-publication", "--no-cache"])
    assert result.exit_code == 0, result.output
    assert digests(tmp_path / "api") == digests(tmp_path / "cli")


def test_release_takes_every_release_option_as_a_keyword_with_its_default() -> None:
    """packager.release spells out ReleaseOptions' fields: a field added there is a keyword here too."""
    keywords = {
        name: param.default
        for name, param in inspect.signature(packager.release).parameters.items()
        if param.kind is inspect.Parameter.KEYWORD_ONLY
    }
    assert keywords == {f.name: f.default for f in dataclasses.fields(ReleaseOptions)}


def test_release_and_push_publish_what_the_commands_do(hub: HubServer, tmp_path: Path) -> None:
    settings = Settings(as_of=AS_OF, shard_max_count=5)
    result = packager.release(
        REPO / "manifests",
        tmp_path / "releases" / "2026.11",
        settings,
        include_examples=True,
        previous=None,
        contact="rights@museum.example",
    )
    assert result.release["version"] == "2026.11" and (result.out / "release.json").is_file()
    pushed = packager.push(result.out, "pdpack-test/api", tag="2026.11")
    # The release's files, and the packs of the partition records the next release reuses, which the push made
    # in .pdpack/packs/ (the rest of .pdpack/ stays here).
    records = {f".pdpack/partitions/{k}": v for k, v in digests(result.out / ".pdpack" / "packs").items()}
    assert records and pushed.files_sent == len(digests(result.out)) + len(records) and pushed.tag == "2026.11"
    files = {p: hashlib.sha256(b).hexdigest() for p, b in hub.repos["pdpack-test/api"].files.items()}
    files.pop(".gitattributes", None)
    assert files == {**digests(result.out), **records}
    again = packager.push(result.out, "pdpack-test/api")
    assert again.files_sent == 0 and again.files_skipped == pushed.files_sent
