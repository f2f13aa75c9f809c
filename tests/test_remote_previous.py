"""A release that reuses the previous release on the Hub without downloading its shards (tests/hub_server.py).

November is released and pushed with its partition records, which a push publishes in packs with the indexes
(packager.publish.record_packs). For December one item is added and one title changed;
`python -m packager.publish.previous` fetches November's metadata, its packs (and no index one by one) and
only the shards report.html pictures samples from, and lists what the Hub holds at the tag. December built
from that reuses every unchanged partition, leaving its tars in the repo, and must publish exactly what a
cold release of the same inputs publishes; its push sends only what changed. A release that pdpack
published before packs (one record file per partition, gzipped or indented JSON) is reused all the same.
"""

from __future__ import annotations

import csv
import io
import json
import shutil
import tarfile
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest

from packager.builder.records import PartitionRecord
from packager.builder.remote import REMOTE_FILE, load_remote
from packager.builder.reuse import PUBLISHED_RECORDS, record_files
from packager.builder.run import build, load_collections
from packager.builder.stages import Settings
from packager.jsonutil import dumps_pretty
from packager.model import PushError
from packager.outputs.report_data import gallery_shards
from packager.publish import previous as previous_module
from packager.publish.hub import local_files, plan_push, push
from packager.publish.hubcalls import make_api
from packager.publish.previous import main
from packager.publish.release import ReleaseOptions, ReleaseResult, make_release
from packager.sample import ShardInfo, shard_folder
from tests.helpers import flatten_shards, image_bytes, write_collection
from tests.hub_server import HubServer, configured_hub

if TYPE_CHECKING:
    from huggingface_hub import HfApi

pytestmark = pytest.mark.filterwarnings("ignore:Use 'content=<...>':DeprecationWarning")
TOKEN = "hf_PdpackRemotePreviousToken0123456789ab"
REPO_ID = "test-org/pd-images"
SOURCE = "https://git.example/pdpack"
SHARD = 8


@pytest.fixture
def hub(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Iterator[HubServer]:
    with configured_hub(monkeypatch, tmp_path, TOKEN) as server:
        yield server


def manifests(root: Path, prints_count: int = 30, photos_count: int = 80) -> Path:
    """Two collections; the second repeats a picture of the first (deduplication) and names a missing file."""
    folder = root / "manifests"
    prints = {f"files/{n:03d}.png": image_bytes(color=(n * 7, 90, 255 - n * 3)) for n in range(prints_count)}
    write_collection(folder, [{"id": f"p-{n:03d}", "file": f"files/{n:03d}.png", "title": f"Print {n}"}
                              for n in range(prints_count)], "a-prints", prints)  # fmt: skip
    photos = {f"files/{n:03d}.png": image_bytes(color=(40, n * 3, n * 5 % 256)) for n in range(photos_count)}
    photos["files/copy.png"] = prints["files/005.png"]
    rows = [{"id": f"q-{n:03d}", "file": f"files/{n:03d}.png", "title": f"Photo {n}"} for n in range(photos_count)]
    rows += [{"id": "q-050x", "file": "files/copy.png", "title": "A copy"},
             {"id": "q-060x", "file": "files/gone.png", "title": "Not there"}]  # fmt: skip
    write_collection(folder, rows, "b-photos", photos)
    return folder


def edit(folder: Path) -> None:
    """December: one photo added at the end, one title changed in the middle."""
    items = folder / "b-photos" / "items.csv"
    with items.open(encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
    for row in rows:
        if row["id"] == "q-040":
            row["title"] = "Photo 40, retitled"
    rows.append({"id": "q-zzz", "file": "files/new.png", "title": "New photo"})
    (folder / "b-photos" / "files" / "new.png").write_bytes(image_bytes(color=(1, 2, 3)))
    with items.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)


def release(folder: Path, out: Path, as_of: str, previous: Path | None) -> ReleaseResult:
    settings = Settings(as_of=as_of, shard_max_count=SHARD)
    return make_release(folder, out, settings, ReleaseOptions(previous=previous, repo_id=REPO_ID, source_url=SOURCE))


def cold_release(folder: Path, tmp_path: Path, previous: Path) -> ReleaseResult:
    """December's release from the fetched previous release's metadata only (no records, no tars): nothing reused."""
    metadata_only = tmp_path / "previous-metadata-only"
    shutil.copytree(previous, metadata_only, ignore=shutil.ignore_patterns(".pdpack", "*.tar"))
    return release(folder, tmp_path / "cold" / "2026.12", "2026-12-02", metadata_only)


def published(folder: Path) -> dict[str, bytes]:
    """What a push of the folder publishes, by path (the rule is pdpack's own: local_files)."""
    return {f.path: f.source.read_bytes() for f in local_files(folder)}


def tar_members(data: bytes) -> dict[str, bytes]:
    with tarfile.open(fileobj=io.BytesIO(data)) as archive:
        return {m.name: archive.extractfile(m).read() for m in archive if m.isreg()}  # type: ignore[union-attr]


def tars(folder: Path) -> set[str]:
    return {p.relative_to(folder).as_posix() for p in (folder / "data").rglob("*.tar")}


def test_december_reuses_november_on_the_hub_without_its_shards(
    hub: HubServer, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    folder = manifests(tmp_path)
    november = release(folder, tmp_path / "2026.11", "2026-11-30", None)
    api = make_api(TOKEN)
    push(api, plan_push(api, november.out, REPO_ID), private=False, tag="2026.11", commit_message="Release 2026.11")
    repo = hub.repos[REPO_ID]
    packs = [p for p in repo.files if p.startswith(".pdpack/partitions/")]
    records = record_files(november.out / PUBLISHED_RECORDS)
    shards = [ShardInfo(**s) for s in november.release["shards"]]
    assert len(records) > 6 and all(p.endswith(".records.tar") for p in packs) and len(packs) == 2  # one a collection
    assert not any(p.startswith(".pdpack/") and p not in packs for p in repo.files)  # no checkpoint, no index
    # The packs hold every record and every index, byte for byte, under their own names.
    members = {name: data for pack in packs for name, data in tar_members(repo.files[pack]).items()}
    assert members == {p.name: p.read_bytes() for _, _, p in records} | {
        Path(s.index).name: (november.out / s.index).read_bytes() for s in shards
    }

    edit(folder)
    hub.reset_counters()
    assert main(["--repo", REPO_ID, "--before", "2026.12", "--out", str(tmp_path / "previous")]) == 0
    previous = tmp_path / "previous"
    pictured = gallery_shards(shards)
    assert 0 < len(pictured) < len(shards) - 4
    assert tars(previous) == set(pictured)  # the shards report.html needs, and no other
    # Every record and index came in the packs: the files fetched are the metadata, the packs and those shards.
    fetched = [method for method, endpoint, status in hub.log if endpoint == "resolve" and status == 200]
    assert fetched.count("GET") == 3 + len(packs) + len(pictured)  # release.json, rejected.jsonl, CHANGELOG.md
    assert not (previous / ".pdpack" / "packs").exists() and not list(previous.rglob("*.records.tar"))
    fetched_files = {p.relative_to(previous).as_posix(): p.read_bytes() for p in previous.rglob("*") if p.is_file()}
    assert {p: fetched_files.get(p) for p in (f".pdpack/partitions/{c}/{p.name}" for c, _, p in records)} == {
        f".pdpack/partitions/{c}/{p.name}": p.read_bytes() for c, _, p in records
    }
    assert all(fetched_files[s.index] == (november.out / s.index).read_bytes() for s in shards)
    said = capsys.readouterr().out
    assert f"{len(records)} partition record(s); {len(pictured)} of its {len(shards)} shard(s) downloaded" in said
    remote = load_remote(previous)
    assert remote is not None and remote.repo == REPO_ID and remote.revision == "2026.11"
    assert remote.commit == repo.tags["2026.11"] and all(remote.holds(s) for s in shards)

    cold = cold_release(folder, tmp_path, previous)
    hub.reset_counters()
    warm = release(folder, tmp_path / "warm" / "2026.12", "2026-12-02", previous)
    assert hub.requests.total() == 0  # the build itself asks the Hub nothing

    # December holds what a release built from scratch holds, byte for byte, but the tars of reused partitions.
    cold_files, warm_files = published(cold.out), published(warm.out)
    kept = set(cold_files) - set(warm_files)
    assert warm_files == {p: b for p, b in cold_files.items() if p not in kept}
    assert warm.release == cold.release and warm.release["changes"] == {"added": 1, "removed": 0}
    changed = {s["name"] for s in cold.release["shards"] if s not in november.release["shards"]}
    assert changed and not changed & kept and all(p.endswith(".tar") for p in kept)
    assert tars(warm.out) == changed | set(pictured)  # the shards it wrote, and the gallery's
    assert len(kept) >= len(shards) - len(pictured) - 3
    assert json.loads((warm.out / ".pdpack" / REMOTE_FILE).read_text(encoding="utf-8"))["revision"] == "2026.11"

    # Resumed (here: after it completed), the build reuses the shards left in the repo again, writing none.
    again_settings = Settings(as_of="2026-12-02", shard_max_count=SHARD)
    collections = load_collections(sorted(p.parent for p in folder.glob("*/collection.yaml")))
    build(collections, warm.out, again_settings, resume=True, for_publication=True)
    assert tars(warm.out) == changed | set(pictured)
    rebuilt = {k: v for k, v in published(warm.out).items() if k != "README.md"}  # a build writes its own card
    assert rebuilt == {k: v for k, v in warm_files.items() if k != "README.md"}
    (warm.out / "README.md").write_bytes(warm_files["README.md"])

    # The push sends the changed files, keeps the reused shards in the repo and deletes what is gone.
    plan = plan_push(api, warm.out, REPO_ID)
    assert set(plan.kept_in_repo) == kept
    sent = {f.path for f in plan.to_send}
    assert {p for p in sent if p.startswith("data/") and p.endswith(".tar")} == changed
    # Of the packs, only that of the collection that changed: the other one holds the same bytes.
    assert {p for p in sent if p.startswith(".pdpack/")} == {p for p in packs if "/b-photos/" in p}
    pushed = push(api, plan, private=False, tag="2026.12", commit_message="Release 2026.12")
    assert pushed.bytes_sent < sum(len(b) for b in cold_files.values()) / 3
    assert {p: b for p, b in repo.files.items() if p != ".gitattributes"} == cold_files
    assert hub.unknown == []

    # A shard the Hub does not hold as the record says is built again, not trusted by its name.
    doubted = sorted(kept)[-1]
    listing = json.loads((previous / ".pdpack" / REMOTE_FILE).read_text(encoding="utf-8"))
    listing["files"][doubted]["sha256"] = "0" * 64
    (previous / ".pdpack" / REMOTE_FILE).write_text(json.dumps(listing), encoding="utf-8")
    again = release(folder, tmp_path / "again" / "2026.12", "2026-12-02", previous)
    assert doubted in tars(again.out)
    assert published(again.out) == {p: b for p, b in cold_files.items() if p not in kept - {doubted}}

    # A folder that leaves shards in a repo can only be pushed to that repo.
    with pytest.raises(PushError, match="does not hold those bytes"):
        plan_push(api, warm.out, "test-org/elsewhere")
    capsys.readouterr()


def publish_as_before(api: HfApi, folder: Path, tag: str, suffix: str) -> None:
    """Publish ``folder`` as pdpack published releases before packs: one record file per partition, gzipped
    (``.json.gz``) or, before that, indented JSON (``.json``); sent with the real client, then tagged."""
    from huggingface_hub import CommitOperationAdd, CommitOperationDelete

    push(api, plan_push(api, folder, REPO_ID), private=False, tag=None, commit_message="Release")
    operations: list[Any] = [
        CommitOperationDelete(path)
        for path in api.list_repo_files(REPO_ID, repo_type="dataset")
        if path.endswith(".records.tar")
    ]
    for collection, name, path in record_files(folder / PUBLISHED_RECORDS):
        data = path.read_bytes()
        if suffix == ".json":
            data = dumps_pretty(PartitionRecord.from_bytes(data).to_json()).encode()
        operations.append(CommitOperationAdd(f"{PUBLISHED_RECORDS}{collection}/{name}{suffix}", data))
    api.create_commit(REPO_ID, operations, repo_type="dataset", commit_message="One record file per partition")
    api.create_tag(REPO_ID, tag=tag, repo_type="dataset")


@pytest.mark.parametrize("suffix", [".json.gz", ".json"])
def test_a_release_published_before_packs_is_reused_and_its_records_replaced(
    hub: HubServer, tmp_path: Path, suffix: str
) -> None:
    folder = manifests(tmp_path, prints_count=10, photos_count=40)
    november = release(folder, tmp_path / "2026.11", "2026-11-30", None)
    api = make_api(TOKEN)
    publish_as_before(api, november.out, "2026.11", suffix)
    repo = hub.repos[REPO_ID]
    old_records = {p for p in repo.files if p.startswith(PUBLISHED_RECORDS)}
    assert old_records and all(p.endswith(suffix) and not p.endswith(f"{suffix}.gz") for p in old_records)

    edit(folder)
    assert main(["--repo", REPO_ID, "--before", "2026.12", "--out", str(tmp_path / "previous")]) == 0
    previous = tmp_path / "previous"
    fetched = {f".pdpack/partitions/{c}/{p.name}" for c, _, p in record_files(previous / PUBLISHED_RECORDS)}
    assert fetched == old_records
    cold = cold_release(folder, tmp_path, previous)
    warm = release(folder, tmp_path / "warm" / "2026.12", "2026-12-02", previous)

    # Its partitions are reused from the old records (their tars stay in the repo), and December's records
    # are written and published as now; the push replaces November's record files with packs.
    cold_files, warm_files = published(cold.out), published(warm.out)
    kept = set(cold_files) - set(warm_files)
    assert kept and all(p.startswith("data/") and p.endswith(".tar") for p in kept)
    assert warm_files == {p: b for p, b in cold_files.items() if p not in kept}
    push(api, plan_push(api, warm.out, REPO_ID), private=False, tag="2026.12", commit_message="Release 2026.12")
    assert {p: b for p, b in repo.files.items() if p != ".gitattributes"} == cold_files
    assert not old_records & set(repo.files)
    assert any(p.endswith(".records.tar") for p in repo.files)


def test_a_release_published_in_the_flat_layout_is_sent_again_into_subfolders(hub: HubServer, tmp_path: Path) -> None:
    """Before shard subfolders, a release had its shards at data/COLLECTION/PARTITION-NNN: the next release
    builds every partition again (the pictured ones from their downloaded tars), and its push sends every
    shard to its new path and deletes the old ones."""
    folder = manifests(tmp_path, prints_count=10, photos_count=40)
    november = release(folder, tmp_path / "2026.11", "2026-11-30", None)
    flat = flatten_shards(november.out)
    api = make_api(TOKEN)
    push(api, plan_push(api, november.out, REPO_ID), private=False, tag="2026.11", commit_message="Release 2026.11")
    repo = hub.repos[REPO_ID]
    assert flat and flat <= set(repo.files) and all(p.count("/") == 2 for p in flat)

    edit(folder)
    assert main(["--repo", REPO_ID, "--before", "2026.12", "--out", str(tmp_path / "previous")]) == 0
    previous = tmp_path / "previous"
    assert record_files(previous / PUBLISHED_RECORDS) and tars(previous)  # records, and the pictured tars
    cold = cold_release(folder, tmp_path, previous)
    warm = release(folder, tmp_path / "warm" / "2026.12", "2026-12-02", previous)
    cold_files = published(cold.out)
    assert published(warm.out) == cold_files  # nothing left in the repo: every shard is written again
    plan = plan_push(api, warm.out, REPO_ID)
    assert not plan.kept_in_repo
    assert {p for p in cold_files if p.startswith("data/")} <= {f.path for f in plan.to_send}
    push(api, plan, private=False, tag="2026.12", commit_message="Release 2026.12")
    assert {p: b for p, b in repo.files.items() if p != ".gitattributes"} == cold_files
    assert not flat & set(repo.files)


@pytest.mark.parametrize("by_name", [previous_module.MISSING_BY_NAME, 0])
def test_a_torn_pack_costs_its_partitions_and_its_indexes_come_one_by_one(
    hub: HubServer, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, by_name: int
) -> None:
    """Indexes no pack brought are fetched by name, or (more of them than ``by_name``) by their pattern, which
    fetches again none of those the packs brought."""
    from huggingface_hub import CommitOperationAdd

    monkeypatch.setattr(previous_module, "MISSING_BY_NAME", by_name)

    folder = manifests(tmp_path, prints_count=10, photos_count=40)
    november = release(folder, tmp_path / "2026.11", "2026-11-30", None)
    api = make_api(TOKEN)
    push(api, plan_push(api, november.out, REPO_ID), private=False, tag=None, commit_message="Release 2026.11")
    repo = hub.repos[REPO_ID]
    (torn,) = [p for p in repo.files if p.startswith(".pdpack/partitions/b-photos/")]
    data = repo.files[torn]
    api.create_commit(REPO_ID, [CommitOperationAdd(torn, data[: len(data) // 2])], repo_type="dataset",
                      commit_message="A pack cut in half")  # fmt: skip
    api.create_tag(REPO_ID, tag="2026.11", repo_type="dataset")

    edit(folder)
    hub.reset_counters()
    assert main(["--repo", REPO_ID, "--before", "2026.12", "--out", str(tmp_path / "previous")]) == 0
    previous = tmp_path / "previous"
    shards = [ShardInfo(**s) for s in november.release["shards"]]
    # Every index is there, those the torn pack did not bring fetched by name; some records are missing.
    assert all((previous / s.index).read_bytes() == (november.out / s.index).read_bytes() for s in shards)
    got = {(c, n) for c, n, _ in record_files(previous / PUBLISHED_RECORDS)}
    made = {(c, n) for c, n, _ in record_files(november.out / PUBLISHED_RECORDS)}
    assert got < made and {c for c, _ in made - got} == {"b-photos"}
    fetched = [method for method, endpoint, status in hub.log if endpoint == "resolve" and status == 200]
    b_indexes = [s for s in shards if s.index.startswith("data/b-photos/")]
    assert 3 + 2 < fetched.count("GET") <= 3 + 2 + len(b_indexes) + len(gallery_shards(shards))

    # December reuses what it can, builds the rest again, and publishes what a cold release publishes.
    cold = cold_release(folder, tmp_path, previous)
    warm = release(folder, tmp_path / "warm" / "2026.12", "2026-12-02", previous)
    cold_files, warm_files = published(cold.out), published(warm.out)
    kept = set(cold_files) - set(warm_files)
    assert kept and all(p.startswith("data/") and p.endswith(".tar") for p in kept)
    assert not any(p.startswith(f"{shard_folder(c, n)}/{n}-") for p in kept for c, n in made - got)  # built again
    assert warm_files == {p: b for p, b in cold_files.items() if p not in kept}
