"""Pricing rules (MODEL §6.2–6.3): the public-data operator's tariff and merchants' prices.

The operator's tariff follows the way a price regulator sets a cost-based price (发改价格〔2025〕65号
sets the method: cost, a reasonable return and tax; it sets no number):

- **Cost** (:class:`OperatorCost`): a fixed cost per month, a cost per authorized domain per
  month (governance, maintenance, security) and a cost per use served (delivery, review,
  compute), whether the use is paid, free or licensed.
- **Forward-looking tariff year** (:class:`TariffYear`): at the start of each calendar year
  (or at founding, for the rest of that year) the operator forecasts the year's billable uses
  and its cost from its recent run-rate, and sets the price that recovers the *allowed revenue*
  (cost × (1 + return) × (1 + tax)) less what it over-recovered before.
- **True-up**: at the close of the year, revenue above the allowance is carried forward and
  lowers next year's price; a shortfall raises it (both bounded by the cap).
- **Tariff review** (:func:`review_due`, ``cost_plus_cap``): every ``review_interval`` months the
  operator compares revenue to date with the pro-rated allowance; beyond ``review_threshold`` it
  re-sets the price for the rest of the year on its updated forecast.
- **Price-cap path** (:func:`limit_rise`): a tariff year's price (and any review within it) is at
  most ``1 + max_price_rise`` times the price the last year opened at; cuts are free.

Regimes: ``cost_plus_cap`` fixes the price for the tariff year (a price cap, revised yearly and
at reviews);
``allowed_revenue`` lowers it within the year to what is left of the year's allowance spread
over the forecast uses still to come (a revenue cap); ``market`` searches for the
profit-maximising price (:func:`market_step`); ``free`` charges nothing. Cost-based prices lie
within ``[floor, cap]`` (``market`` is not capped). Merchants weigh each licensed input's price
against what it earns them (:func:`input_gains`). The operator agent (``agents/operator.py``)
applies these blocks.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np


def adapt_prices(price: np.ndarray, units: np.ndarray, recent: np.ndarray, step: float, floor: float) -> np.ndarray:
    """Merchants' multiplicative adaptation: up by ``step`` after a month above the recent
    average, down by ``step`` after a month without sales, floored at marginal cost."""
    up = (units > recent) & (units > 0)
    down = units <= 0
    factor = np.where(up, 1 + step, np.where(down, 1 - step, 1.0))
    return np.maximum(price * factor, floor)


@dataclass(frozen=True)
class OperatorCost:
    """The operator's cost structure, 万元.

    Args:
        fixed: cost per month whatever it does (staff, platform), 万元/month.
        per_domain: cost per authorized domain per month (governance, upkeep, security), 万元/month.
        per_use: cost of serving one use (paid, free, or a licence use-equivalent), 万元/use.
    """

    fixed: float
    per_domain: float
    per_use: float

    def month(self, n_domains: int, uses: float) -> float:
        """Cost of one month with ``n_domains`` authorized domains and ``uses`` uses served."""
        return self.fixed + self.per_domain * n_domains + self.per_use * uses


def allowed_revenue(cost: float, return_rate: float, tax_rate: float) -> float:
    """Revenue a cost-based regime allows: ``cost × (1 + return_rate) × (1 + tax_rate)``."""
    return cost * (1 + return_rate) * (1 + tax_rate)


def cost_based_price(required: float, billable_uses: float, cap: float, floor: float) -> float:
    """The price that recovers ``required`` 万元 over ``billable_uses``, within ``[floor, cap]``.

    With no billable use in prospect the cap applies (nothing to spread the cost over)."""
    if billable_uses <= 0:
        return cap
    return float(min(cap, max(floor, required / billable_uses)))


def review_due(earned: float, allowance: float, elapsed: int, months: int, threshold: float) -> bool:
    """Whether a tariff review re-sets the year's price: revenue earned over the first ``elapsed``
    of the year's ``months`` departs from the pro-rated allowance by more than ``threshold`` (a
    share of it). A year with no allowance is never reviewed."""
    expected = allowance * elapsed / months
    return expected > 0 and abs(earned / expected - 1) > threshold


def limit_rise(price: float, last_year: float, max_rise: float) -> float:
    """The price-cap path: a tariff year's price is at most ``1 + max_rise`` times the last
    year's price (no limit without a last year, and cuts are never limited). It stops an
    average-cost spiral: a higher price lowers volume, a lower forecast volume raises the price."""
    if last_year <= 0:
        return price
    return min(price, last_year * (1 + max_rise))


def run_rate(history: list[float], window: int) -> float | None:
    """Mean of the last ``window`` monthly values, or None without any history."""
    if not history:
        return None
    recent = history[-window:]
    return float(sum(recent)) / len(recent)


@dataclass
class TariffYear:
    """One tariff year of a cost-based regime, with the true-up carried between years.

    ``open`` sets the year's allowance from forecast cost; ``record`` books each month's
    revenue; ``close`` ends the year and returns the over- (+) or under-recovery (−) that the
    next year's allowance gives back or collects. The carry is bounded by ``carry_limit`` times
    the next allowance so that one bad forecast cannot drive a price to zero or to the cap for
    good.
    """

    return_rate: float
    tax_rate: float
    carry_limit: float
    allowance: float = 0.0
    earned: float = 0.0
    carry: float = 0.0  # over-recovery still to give back (+) or shortfall to collect (−)

    def open(self, forecast_cost: float) -> float:
        """Start a year whose cost is forecast at ``forecast_cost`` 万元; returns the allowance."""
        base = allowed_revenue(forecast_cost, self.return_rate, self.tax_rate)
        limit = self.carry_limit * base
        self.allowance = max(0.0, base - float(np.clip(self.carry, -limit, limit)))
        self.earned = 0.0
        return self.allowance

    def record(self, revenue: float) -> None:
        self.earned += revenue

    def close(self) -> float:
        """End the year: the carry becomes what was earned above (or below) the allowance."""
        self.carry = self.earned - self.allowance
        return self.carry

    def remaining(self) -> float:
        """Allowance not yet earned this year, 万元 (never negative)."""
        return max(0.0, self.allowance - self.earned)


def input_gains(quality: np.ndarray, relevance: np.ndarray, licence: np.ndarray, expected_revenue: float,
                horizon: float) -> np.ndarray:
    """A merchant's net gain from building a product on each public-data input, 万元 over its
    horizon (MODEL §6.3): the expected revenue the input brings, ``horizon × expected_revenue ×
    quality × relevance``, less its licence over the horizon, ``horizon × licence``. An open
    domain's licence is 0, so any input with some quality and relevance is worth taking; a
    licensed input is worth it only if it earns more than it costs. With no expected revenue
    yet (before any sale), a licensed input is worth nothing (−inf).

    Args:
        quality: (n,) quality of each input, 0-1.
        relevance: (n,) relevance to the merchant's sector (plus the relevance floor), 0-1+.
        licence: (n,) monthly licence price, 万元/month (0 for an open domain).
        expected_revenue: the market's expected monthly revenue of a product, 万元/month.
        horizon: months over which the merchant judges it (``behaviour.payback_months``).
    """
    share = quality * relevance
    if expected_revenue > 0:
        return horizon * (expected_revenue * share - licence)
    return np.where(licence > 0, -np.inf, share)  # no revenue to weigh: only free inputs, by their worth


def market_step(price: float, last_price: float, profit: float, last_profit: float, step: float,
                floor: float) -> float:
    """One step of a seller searching for its profit-maximising price by trial and error.

    Keep moving the price in the direction of the last move while monthly profit rose; turn
    back when it fell; with no move yet, try a rise. The price never goes below ``floor``
    (the cost of serving one use)."""
    moved = np.sign(price - last_price)
    if moved == 0:
        direction = 1.0
    else:
        direction = moved if profit >= last_profit else -moved
    return float(max(floor, price * (1 + step * direction)))
