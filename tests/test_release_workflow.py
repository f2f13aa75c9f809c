"""The release workflow's own shell steps, run in order against tests/hub_server.py: two monthly releases.

Each step's `run` script is taken from .github/workflows/release.yml and run with bash in a checkout-like
folder, with the environment the step declares (the workflow expressions filled in as GitHub would) and
nothing else of the job's: the build step runs without HF_TOKEN, as in the workflow. The artifacts between
jobs are the folders the steps leave (releases/previous, releases/VERSION); the second month starts from a
fresh runner's state, with only the previous release's metadata.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.helpers import EXAMPLES
from tests.hub_server import HubServer, configured_hub
from tests.test_workflows import RELEASE, load, step_named, steps

TOKEN = "hf_PdpackWorkflowToken0123456789abcdef"
HF_REPO = "test-org/pd-images"
SOURCE_URL = "https://github.com/test-org/pdpack"


@pytest.fixture
def hub(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Iterator[HubServer]:
    with configured_hub(monkeypatch, tmp_path, TOKEN) as server:
        yield server


def script(job: str, name: str) -> tuple[str, dict[str, Any]]:
    step = step_named(steps(load(RELEASE)["jobs"][job]), name)
    return step["run"], step.get("env", {})


def run_step(workspace: Path, job: str, name: str, **env: str) -> subprocess.CompletedProcess[str]:
    """One step: its script, its own environment (values given here), and the runner's basics."""
    text, declared = script(job, name)
    assert set(env) == set(declared), f"{name}: the step declares {sorted(declared)}"
    base = {k: v for k, v in os.environ.items() if k != "HF_TOKEN"}  # a job has only the secrets it is given
    done = subprocess.run(
        ["bash", "-e", "-c", text],
        cwd=workspace,
        env={**base, "HF_REPO": HF_REPO, "GITHUB_OUTPUT": str(workspace / "github-output"), **env},
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    assert done.returncode == 0, f"{name}\n{done.stdout}\n{done.stderr}"
    return done


def outputs(workspace: Path) -> dict[str, str]:
    lines = (workspace / "github-output").read_text(encoding="utf-8").splitlines()
    (workspace / "github-output").write_text("", encoding="utf-8")
    return dict(line.split("=", 1) for line in lines)


def hand_on(workspace: Path, version: str) -> None:
    """The artifact between the build and push jobs: the release folder less what its upload step leaves out."""
    paths = step_named(steps(load(RELEASE)["jobs"]["build"]), "Hand the release folder to the push job")["with"]["path"]
    for line in paths.splitlines():
        if line.startswith("!"):
            for path in workspace.glob(line[1:].replace("${{ needs.prepare.outputs.version }}", version)):
                path.unlink()


def month(workspace: Path, as_of: str) -> dict[str, str]:
    """prepare, build and push for one month; the prepare job's outputs."""
    (workspace / "github-output").write_text("", encoding="utf-8")
    run_step(workspace, "prepare", "Choose version and as-of date", INPUT_VERSION="", INPUT_AS_OF=as_of)
    when = outputs(workspace)
    run_step(workspace, "prepare", "Fetch the previous release's metadata from the Hub", HF_TOKEN=TOKEN,
             VERSION=when["version"])  # fmt: skip
    prepared = {**when, **outputs(workspace)}
    run_step(workspace, "build", "Build the release", VERSION=prepared["version"], AS_OF=prepared["as_of"],
             PREVIOUS=prepared["previous"], SOURCE_URL=SOURCE_URL)  # fmt: skip
    hand_on(workspace, prepared["version"])
    run_step(workspace, "push", "Push the release", HF_TOKEN=TOKEN, VERSION=prepared["version"])
    return prepared


def test_two_monthly_releases_through_the_workflow_steps(hub: HubServer, tmp_path: Path) -> None:
    workspace = tmp_path / "checkout"
    shutil.copytree(EXAMPLES / "nasa-spacex", workspace / "manifests" / "nasa-spacex")
    (workspace / ".venv").symlink_to(Path(sys.executable).parent.parent)  # what `make setup-locked` made

    november = month(workspace, "2026-11-30")
    assert november == {"as_of": "2026-11-30", "version": "2026.11", "previous": ""}  # no repo yet: a first one
    repo = hub.repos[HF_REPO]
    assert repo.tags["2026.11"] == repo.branches["main"]
    card = repo.files["README.md"].decode("utf-8")
    assert f'load_dataset("{HF_REPO}", split="train")' in card and f"({SOURCE_URL}/issues)" in card

    # December on a fresh runner: nothing of November's jobs is left but what the Hub holds.
    shutil.rmtree(workspace / "releases")
    december = month(workspace, "2026-12-02")
    assert december == {"as_of": "2026-12-02", "version": "2026.12", "previous": "2026.11"}
    assert sorted(p.name for p in (workspace / "releases").iterdir()) == ["2026.12", "previous"]
    # November's partition records were published with it and fetched for December, which reused them.
    assert (workspace / "releases" / "previous" / ".pdpack" / "remote.json").is_file()
    records = sorted(p for p in repo.files if p.startswith(".pdpack/partitions/nasa-spacex/"))
    assert records and not (workspace / "releases" / "2026.12" / ".pdpack" / "dedup.sqlite").exists()
    assert json.loads(repo.files["release.json"])["previous"] == {"version": "2026.11", "as_of": "2026-11-30"}
    changelog = repo.files["CHANGELOG.md"].decode("utf-8")  # November's entry carried over from the Hub
    assert changelog.index("## 2026.12 (as of 2026-12-02)") < changelog.index("## 2026.11 (as of 2026-11-30)")
    assert repo.tags["2026.12"] == repo.branches["main"] != repo.tags["2026.11"]
