"""Market clearing for non-rival data goods (MODEL §6.6), as pure functions on arrays.

Data goods have no stock limit, so every user of a month chooses at once: each row of the
candidate matrix is one user, each column one product the user has seen. A user may buy several
products a month, in order of utility, within its budget and with diminishing value. No Mesa here.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from sim.streams import pick_stable


@dataclass(frozen=True)
class Choice:
    """Outcome of clearing, one entry per purchase, in the order they were made (a buyer's first
    purchases of the month before anyone's second)."""

    row: np.ndarray  # user row of the purchase
    col: np.ndarray  # column of the product bought
    rank: np.ndarray  # 1 for a buyer's first purchase of the month, 2 for its second, …
    scale: np.ndarray  # value and risk factor of the purchase, decay ** (rank − 1)
    utility: np.ndarray  # scale × (V − R) − p − c, > 0

    @property
    def n(self) -> int:
        return int(self.row.size)


def clear(value: np.ndarray, price: np.ndarray, risk: np.ndarray, budget: np.ndarray, valid: np.ndarray,
          product: np.ndarray | None = None, decay: float = 1.0, cap: int = 1, cost: float = 0.0) -> Choice:
    """Each user buys, in turn, the candidate with the highest utility while it is positive, the
    budget left covers its price and fewer than ``cap`` products were bought. The k-th purchase's
    value and risk are scaled by ``decay ** (k − 1)``, so its utility is
    ``U_k = decay^(k−1) · (V − R) − p − cost``: diminishing returns to data of one month, and a
    cost of taking each product into use. A product is bought at most once, whatever column it fills.

    Args:
        value: (n, k) value V of each candidate to the user, 万元.
        price: (n, k) price the user would pay (after vouchers and free use), 万元.
        risk: (n, k) perceived risk R, 万元.
        budget: (n,) most the user may pay this month in all, 万元.
        valid: (n, k) bool, False for empty candidate slots.
        product: (n, k) product of each slot (a product filling two slots is bought once); None:
            every column is a different product.
        decay: factor on value and risk of each further purchase, 0-1.
        cap: most purchases per user and month, ≥ 1.
        cost: the user's own cost of taking one product into use (not paid to the seller, not
            out of the budget), 万元.
    """
    n, k = value.shape
    net = value - risk
    left = budget.astype(float).copy()
    open_ = valid.copy()
    rows = np.arange(n)  # users still buying: one who stops never buys again (utility only falls)
    out: list[tuple[np.ndarray, ...]] = []
    scale = 1.0
    for rank in range(1, min(cap, k) + 1):
        utility = np.where(open_[rows] & (price[rows] <= left[rows, None]), scale * net[rows] - price[rows] - cost, -np.inf)
        col = np.argmax(utility, axis=1)
        best = utility[np.arange(rows.size), col]
        buying = best > 0
        rows, col = rows[buying], col[buying]
        if rows.size == 0:
            break
        out.append((rows, col, np.full(rows.size, rank), np.full(rows.size, scale), best[buying]))
        left[rows] -= price[rows, col]
        if product is None:
            open_[rows, col] = False
        else:
            open_[rows] &= product[rows] != product[rows, col][:, None]
        scale *= decay
    if not out:
        empty = np.zeros(0, dtype=np.int64)
        return Choice(row=empty, col=empty, rank=empty, scale=np.zeros(0), utility=np.zeros(0))
    row, col, rank, scl, utility = (np.concatenate(x) for x in zip(*out))
    return Choice(row=row, col=col, rank=rank, scale=scl, utility=utility)


def draw_candidates(u: np.ndarray, pool: np.ndarray, weights: np.ndarray, keys: np.ndarray) -> np.ndarray:
    """``n × k`` products drawn with replacement from ``pool`` with probability ∝ ``weights``
    (:func:`sim.streams.pick_stable`: a change of the pool moves few draws); all -1 when the
    pool is empty.

    Args:
        u: (n, 2k) uniforms in (0, 1), two per candidate slot.
        keys: (len(pool),) the products' permanent draw slots.
    """
    n, k = u.shape[0], u.shape[1] // 2
    if k == 0 or pool.size == 0 or n == 0 or not weights.sum() > 0:
        return np.full((n, k), -1, dtype=np.int64)
    return pool[pick_stable(keys, weights, u.reshape(n, k, 2))]


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
