"""Market clearing on tiny inputs whose answer is known by hand (MODEL §6.6)."""

import numpy as np

from sim.clearing import clear, draw_candidates, exposure_weights


def _clear(value, price, risk, budget, valid=None):
    value, price, risk = (np.array(x, dtype=float) for x in (value, price, risk))
    valid = np.ones(value.shape, dtype=bool) if valid is None else np.array(valid)
    return clear(value, price, risk, np.array(budget, dtype=float), valid)


def test_each_user_buys_the_highest_positive_utility():
    # U = V - p - R: user 0 -> [4, 6, 1] buys column 1; user 1 -> [-1, -2, 0.5] buys column 2.
    c = _clear([[10, 10, 3], [2, 1, 3]], [[5, 3, 1], [2, 2, 2]], [[1, 1, 1], [1, 1, 0.5]], [100, 100])
    assert c.col.tolist() == [1, 2]
    assert c.bought.tolist() == [True, True]
    np.testing.assert_allclose(c.utility, [6.0, 0.5])


def test_no_purchase_without_positive_utility():
    c = _clear([[1, 2]], [[1, 2]], [[0, 0.1]], [100])
    assert c.col.tolist() == [-1]
    assert not c.bought[0]
    assert c.utility[0] == 0


def test_budget_excludes_unaffordable_products():
    # Column 0 has the larger utility (10-6=4) but costs more than the budget of 5.
    c = _clear([[10, 4]], [[6, 1]], [[0, 0]], [5])
    assert c.col.tolist() == [1]


def test_empty_slots_are_never_chosen():
    c = _clear([[100, 1]], [[0, 0]], [[0, 0]], [10], valid=[[False, True]])
    assert c.col.tolist() == [1]


def test_free_products_still_need_value_above_risk():
    c = _clear([[1.0]], [[0.0]], [[1.5]], [10])
    assert not c.bought[0]


def test_candidates_follow_weights_and_pool():
    rng = np.random.default_rng(0)
    pool = np.array([7, 8, 9])
    draws = draw_candidates(rng.random((4000, 2)), pool, np.array([0.0, 1.0, 3.0]))
    assert set(np.unique(draws)) <= {8, 9}
    assert abs(np.mean(draws == 9) - 0.75) < 0.03
    assert (draw_candidates(rng.random((3, 2)), pool[:0], np.zeros(0)) == -1).all()


def test_exposure_mixes_uniform_and_sales_share():
    w = exposure_weights(np.array([0.0, 10.0, 30.0]), 0.8)
    np.testing.assert_allclose(w, [0.2 / 3, 0.2 / 3 + 0.2, 0.2 / 3 + 0.6])
    # shares, not counts: scaling sales changes nothing
    np.testing.assert_allclose(w, exposure_weights(np.array([0.0, 1000.0, 3000.0]), 0.8))
