"""Running a scenario: ``run(scenario, seed)`` → :class:`~sim.results.Result`."""

from __future__ import annotations

import time
from pathlib import Path

from sim.model import DataMarketModel
from sim.results import Result, collect
from sim.scenario import Scenario


def run(scenario: Scenario | str | Path, seed: int = 0, run_id: int = 0, *, full: bool = True) -> Result:
    """Simulate every month of ``scenario`` with the random streams of ``seed``.

    ``scenario`` may be a :class:`Scenario`, a catalogue name or the path of a scenario YAML
    file. The same scenario and seed give identical results, in any process. With ``full=False``
    only the metrics and yearly tables are built (products and flows are empty): what a sweep stores.
    """
    started = time.perf_counter()
    model = DataMarketModel(scenario, seed).run()
    return collect(model, seed, run_id, started, full=full)
