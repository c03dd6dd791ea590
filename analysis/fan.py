"""Fan charts: a metric over time across replicates (the mean and its 90 % interval, the 5th to
95th percentile: :data:`sim.summary.STATISTIC`), scenarios overlaid; and the paired difference of
each scenario from a baseline. Both mark the dated policy events of the scenarios read from a
folder (the exchange opens in 2024-07 …)."""

from __future__ import annotations

import pandas as pd
from matplotlib.axes import Axes

from analysis import labels
from analysis.axes import colors, date_axis, legend, mark_events, new_axes
from analysis.load import Source, load_events, load_metrics, reference
from analysis.stats import bands
from sim.summary import paired_difference

Events = bool | pd.DataFrame  # True: the folder's events; False: none; or a frame of load_events


def fan(source: Source, metric: str, ax: Axes | None = None, lang: str = "en",
        label: str | None = None, events: Events = True, baseline: str | None = None) -> Axes:
    """The mean and its 90 % interval per scenario, month by month.

    Args:
        label: names the line when there is one scenario (default: the scenario's name).
        events: policy events to mark (:data:`Events`).
        baseline: the reference scenario, drawn in a fixed colour (default: a comparison
            folder's reference, else the first scenario).
    """
    lang = labels.resolve(lang)
    frame = load_metrics(source)
    ax = new_axes(ax)
    color = colors(frame["scenario"], baseline or reference(source))
    for name, q in bands(frame, metric, "date").groupby("scenario", sort=False):
        _draw_fan(ax, q, label if label and len(color) == 1 else str(name), color[name])
    _finish(ax, source, events, color, lang)
    ax.set_ylabel(labels.metric_label(metric, lang, per="month"))
    legend(ax, labels.word("statistic", lang))
    return ax


def diff_fan(source: Source, metric: str, baseline: str | None = None, ax: Axes | None = None, lang: str = "en",
             events: Events = True) -> Axes:
    """Each scenario minus ``baseline`` (default: a comparison folder's reference), run by run
    with the same seed (common random numbers), as a fan chart around a zero line."""
    lang = labels.resolve(lang)
    frame = load_metrics(source)
    baseline = baseline or reference(source)
    if baseline is None:
        raise ValueError("a difference needs a baseline: name one of the scenarios "
                         f"({', '.join(map(str, frame['scenario'].unique()))})")
    color = colors(frame["scenario"], baseline)
    ax = new_axes(ax)
    ax.axhline(0, color="0.4", linewidth=0.8)
    for name, q in bands(paired_difference(frame, baseline), metric, "date").groupby("scenario", sort=False):
        _draw_fan(ax, q, str(name), color[name])
    _finish(ax, source, events, color, lang)
    ax.set_ylabel(f"Δ {labels.metric_label(metric, lang, per='month')}")
    legend(ax, f"{labels.word('difference', lang).format(baseline)}; {labels.word('statistic', lang)}")
    return ax


def _finish(ax: Axes, source: Source, events: Events, color: dict, lang: str) -> None:
    ax.set_xlabel(labels.word("month", lang))
    date_axis(ax, lang)
    if events is not False:
        mark_events(ax, load_events(source) if events is True else events, color)


def _draw_fan(ax: Axes, q: pd.DataFrame, label: str, color: str) -> None:
    ax.plot(q["date"], q["mean"], color=color, label=label)
    ax.fill_between(q["date"], q["p05"], q["p95"], color=color, alpha=0.2, linewidth=0)
