"""The pdpack program's entry point: the workers' fork server is started before the commands are imported."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from packager.launch import asks_for_local_workers
from tests.helpers import EXAMPLES, REPO


def parent_pid(_: object) -> int:
    """The process that forked the worker running this (a pool task)."""
    return os.getppid()


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (["build", "coll", "--workers", "2"], True),
        (["build", "coll", "--workers=4"], True),
        (["build", "coll", "-w", "3"], True),
        (["build", "coll", "-w8"], True),
        (["validate", "coll", "--workers", "2"], True),
        (["build", "coll"], False),  # one worker by default: no pool at all
        (["build", "coll", "--workers", "1"], False),
        (["build", "coll", "--workers", "2", "--engine", "ray"], False),
        (["build", "coll", "--engine=ray", "-w", "2"], False),
        (["build", "coll", "--workers", "2", "--engine", "local"], True),
        (["build", "--", "--workers", "2"], False),  # after --, a folder named --workers
        (["build", "coll", "--workers"], False),  # click reports the missing value
        (["build", "coll", "--workers", "many"], False),
        (["build", "coll", "--workers", "2", "--workers", "1"], False),  # the last one counts, as in click
    ],
)
def test_the_hint_reads_a_local_pool_of_several_workers(args: list[str], expected: bool) -> None:
    assert asks_for_local_workers(args) is expected


def test_a_pool_forks_its_workers_from_the_fork_server_started_early() -> None:
    # In a fresh interpreter: the fork server is one per process, and this one may have started it already.
    script = (
        "from multiprocessing import forkserver\n"
        "from packager.builder.engines import WORKER_MODULES\n"
        "from packager.builder.local_pool import LocalPoolEngine, start_fork_server\n"
        "from tests.test_launch import parent_pid\n"
        "start_fork_server(WORKER_MODULES)\n"
        "early = forkserver._forkserver._forkserver_pid\n"
        "with LocalPoolEngine(2, WORKER_MODULES) as engine:\n"
        "    parents = set(engine.map_ordered(parent_pid, range(8), window=8))\n"
        "assert parents == {early}, (parents, early)\n"
    )
    subprocess.run([sys.executable, "-c", script], cwd=REPO, check=True, timeout=300)


def test_python_m_packager_builds_the_same_bytes_with_the_early_pool(tmp_path: Path) -> None:
    folders = [str(p) for p in sorted(EXAMPLES.iterdir()) if (p / "collection.yaml").is_file()]
    outs = {}
    for workers in ("1", "2"):
        out = tmp_path / f"w{workers}"
        command = [sys.executable, "-m", "packager", "build", *folders, "--out", str(out), "--workers", workers]
        subprocess.run([*command, "--as-of", "2026-11-30"], cwd=REPO, check=True, capture_output=True, timeout=600)
        outs[workers] = out
    one, two = outs["1"], outs["2"]
    names = ["report.json", "rejected.jsonl", "ATTRIBUTION.md", "report.html"]
    names += sorted(str(path.relative_to(one)) for path in (one / "data").rglob("*") if path.is_file())
    assert any(name.endswith(".tar") for name in names)
    for name in names:
        assert (one / name).read_bytes() == (two / name).read_bytes(), name
