"""A build on a real two-node Ray cluster gives the bytes of a local build.

The test starts the cluster on this machine with the `ray` program: a head node and a second
node joined to it (two raylets, one CPU each, token authentication as Ray 2.60 requires), then
runs `pdpack build --engine ray --ray-address` against it. Each node runs one task at a time and
the build keeps several partitions in flight, so partitions run on both nodes; each task writes
its partition's shards into the build folder, which both nodes see at the same path (as a shared
filesystem would give a real cluster). A second build goes to object storage instead: an S3-protocol
server the test starts (moto in server mode, reached through s3fs), which each task uploads its
partition to, with the endpoint and credentials given as storage options (they travel with the tasks).
Marked ``ray``; ~50 s.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from packager.builder.config import Settings
from packager.builder.run import build, load_collections
from tests.helpers import image_bytes, write_collection
from tests.s3_server import KEY, SECRET, s3_server
from tests.test_s3_out import local_files, stored_files

pytestmark = pytest.mark.ray
RAY = Path(sys.executable).parent / "ray"
AS_OF = "2026-11-30"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def ports(prefix: str) -> list[str]:
    names = ["node-manager-port", "object-manager-port", "metrics-export-port", "runtime-env-agent-port"]
    names += ["dashboard-agent-grpc-port", "dashboard-agent-listen-port"]
    args = [f"--{name}={free_port()}" for name in names]
    low = free_port()
    return [*args, f"--min-worker-port={low}", f"--max-worker-port={low + 40}", f"--num-cpus={1}"]


def our_processes(marks: list[str]) -> list[int]:
    """Processes whose command line names this cluster's session folder or head port, and their children."""
    commands: dict[int, tuple[int, str]] = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            command = (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
            parent = int((entry / "stat").read_text().rsplit(")", 1)[1].split()[1])
        except (OSError, ValueError, IndexError):
            continue
        commands[int(entry.name)] = (parent, command)
    found = {pid for pid, (_, command) in commands.items() if any(mark in command for mark in marks)}
    while True:
        children = {pid for pid, (parent, _) in commands.items() if parent in found} - found
        if not children:
            return sorted(found)
        found |= children


@pytest.fixture(scope="module")
def cluster() -> Iterator[tuple[str, dict[str, str]]]:
    pytest.importorskip("ray")
    if not RAY.is_file():
        pytest.skip("the ray program is not installed")
    env = {**os.environ, "RAY_AUTH_MODE": "token", "RAY_USAGE_STATS_ENABLED": "0"}
    env.pop("RAY_ADDRESS", None)
    session = tempfile.mkdtemp(prefix="pdray-", dir="/tmp")  # short: Ray's socket paths must fit 107 bytes
    port = free_port()
    address = f"127.0.0.1:{port}"
    marks = [session, f"127.0.0.1:{port}", f"--gcs-address={address}"]
    common = ["--node-ip-address=127.0.0.1", "--disable-usage-stats"]
    try:
        subprocess.run(
            [str(RAY), "start", "--head", f"--port={port}", f"--temp-dir={session}", "--include-dashboard=false",
             *common, *ports("head")],
            env=env, check=True, capture_output=True, timeout=180,
        )  # fmt: skip
        # Ports are picked free but only bound later, so one can be taken in between (by the head's
        # workers, say): a failed join is tried again with fresh ports, and its output shown if it stays failed.
        for _ in range(3):
            joined = subprocess.run(
                [str(RAY), "start", f"--address={address}", *common, *ports("worker")],
                env=env, capture_output=True, text=True, timeout=180,
            )  # fmt: skip
            if joined.returncode == 0:
                break
        assert joined.returncode == 0, f"ray start (worker node), 3 tries: {joined.stdout}{joined.stderr}"
        check = (
            "import ray; ray.init(address=%r, log_to_driver=False); print(len([n for n in ray.nodes() if n['Alive']]))"
        )
        for _ in range(60):
            alive = subprocess.run(
                [sys.executable, "-c", check % address], env=env, capture_output=True, text=True, timeout=120
            )
            if alive.stdout.strip() == "2":
                break
            time.sleep(1)  # waiting for the second raylet to register; the assertion below does not depend on it
        assert alive.stdout.strip() == "2", alive.stderr
        yield address, env
    finally:
        started = our_processes(marks)
        for sig in (signal.SIGTERM, signal.SIGKILL):
            for pid in started:
                with contextlib.suppress(ProcessLookupError):
                    os.kill(pid, sig)
            time.sleep(3)
        shutil.rmtree(session, ignore_errors=True)


def test_a_two_node_cluster_builds_the_bytes_of_a_local_build(
    cluster: tuple[str, dict[str, str]], tmp_path: Path
) -> None:
    address, env = cluster
    rows = [{"id": f"item-{n:02d}", "file": f"files/{n:02d}.png", "title": f"Print {n}"} for n in range(24)]
    files = {f"files/{n:02d}.png": image_bytes(color=(n * 9, 120, 255 - n * 7)) for n in range(24)}
    folder = write_collection(tmp_path, rows, files=files)
    local = tmp_path / "local"
    build(load_collections([folder]), local, Settings(as_of=AS_OF, shard_max_count=4))
    on_cluster = tmp_path / "cluster"
    done = subprocess.run(
        [sys.executable, "-m", "packager", "build", str(folder), "--out", str(on_cluster), "--as-of", AS_OF,
         "--shard-max-count", "4", "--engine", "ray", "--ray-address", address, "--workers", "2"],
        env=env, capture_output=True, text=True, timeout=300,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    names = sorted(
        p.relative_to(local).as_posix() for p in local.rglob("*") if p.is_file() and ".pdpack" not in p.parts
    )
    assert sum(name.endswith(".tar") for name in names) > 2
    for name in names:
        assert (on_cluster / name).read_bytes() == (local / name).read_bytes(), name


def test_a_two_node_cluster_writes_to_object_storage_the_bytes_of_a_local_build(
    cluster: tuple[str, dict[str, str]], tmp_path: Path
) -> None:
    address, env = cluster
    rows = [{"id": f"item-{n:02d}", "file": f"files/{n:02d}.png", "title": f"Print {n}"} for n in range(24)]
    rows.append({"id": "zz-copy", "file": "files/02.png", "title": "The same file again"})  # a filter pass
    files = {f"files/{n:02d}.png": image_bytes(color=(n * 9, 120, 255 - n * 7)) for n in range(24)}
    folder = write_collection(tmp_path, rows, files=files)
    local = tmp_path / "local"
    build(load_collections([folder]), local, Settings(as_of=AS_OF, shard_max_count=4))
    expected = local_files(local)  # with the partition records, which a build to a URL keeps there too
    assert sum(name.endswith(".tar") for name in expected) > 2
    url = "s3://pdpack-cluster/release"
    with s3_server("pdpack-cluster") as s3:
        options = [f"endpoint_url={s3.endpoint}", f"key={KEY}", f"secret={SECRET}"]
        done = subprocess.run(
            [sys.executable, "-m", "packager", "build", str(folder), "--out", url, "--as-of", AS_OF,
             "--shard-max-count", "4", "--engine", "ray", "--ray-address", address, "--workers", "2",
             *(arg for option in options for arg in ("--storage-option", option))],
            env=env, capture_output=True, text=True, timeout=300,
        )  # fmt: skip
        assert done.returncode == 0, done.stderr
        stored = stored_files(s3.objects(url))
    assert sorted(stored) == sorted(expected)
    for name, data in expected.items():
        assert stored[name] == data, name
