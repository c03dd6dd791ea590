"""Fan charts and paired differences on small real runs."""

from __future__ import annotations

import numpy as np
import pytest

from analysis import diff_fan, fan, key_outcomes, paired_difference
from analysis_tests.support import legend_texts, polys, saved


def test_fan_draws_the_mean_and_its_90_percent_interval_per_scenario(metrics, tmp_path):
    ax = fan(metrics, "gmv_total")
    assert len(ax.get_lines()) == 2 and len(polys(ax)) == 2
    assert legend_texts(ax) == ["base", "free"]
    assert ax.get_ylabel() == "Trade value (10⁴ CNY per month)"
    assert ax.get_xlabel() == "Month"
    base = metrics[metrics.scenario == "base"].groupby("date")["gmv_total"]
    np.testing.assert_allclose(ax.get_lines()[0].get_ydata(), base.mean().to_numpy())
    band = polys(ax)[0].get_paths()[0].vertices[:, 1]
    assert band.min() == pytest.approx(base.quantile(0.05).min()) and band.max() == pytest.approx(base.quantile(0.95).max())
    assert ax.get_legend().get_title().get_text() == "mean; 90 % interval (5th–95th percentile)"
    assert saved(ax.figure, tmp_path / "fan.png") > 10_000


def test_fan_interval_surrounds_the_mean(metrics):
    ax = fan(metrics[metrics.scenario == "base"], "n_merchants", label="Wuhan plan")
    mean = ax.get_lines()[0].get_ydata()
    (outer,) = (p.get_paths()[0].vertices[:, 1] for p in polys(ax))
    assert outer.min() <= mean.min() and mean.max() <= outer.max()
    assert legend_texts(ax) == ["Wuhan plan"]
    assert ax.get_ylabel() == "Data merchants (merchants)"  # a stock: no "per month"


def test_paired_difference_pairs_runs_by_seed(metrics):
    shuffled = metrics.sample(frac=1, random_state=1)
    diff = paired_difference(shuffled, "base")
    assert set(diff.scenario) == {"free"} and set(diff.baseline) == {"base"}
    one = diff[(diff.seed == 1)].set_index("date")["gmv_total"].sort_index()
    by_seed = metrics[metrics.seed == 1].pivot(index="date", columns="scenario", values="gmv_total")
    np.testing.assert_allclose(one.to_numpy(), (by_seed["free"] - by_seed["base"]).to_numpy())


def test_paired_difference_keeps_common_seeds_and_refuses_unpaired_runs(metrics):
    partial = metrics[~((metrics.scenario == "free") & (metrics.seed == 2))]
    assert set(paired_difference(partial, "base").seed) == {0, 1}
    other_seeds = metrics.assign(seed=np.where(metrics.scenario == "free", metrics.seed + 10, metrics.seed))
    with pytest.raises(ValueError, match="shares no seed"):
        paired_difference(other_seeds, "base")
    with pytest.raises(ValueError, match="baseline 'nope' not among"):
        paired_difference(metrics, "nope")
    with pytest.raises(ValueError, match="several runs of one scenario share a seed"):
        paired_difference(metrics.assign(seed=0), "base")


def test_diff_fan_shows_scenario_minus_baseline_around_zero(metrics, tmp_path):
    ax = diff_fan(metrics, "gmv_total", "base")
    zero, free = ax.get_lines()
    assert set(zero.get_ydata()) == {0}
    assert len(polys(ax)) == 1 and legend_texts(ax) == ["free"]
    assert ax.get_ylabel() == "Δ Trade value (10⁴ CNY per month)"
    assert "difference from base" in ax.get_legend().get_title().get_text()
    wide = metrics.pivot_table(index=["date", "seed"], columns="scenario", values="gmv_total")
    expected = (wide["free"] - wide["base"]).groupby("date").mean()
    np.testing.assert_allclose(free.get_ydata(), expected.to_numpy())
    assert free.get_color() == fan(metrics, "gmv_total").get_lines()[1].get_color()  # same colour as in fan
    assert saved(ax.figure, tmp_path / "diff.png") > 10_000


def test_key_outcomes_has_a_fan_per_outcome(metrics, tmp_path):
    fig = key_outcomes(metrics)
    assert len(fig.axes) == 6
    for ax in fig.axes:
        assert len(ax.get_lines()) == 2 and len(polys(ax)) == 2 and ax.get_title()
    assert "3 runs" in fig.get_suptitle()
    assert saved(fig, tmp_path / "key.png") > 10_000


def test_fan_reads_results_objects_as_well_as_frames(results, metrics):
    from_results = fan(results, "exchange_share").get_lines()[1].get_ydata()
    from_frame = fan(metrics, "exchange_share").get_lines()[1].get_ydata()
    np.testing.assert_array_equal(from_results, from_frame)
