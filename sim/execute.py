"""The one executor: runs of the model on local worker processes or a Dask cluster, for ``run``,
``compare`` and ``sweep`` alike.

Each run depends only on its scenario and seed, so results are the same whatever the backend and
the number of workers. :func:`stream` keeps a bounded number of tasks in flight and yields each as
it finishes, so memory does not grow with the number of runs; :func:`run_jobs` gives the results
of a few replicates back in job order. Both backends are a ``concurrent.futures.Executor``.

Worker processes die with the process that started them (local: :func:`die_with_parent`; a Dask
``LocalCluster``'s workers do so by themselves), so a sweep killed with SIGKILL leaves no idle
workers behind; the number of workers is capped at the
machine's cores and the number of tasks, with a warning that says so.
"""

from __future__ import annotations

import ctypes
import logging
import multiprocessing
import os
import signal
import sys
import threading
import time
import warnings
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import FIRST_COMPLETED, Executor, Future, ProcessPoolExecutor, wait
from contextlib import contextmanager
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from tqdm.auto import tqdm  # a widget in notebooks, text in terminals

from sim.errors import DataMarketError
from sim.scenario import Scenario

if TYPE_CHECKING:
    from sim.cache import Cache
    from sim.results import Result

BACKENDS = ("local", "dask")
IN_FLIGHT_PER_SLOT = 2  # tasks queued per worker slot: enough to keep workers busy, few enough to stay small
PROGRESS_DELAY_S = 1.5  # a bar that shows only on a terminal waits this long, so quick runs print nothing
SCHEDULER_TIMEOUT_S = 5  # how long to try reaching a Dask scheduler before giving up with a message
PARENT_POLL_S = 1.0  # how often a worker without prctl checks that its parent is alive
PR_SET_PDEATHSIG = 1  # Linux prctl option: a signal sent to this process when its parent dies


class WorkerError(DataMarketError):
    """Workers asked for that cannot be had: a count below 1, a scheduler out of reach."""


class Interrupted(KeyboardInterrupt):
    """Ctrl-C while :func:`run_jobs` ran: ``results`` are the runs finished by then, in job order."""

    def __init__(self, results: list):
        super().__init__(f"interrupted after {len(results)} finished run(s)")
        self.results = results


def die_with_parent(parent: int) -> None:
    """Make this worker process exit when ``parent`` (the process that started it) dies, even
    by SIGKILL: ``prctl(PR_SET_PDEATHSIG, SIGKILL)`` on Linux, else a thread polling the parent
    pid. Ctrl-C is left to the parent, which stops the workers itself."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    if sys.platform.startswith("linux"):
        try:
            ctypes.CDLL(None, use_errno=True).prctl(PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)
        except (OSError, AttributeError):
            pass
        else:
            if os.getppid() != parent:  # the parent died before prctl took effect
                os._exit(1)
            return

    def watch() -> None:
        while os.getppid() == parent:
            time.sleep(PARENT_POLL_S)
        os._exit(1)

    threading.Thread(target=watch, name="die-with-parent", daemon=True).start()


def check_workers(workers: int | None) -> None:
    """Refuse a worker count that is not a whole number of 1 or more (None: one per core)."""
    if workers is not None and (isinstance(workers, bool) or not isinstance(workers, int) or workers < 1):
        raise WorkerError(f"workers: must be a whole number of 1 or more, got {workers!r}")


def worker_count(workers: int | None, tasks: int | None = None) -> int:
    """Worker processes to start on this machine: ``workers`` (default: one per core), at most
    one per core and one per task, with a warning when the request is cut."""
    cores = os.cpu_count() or 1
    check_workers(workers)
    limit = min(cores, tasks) if tasks else cores
    n = min(workers or cores, limit)
    if workers is not None and workers > n:
        warnings.warn(f"workers: {workers} asked, {n} started (at most one per core: {cores}"
                      + (f"; one per run: {tasks})" if tasks else ")"), stacklevel=3)
    return max(1, n)


@dataclass
class Pool:
    """An executor and a way to ask how many tasks it can run at once."""

    executor: Executor
    slots: Callable[[], int]


@contextmanager
def pool(backend: str = "local", workers: int | None = None, scheduler: str | None = None,
         tasks: int | None = None) -> Iterator[Pool]:
    """Open a backend: ``local`` worker processes (spawned, so safe from notebooks and threads),
    or ``dask``: the cluster at ``scheduler``, else a ``LocalCluster`` of ``workers`` processes.
    Local workers number at most one per core and one of the ``tasks`` to run (:func:`worker_count`)."""
    if backend == "local":
        n = worker_count(workers, tasks)
        executor = ProcessPoolExecutor(max_workers=n, mp_context=multiprocessing.get_context("spawn"),
                                       initializer=die_with_parent, initargs=(os.getpid(),))
        try:
            yield Pool(executor, lambda: n)
        except BaseException:
            _stop(executor)
            raise
        finally:
            executor.shutdown(wait=True, cancel_futures=True)
    elif backend == "dask":
        with _dask_client(workers, scheduler, tasks) as client:
            executor = client.get_executor()
            try:
                yield Pool(executor, lambda: max(1, sum(client.nthreads().values())))
            finally:
                executor.shutdown(wait=True)
    else:
        raise WorkerError(f"unknown backend {backend!r}; choose one of {', '.join(BACKENDS)}")


def _stop(executor: ProcessPoolExecutor) -> None:
    """Stop the workers now (Ctrl-C, an error): their runs are abandoned, not waited for.
    Python 3.11 has no public way to end a pool's processes, hence ``_processes``."""
    executor.shutdown(wait=False, cancel_futures=True)
    for process in list((getattr(executor, "_processes", None) or {}).values()):
        process.terminate()


@contextmanager
def _dask_client(workers: int | None, scheduler: str | None, tasks: int | None):
    from dask.distributed import Client, LocalCluster

    if scheduler:
        try:
            client = Client(scheduler, timeout=SCHEDULER_TIMEOUT_S)
        except (OSError, TimeoutError) as exc:
            raise WorkerError(f"--scheduler {scheduler}: no Dask scheduler answered within {SCHEDULER_TIMEOUT_S} s "
                              f"({type(exc).__name__})") from None
        with client:
            yield client
        return
    n = worker_count(workers, tasks)
    with LocalCluster(n_workers=n, threads_per_worker=1, processes=True, dashboard_address=None,
                      silence_logs=logging.ERROR) as cluster, Client(cluster) as client:
        yield client  # its worker processes watch their parent themselves (distributed's nanny)


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


def replicate_jobs(scenario: Scenario, seed: int, replicates: int) -> Iterator[Job]:
    """Replicate ``r`` of a scenario uses seed ``seed + r``: every scenario given the same
    ``seed`` and ``replicates`` faces the same luck (common random numbers). Made one at a time."""
    return (Job(scenario, seed + r, r) for r in range(replicates))


def run_job(job: Job) -> Result:
    """Run one job in a worker (the model, and Mesa, load there only)."""
    from sim.runner import run

    return run(job.scenario, job.seed, job.run_id, full=job.full)


def _run_numbered(item: tuple[int, Job]) -> Result:
    return run_job(item[1])


def run_jobs(jobs: Iterable[Job], workers: int = 1, backend: str = "local", scheduler: str | None = None, *,
             total: int | None = None, cache: Cache | None = None) -> list[Result]:
    """Every job's full :class:`Result`, in job order: in this process when ``workers`` is 1 on the
    local backend, else on ``backend``. ``jobs`` may be made lazily; ``total`` is their number
    (default ``len(jobs)``). With a ``cache`` (:mod:`sim.cache`), a job run before with the same
    scenario, seed and model version is read from it instead, and every new run is stored there;
    ``cache.hits`` counts the runs read. A run that fails stops them all with its error; Ctrl-C
    raises :class:`Interrupted` with the runs finished by then."""
    results: dict[int, Result] = {}
    todo: Iterable[tuple[int, Job]] = enumerate(jobs)
    if cache is not None:
        todo = list(todo)
        total = len(todo)
        for i, job in todo:
            hit = cache.get(job.scenario, job.seed, job.run_id, job.full)
            if hit is not None:
                results[i] = hit
        todo = [(i, job) for i, job in todo if i not in results]
    total = len(jobs) if total is None else total
    remaining = total - len(results)
    try:
        with progress(total, initial=len(results)) as bar:
            if backend == "local" and (workers <= 1 or remaining <= 1):
                for i, job in todo:
                    results[i] = _tick(bar, _kept(cache, job, run_job(job)))
            elif remaining:
                with pool(backend, workers, scheduler, tasks=remaining) as p:
                    for (i, job), outcome in stream(p, _run_numbered, todo):
                        if isinstance(outcome, BaseException):
                            raise outcome
                        results[i] = _tick(bar, _kept(cache, job, outcome))
    except KeyboardInterrupt:
        raise Interrupted([results[i] for i in sorted(results)]) from None
    return [results[i] for i in sorted(results)]


def _kept(cache: Cache | None, job: Job, result: Result) -> Result:
    if cache is not None:
        cache.put(job.scenario, job.seed, job.run_id, job.full, result)
    return result


def _tick(bar: tqdm, result: Result) -> Result:
    bar.update()
    return result
