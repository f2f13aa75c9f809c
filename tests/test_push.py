"""`pdpack push` against a Hub-compatible server on 127.0.0.1 (tests/hub_server.py), with the real client.

How the client is pointed at the server: huggingface_hub reads HF_ENDPOINT, HF_HUB_DISABLE_XET, HF_HOME (and
the token path under it) and HF_HUB_DISABLE_TELEMETRY once, when it is first imported, and other test modules
may have imported it already. So the `hub` fixture sets the environment variables (for subprocesses and for
what is read at call time: HF_TOKEN, and HF_ENDPOINT, which `pdpack push` reads itself when it makes its HfApi)
and also patches the constants already read (`HF_HUB_DISABLE_XET`, `HF_HUB_DISABLE_TELEMETRY`,
`HF_TOKEN_PATH`). Downloads pass `endpoint=` explicitly. Xet is disabled because the server speaks the git-LFS
upload path only; telemetry is disabled because it fetches `/api/agent-harnesses` from the import-time endpoint.
One test runs the command in a subprocess configured by environment variables only, as a user would.
"""

from __future__ import annotations

import json
import math
import os
import shutil
import subprocess
import sys
import traceback
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner, Result

from packager.builder.run import build, load_collections
from packager.builder.stages import Settings
from packager.cli.push import push as push_command
from packager.model import PushError
from packager.outputs.report_data import held_back_pictures
from packager.outputs.report_html import REPORT_FILE
from packager.outputs.report_items import NOT_FOR_PUBLICATION
from packager.publish.hub import commit_order, plan_push, push
from packager.publish.hubcalls import NO_TOKEN, is_transient, make_api, scrub
from packager.publish.record_packs import write_packs
from packager.sample import SHARD_GLOB
from tests.hub_server import HubServer, configured_hub

# The client PUTs LFS objects with httpx2's deprecated `data=` (huggingface_hub 2.4.0, lfs._upload_single_part).
pytestmark = pytest.mark.filterwarnings("ignore:Use 'content=<...>':DeprecationWarning")
REPO_ROOT = Path(__file__).resolve().parent.parent
TOKEN = "hf_PdpackTestToken0123456789abcdefXYZ"
BAD_TOKEN = "hf_RevokedToken9876543210zyxwvutsABC"
CARD = """---
license: cc0-1.0
pretty_name: pdpack sample
configs:
- config_name: default
  data_files:
  - split: train
    path: data/*/*.tar
---
# pdpack sample

Public-domain images with captions.
"""


def _build(out: Path, folders: list[Path], **settings: int) -> Path:
    # Built as `pdpack build --for-publication` would: a staff report (pictures of held-back items) is refused.
    build(load_collections(folders), out, Settings(as_of="2026-11-30", **settings), for_publication=True)
    (out / "README.md").write_text(CARD, encoding="utf-8")
    return out


def first_shard(dist: Path) -> dict[str, Any]:
    return json.loads((dist / "report.json").read_text(encoding="utf-8"))["shards"][0]


@pytest.fixture(scope="module")
def sample_dist(tmp_path_factory: pytest.TempPathFactory, example_folders: list[Path]) -> Path:
    """The bundled sample, built as `pdpack build manifests/examples/*/` would, plus a dataset card."""
    return _build(tmp_path_factory.mktemp("sample") / "dist", example_folders)


@pytest.fixture(scope="module")
def sharded_dist(tmp_path_factory: pytest.TempPathFactory, example_folders: list[Path]) -> Path:
    """The same samples, one per shard: many files."""
    return _build(tmp_path_factory.mktemp("sharded") / "dist", example_folders, shard_max_count=1)


@pytest.fixture
def hub(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> HubServer:
    with configured_hub(monkeypatch, tmp_path, TOKEN) as server:
        yield server


def run_push(*args: object) -> Result:
    return CliRunner().invoke(push_command, [str(a) for a in args], catch_exceptions=False)


def tree(root: Path) -> dict[str, bytes]:
    """Path -> bytes of the files a push publishes: no *.tmp, no dotfiles, but the packs of the partition records
    and indexes (which push makes from a build's records, tests/test_record_packs.py; a downloaded release holds
    them where they are published)."""
    files = {
        p.relative_to(root).as_posix(): p.read_bytes()
        for p in root.rglob("*")
        if p.is_file()
        and not p.name.endswith(".tmp")
        and not any(part.startswith(".") for part in p.relative_to(root).parts)
    }
    files |= {p.relative_to(root).as_posix(): p.read_bytes() for p in root.glob(".pdpack/partitions/*/*.records.tar")}
    return files | {path: source.read_bytes() for path, source in write_packs(root)}


def published(server: HubServer, repo_id: str) -> dict[str, bytes]:
    return {p: data for p, data in server.repos[repo_id].files.items() if p != ".gitattributes"}


def sent_line(files: dict[str, bytes], commits: int, url: str, skipped: int = 0) -> str:
    count = f"{len(files)} file{'s' if len(files) != 1 else ''}"
    size = sum(len(b) for b in files.values())
    return f"Sent {count} ({size:,} bytes) in {commits} commit{'s' if commits != 1 else ''} to {url}; skipped {skipped}"


def test_push_then_download_and_load_byte_identical(hub: HubServer, sample_dist: Path, tmp_path: Path) -> None:
    import datasets
    from huggingface_hub import snapshot_download

    from packager.outputs.hf import hf_features

    result = run_push(sample_dist, "--repo", "pdpack-test/sample", "--tag", "v1.0.0")

    assert result.exit_code == 0, result.output
    local = tree(sample_dist)
    assert held_back_pictures(local["report.html"].decode("utf-8")) == 0
    assert b"data:image/" in local["report.html"]  # the shipped samples are pictured
    url = f"{hub.base}/datasets/pdpack-test/sample"
    assert f"Created the dataset repo {url} (public)." in result.stdout
    assert sent_line(local, 1, url) + " unchanged; tagged v1.0.0\n" in result.stdout
    repo = hub.repos["pdpack-test/sample"]
    assert published(hub, "pdpack-test/sample") == local
    commits = repo.pushed_commits()
    assert len(commits) <= math.ceil(len(local) / 100)
    order = [path for commit in commits for path in commit.changed]
    assert order == sorted(local, key=commit_order)
    first = first_shard(sample_dist)
    assert order[:2] == [first["index"], first["name"]]
    assert order[-1] == "README.md"
    assert repo.tags == {"v1.0.0": repo.head.oid}
    assert not repo.private
    data = [p for p in local if p.startswith("data/")]
    assert all(repo.head.files[p].lfs for p in data)
    assert not repo.head.files["report.json"].lfs
    # The Hub's usual .gitattributes store *.tar with LFS: the shards and indexes, and the packs of the records.
    stored = [p for p in local if p.startswith("data/") or p.endswith(".records.tar")]
    assert len(stored) > len(data) and all(repo.head.files[p].lfs for p in stored)
    assert hub.requests["lfs_upload"] == len(stored) and hub.bytes_received["lfs_upload"] == sum(
        len(local[p]) for p in stored
    )
    assert hub.unknown == []

    download = Path(
        snapshot_download(
            "pdpack-test/sample",
            repo_type="dataset",
            revision="v1.0.0",
            endpoint=hub.base,
            token=TOKEN,
            cache_dir=tmp_path / "cache",
            local_dir=tmp_path / "download",
        )
    )
    assert tree(download) == local
    report = json.loads((sample_dist / "report.json").read_text(encoding="utf-8"))
    loaded = datasets.load_dataset(
        "webdataset",
        data_files={"train": str(download / SHARD_GLOB)},
        split="train",
        features=hf_features(),
        cache_dir=str(tmp_path / "datasets-cache"),
    )
    assert loaded.num_rows == report["totals"]["shipped"] > 0


def test_second_push_of_the_same_folder_sends_nothing(hub: HubServer, sample_dist: Path) -> None:
    assert run_push(sample_dist, "--repo", "pdpack-test/again", "--tag", "v1").exit_code == 0
    hub.reset_counters()
    hub.tree_page_size = 2  # the tree listing now comes in pages, linked by `Link: <...>; rel="next"`

    result = run_push(sample_dist, "--repo", "pdpack-test/again", "--tag", "v1")

    assert result.exit_code == 0, result.output
    url = f"{hub.base}/datasets/pdpack-test/again"
    local = tree(sample_dist)
    assert f"Sent 0 files (0 bytes) in 0 commits to {url}; skipped {len(local)} unchanged; tagged v1 (already" in (
        result.stdout
    )
    assert hub.writes == 0
    assert hub.requests["commit"] == hub.requests["preupload"] == hub.requests["lfs_upload"] == 0
    assert hub.requests["tree"] > 2  # every page was read
    assert len(hub.repos["pdpack-test/again"].pushed_commits()) == 1


def test_interrupted_push_resumes_with_only_the_missing_files(hub: HubServer, sharded_dist: Path) -> None:
    local = tree(sharded_dist)
    order = sorted(local, key=commit_order)
    # 8 shards, 8 indexes, report.json, report.html, rejected, attribution, card, 14 partitions' records in 2 packs
    assert len(local) == 23 and sum(p.startswith(".pdpack/partitions/") for p in local) == 2
    assert len(list((sharded_dist / ".pdpack" / "partitions").glob("*/*.json.gz"))) == 14
    reference = run_push(sharded_dist, "--repo", "pdpack-test/reference", "--max-files-per-commit", 2)
    assert reference.exit_code == 0, reference.output
    assert len(hub.repos["pdpack-test/reference"].pushed_commits()) == 12
    fault = hub.fail("commit", nth=2, repo_id="pdpack-test/resumed")  # the 2nd commit, and every retry of it
    args = (sharded_dist, "--repo", "pdpack-test/resumed", "--max-files-per-commit", 2, "--tag", "v1")

    failed = run_push(*args)

    assert failed.exit_code == 1
    assert f"Commit 2 of 12 ({order[2]}, {order[3]}) failed after 4 attempts: HfHubHTTPError: " in failed.stderr
    assert "'500 Internal Server Error'" in failed.stderr and "Internal error (injected fault)" in failed.stderr
    assert "Run the same command again to send the rest" in failed.stderr
    assert fault.fired == 4
    resumed = hub.repos["pdpack-test/resumed"]
    assert [c.changed for c in resumed.pushed_commits()] == [order[:2]]
    assert resumed.tags == {}

    hub.faults.clear()
    hub.reset_counters()
    again = run_push(*args)

    assert again.exit_code == 0, again.output
    rest = {p: local[p] for p in order[2:]}
    assert sent_line(rest, 11, f"{hub.base}/datasets/pdpack-test/resumed", skipped=2) in again.stdout
    # The failed attempts had uploaded the LFS objects of commit 2 already: only the others travel now.
    # The shards and indexes, and the record packs (the Hub's usual .gitattributes store *.tar with LFS).
    uploads = [p for p in order[4:] if p.startswith("data/") or p.endswith(".records.tar")]
    assert hub.requests["lfs_upload"] == len(uploads) == 12 + 2
    assert hub.bytes_received["lfs_upload"] == sum(len(local[p]) for p in uploads)
    assert published(hub, "pdpack-test/resumed") == published(hub, "pdpack-test/reference") == local
    expected = [c.changed for c in hub.repos["pdpack-test/reference"].pushed_commits()]
    assert [c.changed for c in resumed.pushed_commits()] == expected
    assert expected[-1][-1] == "README.md"
    assert resumed.tags == {"v1": resumed.head.oid}


def test_lost_commit_answer_is_retried_without_a_second_commit(hub: HubServer, sample_dist: Path) -> None:
    hub.fail("commit", nth=1, times=1, mode="drop_after")  # the commit is made, its answer never arrives

    result = run_push(sample_dist, "--repo", "pdpack-test/lost")

    assert result.exit_code == 0, result.output
    assert sent_line(tree(sample_dist), 1, f"{hub.base}/datasets/pdpack-test/lost") in result.stdout
    assert hub.requests["commit"] == 1  # the retry found every file there and committed nothing
    assert len(hub.repos["pdpack-test/lost"].pushed_commits()) == 1
    assert published(hub, "pdpack-test/lost") == tree(sample_dist)


def test_dropped_upload_is_retried_by_the_client(hub: HubServer, sample_dist: Path) -> None:
    hub.fail("lfs_upload", nth=1, times=1, mode="drop")

    result = run_push(sample_dist, "--repo", "pdpack-test/dropped")

    assert result.exit_code == 0, result.output
    stored = sum(p.startswith("data/") or p.endswith(".records.tar") for p in tree(sample_dist))  # LFS files
    assert hub.requests["lfs_upload"] == stored + 1  # one sent twice
    assert published(hub, "pdpack-test/dropped") == tree(sample_dist)


def test_dry_run_prints_the_plan_and_writes_nothing(hub: HubServer, sample_dist: Path, tmp_path: Path) -> None:
    local = tree(sample_dist)

    result = run_push(sample_dist, "--repo", "pdpack-test/dry", "--dry-run")

    assert result.exit_code == 0, result.output
    assert hub.writes == 0 and "pdpack-test/dry" not in hub.repos
    lines = result.stdout.splitlines()
    assert lines[0] == f"Plan for {hub.base}/datasets/pdpack-test/dry (branch main):"
    assert "  The repo does not exist yet: it would be created (public)." in lines
    planned = [line.split()[-1] for line in lines if line.startswith("  send ")]
    assert planned == sorted(local, key=commit_order)
    size = sum(len(b) for b in local.values())
    assert f"Would send {len(local)} files ({size:,} bytes) in 1 commit; skip 0 unchanged." in result.stdout

    assert run_push(sample_dist, "--repo", "pdpack-test/dry").exit_code == 0
    changed = tmp_path / "changed"
    shutil.copytree(sample_dist, changed)
    with (changed / "ATTRIBUTION.md").open("a", encoding="utf-8") as handle:
        handle.write("\nThanks to every contributor.\n")
    (changed / first_shard(sample_dist)["name"].replace("-000.tar", "-001.tar.tmp")).write_bytes(b"half a shard")
    (changed / ".env").write_text("SECRET=1\n", encoding="utf-8")
    (changed / "rejected.jsonl").unlink()
    writes = hub.writes

    result = run_push(changed, "--repo", "pdpack-test/dry", "--dry-run")

    assert result.exit_code == 0, result.output
    assert hub.writes == writes
    size = (changed / "ATTRIBUTION.md").stat().st_size
    assert f"  send              {size:>9,} bytes  ATTRIBUTION.md" in result.stdout
    shard = first_shard(sample_dist)["name"]
    assert f"  skip (unchanged)  {len(local[shard]):>9,} bytes  {shard}" in result.stdout
    assert f"Would send 1 file ({size:,} bytes) in 1 commit; skip {len(local) - 2} unchanged." in result.stdout
    assert "Note: the repo also holds 1 file this folder does not have, left in place: rejected.jsonl." in (
        result.stdout
    )
    assert ".tmp" not in result.stdout and ".env" not in result.stdout


def test_no_token(hub: HubServer, sample_dist: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("HF_TOKEN")

    result = run_push(sample_dist, "--repo", "pdpack-test/no-token")

    assert result.exit_code == 1
    assert result.stderr == f"Error: {NO_TOKEN}\n"
    assert sum(hub.requests.values()) == 0

    dry = run_push(sample_dist, "--repo", "pdpack-test/no-token", "--dry-run")
    assert dry.exit_code == 0, dry.output
    assert "no token was found" in dry.stdout


def test_bad_token(hub: HubServer, sample_dist: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    assert run_push(sample_dist, "--repo", "pdpack-test/bad-token").exit_code == 0
    monkeypatch.setenv("HF_TOKEN", BAD_TOKEN)

    for repo in ("pdpack-test/bad-token", "pdpack-test/new-repo"):
        result = run_push(sample_dist, "--repo", repo, "--tag", "v2")

        assert result.exit_code == 1
        assert "Error: The Hub rejected the token (401)" in result.stderr
        assert BAD_TOKEN not in result.output
    assert "pdpack-test/new-repo" not in hub.repos
    assert hub.repos["pdpack-test/bad-token"].tags == {}


def test_token_appears_in_no_output_error_or_file(hub: HubServer, sample_dist: Path, tmp_path: Path) -> None:
    """A real process, configured by environment variables only; the server echoes the token in an error."""
    hub.fail("commit", repo_id="pdpack-test/leak-fail", status=400, echo_auth=True)
    env = {**os.environ, "HF_DEBUG": "1", "PYTHONPATH": str(REPO_ROOT)}
    code = "import sys; from packager.cli.push import push; push.main(sys.argv[1:], 'pdpack push')"
    runs = [
        subprocess.run(
            [sys.executable, "-c", code, str(sample_dist), "--repo", repo, *extra],
            env=env,
            cwd=tmp_path,
            capture_output=True,
            text=True,
            timeout=60,
        )
        for repo, extra in (("pdpack-test/leak", ["--tag", "v1"]), ("pdpack-test/leak-fail", []))
    ]

    assert runs[0].returncode == 0, runs[0].stderr
    assert "tagged v1" in runs[0].stdout
    assert runs[1].returncode == 1
    assert "Error: Commit 1 of 1" in runs[1].stderr and "Bearer ***" in runs[1].stderr  # echoed, then scrubbed
    for run in runs:
        assert TOKEN not in run.stdout + run.stderr
    for folder in (sample_dist, tmp_path):
        for path in folder.rglob("*"):
            assert not path.is_file() or TOKEN.encode() not in path.read_bytes(), path

    # The exception the API raises: message, chain and formatted traceback.
    api = make_api(TOKEN)
    plan = plan_push(api, sample_dist, "pdpack-test/leak-api")
    hub.fail("commit", repo_id="pdpack-test/leak-api", status=500, echo_auth=True)
    with pytest.raises(PushError) as caught:
        push(api, plan, private=False, tag=None, commit_message="test", retries=1)
    error = caught.value
    assert "Bearer ***" in str(error)
    assert error.__cause__ is None and error.__context__ is None
    assert TOKEN not in "".join(traceback.format_exception(error)) + repr(error)


def test_tag_is_never_moved(hub: HubServer, sample_dist: Path, tmp_path: Path) -> None:
    assert run_push(sample_dist, "--repo", "pdpack-test/tags", "--tag", "v1").exit_code == 0
    changed = tmp_path / "changed"
    shutil.copytree(sample_dist, changed)
    changelog = b"# v2\n\nMore samples.\n"
    (changed / "CHANGELOG.md").write_bytes(changelog)
    commits = hub.requests["commit"]

    result = run_push(changed, "--repo", "pdpack-test/tags", "--tag", "v1")

    assert result.exit_code == 1
    assert "Tag 'v1' already exists" in result.stderr and "Nothing was sent" in result.stderr
    assert hub.requests["commit"] == commits
    result = run_push(changed, "--repo", "pdpack-test/tags", "--tag", "v2")
    assert result.exit_code == 0, result.output
    assert sent_line(
        {"CHANGELOG.md": changelog}, 1, f"{hub.base}/datasets/pdpack-test/tags", skipped=len(tree(sample_dist))
    ) in (result.stdout)
    repo = hub.repos["pdpack-test/tags"]
    assert repo.tags["v2"] == repo.head.oid != repo.tags["v1"]


def test_private_repo(hub: HubServer, sample_dist: Path) -> None:
    result = run_push(sample_dist, "--repo", "pdpack-test/private", "--private")

    assert result.exit_code == 0, result.output
    assert "(private)" in result.stdout
    assert hub.repos["pdpack-test/private"].private
    api = make_api(TOKEN)  # the client's create_repo on an existing repo: 409 with {"url"}, taken as success
    url = api.create_repo("pdpack-test/private", repo_type="dataset", private=True, exist_ok=True)
    assert url == f"{hub.base}/datasets/pdpack-test/private"
    assert not make_api(None).repo_exists("pdpack-test/private", repo_type="dataset")  # 404 RepoNotFound
    assert run_push(sample_dist, "--repo", "pdpack-test/public").exit_code == 0
    refused = run_push(sample_dist, "--repo", "pdpack-test/public", "--private")
    assert refused.exit_code == 1
    assert "already exists and is public" in refused.stderr


def test_plan_order_and_what_is_left_out(hub: HubServer, tmp_path: Path) -> None:
    dist = tmp_path / "dist"
    files = {
        "data/train-000001.tar": b"t1",
        "data/train-000000.tar": b"t0",
        "data/train-000000.parquet": b"p0",
        "README.md": b"# card\n",
        "report.json": b"{}",
        "ATTRIBUTION.md": b"# credits\n",
        "CHANGELOG.md": b"# changes\n",
        ".gitattributes": b"*.tar filter=lfs\n",
        "data/train-000002.tar.tmp": b"partial",
        ".cache/huggingface/upload/x.metadata": b"state",
    }
    for name, data in files.items():
        (dist / name).parent.mkdir(parents=True, exist_ok=True)
        (dist / name).write_bytes(data)
    (dist / "linked.txt").symlink_to(tmp_path / "outside.txt")
    (tmp_path / "outside.txt").write_text("not part of the release", encoding="utf-8")

    plan = plan_push(make_api(TOKEN), dist, "pdpack-test/plan")

    assert not plan.repo_exists and plan.remote_commit is None
    assert [p.path for p in plan.files] == [
        "data/train-000000.parquet",
        "data/train-000000.tar",
        "data/train-000001.tar",
        "ATTRIBUTION.md",
        "CHANGELOG.md",
        "report.json",
        "README.md",
    ]
    assert all(p.send and p.reason == "new" for p in plan.files)
    assert [[f.path for f in batch] for batch in plan.batches(2)] == [
        ["data/train-000000.parquet", "data/train-000000.tar"],
        ["data/train-000001.tar", "ATTRIBUTION.md"],
        ["CHANGELOG.md", "report.json"],
        ["README.md"],
    ]
    assert hub.writes == 0


def test_repo_id_is_checked(hub: HubServer, sample_dist: Path) -> None:
    result = run_push(sample_dist, "--repo", "no-namespace")
    assert result.exit_code == 2
    assert "is not a repo id like my-org/my-dataset" in result.output


def test_help_has_examples() -> None:
    result = CliRunner().invoke(push_command, ["--help"])
    assert result.exit_code == 0
    assert "pdpack push dist/ --repo my-museum/pd-images --tag v1.0.0" in result.output


def test_transient_errors_and_scrubbing() -> None:
    import httpx2
    from huggingface_hub.errors import HfHubHTTPError

    def http_error(status: int) -> HfHubHTTPError:
        return HfHubHTTPError(f"{status} error", response=httpx2.Response(status, request=httpx2.Request("GET", "/")))

    assert is_transient(http_error(503)) and is_transient(http_error(429))
    assert not is_transient(http_error(400)) and not is_transient(http_error(401))
    assert is_transient(httpx2.RemoteProtocolError("Server disconnected without sending a response."))
    wrapped = RuntimeError("Error while uploading 'x' to the Hub.")
    wrapped.__cause__ = http_error(502)
    assert is_transient(wrapped)
    assert not is_transient(ValueError("bad"))
    assert scrub(f"Bearer {TOKEN} and {BAD_TOKEN}", [TOKEN]) == "Bearer *** and hf_***"


def test_a_smaller_release_deletes_stale_shards_in_its_last_commit(hub: HubServer, tmp_path: Path) -> None:
    """Shards of an earlier, larger release must not stay behind data/*.tar on the Hub."""
    from huggingface_hub import HfApi

    from packager.publish.hub import plan_push, push

    repo = "my-museum/stale-test"
    api = HfApi(endpoint=hub.base, token=TOKEN)
    big = tmp_path / "big"
    (big / "data").mkdir(parents=True)
    for n in range(3):
        (big / "data" / "c" / f"p{n}-000.tar").parent.mkdir(parents=True, exist_ok=True)
        (big / "data" / "c" / f"p{n}-000.tar").write_bytes(b"x" * (100 + n))
    push(api, plan_push(api, big, repo), private=False, tag=None, commit_message="big")
    small = tmp_path / "small"
    (small / "data").mkdir(parents=True)
    (small / "data" / "c").mkdir()
    (small / "data" / "c" / "p0-000.tar").write_bytes(b"y" * 50)
    (small / "README.md").write_text("---\nlicense: cc0-1.0\n---\n# card\n", encoding="utf-8")
    result = push(api, plan_push(api, small, repo), private=False, tag=None, commit_message="small")
    assert result.files_deleted == 2
    files = sorted(api.list_repo_files(repo, repo_type="dataset"))
    assert [f for f in files if f.startswith("data/")] == ["data/c/p0-000.tar"]


def test_a_report_that_pictures_held_back_items_is_never_sent(
    hub: HubServer, example_folders: list[Path], tmp_path: Path
) -> None:
    """A local build's report.html pictures the staff's held-back files: push refuses the folder, sending nothing."""
    staff = tmp_path / "staff"
    build(load_collections(example_folders), staff, Settings(as_of="2026-11-30"))
    page = (staff / REPORT_FILE).read_text(encoding="utf-8")
    pictured = held_back_pictures(page)
    held = sum(1 for line in (staff / "rejected.jsonl").read_text(encoding="utf-8").splitlines() if line)
    assert 0 < pictured <= held and page.count(NOT_FOR_PUBLICATION) >= pictured

    for extra in ([], ["--dry-run"]):
        result = run_push(staff, "--repo", "pdpack-test/staff", *extra)
        assert result.exit_code == 1, result.output
        assert f"pictures {pictured} held-back item(s)" in result.stderr
        assert "--for-publication" in result.stderr and "pdpack release" in result.stderr
    assert hub.writes == 0 and "pdpack-test/staff" not in hub.repos

    # Rebuilt for publication, the same collections push; the page pictures only the shipped samples.
    public = tmp_path / "public"
    build(load_collections(example_folders), public, Settings(as_of="2026-11-30"), for_publication=True)
    assert run_push(public, "--repo", "pdpack-test/staff").exit_code == 0
    sent = published(hub, "pdpack-test/staff")["report.html"].decode("utf-8")
    assert held_back_pictures(sent) == 0 and NOT_FOR_PUBLICATION not in sent
    # The shards, indexes and other reports are the same bytes either way: only the page differs.
    assert {k: v for k, v in tree(staff).items() if k != REPORT_FILE} == {
        k: v for k, v in tree(public).items() if k != REPORT_FILE
    }
