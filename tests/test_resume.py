"""Crash safety: a real build process killed with SIGKILL, or stopped by a full disk, resumes to identical bytes."""

from __future__ import annotations

import json
import os
import random
import resource
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.helpers import image_bytes, write_collection

ITEMS = 160


def make_collection(root: Path) -> Path:
    rows = []
    files = {}
    for n in range(ITEMS):
        name = f"files/{n:04d}.png"
        files[name] = image_bytes(size=(48, 40), color=(n % 256, (n * 7) % 256, (n * 13) % 256))
        rows.append({"id": f"item-{n:04d}", "file": name, "title": f"Print number {n}"})
    rows.append({"id": "zz-copy-of-7", "file": "files/0007.png", "title": "The same file again"})
    rows.append({"id": "no-rights", "file": "files/0001.png", "title": "No licence", "rights": "InC"})
    return write_collection(root, rows, files=files)


def pdpack(*args: str, **kwargs: object) -> subprocess.Popen[bytes]:
    return subprocess.Popen(  # type: ignore[call-overload]
        [sys.executable, "-m", "packager", *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        **kwargs,
    )


def build_args(folder: Path, out: Path, *extra: str) -> list[str]:
    return ["build", str(folder), "--out", str(out), "--shard-max-count", "5", "--as-of", "2026-11-30", *extra]


def outputs(out: Path) -> dict[str, bytes]:
    files = {p.relative_to(out).as_posix(): p.read_bytes() for p in out.rglob("*") if p.is_file()}
    return {name: data for name, data in files.items() if not name.startswith(".pdpack/")}


@pytest.fixture(scope="module")
def reference(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, bytes]]:
    root = tmp_path_factory.mktemp("resume")
    folder = make_collection(root)
    out = root / "reference"
    done = pdpack(*build_args(folder, out, "--workers", "1"))
    _, stderr = done.communicate(timeout=300)
    assert done.returncode == 0, stderr.decode()
    expected = outputs(out)
    # 160 ship, at most five to a shard, in partitions of at most five items: 32 shards or more.
    assert sum(name.endswith(".tar") for name in expected) >= (ITEMS + 4) // 5
    return folder, expected


def completed_shards(out: Path) -> int:
    """How many shards the build's checkpoint records as complete (0 before the first)."""
    try:
        return int(json.loads((out / ".pdpack" / "progress.json").read_text(encoding="utf-8"))["shards"])
    except (OSError, ValueError, KeyError):
        return 0  # no progress yet (it is replaced atomically, so never half-written)


def kill_after_shards(process: subprocess.Popen[bytes], out: Path, shards: int) -> bool:
    """SIGKILL the build once its checkpoint records ``shards`` complete shards; False if it ended first.

    The kill point is a point of progress, not a moment in time: however fast or slow the machine,
    the build is stopped with that much done and the rest to do.
    """
    while completed_shards(out) < shards:
        if process.poll() is not None:
            return False
        time.sleep(0.002)  # polling only: no outcome depends on how long this takes
    process.send_signal(signal.SIGKILL)
    process.communicate(timeout=60)
    return process.returncode == -signal.SIGKILL


def test_sigkill_at_random_points_then_resume_gives_identical_bytes(
    tmp_path: Path, reference: tuple[Path, dict[str, bytes]]
) -> None:
    folder, expected = reference
    out = tmp_path / "dist"
    total = (ITEMS + 4) // 5
    rng = random.Random(20261130)
    # Each attempt resumes and is killed a few shards further on; the last kill leaves most of the work.
    targets = sorted(rng.sample(range(1, total * 2 // 3), 5))
    kills = 0
    for attempt, target in enumerate(targets):
        process = pdpack(*build_args(folder, out, "--workers", "2", *(["--resume"] if attempt else [])))
        kills += kill_after_shards(process, out, target)
        assert completed_shards(out) < total
    assert kills == len(targets)
    finish = pdpack(*build_args(folder, out, "--workers", "2", "--resume"))
    _, stderr = finish.communicate(timeout=300)
    assert finish.returncode == 0, stderr.decode()
    got = outputs(out)
    assert sorted(got) == sorted(expected)
    for name in expected:
        assert got[name] == expected[name], name


def test_resume_refuses_other_inputs(tmp_path: Path, reference: tuple[Path, dict[str, bytes]]) -> None:
    folder, _ = reference
    out = tmp_path / "dist"
    first = pdpack(*build_args(folder, out))
    first.communicate(timeout=300)
    other = pdpack(*build_args(folder, out, "--resume", "--policy", "us"))
    _, stderr = other.communicate(timeout=60)
    assert other.returncode == 1
    assert b"holds a build of other inputs or settings" in stderr


def _limit_file_size(limit: int) -> None:
    signal.signal(signal.SIGXFSZ, signal.SIG_IGN)  # write() then fails with EFBIG instead of killing us
    resource.setrlimit(resource.RLIMIT_FSIZE, (limit, limit))


def test_full_disk_fails_cleanly_and_resumes(tmp_path: Path, reference: tuple[Path, dict[str, bytes]]) -> None:
    folder, expected = reference
    out = tmp_path / "dist"
    # Shards hold five samples of a few kilobytes each; a 20 KB file-size limit stops the first one.
    limited = pdpack(*build_args(folder, out), preexec_fn=lambda: _limit_file_size(20_000))
    _, stderr = limited.communicate(timeout=300)
    assert limited.returncode == 1
    message = stderr.decode()
    assert "Error: could not write to" in message and "--resume" in message
    assert "Traceback" not in message
    assert not list((out / "data").rglob("*.tar")), "no shard may look complete after a failed write"
    resumed = pdpack(*build_args(folder, out, "--resume"))
    _, stderr = resumed.communicate(timeout=300)
    assert resumed.returncode == 0, stderr.decode()
    assert outputs(out) == expected


def test_duplicates_are_held_back_naming_the_first(reference: tuple[Path, dict[str, bytes]]) -> None:
    _, expected = reference
    rejected = expected["rejected.jsonl"].decode().splitlines()
    assert any('"id":"zz-copy-of-7"' in line and '"reason":"duplicate:exact"' in line for line in rejected)
    assert any("test-museum/item-0007" in line for line in rejected)
    assert os.environ.get("PDPACK_NEVER_SET") is None
