"""Fan charts: a metric over time across replicates (the mean and its 90 % interval, the 5th to
95th percentile: :data:`sim.summary.STATISTIC`), scenarios overlaid; and the paired difference of
each scenario from a baseline."""

from __future__ import annotations

import pandas as pd
from matplotlib.axes import Axes

from analysis import labels
from analysis.axes import colors, date_axis, legend, new_axes
from analysis.load import Source, load_metrics
from analysis.stats import bands
from sim.summary import paired_difference


def fan(source: Source, metric: str, ax: Axes | None = None, lang: str = "en",
        label: str | None = None) -> Axes:
    """The mean and its 90 % interval per scenario, month by month.

    ``label`` names the line when there is one scenario (default: the scenario's name)."""
    lang = labels.resolve(lang)
    frame = load_metrics(source)
    ax = new_axes(ax)
    color = colors(frame["scenario"])
    for name, q in bands(frame, metric, "date").groupby("scenario", sort=False):
        _draw_fan(ax, q, label if label and len(color) == 1 else str(name), color[name])
    ax.set_xlabel(labels.word("month", lang))
    ax.set_ylabel(labels.metric_label(metric, lang, per="month"))
    date_axis(ax, lang)
    legend(ax, labels.word("statistic", lang))
    return ax


def diff_fan(source: Source, metric: str, baseline: str, ax: Axes | None = None, lang: str = "en") -> Axes:
    """Each scenario minus ``baseline``, run by run with the same seed (common random numbers),
    as a fan chart around a zero line."""
    lang = labels.resolve(lang)
    frame = load_metrics(source)
    color = colors(frame["scenario"])
    ax = new_axes(ax)
    ax.axhline(0, color="0.4", linewidth=0.8)
    for name, q in bands(paired_difference(frame, baseline), metric, "date").groupby("scenario", sort=False):
        _draw_fan(ax, q, str(name), color[name])
    ax.set_xlabel(labels.word("month", lang))
    ax.set_ylabel(f"Δ {labels.metric_label(metric, lang, per='month')}")
    date_axis(ax, lang)
    legend(ax, f"{labels.word('difference', lang).format(baseline)}; {labels.word('statistic', lang)}")
    return ax


def _draw_fan(ax: Axes, q: pd.DataFrame, label: str, color: str) -> None:
    ax.plot(q["date"], q["mean"], color=color, label=label)
    ax.fill_between(q["date"], q["p05"], q["p95"], color=color, alpha=0.2, linewidth=0)
