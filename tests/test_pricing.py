"""Pricing regimes (MODEL §6.2), merchants' price adaptation (§6.3) and their choice of licensed
inputs, on hand-made numbers."""

import numpy as np
import pytest

from sim.pricing import TariffYear, adapt_prices, allowed_revenue, cost_based_price, input_gains


def test_cost_plus_below_the_cap():
    # a unit cost of 0.2 with a 10 % return, spread over one use
    assert cost_based_price(allowed_revenue(0.2, return_rate=0.1, tax_rate=0.0), 1.0, cap=1.0,
                            floor=0.005) == pytest.approx(0.22)


def test_cap_binds():
    assert cost_based_price(allowed_revenue(2.0, return_rate=0.1, tax_rate=0.0), 1.0, cap=0.8, floor=0.005) == 0.8


def test_unit_cost_has_a_floor_and_no_uses_means_no_basis():
    assert cost_based_price(100.0, 10_000.0, cap=5.0, floor=0.05) == 0.05
    assert cost_based_price(100.0, 100.0, cap=5.0, floor=0.05) == 1.0
    assert cost_based_price(100.0, 0.0, cap=5.0, floor=0.05) == 5.0  # nothing to spread over: the cap


def test_prices_rise_after_strong_months_and_fall_after_empty_ones():
    price = np.array([1.0, 1.0, 1.0, 0.021])
    units = np.array([5.0, 2.0, 0.0, 0.0])
    recent = np.array([3.0, 3.0, 3.0, 3.0])
    out = adapt_prices(price, units, recent, step=0.05, floor=0.02)
    np.testing.assert_allclose(out, [1.05, 1.0, 0.95, 0.02])


def test_allowed_revenue_excess_is_carried_to_next_year():
    rule = TariffYear(return_rate=0.1, tax_rate=0.0, carry_limit=1.0)
    assert rule.open(forecast_cost=100.0) == pytest.approx(110.0)
    rule.record(80.0)
    rule.record(50.0)  # 130 earned against 110 allowed
    assert rule.close() == pytest.approx(20.0)
    assert rule.open(forecast_cost=100.0) == pytest.approx(90.0)
    rule.record(90.0)
    assert rule.close() == pytest.approx(0.0, abs=1e-9)
    assert rule.open(forecast_cost=100.0) == pytest.approx(110.0)


def test_allowed_revenue_price_spreads_the_remaining_allowance():
    rule = TariffYear(return_rate=0.0, tax_rate=0.0, carry_limit=1.0)
    rule.open(120.0)
    rule.record(60.0)
    # 60 left over 6 months × 100 uses: 0.1 per use, within the cap and above the floor.
    assert cost_based_price(rule.remaining(), 6 * 100.0, cap=1.0, floor=0.01) == pytest.approx(0.1)
    assert cost_based_price(rule.remaining(), 6 * 1.0, cap=1.0, floor=0.01) == 1.0  # the cap binds
    rule.record(100.0)
    assert cost_based_price(rule.remaining(), 6 * 100.0, cap=1.0, floor=0.01) == 0.01  # allowance used up: the floor


def test_a_licensed_input_is_taken_only_if_it_earns_more_than_its_licence():
    quality, relevance = np.array([0.5, 0.5, 0.5]), np.array([0.8, 0.8, 0.8])
    licence = np.array([0.0, 1.0, 3.0])  # open, cheap, dear (万元/month)
    gains = input_gains(quality, relevance, licence, expected_revenue=5.0, horizon=12)
    # 12 × (5 × 0.4 − licence): 24, 12, −12
    np.testing.assert_allclose(gains, [24.0, 12.0, -12.0])
    # with no expected revenue yet only free inputs are worth anything, by quality × relevance
    np.testing.assert_allclose(input_gains(quality, relevance, licence, 0.0, 12), [0.4, -np.inf, -np.inf])
    # an input with no quality is worth nothing, even free
    assert input_gains(np.array([0.0]), np.array([0.8]), np.array([0.0]), 5.0, 12)[0] == 0.0
