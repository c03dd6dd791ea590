"""Sellers' channel choice (sim.listing) on tiny hand-made inputs (MODEL §6.3)."""

import numpy as np
from types import SimpleNamespace

from sim.listing import Venue, choose_channels
from sim.population import OFF_EXCHANGE, Products

B = SimpleNamespace(relist_rate=0.0, listing_noise=0.0, listing_own_weight=0.5)


def _products(*channels, recent=1.0, price=10.0):
    p = Products(1)
    for c in channels:
        i = p.add(owner=0, by_operator=False, account=0, domains=(-1, -1), channel=c, quality=1.0, price=price,
                  compliant=True, created=0, listing_taste=0.0, relevance=np.array([1.0]))
        p.recent[i] = recent
    return p


def _venue(index=0, uplift=2.0, fee=0.0, horizon=12.0, review=1.0):
    return Venue(index=index, uplift=uplift, fee_rate=fee, horizon=horizon, review_cost=review)


def test_a_new_product_lists_where_the_expected_gain_beats_the_review_cost():
    # expected revenue = 0.5 × 10 + 0.5 × 10 = 10; gain on = (2 × 1 − 1) × 10 × 12 − 1 = 119 > 0
    c = choose_channels(np.random.default_rng(0).random(1000), _products(OFF_EXCHANGE), [_venue()], 10.0, 1.0, B)
    assert c.products.tolist() == [0] and c.channel.tolist() == [0] and c.applying.tolist() == [True]
    assert c.applicants(0).tolist() == [0] and c.staying_off().size == 0


def test_no_uplift_and_a_fee_keeps_products_off_exchange():
    c = choose_channels(np.random.default_rng(0).random(1000), _products(OFF_EXCHANGE), [_venue(uplift=1.0, fee=0.1)], 10.0, 1.0, B)
    assert c.channel.tolist() == [OFF_EXCHANGE] and c.staying_off().tolist() == [0]


def test_the_better_of_two_exchanges_wins_and_a_listed_product_does_not_apply_again():
    p = _products(OFF_EXCHANGE, 1)
    p.reviewed[1] = False  # both are considered this month
    c = choose_channels(np.random.default_rng(0).random(1000), p, [_venue(0, uplift=1.5), _venue(1, uplift=3.0)], 10.0, 1.0, B)
    assert c.channel.tolist() == [1, 1]
    assert c.applying.tolist() == [True, False]  # the second is already listed there: no new review


def test_reviewed_products_are_reconsidered_only_at_the_relist_rate():
    p = _products(*[OFF_EXCHANGE] * 1000)
    p.reviewed[: p.n] = True
    none = choose_channels(np.random.default_rng(0).random(1000), p, [_venue()], 10.0, 1.0, B)
    some = choose_channels(np.random.default_rng(0).random(1000), p, [_venue()], 10.0, 1.0,
                           SimpleNamespace(**{**vars(B), "relist_rate": 0.2}))
    assert none.products.size == 0
    assert 150 < some.products.size < 250
