"""The model as an EMA Workbench model (``sim/ema.py``): inputs typed and bounded from the parameter
tree's roles and ranges, and experiments that give exactly what ``sim.run`` gives at the same
inputs and seed, with the sequential and the multiprocessing (spawn) evaluators."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap

import numpy as np
import pandas as pd
import pytest
from ema_workbench import SequentialEvaluator

from sim import Scenario, run
from sim.ema import ema_model, ema_name, inputs, outcome_name
from sim.schema import InputError, role_of
from tests.conftest import ROOT

TINY = {"population.users.count": 1000, "population.users.represents": 1000}  # the small city, 1 000 agents
CHOSEN = {
    "exchanges.pilot_platform.fee_rate": (0.0, 0.1),  # lever, real, narrowed
    "policy.pricing.regime": None,  # lever, categorical
    "policy.brokers.enabled": None,  # lever, boolean
    "exchanges.pilot_platform.initial_trust": None,  # uncertainty, real, its allowed range [0, 1]
    "behaviour.k_off": (1, 6),  # uncertainty, integer
}
METRICS = ["gmv_total", "exchange_share", "n_listed"]


@pytest.fixture(scope="module")
def tiny() -> Scenario:
    return Scenario.load(ROOT / "scenarios" / "small.yaml", overrides=TINY)


def _check_against_run(base: Scenario, experiments: pd.DataFrame, outcomes: dict, seed: int, monthly: bool) -> None:
    """Every experiment's outcomes equal a direct run of the base scenario with its values."""
    years = range(2023, 2026)
    for i, row in experiments.iterrows():
        values = {path: row[ema_name(path)] for path in CHOSEN}
        values = {p: (bool(v) if isinstance(v, (bool, np.bool_)) else v.item() if hasattr(v, "item") else v)
                  for p, v in values.items()}
        result = run(base.with_values(values), seed=seed, full=False)
        for metric in METRICS:
            expected = result.yearly.set_index("year")[metric]
            got = [outcomes[outcome_name(metric, y)][i] for y in years]
            np.testing.assert_array_equal(got, expected.loc[list(years)].to_numpy(), err_msg=f"{metric} {values}")
            if monthly:
                np.testing.assert_array_equal(outcomes[f"{metric}_monthly"][i], result.metrics[metric].to_numpy())


def test_inputs_are_typed_and_bounded_by_the_parameter_tree(tiny):
    model = ema_model(tiny, CHOSEN, metrics=METRICS, seed=3)
    levers = {p.name: p for p in model.levers}
    uncertainties = {p.name: p for p in model.uncertainties}
    assert set(levers) == {ema_name(p) for p in ("exchanges.pilot_platform.fee_rate", "policy.pricing.regime",
                                                 "policy.brokers.enabled")}
    assert set(uncertainties) == {ema_name("exchanges.pilot_platform.initial_trust"), ema_name("behaviour.k_off")}
    fee = levers["exchanges__pilot_platform__fee_rate"]
    assert (type(fee).__name__, fee.lower_bound, fee.upper_bound) == ("RealParameter", 0.0, 0.1)
    trust = uncertainties["exchanges__pilot_platform__initial_trust"]
    assert (trust.lower_bound, trust.upper_bound) == (0.0, 1.0)  # the field's ge=0, le=1
    assert type(uncertainties["behaviour__k_off"]).__name__ == "IntegerParameter"
    assert type(levers["policy__brokers__enabled"]).__name__ == "BooleanParameter"
    regime = levers["policy__pricing__regime"]
    assert [c.value for c in regime.categories] == ["free", "cost_plus_cap", "market", "allowed_revenue"]
    constants = {c.name: c.value for c in model.constants}
    assert constants["seed"] == 3 and constants["population__users__count"] == 1000
    assert {o.name for o in model.outcomes} == {outcome_name(m, y) for m in METRICS for y in (2023, 2024, 2025)}


def test_every_lever_and_uncertainty_by_default_with_the_role_the_schema_gives(tiny):
    model = ema_model(tiny)
    every = inputs(tiny)
    assert {p.name for p in model.levers} == {i.name for i in every if i.role == "lever"}
    assert {p.name for p in model.uncertainties} == {i.name for i in every if i.role == "uncertainty"}
    assert len(model.levers) + len(model.uncertainties) > 100
    from sim.scenario import Exchange
    fee = next(i for i in every if i.path == "exchanges.regional_exchange.fee_rate")
    assert fee.role == role_of(Exchange, "fee_rate") == "lever" and (fee.low, fee.high) == (0.0, 0.5)


def test_experiments_equal_direct_runs_at_the_same_inputs_and_seed(tiny):
    model = ema_model(tiny, CHOSEN, metrics=METRICS, monthly=True, seed=3)
    with SequentialEvaluator(model) as evaluator:
        experiments, outcomes = evaluator.perform_experiments(scenarios=2, policies=2)
    assert len(experiments) == 4 and experiments["policy"].nunique() == 2
    assert not np.isnan(outcomes["gmv_total_2025"]).any()
    assert outcomes["exchange_share_monthly"].shape == (4, 36)
    _check_against_run(tiny, experiments, outcomes, seed=3, monthly=True)


def test_multiprocessing_evaluator_with_spawn_gives_the_direct_runs(tiny, tmp_path):
    script = textwrap.dedent(f"""
        import multiprocessing, pickle
        from ema_workbench import MultiprocessingEvaluator
        from sim import Scenario
        from sim.ema import ema_model

        if __name__ == "__main__":
            multiprocessing.set_start_method("spawn")
            base = Scenario.load({str(ROOT / "scenarios" / "small.yaml")!r}, overrides={TINY!r})
            model = ema_model(base, {CHOSEN!r}, metrics={METRICS!r}, seed=5)
            with MultiprocessingEvaluator(model, n_processes=2) as evaluator:
                results = evaluator.perform_experiments(scenarios=2, policies=1)
            with open({str(tmp_path / "results.pkl")!r}, "wb") as f:
                pickle.dump(results, f)
    """)
    (tmp_path / "study.py").write_text(script, encoding="utf-8")
    done = subprocess.run([sys.executable, "study.py"], cwd=tmp_path, capture_output=True, text=True, timeout=300,
                          env={**os.environ, "PYTHONPATH": str(ROOT)})
    assert done.returncode == 0, done.stderr[-2000:]
    experiments, outcomes = pd.read_pickle(tmp_path / "results.pkl")
    assert len(experiments) == 2
    _check_against_run(tiny, experiments, outcomes, seed=5, monthly=False)


@pytest.mark.parametrize("parameters, fragment", [
    ({"exchanges.pilot_platform.fee_rat": None}, "exchanges.pilot_platform.fee_rat: not a lever or uncertainty"),
    ({"population.users.count": None}, "population.users.count: not a lever or uncertainty"),  # a constant
    ({"exchanges.pilot_platform.fee_rate": (0.0, 0.9)}, "within [0, 0.5]"),
    ({"policy.pricing.regime": (0, 1)}, "no bounds (not a number)"),
])
def test_bad_parameters_are_refused_naming_the_path(tiny, parameters, fragment):
    with pytest.raises(InputError) as caught:
        ema_model(tiny, parameters)
    assert fragment in str(caught.value)


def test_unknown_metric_is_refused(tiny):
    with pytest.raises(InputError, match="unknown metric 'gmv'"):
        ema_model(tiny, ["behaviour.k_off"], metrics=["gmv"])
