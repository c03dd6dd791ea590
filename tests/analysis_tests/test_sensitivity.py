"""Sobol and Morris plots from frames of indices, and from the folders ``sensitivity`` wrote."""

from __future__ import annotations

import numpy as np
import pandas as pd
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
    ax = morris_scatter(one)
    np.testing.assert_allclose(ax.collections[0].get_offsets(), one[["mu_star", "sigma"]].to_numpy())
    assert [t.get_text() for t in ax.texts] == list(one.parameter)
    assert ax.get_xlabel() == "μ* (10⁴ CNY)" and ax.get_ylabel() == "σ (10⁴ CNY)"
    assert legend_texts(ax) == ["σ = μ*"]
    assert saved(ax.figure, tmp_path / "morris.png") > 5_000


def test_indices_from_the_folders_sensitivity_wrote_carry_their_year(sensitivity_folders):
    ax = sobol_bars(sensitivity_folders["sobol"], metric="voucher_spend")
    assert ax.get_legend().get_title().get_text() == "voucher_spend (10⁴ CNY), 2024"
    stored = pd.read_csv(sensitivity_folders["sobol"] / "indices.csv").query("metric == 'voucher_spend:2024'")
    total = next(c for c in ax.containers if isinstance(c, BarContainer))
    widths = sorted(p.get_width() for p in total)
    np.testing.assert_allclose(widths, sorted(stored["ST"]))
    ax = morris_scatter(sensitivity_folders["morris"], metric="gmv_total:2023")
    assert sorted(t.get_text() for t in ax.texts) == ["exchanges.pilot_platform.fee_rate", "policy.vouchers.rate"]
    assert ax.get_legend().get_title().get_text() == "gmv_total (10⁴ CNY), 2023"
