"""A release that reuses the previous release on the Hub without downloading its shards (tests/hub_server.py).

November is released and pushed with its partition records. For December one item is added and one title
changed; `python -m packager.publish.previous` fetches November's metadata, records, indexes and only the
shards report.html pictures samples from, and lists what the Hub holds at the tag. December built from that
reuses every unchanged partition, leaving its tars in the repo, and must publish exactly what a cold
release of the same inputs publishes; its push sends only what changed.
"""

from __future__ import annotations

import csv
import json
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

from packager.builder.records import PartitionRecord
from packager.builder.remote import REMOTE_FILE, load_remote
from packager.builder.reuse import PUBLISHED_RECORDS, record_files
from packager.builder.run import build, load_collections
from packager.builder.stages import Settings
from packager.jsonutil import dumps_pretty
from packager.model import PushError
from packager.outputs.report_data import gallery_shards
from packager.publish.hub import local_files, plan_push, push
from packager.publish.hubcalls import make_api
from packager.publish.previous import main
from packager.publish.release import ReleaseOptions, ReleaseResult, make_release
from packager.sample import ShardInfo
from tests.helpers import image_bytes, write_collection
from tests.hub_server import HubServer, configured_hub

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


def published(folder: Path) -> dict[str, bytes]:
    """What a push of the folder publishes, by path (the rule is pdpack's own: local_files)."""
    return {f.path: f.source.read_bytes() for f in local_files(folder)}


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
    records = [p for p in repo.files if p.startswith(".pdpack/partitions/")]
    assert len(records) == len(list((november.out / ".pdpack" / "partitions").glob("*/*.json.gz"))) > 6
    assert not any(p.startswith(".pdpack/") and p not in records for p in repo.files)  # no checkpoint, no index

    edit(folder)
    assert main(["--repo", REPO_ID, "--before", "2026.12", "--out", str(tmp_path / "previous")]) == 0
    previous = tmp_path / "previous"
    shards = [ShardInfo(**s) for s in november.release["shards"]]
    pictured = gallery_shards(shards)
    assert 0 < len(pictured) < len(shards) - 4
    assert tars(previous) == set(pictured)  # the shards report.html needs, and no other
    said = capsys.readouterr().out
    assert f"{len(records)} partition record(s); {len(pictured)} of its {len(shards)} shard(s) downloaded" in said
    remote = load_remote(previous)
    assert remote is not None and remote.repo == REPO_ID and remote.revision == "2026.11"
    assert remote.commit == repo.tags["2026.11"] and all(remote.holds(s) for s in shards)

    cold_previous = tmp_path / "previous-metadata-only"
    shutil.copytree(previous, cold_previous, ignore=shutil.ignore_patterns(".pdpack", "*.tar"))
    cold = release(folder, tmp_path / "cold" / "2026.12", "2026-12-02", cold_previous)
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
    assert {p for p in sent if p.endswith(".tar")} == changed
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


def test_a_release_published_with_uncompressed_records_is_reused_and_its_records_replaced(
    hub: HubServer, tmp_path: Path
) -> None:
    folder = manifests(tmp_path, prints_count=10, photos_count=40)
    november = release(folder, tmp_path / "2026.11", "2026-11-30", None)
    # As pdpack published records before they were compressed: indented JSON, one .json per partition.
    for _, _, path in record_files(november.out / PUBLISHED_RECORDS):
        record = PartitionRecord.from_bytes(path.read_bytes())
        path.with_name(path.name.removesuffix(".gz")).write_text(dumps_pretty(record.to_json()), encoding="utf-8")
        path.unlink()
    api = make_api(TOKEN)
    push(api, plan_push(api, november.out, REPO_ID), private=False, tag="2026.11", commit_message="Release 2026.11")
    repo = hub.repos[REPO_ID]
    old_records = {p for p in repo.files if p.startswith(PUBLISHED_RECORDS)}
    assert old_records and all(p.endswith(".json") for p in old_records)

    edit(folder)
    assert main(["--repo", REPO_ID, "--before", "2026.12", "--out", str(tmp_path / "previous")]) == 0
    previous = tmp_path / "previous"
    assert {f".pdpack/partitions/{c}/{n}.json" for c, n, _ in record_files(previous / PUBLISHED_RECORDS)} == old_records
    cold_previous = tmp_path / "previous-metadata-only"
    shutil.copytree(previous, cold_previous, ignore=shutil.ignore_patterns(".pdpack", "*.tar"))
    cold = release(folder, tmp_path / "cold" / "2026.12", "2026-12-02", cold_previous)
    warm = release(folder, tmp_path / "warm" / "2026.12", "2026-12-02", previous)

    # Its partitions are reused from the old records (their tars stay in the repo), and December's records
    # are written as now; the push replaces November's .json records with them.
    cold_files, warm_files = published(cold.out), published(warm.out)
    kept = set(cold_files) - set(warm_files)
    assert kept and all(p.endswith(".tar") for p in kept)
    assert warm_files == {p: b for p, b in cold_files.items() if p not in kept}
    push(api, plan_push(api, warm.out, REPO_ID), private=False, tag="2026.12", commit_message="Release 2026.12")
    assert {p: b for p, b in repo.files.items() if p != ".gitattributes"} == cold_files
    assert not old_records & set(repo.files)
