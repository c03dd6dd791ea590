"""Market clearing for non-rival data goods (MODEL §6.6), as pure functions on arrays.

Data goods have no stock limit, so every user of a month chooses at once: each row of the
candidate matrix is one user, each column one product the user has seen. No Mesa here.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True)
class Choice:
    """Outcome of clearing, one entry per user row."""

    col: np.ndarray  # chosen column, -1 if the user bought nothing
    bought: np.ndarray  # bool
    utility: np.ndarray  # utility of the chosen product, 0 if none


def clear(value: np.ndarray, price: np.ndarray, risk: np.ndarray, budget: np.ndarray, valid: np.ndarray) -> Choice:
    """Each user buys the candidate with the highest utility ``U = V − p − R`` if ``U > 0``
    and the price it pays is within its budget.

    Args:
        value: (n, k) value V of each candidate to the user, 万元.
        price: (n, k) price the user would pay (after vouchers and free use), 万元.
        risk: (n, k) perceived risk R, 万元.
        budget: (n,) most the user may pay this month, 万元.
        valid: (n, k) bool, False for empty candidate slots.
    """
    utility = value - price - risk
    usable = valid & (price <= budget[:, None])
    utility = np.where(usable, utility, -np.inf)
    col = np.argmax(utility, axis=1) if utility.shape[1] else np.zeros(utility.shape[0], dtype=np.int64)
    best = utility[np.arange(utility.shape[0]), col] if utility.shape[1] else np.full(utility.shape[0], -np.inf)
    bought = best > 0
    return Choice(col=np.where(bought, col, -1), bought=bought, utility=np.where(bought, best, 0.0))


def draw_candidates(u: np.ndarray, pool: np.ndarray, weights: np.ndarray) -> np.ndarray:
    """``n × k`` products drawn with replacement from ``pool`` with probability ∝ ``weights``, by
    inverse CDF (a small change of the pool or weights changes few draws); all -1 when the pool
    is empty.

    Args:
        u: (n, k) uniforms in (0, 1), one per candidate slot.
    """
    n, k = u.shape
    if k == 0 or pool.size == 0 or n == 0:
        return np.full((n, k), -1, dtype=np.int64)
    cum = np.cumsum(weights, dtype=float)
    picks = np.searchsorted(cum, u * cum[-1], side="right")
    return pool[np.minimum(picks, pool.size - 1)]


def exposure_weights(recent_sales: np.ndarray, popularity_weight: float) -> np.ndarray:
    """Chance of being seen: a mix of uniform and the product's share of recent sales.

    Shares, not counts, so the rule does not depend on how many agents the population has.
    """
    n = recent_sales.size
    if n == 0:
        return recent_sales
    total = recent_sales.sum()
    share = recent_sales / total if total > 0 else np.full(n, 1.0 / n)
    return (1 - popularity_weight) / n + popularity_weight * share
