"""Releases made at a URL (moto's S3 server, tests/s3_server.py) and pushed from there (tests/hub_server.py).

A release to `s3://…` holds, object for object, the files of a release into a folder; `pdpack push` of that URL
publishes what a push of the folder publishes. The next month's release at a URL beside it finds it as the
previous release, reuses its partitions inside the storage, and its push fetches only the shards that changed.
"""

from __future__ import annotations

import csv
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner

import packager
from packager.builder.reuse import PUBLISHED_RECORDS, record_files
from packager.builder.stages import Settings
from packager.builder.target import Target
from packager.cli.push import push as push_command
from packager.publish.hub import local_files, plan_push, push
from packager.publish.hubcalls import make_api
from packager.publish.record_packs import PACK_SUFFIX
from packager.publish.release import ReleaseOptions, make_release
from packager.publish.release_url import stage_for_repo
from tests.hub_server import HubServer, configured_hub
from tests.s3_server import KEY, SECRET, s3_server
from tests.test_remote_previous import manifests

pytestmark = pytest.mark.filterwarnings("ignore:Use 'content=<...>':DeprecationWarning")
TOKEN = "hf_PdpackReleaseUrlToken0123456789abcd"
REPO_ID = "test-org/pd-images"
SOURCE = "https://git.example/pdpack"
RELEASES = "s3://pdpack-test/releases"


@pytest.fixture
def hub(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Iterator[HubServer]:
    with configured_hub(monkeypatch, tmp_path, TOKEN) as server:
        yield server


def published(folder: Path) -> dict[str, bytes]:
    return {f.path: f.source.read_bytes() for f in local_files(folder)}


def kept(folder: Path) -> dict[str, bytes]:
    """What a build keeps of a release: what a push of it publishes, but the records one file per partition, as
    the build reads them (push publishes them in packs, packager.publish.record_packs)."""
    files = {path: data for path, data in published(folder).items() if not path.endswith(PACK_SUFFIX)}
    records = record_files(folder / PUBLISHED_RECORDS)
    return files | {path.relative_to(folder).as_posix(): path.read_bytes() for _, _, path in records}


def settings(as_of: str) -> Settings:
    return Settings(as_of=as_of, shard_max_count=8)


def retitle(folder: Path) -> None:
    items = folder / "b-photos" / "items.csv"
    with items.open(encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
    rows[-5]["title"] = "Retitled"
    with items.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)


def test_a_release_at_a_url_is_the_folder_release_and_pushes_only_what_changed(hub: HubServer, tmp_path: Path) -> None:
    folder = manifests(tmp_path, prints_count=10, photos_count=40)
    local = tmp_path / "releases"
    with s3_server("pdpack-test") as s3:
        options = {"endpoint_url": s3.endpoint, "key": KEY, "secret": SECRET}
        flags = [arg for key, value in options.items() for arg in ("--storage-option", f"{key}={value}")]

        def release(version: str, as_of: str) -> None:
            made = packager.release(folder, f"{RELEASES}/{version}", settings(as_of), repo_id=REPO_ID,
                                    source_url=SOURCE, storage_options=options)  # fmt: skip
            assert made.out == f"{RELEASES}/{version}"
            here = make_release(
                folder, local / version, settings(as_of), ReleaseOptions(repo_id=REPO_ID, source_url=SOURCE)
            )
            state = (".pdpack/checkpoint.json", ".pdpack/progress.json")  # kept there for --resume
            stored = {k: v for k, v in s3.objects(made.out).items() if k not in state}
            assert stored == kept(here.out)  # every file, record and shard, byte for byte

        release("2026.11", "2026-11-30")
        pushed = CliRunner().invoke(push_command, [f"{RELEASES}/2026.11", "--repo", REPO_ID, "--tag", "2026.11",
                                                   *flags])  # fmt: skip
        assert pushed.exit_code == 0, pushed.output
        repo = hub.repos[REPO_ID]
        assert {p: b for p, b in repo.files.items() if p != ".gitattributes"} == published(local / "2026.11")

        retitle(folder)
        release("2026.12", "2026-12-02")  # the previous release is found beside it, at the URL
        december = published(local / "2026.12")
        staged = stage_for_repo(make_api(TOKEN), Target(f"{RELEASES}/2026.12", options), REPO_ID, tmp_path / "st")
    shards = {name: data for name, data in december.items() if name.startswith("data/") and name.endswith(".tar")}
    changed = {name for name, data in shards.items() if repo.files.get(name) != data}
    assert changed and {p.relative_to(staged).as_posix() for p in staged.rglob("*.tar")} == changed
    api = make_api(TOKEN)
    plan = plan_push(api, staged, REPO_ID)
    assert plan.kept_in_repo and not set(plan.kept_in_repo) & changed
    push(api, plan, private=False, tag="2026.12", commit_message="Release 2026.12")
    assert {p: b for p, b in repo.files.items() if p != ".gitattributes"} == december
    assert b"2026.11" in december["CHANGELOG.md"] and b'"version": "2026.11"' in december["release.json"]


def test_a_previous_release_at_a_url_needs_a_url_out(tmp_path: Path) -> None:
    from packager.cli.release import release as release_command

    args = ["--manifests", str(manifests(tmp_path, 6, 6)), "--out", str(tmp_path / "out"),
            "--previous", f"{RELEASES}/2026.11", "--contact", "rights@museum.example"]  # fmt: skip
    done = CliRunner().invoke(release_command, args)
    assert done.exit_code == 2
    assert f"{RELEASES}/2026.11 is a URL: give a folder, or a URL --out" in done.output
    assert not (tmp_path / "out").exists()  # refused before anything is built
