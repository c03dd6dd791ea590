"""Revenue sharing of operator income (MODEL §6.4; plan 三.5 谁投入、谁贡献、谁受益)."""

from __future__ import annotations

import numpy as np

SHARES = ("operator", "data_providers", "public_services", "contributors")


def split_revenue(revenue, shares) -> dict[str, np.ndarray]:
    """Split gross revenue into the four shares. The operator's part is the remainder, so the
    four parts add up to the revenue exactly.

    Args:
        revenue: gross operator revenue, 万元 (scalar or array, e.g. per product).
        shares: object with the fractions ``data_providers``, ``public_services``, ``contributors``.
    """
    revenue = np.asarray(revenue, dtype=float)
    parts = {k: revenue * getattr(shares, k) for k in SHARES[1:]}
    parts["operator"] = revenue - (parts["data_providers"] + parts["public_services"] + parts["contributors"])
    return {k: parts[k] for k in SHARES}
