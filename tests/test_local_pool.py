"""The local pool's ``meanwhile``: items the parent takes while the workers start, in their place in the results."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from packager.builder.local_pool import LocalPoolEngine
from tests.helpers import REPO

GATE = "PDPACK_TEST_POOL_GATE"
OPENED_AT = 6  # the item whose check in the parent lets the workers start


def by_worker(item: int) -> tuple[int, int]:
    return item, os.getpid()


def here_if_even(item: int) -> tuple[int, int] | None:
    """The parent takes the even items while the workers start; at item 6 it lets them start."""
    if item == OPENED_AT:
        os.close(os.open(os.environ[GATE], os.O_WRONLY))  # waits for the fork server to hold the gate
    return (item, os.getpid()) if item % 2 == 0 else None


def test_items_taken_while_the_workers_start_keep_their_place(tmp_path: Path) -> None:
    gate = tmp_path / "gate"
    os.mkfifo(gate)
    # In a fresh interpreter: the fork server is one per process, and it must preload the gate.
    script = (
        "import json, os\n"
        "from packager.builder.local_pool import LocalPoolEngine\n"
        "from tests.test_local_pool import by_worker, here_if_even\n"
        "with LocalPoolEngine(2, ['tests.pool_gate']) as engine:\n"
        "    results = list(engine.map_ordered(by_worker, range(20), window=4, batch=1, meanwhile=here_if_even))\n"
        "print(json.dumps({'parent': os.getpid(), 'results': results}))\n"
    )
    env = {**os.environ, GATE: str(gate)}
    run = subprocess.run(
        [sys.executable, "-c", script], cwd=REPO, env=env, check=True, capture_output=True, text=True, timeout=300
    )
    printed = json.loads(run.stdout)
    pairs, parent_pid = printed["results"], printed["parent"]
    assert [item for item, _ in pairs] == list(range(20))  # every item once, in input order
    where = {item: pid for item, pid in pairs}
    # Until item 6 the workers could not start: the parent took 0, 2, 4 and 6, the workers every odd one.
    assert all(where[item] == parent_pid for item in range(0, OPENED_AT + 1, 2))
    assert all(where[item] != parent_pid for item in range(1, 20, 2))


def test_without_meanwhile_every_item_goes_to_the_workers() -> None:
    with LocalPoolEngine(2) as engine:
        pairs = list(engine.map_ordered(by_worker, range(6), window=4, batch=1))
    assert [item for item, _ in pairs] == list(range(6))
    assert all(pid != os.getpid() for _, pid in pairs)
