"""Public-data quality under governance spending (MODEL §6.1; plan 一.1, 一.4, 二.3)."""

from __future__ import annotations

import numpy as np


def update_quality(q: np.ndarray, spend: np.ndarray, gain: float, half: float, decay: float) -> np.ndarray:
    """``q ← q + gain · G/(G + half) · (1 − q) − decay · q`` for each domain.

    Args:
        q: quality of each domain in [0, 1].
        spend: governance spend G on each domain this month, 万元.
        gain: largest monthly share of the quality gap closed.
        half: spend at which half the largest gain is reached, 万元/month.
        decay: monthly loss of quality without upkeep.
    """
    spend = np.maximum(spend, 0.0)
    q = q + gain * spend / (spend + half) * (1 - q) - decay * q
    return np.clip(q, 0.0, 1.0)
