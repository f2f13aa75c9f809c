"""Build, release and push write the bytes recorded in tests/golden/outputs.json (see tests/golden.py).

A refactor (moving modules into packages, splitting one) must leave every byte as it was; a change
that means to change the output records the digests again with ``python -m tests.golden --write``.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.golden import GOLDEN, environment, outputs


def test_build_release_and_push_write_the_recorded_bytes(tmp_path: Path) -> None:
    golden = json.loads(GOLDEN.read_text(encoding="utf-8"))
    here = environment()
    differ = {k: (golden["environment"].get(k), v) for k, v in here.items() if golden["environment"].get(k) != v}
    if differ:
        pytest.skip(f"the digests were recorded with other library versions (recorded, here): {differ}")
    got = outputs(tmp_path)
    for part in ("build", "release"):
        changed = sorted(
            name for name in golden[part].keys() | got[part].keys() if golden[part].get(name) != got[part].get(name)
        )
        assert not changed, f"{part}: these files differ from the recorded bytes: {changed}"
    assert got["push"] == golden["push"]
