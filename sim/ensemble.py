"""Many runs at once: replicates of one or more scenarios, optionally in worker processes.

Each run is fixed by its scenario and seed, so the results are the same whatever the number of
workers; they come back in the order of the jobs. A progress bar appears on an interactive
terminal when the runs take more than a moment.
"""

from __future__ import annotations

import sys
from collections.abc import Iterable
from concurrent.futures import ProcessPoolExecutor, as_completed
from dataclasses import dataclass

from tqdm import tqdm

from sim.results import Result
from sim.runner import run
from sim.scenario import Scenario

PROGRESS_DELAY_S = 1.5  # no bar for runs shorter than this


@dataclass(frozen=True)
class Job:
    scenario: Scenario
    seed: int
    run_id: int


def replicate_jobs(scenario: Scenario, seed: int, replicates: int) -> list[Job]:
    """Replicate ``r`` of a scenario uses seed ``seed + r``: every scenario given the same
    ``seed`` and ``replicates`` faces the same luck (common random numbers)."""
    return [Job(scenario, seed + r, r) for r in range(replicates)]


def run_jobs(jobs: list[Job], workers: int = 1) -> list[Result]:
    """Run every job, in ``workers`` processes when more than one; results in job order."""
    if workers <= 1 or len(jobs) <= 1:
        return list(_progress((run(j.scenario, j.seed, j.run_id) for j in jobs), len(jobs)))
    with ProcessPoolExecutor(max_workers=min(workers, len(jobs))) as pool:
        # Submit before the progress bar starts its thread: workers are forked on submission.
        futures = [pool.submit(run, j.scenario, j.seed, j.run_id) for j in jobs]
        for _ in _progress(as_completed(futures), len(futures)):
            pass
        return [f.result() for f in futures]


def _progress(items: Iterable, total: int) -> tqdm:
    """A progress bar on stderr, shown only on a terminal and only after a moment."""
    return tqdm(items, total=total, unit="run", delay=PROGRESS_DELAY_S, disable=None, file=sys.stderr)
