"""Execution engines: Ray, a local process pool and serial give the same results in the same order.

The Ray tests start a local Ray instance (2 CPUs; ~15-20 s on a small machine) and are marked
``ray`` so that they can be left out: ``pytest -m 'not ray'``. They are skipped when Ray is not
installed (``pip install 'pd-packager[ray]'``).
"""

from __future__ import annotations

import operator
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from packager.builder.engine_base import SerialEngine
from packager.builder.engines import make_engine
from packager.builder.local_pool import LocalPoolEngine
from packager.builder.ray_engine import RayEngine
from packager.builder.run import load_collections
from packager.builder.stages import Result, Settings
from packager.builder.stream import Task, _process_task, all_tasks
from packager.model import Rejection
from packager.sample import Sample

SETTINGS = Settings(as_of="2026-11-30")


def example_tasks(folders: list[Path]) -> list[Task]:
    return list(all_tasks(load_collections(folders), SETTINGS))


def comparable(results: list[Result]) -> list[tuple[str, Any]]:
    """What ends up in the shards and in rejected.jsonl: sample members byte for byte, rejections as JSON."""
    return [
        ("sample", result.key, result.members) if isinstance(result, Sample) else ("rejection", result.to_json())
        for result in results
    ]


def entry_ids(tasks: list[Task]) -> list[tuple[str, str]]:
    return [(collection.id, entry.id) for collection, entry, _, _ in tasks]


def result_ids(results: list[Result]) -> list[tuple[str, str]]:
    return [
        (r.collection, r.id) if isinstance(r, Rejection) else (r.metadata["collection"], r.metadata["id"])
        for r in results
    ]


def test_make_engine_local() -> None:
    assert isinstance(make_engine("local", workers=1), SerialEngine)
    engine = make_engine("local", workers=3)
    assert isinstance(engine, LocalPoolEngine)
    assert engine.workers == 3
    engine.close()  # no pool was started: nothing to do
    with pytest.raises(ValueError, match="unknown engine"):
        make_engine("dask", workers=2)
    with pytest.raises(ValueError, match="--engine ray"):
        make_engine("local", workers=2, address="auto")


def test_serial_engine_keeps_order() -> None:
    with SerialEngine() as engine:
        assert list(engine.map_ordered(operator.neg, range(10), window=3)) == [-i for i in range(10)]


def _slow_first(value: int) -> int:
    if value == 0:
        time.sleep(0.5)  # later chunks finish first; the results must still come in input order
    return value * 10


def _fail_on_seven(value: int) -> int:
    if value == 7:
        raise ValueError("seven")
    return value


def test_local_pool_keeps_order_while_later_chunks_finish_first() -> None:
    with LocalPoolEngine(2, preload=("tests.test_ray_engine",)) as engine:
        assert list(engine.map_ordered(_slow_first, range(40), window=8)) == [i * 10 for i in range(40)]


def test_local_pool_started_early_is_used_and_closed() -> None:
    engine = LocalPoolEngine(2)
    engine.start()  # returns at once; the pool comes up on a thread
    engine.start()  # a second call does not start another
    assert list(engine.map_ordered(operator.neg, range(12), window=4)) == [-i for i in range(12)]
    engine.close()
    assert engine._pool is None
    started_then_closed = LocalPoolEngine(2)
    started_then_closed.start()
    started_then_closed.close()  # never used: the pool that came up is shut down, not leaked
    assert started_then_closed._pool is None


def test_local_pool_raises_the_workers_error_and_recovers() -> None:
    with LocalPoolEngine(2) as engine:
        with pytest.raises(ValueError, match="seven"):
            list(engine.map_ordered(_fail_on_seven, range(20), window=4))
        assert engine._pool is None  # the failed pool was terminated, not left running
        assert list(engine.map_ordered(operator.neg, range(5), window=4)) == [-i for i in range(5)]


def test_local_pool_stops_work_when_the_consumer_stops() -> None:
    with LocalPoolEngine(2) as engine:
        stream = engine.map_ordered(operator.neg, iter(range(10_000)), window=8)
        assert [next(stream) for _ in range(3)] == [0, -1, -2]
        stream.close()  # e.g. the build failed while writing: the rest is not computed
        assert engine._pool is None


@pytest.fixture(scope="module")
def ray_engine() -> Iterator[RayEngine]:
    ray = pytest.importorskip("ray")
    assert not ray.is_initialized()
    engine = RayEngine(num_cpus=2)  # starts a local Ray instance, owned by the engine
    assert engine.owns_connection
    yield engine
    engine.close()
    assert not ray.is_initialized()  # close shut down the instance it started


@pytest.mark.ray
def test_ray_local_pool_and_serial_give_identical_results(ray_engine: RayEngine, example_folders: list[Path]) -> None:
    tasks = example_tasks(example_folders)
    serial = list(SerialEngine().map_ordered(_process_task, tasks, window=len(tasks)))
    with LocalPoolEngine(2) as pool:
        local = list(pool.map_ordered(_process_task, tasks, window=5))  # several windows
    # Two batches of 8 and 6 in flight at once on two CPUs.
    by_ray = list(ray_engine.map_ordered(_process_task, tasks, window=32))

    assert result_ids(serial) == entry_ids(tasks)  # build order, one result per task
    assert result_ids(by_ray) == entry_ids(tasks)
    assert any(isinstance(r, Sample) for r in serial)
    assert any(isinstance(r, Rejection) for r in serial)
    assert comparable(by_ray) == comparable(serial)
    assert comparable(local) == comparable(serial)


@pytest.mark.ray
def test_ray_keeps_input_order_with_small_batches_and_window(ray_engine: RayEngine) -> None:
    import ray

    # Ray is initialised already (by the fixture): this engine borrows the connection and leaves it open.
    borrowed = RayEngine(batch_size=3)
    assert not borrowed.owns_connection
    items = list(range(-50, 50))
    assert list(borrowed.map_ordered(operator.neg, items, window=7)) == [-i for i in items]  # 2 batches of 3 at once
    assert list(borrowed.map_ordered(operator.neg, items, window=2)) == [-i for i in items]  # batches shrink to 2
    assert list(borrowed.map_ordered(operator.neg, [], window=7)) == []

    # A consumer that stops early leaves no work behind and the engine usable.
    stream = borrowed.map_ordered(operator.neg, iter(range(1000)), window=9)
    assert [next(stream) for _ in range(4)] == [0, -1, -2, -3]
    stream.close()
    borrowed.close()
    assert ray.is_initialized()
    assert list(ray_engine.map_ordered(operator.neg, [1, 2, 3], window=8)) == [-1, -2, -3]


def test_local_pool_results_travel_through_a_private_folder_that_is_removed(tmp_path: Path) -> None:
    import tempfile

    from packager.builder.local_pool import SPOOL_PREFIX

    abandoned = Path(tempfile.mkdtemp(prefix=f"{SPOOL_PREFIX}999999999-"))  # no such process
    (abandoned / "left.pickle").write_bytes(b"from a killed build")
    with LocalPoolEngine(2) as engine:
        payloads = list(engine.map_ordered(_kilobytes, range(30), window=8))
        spool = engine._spool
        assert spool is not None and (Path(spool).stat().st_mode & 0o777) == 0o700
        assert list(Path(spool).iterdir()) == []  # every chunk's file is deleted once read
    assert payloads == [bytes([i]) * 100_000 for i in range(30)]
    assert not Path(spool).exists()
    assert not abandoned.exists()  # a new pool cleared the killed build's folder


def _kilobytes(value: int) -> bytes:
    return bytes([value]) * 100_000
