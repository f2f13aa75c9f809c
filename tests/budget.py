"""Run a function in a forked child under a generous wall-clock budget, for linear-time tests.

The budget is far beyond what linear code needs on any machine and far below what a quadratic
algorithm takes on the inputs the tests give (hours), so the outcome never depends on the speed of
the machine. The child reports each step it finished, so a failure names the input that blew it.
"""

from __future__ import annotations

import multiprocessing
import time
from collections.abc import Callable, Iterable
from typing import Any

import pytest

# A generous budget: linear code finishes the tests' inputs in seconds; quadratic code takes hours.
GENEROUS_S = 300


def _child(steps: list[tuple[str, Callable[[], Any]]], connection: Any) -> None:
    for name, step in steps:
        connection.send((name, step()))
    connection.send(None)


def results_within(steps: Iterable[tuple[str, Callable[[], Any]]], seconds: float = GENEROUS_S) -> dict[str, Any]:
    """{name: result} of each step, run in order in a forked child; fail the test if they take longer."""
    steps = list(steps)
    context = multiprocessing.get_context("fork")
    receiver, sender = context.Pipe(duplex=False)
    child = context.Process(target=_child, args=(steps, sender), daemon=True)
    child.start()
    sender.close()
    results: dict[str, Any] = {}
    deadline = time.monotonic() + seconds
    try:
        while True:
            remaining = deadline - time.monotonic()
            if remaining <= 0 or not receiver.poll(remaining):
                done = ", ".join(results) or "nothing"
                pytest.fail(f"not finished within {seconds} s (super-linear?); finished: {done}")
            message = receiver.recv()
            if message is None:
                return results
            name, result = message
            results[name] = result
    finally:
        if child.is_alive():
            child.kill()
        child.join()
