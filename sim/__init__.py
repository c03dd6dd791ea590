"""datamarket: an agent-based simulator of a city's data-element market (数据要素市场).

``from sim import Scenario, run``. The model (and Mesa) loads on first use of ``run``, so the
pure components (``sim.clearing``, ``sim.pricing``, ``sim.ledger`` …) import without it.
``from sim import sweep`` runs parameter sweeps (:mod:`sim.sweeps`).
"""

from sim.scenario import Scenario, ScenarioError

__all__ = ["Result", "Scenario", "ScenarioError", "run", "sweep"]


def __getattr__(name: str):
    if name == "run":
        from sim.runner import run

        return run
    if name == "Result":
        from sim.results import Result

        return Result
    if name == "sweep":
        from sim.sweeps import sweep

        return sweep
    raise AttributeError(f"module 'sim' has no attribute {name!r}")
