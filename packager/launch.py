"""The ``pdpack`` program: set a build's worker processes going before the commands are imported.

Importing the commands takes most of a second (Pillow, numpy, pyarrow, the rights rules), and a
command run with ``--workers N`` then starts a fork server that imports the same pipeline again, in
a fresh interpreter, before it can fork a worker. One after the other, the two imports are most of
the fixed cost of a build. Started here, before the commands are imported, the fork server imports
beside the parent, on another core. The command line is only read for a hint, whether a pool of
local workers is asked for: click parses it afterwards as always, and a wrong guess costs a fork
server that is started and not used, or one started later, never a different result.
"""

from __future__ import annotations

import sys
from collections.abc import Sequence


def asks_for_local_workers(args: Sequence[str]) -> bool:
    """Whether a command line asks for several local workers: ``--workers N`` or ``-w N`` (N > 1), not Ray."""
    workers, engine = 1, "local"
    remaining = iter(args)
    for arg in remaining:
        if arg == "--":  # what follows is arguments, never options
            break
        name, equals, value = arg.partition("=")
        if name in ("--workers", "--engine", "-w"):
            value = value if equals else next(remaining, "")
        elif arg.startswith("-w"):  # -w4
            name, value = "-w", arg[2:]
        else:
            continue
        if name == "--engine":
            engine = value
        elif value.isdigit():
            workers = int(value)
    return workers > 1 and engine == "local"


def main() -> None:
    if asks_for_local_workers(sys.argv[1:]):
        from packager.builder.engines import WORKER_MODULES
        from packager.builder.local_pool import start_fork_server

        start_fork_server(WORKER_MODULES)
    from packager.cli import main as run_command

    run_command()
