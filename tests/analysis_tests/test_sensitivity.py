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
    assert labels == ["Pricing cap", "Vouchers rate", "Need rate"]  # names in words, not dotted paths
    np.testing.assert_allclose([p.get_width() for p in total], [0.05, 0.20, 0.70])
    np.testing.assert_allclose([p.get_width() for p in first], [0.02, 0.10, 0.55])
    assert legend_texts(ax) == ["total-order ST", "first-order S1"]
    assert ax.get_legend().get_title().get_text() == "Trade value (10⁴ CNY)"
    assert ax.get_xlabel() == "Sobol index"
    assert saved(ax.figure, tmp_path / "sobol.png") > 5_000
    assert_outside(ax)


def assert_outside(ax) -> None:
    """The legend lies right of the axes, off the bars (checked on the drawn figure)."""
    ax.figure.canvas.draw()
    box, frame = ax.get_legend().get_window_extent(), ax.get_window_extent()
    assert box.x0 >= frame.x1


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
    assert [t.get_text() for t in ax.texts] == ["Pricing cap", "Need rate", "Vouchers rate"]  # from low σ up
    assert ax.get_xlabel() == "μ* (10⁴ CNY)" and ax.get_ylabel() == "σ (10⁴ CNY)"
    assert legend_texts(ax) == ["σ = μ*"]
    assert saved(ax.figure, tmp_path / "morris.png") > 5_000


def test_indices_from_the_folders_sensitivity_wrote_carry_their_year(sensitivity_folders):
    ax = sobol_bars(sensitivity_folders["sobol"], metric="voucher_spend")
    assert ax.get_legend().get_title().get_text() == "Data voucher spend (10⁴ CNY), 2024"
    stored = pd.read_csv(sensitivity_folders["sobol"] / "indices.csv").query("metric == 'voucher_spend:2024'")
    total = next(c for c in ax.containers if isinstance(c, BarContainer))
    widths = sorted(p.get_width() for p in total)
    np.testing.assert_allclose(widths, sorted(stored["ST"]))
    ax = morris_scatter(sensitivity_folders["morris"], metric="gmv_total:2023")
    assert sorted(t.get_text() for t in ax.texts) == ["Pilot platform fee rate", "Vouchers rate"]
    assert ax.get_legend().get_title().get_text() == "Trade value (10⁴ CNY), 2023"


def test_morris_labels_only_the_top_parameters_and_none_overlaps(tmp_path):
    crowded = pd.DataFrame({"parameter": [f"behaviour.p{i}" for i in range(12)],  # twelve points in a clump
                            "mu_star": np.linspace(1.0, 1.2, 12), "sigma": np.linspace(1.0, 1.1, 12)})
    ax = morris_scatter(crowded, top=6)
    assert len(ax.texts) == 6
    assert {t.get_text() for t in ax.texts} == {f"behaviour.p{i}" for i in range(6, 12)}  # the largest μ*
    ax.figure.canvas.draw()
    for label in ax.texts:  # measure the text alone, not its line back to the point
        label.arrowprops = label.arrow_patch = None
    boxes = [t.get_window_extent() for t in ax.texts]
    assert not any(a.overlaps(b) for i, a in enumerate(boxes) for b in boxes[i + 1:])
