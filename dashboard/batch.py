"""A baseline and its edited copy run on the same seeds in the background, for the dashboard.

A :class:`Batch` feeds the one executor (:func:`sim.execute.stream` on a small local pool) from
a thread, so the page stays live: it counts finished runs, keeps their results, and stops
submitting when cancelled (runs already under way finish first). Seed ``s`` runs both scenarios
(common random numbers), so their paired difference is the edit's effect, not luck.
"""

from __future__ import annotations

import threading

from sim.execute import Job, pool, run_job, stream
from sim.results import Result
from sim.scenario import Scenario

WORKERS = 2  # worker processes: the dashboard shares the machine with its user
FIRST_SEED = 1  # seeds FIRST_SEED, FIRST_SEED + 1, … as in ``run``


class Batch:
    """Runs of ``baseline`` and ``edited`` on ``n_seeds`` seeds, started by :meth:`start`.

    ``done``, ``total``, ``results`` (in order of completion), ``error`` (the first failure) and
    ``state`` (``running``, ``cancelling``, ``cancelled``, ``failed``, ``finished``) may be read
    from any thread; :meth:`wait` blocks until a run finishes or the batch ends."""

    def __init__(self, baseline: Scenario, edited: Scenario, n_seeds: int, workers: int = WORKERS):
        seeds = range(FIRST_SEED, FIRST_SEED + n_seeds)
        self.jobs = [Job(s, seed, i, full=False) for i, (seed, s) in
                     enumerate((seed, s) for seed in seeds for s in (baseline, edited))]
        self.baseline, self.edited = baseline.name, edited.name
        self.total = len(self.jobs)
        self.results: list[Result] = []
        self.error: BaseException | None = None
        self.state = "running"
        self._workers = workers
        self._cancel = threading.Event()
        self._changed = threading.Condition()
        self._thread = threading.Thread(target=self._run, name="dashboard-batch", daemon=True)

    @property
    def done(self) -> int:
        return len(self.results)

    @property
    def finished(self) -> bool:
        return self.state in ("cancelled", "failed", "finished")

    def start(self) -> Batch:
        self._thread.start()
        return self

    def cancel(self) -> None:
        """Submit no more runs; the batch ends once the runs under way finish."""
        if not self.finished:
            self._cancel.set()
            self._set(state="cancelling")

    def wait(self, timeout: float) -> None:
        """Block until a run finishes, the batch ends, or ``timeout`` seconds pass."""
        with self._changed:
            self._changed.wait(timeout)

    def _run(self) -> None:
        try:
            with pool("local", min(self._workers, self.total)) as p:
                for _, outcome in stream(p, run_job, self._pending()):
                    if isinstance(outcome, BaseException):
                        raise outcome
                    self._set(result=outcome)
            self._set(state="cancelled" if self._cancel.is_set() else "finished")
        except Exception as exc:  # shown on the page; the dashboard keeps running
            self._set(state="failed", error=exc)

    def _pending(self):
        for job in self.jobs:
            if self._cancel.is_set():
                return
            yield job

    def _set(self, state: str | None = None, result: Result | None = None, error: BaseException | None = None):
        with self._changed:
            if result is not None:
                self.results = [*self.results, result]
            if error is not None:
                self.error = error
            if state is not None:
                self.state = state
            self._changed.notify_all()

    def join(self, timeout: float | None = None) -> None:
        self._thread.join(timeout)
