"""Figures of a calibration (``python run.py calibrate``): the loss by trial with the best so far,
and the parameters' importances. Both read the tables a fit writes (``trials.csv``) or the
importances it computed; neither runs the model."""

from __future__ import annotations

import numpy as np
import pandas as pd
from matplotlib.axes import Axes

from analysis.axes import legend, new_axes


def loss_history(trials: pd.DataFrame, ax: Axes | None = None) -> Axes:
    """Loss of each trial (log scale; pruned trials hollow, at their last reported loss) and the
    best complete loss so far. ``trials`` has columns ``trial``, ``state``, ``loss``, ``best_so_far``."""
    ax = new_axes(ax)
    done = trials[trials.state == "complete"]
    pruned = trials[trials.state == "pruned"]
    ax.scatter(done.trial, done.loss, s=14, color="C0", label="complete")
    if len(pruned):
        ax.scatter(pruned.trial, pruned.loss, s=14, facecolors="none", edgecolors="C7", label="pruned")
    ax.step(trials.trial, trials.best_so_far, where="post", color="C3", label="best so far")
    finite = trials.loss[np.isfinite(trials.loss) & (trials.loss > 0)]
    if len(finite) and finite.max() / finite.min() > 20:
        ax.set_yscale("log")
    ax.set_xlabel("trial")
    ax.set_ylabel("loss (Σ weight × z²)")
    legend(ax)
    return ax


def importance_bars(importances: dict[str, float], ax: Axes | None = None) -> Axes:
    """Horizontal bars of each parameter's importance for the loss (shares summing to 1), the
    most important on top."""
    items = sorted(importances.items(), key=lambda kv: kv[1])
    ax = new_axes(ax, size=(6.4, 1.5 + 0.45 * max(1, len(items))))
    y = np.arange(len(items))
    ax.barh(y, [v for _, v in items], color="C0")
    ax.set_yticks(y, [k for k, _ in items])
    ax.set_xlim(0, 1)
    ax.set_xlabel("importance for the loss (PED-ANOVA)")
    return ax
