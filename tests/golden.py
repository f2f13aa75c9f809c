"""Digests of what build, release and push write for the bundled sample collections.

``tests/golden/outputs.json`` holds the SHA-256 of every file a build and a release of
``manifests/examples/`` write, and of every file and commit a push of that release sends to the
Hub, recorded before a refactor (the package layout, a split module) and checked after it by
tests/test_golden_outputs.py. A change that means to change the output records them again and says
so in its commit::

    .venv/bin/python -m tests.golden --write

The bytes depend on some libraries' versions (Pillow encodes report.html's thumbnails, pyarrow
writes its version into every parquet file, ExifTool reads the embedded metadata), so the file also
records the versions it was made with; where they differ, the test says so and skips.
"""

from __future__ import annotations

import hashlib
import json
import shutil
import subprocess
import sys
import tempfile
from importlib.metadata import version
from pathlib import Path
from typing import Any

import pytest

from packager.api import build, push, release
from packager.builder.config import Settings
from tests.helpers import EXAMPLES, REPO
from tests.hub_server import configured_hub

GOLDEN = Path(__file__).parent / "golden" / "outputs.json"
AS_OF = "2026-11-30"
TOKEN = "hf_golden_token"
# Libraries whose versions can change the bytes written (encoders, parquet, YAML, hashing, text repair).
LIBRARIES = ("Pillow", "pyarrow", "numpy", "scipy", "ImageHash", "PyYAML", "huggingface_hub", "ftfy")


def environment() -> dict[str, str]:
    found = {name: version(name) for name in LIBRARIES}
    found["exiftool"] = subprocess.run(["exiftool", "-ver"], capture_output=True, text=True, check=True).stdout.strip()
    found["python"] = f"{sys.version_info.major}.{sys.version_info.minor}"
    return found


def digests(root: Path) -> dict[str, str]:
    """Path -> SHA-256 of every file under ``root``, leaving out dot folders (a build's resume state)."""
    return {
        path.relative_to(root).as_posix(): hashlib.sha256(path.read_bytes()).hexdigest()
        for path in sorted(root.rglob("*"))
        if path.is_file() and not any(part.startswith(".") for part in path.relative_to(root).parts)
    }


def outputs(work: Path) -> dict[str, Any]:
    """Build, release and push the sample collections into ``work``; what each wrote, as digests."""
    folders = sorted(p for p in EXAMPLES.iterdir() if (p / "collection.yaml").is_file())
    build(folders, work / "dist", Settings(as_of=AS_OF, shard_max_count=5))
    made = release(
        REPO / "manifests",
        work / "releases" / "2026.11",
        Settings(as_of=AS_OF, shard_max_count=5),
        version="2026.11",
        include_examples=True,
        previous=None,
        repo_id="pdpack-golden/sample",
        contact="rights@museum.example",
    )
    with pytest.MonkeyPatch.context() as monkeypatch, configured_hub(monkeypatch, work, TOKEN) as server:
        push(made.out, "pdpack-golden/sample", tag="2026.11", message="Release 2026.11")
        repo = server.repos["pdpack-golden/sample"]
        pushed = {p: hashlib.sha256(b).hexdigest() for p, b in sorted(repo.files.items())}
        commits = [{"summary": c.summary, "changed": c.changed} for c in repo.pushed_commits()]
        tags = sorted(repo.tags)
    return {
        "build": digests(work / "dist"),
        "release": digests(made.out),
        "push": {"files": pushed, "commits": commits, "tags": tags},
    }


def record() -> dict[str, Any]:
    work = Path(tempfile.mkdtemp(prefix="pdpack-golden-"))
    try:
        return {"environment": environment(), **outputs(work)}
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    if sys.argv[1:] != ["--write"]:
        sys.exit("usage: python -m tests.golden --write")
    GOLDEN.parent.mkdir(exist_ok=True)
    GOLDEN.write_text(json.dumps(record(), indent=2, sort_keys=True) + "\n", encoding="utf-8")
    print(f"wrote {GOLDEN}")
