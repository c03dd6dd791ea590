"""Supply without artefacts (MODEL §5, §6.3): product quality follows its inputs, merchants build on
public, own and commercial data, and the market starts from a pre-reform spin-up, not from zero."""

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from sim import Scenario, run
from sim.model import DataMarketModel
from sim.population import Products
from sim.quality import product_quality

from conftest import BASELINE, SEEDS, SMALL, small_run


def paired_lower_bound(diffs, level: float = 0.90) -> float:
    """Lower end of the two-sided ``level`` t interval of the mean of paired differences."""
    d = np.asarray(diffs, dtype=float)
    return float(d.mean() - stats.t.ppf(0.5 + level / 2, d.size - 1) * d.std(ddof=1) / np.sqrt(d.size))


def with_governance_budget(factor: float) -> Scenario:
    """The baseline (full size) with the fiscal governance budget of its ``set`` event × ``factor``."""
    data = Scenario.load(BASELINE).model_dump()
    for event in data["timeline"]:
        if event.get("set") and "policy.fiscal.governance_budget" in event["set"]:
            event["set"]["policy.fiscal.governance_budget"] *= factor
    return Scenario.from_dict(data)


# ---- quality that follows the data --------------------------------------------------------------

def test_product_quality_moves_a_share_of_the_way_to_what_its_current_inputs_support():
    p = Products(n_sectors=2)
    common = dict(by_operator=False, account=0, channel=-1, price=1.0, created=0, listing_taste=0.0,
                  relevance=np.ones(2))
    public = p.add(owner=0, domains=(0, 1), quality=0.2, compliant=True, processing=0.8, **common)
    mixed = p.add(owner=0, domains=(1, -1), quality=0.2, compliant=True, processing=0.5, own_quality=0.3,
                  commercial=True, **common)
    illicit = p.add(owner=0, domains=(0, -1), quality=0.2, compliant=False, processing=1.0, **common)
    p.deactivate([illicit])  # withdrawn products keep their quality
    p.follow_inputs(np.array([0.6, 0.4]), commercial_quality=0.8, rate=0.25, illicit_quality_bonus=0.5)
    assert p.quality[public] == pytest.approx(0.2 + 0.25 * (0.8 * 0.5 - 0.2))
    assert p.quality[mixed] == pytest.approx(0.2 + 0.25 * (0.5 * (0.4 + 0.3 + 0.8) / 3 - 0.2))
    assert p.quality[illicit] == 0.2
    assert product_quality(1.0, 0.9, False, 0.5) == 1.0  # capped at 1


def test_more_fiscal_governance_raises_merchant_product_quality_and_value_created():
    """×3 the fiscal governance budget (plan 三 保障措施(二)): domains improve, and so do the
    merchant products built on them, and the value users get from them (paired over ten seeds,
    at the baseline's 20 000 users: value created rises by about 1 %, less than the test scale's
    noise)."""
    base, more = with_governance_budget(1.0), with_governance_budget(3.0)
    quality, value = [], []
    for seed in range(10):
        a, b = run(base, seed), run(more, seed)  # full: the products table
        q = [r.products.loc[(r.products.owner_kind == "merchant") & r.products.active, "quality"].mean() for r in (a, b)]
        v = [r.yearly.loc[r.yearly.year == 2025, "value_created"].item() for r in (a, b)]
        quality.append(q[1] - q[0])
        value.append(v[1] / v[0] - 1)
    assert paired_lower_bound(quality) > 0
    assert paired_lower_bound(value) > 0


# ---- own and commercial data -----------------------------------------------------------------------

def test_the_baseline_has_products_on_public_own_and_commercial_data_in_every_seed():
    for seed in SEEDS:
        products = small_run(seed).products
        inputs = products.loc[products.owner_kind == "merchant", "domains"].str.split("+")
        assert inputs.map(lambda x: "own_data" in x).mean() > 0.05
        assert inputs.map(lambda x: "commercial_data" in x).mean() > 0.05
        assert inputs.map(lambda x: any(d not in ("own_data", "commercial_data") for d in x)).mean() > 0.2


def test_dearer_commercial_data_is_used_on_fewer_products_and_costs_merchants_what_they_use():
    cheap, dear = [], []
    for seed in SEEDS[:4]:
        for cost, out in ((4.0, cheap), (40.0, dear)):
            products = small_run(seed, **{"population.merchants.commercial_data_cost": cost}).products
            out.append(products[products.owner_kind == "merchant"].domains.str.contains("commercial_data").mean())
    assert all(d < c for c, d in zip(cheap, dear))


def test_each_merchant_pays_fixed_cost_upkeep_and_its_products_commercial_data():
    from agents import DataMerchant
    from sim.ledger import KIND

    model = DataMarketModel("wuhan_2023_2025", seed=1, **SMALL)
    par = model.params.population.merchants
    p = model.products
    merchants = list(model.merchants)
    n_products = model._count_products()
    DataMerchant.pay_costs(model, merchants, n_products)
    model.ledger.close_month()
    flows = model.ledger.months[-1]
    operating = flows["kind"] == KIND["operating_cost"]
    commercial = p.merchant_owned() & p.view("commercial_data")
    n_commercial = np.bincount(p.view("owner")[commercial], minlength=model.n_merchants_ever)
    assert n_commercial.sum() > 0
    for x in merchants:
        due = par.fixed_cost + par.product_upkeep * n_products[x.index] + par.commercial_data_cost * n_commercial[x.index]
        assert flows["amount"][operating & (flows["payer"] == x.account)].sum() == pytest.approx(due)


# ---- the spin-up -----------------------------------------------------------------------------------

def test_the_spin_up_leaves_expectations_formed_at_the_first_month():
    model = DataMarketModel("wuhan_2023_2025", seed=2, **SMALL)
    cold = DataMarketModel("wuhan_2023_2025", seed=2, **SMALL, **{"calendar.spinup_months": 0})
    assert cold.expected_product_revenue == 0 and not cold.products.view("recent").any()
    p, u = model.products, model.users
    own = p.merchant_owned()
    assert model.expected_product_revenue > 0
    assert (p.view("recent")[own] > 0).mean() > 0.3  # products have sales histories
    assert (u.last_product >= 0).mean() > 0.05  # users have past sellers to return to
    assert u.maturity.mean() > cold.users.maturity.mean()
    assert all(len(x.sales) for x in model.merchants)  # every merchant's sales window has months in it
    assert p.view("created")[own].min() < 0  # products made before the calendar start


def test_spin_up_months_are_not_recorded_and_the_books_open_balanced():
    r = small_run(4)
    assert len(r.metrics) == 36 and r.metrics.date.iloc[0] == pd.Timestamp("2023-01-01")
    assert pd.to_datetime(r.flows.date).min() == pd.Timestamp("2023-01-01")
    assert (r.metrics.ledger_imbalance.abs() < 1e-6).all()
    assert pd.to_datetime(r.products.created).min() < pd.Timestamp("2023-01-01")  # the pre-reform stock
    lean = run(Scenario.load(BASELINE, overrides=SMALL), seed=4, full=False)
    pd.testing.assert_frame_equal(lean.metrics, r.metrics)


def monthly_withdrawals_and_exits(seed: int) -> tuple[np.ndarray, np.ndarray]:
    """Products withdrawn by merchants still in the market (retired or banned), and merchant exits,
    in each month of 2023."""
    model = DataMarketModel("wuhan_2023_2025", seed=seed, **SMALL)
    withdrawn, exits = [], []
    for _ in range(12):
        before = model.products.merchant_owned().copy()
        model.step()
        p = model.products
        n = before.size
        staying = np.isin(p.view("owner")[:n], [x.index for x in model.merchants])
        withdrawn.append(int((before & ~p.view("active")[:n] & staying).sum()))
        exits.append(int(model.row["merchant_exits"]))
    return np.array(withdrawn), np.array(exits)


def test_no_month_of_2023_has_a_retirement_or_exit_spike():
    """Without the spin-up every initial product was last sold in month 0, so unsold ones were all
    retired together in month 6, and exits began only then. Summed over seeds, no month of 2023
    has more than 3× the median month's withdrawals or exits."""
    counts = [monthly_withdrawals_and_exits(seed) for seed in SEEDS]
    withdrawn = np.sum([w for w, _ in counts], axis=0)
    exits = np.sum([e for _, e in counts], axis=0)
    for series in (withdrawn, exits):
        assert np.median(series) > 0
        assert series.max() <= 3 * np.median(series)
