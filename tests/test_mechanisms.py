"""Further plan mechanisms, each over several seeds: free use and screening (plan 二.2), data
assets (二.3), cultivation (五.1), brokers (五.2), data classification (六.1), vouchers."""

import numpy as np
import pandas as pd
import pytest

from sim import Scenario, ScenarioError

from conftest import BASELINE, SEEDS, small_run, yearly_mean


def _timeline_without(*ids: str) -> list[dict]:
    events = Scenario.load(BASELINE).model_dump(mode="json")["timeline"]
    return [e for e in events if e["id"] not in ids]


def test_public_interest_use_is_free_and_screening_stops_leakage():
    assert yearly_mean("public_data_free_uses") > 0
    assert yearly_mean("leakage_value", **{"behaviour.misreport_propensity": 0.3}) > 0
    perfect = {"behaviour.misreport_propensity": 0.3, "policy.screening.screening_accuracy": 1.0}
    assert yearly_mean("leakage_value", **perfect) == 0
    assert yearly_mean("leakage_value", **{"behaviour.misreport_propensity": 0.0}) == 0


def test_data_asset_registration_brings_loans_only_once_registered():
    for seed in SEEDS[:3]:
        m = small_run(seed).metrics
        assert (m.loc[m.date < "2024-06-01", "data_asset_loans"] == 0).all()
        assert m.loc[m.date >= "2024-06-01", "data_asset_loans"].sum() > 0
    off = {"timeline": _timeline_without("data_asset_registration")}
    assert yearly_mean("data_asset_loans", **off) == 0


def test_cultivation_grows_the_merchant_population():
    def merchants_end(**o):
        return np.mean([small_run(s, **o).metrics.n_merchants.iloc[-1] for s in SEEDS])

    assert merchants_end() > 1.1 * merchants_end(timeline=_timeline_without("cultivation"))


def test_brokers_raise_off_exchange_trade():
    brokers = {"policy.brokers.enabled": True, "policy.brokers.broker_boost": 4}
    assert yearly_mean("gmv_off_exchange", **brokers) > 1.02 * yearly_mean("gmv_off_exchange")


def test_vouchers_raise_on_exchange_trade_within_budget():
    vouchers = {"policy.vouchers.rate": 0.3, "policy.vouchers.budget": 20_000.0}
    assert yearly_mean("gmv_exchange", **vouchers) > 1.05 * yearly_mean("gmv_exchange")
    for seed in SEEDS[:3]:
        assert small_run(seed, **vouchers).metrics.voucher_spend.sum() <= 20_000.0 + 1e-6


def test_important_data_makes_violations_riskier():
    important = {f"domains.{d}.sensitivity": "important" for d in ("enterprise_registration", "transport", "weather")}
    plain = {**important, "behaviour.important_incident_multiplier": 1.0}
    riskier = {**important, "behaviour.important_incident_multiplier": 4.0}
    assert yearly_mean("incidents", **riskier) > 1.3 * yearly_mean("incidents", **plain)


def test_core_data_must_stay_restricted():
    with pytest.raises(ScenarioError, match=r"domains.public_security.status: core data must be restricted"):
        Scenario.load(BASELINE, overrides={"domains.public_security.status": "authorized"})


def test_allowed_revenue_keeps_operator_revenue_near_its_allowance():
    rule = {"policy.pricing.regime": "allowed_revenue"}
    for seed in SEEDS[:3]:
        r = small_run(seed, **rule)
        y = r.yearly.set_index("year")
        ceiling = y.operator_allowed_revenue[2025]  # forecast cost × (1 + profit) × (1 + tax) less the carry
        assert y.operator_revenue[2025] <= 1.25 * ceiling  # overshoot is bounded and carried forward
        assert y.operator_revenue[2025] > 0
    dates = pd.to_datetime(small_run(0, **rule).metrics.date)
    assert dates.dt.year.nunique() == 3


def _set_cash(model, merchant, cash: float) -> None:
    gap = merchant.cash - cash
    if gap > 0:
        model.ledger.transfer(merchant.account, model.accounts["economy"], "operating_cost", gap)
    elif gap < 0:
        model.ledger.transfer(model.accounts["economy"], merchant.account, "operating_cost", -gap)


def test_merchants_borrow_against_sales_when_short_and_repay_down_to_a_reserve_when_flush():
    from agents import DataMerchant
    from sim.model import DataMarketModel

    model = DataMarketModel("small", seed=0, **{"policy.data_assets.registration": True})
    par, assets, b = model.params.population.merchants, model.params.policy.data_assets, model.params.behaviour
    short, flush, idle = list(model.merchants)[:3]
    for x, cash in ((short, 0.5 * par.dev_cost), (flush, 5 * par.dev_cost), (idle, 2 * par.dev_cost)):
        _set_cash(model, x, cash)
    short.sales.extend([10.0] * 6)  # 10 万元 a month: registered value 10 × 12 × valuation_multiple
    flush.debt, idle.debt = 100.0, 100.0
    loans = DataMerchant.finance(model, [short, flush, idle])
    room = assets.loan_to_value * 10.0 * 12 * assets.valuation_multiple
    assert loans == pytest.approx(room) and short.debt == pytest.approx(room)
    assert short.cash == pytest.approx(0.5 * par.dev_cost + room)
    repaid = min(100.0, (5 - b.cash_reserve) * par.dev_cost)
    assert flush.debt == pytest.approx(100.0 - repaid) and flush.cash == pytest.approx(5 * par.dev_cost - repaid)
    assert idle.debt == 100.0  # between the thresholds: neither borrows nor repays


def test_development_turns_once_per_merchant_below_max_products_in_order_of_entry():
    from agents import DataMerchant
    from sim.model import DataMarketModel

    model = DataMarketModel("small", seed=0)
    merchants = list(model.merchants)
    n_products = np.zeros(model.n_merchants_ever)
    n_products[merchants[0].index] = model.params.population.merchants.max_products
    chance = DataMerchant.development_chances(model, merchants, n_products)
    assert np.isnan(chance[0]) and ((chance[1:] >= 0) & (chance[1:] <= model.params.behaviour.dev_rate)).all()
    u = model.streams.month(0).slots("development", [x.index for x in merchants], 1 + DataMerchant.DRAWS)
    before = model.products.n
    assert DataMerchant.develop_in_turn(merchants, np.where(np.isnan(chance), np.nan, 0.0), u).size == 0
    assert model.products.n == before  # with chance 0 nobody develops
    new = DataMerchant.develop_in_turn(merchants, np.where(np.isnan(chance), np.nan, 1.0), u)
    # with chance 1 each merchant below max_products develops one product, in order of entry
    assert model.products.owner[new].tolist() == [x.index for x in merchants[1:]]
