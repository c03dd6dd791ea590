"""Summaries across replicates that figures and tables share, all from :mod:`sim.summary` (the one
statistic: the mean with the 5th–95th percentile interval; the one yearly aggregation; paired
differences), and one outcome per run."""

from __future__ import annotations

import pandas as pd

from sim.summary import interval, per_year

__all__ = ["bands", "outcomes", "per_year"]


def bands(frame: pd.DataFrame, value: str, x: str, by: str = "scenario") -> pd.DataFrame:
    """:func:`sim.summary.interval` of ``value`` over replicates at each ``x``, per ``by`` group:
    columns ``by``, ``x``, ``mean``, ``p05``, ``p95``; groups in order of appearance, ``x`` ascending."""
    q = interval(frame, value, [by, x], sort=True)
    order = {name: i for i, name in enumerate(frame[by].unique())}
    return q.sort_values(by, key=lambda names: names.map(order), kind="stable", ignore_index=True)


def outcomes(frame: pd.DataFrame, year: int | None = None) -> pd.DataFrame:
    """One row per run: its metrics in ``year`` (default: the last year), see :func:`per_year`."""
    runs = per_year(frame)
    year = runs["year"].max() if year is None else year
    chosen = runs[runs["year"] == year]
    if chosen.empty:
        raise ValueError(f"no results for year {year}; years: {sorted(runs['year'].unique())}")
    return chosen.reset_index(drop=True)
