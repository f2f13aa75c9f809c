"""The Ray engine: batches of items as Ray tasks, on a local Ray instance or an existing cluster."""

from __future__ import annotations

import os
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from typing import Any

from packager.builder.engine_base import Closing, R, T, batched, call_batch

DEFAULT_RAY_BATCH = 8


class RayEngine(Closing):
    """Ray tasks, each running ``fn`` over a batch of items.

    With ``address`` None (and no ``RAY_ADDRESS`` in the environment) and Ray not yet initialised
    in this process, a new local Ray instance is started (``num_cpus`` CPUs, all of them when None)
    and shut down again by ``close``. With an address (``"auto"`` for the one ``ray start`` started
    here, ``"10.0.0.1:6379"``, ``"ray://head:10001"``) the driver connects to that cluster, ``num_cpus``
    is ignored, and ``close`` only disconnects; the cluster keeps running. When the caller has
    already called ``ray.init``, the engine uses that connection and leaves it open.

    Workers of a local instance run this interpreter, so they import ``packager`` as this process
    does (an editable install included). The machines of a remote cluster need ``packager`` and
    its dependencies (Pillow, ExifTool, ...) installed, or a ``runtime_env`` that brings them,
    e.g. ``{"py_modules": [packager_dir]}`` or ``{"working_dir": repo_root}``.

    ``num_gpus_per_task`` (fractions allowed) is asked for every Ray task, for GPU stages such as
    caption models; a task then runs only on a node with that much GPU free.
    """

    def __init__(
        self,
        address: str | None = None,
        num_cpus: int | None = None,
        num_gpus_per_task: float = 0,
        runtime_env: dict[str, Any] | None = None,
        batch_size: int = DEFAULT_RAY_BATCH,
    ) -> None:
        try:
            import ray
        except ImportError as exc:  # pragma: no cover - depends on the environment
            raise RuntimeError("the ray engine needs Ray: pip install 'pd-packager[ray]' (or pip install ray)") from exc
        if batch_size < 1:
            raise ValueError(f"batch_size must be at least 1, not {batch_size}")
        self._ray = ray
        self.batch_size = batch_size
        self.num_gpus_per_task = num_gpus_per_task
        self._owns_connection = False
        if not ray.is_initialized():
            options: dict[str, Any] = {}
            address = address or os.environ.get("RAY_ADDRESS") or None  # as set by `ray job submit`
            if address is None:
                # A new local instance ("local": not one that `ray start` left running): size it, and
                # keep usage statistics on this machine unless asked otherwise.
                address = "local"
                options["num_cpus"] = num_cpus
                os.environ.setdefault("RAY_USAGE_STATS_ENABLED", "0")
            ray.init(
                address=address,
                include_dashboard=False,
                ignore_reinit_error=True,
                log_to_driver=False,
                configure_logging=False,
                runtime_env=runtime_env,
                **options,
            )
            self._owns_connection = True
        self._task = ray.remote(call_batch)

    @property
    def owns_connection(self) -> bool:
        """Whether ``close`` will call ``ray.shutdown`` (this engine called ``ray.init``)."""
        return self._owns_connection

    def map_ordered(
        self,
        fn: Callable[[T], R],
        items: Iterable[T],
        window: int,
        weight: Callable[[T], int] | None = None,
        batch: int | None = None,
        meanwhile: Callable[[T], R | None] | None = None,  # Ray is up before this is called: not used
    ) -> Iterator[R]:
        ray = self._ray
        window = max(1, window)
        batch_size = min(batch or self.batch_size, window)
        max_in_flight = max(1, window // batch_size)  # batches; at most ``window`` items
        task = self._task.options(num_gpus=self.num_gpus_per_task) if self.num_gpus_per_task else self._task
        fn_ref = ray.put(fn)  # sent once, not with every batch
        pending: deque[Any] = deque()
        try:
            for group in batched(items, batch_size, weight):
                if len(pending) >= max_in_flight:
                    yield from ray.get(pending.popleft())  # the oldest first: results stay in input order
                pending.append(task.remote(fn_ref, group))
            while pending:
                yield from ray.get(pending.popleft())
        finally:
            # Abandoned part-way (an error, a consumer that stopped): don't leave work running.
            if pending and ray.is_initialized():
                for ref in pending:
                    ray.cancel(ref)

    def close(self) -> None:
        if self._owns_connection and self._ray.is_initialized():
            self._ray.shutdown()  # stops a local instance we started; only disconnects from a cluster
        self._owns_connection = False
