"""Summaries across replicates that figures and tables share: quantile bands and one outcome per
run (paired differences come from :func:`sim.summary.paired_difference`)."""

from __future__ import annotations

import pandas as pd

from sim.metrics import NAMES, yearly
from sim.summary import time_key

QUANTILES = (0.05, 0.25, 0.5, 0.75, 0.95)


def bands(frame: pd.DataFrame, value: str, x: str, by: str = "scenario") -> pd.DataFrame:
    """Quantiles :data:`QUANTILES` of ``value`` over replicates at each ``x``, per ``by`` group:
    columns ``by``, ``x`` and one per quantile (0.05 … 0.95); groups in order of appearance,
    ``x`` ascending."""
    q = frame.groupby([by, x], sort=True)[value].quantile(list(QUANTILES)).unstack().reset_index()
    order = {name: i for i, name in enumerate(frame[by].unique())}
    return q.sort_values(by, key=lambda names: names.map(order), kind="stable", ignore_index=True)


def per_year(frame: pd.DataFrame) -> pd.DataFrame:
    """One row per run and year, each metric aggregated from months as :data:`sim.metrics.METRICS`
    declares. The non-metric columns of a monthly frame (scenario, run_id, seed, sweep parameters …)
    identify its runs and are kept; a yearly frame is returned as it is."""
    if time_key(frame) == "year":
        return frame
    keys = [c for c in frame.columns if c not in NAMES and c != "date"]
    if not keys:
        raise ValueError("a monthly frame needs columns that identify runs (scenario, seed …)")
    ids = frame.groupby(keys, sort=False, dropna=False).ngroup()
    runs = frame[keys].drop_duplicates().reset_index(drop=True)  # row i describes run i
    totals = yearly(frame.reindex(columns=["date", *NAMES]).assign(run_id=ids))
    return pd.concat([runs.loc[totals["run_id"]].reset_index(drop=True), totals.drop(columns="run_id")], axis=1)


def outcomes(frame: pd.DataFrame, year: int | None = None) -> pd.DataFrame:
    """One row per run: its metrics in ``year`` (default: the last year), see :func:`per_year`."""
    runs = per_year(frame)
    year = runs["year"].max() if year is None else year
    chosen = runs[runs["year"] == year]
    if chosen.empty:
        raise ValueError(f"no results for year {year}; years: {sorted(runs['year'].unique())}")
    return chosen.reset_index(drop=True)
