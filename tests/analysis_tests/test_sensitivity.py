"""Sobol and Morris plots from frames of indices in the layout sensitivity analysis writes."""

from __future__ import annotations

import numpy as np
import pytest
from matplotlib.container import BarContainer, ErrorbarContainer

from analysis import morris_scatter, sobol_bars
from analysis_tests.support import INDICES, legend_texts, saved


def test_sobol_bars_show_both_orders_with_intervals_most_influential_on_top(tmp_path):
    ax = sobol_bars(INDICES, metric="gmv_total")
    total, first = [c for c in ax.containers if isinstance(c, BarContainer)]
    assert len([c for c in ax.containers if isinstance(c, ErrorbarContainer)]) == 2
    labels = [t.get_text() for t in ax.get_yticklabels()]
    assert labels == ["policy.pricing.cap", "policy.vouchers.rate", "behaviour.need_rate"]
    np.testing.assert_allclose([p.get_width() for p in total], [0.05, 0.20, 0.70])
    np.testing.assert_allclose([p.get_width() for p in first], [0.02, 0.10, 0.55])
    assert legend_texts(ax) == ["total-order ST", "first-order S1"]
    assert ax.get_legend().get_title().get_text() == "gmv_total (10⁴ CNY)"
    assert ax.get_xlabel() == "Sobol index"
    assert saved(ax.figure, tmp_path / "sobol.png") > 5_000


def test_sobol_bars_need_a_metric_when_indices_cover_several():
    with pytest.raises(ValueError, match="several metrics"):
        sobol_bars(INDICES)
    with pytest.raises(ValueError, match="no indices for metric"):
        sobol_bars(INDICES, metric="n_products")
    with pytest.raises(ValueError, match="lack columns ST_conf"):
        sobol_bars(INDICES.drop(columns="ST_conf"), metric="gmv_total")


def test_morris_scatter_labels_each_parameter(tmp_path):
    one = INDICES[INDICES.metric == "gmv_total"]
    one.to_csv(tmp_path / "indices.csv", index=False)
    ax = morris_scatter(tmp_path)  # a folder with indices.csv
    np.testing.assert_allclose(ax.collections[0].get_offsets(), one[["mu_star", "sigma"]].to_numpy())
    assert [t.get_text() for t in ax.texts] == list(one.parameter)
    assert ax.get_xlabel() == "μ* (10⁴ CNY)" and ax.get_ylabel() == "σ (10⁴ CNY)"
    assert legend_texts(ax) == ["σ = μ*"]
    assert saved(ax.figure, tmp_path / "morris.png") > 5_000
