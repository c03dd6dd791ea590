"""Summaries of replicates, the one statistic of the command-line tables, ``comparison.csv`` and
the figures of :mod:`analysis`: the mean across replicates with a 90 % interval (the 5th to 95th
percentile), :func:`interval`; runs aggregated to years, :func:`per_year`; paired differences
between scenarios run on the same seeds, whose mean (the effect) also gets a 95 % confidence
interval (Student t), :func:`effects`; and the one number format of tables, :func:`number`."""

from __future__ import annotations

import unicodedata

import numpy as np
import pandas as pd
from scipy import stats

from sim.metrics import METRICS, NAMES, yearly

UNITS = {m.name: m.unit for m in METRICS}
RULES = {m.name: m.year for m in METRICS}
KEY_METRICS = (
    "gmv_total", "gmv_exchange", "exchange_share", "value_created", "consumer_surplus", "operator_revenue",
    "revenue_public_services", "fiscal_spend", "n_merchants", "n_products", "incidents",
)
LOW, HIGH = 0.05, 0.95
CONFIDENCE = 0.95  # of the confidence interval of a mean paired difference (Student t)
INTERVAL = "mean [90 % interval: 5th–95th percentile across replicates]"  # the tables' heading
EFFECT = ("Δ: mean paired difference (95 % confidence interval of the mean, Student t)"
          " [5th–95th percentile of the differences across seeds]")
STATISTIC = "mean; 90 % interval (5th–95th percentile)"  # the same, as figures' legends say it
SINGLE = "single replicate: one run's values, no interval (--replicates 2 or more for intervals across seeds)"
SINGLE_EFFECT = "Δ: difference on the one seed (single replicate: no confidence interval, no spread)"


def interval_heading(replicates: int) -> str:
    """The heading of a table of ``replicates`` runs per scenario: :data:`INTERVAL`, or
    :data:`SINGLE` for one."""
    return SINGLE if replicates == 1 else INTERVAL


def effect_heading(replicates: int) -> str:
    """:data:`EFFECT`, or :data:`SINGLE_EFFECT` for one replicate."""
    return SINGLE_EFFECT if replicates == 1 else EFFECT


def interval(frame: pd.DataFrame, value: str, by: list[str], sort: bool = False) -> pd.DataFrame:
    """``mean``, ``p05`` and ``p95`` of ``value`` across the rows of each ``by`` group (the
    replicates): columns ``by``, then these three; groups in order of appearance unless ``sort``."""
    groups = frame.groupby(by, sort=sort)[value]
    out = pd.DataFrame({"mean": groups.mean(), "p05": groups.quantile(LOW), "p95": groups.quantile(HIGH)})
    return out.reset_index()


def summarise(yearly: pd.DataFrame, metrics=NAMES) -> pd.DataFrame:
    """:func:`interval` per scenario, metric and year; rows in the order metric, scenario, year
    as they first appear in ``yearly``."""
    long = yearly.melt(id_vars=["scenario", "seed", "year"], value_vars=list(metrics), var_name="metric")
    return interval(long, "value", ["metric", "scenario", "year"])[["scenario", "metric", "year", "mean", "p05", "p95"]]


def per_year(frame: pd.DataFrame) -> pd.DataFrame:
    """One row per run and year, each metric aggregated from months by :func:`sim.metrics.yearly`
    (the one rule). The non-metric columns of a monthly frame (scenario, run_id, seed, sweep ids and
    parameters …) identify its runs and are kept. A metric comes out when the frame holds what its
    rule needs: the metric itself, or for a ratio its numerator and denominator. A yearly frame is
    returned as it is."""
    if time_key(frame) == "year":
        return frame
    keys = [c for c in frame.columns if c not in NAMES and c != "date"]
    if not keys:
        raise ValueError("a monthly frame needs columns that identify runs (scenario, seed …)")
    ids = frame.groupby(keys, sort=False, dropna=False).ngroup()
    runs = frame[keys].drop_duplicates().reset_index(drop=True)  # row i describes run i
    totals = yearly(frame.reindex(columns=["date", *NAMES]).assign(run_id=ids))
    present = [name for name in NAMES if all(c in frame for c in inputs(name))]
    totals = totals[["run_id", "year", *present]]
    return pd.concat([runs.loc[totals["run_id"]].reset_index(drop=True), totals.drop(columns="run_id")], axis=1)


def inputs(metric: str) -> list[str]:
    """The monthly columns a metric's yearly value is made from: a ratio of yearly sums needs its
    numerator and denominator, any other metric itself."""
    rule = RULES[metric]
    return rule.removeprefix("ratio:").split("/") if rule.startswith("ratio:") else [metric]


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


def mean_confidence(values: pd.Series) -> pd.Series:
    """``ci_low``, ``ci_high``: the :data:`CONFIDENCE` interval of the mean of ``values``
    (mean ± t × standard error, Student t with n − 1 degrees of freedom); NaN for fewer than two."""
    x = values.dropna().to_numpy(dtype=float)
    if x.size < 2:
        return pd.Series({"ci_low": np.nan, "ci_high": np.nan})
    half = stats.t.ppf(0.5 + CONFIDENCE / 2, x.size - 1) * x.std(ddof=1) / np.sqrt(x.size)
    return pd.Series({"ci_low": x.mean() - half, "ci_high": x.mean() + half})


def effects(yearly: pd.DataFrame, reference: str, metrics=NAMES) -> pd.DataFrame:
    """The effect of each other scenario against ``reference`` per metric and year: the mean
    paired difference, the :data:`CONFIDENCE` interval of that mean (``ci_low``, ``ci_high``:
    how precisely the seeds pin the effect down) and the 5th–95th percentile of the differences
    (``p05``, ``p95``: how much the effect varies from one seed's world to another's)."""
    diff = paired_difference(yearly, reference)
    long = diff.melt(id_vars=["scenario", "seed", "year"], value_vars=[m for m in metrics if m in diff],
                     var_name="metric")
    spread = interval(long, "value", ["metric", "scenario", "year"])
    ci = long.groupby(["metric", "scenario", "year"], sort=False)["value"].apply(mean_confidence).unstack()
    out = spread.merge(ci.reset_index(), on=["metric", "scenario", "year"])
    return out[["scenario", "metric", "year", "mean", "ci_low", "ci_high", "p05", "p95"]]


def comparison(yearly: pd.DataFrame, scenarios: list[str], metrics=NAMES,
               diffs: pd.DataFrame | None = None) -> pd.DataFrame:
    """Levels of every scenario and, as ``diff_*``, their effects against the first (empty for
    the first itself); one row per metric, scenario (in the order given) and year.

    Args:
        diffs: the effects, as :func:`effects` returns them; by default :func:`effects` of
            ``yearly`` (``sim.posterior`` passes effects over parameter draws and seeds).
    """
    levels = summarise(yearly, metrics)
    diffs = effects(yearly, scenarios[0], metrics) if diffs is None else diffs
    diffs = diffs.rename(columns={c: f"diff_{c}" for c in ("mean", "ci_low", "ci_high", "p05", "p95")})
    out = levels.merge(diffs, on=["scenario", "metric", "year"], how="left")
    out.insert(2, "unit", out.metric.map(UNITS))
    metric_rank = out.metric.map({m: i for i, m in enumerate(metrics)})
    scenario_rank = out.scenario.map({name: i for i, name in enumerate(scenarios)})
    return out.iloc[np.lexsort((out.year, scenario_rank, metric_rank))].reset_index(drop=True)


# ---- text tables ---------------------------------------------------------------------------


def run_table(yearly: pd.DataFrame, metrics=KEY_METRICS) -> str:
    """Key outcomes per year of one scenario's replicates, as aligned text; with one replicate,
    its values alone (no interval: :func:`cell`)."""
    levels = summarise(yearly, metrics).set_index(["metric", "year"])
    years = sorted(yearly.year.unique())
    single = _single(yearly)
    rows = [[f"{m} ({UNITS[m]})", *(_cell(levels.loc[(m, y)], single=single) for y in years)] for m in metrics]
    return _grid(["metric (unit)", *map(str, years)], rows)


def compare_table(table: pd.DataFrame, metrics=KEY_METRICS, replicates: int | None = None) -> str:
    """Key outcomes per year of each scenario, each followed by its effect against the first
    scenario (:data:`EFFECT`: two rows, the mean paired difference with the confidence interval
    of the mean, then the spread of the differences across seeds), as aligned text; ``table`` is
    the output of :func:`comparison`. With ``replicates`` 1, values and differences alone
    (:data:`SINGLE_EFFECT`)."""
    single = replicates == 1
    table = table.set_index(["metric", "scenario", "year"])
    scenarios = list(dict.fromkeys(table.index.get_level_values("scenario")))
    years = sorted(set(table.index.get_level_values("year")))
    rows: list[list[str]] = []
    for m in metrics:
        rows.append([f"{m} ({UNITS[m]})", *[""] * len(years)])
        for s in scenarios:
            rows.append([f"  {s}", *(_cell(table.loc[(m, s, y)], single=single) for y in years)])
            if s == scenarios[0]:
                continue
            effect = [table.loc[(m, s, y)] for y in years]
            if single:
                rows.append([f"    Δ vs {scenarios[0]}", *(number(r.diff_mean) for r in effect)])
                continue
            rows.append([f"    Δ vs {scenarios[0]} (95 % CI)",
                         *(f"{number(r.diff_mean)} ({number(r.diff_ci_low)}, {number(r.diff_ci_high)})"
                           for r in effect)])
            rows.append(["      spread across seeds", *(f"[{number(r.diff_p05)}, {number(r.diff_p95)}]"
                                                        for r in effect)])
    return _grid(["metric / scenario", *map(str, years)], rows)


def cell(mean: float, low: float, high: float, single: bool = False) -> str:
    """A summary in a table: ``mean [p05, p95]``; with ``single`` (one replicate, whose interval
    is the value itself), ``mean`` alone."""
    return number(mean) if single else f"{number(mean)} [{number(low)}, {number(high)}]"


def _cell(row: pd.Series, prefix: str = "", single: bool = False) -> str:
    return cell(row[prefix + "mean"], row[prefix + "p05"], row[prefix + "p95"], single)


def _single(frame: pd.DataFrame) -> bool:
    """Whether every scenario of a yearly frame has one run."""
    runs = frame.groupby("scenario")["seed"].nunique() if "scenario" in frame else frame["seed"].nunique()
    return bool((runs == 1).all()) if isinstance(runs, pd.Series) else runs == 1


def number(x: float) -> str:
    """Three or so significant figures, thousands separated, never in exponent notation; the one
    format of numbers in tables."""
    if pd.isna(x) or not np.isfinite(x):
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
