"""Demand (sim.demand) on tiny hand-made markets whose answer is known (MODEL §6.6)."""

import numpy as np
from types import SimpleNamespace

from sim.demand import Venues, needs, shop
from sim.population import OFF_EXCHANGE, OPERATOR, Products, Users
from sim.streams import Streams

BEHAVIOUR = dict(
    need_rate=1.0, need_base=0.5, value_scale=10.0, raw_data_usability=0.5, popularity_weight=0.0, k_off=3, k_on=2,
    fee_pass_through=0.5, risk_off_exchange=0.4, risk_exchange=0.2, risk_operator=0.1,
)


def _users(n=1, trust_off=0.5, trust_operator=0.5, n_exchanges=1):
    params = SimpleNamespace(count=n, represents=10.0, sector_weights={"a": 1.0}, size_sigma=0.0,
                             maturity=SimpleNamespace(a=1.0, b=1.0), public_interest_share=0.0, research_share=0.0,
                             budget_multiple=100.0)
    u = Users(params, ["a"], n_exchanges, trust_off, trust_operator, 0.0, np.random.default_rng(0))
    u.maturity[:] = 1.0  # value = value_scale × size 1 × maturity 1 × quality × relevance
    return u


def _product(p, channel, quality=1.0, price=1.0, by_operator=False, certified=False):
    i = p.add(owner=0, by_operator=by_operator, account=0, domains=(-1, -1), channel=channel, quality=quality,
              price=price, compliant=True, created=0, listing_taste=0.0, relevance=np.array([1.0]))
    p.certified[i] = certified
    return i


def _venues(fee=0.0, premium=0.0, reach=0, open_=(0,)):
    return Venues(open=open_, reach=np.array([reach]), fee_rate=np.array([fee]), trust_premium=np.array([premium]))


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


def test_certification_on_an_exchange_lowers_perceived_risk():
    u, p = _users(trust_off=0.0), Products(1)
    u.aware[:, 0] = True
    u.trust[:, 2] = 0.0
    _product(p, OFF_EXCHANGE, quality=1.0, price=100.0)  # unaffordable... never chosen
    _product(p, 0, quality=1.0, price=1.0, certified=True)  # the catalogue covers half the market: a wide reach
    plain = _shop(u, p, _venues(reach=30))
    premium = _shop(u, p, _venues(premium=0.5, reach=30))
    # R = V × risk_exchange × (1 − premium): 10 × 0.2 = 2 without, 1 with the premium
    np.testing.assert_allclose(plain.surplus, 10 - 1 - 2)
    np.testing.assert_allclose(premium.surplus, 10 - 1 - 1)
