"""The previous release on the Hub (`python -m packager.publish.previous`), against tests/hub_server.py.

Only a missing repo or no release tag before this version means a first release; a rejected token, a
server error or a tag without its release.json stops the release workflow instead of starting the
changelog afresh.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest

from packager.builder.stages import Settings
from packager.outputs.report_data import gallery_shards
from packager.publish.hub import plan_push, push
from packager.publish.hubcalls import make_api
from packager.publish.previous import main, newest_before, version_key
from packager.publish.release import ReleaseOptions, ReleaseResult, make_release
from packager.sample import ShardInfo
from tests.helpers import REPO
from tests.hub_server import HubServer, configured_hub

pytestmark = pytest.mark.filterwarnings("ignore:Use 'content=<...>':DeprecationWarning")
TOKEN = "hf_PdpackPreviousToken0123456789abcdef"
REPO_ID = "test-org/pd-images"


@pytest.fixture(scope="module")
def november(tmp_path_factory: pytest.TempPathFactory) -> ReleaseResult:
    return make_release(
        REPO / "manifests",
        tmp_path_factory.mktemp("nov") / "releases" / "2026.11",
        Settings(as_of="2026-11-30"),
        ReleaseOptions(include_examples=True, repo_id=REPO_ID, source_url="https://git.example/pdpack"),
    )


@pytest.fixture
def hub(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Iterator[HubServer]:
    with configured_hub(monkeypatch, tmp_path, TOKEN) as server:
        yield server


def publish(folder: Path, tag: str | None) -> None:
    api = make_api(TOKEN)
    push(api, plan_push(api, folder, REPO_ID), private=False, tag=tag, commit_message=f"Release {tag}")


def previous(tmp_path: Path, before: str, capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    """(exit status, what it printed, the step output it wrote), run as the release workflow runs it."""
    output = tmp_path / "github-output"
    output.write_text("", encoding="utf-8")
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("GITHUB_OUTPUT", str(output))
        status = main(["--repo", REPO_ID, "--before", before, "--out", str(tmp_path / "previous")])
    return status, capsys.readouterr().out, output.read_text(encoding="utf-8")


def test_versions_are_ordered_as_people_read_them() -> None:
    assert version_key("2026.9") < version_key("2026.10") < version_key("2027.01")
    assert newest_before(["2026.10", "2026.11", "2026.12", "v1", "not a tag!"], "2026.12") == "2026.11"
    assert newest_before(["2026.12"], "2026.12") is None  # a second run of the same version
    assert newest_before([], None) is None


def test_no_repo_is_a_first_release(hub: HubServer, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    status, printed, output = previous(tmp_path, "2026.12", capsys)
    assert (status, output) == (0, "previous=\n")
    assert "this is the first one" in printed
    assert not (tmp_path / "previous").exists()


def test_the_newest_tag_before_this_version_is_downloaded_and_the_changelog_compares_with_it(
    hub: HubServer, november: ReleaseResult, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    publish(november.out, "2026.11")
    status, printed, output = previous(tmp_path, "2026.12", capsys)
    assert (status, output) == (0, "previous=2026.11\n"), printed
    got = tmp_path / "previous"
    names = sorted(p.relative_to(got).as_posix() for p in got.rglob("*") if p.is_file())
    assert "release.json" in names and "rejected.jsonl" in names and "CHANGELOG.md" in names
    assert any(n.startswith("data/") and n.endswith(".parquet") for n in names)
    # Of the shards, only those report.html pictures samples from (the others stay on the Hub).
    meta = json.loads((got / "release.json").read_text(encoding="utf-8"))
    pictured = gallery_shards([ShardInfo(**shard) for shard in meta["shards"]])
    assert [n for n in names if n.endswith(".tar")] == sorted(pictured)  # here, all of them
    assert any(n.startswith(".pdpack/partitions/") for n in names) and ".pdpack/remote.json" in names
    assert json.loads((got / "release.json").read_text(encoding="utf-8"))["version"] == "2026.11"
    december = make_release(
        REPO / "manifests",
        tmp_path / "2026.12",
        Settings(as_of="2026-12-02"),
        ReleaseOptions(include_examples=True, previous=got, source_url="https://git.example/pdpack"),
    )
    assert december.changelog.previous == "2026.11"
    # The same version again (a second run for December): only older tags count, and there are none.
    status, printed, output = previous(tmp_path, "2026.11", capsys)
    assert (status, output) == (0, "previous=\n") and "first one" in printed


def test_a_repo_without_a_release_tag_is_a_first_release(
    hub: HubServer, november: ReleaseResult, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    publish(november.out, None)
    status, _, output = previous(tmp_path, "2026.12", capsys)
    assert (status, output) == (0, "previous=\n")


def test_a_rejected_token_stops_instead_of_starting_afresh(
    hub: HubServer,
    november: ReleaseResult,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    publish(november.out, "2026.11")
    monkeypatch.setenv("HF_TOKEN", "hf_RevokedToken9876543210zyxwvutsABC")
    status, printed, output = previous(tmp_path, "2026.12", capsys)
    assert status == 1 and output == ""
    assert "401" in printed and "first" not in printed
    assert "RevokedToken" not in printed


def test_a_server_error_stops_instead_of_starting_afresh(
    hub: HubServer, november: ReleaseResult, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    publish(november.out, "2026.11")
    hub.fail("refs", times=None, status=503)
    status, printed, output = previous(tmp_path, "2026.12", capsys)
    assert status == 1 and output == ""
    assert "Could not list the tags of test-org/pd-images" in printed and "first" not in printed
    hub.faults.clear()
    hub.fail("resolve", times=None, status=500)
    status, printed, output = previous(tmp_path, "2026.12", capsys)
    assert status == 1 and output == "" and "Could not download release 2026.11" in printed


def test_a_tag_without_its_release_json_stops(
    hub: HubServer, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    folder = tmp_path / "not-a-release"
    folder.mkdir()
    (folder / "notes.txt").write_text("hello\n", encoding="utf-8")
    publish(folder, "2026.10")
    status, printed, output = previous(tmp_path, "2026.12", capsys)
    assert status == 1 and output == ""
    assert "Release tag 2026.10 of test-org/pd-images has no readable release.json" in printed
