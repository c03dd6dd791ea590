"""Small real runs shared by the analysis tests: two pricing regimes × three seeds, a 2 × 2
voucher sweep, and results folders written by ``run.py run``."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from analysis_tests.support import BUDGET, RATE
from sim import Scenario, run
from sim.cli import main

ROOT = Path(__file__).resolve().parents[2]
BASELINE = ROOT / "scenarios" / "wuhan_2023_2025.yaml"
SMALL = {"population.users.count": 2000, "population.users.represents": 500}
SEEDS = (0, 1, 2)


def small(**overrides) -> Scenario:
    return Scenario.load(BASELINE, overrides={**SMALL, **overrides})


@pytest.fixture(scope="session")
def results():
    """Baseline ("base") and free public data ("free"), seeds 0–2, paired by seed."""
    scenarios = [small(name="base"), small(name="free", **{"policy.pricing.regime": "free"})]
    return [run(s, seed=seed, run_id=i) for s in scenarios for i, seed in enumerate(SEEDS)]


@pytest.fixture(scope="session")
def metrics(results) -> pd.DataFrame:
    return pd.concat([r.metrics for r in results], ignore_index=True)


@pytest.fixture(scope="session")
def sweep() -> pd.DataFrame:
    """Monthly metrics of a 2 × 2 voucher sweep (rate × budget), one seed, parameters as columns."""
    frames = []
    for i, (rate, budget) in enumerate([(0.0, 5000.0), (0.0, 50000.0), (0.3, 5000.0), (0.3, 50000.0)]):
        r = run(small(name="vouchers", **{RATE: rate, BUDGET: budget}), seed=0, run_id=i)
        frames.append(r.metrics.assign(**{RATE: rate, BUDGET: budget}))
    return pd.concat(frames, ignore_index=True)


@pytest.fixture(scope="session")
def folders(tmp_path_factory) -> Path:
    """A comparison folder: ``base/`` and ``free/``, each written by ``run.py run`` (2 runs)."""
    root = tmp_path_factory.mktemp("compare")
    for name, extra in (("base", ""), ("free", "policy: {pricing: {regime: free}}\n")):
        yaml = root / f"{name}.yaml"
        yaml.write_text(f"extends: {BASELINE}\nname: {name}\n"
                        "population: {users: {count: 2000, represents: 500}}\n" + extra, encoding="utf-8")
        assert main(["run", str(yaml), "--replicates", "2", "--out", str(root / name)]) == 0
        yaml.unlink()
    return root
