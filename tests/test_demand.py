"""Demand (sim.demand) on tiny hand-made markets whose answer is known (MODEL §6.6)."""

import numpy as np
from types import SimpleNamespace

from sim import Scenario
from sim.demand import Venues, needs, shop
from sim.model import DataMarketModel
from sim.population import OFF_EXCHANGE, OPERATOR, Products, Users
from sim.streams import Streams

from conftest import BASELINE, SEEDS, SMALL

BEHAVIOUR = dict(
    need_rate=1.0, need_base=0.5, value_scale=10.0, raw_data_usability=0.5, popularity_weight=0.0, k_off=3, k_on=2,
    fee_pass_through=0.5, risk_off_exchange=0.4, risk_exchange=0.2, risk_operator=0.1,
    loss_prob_off_exchange=0.2, loss_prob_exchange=0.1, loss_prob_operator=0.05, noncompliant_loss_multiplier=3.0,
    extra_purchase_value=0.5, max_purchases=1, integration_cost=0.0,
)


def _users(n=1, trust_off=0.5, trust_operator=0.5, n_exchanges=1):
    params = SimpleNamespace(count=n, represents=10.0, sector_weights={"a": 1.0}, size_sigma=0.0,
                             maturity=SimpleNamespace(a=1.0, b=1.0), public_interest_share=0.0, research_share=0.0,
                             budget_multiple=100.0)
    u = Users(params, ["a"], n_exchanges, trust_off, trust_operator, 0.0, np.random.default_rng(0))
    u.maturity[:] = 1.0  # value = value_scale × size 1 × maturity 1 × quality × relevance
    return u


def _product(p, channel, quality=1.0, price=1.0, by_operator=False, certified=False, compliant=True):
    i = p.add(owner=0, by_operator=by_operator, account=0, domains=(-1, -1), channel=channel, quality=quality,
              price=price, compliant=compliant, created=0, listing_taste=0.0, relevance=np.array([1.0]))
    p.certified[i] = certified
    return i


def _venues(fee=0.0, premium=0.0, reach=0, open_=(0,), recovery=0.0):
    return Venues(open=open_, reach=np.array([reach]), fee_rate=np.array([fee]), trust_premium=np.array([premium]),
                  dispute_recovery=np.array([recovery]))


def _shop(u, p, venues, b=None, voucher=0.0, approved=False, boost=0):
    buyers = np.arange(u.n)
    b = SimpleNamespace(**{**BEHAVIOUR, **(b or {})})
    return shop(Streams(1).month(0), buyers, u, p, venues, b, boost, voucher, np.full(u.n, approved))


def test_need_chance_grows_with_maturity():
    rng = np.random.default_rng(3)
    maturity = np.r_[np.zeros(20_000), np.ones(20_000)]
    buyers = needs(rng.random(maturity.size), maturity, need_rate=0.2, need_base=0.5)
    low, high = np.mean(buyers < 20_000) * buyers.size / 20_000, np.mean(buyers >= 20_000) * buyers.size / 20_000
    assert abs(low - 0.1) < 0.01 and abs(high - 0.3) < 0.01  # 0.2 × (0.5 + μ)


def test_a_lone_buyer_buys_the_only_product_and_its_surplus_is_value_less_price_and_risk():
    u, p = _users(), Products(1)
    _product(p, OFF_EXCHANGE, quality=0.5, price=1.0)
    buy = _shop(u, p, _venues(open_=()))
    # V = 10 × 0.5 = 5; R = V × 0.4 × (1 − 0.5) = 1; U = 5 − 1 − 1 = 3
    assert buy.product.tolist() == [0] and buy.via.tolist() == [OFF_EXCHANGE]
    np.testing.assert_allclose([buy.value[0], buy.paid[0], buy.surplus[0]], [5.0, 1.0, 3.0])


def test_exchange_fee_is_passed_into_the_price_and_vouchers_cut_what_the_buyer_pays():
    u, p = _users(), Products(1)
    u.aware[:, 0] = True
    _product(p, OFF_EXCHANGE, quality=0.01, price=0.0)
    _product(p, 0, quality=1.0, price=2.0)  # the catalogue covers half the market: a wide reach finds it
    buy = _shop(u, p, _venues(fee=0.1, reach=30), voucher=0.25)
    on = buy.via == 0
    assert on.any()
    np.testing.assert_allclose(buy.list_price[on], 2.0 * (1 + 0.5 * 0.1))  # half the fee passed through
    np.testing.assert_allclose(buy.paid[on], 2.1 * 0.75)


def test_an_unaware_buyer_never_buys_on_the_exchange():
    u, p = _users(), Products(1)
    _product(p, OFF_EXCHANGE, quality=0.1, price=0.5)
    _product(p, 0, quality=1.0, price=0.1)
    buy = _shop(u, p, _venues())
    assert (buy.via != 0).all()


def test_public_data_is_free_for_approved_users_and_raw_data_is_worth_less():
    u, p = _users(), Products(1)
    _product(p, OPERATOR, quality=1.0, price=3.0, by_operator=True)
    paid = _shop(u, p, _venues(open_=()))
    free = _shop(u, p, _venues(open_=()), approved=True)
    assert not paid.free[0] and paid.paid[0] == 3.0
    assert free.free[0] and free.paid[0] == 0.0
    np.testing.assert_allclose(free.value, 10 * 0.5)  # raw_data_usability


def test_certification_cuts_the_chance_a_deal_goes_wrong_and_a_dispute_process_cuts_perceived_risk():
    u, p = _users(trust_off=0.0), Products(1)
    u.aware[:, 0] = True
    u.trust[:, 2] = 0.0
    _product(p, OFF_EXCHANGE, quality=1.0, price=100.0)  # unaffordable... never chosen
    _product(p, 0, quality=1.0, price=1.0, certified=True)  # the catalogue covers half the market: a wide reach
    plain = _shop(u, p, _venues(reach=30))
    premium = _shop(u, p, _venues(premium=0.5, reach=30))
    recovered = _shop(u, p, _venues(recovery=0.75, reach=30))
    # p_loss = loss_prob_exchange × (1 − premium): 0.1 without, 0.05 with the premium
    np.testing.assert_allclose([plain.p_loss[0], premium.p_loss[0]], [0.1, 0.05])
    # R = V × risk_exchange × (1 − trust) × (1 − recovery): 10 × 0.2 = 2, and 0.5 with 3/4 recovered
    np.testing.assert_allclose([plain.risk[0], premium.risk[0], recovered.risk[0]], [2.0, 2.0, 0.5])
    np.testing.assert_allclose([plain.surplus[0], recovered.surplus[0]], [10 - 1 - 2, 10 - 1 - 0.5])
    np.testing.assert_allclose([plain.at_stake[0], recovered.recovery[0]], [10 * 0.2, 0.75])


def test_a_noncompliant_product_is_likelier_to_go_wrong():
    u, p = _users(), Products(1)
    _product(p, OFF_EXCHANGE, compliant=False)
    buy = _shop(u, p, _venues(open_=()))
    np.testing.assert_allclose(buy.p_loss, 0.2 * 3.0)


def test_a_buyer_buys_public_data_with_a_merchant_product_the_second_worth_less():
    u, p = _users(), Products(1)
    _product(p, OFF_EXCHANGE, quality=1.0, price=1.0)
    _product(p, OPERATOR, quality=1.0, price=0.5, by_operator=True)
    one = _shop(u, p, _venues(open_=()))
    both = _shop(u, p, _venues(open_=()), b={"max_purchases": 3})
    assert one.n == 1 and one.product.tolist() == [0]
    # merchant: V 10, R = 10 × 0.4 × 0.5 = 2, U = 7; public data: V = 10 × 0.5 = 5, R = 5 × 0.1 × 0.5 = 0.25,
    # as the second purchase worth 0.5 of that: U = 0.5 × (5 − 0.25) − 0.5 = 1.875
    assert both.buyers.tolist() == [0, 0] and both.product.tolist() == [0, 1]
    np.testing.assert_allclose(both.value, [10.0, 2.5])
    np.testing.assert_allclose(both.surplus, [7.0, 1.875])
    np.testing.assert_allclose(both.risk, [2.0, 0.125])
    # an integration cost of 2 per product leaves the merchant product (U = 5) and drops the public data
    costly = _shop(u, p, _venues(open_=()), b={"max_purchases": 3, "integration_cost": 2.0})
    assert costly.product.tolist() == [0]
    np.testing.assert_allclose(costly.surplus, [5.0])


class _Recording(DataMarketModel):
    """The model, keeping each month's purchases (the spin-up's too: it runs in the constructor)."""

    def __init__(self, *args, **kwargs):
        self.months = []
        super().__init__(*args, **kwargs)

    def _demand(self):
        purchases, costs = super()._demand()
        self.months.append(purchases)
        return purchases, costs


def test_some_buyers_buy_several_products_and_none_exceeds_its_budget_or_the_cap():
    several = 0
    for seed in SEEDS[:3]:
        m = _Recording(Scenario.load(BASELINE, overrides=SMALL), seed=seed).run()
        cap = m.params.behaviour.max_purchases
        for buy in m.months:
            counts = np.bincount(buy.buyers, minlength=m.users.n)
            spent = np.bincount(buy.buyers, buy.paid, minlength=m.users.n)
            assert counts.max(initial=0) <= cap
            assert (spent <= m.users.budget * (1 + 1e-12)).all()
            several += int(np.sum(counts >= 2))
            pairs = buy.buyers.astype(np.int64) * (m.products.n + 1) + buy.product
            assert np.unique(pairs).size == pairs.size  # a product is bought once a month by a buyer
    assert several > 0
