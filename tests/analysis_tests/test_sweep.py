"""Sweep responses on a 2 × 2 voucher sweep of real runs."""

from __future__ import annotations

import numpy as np
import pytest

from analysis import heatmap, outcomes, per_year, response
from sim.summary import number
from analysis_tests.support import BUDGET, RATE, legend_texts, polys, saved
from sim.metrics import yearly


def test_outcomes_aggregate_each_run_and_keep_its_parameters(sweep):
    o = outcomes(sweep)
    assert len(o) == 4 and set(o.year) == {2025}
    assert sorted(zip(o[RATE], o[BUDGET])) == [(0.0, 5000.0), (0.0, 50000.0), (0.3, 5000.0), (0.3, 50000.0)]
    run = sweep[(sweep[RATE] == 0.3) & (sweep[BUDGET] == 50000.0)]
    expected = yearly(run).query("year == 2025").iloc[0]
    got = o[(o[RATE] == 0.3) & (o[BUDGET] == 50000.0)].iloc[0]
    assert got["voucher_spend"] == pytest.approx(expected["voucher_spend"]) and got["voucher_spend"] > 0
    assert got["exchange_share"] == pytest.approx(expected["exchange_share"])
    with pytest.raises(ValueError, match="no results for year 2030"):
        outcomes(sweep, year=2030)


def test_response_of_a_metric_to_one_parameter(sweep, tmp_path):
    ax = response(sweep, "voucher_spend", RATE, year=2024)
    (line,) = ax.get_lines()
    assert list(line.get_xdata()) == [0.0, 0.3] and len(polys(ax)) == 1
    o = outcomes(sweep, 2024)
    np.testing.assert_allclose(line.get_ydata(), o.groupby(RATE)["voucher_spend"].mean())
    assert line.get_ydata()[0] == 0 < line.get_ydata()[1]
    assert ax.get_xlabel() == "Vouchers rate (share)" and ax.get_ylabel() == "Data voucher spend (10⁴ CNY per year), 2024"
    assert legend_texts(ax) == ["vouchers"]
    assert saved(ax.figure, tmp_path / "response.png") > 5_000


def test_heatmap_over_two_parameters(sweep, tmp_path):
    ax = heatmap(sweep, "voucher_spend", RATE, BUDGET)
    grid = ax.images[0].get_array()
    o = outcomes(sweep).set_index([BUDGET, RATE])["voucher_spend"]
    np.testing.assert_allclose(grid, [[o[5000.0, 0.0], o[5000.0, 0.3]], [o[50000.0, 0.0], o[50000.0, 0.3]]])
    assert [t.get_text() for t in ax.get_xticklabels()] == ["0", "0.3"]
    assert [t.get_text() for t in ax.get_yticklabels()] == ["5000", "50000"]
    colorbar = ax.figure.axes[-1]
    assert colorbar.get_ylabel() == "Data voucher spend (10⁴ CNY per year), 2025"
    assert ax.get_xlabel() == "Vouchers rate (share)" and ax.get_ylabel() == "Vouchers budget (10⁴ CNY)"
    assert sorted(t.get_text() for t in ax.texts) == sorted(number(v) for v in o)  # each cell shows its value
    assert saved(ax.figure, tmp_path / "heatmap.png") > 5_000


def test_heatmap_bins_sampled_parameters(sweep):
    jittered = sweep.assign(**{RATE: sweep[RATE] + sweep[BUDGET] / 1e6})  # four distinct rates
    ax = heatmap(jittered, "voucher_spend", RATE, BUDGET, bins=2)
    assert ax.images[0].get_array().shape == (2, 2)
    with pytest.raises(ValueError, match="no column nope"):
        heatmap(sweep, "voucher_spend", RATE, "nope")


def test_per_year_keeps_sweep_points_apart_even_with_the_same_run_id_and_seed(sweep):
    same_ids = sweep.assign(run_id=0, seed=0)
    runs = per_year(same_ids)
    assert len(runs) == 4 * 3
    spend = runs.groupby([RATE, BUDGET])["voucher_spend"].sum()  # over the three years
    assert spend[0.0, 5000.0] == 0 and spend[0.3, 5000.0] == pytest.approx(5000.0) and spend[0.3, 50000.0] > 5000
