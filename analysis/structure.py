"""Market structure from product sales over a whole run: Lorenz curves, Gini and top-k shares,
and a rank–size plot on log–log axes. Across runs: the mean with its 90 % interval (5th–95th
percentile), as everywhere (:data:`sim.summary.STATISTIC`)."""

from __future__ import annotations

import numpy as np
import pandas as pd
from matplotlib.axes import Axes
from matplotlib.figure import Figure

from analysis import labels
from analysis.axes import colors, legend, new_axes
from analysis.load import Source, load_products
from sim.summary import HIGH, LOW

MEASURES = {"revenue": "sales", "units_sold": "units sold"}
GRID = np.linspace(0, 1, 101)


def _runs(products: pd.DataFrame, by: str):
    """(scenario, run_id, sorted sales of each product) for every run with positive sales."""
    if by not in MEASURES:
        raise ValueError(f"sales are measured by one of {', '.join(MEASURES)}, got {by!r}")
    for (scenario, run_id), g in products.groupby(["scenario", "run_id"], sort=False):
        sales = np.sort(g[by].to_numpy(dtype=float))
        if sales.sum() > 0:
            yield scenario, run_id, sales


def _by_scenario(products: pd.DataFrame, by: str) -> dict:
    """Sorted sales of each run, grouped by scenario."""
    out: dict = {}
    for scenario, _, sales in _runs(products, by):
        out.setdefault(scenario, []).append(sales)
    return out


def _curve(sales: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The exact Lorenz curve: share of products (ascending sales) against share of sales."""
    x = np.arange(sales.size + 1) / sales.size
    cumulative = np.cumsum(sales)
    return x, np.concatenate([[0.0], cumulative / cumulative[-1]])  # ends at exactly 1 (sum() may round apart)


def _lorenz(sales: np.ndarray) -> np.ndarray:
    """The Lorenz curve on ``GRID``, so that runs can be compared point by point."""
    return np.interp(GRID, *_curve(sales))


def _gini(sales: np.ndarray) -> float:
    """Gini coefficient: one minus twice the area under the exact Lorenz curve."""
    x, y = _curve(sales)
    return float(1 - 2 * np.trapezoid(y, x))


def concentration(source: Source, by: str = "revenue", top: tuple[float, ...] = (0.01, 0.05, 0.1)) -> pd.DataFrame:
    """Per run: number of products, Gini coefficient and the sales share of the top 1 %, 5 %,
    10 % of products."""
    rows = []
    for scenario, run_id, sales in _runs(load_products(source), by):
        row = {"scenario": scenario, "run_id": run_id, "products": sales.size, "gini": _gini(sales)}
        for k in top:
            n = max(1, round(k * sales.size))
            row[f"top_{k:.0%}"] = sales[-n:].sum() / sales.sum()
        rows.append(row)
    return pd.DataFrame(rows)


def lorenz(source: Source, ax: Axes | None = None, lang: str = "en", by: str = "revenue") -> Axes:
    """Mean Lorenz curve of product sales per scenario with its 90 % interval across runs, the
    mean Gini coefficient in the legend, and the line of equal sales."""
    lang = labels.resolve(lang)
    products = load_products(source)
    ax = new_axes(ax, size=(4.2, 4.0))
    ax.plot([0, 1], [0, 1], color="0.5", linestyle="--", linewidth=0.8, label=labels.word("equality", lang))
    color = colors(products["scenario"])
    for scenario, runs in _by_scenario(products, by).items():
        curves = np.array([_lorenz(sales) for sales in runs])
        label = f"{scenario} (Gini {np.mean([_gini(sales) for sales in runs]):.2f})"
        ax.plot(GRID, curves.mean(axis=0), color=color[scenario], label=label)
        ax.fill_between(GRID, *np.quantile(curves, [LOW, HIGH], axis=0), color=color[scenario], alpha=0.2,
                        linewidth=0)
    ax.set(xlim=(0, 1), ylim=(0, 1), aspect="equal")
    ax.set_xlabel(labels.word("share of products", lang))
    ax.set_ylabel(labels.word("share of sales", lang))
    legend(ax)
    return ax


def rank_size(source: Source, ax: Axes | None = None, lang: str = "en", by: str = "revenue") -> Axes:
    """Sales against rank on log–log axes: per scenario the mean over runs of the k-th largest
    seller's sales, for ranks every run reaches."""
    lang = labels.resolve(lang)
    products = load_products(source)
    ax = new_axes(ax, size=(4.2, 4.0))
    color = colors(products["scenario"])
    for scenario, runs in _by_scenario(products, by).items():
        ranked = [sales[sales > 0][::-1] for sales in runs]
        k = min(r.size for r in ranked)
        ax.plot(np.arange(1, k + 1), np.mean([r[:k] for r in ranked], axis=0), marker=".", markersize=3,
                linewidth=0.8, color=color[scenario], label=str(scenario))
    ax.set(xscale="log", yscale="log")
    ax.set_xlabel(labels.word("rank", lang))
    ax.set_ylabel(labels.word(MEASURES[by], lang))
    legend(ax)
    return ax


def structure(source: Source, lang: str = "en", by: str = "revenue") -> Figure:
    """Lorenz curve and rank–size plot side by side."""
    products = load_products(source)
    fig = Figure(figsize=(9, 4.2), layout="constrained")
    left, right = fig.subplots(1, 2)
    lorenz(products, ax=left, lang=lang, by=by)
    rank_size(products, ax=right, lang=lang, by=by)
    return fig
