"""The stored baseline: yearly outcomes of every shipped scenario on a few seeds.

``tests/test_baseline.py`` compares a fresh computation with ``baseline.json`` beside this file,
so a change that moves any result is noticed. ``make baseline`` refreshes the file on purpose
and prints what moved (metric, scenario, seed, year: old → new), for the commit message.

Run as ``python -m tests.baseline.regression [--refresh]``.
"""

from __future__ import annotations

import argparse
import json
import math
import sys
from pathlib import Path

from sim.catalog import SCENARIO_DIR, scenario_files
from sim.metrics import NAMES
from sim.runner import run
from sim.scenario import Scenario

FILE = Path(__file__).with_name("baseline.json")
BASELINE_SEEDS = (1, 2, 3)  # the Wuhan baseline
OTHER_SEEDS = (1,)  # every other shipped scenario
METRICS = tuple(m for m in NAMES if m != "ledger_imbalance")  # the books are checked elsewhere
RTOL, ATOL = 1e-7, 1e-6  # identical up to floating-point summation order
DIGITS = 12


def compute() -> dict:
    """``{scenario: {seed: {metric: {year: value}}}}`` for every shipped scenario."""
    out: dict = {}
    for path in scenario_files():
        scenario = Scenario.load(path)
        seeds = BASELINE_SEEDS if path.stem == "wuhan_2023_2025" else OTHER_SEEDS
        out[path.stem] = {}
        for seed in seeds:
            yearly = run(scenario, seed).yearly.set_index("year")
            out[path.stem][str(seed)] = {
                m: {str(y): _round(yearly.at[y, m]) for y in yearly.index} for m in METRICS
            }
    return out


def _round(x: float) -> float | None:
    x = float(x)
    return None if math.isnan(x) else float(f"{x:.{DIGITS}g}")


def differences(old: dict, new: dict) -> list[str]:
    """One line per value that moved beyond tolerance, or that is missing on one side."""
    lines = []
    for scenario in sorted(set(old) | set(new)):
        if scenario not in old or scenario not in new:
            lines.append(f"{scenario}: {'added' if scenario in new else 'removed'}")
            continue
        for seed in sorted(set(old[scenario]) | set(new[scenario])):
            a, b = old[scenario].get(seed, {}), new[scenario].get(seed, {})
            for metric in sorted(set(a) | set(b)):
                for year in sorted(set(a.get(metric, {})) | set(b.get(metric, {}))):
                    x, y = a.get(metric, {}).get(year), b.get(metric, {}).get(year)
                    if not _close(x, y):
                        lines.append(f"{metric} {scenario} seed {seed} {year}: {_fmt(x)} → {_fmt(y)}{_rel(x, y)}")
    return lines


def _close(x: float | None, y: float | None) -> bool:
    if x is None or y is None:
        return x is None and y is None
    return math.isclose(x, y, rel_tol=RTOL, abs_tol=ATOL)


def _fmt(x: float | None) -> str:
    return "missing/NaN" if x is None else f"{x:,.6g}"


def _rel(x: float | None, y: float | None) -> str:
    if x is None or y is None or x == 0:
        return ""
    return f" ({(y - x) / abs(x):+.1%})"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--refresh", action="store_true", help=f"rewrite {FILE.name} and print what moved")
    args = parser.parse_args(argv)
    new = compute()
    old = json.loads(FILE.read_text(encoding="utf-8")) if FILE.exists() else {}
    moved = differences(old, new)
    print(f"{len(moved)} stored values moved beyond rtol={RTOL}, atol={ATOL}" + (":" if moved else "."))
    for line in moved:
        print("  " + line)
    if args.refresh:
        FILE.write_text(json.dumps(new, indent=1, sort_keys=True) + "\n", encoding="utf-8")
        print(f"wrote {FILE.relative_to(SCENARIO_DIR.parent)}")
        return 0
    return 1 if moved else 0


if __name__ == "__main__":
    sys.exit(main())
