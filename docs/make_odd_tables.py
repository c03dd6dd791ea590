"""Regenerate the numbers of docs/ODD.md §8 that the calibration command does not: the operator's
revenue path, the incidents table, §8.1 (free versus paid public data, by mechanism) and §8.2
(the policy scenarios against the baseline). Prints Markdown to paste into the ODD.

    python docs/make_odd_tables.py [--seeds 10] [--incident-seeds 20] [--workers 2]

Every comparison is paired by seed (seeds 1…N, common random numbers, as ``compare`` does); a
``*`` marks a paired difference whose 90 % interval (5th–95th percentile across seeds)
excludes 0.
"""

from __future__ import annotations

import argparse

import numpy as np
import pandas as pd

from sim import Scenario
from sim.catalog import SCENARIO_DIR
from sim.execute import Job, run_jobs

YEAR = 2025
COLUMNS = {  # metric: (label, decimals)
    "value_created": ("value created, 万元", 0),
    "gmv_total": ("GMV, 万元", 0),
    "consumer_surplus": ("consumer surplus, 万元", 0),
    "merchant_profit": ("merchant profit, 万元", 0),
    "operator_revenue": ("operator revenue, 万元", 0),
    "public_data_price": ("public-data price, 万元/use", 3),
    "mean_quality": ("mean quality", 3),
    "n_licensed_products": ("licensed products", 0),
    "fiscal_net": ("fiscal_net, 万元", 0),
    "recapitalisation": ("recapitalisation, 万元", 0),
}
STEP_METRICS = ["value_created", "gmv_total", "consumer_surplus", "operator_revenue", "fiscal_net", "mean_quality"]
NO_LICENCE = {"policy.pricing.licence_uses": 0.0}
NO_SHARES = {**NO_LICENCE, "policy.revenue_sharing.operator": 0.9, "policy.revenue_sharing.data_providers": 0.0,
             "policy.revenue_sharing.public_services": 0.0, "policy.revenue_sharing.contributors": 0.1}
ALL_FREE = {**NO_SHARES, "policy.pricing.regime": "free"}
STEPS = [  # §8.1: the channels switched one at a time, each row paired with the row above
    ("baseline (`cost_plus_cap`)", {}),
    ("1. licences free (`licence_uses: 0`)", NO_LICENCE),
    ("2. + no revenue shares to governance and the fund (operator keeps 0.9)", NO_SHARES),
    ("3. + direct uses free (regime `free`) = all free", ALL_FREE),
]
SCENARIOS = ["wuhan_2023_2025", "all_free_public_data", "allowed_revenue_cap", "market_pricing",
             "strong_public_service_feedback"]


def runs(name: str, overrides: dict, seeds: list[int], workers: int) -> list:
    scenario = Scenario.load(SCENARIO_DIR / f"{name}.yaml", overrides=overrides)
    return run_jobs([Job(scenario, s, i, full=False) for i, s in enumerate(seeds)], workers)


def year_values(results: list, year: int = YEAR) -> pd.DataFrame:
    """One row per seed: the year's value of each metric."""
    return pd.DataFrame([r.yearly.set_index("year").loc[year] for r in results]).reset_index(drop=True)


def fmt(x: float, decimals: int, signed: bool = False) -> str:
    text = f"{x:+,.{decimals}f}" if signed else f"{x:,.{decimals}f}"
    return text.replace(",", " ").replace("-", "−")


def diff_cell(diff: pd.Series, decimals: int) -> str:
    low, high = np.percentile(diff, [5, 95])
    return fmt(diff.mean(), decimals, signed=True) + ("*" if low > 0 or high < 0 else "")


def revenue_path(base: list) -> str:
    rows = []
    for year in (2023, 2024, 2025):
        v = year_values(base, year)
        ratio = (v.operator_revenue / v.operator_allowed_revenue)
        rows.append(f"| {year} | {fmt(v.operator_revenue.mean(), 0)} | {fmt(v.operator_allowed_revenue.mean(), 0)} | "
                    f"{ratio.min():.2f} – {ratio.max():.2f} | {v.public_data_price.mean():.3f} |")
    head = "| year | operator revenue, 万元 | allowed revenue, 万元 | revenue ÷ allowance, range over seeds | price |"
    return "\n".join([head, "|---|---|---|---|---|", *rows])


def share_row(label: str, results: list) -> str:
    cells = []
    for year in (2023, 2024, 2025):
        cells.append(f"{year_values(results, year).exchange_share.mean():.3f}")
    h2, trust = [], []
    for r in results:
        m = r.metrics
        late = m[m.date >= "2025-07-01"]
        h2.append(late.gmv_exchange.sum() / late.gmv_total.sum())
        trust.append(m.trust_off_exchange.iloc[-1])
    return f"| {label} | {' | '.join(cells)} | {np.mean(h2):.3f} | {np.mean(trust):.2f} |"


def incidents(seeds: list[int], workers: int) -> str:
    head = "| exchange share (yearly unless stated) | 2023 | 2024 | 2025 | 2025-07…12 | trust in bilateral trade, end 2025 |"
    return "\n".join([head, "|---|---|---|---|---|---|",
                      share_row("baseline", runs("wuhan_2023_2025", {}, seeds, workers)),
                      share_row("incidents switched off (`behaviour.incident_prob: 0`)",
                                runs("wuhan_2023_2025", {"behaviour.incident_prob": 0.0}, seeds, workers))])


def free_versus_paid(seeds: list[int], workers: int, base: list) -> str:
    head = "| step (what is switched) | " + " | ".join(COLUMNS[m][0] for m in STEP_METRICS) + " |"
    lines = [head, "|---" * (len(STEP_METRICS) + 1) + "|"]
    values = [year_values(base)] + [year_values(runs("wuhan_2023_2025", o, seeds, workers)) for _, o in STEPS[1:]]
    lines.append(f"| {STEPS[0][0]} | " + " | ".join(fmt(values[0][m].mean(), COLUMNS[m][1]) for m in STEP_METRICS) + " |")
    for (label, _), before, after in zip(STEPS[1:], values, values[1:]):
        lines.append(f"| {label} | " + " | ".join(diff_cell(after[m] - before[m], COLUMNS[m][1]) for m in STEP_METRICS)
                     + " |")
    lines.append("| total: all free − baseline | " + " | ".join(
        diff_cell(values[-1][m] - values[0][m], COLUMNS[m][1]) for m in STEP_METRICS) + " |")
    useless = {"behaviour.raw_data_usability": 0.0}
    paid0 = year_values(runs("wuhan_2023_2025", useless, seeds, workers))
    free0 = year_values(runs("wuhan_2023_2025", {**ALL_FREE, **useless}, seeds, workers))
    lines.append("| crowding out: the same total with `raw_data_usability: 0` | " + " | ".join(
        diff_cell(free0[m] - paid0[m], COLUMNS[m][1]) for m in STEP_METRICS) + " |")
    return "\n".join(lines)


def scenarios(seeds: list[int], workers: int, base: list) -> str:
    values = [year_values(base)] + [year_values(runs(n, {}, seeds, workers)) for n in SCENARIOS[1:]]
    lines = ["| metric (2025) | " + " | ".join(["baseline", *SCENARIOS[1:]]) + " |", "|---" * (len(SCENARIOS) + 1) + "|"]
    for metric, (label, decimals) in COLUMNS.items():
        cells = [fmt(values[0][metric].mean(), decimals)]
        cells += [diff_cell(v[metric] - values[0][metric], decimals) for v in values[1:]]
        lines.append(f"| {label} | " + " | ".join(cells) + " |")
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", type=int, default=10, help="paired seeds 1…N for the revenue path, §8.1 and §8.2")
    parser.add_argument("--incident-seeds", type=int, default=20, help="seeds 0…N−1 for the incidents table")
    parser.add_argument("--workers", type=int, default=2)
    args = parser.parse_args()
    seeds = list(range(1, args.seeds + 1))
    base = runs("wuhan_2023_2025", {}, seeds, args.workers)
    print(f"### The operator's revenue path (baseline, seeds 1–{args.seeds})\n\n{revenue_path(base)}\n")
    print(f"### Incidents ({args.incident_seeds} seeds, mean)\n\n"
          f"{incidents(list(range(args.incident_seeds)), args.workers)}\n")
    print(f"### §8.1 (2025; seeds 1–{args.seeds})\n\n{free_versus_paid(seeds, args.workers, base)}\n")
    print(f"### §8.2 (2025; seeds 1–{args.seeds})\n\n{scenarios(seeds, args.workers, base)}")


if __name__ == "__main__":
    main()
