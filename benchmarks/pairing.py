"""How well paired scenario comparisons keep their common random numbers (``sim/streams.py``).

``python benchmarks/pairing.py`` runs the baseline and three small policy changes — the regional
exchange's fee 2.5 % → 1 %, data vouchers from 2024-07 (``scenarios/exchange_vouchers.yaml``),
the regulator's audit rate ×2 — with the same seeds, and compares, for the 2025 value of each
headline outcome, the standard deviation of the per-seed differences (paired) with that of the
difference of independently seeded runs, ``√(var A + var B)`` (unpaired). The ratio paired /
unpaired is what common random numbers buy: 1 when the pairing is lost, 0 when the change
moves every seed alike. ``--months`` adds, per month, the same ratio for monthly GMV, which
shows when paths diverge. Prints a table and writes ``benchmarks/pairing.md``.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from sim import Scenario, run  # noqa: E402

BASELINE = ROOT / "scenarios" / "wuhan_2023_2025.yaml"
VOUCHERS = ROOT / "scenarios" / "exchange_vouchers.yaml"
OUTCOMES = ("gmv_total", "exchange_share", "value_created")
YEAR = 2025
TARGET = 1 / 3


def changes(base: Scenario) -> dict[str, Scenario]:
    """The policy changes compared with the baseline."""
    audit = base.regulator.audit_rate
    return {
        "fee 2.5 % → 1 % (regional exchange)": base.with_values({"exchanges.regional_exchange.fee_rate": 0.01}),
        "vouchers on (exchange_vouchers.yaml)": Scenario.load(VOUCHERS),
        "audit rate ×2": base.with_values({"regulator.audit_rate": 2 * audit}),
    }


def outcomes(scenario: Scenario, seeds: range) -> tuple[np.ndarray, np.ndarray]:
    """The ``YEAR`` value of each outcome, ``(len(seeds), len(OUTCOMES))``, and monthly GMV,
    ``(len(seeds), months)``."""
    yearly, monthly = [], []
    for seed in seeds:
        r = run(scenario, seed, full=False)
        year = r.yearly.set_index("year").loc[YEAR]
        yearly.append([float(year[name]) for name in OUTCOMES])
        monthly.append(r.metrics["gmv_total"].to_numpy(dtype=float))
    return np.array(yearly), np.array(monthly)


def ratio(a: np.ndarray, b: np.ndarray) -> tuple[float, float, float, float]:
    """Mean difference, paired SD, unpaired SD and their ratio, along axis 0."""
    paired = np.std(b - a, axis=0, ddof=1)
    unpaired = np.sqrt(np.var(a, axis=0, ddof=1) + np.var(b, axis=0, ddof=1))
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.mean(b - a, axis=0), paired, unpaired, paired / unpaired


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--seeds", type=int, default=20, help="seeds per scenario (default 20)")
    ap.add_argument("--months", action="store_true", help="also print the monthly GMV ratio of each change")
    ap.add_argument("--out", type=Path, default=ROOT / "benchmarks" / "pairing.md")
    args = ap.parse_args()
    seeds = range(args.seeds)
    started = time.perf_counter()
    base = Scenario.load(BASELINE)
    a, a_months = outcomes(base, seeds)
    lines = [f"{YEAR} outcomes over {args.seeds} seeds: mean difference (B − A), SD of the paired differences, "
             "SD of the difference of independent runs √(var A + var B), and their ratio "
             f"(target ≤ {TARGET:.2f}).", "",
             "| change | outcome | mean A | mean B − A | paired SD | unpaired SD | ratio |",
             "|---|---|---:|---:|---:|---:|---:|"]
    monthly = []
    for label, scenario in changes(base).items():
        b, b_months = outcomes(scenario, seeds)
        diff, paired, unpaired, r = ratio(a, b)
        for j, name in enumerate(OUTCOMES):
            flag = "" if r[j] <= TARGET else " ✗"
            lines.append(f"| {label} | {name} | {a[:, j].mean():.4g} | {diff[j]:+.4g} | {paired[j]:.4g} "
                         f"| {unpaired[j]:.4g} | {r[j]:.2f}{flag} |")
        monthly.append((label, ratio(a_months, b_months)[3]))
    if args.months:
        lines += ["", "Paired / unpaired SD of monthly GMV, by month (0 = 2023-01):", ""]
        for label, r in monthly:
            lines.append(f"- {label}: " + " ".join("—" if np.isnan(x) else f"{x:.2f}" for x in r))
    lines += ["", f"({4 * args.seeds} runs, {time.perf_counter() - started:.0f} s)"]
    text = "\n".join(lines)
    print(text)
    args.out.write_text("# Pairing of scenario comparisons\n\n"
                        "Written by `python benchmarks/pairing.py` (see its docstring).\n\n" + text + "\n")


if __name__ == "__main__":
    main()
