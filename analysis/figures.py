"""Standard figures of policy-ABM papers, drawn from tidy metrics frames."""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import pandas as pd  # noqa: E402
from matplotlib.axes import Axes  # noqa: E402
from matplotlib.figure import Figure  # noqa: E402

from sim.metrics import METRICS  # noqa: E402

UNITS = {m.name: m.unit for m in METRICS}
KEY_OUTCOMES = ("gmv_total", "exchange_share", "value_created", "operator_revenue", "n_merchants", "revenue_public_services")


def fan_chart(metrics: pd.DataFrame, metric: str, ax: Axes | None = None, label: str | None = None) -> Axes:
    """Median over replicates with 50 % and 90 % bands, per month."""
    if ax is None:
        ax = plt.figure(figsize=(6, 3.5)).add_subplot()
    q = metrics.groupby("date")[metric].quantile([0.05, 0.25, 0.5, 0.75, 0.95]).unstack()
    line = ax.plot(q.index, q[0.5], label=label or metric)[0]
    ax.fill_between(q.index, q[0.25], q[0.75], alpha=0.35, color=line.get_color(), linewidth=0)
    ax.fill_between(q.index, q[0.05], q[0.95], alpha=0.15, color=line.get_color(), linewidth=0)
    ax.set_ylabel(f"{metric} ({UNITS.get(metric, '')})")
    return ax


def key_outcomes(metrics: pd.DataFrame) -> Figure:
    """The baseline's key outcomes over time with uncertainty bands."""
    fig, axes = plt.subplots(2, 3, figsize=(14, 7), sharex=True, layout="constrained")
    for ax, metric in zip(axes.flat, KEY_OUTCOMES):
        fan_chart(metrics, metric, ax=ax)
        ax.set_title(metric)
    name = metrics["scenario"].iloc[0] if "scenario" in metrics else ""
    fig.suptitle(f"{name}: median, 50 % and 90 % bands over {metrics['run_id'].nunique()} runs")
    return fig
