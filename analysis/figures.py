"""Composite figures: several panels of the standard figures on one page."""

from __future__ import annotations

import textwrap

from matplotlib.figure import Figure

from analysis import labels
from analysis.fan import fan
from analysis.load import Source, load_events, load_metrics, reference

KEY_OUTCOMES = ("gmv_total", "exchange_share", "value_created", "operator_revenue", "n_merchants",
                "revenue_public_services")


def key_outcomes(metrics: Source, lang: str = "en") -> Figure:
    """Fan charts of the key outcomes, one panel each, scenarios overlaid, policy events marked
    (those of a folder's scenarios)."""
    lang = labels.resolve(lang)
    frame, events, baseline = load_metrics(metrics), load_events(metrics), reference(metrics)
    fig = Figure(figsize=(14, 7), layout="constrained")
    for i, (ax, metric) in enumerate(zip(fig.subplots(2, 3, sharex=True).flat, KEY_OUTCOMES)):
        fan(frame, metric, ax=ax, lang=lang, events=events, baseline=baseline)
        if i:
            ax.get_legend().remove()
        ax.set_title(textwrap.fill(labels.describe(metric, lang), 50), fontsize="medium")
    names = ", ".join(map(str, frame["scenario"].unique()))
    fig.suptitle(f"{names}: {frame.groupby('scenario')['run_id'].nunique().max()} {labels.word('runs', lang)}")
    return fig
