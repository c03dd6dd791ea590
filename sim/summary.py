"""Summaries of replicates, for the screen and for ``comparison.csv``: per-year means with a
90 % interval (the 5th to 95th percentile across replicates), and paired differences between
scenarios run on the same seeds."""

from __future__ import annotations

import unicodedata

import numpy as np
import pandas as pd

from sim.metrics import METRICS, NAMES

UNITS = {m.name: m.unit for m in METRICS}
KEY_METRICS = (
    "gmv_total", "gmv_exchange", "exchange_share", "value_created", "consumer_surplus", "operator_revenue",
    "revenue_public_services", "fiscal_spend", "n_merchants", "n_products", "incidents",
)
LOW, HIGH = 0.05, 0.95
INTERVAL = "mean [90 % interval: 5th–95th percentile across replicates]"


def summarise(yearly: pd.DataFrame, metrics=NAMES) -> pd.DataFrame:
    """Mean, ``p05`` and ``p95`` across replicates, per scenario, metric and year; rows in the
    order metric, scenario, year as they first appear in ``yearly``."""
    long = yearly.melt(id_vars=["scenario", "seed", "year"], value_vars=list(metrics), var_name="metric")
    groups = long.groupby(["metric", "scenario", "year"], sort=False)["value"]
    out = pd.DataFrame({"mean": groups.mean(), "p05": groups.quantile(LOW), "p95": groups.quantile(HIGH)})
    return out.reset_index()[["scenario", "metric", "year", "mean", "p05", "p95"]]


def time_key(frame: pd.DataFrame) -> str:
    """The time column: "date" for monthly frames, "year" for yearly ones."""
    for key in ("date", "year"):
        if key in frame:
            return key
    raise ValueError("expected a monthly (date) or yearly (year) frame of metrics")


def paired_difference(frame: pd.DataFrame, baseline: str, on: str = "seed") -> pd.DataFrame:
    """Every other scenario minus ``baseline``, run by run, pairing runs with the same ``on``
    (seed): with common random numbers the difference is the policy effect, not noise.

    Works on monthly or yearly frames with one run per scenario and seed; keeps only seeds
    present in both scenarios."""
    if baseline not in set(frame["scenario"]):
        known = ", ".join(map(str, frame["scenario"].unique()))
        raise ValueError(f"baseline {baseline!r} not among scenarios: {known}")
    t = time_key(frame)
    metrics = [c for c in NAMES if c in frame]
    if frame.duplicated(["scenario", on, t]).any():
        raise ValueError(f"several runs of one scenario share a {on}: cannot pair runs")
    base = frame[frame["scenario"] == baseline].set_index([on, t])[metrics]
    out = []
    for name, group in frame[frame["scenario"] != baseline].groupby("scenario", sort=False):
        g = group.set_index([on, t])
        common = g.index.intersection(base.index)
        if common.empty:
            raise ValueError(f"scenario {name!r} shares no {on} with baseline {baseline!r}: cannot pair runs")
        diff = g.loc[common, metrics] - base.loc[common, metrics]
        out.append(diff.reset_index().assign(scenario=name, baseline=baseline))
    if not out:
        raise ValueError(f"no scenario besides the baseline {baseline!r}")
    return pd.concat(out, ignore_index=True)


def paired_differences(yearly: pd.DataFrame, reference: str, metrics=NAMES) -> pd.DataFrame:
    """Each other scenario minus ``reference``, paired by seed (:func:`paired_difference`),
    summarised as in :func:`summarise`."""
    return summarise(paired_difference(yearly, reference), metrics)


def comparison(yearly: pd.DataFrame, scenarios: list[str], metrics=NAMES) -> pd.DataFrame:
    """Levels of every scenario and, as ``diff_*``, their paired differences to the first
    (empty for the first itself); one row per metric, scenario (in the order given) and year."""
    levels = summarise(yearly, metrics)
    diffs = paired_differences(yearly, scenarios[0], metrics)
    diffs = diffs.rename(columns={"mean": "diff_mean", "p05": "diff_p05", "p95": "diff_p95"})
    out = levels.merge(diffs, on=["scenario", "metric", "year"], how="left")
    out.insert(2, "unit", out.metric.map(UNITS))
    metric_rank = out.metric.map({m: i for i, m in enumerate(metrics)})
    scenario_rank = out.scenario.map({name: i for i, name in enumerate(scenarios)})
    return out.iloc[np.lexsort((out.year, scenario_rank, metric_rank))].reset_index(drop=True)


# ---- text tables ---------------------------------------------------------------------------


def run_table(yearly: pd.DataFrame, metrics=KEY_METRICS) -> str:
    """Key outcomes per year of one scenario's replicates, as aligned text."""
    levels = summarise(yearly, metrics).set_index(["metric", "year"])
    years = sorted(yearly.year.unique())
    rows = [[f"{m} ({UNITS[m]})", *(_cell(levels.loc[(m, y)]) for y in years)] for m in metrics]
    return _grid(["metric (unit)", *map(str, years)], rows)


def compare_table(table: pd.DataFrame, metrics=KEY_METRICS) -> str:
    """Key outcomes per year of each scenario, each followed by its paired difference to the
    first scenario, as aligned text; ``table`` is the output of :func:`comparison`."""
    table = table.set_index(["metric", "scenario", "year"])
    scenarios = list(dict.fromkeys(table.index.get_level_values("scenario")))
    years = sorted(set(table.index.get_level_values("year")))
    rows: list[list[str]] = []
    for m in metrics:
        rows.append([f"{m} ({UNITS[m]})", *[""] * len(years)])
        for s in scenarios:
            rows.append([f"  {s}", *(_cell(table.loc[(m, s, y)]) for y in years)])
            if s != scenarios[0]:
                diff = [_cell(table.loc[(m, s, y)], prefix="diff_") for y in years]
                rows.append([f"    Δ vs {scenarios[0]}", *diff])
    return _grid(["metric / scenario", *map(str, years)], rows)


def _cell(row: pd.Series, prefix: str = "") -> str:
    return f"{_number(row[prefix + 'mean'])} [{_number(row[prefix + 'p05'])}, {_number(row[prefix + 'p95'])}]"


def _number(x: float) -> str:
    """Three or so significant figures, thousands separated, never in exponent notation."""
    if not np.isfinite(x):
        return "n/a"
    if x == 0:
        return "0"
    if abs(x) >= 100:
        return f"{x:,.0f}"
    if abs(x) >= 1:
        return f"{x:,.1f}"
    return f"{x:.3f}"


def _grid(header: list[str], rows: list[list[str]]) -> str:
    """Columns padded to the widest cell (Chinese characters count double); numbers right-aligned."""
    table = [header, *rows]
    widths = [max(_width(r[i]) for r in table) for i in range(len(header))]
    lines = []
    for r in table:
        first = r[0] + " " * (widths[0] - _width(r[0]))
        rest = (" " * (w - _width(c)) + c for c, w in zip(r[1:], widths[1:], strict=True))
        lines.append("  ".join([first, *rest]).rstrip())
    return "\n".join(lines)


def _width(text: str) -> int:
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)
