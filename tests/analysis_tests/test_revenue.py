"""Where paid public-data revenue goes, on small real runs."""

from __future__ import annotations

import numpy as np
from matplotlib.container import BarContainer

from analysis import revenue_bars, revenue_split
from analysis_tests.support import legend_texts, saved


def test_revenue_split_adds_up_to_operator_revenue(metrics):
    split = revenue_split(metrics)
    shares = split[["revenue_operator", "revenue_data_providers", "revenue_public_services", "revenue_contributors"]]
    np.testing.assert_allclose(shares.sum(axis=1), split["operator_revenue"])
    assert split.query("scenario == 'base'")["operator_revenue"].sum() > 0
    assert split.query("scenario == 'free'")["operator_revenue"].sum() == 0


def test_revenue_bars_stack_the_four_shares_per_year(metrics, tmp_path):
    base = metrics[metrics.scenario == "base"]
    ax = revenue_bars(base)
    stacks = [c for c in ax.containers if isinstance(c, BarContainer)]
    assert [len(s) for s in stacks] == [3, 3, 3, 3]
    assert legend_texts(ax) == ["operator", "data providers", "public services", "contributing merchants"]
    tops = [p.get_y() + p.get_height() for p in stacks[-1]]
    np.testing.assert_allclose(tops, revenue_split(base)["operator_revenue"])
    assert ax.get_ylabel() == "Operator revenue (10⁴ CNY per year)"
    assert [t.get_text() for t in ax.get_xticklabels()] == ["2023", "2024", "2025"]
    assert saved(ax.figure, tmp_path / "revenue.png") > 5_000


def test_revenue_bars_group_several_scenarios(metrics):
    ax = revenue_bars(metrics)
    stacks = [c for c in ax.containers if isinstance(c, BarContainer)]
    assert [len(s) for s in stacks] == [6, 6, 6, 6]
    (names,) = ax.child_axes
    assert [t.get_text() for t in names.get_xticklabels()] == ["base", "free"]
