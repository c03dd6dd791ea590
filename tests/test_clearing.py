"""Market clearing on tiny inputs whose answer is known by hand (MODEL §6.6)."""

import numpy as np

from sim.clearing import clear, draw_candidates, exposure_weights


def _clear(value, price, risk, budget, valid=None, product=None, decay=1.0, cap=1, cost=0.0):
    value, price, risk = (np.array(x, dtype=float) for x in (value, price, risk))
    valid = np.ones(value.shape, dtype=bool) if valid is None else np.array(valid)
    product = None if product is None else np.array(product)
    return clear(value, price, risk, np.array(budget, dtype=float), valid, product, decay, cap, cost)


def _by_row(c, n):
    """Columns bought by each row, in the order bought."""
    return [c.col[c.row == i].tolist() for i in range(n)]


def test_each_user_buys_the_highest_positive_utility():
    # U = V - p - R: user 0 -> [4, 6, 1] buys column 1; user 1 -> [-1, -2, 0.5] buys column 2.
    c = _clear([[10, 10, 3], [2, 1, 3]], [[5, 3, 1], [2, 2, 2]], [[1, 1, 1], [1, 1, 0.5]], [100, 100])
    assert _by_row(c, 2) == [[1], [2]]
    assert c.rank.tolist() == [1, 1]
    np.testing.assert_allclose(c.utility, [6.0, 0.5])


def test_no_purchase_without_positive_utility():
    c = _clear([[1, 2]], [[1, 2]], [[0, 0.1]], [100], cap=3)
    assert c.n == 0 and c.row.tolist() == [] and c.utility.size == 0


def test_budget_excludes_unaffordable_products():
    # Column 0 has the larger utility (10-6=4) but costs more than the budget of 5.
    c = _clear([[10, 4]], [[6, 1]], [[0, 0]], [5])
    assert c.col.tolist() == [1]


def test_empty_slots_are_never_chosen():
    c = _clear([[100, 1]], [[0, 0]], [[0, 0]], [10], valid=[[False, True]], cap=2)
    assert c.col.tolist() == [1]


def test_free_products_still_need_value_above_risk():
    c = _clear([[1.0]], [[0.0]], [[1.5]], [10])
    assert c.n == 0


def test_further_purchases_are_worth_decay_to_the_power_of_rank_and_stop_at_the_cap():
    # V − R = [10, 8, 6, 4], p = 1. Decay 0.5: U1 = 10 − 1 = 9 (col 0), U2 = 0.5·8 − 1 = 3 (col 1),
    # U3 = 0.25·6 − 1 = 0.5 (col 2), U4 = 0.125·4 − 1 < 0. Cap 2 stops after two.
    args = ([[10, 8, 6, 4]], [[1, 1, 1, 1]], [[0, 0, 0, 0]], [100])
    c = _clear(*args, decay=0.5, cap=4)
    assert c.col.tolist() == [0, 1, 2] and c.rank.tolist() == [1, 2, 3]
    np.testing.assert_allclose(c.utility, [9.0, 3.0, 0.5])
    np.testing.assert_allclose(c.scale, [1.0, 0.5, 0.25])
    assert _clear(*args, decay=0.5, cap=2).col.tolist() == [0, 1]


def test_an_integration_cost_is_subtracted_from_every_purchase_but_not_from_the_budget():
    # V − R = [10, 3], p = [1, 1], cost 2.5: U1 = 10 − 1 − 2.5 = 6.5; U2 = 3 − 1 − 2.5 < 0. Budget 1 covers the price.
    c = _clear([[10, 3]], [[1, 1]], [[0, 0]], [1], cap=2, cost=2.5)
    assert c.col.tolist() == [0]
    np.testing.assert_allclose(c.utility, [6.5])


def test_the_budget_covers_all_purchases_of_the_month():
    # Budget 5: col 0 (p 4) first, then only col 2 (p 1) fits the 1 left, though col 1 is better.
    c = _clear([[20, 15, 3]], [[4, 2, 1]], [[0, 0, 0]], [5], cap=3)
    assert c.col.tolist() == [0, 2]
    c = _clear([[20, 15, 3]], [[4, 2, 1]], [[0, 0, 0]], [100], cap=3)
    assert c.col.tolist() == [0, 1, 2]


def test_a_product_filling_two_slots_is_bought_once():
    c = _clear([[10, 9, 5]], [[1, 1, 1]], [[0, 0, 0]], [100], product=[[7, 7, 8]], cap=3)
    assert c.col.tolist() == [0, 2]


def test_purchases_come_rank_by_rank_over_users():
    c = _clear([[5, 4], [6, 0]], [[1, 1], [1, 1]], [[0, 0], [0, 0]], [100, 100], cap=2)
    assert list(zip(c.row.tolist(), c.rank.tolist())) == [(0, 1), (1, 1), (0, 2)]


def test_candidates_follow_weights_and_pool():
    rng = np.random.default_rng(0)
    pool = np.array([7, 8, 9])
    draws = draw_candidates(rng.random((4000, 4)), pool, np.array([0.0, 1.0, 3.0]), np.array([70, 80, 90]))
    assert draws.shape == (4000, 2) and set(np.unique(draws)) <= {8, 9}
    assert abs(np.mean(draws == 9) - 0.75) < 0.03
    assert (draw_candidates(rng.random((3, 4)), pool[:0], np.zeros(0), pool[:0]) == -1).all()


def test_exposure_mixes_uniform_and_sales_share():
    w = exposure_weights(np.array([0.0, 10.0, 30.0]), 0.8)
    np.testing.assert_allclose(w, [0.2 / 3, 0.2 / 3 + 0.2, 0.2 / 3 + 0.6])
    # shares, not counts: scaling sales changes nothing
    np.testing.assert_allclose(w, exposure_weights(np.array([0.0, 1000.0, 3000.0]), 0.8))
