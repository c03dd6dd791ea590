"""Running tasks on a ``concurrent.futures`` executor: local worker processes or a Dask cluster.

Both backends give the same executor interface; :func:`stream` keeps a bounded number of tasks
in flight and yields each as it finishes, so memory does not grow with the number of runs.
"""

from __future__ import annotations

import logging
import multiprocessing
import os
import time
import traceback
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import FIRST_COMPLETED, Executor, Future, ProcessPoolExecutor, wait
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

import pandas as pd

from sim.scenario import Scenario, apply_overrides

BACKENDS = ("local", "dask")
IN_FLIGHT_PER_SLOT = 2  # tasks queued per worker slot: enough to keep workers busy, few enough to stay small


@dataclass(frozen=True)
class Task:
    """Everything a worker needs for one run; plain data, so it pickles to any process."""

    run: int
    point: int
    replicate: int
    seed: int
    key: str
    digest: str
    values: dict[str, Any]
    base: dict[str, Any]
    metrics: tuple[str, ...]
    frequency: str


@dataclass
class Outcome:
    """A finished run: its tidy output frame, or the error that stopped it."""

    task: Task
    frame: pd.DataFrame | None
    error: str | None
    detail: str
    wall_time: float


def run_task(task: Task) -> Outcome:
    """Run one task in a worker. An error is returned, not raised, so the sweep goes on."""
    from sim.runner import run  # the model (and Mesa) loads in the workers only

    started = time.perf_counter()
    try:
        scenario = Scenario.from_dict(apply_overrides(task.base, task.values))
        if scenario.digest() != task.digest:
            raise RuntimeError("the worker resolves this point to a different scenario; are its packages the same?")
        result = run(scenario, seed=task.seed, run_id=task.run)
        table = result.metrics if task.frequency == "monthly" else result.yearly
        when = "date" if task.frequency == "monthly" else "year"
        ids = {"run": task.run, "point": task.point, "replicate": task.replicate, "seed": task.seed, **task.values}
        frame = pd.DataFrame({**ids, when: table[when], **{m: table[m] for m in task.metrics}})
        return Outcome(task, frame, None, "", time.perf_counter() - started)
    except Exception as exc:  # noqa: BLE001 - any model error is recorded against its run
        error = f"{type(exc).__name__}: {exc}"
        return Outcome(task, None, error, traceback.format_exc(), time.perf_counter() - started)


@dataclass
class Pool:
    """An executor and a way to ask how many tasks it can run at once."""

    executor: Executor
    slots: Callable[[], int]


@contextmanager
def pool(backend: str = "local", workers: int | None = None, scheduler: str | None = None) -> Iterator[Pool]:
    """Open a backend: ``local`` worker processes (spawned, so safe from notebooks and threads),
    or ``dask``: the cluster at ``scheduler``, else a ``LocalCluster`` of ``workers`` processes."""
    if backend == "local":
        n = workers or os.cpu_count() or 1
        executor = ProcessPoolExecutor(max_workers=n, mp_context=multiprocessing.get_context("spawn"))
        try:
            yield Pool(executor, lambda: n)
        finally:
            executor.shutdown(wait=True, cancel_futures=True)
    elif backend == "dask":
        with _dask_client(workers, scheduler) as client:
            executor = client.get_executor()
            try:
                yield Pool(executor, lambda: max(1, sum(client.nthreads().values())))
            finally:
                executor.shutdown(wait=True)
    else:
        raise ValueError(f"unknown backend {backend!r}; choose one of {', '.join(BACKENDS)}")


@contextmanager
def _dask_client(workers: int | None, scheduler: str | None):
    from dask.distributed import Client, LocalCluster

    if scheduler:
        with Client(scheduler) as client:
            yield client
        return
    n = workers or os.cpu_count() or 1
    with LocalCluster(n_workers=n, threads_per_worker=1, processes=True, dashboard_address=None,
                      silence_logs=logging.ERROR) as cluster, Client(cluster) as client:
        yield client


def stream(pool: Pool, fn: Callable[[Any], Any], tasks: Iterable[Any]) -> Iterator[tuple[Any, Any]]:
    """Yield ``(task, fn(task))`` for every task, in order of completion, with at most
    ``IN_FLIGHT_PER_SLOT × slots`` tasks submitted and not yet yielded. A task whose worker
    died yields the exception in place of its result."""
    tasks = iter(tasks)
    pending: dict[Future, Any] = {}
    exhausted = False
    while True:
        if not exhausted:
            room = IN_FLIGHT_PER_SLOT * pool.slots() - len(pending)
            for _ in range(room):
                task = next(tasks, None)
                if task is None:
                    exhausted = True
                    break
                pending[pool.executor.submit(fn, task)] = task
        if not pending:
            return
        done, _ = wait(pending, return_when=FIRST_COMPLETED)
        for future in done:
            task = pending.pop(future)
            exc = future.exception()
            yield task, exc if exc is not None else future.result()
