"""Market structure: concentration, Lorenz curves and rank–size plots."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from analysis import concentration, lorenz, rank_size, structure
from analysis_tests.support import legend_texts, polys, saved


def products(sales: list[float], scenario: str = "s", run_id: int = 0) -> pd.DataFrame:
    return pd.DataFrame({"scenario": scenario, "run_id": run_id, "revenue": sales, "units_sold": sales})


def test_gini_and_top_shares_of_known_distributions():
    equal = concentration(products([5.0] * 100)).iloc[0]
    assert equal["gini"] == pytest.approx(0) and equal["top_10%"] == pytest.approx(0.1)
    one = concentration(products([0.0] * 99 + [7.0])).iloc[0]
    assert one["gini"] == pytest.approx(0.99) and one["top_1%"] == pytest.approx(1)


def test_concentration_of_real_runs(results):
    c = concentration(results)
    assert len(c) == 6 and set(c.scenario) == {"base", "free"}
    assert ((0 < c.gini) & (c.gini < 1)).all()
    assert (c["top_1%"] <= c["top_5%"]).all() and (c["top_5%"] <= c["top_10%"]).all()
    with pytest.raises(ValueError, match="measured by one of"):
        concentration(results, by="price")


def test_lorenz_curves_with_bands_and_gini(results, tmp_path):
    ax = lorenz(results)
    diagonal, base, free = ax.get_lines()
    assert len(polys(ax)) == 2
    texts = legend_texts(ax)
    assert texts[0] == "equal sales" and texts[1].startswith("base (Gini 0.")
    y = base.get_ydata()
    assert y[0] == 0 and y[-1] == pytest.approx(1) and np.all(np.diff(y) >= 0) and np.all(y <= base.get_xdata())
    assert ax.get_xlabel() == "cumulative share of products"
    assert saved(ax.figure, tmp_path / "lorenz.png") > 5_000


def test_rank_size_on_log_log_axes(results, tmp_path):
    ax = rank_size(results, by="units_sold")
    assert ax.get_xscale() == ax.get_yscale() == "log"
    assert legend_texts(ax) == ["base", "free"]
    sizes = ax.get_lines()[0].get_ydata()
    assert sizes.size > 10 and np.all(np.diff(sizes) <= 0) and sizes[-1] > 0
    assert ax.get_ylabel() == "product sales (uses)"
    assert saved(ax.figure, tmp_path / "rank.png") > 5_000


def test_structure_puts_both_side_by_side(results, tmp_path):
    fig = structure(results)
    assert [ax.get_xscale() for ax in fig.axes] == ["linear", "log"]
    assert saved(fig, tmp_path / "structure.png") > 5_000
