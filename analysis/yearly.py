"""Yearly outcomes (2023, 2024, 2025): the mean over runs and its 90 % interval (5th–95th
percentile, :func:`sim.summary.summarise`, as in the command-line tables and ``comparison.csv``),
as a tidy frame, a table for a paper, or grouped bars. With ``baseline`` they show paired
differences instead."""

from __future__ import annotations

import numpy as np
import pandas as pd
from matplotlib.axes import Axes

from analysis import labels
from analysis.axes import colors, legend, new_axes
from analysis.load import Source, load_metrics, reference
from analysis.stats import per_year
from sim.metrics import NAMES
from sim.summary import cell, paired_difference, summarise


def yearly_runs(source: Source, baseline: str | None = None) -> pd.DataFrame:
    """One row per run and year (metrics aggregated as declared); with ``baseline``, each
    scenario's paired difference from it."""
    frame = per_year(load_metrics(source))
    return paired_difference(frame, baseline) if baseline else frame


def yearly_summary(source: Source, metrics: list[str] | None = None, baseline: str | None = None) -> pd.DataFrame:
    """Columns scenario, metric, year, mean, p05, p95, runs."""
    frame = yearly_runs(source, baseline)
    metrics = list(metrics or [m for m in NAMES if m in frame])
    out = summarise(frame, metrics)
    runs = frame.groupby(["scenario", "year"], sort=False).size().rename("runs").reset_index()
    return out.merge(runs, on=["scenario", "year"], how="left")


def yearly_table(source: Source, metrics: list[str], lang: str = "en", baseline: str | None = None) -> pd.DataFrame:
    """A table for a paper: one row per scenario and metric (with unit), one column per year,
    cells "mean [5 %, 95 %]", or the value alone for a scenario with one replicate (whose interval
    would be the value itself)."""
    lang = labels.resolve(lang)
    s = yearly_summary(source, metrics, baseline)
    s["cell"] = [cell(m, lo, hi, single=runs == 1) for m, lo, hi, runs in zip(s["mean"], s["p05"], s["p95"], s["runs"])]
    s["metric"] = [labels.metric_label(m, lang, per="year") for m in s["metric"]]
    table = s.pivot(index=["scenario", "metric"], columns="year", values="cell")
    order = s[["scenario", "metric"]].drop_duplicates()
    order = order.iloc[np.lexsort((order.index, order["scenario"].map({n: i for i, n in enumerate(order["scenario"].unique())})))]
    table = table.reindex(pd.MultiIndex.from_frame(order))  # scenarios as they come, metrics as given
    table.columns.name = None
    return table


def yearly_bars(source: Source, metric: str, ax: Axes | None = None, lang: str = "en",
                baseline: str | None = None) -> Axes:
    """Grouped bars: one group per year, one bar per scenario at the mean, 90 % interval as
    error bars."""
    lang = labels.resolve(lang)
    frame = load_metrics(source)
    color = colors(frame["scenario"], baseline or reference(source))
    s = yearly_summary(frame, [metric], baseline)
    ax = new_axes(ax)
    years = sorted(s["year"].unique())
    names = list(dict.fromkeys(s["scenario"]))
    width = 0.8 / len(names)
    for i, name in enumerate(names):
        g = s[s["scenario"] == name].set_index("year").reindex(years)
        x = np.arange(len(years)) + (i - (len(names) - 1) / 2) * width
        err = np.clip([g["mean"] - g["p05"], g["p95"] - g["mean"]], 0, None)  # a skewed mean may leave it
        ax.bar(x, g["mean"], width, yerr=err, capsize=3, color=color[name], label=str(name),
               error_kw={"linewidth": 0.8})
    if baseline:
        ax.axhline(0, color="0.4", linewidth=0.8)
    ax.set_xticks(np.arange(len(years)), [str(y) for y in years])
    ax.set_xlabel(labels.word("year", lang))
    label = labels.metric_label(metric, lang, per="year")
    ax.set_ylabel(f"Δ {label}" if baseline else label)
    title = labels.word("statistic", lang)
    legend(ax, f"{labels.word('difference', lang).format(baseline)}; {title}" if baseline else title, outside=True)
    return ax
