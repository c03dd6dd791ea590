"""Running a scenario: ``run(scenario, seed)`` → :class:`~sim.results.Result`."""

from __future__ import annotations

import numbers
import time
from pathlib import Path

from sim.errors import DataMarketError
from sim.results import Result, collect
from sim.scenario import Scenario
from sim.sweeps.spec import MAX_SEED


class SeedError(DataMarketError):
    """A seed that is not a whole number in 0..2**32 − 1."""


def check_seeds(seed: object, replicates: int = 1, name: str = "seed") -> int:
    """``seed`` if it and the last replicate's seed ``seed + replicates − 1`` are whole numbers in
    0..2**32 − 1 (what the results store and numpy's SeedSequence take), else :class:`SeedError`.
    Booleans are refused: ``seed=True`` is a slip, not seed 1."""
    if isinstance(seed, bool) or not isinstance(seed, numbers.Integral):
        raise SeedError(f"{name}: must be a whole number in 0..{MAX_SEED}, got {seed!r}")
    last = int(seed) + replicates - 1
    if not 0 <= seed <= last <= MAX_SEED:
        shown = f"{seed}" if replicates == 1 else f"{seed}…{last} ({replicates} replicates)"
        raise SeedError(f"{name}: seeds must lie in 0..{MAX_SEED}, got {shown}")
    return int(seed)


def run(scenario: Scenario | str | Path, seed: int = 0, run_id: int = 0, *, full: bool = True) -> Result:
    """Simulate every month of ``scenario`` with the random streams of ``seed``.

    ``scenario`` may be a :class:`Scenario`, a catalogue name or the path of a scenario YAML
    file. The same scenario and seed give identical results, in any process. With ``full=False``
    only the metrics and yearly tables are built (products and flows are empty): what a sweep stores.
    ``seed`` must be a whole number in 0..2**32 − 1 (:func:`check_seeds`).
    """
    from sim.model import DataMarketModel  # Mesa loads on the first run, not on import

    seed = check_seeds(seed)
    started = time.perf_counter()
    model = DataMarketModel(scenario, seed).run()
    return collect(model, seed, run_id, started, full=full)
