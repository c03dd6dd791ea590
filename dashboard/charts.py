"""The compare page's figure: fan charts of key outcomes for the baseline and the edited
scenario (the mean and 5th–95th percentile band across seeds), and below each the paired
difference, edited minus baseline, seed by seed. Drawn with :func:`analysis.fan` and
:func:`analysis.diff_fan`, the figures of the command line."""

from __future__ import annotations

from matplotlib.figure import Figure

import analysis as an
from sim.results import Result

OUTCOMES = ("gmv_total", "exchange_share", "value_created", "operator_revenue", "n_merchants")
PANEL_INCHES = (3.6, 3.0)  # width, height of one panel


def compare_figure(results: list[Result], baseline: str, lang: str) -> Figure:
    """Levels (top row) and paired differences (bottom row) of :data:`OUTCOMES`; a difference
    panel is left empty until some seed has finished in both scenarios."""
    fig = Figure(figsize=(PANEL_INCHES[0] * len(OUTCOMES), PANEL_INCHES[1] * 2), layout="constrained")
    axes = fig.subplots(2, len(OUTCOMES), squeeze=False)
    metrics = an.load_metrics(results)
    per_seed = metrics.groupby("seed")["scenario"].nunique()
    paired = bool((per_seed > 1).any())
    for col, metric in enumerate(OUTCOMES):
        an.fan(metrics, metric, ax=axes[0, col], lang=lang)
        if paired:
            an.diff_fan(metrics, metric, baseline, ax=axes[1, col], lang=lang)
        else:
            axes[1, col].set_axis_off()
    for ax in axes.flat:
        ax.xaxis.label.set_visible(False)
        if ax.get_legend() is not None and ax not in (axes[0, 0], axes[1, 0]):
            ax.get_legend().remove()
    return fig
