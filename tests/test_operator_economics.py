"""The public-data operator's economics (MODEL §6.2, §6.4): its cost and tariff year, the
regimes' revenue against their rule, licences chosen for what they earn, recapitalisation, and
the public-service fund's spending — on hand-made numbers and over seeds."""

from __future__ import annotations

import numpy as np
import pytest

from sim.model import DataMarketModel
from sim.pricing import allowed_revenue
from sim.settlement import fund_spending

from conftest import SEEDS, SMALL, small_run

REGIMES = ("cost_plus_cap", "allowed_revenue", "market", "free")


def _year(seed: int, metric: str, year: int, **overrides) -> float:
    y = small_run(seed, **overrides).yearly
    return float(y.loc[y.year == year, metric].iloc[0])


def test_founding_tariff_recovers_the_forecast_cost_over_the_planned_volume():
    # Founded 2023-06 with no domain yet: 7 months of fixed cost plus the planned uses' cost.
    values = {**SMALL, "operators.wuhan_data_group.fixed_cost": 120.0, "operators.wuhan_data_group.cost_per_use": 0.01,
              "operators.wuhan_data_group.planned_uses": 3000.0, "policy.pricing.markup": 0.1,
              "policy.pricing.tax_rate": 0.05, "policy.pricing.cap": 5.0}
    model = DataMarketModel("wuhan_2023_2025", seed=0, **values)
    for _ in range(6):
        model.step()
    op = next(iter(model.operators))
    cost = 7 * (120.0 + 0.01 * 3000.0)
    keep = model.params.policy.revenue_sharing.operator  # what it keeps of gross revenue
    assert op.tariff.allowance == pytest.approx(allowed_revenue(cost, 0.1, 0.05) / keep)
    assert op.price == pytest.approx(cost * 1.1 * 1.05 / keep / (7 * 3000.0))
    assert op.reference_price == pytest.approx(cost / (7 * 3000.0) * 1.1)  # forecast unit cost plus markup


def test_an_operator_short_of_cash_is_recapitalised_by_the_treasury_first():
    model = DataMarketModel("wuhan_2023_2025", seed=0, **SMALL)
    for _ in range(10):  # founded and authorized
        model.step()
    op = next(iter(model.operators))
    treasury = model.accounts["treasury"]
    model.ledger.transfer(op.account, treasury, "capital", float(model.ledger.balance[op.account]))  # empty it
    before = float(model.ledger.balance[treasury])
    op.supply()
    due = op.params.fixed_cost + op.params.cost_per_domain * len(op.domains) + op.params.governance_spend
    assert model.ledger.balance[op.account] == pytest.approx(0.0, abs=1e-9)
    assert before - model.ledger.balance[treasury] == pytest.approx(due)


@pytest.mark.parametrize("regime", REGIMES)
def test_no_regime_leaves_the_operator_with_negative_cash(regime):
    for seed in SEEDS[:3]:
        m = small_run(seed, **{"policy.pricing.regime": regime}).metrics
        assert (m.operator_cash >= -1e-9).all()
    if regime == "free":  # nothing earned: the treasury keeps it running once its capital is spent
        assert sum(_year(s, "recapitalisation", 2025, **{"policy.pricing.regime": regime}) for s in SEEDS[:3]) > 0


# Each cost-based regime holds its 2024 and 2025 revenue within [0.55, 1.3] × the year's
# allowance: the allowed-revenue cap by lowering its price within the year once the allowance is
# being earned, cost-plus by its quarterly tariff review (a re-set beyond ±20 % of the pro-rated
# allowance). Within the year revenue can only be steered at the reviews, and demand grows within
# it, so a year may close some way above; and the price-cap path (max_price_rise) may hold the
# first full year's price below what the founding year's shortfall asks for, so it may close
# some way below (the true-up collects it later) — further below since merchants can build on
# their own or commercial data instead of a licence, so licences fall short of the forecast
# (seed 0 at test scale closes 2024 at 0.58–0.62 in both regimes). Beyond 45 % short or 30 % over,
# the tariff would have failed its rule — over-recovery of 1.1–3.1 × before the review.
BANDS = {"allowed_revenue": (0.55, 1.3), "cost_plus_cap": (0.55, 1.3)}


@pytest.mark.parametrize("regime", sorted(BANDS))
def test_cost_based_revenue_tracks_its_allowance_after_the_founding_year(regime):
    low, high = BANDS[regime]
    rule = {"policy.pricing.regime": regime}
    for seed in SEEDS:
        for year in (2024, 2025):
            ratio = _year(seed, "operator_revenue", year, **rule) / _year(seed, "operator_allowed_revenue", year, **rule)
            assert low <= ratio <= high, (seed, year, ratio)
        assert small_run(seed, **rule).metrics.recapitalisation.sum() == 0  # its kept share covers its cost


def test_the_tariff_review_brings_cost_plus_revenue_nearer_its_allowance():
    # Without reviews (a threshold no year reaches) cost-plus keeps January's price while licences
    # grow through 2025; with them it cuts the price once revenue runs ahead of the allowance.
    def miss(**overrides):
        rule = {"policy.pricing.regime": "cost_plus_cap", **overrides}
        return np.mean([abs(_year(s, "operator_revenue", 2025, **rule)
                            / _year(s, "operator_allowed_revenue", 2025, **rule) - 1) for s in SEEDS])

    assert miss() < miss(**{"policy.pricing.review_threshold": 10.0})


def test_market_price_moves_and_climbs_on_locked_in_licences():
    # Merchants keep paying the licence of a product already built on the input, so the operator's
    # profit keeps rising with its price: the search climbs above where it started.
    market = {"policy.pricing.regime": "market"}
    for seed in SEEDS[:3]:
        m = small_run(seed, **market).metrics
        late = m.loc[m.date.dt.year >= 2024, "public_data_price"]
        assert late.nunique() > 6  # the price search moves month by month
        assert late.iloc[-1] > 0.4  # the regime's first price (policy.pricing.initial_price)


def test_a_dearer_licence_shifts_merchants_to_other_inputs():
    # A cost-based tariff recovers its allowance whatever a licence counts for (more use-equivalents
    # per licence, a lower price per use, after the next review), so a licence is made dearer by a
    # larger allowed return.
    dear = {"policy.pricing.markup": 1.0}
    base = np.mean([_year(s, "n_licensed_products", 2025) for s in SEEDS])
    fewer = np.mean([_year(s, "n_licensed_products", 2025, **dear) for s in SEEDS])
    assert fewer < base


def test_the_fund_reimburses_free_uses_first_and_spends_the_rest_on_governance():
    reimburse, governance = fund_spending(100.0, np.array([10.0, 30.0]), spend_rate=0.5, cover=0.5)
    np.testing.assert_allclose(reimburse, [5.0, 15.0])
    assert governance == pytest.approx(30.0)
    reimburse, governance = fund_spending(10.0, np.array([10.0, 30.0]), spend_rate=1.0, cover=1.0)
    np.testing.assert_allclose(reimburse, [2.5, 7.5])  # short budget: pro rata, nothing for governance
    assert governance == 0.0


def test_a_larger_public_service_share_buys_governance_and_quality():
    strong = {"policy.revenue_sharing.operator": 0.3, "policy.revenue_sharing.public_services": 0.4}
    quality = [_year(s, "mean_quality", 2025, **strong) - _year(s, "mean_quality", 2025) for s in SEEDS]
    assert np.mean(quality) > 0
    spent = [_year(s, "fund_governance", 2025, **strong) - _year(s, "fund_governance", 2025) for s in SEEDS]
    assert np.mean(spent) > 0


def test_fiscal_parts_add_up_and_net_of_penalties():
    m = small_run(0).metrics
    np.testing.assert_allclose(m.fiscal_equity + m.fiscal_subsidies + m.fiscal_governance, m.fiscal_spend, atol=1e-9)
    np.testing.assert_allclose(m.fiscal_net, m.fiscal_spend - m.penalties, atol=1e-9)
    assert m.fiscal_equity.sum() == pytest.approx(2000.0)  # the operator's capital, once


STRONG_SHARE = {"policy.revenue_sharing.operator": 0.3, "policy.revenue_sharing.public_services": 0.4}


def _yearly_price(seed: int, **overrides):
    m = small_run(seed, **overrides).metrics
    return m.groupby(m.date.astype(str).str[:4]).public_data_price.max()


def test_the_price_cap_path_stops_the_average_cost_spiral(baseline):
    # Keeping 30 % of gross revenue, the tariff grosses its allowance up by 1/0.3; each price rise
    # lowers volume and the next forecast, which raises the price again. Without the price-cap
    # path it reaches the cap by 2024 in every seed; with it, each year's price is at most
    # 1 + max_price_rise times the last and stays below the cap.
    cap = baseline.policy.pricing.cap
    for seed in SEEDS:
        price = _yearly_price(seed, **STRONG_SHARE)
        assert (price < cap).all(), (seed, price.tolist())
        assert (price.iloc[1:].to_numpy() <= (1 + baseline.policy.pricing.max_price_rise) * price.iloc[:-1].to_numpy() + 1e-9).all()
        runaway = _yearly_price(seed, **STRONG_SHARE, **{"policy.pricing.max_price_rise": 10.0})
        assert runaway.loc["2024"] == pytest.approx(cap)


def test_the_price_cap_path_runs_from_the_year_s_opening_price_not_its_last_review():
    # Reviews cut the 2025 price after January (in seed 1; in others they raise it); 2026's
    # ceiling is 1.5 × January's price.
    model = DataMarketModel("wuhan_2023_2025", seed=1, **SMALL, **{"calendar.end": "2026-03"})
    prices = {}
    for _ in range(37):  # through 2026-01
        model.step()
        op = next(iter(model.operators))
        prices[str(model.dates[model.month_index - 1])[:7]] = op.price
    rise = model.params.policy.pricing.max_price_rise
    assert prices["2025-12"] < prices["2025-01"]  # a review cut it within 2025
    assert op.price_ceiling == pytest.approx((1 + rise) * prices["2025-01"])
