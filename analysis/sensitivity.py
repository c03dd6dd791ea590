"""Global sensitivity: Sobol first- and total-order indices with confidence intervals, and the
Morris μ*–σ screening plot. Both take a DataFrame of indices, one row per parameter (and metric):
columns ``parameter``, ``S1``, ``S1_conf``, ``ST``, ``ST_conf`` or ``mu_star``, ``sigma``; or a sweep
folder whose ``indices.csv`` ``sensitivity`` wrote, where outcomes are named ``METRIC:YEAR``."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
from matplotlib.axes import Axes
from matplotlib.ticker import MaxNLocator

from analysis import labels
from analysis.axes import legend, new_axes
from analysis.load import load_indices


def _for_metric(source: pd.DataFrame | str | Path, metric: str | None, needed: tuple[str, ...]) -> pd.DataFrame:
    """The indices of one outcome (the only one, or ``metric``), checked for ``needed`` columns.
    ``metric`` is an outcome as stored (``gmv_total:2025``) or a metric alone when the indices
    hold it for one year only."""
    frame = load_indices(source)
    missing = [c for c in ("parameter", *needed) if c not in frame]
    if missing:
        raise ValueError(f"indices lack columns {', '.join(missing)}")
    if "metric" in frame:
        metrics = list(frame["metric"].unique())
        if metric is None and len(metrics) > 1:
            raise ValueError(f"indices cover several metrics; choose one of {', '.join(map(str, metrics))}")
        chosen = metric or metrics[0]
        if chosen not in metrics:
            years = [m for m in metrics if str(m).partition(":")[0] == chosen]
            if len(years) > 1:
                raise ValueError(f"indices of {chosen} cover several years; choose one of {', '.join(years)}")
            chosen = years[0] if years else chosen
        frame = frame[frame["metric"] == chosen]
        if frame.empty:
            raise ValueError(f"no indices for metric {metric!r}; known: {', '.join(map(str, metrics))}")
    return frame


def _metric_of(frame: pd.DataFrame, metric: str | None) -> str | None:
    """The outcome the indices are about (``METRIC`` or ``METRIC:YEAR``), if known."""
    return str(frame["metric"].iloc[0]) if "metric" in frame else metric


def _title(outcome: str | None, lang: str) -> str | None:
    """Legend title: the metric with its unit and year (or the name alone if it is not a model metric)."""
    metric, _, year = (outcome or "").partition(":")
    if metric not in labels.METRIC:
        return outcome
    return labels.metric_label(metric, lang) + (f", {year}" if year else "")


def sobol_bars(source: pd.DataFrame | str | Path, metric: str | None = None, ax: Axes | None = None,
               lang: str = "en") -> Axes:
    """Horizontal bars of first-order (S1) and total-order (ST) indices per parameter, with
    their confidence intervals; the most influential parameter on top."""
    lang = labels.resolve(lang)
    frame = _for_metric(source, metric, ("S1", "S1_conf", "ST", "ST_conf")).sort_values("ST")
    ax = new_axes(ax, size=(6.4, 1.5 + 0.5 * len(frame)))
    y = np.arange(len(frame))
    ax.barh(y + 0.2, frame["ST"], 0.4, xerr=frame["ST_conf"], capsize=2, label=labels.word("total-order", lang))
    ax.barh(y - 0.2, frame["S1"], 0.4, xerr=frame["S1_conf"], capsize=2, label=labels.word("first-order", lang))
    ax.set_yticks(y, [labels.parameter_name(p, lang) for p in frame["parameter"]])
    ax.axvline(0, color="0.4", linewidth=0.8)
    ax.set_xlabel(labels.word("sobol index", lang))
    legend(ax, _title(_metric_of(frame, metric), lang), outside=True)
    return ax


def morris_scatter(source: pd.DataFrame | str | Path, metric: str | None = None, ax: Axes | None = None,
                   lang: str = "en", top: int = 8) -> Axes:
    """Morris screening: mean absolute elementary effect μ* against their spread σ, one point per
    parameter; points above the line σ = μ* act non-linearly or through interactions. The ``top``
    parameters by μ* are labelled, labels pushed apart so that none overlaps another."""
    lang = labels.resolve(lang)
    frame = _for_metric(source, metric, ("mu_star", "sigma"))
    ax = new_axes(ax, size=(5.6, 4.6))
    ax.scatter(frame["mu_star"], frame["sigma"], zorder=3)
    limit = float(max(frame["mu_star"].max(), frame["sigma"].max())) * 1.1 or 1.0
    ax.plot([0, limit], [0, limit], color="0.5", linestyle="--", linewidth=0.8, label="σ = μ*")
    ax.set(xlim=(0, limit), ylim=(0, limit))
    for axis in (ax.xaxis, ax.yaxis):
        axis.set_major_locator(MaxNLocator(5))
    _label_points(ax, frame.nlargest(top, "mu_star"), lang)
    metric = _metric_of(frame, metric)
    name = (metric or "").partition(":")[0]
    unit = f" ({labels.unit(name, lang)})" if name in labels.METRIC else ""
    ax.set_xlabel(f"μ*{unit}")
    ax.set_ylabel(f"σ{unit}")
    legend(ax, _title(metric, lang))
    return ax


LABEL_HEIGHT = 11.0  # points between the baselines of two labels that would otherwise overlap
LABEL_WIDTH = 90.0  # points: labels closer than this horizontally are stacked


def _label_points(ax: Axes, frame: pd.DataFrame, lang: str) -> None:
    """Name each point of ``frame`` (columns parameter, mu_star, sigma), from the lowest up: a
    label that would overlap one placed before is moved up, with a thin line back to its point;
    labels of points in the right third of the axes go to their left, inside the axes."""
    ax.figure.draw_without_rendering()  # the layout first: positions on the page are final
    to_points = 72.0 / ax.figure.dpi
    right = ax.transAxes.transform((2 / 3, 0))[0] * to_points
    placed: list[tuple[float, float]] = []
    for row in frame.sort_values("sigma").itertuples():
        x, y = ax.transData.transform((row.mu_star, row.sigma)) * to_points
        ty = y + 3.0
        while any(abs(x - px) < LABEL_WIDTH and abs(ty - py) < LABEL_HEIGHT for px, py in placed):
            ty += LABEL_HEIGHT
        placed.append((x, ty))
        moved = ty - y > 3.0
        left = x > right
        ax.annotate(labels.parameter_name(str(row.parameter), lang), (row.mu_star, row.sigma),
                    xytext=(-4 if left else 4, ty - y), ha="right" if left else "left",
                    textcoords="offset points", fontsize="small",
                    arrowprops={"arrowstyle": "-", "color": "0.6", "linewidth": 0.5} if moved else None)
