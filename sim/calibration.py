"""The baseline against the published figures it is calibrated to (MODEL §10).

``python -m sim.calibration --seeds 20`` prints, for each target, the figure and the model's
mean and 90 % interval over the seeds, as the Markdown table kept in ``docs/ODD.md``.
"""

from __future__ import annotations

import argparse
from pathlib import Path

import numpy as np
import pandas as pd

from sim.runner import run
from sim.scenario import Scenario

BASELINE = Path(__file__).resolve().parents[1] / "scenarios" / "wuhan_2023_2025.yaml"
YI = 1e4  # 万元 per 亿元


def _share(m: pd.DataFrame, start: str, end: str) -> float:
    window = m[(m.date >= start) & (m.date <= end)]
    return window.gmv_exchange.sum() / window.gmv_total.sum()


def measures(result) -> dict[str, float]:
    """The calibration measures of one run."""
    m, y, p = result.metrics, result.yearly.set_index("year"), result.products
    revenue = p.revenue.sort_values(ascending=False)
    listed = p[p.ever_listed]
    paid_uses = y.public_data_paid_uses[2025]
    return {
        "exchange share, 2023-01…06": _share(m, "2023-01-01", "2023-06-01"),
        "exchange share, 2024": _share(m, "2024-01-01", "2024-12-01"),
        "exchange share, 2025-07…12": _share(m, "2025-07-01", "2025-12-01"),
        "GMV 2023, 亿元": y.gmv_total[2023] / YI,
        "GMV 2025, 亿元": y.gmv_total[2025] / YI,
        "GMV growth 2024/2023": y.gmv_total[2024] / y.gmv_total[2023] - 1,
        "GMV growth 2025/2024": y.gmv_total[2025] / y.gmv_total[2024] - 1,
        "top 10 % of products' share of sales": revenue.iloc[: max(1, len(revenue) // 10)].sum() / revenue.sum(),
        "listed products that ever traded on-exchange": float((listed.units_on_exchange > 0).mean()),
        "merchants, end 2023": m.n_merchants[m.date == "2023-12-01"].item(),
        "merchants, end 2025": m.n_merchants.iloc[-1],
        "public-data price 2025, 万元/paid use": _operator_price(result, paid_uses),
        "free share of public-data uses 2025": y.public_data_free_uses[2025]
        / (y.public_data_free_uses[2025] + y.public_data_paid_uses[2025]),
    }


def _operator_price(result, paid_uses: float) -> float:
    sales = result.flows[(result.flows.kind == "sale") & result.flows.payee.str.startswith("operator:")]
    sales_2025 = sales[sales.date.dt.year == 2025].amount.sum()
    return sales_2025 / paid_uses if paid_uses else float("nan")


TARGETS = {
    "exchange share, 2023-01…06": ("≈ 0.03", "national, 2022 (NDA briefing, Jan 2025)"),
    "exchange share, 2024": ("≈ 0.19 national", "NDA briefing, Jan 2025"),
    "exchange share, 2025-07…12": ("0.15–0.25", "MODEL §10 baseline story"),
    "GMV 2023, 亿元": ("—", "level set by GMV 2025"),
    "GMV 2025, 亿元": ("10–30 (1–3 bn CNY)", "Wuhan target of 50 亿元 by 2027 (plan of March 2025)"),
    "GMV growth 2024/2023": ("≈ 0.3", "national market growth, industry reports"),
    "GMV growth 2025/2024": ("≈ 0.3", "national market growth, industry reports"),
    "top 10 % of products' share of sales": ("≥ 0.5", "marketplace transaction studies"),
    "listed products that ever traded on-exchange": ("≈ 0.30 (171 of 567)", "Beijing Intl. Big Data Exchange, 2025"),
    "merchants, end 2023": ("—", ""),
    "merchants, end 2025": ("growing after 2024 cultivation", "plan 一.(二) 2024; 五.1"),
    "public-data price 2025, 万元/paid use": ("≤ cap (0.8)", "发改价格〔2025〕65号"),
    "free share of public-data uses 2025": ("> 0 (public interest free)", "plan 二.2 有条件无偿"),
}


def calibration(seeds=range(20), scenario: Scenario | None = None) -> pd.DataFrame:
    """Mean and 90 % interval of each measure over ``seeds``, beside its target."""
    scenario = scenario or Scenario.load(BASELINE)
    rows = pd.DataFrame([measures(run(scenario, seed=s)) for s in seeds])
    out = pd.DataFrame({
        "measure": rows.columns,
        "target": [TARGETS[c][0] for c in rows.columns],
        "source": [TARGETS[c][1] for c in rows.columns],
        "mean": rows.mean().values,
        "p5": rows.quantile(0.05).values,
        "p95": rows.quantile(0.95).values,
    })
    return out


def to_markdown(table: pd.DataFrame) -> str:
    lines = ["| measure | target | baseline mean | 90 % interval | source |", "|---|---|---|---|---|"]
    for r in table.itertuples():
        lines.append(f"| {r.measure} | {r.target} | {_fmt(r.mean)} | {_fmt(r.p5)} – {_fmt(r.p95)} | {r.source} |")
    return "\n".join(lines)


def _fmt(x: float) -> str:
    return f"{x:,.0f}" if abs(x) >= 100 else f"{x:.3g}"


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", type=int, default=20)
    args = parser.parse_args()
    print(to_markdown(calibration(range(args.seeds))))
