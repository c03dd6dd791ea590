"""Where paid public-data revenue goes: the operator's gross revenue split among the operator,
data providers, the public-service fund and contributing merchants, year by year."""

from __future__ import annotations

import numpy as np
import pandas as pd
from matplotlib.axes import Axes

from analysis import labels
from analysis.axes import legend, new_axes
from analysis.load import Source, load_metrics
from analysis.stats import per_year

SHARES = ("operator", "data_providers", "public_services", "contributors")
COLUMNS = tuple(f"revenue_{s}" for s in SHARES)


def revenue_split(source: Source) -> pd.DataFrame:
    """Mean over runs of each share per scenario and year (万元); they add up to ``operator_revenue``."""
    frame = per_year(load_metrics(source))
    return frame.groupby(["scenario", "year"], sort=False)[[*COLUMNS, "operator_revenue"]].mean().reset_index()


def revenue_bars(source: Source, ax: Axes | None = None, lang: str = "en") -> Axes:
    """Stacked bars of the split, one per year (grouped by scenario when there are several)."""
    lang = labels.resolve(lang)
    split = revenue_split(source)
    several = split["scenario"].nunique() > 1
    ax = new_axes(ax, size=(8 if not several else 10.5, 3.6))
    x = np.arange(len(split)) + (split.groupby("scenario", sort=False).ngroup().to_numpy() if several else 0)
    bottom = np.zeros(len(split))
    for share, column in zip(SHARES, COLUMNS):
        ax.bar(x, split[column], 0.8, bottom=bottom, label=labels.word(share, lang))
        bottom += split[column].to_numpy()
    ax.set_xticks(x, split["year"].astype(str))
    if several:
        groups = pd.Series(x).groupby(split["scenario"].to_numpy(), sort=False).mean()
        names = ax.secondary_xaxis("bottom")
        names.set_xticks(groups.to_numpy(), groups.index.astype(str))
        names.tick_params(length=0, pad=18)
        names.spines["bottom"].set_visible(False)
    ax.set_ylabel(labels.metric_label("operator_revenue", lang, per="year"))
    legend(ax, f"{labels.word('revenue', lang)}\n({labels.word('mean over runs', lang)})", outside=True)
    return ax
