"""datamarket: an agent-based simulator of a city's data-element market (数据要素市场).

``from sim import Scenario, run``. The model (and Mesa) loads on first use of ``run``, so the
pure components (``sim.clearing``, ``sim.pricing``, ``sim.ledger`` …) import without it.
``sim.run_many(scenario, seeds=…, workers=…)`` runs replicates and ``sim.compare([...], seeds=…)``
compares scenarios on the same seeds, as the ``run`` and ``compare`` commands do (with their run
cache; :mod:`sim.ensembles`). ``from sim import sweep`` runs parameter sweeps (:mod:`sim.sweeps`).
"""

from sim.scenario import Scenario, ScenarioError

__all__ = ["Comparison", "Replicates", "Result", "Scenario", "ScenarioError", "compare", "run", "run_many", "sweep"]


def __getattr__(name: str):
    if name == "run":
        from sim.runner import run

        return run
    if name == "Result":
        from sim.results import Result

        return Result
    if name in ("run_many", "compare"):
        from sim import ensembles

        return getattr(ensembles, name)
    if name == "Replicates":
        from sim.folders.results import Replicates

        return Replicates
    if name == "Comparison":
        from sim.folders.comparison import Comparison

        return Comparison
    if name == "sweep":
        from sim.sweeps import sweep

        return sweep
    raise AttributeError(f"module 'sim' has no attribute {name!r}")
