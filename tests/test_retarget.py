"""A pushed card names the repo it was pushed to, and every release says where to ask for a removal.

Against tests/hub_server.py with the real client: `pdpack release` without --repo writes
load_dataset("NAMESPACE/NAME"); `pdpack push --repo X` writes X into the card and croissant.json, byte for
byte as `pdpack release --repo X` would have, or refuses when the card was changed by hand.
"""

from __future__ import annotations

import json
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from packager.builder.stages import Settings
from packager.cli.push import push as push_command
from packager.cli.release import release as release_command
from packager.model import ReleaseError
from packager.outputs.card_body import PLACEHOLDER_REPO
from packager.publish.release import ReleaseOptions, ReleaseResult, make_release
from tests.helpers import REPO
from tests.hub_server import HubServer, configured_hub

pytestmark = pytest.mark.filterwarnings("ignore:Use 'content=<...>':DeprecationWarning")
TOKEN = "hf_PdpackRetargetToken0123456789abcdef"
REPO_ID = "test-org/pd-images"
SOURCE_URL = "https://git.example/pdpack"


def release_into(out: Path, repo_id: str | None) -> ReleaseResult:
    settings = Settings(as_of="2026-11-30")
    return make_release(
        REPO / "manifests", out, settings, ReleaseOptions(include_examples=True, repo_id=repo_id, source_url=SOURCE_URL)
    )


@pytest.fixture(scope="module")
def unnamed(tmp_path_factory: pytest.TempPathFactory) -> ReleaseResult:
    """A release made without --repo."""
    return release_into(tmp_path_factory.mktemp("unnamed") / "2026.11", None)


@pytest.fixture(scope="module")
def named(tmp_path_factory: pytest.TempPathFactory) -> ReleaseResult:
    """The same release made with --repo test-org/pd-images."""
    return release_into(tmp_path_factory.mktemp("named") / "2026.11", REPO_ID)


@pytest.fixture
def hub(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Iterator[HubServer]:
    with configured_hub(monkeypatch, tmp_path, TOKEN) as server:
        yield server


def copy(result: ReleaseResult, tmp_path: Path) -> Path:
    folder = tmp_path / "release"
    shutil.copytree(result.out, folder)
    return folder


def push(folder: Path, repo_id: str, *args: str) -> Result:
    return CliRunner().invoke(push_command, [str(folder), "--repo", repo_id, *args], catch_exceptions=False)


def test_push_writes_the_repo_into_a_card_made_without_one(
    hub: HubServer, unnamed: ReleaseResult, named: ReleaseResult, tmp_path: Path
) -> None:
    folder = copy(unnamed, tmp_path)
    card = (folder / "README.md").read_text(encoding="utf-8")
    assert f'load_dataset("{PLACEHOLDER_REPO}", split="train")' in card
    result = push(folder, REPO_ID, "--tag", "2026.11")
    assert result.exit_code == 0, result.output
    wrote = f"The card's loading examples named {PLACEHOLDER_REPO}: wrote {REPO_ID} into README.md and croissant.json."
    assert wrote in result.output
    # Exactly what `pdpack release --repo` writes, in the folder and on the Hub.
    for name in ("README.md", "croissant.json"):
        assert (folder / name).read_bytes() == (named.out / name).read_bytes(), name
        assert hub.repos[REPO_ID].files[name] == (named.out / name).read_bytes(), name
    remote_card = hub.repos[REPO_ID].files["README.md"].decode("utf-8")
    assert PLACEHOLDER_REPO not in remote_card and f'load_dataset("{REPO_ID}", split="train")' in remote_card
    document = json.loads(hub.repos[REPO_ID].files["croissant.json"])
    assert document["url"] == f"https://huggingface.co/datasets/{REPO_ID}" and document["name"] == "pd-images"


def test_a_dry_run_says_so_and_changes_nothing(hub: HubServer, unnamed: ReleaseResult, tmp_path: Path) -> None:
    folder = copy(unnamed, tmp_path)
    before = {name: (folder / name).read_bytes() for name in ("README.md", "croissant.json")}
    result = push(folder, REPO_ID, "--dry-run")
    assert result.exit_code == 0, result.output
    assert f"the push writes {REPO_ID} into README.md and croissant.json first" in result.output
    assert {name: (folder / name).read_bytes() for name in before} == before
    assert hub.writes == 0


def test_a_card_made_for_another_repo_names_the_one_pushed_to(
    hub: HubServer, named: ReleaseResult, tmp_path: Path
) -> None:
    folder = copy(named, tmp_path)
    result = push(folder, "other-org/mirror")
    assert result.exit_code == 0, result.output
    assert f"The card's loading examples named {REPO_ID}: wrote other-org/mirror" in result.output
    card = hub.repos["other-org/mirror"].files["README.md"].decode("utf-8")
    assert 'load_dataset("other-org/mirror", split="train")' in card and REPO_ID not in card
    assert '"https://huggingface.co/datasets/other-org/mirror/resolve/main/"' in card
    document = json.loads(hub.repos["other-org/mirror"].files["croissant.json"])
    assert (
        document["name"] == "mirror" and "url={https://huggingface.co/datasets/other-org/mirror}" in document["citeAs"]
    )
    again = push(folder, "other-org/mirror")  # now it names the repo: nothing to write, nothing new to send
    assert again.exit_code == 0 and "wrote" not in again.output and "Sent 0 files" in again.output


def test_a_card_edited_by_hand_is_refused_and_nothing_is_sent(
    hub: HubServer, unnamed: ReleaseResult, tmp_path: Path
) -> None:
    folder = copy(unnamed, tmp_path)
    card = folder / "README.md"
    card.write_text(card.read_text(encoding="utf-8").replace('split="train")', 'split="train[:10]")'), "utf-8")
    result = push(folder, REPO_ID)
    assert result.exit_code == 1
    assert "were changed after `pdpack release` wrote them" in result.output
    assert f"pdpack release --repo {REPO_ID}" in result.output
    assert hub.writes == 0 and REPO_ID not in hub.repos


def test_a_hand_written_card_that_names_another_repo_is_refused(hub: HubServer, tmp_path: Path) -> None:
    folder = tmp_path / "dist"
    folder.mkdir()
    (folder / "README.md").write_text('# Data\n\n```python\nload_dataset("someone/else")\n```\n', "utf-8")
    (folder / "data.txt").write_text("x\n", encoding="utf-8")
    result = push(folder, REPO_ID)
    assert result.exit_code == 1 and "tells readers to load someone/else, not test-org/pd-images" in result.output
    assert hub.writes == 0


def test_a_release_without_a_removal_contact_is_refused(tmp_path: Path) -> None:
    out = tmp_path / "out"
    base = ["--manifests", str(REPO / "manifests"), "--include-examples", "--as-of", "2026-11-30", "--out", str(out)]
    refused = CliRunner().invoke(release_command, base)
    assert refused.exit_code == 2
    assert "a release must say where to ask for an item's removal" in refused.output
    assert not out.exists()
    for bad, words in (
        (["--contact", "javascript:alert(1)"], "neither an e-mail address nor an http(s) address"),
        (["--source-url", "ftp://git.example/x"], "is not an http(s) address"),
    ):
        result = CliRunner().invoke(release_command, [*base, *bad])
        assert result.exit_code == 2 and words in result.output
    with pytest.raises(ReleaseError, match="where to ask for an item's removal"):
        make_release(REPO / "manifests", out, Settings(as_of="2026-11-30"), ReleaseOptions(include_examples=True))
    done = CliRunner().invoke(release_command, [*base, "--contact", "rights@museum.example"])
    assert done.exit_code == 0, done.output
    card = (out / "README.md").read_text(encoding="utf-8")
    removal = card[card.index("## Removal requests") :]
    assert "write to [rights@museum.example](mailto:rights@museum.example), or open an issue" in removal
