"""Shared fixtures: a small Wuhan baseline and cached runs, so mechanism tests stay fast; one
two-worker Dask cluster for every test of the Dask backend."""

from __future__ import annotations

import functools
import json
from pathlib import Path

import pandas as pd
import pytest

from sim import Scenario, run
from sim.ledger import BOOKS_TOLERANCE, books_error

ROOT = Path(__file__).resolve().parents[1]
BASELINE = ROOT / "scenarios" / "wuhan_2023_2025.yaml"
SMALL = {"population.users.count": 4000, "population.users.represents": 250}
SEEDS = range(6)


@functools.lru_cache(maxsize=None)
def _cached(overrides_json: str, seed: int):
    scenario = Scenario.load(BASELINE, overrides=json.loads(overrides_json))
    result = run(scenario, seed=seed)
    # Accounting holds in every month of every run the suite makes, whatever the test checks.
    assert books_balance(result), overrides_json
    return result


def books_balance(result) -> bool:
    """Whether every month's ``ledger_imbalance`` is within :data:`BOOKS_TOLERANCE` of the money
    that moved that month (:func:`sim.ledger.books_error`)."""
    m = result.metrics
    moved = result.flows["amount"].abs().groupby(result.flows["date"]).sum()
    moved = moved.reindex(pd.to_datetime(m["date"]), fill_value=0.0).to_numpy()
    return bool((books_error(m["ledger_imbalance"], moved) <= BOOKS_TOLERANCE).all())


def small_run(seed: int, **overrides):
    """The baseline at 4 000 users × 250 with ``overrides``, cached across tests."""
    return _cached(json.dumps({**SMALL, **overrides}, sort_keys=True), seed)


def yearly_mean(metric: str, seeds=SEEDS, year: int | None = None, **overrides) -> float:
    """Mean over seeds of a metric's total over the run (or one year)."""
    values = []
    for seed in seeds:
        y = small_run(seed, **overrides).yearly
        values.append(y.loc[y.year == year, metric].sum() if year else y[metric].sum())
    return float(pd.Series(values).mean())


@pytest.fixture(scope="session")
def dask_scheduler() -> str:
    """The address of a local two-worker Dask cluster, started once per session."""
    from dask.distributed import LocalCluster

    with LocalCluster(processes=True, n_workers=2, threads_per_worker=1, dashboard_address=None) as cluster:
        yield cluster.scheduler_address


@pytest.fixture(scope="session")
def baseline() -> Scenario:
    return Scenario.load(BASELINE)


@pytest.fixture(autouse=True)
def run_cache(tmp_path_factory, monkeypatch) -> Path:
    """Every test starts with an empty run cache of its own (``$DATAMARKET_CACHE``, inherited by
    the commands a test starts), so no test reads runs another made or fills the user's cache."""
    folder = tmp_path_factory.mktemp("run-cache")
    monkeypatch.setenv("DATAMARKET_CACHE", str(folder))
    return folder
