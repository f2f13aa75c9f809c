"""`pdpack release`: registered collections in, a reproducible release folder out, compared with the last one."""

from __future__ import annotations

import csv
import hashlib
import json
import re
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner, Result

from packager.builder.run import build, load_collections
from packager.builder.stages import Settings
from packager.cli.release import release as release_command
from packager.manifest.collection import ManifestError
from packager.model import ReleaseError
from packager.outputs.report_data import held_back_pictures
from packager.outputs.report_items import NOT_FOR_PUBLICATION
from packager.outputs.thumbnails import HELD_SIDE, thumbnail_uri
from packager.publish.record_packs import write_packs
from packager.publish.release import ReleaseOptions, ReleaseResult, make_release
from packager.publish.release_checks import check_repo, check_version, default_version, discover
from packager.publish.release_folder import previous_release
from tests.helpers import CC0, EXAMPLES, REPO, image_bytes, write_collection

REPO_ID = "test-org/pd-images"
SOURCE_URL = "https://git.example/pdpack"
TAKEDOWNS_HEADER = "collection,id,sha256,date,reason\n"


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def run(*args: object) -> Result:
    """The command, with a removal contact (a release needs one) unless the test gives its own."""
    words = [str(a) for a in args]
    if "--source-url" not in words and "--contact" not in words:
        words += ["--source-url", SOURCE_URL]
    return CliRunner().invoke(release_command, words, catch_exceptions=False)


@pytest.fixture(scope="module")
def sample_release(tmp_path_factory: pytest.TempPathFactory) -> ReleaseResult:
    return make_release(
        REPO / "manifests",
        tmp_path_factory.mktemp("first") / "releases" / "2026.11",
        Settings(as_of="2026-11-30"),
        ReleaseOptions(include_examples=True, repo_id=REPO_ID, source_url=SOURCE_URL),
    )


def copy_gallery(manifests: Path) -> Path:
    """A copy of the scikit-image sample collection to change between releases."""
    folder = manifests / "scikit-image-gallery"
    shutil.copytree(EXAMPLES / "scikit-image-gallery", folder)
    return folder


def edit_rows(folder: Path, change: Any) -> None:
    path = folder / "items.csv"
    with path.open(encoding="utf-8", newline="") as handle:
        reader = csv.DictReader(handle)
        columns = list(reader.fieldnames or [])
        rows = list(reader)
    rows = change(rows)
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=columns)
        writer.writeheader()
        writer.writerows(rows)


# --- finding collections -----------------------------------------------------------------------------


def test_discover_finds_collection_folders_but_not_schema_examples_or_hidden(tmp_path: Path) -> None:
    for folder in ("b-museum", "institution/a-prints", "schema/x", "examples/e", ".hidden/h", "b-museum/files"):
        (tmp_path / folder).mkdir(parents=True)
    for folder in ("b-museum", "institution/a-prints", "schema/x", "examples/e", ".hidden/h"):
        (tmp_path / folder / "collection.yaml").write_text("id: x\n", encoding="utf-8")
    assert discover(tmp_path) == [tmp_path / "b-museum", tmp_path / "institution/a-prints"]
    assert discover(tmp_path, include_examples=True) == [
        tmp_path / "b-museum",
        tmp_path / "examples/e",
        tmp_path / "institution/a-prints",
    ]
    with pytest.raises(ReleaseError, match="not a folder"):
        discover(tmp_path / "missing")


def test_versions_and_repo_ids() -> None:
    assert default_version("2026-12-31") == "2026.12"
    assert default_version("2027-01-01") == "2027.01"
    assert check_version("2026.12-rc1") == "2026.12-rc1"
    for bad in ("", "../2026", "2026/12", ".hidden", "a..b", "x" * 65):
        with pytest.raises(ReleaseError):
            check_version(bad)
    assert check_repo("org/name") == "org/name"
    for bad in ("name", "org/name/extra", "org/", "-org/name"):
        with pytest.raises(ReleaseError):
            check_repo(bad)


def test_no_registered_collection_is_an_error_with_a_hint(tmp_path: Path) -> None:
    (tmp_path / "manifests" / "examples").mkdir(parents=True)
    with pytest.raises(ReleaseError, match="--include-examples"):
        make_release(
            tmp_path / "manifests",
            tmp_path / "out",
            Settings(as_of="2026-11-30"),
            ReleaseOptions(source_url=SOURCE_URL),
        )


# --- the release folder ------------------------------------------------------------------------------


def test_release_folder_holds_build_outputs_card_croissant_changelog(sample_release: ReleaseResult) -> None:
    out = sample_release.out
    for name in ("release.json", "README.md", "croissant.json", "CHANGELOG.md", "report.json", "rejected.jsonl"):
        assert (out / name).is_file(), name
    assert (out / "ATTRIBUTION.md").is_file()
    # One folder per collection; a shard per partition, named after it.
    assert sorted(p.name for p in (out / "data").iterdir()) == ["nasa-spacex", "scikit-image-gallery"]
    files = sorted(p.relative_to(out).as_posix() for p in (out / "data").rglob("*.*"))
    shards = sample_release.release["shards"]
    assert files == sorted([s["name"] for s in shards] + [s["index"] for s in shards])


def held_for_every_kind_of_reason(manifests: Path) -> dict[str, bytes]:
    """A registered collection whose held-back items have good local files: in copyright, train-ai=n, a
    steward's hold, a conflict with an embedded-style notice; and two that ship. Returns the files by id."""
    files = {f"files/{name}.png": image_bytes(color=(20 + 30 * n, 90, 200 - 20 * n)) for n, name in enumerate(
        ["in-copyright", "no-ai", "steward-hold", "conflict", "ships-1", "ships-2"])}  # fmt: skip
    rows = [
        {"id": "in-copyright", "file": "files/in-copyright.png", "title": "Poster",
         "rights": "http://rightsstatements.org/vocab/InC/1.0/", "ai_preferences": "", "copyright_notice": ""},
        {"id": "no-ai", "file": "files/no-ai.png", "title": "Quilt", "rights": "", "ai_preferences": "train-ai=n",
         "copyright_notice": ""},
        {"id": "steward-hold", "file": "files/steward-hold.png", "title": "Mask", "rights": "",
         "ai_preferences": "", "copyright_notice": ""},
        {"id": "conflict", "file": "files/conflict.png", "title": "Portrait", "rights": "",
         "ai_preferences": "", "copyright_notice": "© Estate of the artist"},
        {"id": "ships-1", "file": "files/ships-1.png", "title": "Harbour", "rights": "", "ai_preferences": "",
         "copyright_notice": ""},
        {"id": "ships-2", "file": "files/ships-2.png", "title": "Orchard", "rights": "", "ai_preferences": "",
         "copyright_notice": ""},
    ]  # fmt: skip
    folder = write_collection(manifests, rows, collection_id="held-museum", files=files, rights=CC0)
    (folder / "review.csv").write_text(
        "id,decision,reviewer,date,note,override\nsteward-hold,hold,A. Steward,2026-11-01,Ask the community,no\n",
        encoding="utf-8",
    )
    return {name.removeprefix("files/").removesuffix(".png"): data for name, data in files.items()}


def test_nothing_a_release_writes_pictures_a_held_back_item(tmp_path: Path) -> None:
    """Whatever the reason an item is held back, no file of the release holds its picture; a local build's
    report of the same collection pictures them for the staff, each marked not for publication."""
    manifests = tmp_path / "manifests"
    held_files = held_for_every_kind_of_reason(manifests)
    result = make_release(
        manifests,
        tmp_path / "releases" / "2026.11",
        Settings(as_of="2026-11-30"),
        ReleaseOptions(source_url=SOURCE_URL),
    )
    held = {r["id"]: r["reason"] for r in map(json.loads, (result.out / "rejected.jsonl").read_text().splitlines())}
    assert held == {
        "in-copyright": "rights:not-public-domain",
        "no-ai": "preference:no-ai-training",
        "steward-hold": "review:hold",
        "conflict": "rights:conflict",
    }
    pictures = {name: thumbnail_uri(data, HELD_SIDE) for name, data in held_files.items()}
    released = {p.relative_to(result.out).as_posix(): p.read_bytes() for p in result.out.rglob("*") if p.is_file()}
    for name, data in released.items():
        for item in held:
            assert held_files[item] not in data, (name, item)
            assert (pictures[item] or "").encode() not in data, (name, item)
    page = released["report.html"].decode("utf-8")
    assert held_back_pictures(page) == 0 and NOT_FOR_PUBLICATION not in page
    assert all(item in page for item in held)  # listed in words
    assert page.count("data:image/") == result.report["totals"]["shipped"] == 2  # the gallery of what ships

    staff = tmp_path / "staff"
    collections = load_collections([manifests / "held-museum"])
    build(collections, staff, Settings(as_of="2026-11-30"))
    staff_page = (staff / "report.html").read_text(encoding="utf-8")
    assert held_back_pictures(staff_page) == 4 and staff_page.count(f">{NOT_FOR_PUBLICATION}<") == 4
    assert all((pictures[item] or "-") in staff_page for item in held)


def test_release_json_records_version_settings_counts_and_checksums(sample_release: ReleaseResult) -> None:
    out = sample_release.out
    meta = json.loads((out / "release.json").read_text(encoding="utf-8"))
    assert meta == sample_release.release
    assert (meta["version"], meta["as_of"], meta["policy"], meta["pdpack_version"]) == (
        "2026.11",
        "2026-11-30",
        "worldwide",
        __import__("packager").__version__,
    )
    assert meta["previous"] is None
    counts = {c["id"]: (c["items"], c["shipped"], c["rejected"]) for c in meta["collections"]}
    assert counts == {"nasa-spacex": (3, 1, 2), "scikit-image-gallery": (11, 7, 4)}
    assert meta["totals"]["shipped"] == 8
    for shard in meta["shards"]:
        assert shard["sha256"] == sha256(out / shard["name"])
        assert shard["index_sha256"] == sha256(out / shard["index"])
    expected_inputs = {
        f"manifests/examples/{name}/{file}": sha256(EXAMPLES / name / file)
        for name in ("nasa-spacex", "scikit-image-gallery")
        for file in ("collection.yaml", "items.csv")
    }
    expected_inputs["manifests/takedowns.csv"] = sha256(REPO / "manifests" / "takedowns.csv")
    assert meta["inputs"] == expected_inputs
    assert meta["outputs"] == {name: sha256(out / name) for name in ("report.json", "rejected.jsonl", "ATTRIBUTION.md")}
    assert meta["license"]["license"] == "other"  # CC0 and the Public Domain Mark both ship
    by_statement = meta["shipped_by_statement"]["public_domain"]
    assert set(by_statement) == {CC0, "http://creativecommons.org/publicdomain/mark/1.0/"}
    assert sum(by_statement.values()) == 8


def test_release_json_has_no_machine_paths_or_timestamps(sample_release: ReleaseResult) -> None:
    text = (sample_release.out / "release.json").read_text(encoding="utf-8")
    assert str(sample_release.out.parent) not in text and str(REPO) not in text
    assert not re.search(r"\d{2}:\d{2}", text)
    assert set(re.findall(r"\b\d{4}-\d{2}-\d{2}\b", text)) == {"2026-11-30"}


def test_same_manifests_and_as_of_give_the_same_release_through_the_command(
    sample_release: ReleaseResult, tmp_path: Path
) -> None:
    out = tmp_path / "elsewhere" / "2026.11"
    result = run(
        "--manifests", REPO / "manifests", "--include-examples", "--as-of", "2026-11-30", "--out", out,
        "--no-previous", "--repo", REPO_ID, "--source-url", SOURCE_URL, "--shard-max-size", "1GB", "--workers", 2,
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    assert "Release 2026.11 (as of 2026-11-30, policy worldwide): 8 sample(s) from 14 item(s)" in result.output
    assert "first release: nothing to compare with" in result.output
    first = sample_release.out
    for name in (
        "release.json",
        "README.md",
        "croissant.json",
        "CHANGELOG.md",
        sample_release.release["shards"][0]["name"],
    ):
        assert (out / name).read_bytes() == (first / name).read_bytes(), name


# --- comparing with the previous release -------------------------------------------------------------


@pytest.fixture(scope="module")
def two_releases(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[ReleaseResult, ReleaseResult]]:
    root = tmp_path_factory.mktemp("two")
    manifests = root / "manifests"
    gallery = copy_gallery(manifests)
    spare = write_collection(
        manifests,
        [{"id": "p1", "file": "files/p1.png", "title": "A red square"}],
        collection_id="spare-collection",
        files={"files/p1.png": image_bytes("PNG", (40, 30), (180, 20, 20))},
        rights=CC0,
    )
    releases = root / "releases"
    first = make_release(
        manifests, releases / "2026.11", Settings(as_of="2026-11-30"), ReleaseOptions(source_url=SOURCE_URL)
    )

    def change(rows: list[dict[str, str]]) -> list[dict[str, str]]:
        kept = [r for r in rows if r["id"] != "camera"]  # removed from the manifest
        for row in kept:
            if row["id"] == "coffee":
                row["rights"] = "All rights reserved"  # now held back: not public domain
            if row["id"] == "moon":
                row["rights"] = CC0  # was held back for want of a statement
        return kept

    edit_rows(gallery, change)
    shutil.rmtree(spare)
    yield (
        first,
        make_release(
            manifests, releases / "2026.12", Settings(as_of="2026-12-02"), ReleaseOptions(source_url=SOURCE_URL)
        ),
    )


def test_changelog_says_what_was_added_and_removed_and_why(two_releases: tuple[ReleaseResult, ReleaseResult]) -> None:
    _, second = two_releases
    assert second.release["previous"] == {"version": "2026.11", "as_of": "2026-11-30"}
    assert second.release["changes"] == {"added": 1, "removed": 3}
    text = (second.out / "CHANGELOG.md").read_text(encoding="utf-8")
    assert text.index("## 2026.12 (as of 2026-12-02)") < text.index("## 2026.11 (as of 2026-11-30)")
    assert "Compared with release 2026.11 (as of 2026-11-30): 1 sample(s) added, 3 removed." in text
    assert "- camera: no longer in the manifest" in text
    assert "- coffee: rights:not-public-domain" in text
    assert "- moon: previously held back: rights:undetermined" in text
    assert "- p1: collection no longer in the release" in text
    assert "First release: 8 sample(s) from 2 collection(s)." in text  # the earlier section, kept
    card = (second.out / "README.md").read_text(encoding="utf-8")
    assert "| scikit-image-gallery | 1 | 2 | no longer in the manifest (1), rights:not-public-domain (1) |" in card


def test_the_previous_release_is_the_newest_sibling(two_releases: tuple[ReleaseResult, ReleaseResult]) -> None:
    first, second = two_releases
    assert previous_release(second.out) == first.out
    assert previous_release(first.out) == second.out  # the other one, whatever the order of the builds
    assert previous_release(first.out.parent / "2027.01") == second.out  # newest as-of date


def test_an_explicit_previous_must_be_a_release(tmp_path: Path) -> None:
    (tmp_path / "not-a-release").mkdir()
    settings = Settings(as_of="2026-11-30")
    for previous, refused in (
        (tmp_path / "not-a-release", "not a pdpack release"),
        (tmp_path / "out", "is the output"),
    ):
        options = ReleaseOptions(include_examples=True, previous=previous, source_url=SOURCE_URL)
        with pytest.raises(ReleaseError, match=refused):
            make_release(REPO / "manifests", tmp_path / "out", settings, options)


# --- takedowns ---------------------------------------------------------------------------------------


def small_manifests(root: Path, takedowns: str) -> Path:
    manifests = root / "manifests"
    write_collection(
        manifests,
        [
            {"id": "keep", "file": "files/keep.png", "title": "Kept"},
            {"id": "gone", "file": "files/gone.png", "title": "Taken down"},
        ],
        collection_id="museum",
        files={
            "files/keep.png": image_bytes("PNG", (40, 30), (20, 180, 20)),
            "files/gone.png": image_bytes("PNG", (30, 40), (20, 20, 180)),
        },
        rights=CC0,
    )
    (manifests / "takedowns.csv").write_text(TAKEDOWNS_HEADER + takedowns, encoding="utf-8")
    return manifests


def test_a_broken_takedowns_file_stops_the_release_naming_the_row(tmp_path: Path) -> None:
    manifests = small_manifests(tmp_path, "museum,gone,,yesterday,why\n")
    with pytest.raises(ManifestError) as info:
        make_release(manifests, tmp_path / "out", Settings(as_of="2026-11-30"), ReleaseOptions(source_url=SOURCE_URL))
    assert (info.value.row, info.value.column) == (2, "date")
    assert not (tmp_path / "out").exists()


def test_a_release_holds_back_taken_down_items(tmp_path: Path) -> None:
    manifests = small_manifests(tmp_path, "museum,gone,,2026-11-01,Rights holder request\n")
    result = make_release(
        manifests,
        tmp_path / "releases" / "2026.11",
        Settings(as_of="2026-11-30"),
        ReleaseOptions(source_url=SOURCE_URL),
    )
    assert result.report["rejected_by_reason"] == {"takedown": 1}
    assert result.release["totals"]["shipped"] == 1
    (line,) = (result.out / "rejected.jsonl").read_text(encoding="utf-8").splitlines()
    assert "2026-11-01" in line and "Rights holder request" in line
    assert result.release["inputs"]["manifests/takedowns.csv"] == sha256(manifests / "takedowns.csv")
    assert "This release excludes 1 taken-down item(s)." in (result.out / "README.md").read_text(encoding="utf-8")


# --- the command -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("args", "words"),
    [
        (["--push"], "--push needs --repo"),
        (["--previous", ".", "--no-previous"], "not both"),
        (["--version", "../x"], "not a release version"),
        (["--repo", "no-slash"], "not a Hub repository id"),
        (["--as-of", "2026-13-01"], "not a date"),
        (["--policy", "atlantis"], "atlantis"),
        (["--shard-max-size", "lots"], "not a size"),
    ],
)
def test_command_refuses_bad_options(args: list[str], words: str, tmp_path: Path) -> None:
    result = run("--manifests", REPO / "manifests", "--out", tmp_path / "out", *args)
    assert result.exit_code == 2
    assert words in result.output
    assert not (tmp_path / "out").exists()


def test_command_reports_a_manifest_error(tmp_path: Path) -> None:
    manifests = small_manifests(tmp_path, "museum,,,2026-11-01,why\n")
    result = run("--manifests", manifests, "--out", tmp_path / "out")
    assert result.exit_code == 1
    assert "Error: " in result.output and "takedowns.csv, row 2, column 'id'" in result.output


def test_push_without_a_token_fails_before_building(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    from huggingface_hub import constants

    monkeypatch.delenv("HF_TOKEN", raising=False)
    monkeypatch.delenv("HUGGING_FACE_HUB_TOKEN", raising=False)
    monkeypatch.setenv("HF_HOME", str(tmp_path / "hf-home"))
    monkeypatch.setattr(constants, "HF_TOKEN_PATH", str(tmp_path / "hf-home" / "token"))
    result = run("--manifests", REPO / "manifests", "--include-examples", "--out", tmp_path / "out", "--push",
                 "--repo", REPO_ID)  # fmt: skip
    assert result.exit_code == 1
    assert "No Hugging Face token" in result.output
    assert not (tmp_path / "out").exists()


# --- pushing to a Hub --------------------------------------------------------------------------------

TOKEN = "hf_PdpackReleaseToken0123456789abcdef"


@pytest.fixture
def hub(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Iterator[Any]:
    """A Hub on 127.0.0.1 (tests/hub_server.py), with the client pointed at it as tests/test_push.py does."""
    from tests.hub_server import configured_hub

    with configured_hub(monkeypatch, tmp_path, TOKEN) as server:
        yield server


@pytest.mark.filterwarnings("ignore:Use 'content=<...>':DeprecationWarning")
def test_release_push_publishes_the_folder_and_tags_the_version(hub: Any, tmp_path: Path) -> None:
    out = tmp_path / "releases" / "2026.11"
    result = run("--manifests", REPO / "manifests", "--include-examples", "--as-of", "2026-11-30", "--out", out,
                 "--push", "--repo", REPO_ID)  # fmt: skip
    assert result.exit_code == 0, result.output
    repo = hub.repos[REPO_ID]
    local = {
        p.relative_to(out).as_posix(): p.read_bytes()
        for p in out.rglob("*")
        # push leaves out dot folders: the partition records the next release reuses go in packs (below)
        if p.is_file() and not p.relative_to(out).as_posix().startswith(".")
    }
    local |= {path: source.read_bytes() for path, source in write_packs(out)}
    remote = {path: data for path, data in repo.files.items() if path != ".gitattributes"}
    assert remote == local
    assert repo.tags["2026.11"] == repo.branches["main"]
    assert repo.pushed_commits()[-1].changed[-1] == "README.md"  # the card goes last
    assert "tag 2026.11" in result.output
    again = run("--manifests", REPO / "manifests", "--include-examples", "--as-of", "2026-11-30", "--out", out,
                "--push", "--repo", REPO_ID)  # fmt: skip
    assert again.exit_code == 0, again.output
    assert "Pushed 0 file(s)" in again.output  # the same release: nothing new to send
