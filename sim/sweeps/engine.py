"""``sweep(spec, out=DIR)``: every point × replicate of a spec, run on a backend and written to
disk run by run, with progress and resume."""

from __future__ import annotations

import sys
import time
from collections.abc import Iterator
from concurrent.futures import BrokenExecutor
from pathlib import Path

from tqdm.auto import tqdm  # a widget in notebooks, text in terminals

from sim.sweeps.execute import Outcome, Pool, Task, pool, run_task, stream
from sim.sweeps.plan import Plan
from sim.sweeps.result import SweepResult
from sim.sweeps.spec import SweepSpec
from sim.sweeps.store import Store, SweepError


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
    """
    plan = spec if isinstance(spec, Plan) else Plan(spec if isinstance(spec, SweepSpec) else SweepSpec.load(spec))
    store = Store(out)
    done = store.open(plan, resume)
    store.write_runs(plan)
    started = time.perf_counter()
    counts = {"ran": 0, "failed": 0}
    try:
        with tqdm(total=plan.n_runs, initial=len(done), unit="run", desc=plan.spec.name, disable=not progress,
                  file=sys.stderr, dynamic_ncols=True) as bar:
            if len(done) < plan.n_runs:
                with pool(backend, workers, scheduler) as workers_pool:
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
