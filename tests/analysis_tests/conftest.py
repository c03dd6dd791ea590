"""Small real runs shared by the analysis tests: two pricing regimes × three seeds and a 2 × 2
voucher sweep in memory; and folders made once per session by the real commands (``run``,
``compare``, ``sweep``, ``sensitivity`` through ``sim.cli.main``) on a tiny scenario: the small
city at 1 000 users, January 2023 to June 2024."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest
import yaml

from analysis_tests.support import BUDGET, RATE
from sim import Scenario, run
from sim.cli import main

ROOT = Path(__file__).resolve().parents[2]
BASELINE = ROOT / "scenarios" / "wuhan_2023_2025.yaml"
SMALL = {"population.users.count": 2000, "population.users.represents": 500}
SEEDS = (0, 1, 2)
FEE = "exchanges.pilot_platform.fee_rate"
# Events after June 2024 lie outside the tiny calendar.
LATER = ("open_regional_exchange", "declaration_commitment", "authorize_credit")


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


# ---- folders written by the real commands ------------------------------------------------------


def cli(*argv) -> None:
    assert main([str(a) for a in argv]) == 0, argv


@pytest.fixture(scope="session")
def tiny(tmp_path_factory) -> Path:
    """A folder holding the tiny scenarios ``base.yaml`` and ``free.yaml`` (free public data)."""
    folder = tmp_path_factory.mktemp("tiny")
    base = {"extends": str(ROOT / "scenarios" / "small.yaml"), "name": "base",
            "population": {"users": {"count": 1000, "represents": 1000}}, "calendar": {"end": "2024-06"},
            "timeline": [{"id": e, "remove": True} for e in LATER]}
    (folder / "base.yaml").write_text(yaml.safe_dump(base), encoding="utf-8")
    (folder / "free.yaml").write_text("extends: base.yaml\nname: free\npolicy: {pricing: {regime: free}}\n",
                                      encoding="utf-8")
    return folder


@pytest.fixture(scope="session")
def run_folder(tiny, tmp_path_factory) -> Path:
    """``run base.yaml --replicates 2``."""
    out = tmp_path_factory.mktemp("run") / "base"
    cli("run", tiny / "base.yaml", "--replicates", 2, "--out", out)
    return out


@pytest.fixture(scope="session")
def folders(tiny, tmp_path_factory) -> Path:
    """``compare base.yaml free.yaml --replicates 2``: a comparison folder."""
    out = tmp_path_factory.mktemp("compare") / "out"
    cli("compare", tiny / "base.yaml", tiny / "free.yaml", "--replicates", 2, "--out", out)
    return out


def _spec(tiny: Path, name: str, **fields) -> Path:
    path = tiny / f"{name}.yaml"
    path.write_text(yaml.safe_dump({"name": name, "base": "base.yaml", **fields}), encoding="utf-8")
    return path


@pytest.fixture(scope="session")
def sweep_folder(tiny, tmp_path_factory) -> Path:
    """``sweep``: voucher rate × budget on a 2 × 2 grid, 2 replicates, yearly outputs."""
    spec = _spec(tiny, "grid", parameters={RATE: [0.0, 0.3], BUDGET: [5000.0, 50000.0]}, replicates=2, seed=1,
                 outputs={"metrics": ["gmv_total", "voucher_spend", "exchange_share"]})
    out = tmp_path_factory.mktemp("sweep") / "out"
    cli("sweep", spec, "--out", out, "--workers", 1, "--quiet")
    return out


@pytest.fixture(scope="session")
def sensitivity_folders(tiny, tmp_path_factory) -> dict[str, Path]:
    """``sensitivity`` of a Sobol and of a Morris spec (rate and fee), each run for two outcomes
    in two calls, so that ``indices.csv`` gathers both."""
    bounds = {RATE: {"low": 0.0, "high": 0.3}, FEE: {"low": 0.01, "high": 0.05}}
    folders = {}
    for design, samples in (("sobol", 2), ("morris", 2)):
        spec = _spec(tiny, design, design=design, samples=samples, parameters=bounds, seed=1,
                     fixed={BUDGET: 50000.0}, outputs={"metrics": ["gmv_total", "voucher_spend"]})
        out = tmp_path_factory.mktemp(design) / "out"
        cli("sensitivity", spec, "--out", out, "--metric", "voucher_spend:2024", "--workers", 1, "--quiet")
        cli("sensitivity", out, "--metric", "gmv_total:2023")
        folders[design] = out
    return folders
