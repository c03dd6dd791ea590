"""Names and checks on drawn figures shared by the analysis tests."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
from matplotlib.collections import PolyCollection

RATE, BUDGET = "policy.vouchers.rate", "policy.vouchers.budget"
# Sensitivity indices in the layout sensitivity analysis writes (indices.csv).
INDICES = pd.DataFrame({
    "metric": ["gmv_total"] * 3 + ["exchange_share"] * 3,
    "parameter": ["policy.vouchers.rate", "behaviour.need_rate", "policy.pricing.cap"] * 2,
    "S1": [0.10, 0.55, 0.02, 0.3, 0.1, 0.2], "S1_conf": [0.05, 0.1, 0.03, 0.1, 0.1, 0.1],
    "ST": [0.20, 0.70, 0.05, 0.4, 0.2, 0.3], "ST_conf": [0.06, 0.12, 0.04, 0.1, 0.1, 0.1],
    "mu_star": [900.0, 4000.0, 150.0, 0.1, 0.2, 0.3], "sigma": [1200.0, 800.0, 20.0, 0.1, 0.1, 0.1],
})


def polys(ax) -> list:
    """The filled bands of an axes."""
    return [c for c in ax.collections if isinstance(c, PolyCollection)]


def legend_texts(ax) -> list[str]:
    return [t.get_text() for t in ax.get_legend().get_texts()]


def saved(fig, path: Path) -> int:
    """Write ``fig`` as PNG and return its size in bytes (checking it is a PNG)."""
    fig.savefig(path)
    data = path.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    return len(data)
