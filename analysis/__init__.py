"""Figures and tables from results, for papers: every function returns a matplotlib Figure or
Axes (never shows it) or a DataFrame, and reads results from memory or from a results folder
(see :mod:`analysis.load`). Labels come in English or Chinese (``lang="zh"``)."""

from analysis.fan import diff_fan, fan
from analysis.figures import key_outcomes
from analysis.load import load_events, load_indices, load_manifests, load_metrics, load_products, reference
from analysis.revenue import revenue_bars, revenue_split
from analysis.sensitivity import morris_scatter, sobol_bars
from analysis.stats import outcomes, per_year
from analysis.structure import concentration, lorenz, rank_size, structure
from analysis.sweep import heatmap, response
from analysis.yearly import yearly_bars, yearly_summary, yearly_table
from sim.summary import paired_difference

__all__ = [
    "concentration", "diff_fan", "fan", "heatmap", "key_outcomes", "load_events", "load_indices", "load_manifests",
    "load_metrics", "load_products", "lorenz", "morris_scatter", "outcomes", "paired_difference", "per_year",
    "rank_size", "reference", "response", "revenue_bars",
    "revenue_split", "sobol_bars", "structure", "yearly_bars", "yearly_summary", "yearly_table",
]
