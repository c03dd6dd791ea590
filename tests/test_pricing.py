"""Pricing regimes (MODEL §6.2) and merchants' price adaptation (§6.3)."""

import numpy as np
import pytest

from sim.pricing import AllowedRevenue, adapt_prices, cost_plus_cap, unit_cost


def test_cost_plus_below_the_cap():
    assert cost_plus_cap(unit_cost=0.2, markup=0.1, cap=1.0) == pytest.approx(0.22)


def test_cap_binds():
    assert cost_plus_cap(unit_cost=2.0, markup=0.1, cap=0.8) == 0.8


def test_unit_cost_has_a_floor_and_no_uses_means_no_basis():
    assert unit_cost(100.0, 10_000.0, floor=0.05) == 0.05
    assert unit_cost(100.0, 100.0, floor=0.05) == 1.0
    assert unit_cost(100.0, 0.0, floor=0.05) == float("inf")


def test_prices_rise_after_strong_months_and_fall_after_empty_ones():
    price = np.array([1.0, 1.0, 1.0, 0.021])
    units = np.array([5.0, 2.0, 0.0, 0.0])
    recent = np.array([3.0, 3.0, 3.0, 3.0])
    out = adapt_prices(price, units, recent, step=0.05, floor=0.02)
    np.testing.assert_allclose(out, [1.05, 1.0, 0.95, 0.02])


def test_allowed_revenue_excess_is_carried_to_next_year():
    rule = AllowedRevenue(profit_rate=0.1, tax_rate=0.0)
    assert rule.start_year(expected_cost=100.0) == pytest.approx(110.0)
    rule.record(80.0)
    rule.record(50.0)  # 130 earned against 110 allowed
    assert rule.close_year() == pytest.approx(20.0)
    assert rule.start_year(expected_cost=100.0) == pytest.approx(90.0)
    rule.record(50.0)
    assert rule.close_year() == 0.0
    assert rule.start_year(expected_cost=100.0) == pytest.approx(110.0)


def test_allowed_revenue_price_spreads_the_remaining_allowance():
    rule = AllowedRevenue(profit_rate=0.0, tax_rate=0.0)
    rule.start_year(120.0)
    rule.record(60.0)
    # 60 left over 6 months × 100 uses: 0.1 per use, within the cap and above the floor.
    assert rule.price(6, 100.0, cap=1.0, floor=0.01) == pytest.approx(0.1)
    assert rule.price(6, 1.0, cap=1.0, floor=0.01) == 1.0  # the cap binds
    rule.record(100.0)
    assert rule.price(6, 100.0, cap=1.0, floor=0.01) == 0.01  # allowance used up: the floor
