"""Execution engines: where the per-item work of a build runs, and choosing one by name.

Every engine yields its results in input order with a bounded number in flight
(``packager.builder.engine_base``), so shards are byte-identical whichever engine built them.

- ``SerialEngine``: in this process, one item at a time (``engine_base.py``).
- ``LocalPoolEngine``: a multiprocessing pool on this machine (forkserver workers; ``local_pool.py``).
- ``RayEngine``: Ray tasks on a local Ray instance or an existing cluster (``pip install 'pd-packager[ray]'``;
  ``ray_engine.py``).
"""

from __future__ import annotations

from collections.abc import Sequence

from packager.builder.engine_base import Engine, SerialEngine
from packager.builder.local_pool import LocalPoolEngine
from packager.builder.ray_engine import RayEngine

ENGINES = ("local", "ray")
# What a worker imports to run the pipeline's per-item stages; a local pool's fork server imports it
# once, before it forks any worker, so that each worker starts in milliseconds. ftfy is imported
# by the pipeline only for the first caption that needs it: here, once, not in each worker.
WORKER_MODULES = ("packager.builder.stream", "scipy.fftpack", "ftfy")


def make_engine(
    name: str, workers: int, address: str | None = None, gpus_per_task: float = 0, preload: Sequence[str] = ()
) -> Engine:
    """The engine called ``name``: ``local`` (serial when ``workers`` <= 1, else a process pool) or ``ray``.

    For ``ray`` without an address, a local Ray instance with ``workers`` CPUs is started.
    ``preload`` names modules the local pool's workers need, imported once before they start.
    """
    if name == "local":
        if address:
            raise ValueError("--ray-address needs --engine ray")
        return SerialEngine() if workers <= 1 else LocalPoolEngine(workers, preload)
    if name == "ray":
        return RayEngine(address=address, num_cpus=None if address else workers, num_gpus_per_task=gpus_per_task)
    raise ValueError(f"unknown engine {name!r}; choose one of {', '.join(ENGINES)}")
