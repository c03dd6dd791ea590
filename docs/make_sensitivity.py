"""Regenerate docs/sensitivity.md: which unsourced parameters and event dates move the headline
outcomes of the small scenario, by Morris screening and then Sobol indices of the top ones.

    python docs/make_sensitivity.py [--workers 2] [--out results/sensitivity]     # or: make sensitivity

1. writes ``scenarios/sweeps/screening_small.yaml`` from the parameter tree (``sim.sources``): every
   ``behaviour`` uncertainty and every ``regulator``, ``exchanges`` and ``population`` parameter whose
   source is an assumption (constants, and parameters a dated event sets, left out), each between half
   and one and a half times its value (within its allowed range), and the month of every dated event of the timeline (``DATE_SHIFTS``:
   their months are assumptions, docs/ODD.md §5.1);
2. runs it (Morris) and ranks parameters by μ* scaled by the outcome's spread;
3. writes ``scenarios/sweeps/sobol_small.yaml`` over the :data:`SOBOL_TOP` highest-ranked and runs it;
4. writes docs/sensitivity.md and its figures under docs/img/.

Runs are stored in ``--out`` and reused when the model, the specs and the seeds are unchanged;
``--render`` runs nothing and rewrites the page and figures from the sweeps already there.
"""

from __future__ import annotations

import argparse
import math
import json
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd
import yaml

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from sim.scenario import Scenario  # noqa: E402
from sim.sources import entries  # noqa: E402
from sim.sweeps import SweepResult, SweepSpec, sensitivity, sweep  # noqa: E402

BASE = "small"
SWEEPS = ROOT / "scenarios" / "sweeps"
SCREENING = SWEEPS / "screening_small.yaml"
SOBOL = SWEEPS / "sobol_small.yaml"
DOC = ROOT / "docs" / "sensitivity.md"
IMG = ROOT / "docs" / "img"
YEAR = 2025
OUTCOMES = {  # metric: what it is in the headline
    "gmv_total": "GMV",
    "exchange_share": "exchange share",
    "value_created": "value created",
    "operator_revenue": "operator revenue",
    "revenue_public_services": "public-service feedback (反哺)",
}
STORED = ["gmv_total", "gmv_exchange", "exchange_share", "value_created", "operator_revenue",
          "revenue_public_services"]
# Months each dated event may move (low, high), keeping it in the year the plan names for it
# (plan 一.(二)) and after the events it needs (an authorization after its operator's founding).
DATE_SHIFTS = {
    "open_pilot_platform": (0, 5),
    "found_data_group": (-3, 1),
    "authorize_pilots": (-2, 3),
    "standards": (-3, 2),
    "compliance_regime": (0, 6),
    "cultivation": (0, 6),
    "authorize_health_education": (-2, 6),
    "data_asset_registration": (-3, 3),
    "open_regional_exchange": (-6, 5),
    "declaration_commitment": (-6, 5),
    "authorize_credit": (0, 6),
}
SPREAD = 0.5  # screened range: value × (1 ∓ SPREAD), within the allowed range
# Narrower ranges where the tree's own checks would let a point break the model: a merchant repays
# from cash above its reserve, so the reserve must not exceed the repayment threshold (the scenario
# does not check cash_reserve ≤ repay_above; a run with cash_reserve > repay_above fails).
RANGES = {"behaviour.cash_reserve": (1.0, 2.5), "behaviour.repay_above": (2.5, 4.5)}
TRAJECTORIES = 6
SOBOL_TOP = 6
SOBOL_SAMPLES = 32
REPLICATES = 1  # seeds in common across points: differences between points are not seed noise
TOP = 10


def shift_path(event: str) -> str:
    return f"timeline.{event}.shift_months"


def screened(scenario: Scenario) -> dict[str, dict]:
    """The screening's parameters and bounds, from the parameter tree and :data:`DATE_SHIFTS`."""
    out: dict[str, dict] = {}
    dated = {path for ev in scenario.timeline for path in (ev.set or {})}  # screened through the event's month
    for e in entries(scenario):
        behavioural = e.path.startswith("behaviour.") and e.role == "uncertainty"
        unsourced = not e.path.startswith("behaviour.") and e.unsourced and e.role != "constant"
        if not (behavioural or unsourced) or e.value == 0 or e.path in dated:
            continue
        low, high = max(e.low, e.value * (1 - SPREAD)), min(e.high, e.value * (1 + SPREAD))
        if e.integer:
            low, high = max(e.low, math.floor(low)), min(e.high, math.ceil(high))
            if low == high:
                high = low + 1
        if e.low == low and e.low > 0 and not e.integer:
            low = e.low + (high - e.low) * 1e-3  # a bound given as gt: stay inside
        low, high = RANGES.get(e.path, (low, high))
        out[e.path] = {"low": float(low), "high": float(high)}
    out.update({shift_path(event): {"low": lo, "high": hi} for event, (lo, hi) in DATE_SHIFTS.items()})
    return out


def unsourced_paths(scenario: Scenario) -> set[str]:
    """Swept paths whose number is an assumption: the tree's unsourced parameters and every date shift."""
    return {e.path for e in entries(scenario) if e.unsourced} | {shift_path(ev) for ev in DATE_SHIFTS}


def write_spec(path: Path, head: str, spec: dict) -> None:
    path.write_text(head + yaml.safe_dump(spec, sort_keys=False, allow_unicode=True, width=120), encoding="utf-8")


def screening_spec(scenario: Scenario) -> dict:
    return {
        "name": "screening_small", "description": "Morris screening of the unsourced parameters and event dates "
        "of the small scenario (generated by docs/make_sensitivity.py).",
        "base": BASE, "design": "morris", "samples": TRAJECTORIES, "levels": 4,
        "parameters": screened(scenario), "replicates": REPLICATES, "seed": 21,
        "outputs": {"metrics": STORED, "frequency": "yearly"},
    }


def ranking(indices: pd.DataFrame, spread: dict[str, float]) -> pd.DataFrame:
    """Parameters by their largest μ* across outcomes, each μ* over its outcome's spread across the design."""
    scaled = indices.assign(scaled=indices.mu_star / indices.metric.map(spread))
    return scaled.groupby("parameter").scaled.max().sort_values(ascending=False).rename("score").reset_index()


def outcome_spread(result, targets) -> dict[str, float]:
    return {f"{t.metric}:{YEAR}": float(np.std(sensitivity.response(result, t)[0])) or 1.0 for t in targets}


def sobol_spec(top: list[str], bounds: dict[str, dict]) -> dict:
    return {
        "name": "sobol_small", "description": f"Sobol indices of the {len(top)} parameters the Morris screening "
        "ranks highest (generated by docs/make_sensitivity.py).",
        "base": BASE, "design": "sobol", "samples": SOBOL_SAMPLES,
        "parameters": {p: bounds[p] for p in top}, "replicates": REPLICATES, "seed": 23,
        "outputs": {"metrics": STORED, "frequency": "yearly"},
    }


def figures(morris: pd.DataFrame, sobol: pd.DataFrame) -> list[str]:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    from analysis.sensitivity import morris_scatter, sobol_bars

    IMG.mkdir(exist_ok=True)
    names = []
    for metric in OUTCOMES:
        outcome = f"{metric}:{YEAR}"
        top = morris[morris.metric == outcome].nlargest(TOP, "mu_star")
        for kind, draw, table in (("morris", morris_scatter, top), ("sobol", sobol_bars, sobol)):
            ax = draw(table, outcome)
            name = f"sensitivity_{kind}_{metric}.png"
            ax.figure.savefig(IMG / name, dpi=100, bbox_inches="tight")
            plt.close(ax.figure)
            names.append(name)
    return names


def fmt(x: float) -> str:
    return "n/a" if not np.isfinite(x) else (f"{x:,.0f}" if abs(x) >= 100 else f"{x:.3g}")


def markdown(morris: pd.DataFrame, sobol: pd.DataFrame, unsourced: set[str], top: list[str], runs: dict,
             version: str) -> str:
    lines = [
        "# Global sensitivity of the small scenario",
        "",
        f"Generated by `python docs/make_sensitivity.py` (`make sensitivity`) on model {version}; do not edit "
        f"by hand. {runs['morris']:,} Morris runs and {runs['sobol']:,} Sobol runs of the small scenario (about "
        "0.2 s of CPU each: some 2 min on two idle cores).",
        "",
        "**What is screened.** `scenarios/sweeps/screening_small.yaml` is written from the parameter tree: every "
        "`behaviour` uncertainty and every `regulator`, `exchanges` and `population` parameter whose `source` is an "
        "assumption (constants left out), each between half and one and a half times its value in "
        "`scenarios/small.yaml` (within its allowed range; a parameter a dated event sets, `behaviour.quality_gain`, "
        "is screened through that event's month instead; `cash_reserve` 1–2.5 and `repay_above` 2.5–4.5, since the "
        "scenario refuses a reserve above the repayment threshold), and the month of every dated event "
        "(`timeline.<id>.shift_months`, bounds in `DATE_SHIFTS` of the generator: each event stays in the year the "
        "plan names for it; the months are assumptions, ODD §5.1). Morris design: "
        f"{TRAJECTORIES} trajectories, 4 levels, {REPLICATES} replicate(s) per point (seeds in common), outcomes in "
        f"{YEAR}. The **{SOBOL_TOP}** parameters with the largest μ* (each outcome's μ* over its spread across the "
        f"design, largest over outcomes) then get Sobol indices (`scenarios/sweeps/sobol_small.yaml`, Saltelli "
        f"{SOBOL_SAMPLES} × ({SOBOL_TOP} + 2) points).",
        "",
        f"**Read with care.** {TRAJECTORIES} trajectories screen, they do not measure: μ* separates the parameters that matter "
        "from those that do not, its order among close values is noise (the μ* confidence interval is given). "
        f"Sobol indices from {SOBOL_SAMPLES} base samples have wide intervals (given): a first-order index whose "
        "interval covers 0 is not shown to differ from 0, and S1 may exceed ST by noise. Both are local to the "
        "small scenario and to the ranges above.",
        "",
    ]
    for metric, label in OUTCOMES.items():
        outcome = f"{metric}:{YEAR}"
        m = morris[(morris.metric == outcome) & morris.parameter.isin(unsourced)].sort_values("mu_star",
                                                                                            ascending=False)
        lines += [f"## {label} ({metric}, {YEAR})", "",
                  "The ten most influential unsourced parameters (Morris μ*, the mean absolute elementary effect, in "
                  "the outcome's unit; σ, their spread: large σ/μ* means interactions or non-linearity).", "",
                  "| parameter | μ* | 95 % CI of μ* | μ | σ |", "|---|---|---|---|---|"]
        for r in m.head(TOP).itertuples():
            lines.append(f"| `{r.parameter}` | {fmt(r.mu_star)} | ± {fmt(r.mu_star_conf)} | {fmt(r.mu)} | "
                         f"{fmt(r.sigma)} |")
        s = sobol[sobol.metric == outcome]
        lines += ["", "Sobol indices of the screened top parameters (share of the outcome's variance; 95 % CI):", "",
                  "| parameter | S1 | ST |", "|---|---|---|"]
        for r in s.sort_values("ST", ascending=False).itertuples():
            lines.append(f"| `{r.parameter}` | {r.S1:.2f} ± {r.S1_conf:.2f} | {r.ST:.2f} ± {r.ST_conf:.2f} |")
        lines += ["", f"![Morris {metric}](img/sensitivity_morris_{metric}.png) "
                      f"![Sobol {metric}](img/sensitivity_sobol_{metric}.png)", ""]
    lines += _dates(morris)
    lines += ["## Regenerate", "", "```bash", "make sensitivity      # = python docs/make_sensitivity.py --workers 2",
              "# or step by step, with the specs it writes:",
              "python run.py sensitivity screening_small --out results/sensitivity/screening "
              + " ".join(f"--metric {m}:{YEAR}" for m in OUTCOMES),
              "python run.py sensitivity sobol_small --out results/sensitivity/sobol "
              + " ".join(f"--metric {m}:{YEAR}" for m in OUTCOMES), "```", "",
              f"Top {SOBOL_TOP} by scaled μ*: " + ", ".join(f"`{p}`" for p in top) + ".", ""]
    return "\n".join(lines)


def _dates(morris: pd.DataFrame) -> list[str]:
    """The event months: each one's μ* per outcome and its rank among all screened parameters."""
    ranked = morris.assign(rank=morris.groupby("metric").mu_star.rank(ascending=False, method="min").astype(int))
    n = morris.parameter.nunique()
    lines = ["## The event dates", "",
             f"Each event's month (ODD §5.1) moved within its range: Morris μ* per outcome, and its rank among all "
             f"{n} screened parameters (1: the most influential).", "",
             "| event | " + " | ".join(OUTCOMES.values()) + " |", "|---" * (len(OUTCOMES) + 1) + "|"]
    for event in DATE_SHIFTS:
        cells = []
        for metric in OUTCOMES:
            r = ranked[(ranked.metric == f"{metric}:{YEAR}") & (ranked.parameter == shift_path(event))].iloc[0]
            cells.append(f"{fmt(r.mu_star)} (#{r['rank']})")
        lines.append(f"| `{event}` | " + " | ".join(cells) + " |")
    return [*lines, ""]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--out", type=Path, default=ROOT / "results" / "sensitivity")
    parser.add_argument("--render", action="store_true",
                        help="run nothing: rewrite the page and figures from the sweeps already in --out")
    args = parser.parse_args(argv)
    started = time.perf_counter()
    scenario = Scenario.load(ROOT / "scenarios" / f"{BASE}.yaml")
    targets = [sensitivity.Target(m, YEAR) for m in OUTCOMES]
    if not args.render:
        head = ("# Generated by docs/make_sensitivity.py from the parameter tree (sim.sources): every behaviour\n"
                "# uncertainty, every unsourced regulator/exchanges/population parameter and every event date.\n"
                "# Rerun the generator after adding parameters; do not edit by hand.\n")
        write_spec(SCREENING, head, screening_spec(scenario))
        screening = sweep(SweepSpec.load(SCREENING), args.out / "screening", workers=args.workers, resume=True,
                          progress=False)
        morris = sensitivity.indices(screening, targets)
        top = ranking(morris, outcome_spread(screening, targets)).parameter.head(SOBOL_TOP).tolist()
        write_spec(SOBOL, "# Generated by docs/make_sensitivity.py: the parameters the Morris screening of\n"
                   "# screening_small.yaml ranks highest. Small sample: read the confidence intervals.\n",
                   sobol_spec(top, screening_spec(scenario)["parameters"]))
        sweep(SweepSpec.load(SOBOL), args.out / "sobol", workers=args.workers, resume=True, progress=False)
    screening, sobol_result = SweepResult(args.out / "screening"), SweepResult(args.out / "sobol")
    morris, sobol = sensitivity.indices(screening, targets), sensitivity.indices(sobol_result, targets)
    top = list(sobol_result.spec.parameters)
    unsourced = unsourced_paths(scenario)
    figures(morris[morris.parameter.isin(unsourced)], sobol)
    runs = {"morris": len(screening.runs), "sobol": len(sobol_result.runs)}
    version = json.loads((args.out / "screening" / "spec.json").read_text(encoding="utf-8"))["model_version"]
    text = markdown(morris, sobol, unsourced, top, runs, version)
    DOC.write_text(text, encoding="utf-8")
    print(f"wrote {DOC.relative_to(ROOT)}, {SCREENING.relative_to(ROOT)}, {SOBOL.relative_to(ROOT)} "
          f"({time.perf_counter() - started:.0f} s)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
