"""Pricing rules (MODEL §6.2–6.3): public-data regimes and merchants' price adaptation."""

from __future__ import annotations

import numpy as np


def unit_cost(trailing_cost: float, trailing_paid_uses: float, floor: float) -> float:
    """Operator cost per paid use over a trailing window, never below ``floor``."""
    if trailing_paid_uses <= 0:
        return float("inf")
    return max(floor, trailing_cost / trailing_paid_uses)


def cost_plus_cap(unit_cost: float, markup: float, cap: float) -> float:
    """``min(cap, unit_cost × (1 + markup))``: cost-based with a ceiling."""
    return min(cap, unit_cost * (1 + markup))


def adapt_prices(price: np.ndarray, units: np.ndarray, recent: np.ndarray, step: float, floor: float) -> np.ndarray:
    """Multiplicative adaptation: up by ``step`` after a month above the recent average,
    down by ``step`` after a month without sales, floored at marginal cost."""
    up = (units > recent) & (units > 0)
    down = units <= 0
    factor = np.where(up, 1 + step, np.where(down, 1 - step, 1.0))
    return np.maximum(price * factor, floor)


class AllowedRevenue:
    """Allowed-revenue ceiling (发改价格〔2025〕65号): per year the operator may earn at most its
    cost plus an allowed profit, plus tax; revenue above the allowance is deducted from the
    next year's allowance."""

    def __init__(self, profit_rate: float, tax_rate: float):
        self.profit_rate = profit_rate
        self.tax_rate = tax_rate
        self.allowance = 0.0
        self.earned = 0.0
        self.carry = 0.0

    def start_year(self, expected_cost: float) -> float:
        """Open a year with the allowance for ``expected_cost`` (万元), less last year's excess."""
        self.allowance = max(0.0, expected_cost * (1 + self.profit_rate) * (1 + self.tax_rate) - self.carry)
        self.earned = 0.0
        return self.allowance

    def record(self, revenue: float) -> None:
        self.earned += revenue

    def close_year(self) -> float:
        """End the year; the excess over the allowance is carried into next year's deduction."""
        self.carry = max(0.0, self.earned - self.allowance)
        return self.carry

    def price(self, months_left: int, expected_monthly_uses: float, cap: float, floor: float) -> float:
        """Price that spreads what is left of the allowance over the year's expected paid uses."""
        remaining = max(0.0, self.allowance - self.earned)
        uses = expected_monthly_uses * max(months_left, 1)
        if uses <= 0:
            return cap
        return float(min(cap, max(floor, remaining / uses)))
