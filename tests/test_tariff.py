"""The operator's tariff (sim/pricing.py): cost, allowed revenue, forward-looking tariff years
with true-up, and the market regime's price search — on hand-made numbers."""

import pytest

from sim.pricing import (OperatorCost, TariffYear, allowed_revenue, cost_based_price, limit_rise, market_step,
                         review_due, run_rate)


def test_operator_cost_is_fixed_plus_per_domain_plus_per_use():
    cost = OperatorCost(fixed=100.0, per_domain=10.0, per_use=0.01)
    assert cost.month(n_domains=3, uses=1000.0) == pytest.approx(100 + 30 + 10)
    assert cost.month(n_domains=0, uses=0.0) == 100.0


def test_allowed_revenue_is_cost_plus_return_plus_tax():
    assert allowed_revenue(1000.0, return_rate=0.08, tax_rate=0.06) == pytest.approx(1000 * 1.08 * 1.06)


def test_cost_based_price_spreads_the_requirement_within_floor_and_cap():
    assert cost_based_price(1200.0, 12_000.0, cap=1.0, floor=0.001) == pytest.approx(0.1)
    assert cost_based_price(1200.0, 100.0, cap=1.0, floor=0.001) == 1.0  # cap binds
    assert cost_based_price(1.0, 1e6, cap=1.0, floor=0.001) == 0.001  # floor binds
    assert cost_based_price(1200.0, 0.0, cap=0.8, floor=0.001) == 0.8  # nothing to spread over


def test_run_rate_is_the_recent_mean_and_none_without_history():
    assert run_rate([], 3) is None
    assert run_rate([1.0, 2.0, 3.0, 6.0], 3) == pytest.approx(11 / 3)
    assert run_rate([4.0], 3) == 4.0


def test_over_recovery_lowers_next_years_allowance_and_shortfall_raises_it():
    year = TariffYear(return_rate=0.1, tax_rate=0.0, carry_limit=1.0)
    assert year.open(forecast_cost=100.0) == pytest.approx(110.0)
    year.record(80.0)
    year.record(50.0)  # 130 earned against 110
    assert year.close() == pytest.approx(20.0)
    assert year.open(forecast_cost=100.0) == pytest.approx(90.0)  # gives the 20 back
    year.record(60.0)  # 30 short
    assert year.close() == pytest.approx(-30.0)
    assert year.open(forecast_cost=100.0) == pytest.approx(140.0)  # collects the 30


def test_true_up_is_bounded_by_the_carry_limit():
    year = TariffYear(return_rate=0.0, tax_rate=0.0, carry_limit=0.25)
    year.open(100.0)
    year.record(1000.0)  # a huge over-recovery
    year.close()
    assert year.open(100.0) == pytest.approx(75.0)  # at most a quarter of the base given back
    assert year.remaining() == pytest.approx(75.0)
    year.record(100.0)
    assert year.remaining() == 0.0


def test_market_search_keeps_a_profitable_direction_and_turns_back_otherwise():
    # first move: a rise
    assert market_step(1.0, 1.0, 10.0, 10.0, step=0.1, floor=0.01) == pytest.approx(1.1)
    # the rise raised profit: rise again
    assert market_step(1.1, 1.0, 12.0, 10.0, step=0.1, floor=0.01) == pytest.approx(1.21)
    # the rise cut profit: turn back
    assert market_step(1.1, 1.0, 9.0, 10.0, step=0.1, floor=0.01) == pytest.approx(0.99)
    # a cut raised profit: cut again, never below the floor
    assert market_step(0.0105, 0.011, 5.0, 4.0, step=0.1, floor=0.01) == 0.01


def test_review_is_due_when_revenue_to_date_strays_beyond_the_threshold():
    # 1200 allowed over 12 months: 300 expected after 3
    assert not review_due(earned=330.0, allowance=1200.0, elapsed=3, months=12, threshold=0.2)  # +10 %
    assert review_due(earned=400.0, allowance=1200.0, elapsed=3, months=12, threshold=0.2)  # +33 %
    assert review_due(earned=200.0, allowance=1200.0, elapsed=3, months=12, threshold=0.2)  # −33 %
    assert not review_due(earned=50.0, allowance=0.0, elapsed=3, months=12, threshold=0.2)  # nothing allowed


def test_price_cap_path_limits_rises_and_leaves_cuts_free():
    assert limit_rise(0.8, last_year=0.2, max_rise=0.5) == pytest.approx(0.3)
    assert limit_rise(0.25, last_year=0.2, max_rise=0.5) == 0.25
    assert limit_rise(0.01, last_year=0.2, max_rise=0.5) == 0.01  # a cut is never limited
    assert limit_rise(0.8, last_year=0.0, max_rise=0.5) == 0.8  # no last year: nothing to limit against
