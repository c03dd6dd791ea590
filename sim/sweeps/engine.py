"""``sweep(spec, out=DIR)``: every point × replicate of a spec, run on the executor
(:mod:`sim.execute`) and written to the sweep folder (:mod:`sim.sweeps.store`) run by run, with
progress and resume."""

from __future__ import annotations

import os
import time
import traceback
from collections.abc import Iterator
from concurrent.futures import BrokenExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd

from sim.errors import SweepError
from sim.execute import Pool, check_workers, pool, stream
from sim.execute import progress as bar_of_runs  # ``progress`` is sweep()'s flag
from sim.storage import lock, writing
from sim.sweeps.plan import Plan, point_scenario
from sim.sweeps.spec import SweepSpec
from sim.sweeps.store import Store, SweepResult


FAIL_RUNS_ENV = "DATAMARKET_FAIL_RUNS"  # test hook: run numbers (comma-separated) whose worker raises on purpose


class InjectedFailure(RuntimeError):
    """The failure a worker raises for a run listed in ``DATAMARKET_FAIL_RUNS`` (tests of failure isolation)."""


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


def sweep(
    spec: str | Path | SweepSpec | Plan,
    out: str | Path,
    *,
    backend: str = "local",
    workers: int | None = None,
    scheduler: str | None = None,
    resume: bool = False,
    progress: bool = True,
) -> SweepResult:
    """Run a sweep into the folder ``out`` and return it as a :class:`SweepResult`.

    ``spec``: a spec YAML path, a :class:`SweepSpec` or a :class:`Plan`. ``backend``: ``local``
    (``workers`` processes, default one per core) or ``dask`` (the cluster at ``scheduler``, else a
    ``LocalCluster`` of ``workers`` processes). With ``resume``, runs already in ``out`` are kept
    and only missing or failed ones run. A run that raises is recorded and the sweep goes on.
    The folder is locked while the sweep writes (:func:`sim.storage.lock`): a second sweep into it
    fails at once. A write that fails (disk full, read-only) ends it with one message.
    """
    check_workers(workers)
    plan = spec if isinstance(spec, Plan) else Plan(spec if isinstance(spec, SweepSpec) else SweepSpec.load(spec))
    out = Path(out)
    with lock(out), writing(out):
        store = Store(out)
        done = store.open(plan, resume)
        store.write_runs(plan)
        started = time.perf_counter()
        counts = {"ran": 0, "failed": 0}
        try:
            with bar_of_runs(plan.n_runs, initial=len(done), desc=plan.spec.name, show=progress) as bar:
                if len(done) < plan.n_runs:
                    with pool(backend, workers, scheduler, tasks=plan.n_runs - len(done)) as workers_pool:
                        for outcome in _outcomes(workers_pool, plan, done):
                            store.save(outcome)
                            counts["ran"] += 1
                            counts["failed"] += outcome.error is not None
                            bar.set_postfix(failed=counts["failed"], refresh=False)
                            bar.update()
        except BrokenExecutor as exc:
            raise SweepError(f"a worker process died ({exc}); finished runs are saved: continue with --resume") from None
        finally:
            store.write_runs(plan)
    result = SweepResult(out)
    result.session = {**counts, "skipped": len(done), "discarded": store.discarded,
                      "seconds": time.perf_counter() - started}
    return result


def _outcomes(workers_pool: Pool, plan: Plan, done: set[str]) -> Iterator[Outcome]:
    """Outcomes of the runs not yet complete, as they finish; a dead worker fails its run."""
    for task, outcome in stream(workers_pool, run_task, tasks(plan, done)):
        if isinstance(outcome, BaseException):
            outcome = Outcome(task, None, f"worker failed: {type(outcome).__name__}: {outcome}", "", float("nan"))
        yield outcome


def tasks(plan: Plan, done: set[str]) -> Iterator[Task]:
    """Tasks of the runs not yet complete, made one at a time as workers free up."""
    base = plan.base.model_dump()
    outputs = plan.spec.outputs
    for run in plan.runs():
        if run.name not in done:
            yield Task(run.run, run.point, run.replicate, run.seed, run.key, run.digest, plan.values(run.point),
                       base, tuple(outputs.metrics), outputs.frequency)


def run_task(task: Task) -> Outcome:
    """Run one task in a worker: only the metrics the sweep stores (``full=False``). An error is
    returned, not raised, so the sweep goes on. Runs numbered in the environment variable
    ``DATAMARKET_FAIL_RUNS`` raise :class:`InjectedFailure` instead of running: a test hook that
    makes a failure in the worker without depending on a model bug."""
    from sim.runner import run  # the model (and Mesa) loads in the workers only

    started = time.perf_counter()
    try:
        if str(task.run) in os.environ.get(FAIL_RUNS_ENV, "").split(","):
            raise InjectedFailure(f"run {task.run} fails on purpose ({FAIL_RUNS_ENV})")
        scenario = point_scenario(task.base, task.values)
        if scenario.digest() != task.digest:
            raise RuntimeError("the worker resolves this point to a different scenario; are its packages the same?")
        result = run(scenario, seed=task.seed, run_id=task.run, full=False)
        table = result.metrics if task.frequency == "monthly" else result.yearly
        when = "date" if task.frequency == "monthly" else "year"
        ids = {"run": task.run, "point": task.point, "replicate": task.replicate, "seed": task.seed, **task.values}
        frame = pd.DataFrame({**ids, when: table[when], **{m: table[m] for m in task.metrics}})
        return Outcome(task, frame, None, "", time.perf_counter() - started)
    except Exception as exc:  # noqa: BLE001 - any model error is recorded against its run
        error = f"{type(exc).__name__}: {exc}"
        return Outcome(task, None, error, traceback.format_exc(), time.perf_counter() - started)
