"""Scenario discovery figures from PRIM's results (:class:`sim.discovery.Discovery`, or the
``trajectory.csv`` and ``boxes.csv`` that ``run.py discover`` writes): the peeling trajectory
(coverage against density, one point per peeling step) and the limits of a box on each input's
range."""

from __future__ import annotations

import pandas as pd
from matplotlib.axes import Axes
from matplotlib.ticker import MaxNLocator

from analysis.axes import legend, new_axes


def peeling_trajectory(trajectories: pd.DataFrame, threshold: float | None = None, ax: Axes | None = None) -> Axes:
    """Coverage against density of every step of each box's peeling and pasting, coloured by
    the number of restricted inputs; the chosen step of each box is circled and labelled."""
    ax = new_axes(ax, size=(5.6, 4.2))
    points = ax.scatter(trajectories["coverage"], trajectories["density"], c=trajectories["res_dim"],
                        cmap="viridis", s=14, zorder=2)
    colorbar = ax.figure.colorbar(points, ax=ax)
    colorbar.set_label("inputs restricted")
    colorbar.locator = MaxNLocator(integer=True)
    colorbar.update_ticks()
    for box, steps in trajectories.groupby("box"):
        ax.plot(steps["coverage"], steps["density"], color="0.7", linewidth=0.8, zorder=1)
        chosen = steps[steps["chosen"].astype(bool)]
        ax.scatter(chosen["coverage"], chosen["density"], s=90, facecolors="none", edgecolors="C3", zorder=3,
                   label="chosen box" if box == trajectories["box"].min() else None)
        for row in chosen.itertuples():
            ax.annotate(f"box {box}", (row.coverage, row.density), textcoords="offset points", xytext=(6, -10),
                        fontsize="small")
    if threshold is not None:
        ax.axhline(threshold, color="0.4", linestyle=":", linewidth=1, label=f"density threshold {threshold:g}")
    ax.set_xlabel("coverage (share of cases of interest in the box)")
    ax.set_ylabel("density (share of the box that is of interest)")
    ax.set_xlim(0, 1.02)
    ax.set_ylim(0, 1.02)
    legend(ax)
    return ax


def box_limits(boxes: pd.DataFrame, box: int = 1, ax: Axes | None = None) -> Axes:
    """The restricted inputs of ``box``: each input's range in the data scaled to [0, 1] (grey)
    and the box's limits on it (coloured), labelled with their values."""
    rows = boxes[boxes["box"] == box]
    if rows.empty:
        raise ValueError(f"no box {box}; boxes: {', '.join(map(str, sorted(set(boxes['box'])))) or 'none'}")
    ax = new_axes(ax, size=(6.4, 0.9 + 0.55 * len(rows)))
    for i, row in enumerate(rows.itertuples()):
        y = len(rows) - 1 - i
        ax.barh(y, 1, color="0.9", height=0.5)
        if pd.isna(row.low):
            ax.text(0.5, y, str(row.values), ha="center", va="center", fontsize="small")
            continue
        span = (row.max - row.min) or 1.0
        low, high = (row.low - row.min) / span, (row.high - row.min) / span
        ax.barh(y, high - low, left=low, color="C0", height=0.5)
        ax.text(low, y + 0.32, f"{row.low:.3g}", ha="center", fontsize="small")
        ax.text(high, y + 0.32, f"{row.high:.3g}", ha="center", fontsize="small")
    ax.set_yticks(range(len(rows)), list(rows["parameter"])[::-1])
    ax.set_xlim(0, 1)
    ax.set_ylim(-0.5, len(rows) - 0.1)  # room for the labels of the top bar
    ax.set_xticks([0, 1], ["min", "max"])
    first = rows.iloc[0]
    ax.set_title(f"box {box}: coverage {first['coverage']:.2f}, density {first['density']:.2f}, "
                 f"{int(first['n'])} points", fontsize="medium")
    return ax
