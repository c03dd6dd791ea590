"""Summaries of replicates: intervals across replicates, differences paired by seed, tables."""

import numpy as np
import pandas as pd

from sim.summary import comparison, paired_differences, run_table, summarise


def _yearly(scenario: str, values: dict[int, list[float]]) -> pd.DataFrame:
    """A yearly frame of one metric, ``gmv_total``: ``values[year][r]`` for replicate r (seed 10 + r)."""
    rows = [
        {"scenario": scenario, "run_id": r, "seed": 10 + r, "year": y, "gmv_total": v}
        for y, vs in values.items() for r, v in enumerate(vs)
    ]
    return pd.DataFrame(rows)


LUCK = [100.0, 300.0, 200.0, 600.0, 50.0]


def test_summary_is_mean_and_5th_to_95th_percentile_across_replicates():
    s = summarise(_yearly("a", {2023: LUCK}), metrics=["gmv_total"])
    row = s.iloc[0]
    assert (row.scenario, row.metric, row.year) == ("a", "gmv_total", 2023)
    assert row["mean"] == np.mean(LUCK)
    assert row.p05 == np.quantile(LUCK, 0.05) and row.p95 == np.quantile(LUCK, 0.95)


def test_differences_are_paired_by_seed():
    # b is a plus exactly 7 on every seed: paired, the interval is a point despite the luck.
    a = _yearly("a", {2023: LUCK})
    b = _yearly("b", {2023: [x + 7 for x in LUCK]}).iloc[::-1]  # row order must not matter
    d = paired_differences(pd.concat([a, b]), "a", metrics=["gmv_total"]).iloc[0]
    assert (d.scenario, d["mean"], d.p05, d.p95) == ("b", 7.0, 7.0, 7.0)


def test_comparison_keeps_the_given_order_and_leaves_the_reference_without_differences():
    frames = [_yearly(name, {2023: LUCK, 2024: LUCK}) for name in ("zeta", "alpha")]
    table = comparison(pd.concat(frames), ["zeta", "alpha"], metrics=["gmv_total"])
    assert table.scenario.tolist() == ["zeta", "zeta", "alpha", "alpha"]
    assert table.year.tolist() == [2023, 2024, 2023, 2024]
    assert table.unit.eq("万元").all()
    assert table.loc[table.scenario == "zeta", "diff_mean"].isna().all()
    assert table.loc[table.scenario == "alpha", ["diff_mean", "diff_p05", "diff_p95"]].eq(0).all().all()


def test_run_table_shows_each_year_with_its_interval():
    text = run_table(_yearly("a", {2023: LUCK, 2024: [1.5, 2.5]}), metrics=["gmv_total"])
    header, row = text.splitlines()
    assert header.split()[-2:] == ["2023", "2024"]
    assert row.startswith("gmv_total (万元)")
    assert row.endswith("250 [60.0, 540]  2.0 [1.6, 2.5]")


def test_per_year_of_some_monthly_metrics_follows_the_one_yearly_rule():
    from conftest import small_run

    from sim.metrics import yearly
    from sim.summary import per_year

    monthly = small_run(0).metrics
    # A sweep's monthly part: its ids, a parameter, and only the metrics it keeps.
    part = monthly[["date", "gmv_exchange", "gmv_total", "n_merchants"]].assign(run=7, point=2, **{"policy.x": 0.5})
    runs = per_year(part)
    expected = yearly(monthly)
    assert list(runs.columns) == ["run", "point", "policy.x", "year", "gmv_total", "gmv_exchange", "exchange_share",
                                  "n_merchants"]
    for metric in ("gmv_total", "exchange_share", "n_merchants"):  # a sum, a ratio of sums, a year-end value
        np.testing.assert_allclose(runs[metric], expected[metric])
    assert per_year(part.drop(columns="gmv_total")).columns.tolist()[-2:] == ["gmv_exchange", "n_merchants"]


def test_numbers_in_tables_have_three_or_so_significant_figures_and_no_exponent():
    from sim.summary import cell, number

    assert [number(x) for x in (0, 1234567.8, -12.34, 0.012345, float("nan"))] == ["0", "1,234,568", "-12.3",
                                                                                   "0.012", "n/a"]
    assert cell(250.0, 60.0, 540.0) == "250 [60.0, 540]"
