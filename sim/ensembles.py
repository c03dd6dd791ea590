"""Replicates and comparisons from Python: :func:`run_many` and :func:`compare`, what the ``run``
and ``compare`` commands do, on the same executor (:mod:`sim.execute`, local processes or Dask)
and the same run cache (:mod:`sim.cache`), returning the objects of their folders
(:class:`~sim.folders.results.Replicates`, :class:`~sim.folders.comparison.Comparison`).
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path
from typing import Any

from sim.cache import Cache
from sim.catalog import resolve
from sim.errors import DataMarketError
from sim.execute import Job, run_jobs
from sim.folders.comparison import Comparison
from sim.folders.results import Replicates
from sim.runner import check_seeds
from sim.scenario import Scenario


def run_many(scenario: Scenario | str | Path, seeds: Iterable[int] | int = 5, *, workers: int = 1,
             backend: str = "local", scheduler: str | None = None, cache: bool = True,
             **overrides: Any) -> Replicates:
    """Replicates of one scenario, one per seed, as ``run`` makes them.

    Args:
        scenario: a :class:`Scenario`, a name from ``scenarios/`` or a YAML path.
        seeds: the seeds, one run each (run ``i`` is numbered ``i``); an int ``n`` means seeds
            1 … n, as ``run --replicates n``, so its runs are the command's and share its cache.
        workers: worker processes (1: in this process); results are the same for any number.
        backend: ``local`` or ``dask`` (``scheduler``: a running cluster's address).
        cache: read runs made before from the run cache and keep new ones there.
        overrides: ``{"dotted.path": value}`` changes, e.g. ``**{"policy.pricing.regime": "free"}``;
            ``name="free"`` renames the scenario.

    Example::

        import sim
        runs = sim.run_many("small", seeds=5, workers=2, **{"policy.pricing.regime": "free"}, name="free")
        runs.yearly.groupby("year")[["gmv_total", "exchange_share"]].mean()
    """
    base, source = _scenario(scenario, overrides)
    return _run([base], [source], seeds, workers, backend, scheduler, cache)[0]


def compare(scenarios: Iterable[Scenario | str | Path], seeds: Iterable[int] | int = 5, *, workers: int = 1,
            baseline: Scenario | str | Path | None = None, backend: str = "local", scheduler: str | None = None,
            cache: bool = True, **overrides: Any) -> Comparison:
    """Scenarios on the same seeds with paired differences to the reference, as ``compare`` makes them.

    Args:
        scenarios: :class:`Scenario` objects, names from ``scenarios/`` or YAML paths; the first
            is the reference unless ``baseline`` is given.
        seeds, workers, backend, scheduler, cache: as in :func:`run_many`.
        baseline: the reference scenario; put first (and added if it is not among ``scenarios``).
        overrides: ``{"dotted.path": value}`` changes applied to every scenario (as ``--set``).

    Example::

        import sim
        c = sim.compare(["no_exchange", "late_exchange"], seeds=10, baseline="wuhan_2023_2025", workers=2)
        c.table.query("metric == 'gmv_total'")[["scenario", "year", "diff_mean", "diff_ci_low", "diff_ci_high"]]
    """
    if "name" in overrides:
        raise DataMarketError("name: compared scenarios keep their own names; rename a Scenario with with_values")
    given = [_scenario(s, overrides) for s in scenarios]
    if baseline is not None:
        reference = _scenario(baseline, overrides)
        given = [reference, *(g for g in given if g[0].name != reference[0].name)]
    names = [s.name for s, _ in given]
    if len(names) < 2:
        raise DataMarketError(f"compare needs at least two scenarios, got {len(names)}: {', '.join(names)}")
    twice = sorted({n for n in names if names.count(n) > 1})
    if twice:
        raise DataMarketError(f"scenario name {twice[0]!r} appears twice; give each scenario its own name")
    runs = _run([s for s, _ in given], [src for _, src in given], seeds, workers, backend, scheduler, cache)
    return Comparison.of(runs)


def _scenario(scenario: Scenario | str | Path, overrides: dict[str, Any]) -> tuple[Scenario, str]:
    """The scenario (loaded if a name or path) with ``overrides``, and the file it came from."""
    if isinstance(scenario, Scenario):
        return (scenario.with_values(overrides) if overrides else scenario), ""
    source = resolve(str(scenario))
    return Scenario.load(source, overrides=overrides or None), str(source)


def _run(scenarios: list[Scenario], sources: list[str], seeds: Iterable[int] | int, workers: int, backend: str,
         scheduler: str | None, cache: bool) -> list[Replicates]:
    seeds = list(range(1, check_seeds(seeds, 1, "seeds") + 1)) if isinstance(seeds, int) else list(seeds)
    if not seeds:
        raise DataMarketError("seeds: give at least one seed")
    seeds = [check_seeds(seed, name="seeds") for seed in seeds]
    jobs = [Job(s, seed, i) for s in scenarios for i, seed in enumerate(seeds)]
    results = run_jobs(jobs, workers, backend, scheduler, cache=Cache.default() if cache else None)
    n = len(seeds)
    return [Replicates.of(s, results[k * n:(k + 1) * n], src)
            for k, (s, src) in enumerate(zip(scenarios, sources, strict=True))]
