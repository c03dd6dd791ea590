"""Whole runs: the Python API, determinism, and accounting identities in every month."""

import numpy as np
import pandas as pd
import pytest

from sim import Scenario, run
from sim.metrics import NAMES
from sim.model import DataMarketModel

from conftest import BASELINE, ROOT, SEEDS, SMALL, small_run

ROOT_SCENARIOS = ROOT / "scenarios"


def test_run_returns_monthly_yearly_products_and_manifest(baseline):
    r = small_run(0)
    assert list(r.metrics.columns[:4]) == ["scenario", "run_id", "seed", "date"]
    assert set(NAMES) <= set(r.metrics.columns)
    assert len(r.metrics) == 36
    assert r.metrics.date.iloc[0] == pd.Timestamp("2023-01-01") and r.metrics.date.iloc[-1] == pd.Timestamp("2025-12-01")
    assert r.yearly.year.tolist() == [2023, 2024, 2025]
    np.testing.assert_allclose(r.yearly.gmv_total.sum(), r.metrics.gmv_total.sum())
    assert {"owner", "domains", "channel", "quality", "price", "units_sold", "revenue"} <= set(r.products.columns)
    np.testing.assert_allclose(r.products.revenue.sum(), r.metrics.gmv_total.sum())
    assert r.manifest["seed"] == 0 and r.manifest["versions"]["mesa"].startswith("3.3")
    assert r.manifest["scenario_hash"] == Scenario.load(BASELINE, overrides=SMALL).digest()


def test_same_seed_same_metrics_other_seed_different():
    a = run(Scenario.load(BASELINE, overrides=SMALL), seed=11)
    b = run(Scenario.load(BASELINE, overrides=SMALL), seed=11)
    c = run(Scenario.load(BASELINE, overrides=SMALL), seed=12)
    pd.testing.assert_frame_equal(a.metrics, b.metrics)
    pd.testing.assert_frame_equal(a.products, b.products)
    assert not a.metrics.drop(columns="seed").equals(c.metrics.drop(columns="seed"))


@pytest.mark.parametrize("regime", ["free", "cost_plus_cap", "market", "allowed_revenue"])
def test_books_balance_and_shares_add_up_in_every_month(regime):
    for seed in SEEDS[:3]:
        m = small_run(seed, **{"policy.pricing.regime": regime}).metrics
        assert (m.ledger_imbalance.abs() < 1e-6).all()
        parts = m.revenue_operator + m.revenue_data_providers + m.revenue_public_services + m.revenue_contributors
        np.testing.assert_allclose(parts, m.operator_revenue, rtol=0, atol=1e-9)
        shares = Scenario.load(BASELINE).policy.revenue_sharing
        for k in ("data_providers", "public_services", "contributors"):
            np.testing.assert_allclose(m[f"revenue_{k}"], m.operator_revenue * getattr(shares, k), atol=1e-9)
        np.testing.assert_allclose(m.gmv_exchange + m.gmv_off_exchange, m.gmv_total)


def test_ledger_flows_reconcile_with_metrics():
    r = small_run(1, **{"policy.vouchers.rate": 0.2, "policy.vouchers.budget": 3000.0})
    f = r.flows
    by_kind = f.groupby("kind").amount.sum()
    np.testing.assert_allclose(by_kind["sale"] + by_kind["voucher"], r.metrics.gmv_total.sum())
    np.testing.assert_allclose(by_kind["voucher"], r.metrics.voucher_spend.sum())
    assert r.metrics.voucher_spend.sum() == pytest.approx(3000.0)  # the budget is spent, never exceeded
    treasury_out = f[f.payer == "treasury"].amount.sum()
    np.testing.assert_allclose(treasury_out, r.metrics.fiscal_spend.sum())
    np.testing.assert_allclose(f[f.payee == "treasury"].amount.sum(), r.metrics.penalties.sum())


def test_restricted_domains_never_used_and_exchanges_own_nothing():
    r = small_run(2)
    assert not r.products.domains.str.contains("public_security").any()
    assert set(r.products.owner_kind) == {"merchant", "operator"}


def test_schedule_is_written_once_in_order():
    names = [name for name, _ in DataMarketModel.PHASES]
    assert names == ["timeline", "public_supply", "merchant_supply", "listing", "demand", "settlement",
                     "supervision", "learning", "record"]
    assert all(hasattr(DataMarketModel, f"_{name}") for name in names)


def test_timeline_set_event_changes_parameters_from_its_month():
    r = small_run(0, **{"policy.pricing.regime": "cost_plus_cap"})
    events = Scenario.load(BASELINE).timeline
    assert any(e.set and "policy.cultivation.entry_subsidy" in e.set for e in events)
    grants = r.flows[r.flows.kind == "entry_subsidy"]
    assert grants.date.min() >= pd.Timestamp("2024-01-01")  # cultivation starts in 2024
    assert len(grants) > 0


# ---- Mesa as Mesa --------------------------------------------------------------------------

def test_model_accepts_a_catalogue_name_with_dotted_overrides_and_stops_running_at_the_end():
    from agents import DataExchange, DataMerchant

    model = DataMarketModel("wuhan_2023_2025", seed=3, **SMALL)
    assert model.scenario.population.users.count == 4000 and len(model.dates) == 36
    # the initial population is the state at the start of the spin-up (MODEL §5); entrants join it
    initial = model.scenario.population.merchants.initial_count
    assert model.n_merchants_ever > initial
    cold = DataMarketModel("wuhan_2023_2025", seed=3, **SMALL, **{"calendar.spinup_months": 0})
    assert len(cold.agents_by_type[DataMerchant]) == cold.n_merchants_ever == initial
    assert [x.index for x in model.agents_by_type[DataExchange]] == list(range(len(model.scenario.exchanges)))
    model.run_model()
    assert model.steps == 36 and not model.running
    pd.testing.assert_frame_equal(model.datacollector.get_model_vars_dataframe()[list(NAMES)].reset_index(drop=True),
                                  small_run(3).metrics[list(NAMES)])


def test_stepping_past_the_last_month_is_a_clear_error_that_changes_nothing():
    from sim.errors import DataMarketError
    from sim.model import SimulationFinished

    model = DataMarketModel(Scenario.load(BASELINE, overrides=SMALL), seed=0).run()
    before = model.datacollector.get_model_vars_dataframe()
    with pytest.raises(SimulationFinished, match="36 months have all been run") as caught:
        model.step()
    assert isinstance(caught.value, DataMarketError)
    assert model.steps == 36
    pd.testing.assert_frame_equal(model.datacollector.get_model_vars_dataframe(), before)


def test_bad_override_names_the_parameter():
    from sim.scenario import ScenarioError

    with pytest.raises(ScenarioError, match="policy.pricing.regime"):
        DataMarketModel("wuhan_2023_2025", **{"policy.pricing.regime": "gratis"})


def test_mesa_batch_run_reports_what_sim_run_reports():
    import mesa

    parameters = {"scenario": "small", "seed": [1, 2], "policy.pricing.regime": ["free", "cost_plus_cap"]}
    # Mesa steps while steps <= max_steps: 3 gives four months
    rows = mesa.batch_run(DataMarketModel, parameters=parameters, iterations=1, max_steps=3, number_processes=1,
                          data_collection_period=1, display_progress=False)
    assert len(rows) == 2 * 2 * 4
    for row in rows:
        assert set(NAMES) <= set(row)
    for seed in (1, 2):
        for regime in ("free", "cost_plus_cap"):
            expected = run(Scenario.load(ROOT_SCENARIOS / "small.yaml", overrides={"policy.pricing.regime": regime}),
                           seed=seed, full=False).metrics.iloc[:4]
            got = pd.DataFrame([r for r in rows if r["seed"] == seed and r["policy.pricing.regime"] == regime])
            got = got.sort_values("Step").reset_index(drop=True)
            assert got.Step.tolist() == [0, 1, 2, 3]
            for name in NAMES:
                np.testing.assert_array_equal(got[name].to_numpy(), expected[name].to_numpy(), err_msg=name)


def test_sim_does_not_import_concrete_agents_outside_the_model():
    import ast
    from pathlib import Path

    root = Path(__file__).resolve().parents[1]
    offenders = []
    for path in (root / "sim").rglob("*.py"):
        if path.name == "model.py" and path.parent.name == "sim":
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            names = [a.name for a in node.names] if isinstance(node, ast.Import) else \
                [node.module or ""] if isinstance(node, ast.ImportFrom) else []
            offenders += [f"{path.name}: {n}" for n in names if n == "agents" or n.startswith("agents.")]
    assert not offenders


def test_a_market_that_starts_without_merchants_or_products_runs_with_sound_books():
    """No merchant (or no product) in 2023-01 (no spin-up): nobody can buy until something is for
    sale, and the run goes on (it used to stop with an IndexError in demand)."""
    for overrides in ({"population.merchants.initial_count": 0, "calendar.spinup_months": 0},
                      {"population.merchants.initial_products": 0, "calendar.spinup_months": 0}):
        result = run(Scenario.load(ROOT_SCENARIOS / "small.yaml", overrides=overrides), seed=1, full=False)
        first = result.metrics.iloc[0]
        assert first.n_transactions == 0 and first.gmv_total == 0
        assert result.metrics.n_products.iloc[-1] > 0  # operators' services, then merchants, arrive
        assert (result.metrics.ledger_imbalance.abs() < 1e-6).all()
