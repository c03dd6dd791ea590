"""The one executor: runs of the model on local worker processes or a Dask cluster, for ``run``,
``compare`` and ``sweep`` alike.

Each run depends only on its scenario and seed, so results are the same whatever the backend and
the number of workers. :func:`stream` keeps a bounded number of tasks in flight and yields each as
it finishes, so memory does not grow with the number of runs; :func:`run_jobs` gives the results
of a few replicates back in job order. Both backends are a ``concurrent.futures.Executor``.
"""

from __future__ import annotations

import logging
import multiprocessing
import os
import sys
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import FIRST_COMPLETED, Executor, Future, ProcessPoolExecutor, wait
from contextlib import contextmanager
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from tqdm.auto import tqdm  # a widget in notebooks, text in terminals

from sim.scenario import Scenario

if TYPE_CHECKING:
    from sim.results import Result

BACKENDS = ("local", "dask")
IN_FLIGHT_PER_SLOT = 2  # tasks queued per worker slot: enough to keep workers busy, few enough to stay small
PROGRESS_DELAY_S = 1.5  # a bar that shows only on a terminal waits this long, so quick runs print nothing


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


def progress(total: int, *, initial: int = 0, desc: str | None = None, show: bool | None = None) -> tqdm:
    """A progress bar of runs on stderr. ``show=None``: only on a terminal, and only once the runs
    take more than a moment; ``True``: always (a sweep's bar); ``False``: never."""
    return tqdm(total=total, initial=initial, unit="run", desc=desc, file=sys.stderr, dynamic_ncols=True,
                disable=None if show is None else not show, delay=PROGRESS_DELAY_S if show is None else 0)


# ---- replicates of scenarios, for run and compare -----------------------------------------------


@dataclass(frozen=True)
class Job:
    """One run: ``scenario`` with the random streams of ``seed``, numbered ``run_id``; without
    ``full``, only metrics and yearly tables are built (no products or flows)."""

    scenario: Scenario
    seed: int
    run_id: int
    full: bool = True


def replicate_jobs(scenario: Scenario, seed: int, replicates: int) -> list[Job]:
    """Replicate ``r`` of a scenario uses seed ``seed + r``: every scenario given the same
    ``seed`` and ``replicates`` faces the same luck (common random numbers)."""
    return [Job(scenario, seed + r, r) for r in range(replicates)]


def run_job(job: Job) -> Result:
    """Run one job in a worker (the model, and Mesa, load there only)."""
    from sim.runner import run

    return run(job.scenario, job.seed, job.run_id, full=job.full)


def run_jobs(jobs: list[Job], workers: int = 1, backend: str = "local", scheduler: str | None = None) -> list[Result]:
    """Every job's full :class:`Result`, in job order: in this process when ``workers`` is 1 on the
    local backend, else on ``backend``. A run that fails stops them all with its error."""
    if backend == "local" and (workers <= 1 or len(jobs) <= 1):
        with progress(len(jobs)) as bar:
            return [_tick(bar, run_job(job)) for job in jobs]
    results: dict[int, Result] = {}  # by id() of the job: stream() hands back the job objects it was given
    size = min(workers, len(jobs)) if backend == "local" else workers
    with pool(backend, size, scheduler) as p, progress(len(jobs)) as bar:
        for job, outcome in stream(p, run_job, jobs):
            if isinstance(outcome, BaseException):
                raise outcome
            results[id(job)] = _tick(bar, outcome)
    return [results[id(job)] for job in jobs]


def _tick(bar: tqdm, result: Result) -> Result:
    bar.update()
    return result
