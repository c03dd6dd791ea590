"""Yearly outcomes: summary, paper table and bars, on small real runs."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from matplotlib.container import BarContainer, ErrorbarContainer

from analysis import yearly_bars, yearly_summary, yearly_table
from analysis.load import load_metrics
from analysis_tests.conftest import cli
from analysis_tests.support import legend_texts, saved
from sim.metrics import yearly
from sim.summary import number, summarise


def test_yearly_summary_gives_mean_and_interval_over_runs_as_the_tables_do(metrics):
    s = yearly_summary(metrics, ["gmv_total", "exchange_share"])
    assert len(s) == 2 * 3 * 2 and set(s.runs) == {3}
    row = s[(s.scenario == "free") & (s.year == 2024) & (s.metric == "exchange_share")].iloc[0]
    runs = yearly(metrics).query("scenario == 'free' and year == 2024")["exchange_share"]
    assert row["mean"] == pytest.approx(runs.mean(), rel=1e-12)  # grouped and plain means may differ in the last bit
    assert row["p05"] == runs.quantile(0.05) and row["p95"] == runs.quantile(0.95) and row["p95"] <= runs.max()
    assert s.equals(yearly_summary(metrics, ["gmv_total", "exchange_share"]))
    levels = summarise(yearly(metrics), ["gmv_total", "exchange_share"])
    pd.testing.assert_frame_equal(s.drop(columns="runs"), levels)  # the statistic of run's table and comparison.csv


def test_yearly_table_has_a_cell_per_scenario_metric_and_year(metrics):
    table = yearly_table(metrics, ["gmv_total", "n_merchants"])
    assert list(table.columns) == [2023, 2024, 2025]
    assert list(table.index) == [("base", "Trade value (10⁴ CNY per year)"), ("base", "Data merchants (merchants)"),
                                 ("free", "Trade value (10⁴ CNY per year)"), ("free", "Data merchants (merchants)")]
    cell = table.loc[("base", "Data merchants (merchants)"), 2025]
    mean = yearly(metrics).query("scenario == 'base' and year == 2025")["n_merchants"].mean()
    assert cell.startswith(f"{mean:,.0f} [") and cell.endswith("]")


def test_yearly_table_of_one_replicate_shows_values_without_intervals(tiny, tmp_path):
    out = tmp_path / "one"
    cli("run", tiny / "base.yaml", "--replicates", 1, "--out", out)
    table = yearly_table(out, ["gmv_total"])
    value = yearly(load_metrics(out)).query("year == 2024")["gmv_total"].iloc[0]
    assert table.iloc[0][2024] == number(value) and "[" not in "".join(table.iloc[0].astype(str))


def test_yearly_bars_group_scenarios_by_year_with_intervals(metrics, tmp_path):
    ax = yearly_bars(metrics, "gmv_total")
    bars = [c for c in ax.containers if isinstance(c, BarContainer)]
    errors = [c for c in ax.containers if isinstance(c, ErrorbarContainer)]
    assert [len(b) for b in bars] == [3, 3] and len(errors) == 2
    assert [t.get_text() for t in ax.get_xticklabels()] == ["2023", "2024", "2025"]
    assert legend_texts(ax) == ["base", "free"]
    assert ax.get_ylabel() == "Trade value (10⁴ CNY per year)"
    means = yearly(metrics).query("scenario == 'base'").groupby("year")["gmv_total"].mean()
    np.testing.assert_allclose([p.get_height() for p in bars[0]], means.to_numpy())
    assert saved(ax.figure, tmp_path / "yearly.png") > 5_000


def test_yearly_bars_with_a_baseline_show_paired_differences(metrics):
    ax = yearly_bars(metrics, "gmv_total", baseline="base")
    (bars,) = [c for c in ax.containers if isinstance(c, BarContainer)]
    y = yearly(metrics).pivot_table(index=["year", "seed"], columns="scenario", values="gmv_total")
    np.testing.assert_allclose([p.get_height() for p in bars], (y["free"] - y["base"]).groupby("year").mean())
    assert ax.get_ylabel().startswith("Δ ") and legend_texts(ax) == ["free"]
