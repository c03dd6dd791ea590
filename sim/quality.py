"""Public-data quality under governance spending (MODEL §6.1; plan 一.1, 一.4, 二.3), and the
quality of merchant products that follows their inputs (MODEL §6.3)."""

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


def product_quality(processing: np.ndarray | float, input_quality: np.ndarray | float, compliant: np.ndarray | bool,
                    illicit_quality_bonus: float) -> np.ndarray | float:
    """The quality a merchant product's inputs support: ``min(1, processing · mean input quality)``,
    × (1 + ``illicit_quality_bonus``) while it holds unauthorized personal data (MODEL §6.3).

    Args:
        processing: the merchant's processing factor, capability θ × (1 + own_data_bonus) on
            public inputs, θ otherwise.
        input_quality: mean quality of the product's inputs now (domains, own data, commercial data), 0-1.
        compliant: False for a product with unauthorized personal data.
        illicit_quality_bonus: quality gain from that data, share.
    """
    return np.minimum(1.0, processing * input_quality * (1 + illicit_quality_bonus * (1 - compliant)))


def track(quality: np.ndarray, target: np.ndarray, rate: float) -> np.ndarray:
    """``Q ← Q + rate · (Q* − Q)``: a product's quality moves a share ``rate`` (per month) of the way
    to what its inputs support now (:func:`product_quality`), so governance of the inputs reaches
    the products built on them with a lag of about ``1/rate`` months.

    Args:
        quality: current quality of each product, 0-1.
        target: quality its inputs support now, 0-1.
        rate: share of the gap closed each month.
    """
    return quality + rate * (target - quality)
