"""Sweep responses: a yearly outcome against one parameter (the mean over replicates and its 90 %
interval, :data:`sim.summary.STATISTIC`), or its mean over a grid of two parameters as a heatmap.

Both take any metrics frame whose runs carry parameter columns: monthly (aggregated to the year
as :data:`sim.metrics.METRICS` declares) or one row per run and year."""

from __future__ import annotations

import numpy as np
import pandas as pd
from matplotlib.axes import Axes

from analysis import labels
from analysis.axes import colors, legend, new_axes
from analysis.load import Source, load_metrics
from analysis.stats import bands, outcomes
from sim.summary import number


def _outcomes(source: Source, metric: str, columns: list[str], year: int | None) -> tuple[pd.DataFrame, int]:
    frame = outcomes(load_metrics(source), year)
    missing = [c for c in [metric, *columns] if c not in frame]
    if missing:
        known = ", ".join(map(str, frame.columns))
        raise ValueError(f"no column {', '.join(missing)} in the results; columns: {known}")
    return frame, int(frame["year"].iloc[0])


def response(source: Source, metric: str, parameter: str, ax: Axes | None = None, lang: str = "en",
             year: int | None = None) -> Axes:
    """The metric in ``year`` (default: the last) against ``parameter``, one curve per scenario."""
    lang = labels.resolve(lang)
    frame, year = _outcomes(source, metric, [parameter], year)
    ax = new_axes(ax)
    color = colors(frame["scenario"])
    for name, q in bands(frame, metric, parameter).groupby("scenario", sort=False):
        ax.plot(q[parameter], q["mean"], marker="o", markersize=3, color=color[name], label=str(name))
        ax.fill_between(q[parameter], q["p05"], q["p95"], color=color[name], alpha=0.2, linewidth=0)
    ax.set_xlabel(labels.parameter_label(parameter, lang))
    ax.set_ylabel(f"{labels.metric_label(metric, lang, per='year')}, {year}")
    legend(ax, labels.word("statistic", lang))
    return ax


def heatmap(source: Source, metric: str, x: str, y: str, ax: Axes | None = None, lang: str = "en",
            year: int | None = None, bins: int | None = None) -> Axes:
    """Mean of the metric in ``year`` over each (``x``, ``y``) cell. Parameters sampled on a
    grid give one cell per value pair; sampled at random, pass ``bins`` to cut each range into
    that many equal intervals (labelled by their midpoints). Each cell shows its value."""
    lang = labels.resolve(lang)
    frame, year = _outcomes(source, metric, [x, y], year)
    if bins:
        frame = frame.assign(**{c: pd.cut(frame[c], bins).map(lambda i: i.mid).astype(float) for c in (x, y)})
    grid = frame.groupby([y, x])[metric].mean().unstack(x)
    ax = new_axes(ax, size=(5.6, 4.2))
    values = grid.to_numpy()
    image = ax.imshow(values, origin="lower", aspect="auto", cmap="viridis")
    for (row, col), value in np.ndenumerate(values):
        if np.isfinite(value):  # the value in its cell, dark on the light end of the colour map
            shade = "black" if image.norm(value) > 0.6 else "white"
            ax.text(col, row, number(value), ha="center", va="center", fontsize="small", color=shade)
    ax.set_xticks(np.arange(grid.shape[1]), [f"{v:g}" for v in grid.columns])
    ax.set_yticks(np.arange(grid.shape[0]), [f"{v:g}" for v in grid.index])
    ax.set_xlabel(labels.parameter_label(x, lang))
    ax.set_ylabel(labels.parameter_label(y, lang))
    colorbar = ax.figure.colorbar(image, ax=ax)
    colorbar.set_label(f"{labels.metric_label(metric, lang, per='year')}, {year}")
    return ax
