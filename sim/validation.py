"""The validation report (docs/validation.md): a scenario beside its calibration targets, the latest
fit, stylised facts, comparative statics of the shipped scenarios and out-of-sample checks, built
from runs on fixed seeds so the same inputs give the same text (``python run.py validate-model``).

The report's first lines record what it was made from (:class:`Inputs`): the model's source hash,
the scenario's digest, the targets file's hash and the fit folder's hash. :func:`stale` compares
them with the current ones, so a test can say which input changed and the command to rerun.
"""

from __future__ import annotations

import json
import re
from dataclasses import asdict, dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from sim.calibration import Targets, file_hash, moments
from sim.execute import Job, run_jobs
from sim.metrics import yearly
from sim.provenance import source_digest
from sim.results import Result
from sim.scenario import Scenario
from sim.summary import effects

FIT_FILES = ("calibrated.yaml", "fit.csv", "manifest.json")
STATIC_METRICS = ("gmv_total", "exchange_share", "value_created", "consumer_surplus", "operator_revenue",
                  "revenue_public_services", "fiscal_spend")
INPUTS_LINE = re.compile(r"<!-- inputs: (?P<json>\{.*\}) -->")


@dataclass(frozen=True)
class Inputs:
    """What a report was made from: hashes that change when a result could.

    Args:
        source: the model's source hash (:func:`sim.provenance.source_digest`).
        scenario: the validated scenario's digest.
        targets: SHA-256 of the targets file.
        fit: SHA-256 of the fit folder's ``calibrated.yaml`` and ``fit.csv`` ("" without a fit).
        seeds: the seeds every run used.
        command: the command that makes the report.
    """

    source: str
    scenario: str
    targets: str
    fit: str
    seeds: list[int]
    command: str

    def line(self) -> str:
        return f"<!-- inputs: {json.dumps(asdict(self), ensure_ascii=False, sort_keys=True)} -->"

    @classmethod
    def read(cls, text: str) -> Inputs | None:
        """The inputs recorded in a report's text, or None when it records none."""
        match = INPUTS_LINE.search(text)
        return cls(**json.loads(match["json"])) if match else None


def fit_hash(folder: Path | None) -> str:
    if folder is None:
        return ""
    return "".join(file_hash(folder / name)[:16] for name in ("calibrated.yaml", "fit.csv"))


def current_inputs(scenario: Scenario, targets_file: Path, fit: Path | None, seeds: list[int], command: str) -> Inputs:
    return Inputs(source_digest(), scenario.digest(), file_hash(targets_file)[:16], fit_hash(fit), seeds, command)


def stale(recorded: Inputs, current: Inputs) -> list[str]:
    """The inputs that differ, by name (empty: the report is current)."""
    return [name for name in ("source", "scenario", "targets", "fit")
            if getattr(recorded, name) != getattr(current, name)]


def seed_of(result: Result) -> int:
    return int(result.metrics.seed.iloc[0])


# ---- stylised facts ---------------------------------------------------------------------------


def rank_size_slope(revenue: pd.Series) -> float:
    """Slope of log revenue on log rank over products that sold (OLS): about −1 for Zipf's law,
    nearer 0 for even sales; NaN with fewer than three sellers.

    Args:
        revenue: each product's revenue over the run, 万元.
    """
    sold = np.sort(revenue[revenue > 0].to_numpy(dtype=float))[::-1]
    if sold.size < 3:
        return float("nan")
    return float(np.polyfit(np.log(np.arange(1, sold.size + 1)), np.log(sold), 1)[0])


def top_share(revenue: pd.Series, fraction: float = 0.1) -> float:
    """Share of revenue earned by the top ``fraction`` of products (at least one)."""
    ordered = revenue.sort_values(ascending=False)
    top = max(1, int(len(ordered) * fraction))
    return float(ordered.iloc[:top].sum() / ordered.sum()) if ordered.sum() else float("nan")


def facts(results: list[Result]) -> pd.DataFrame:
    """One row per run: heavy tails of product sales, listed-vs-traded, and the yearly growth path."""
    rows = []
    for r in results:
        p = r.products
        listed = p[p.ever_listed]
        y = r.yearly.set_index("year")
        row = {"seed": seed_of(r), "top_decile_share": top_share(p.revenue), "rank_size_slope": rank_size_slope(p.revenue),
               "products_ever": len(p), "products_sold_share": float((p.revenue > 0).mean()) if len(p) else np.nan,
               "listed_traded_share": float((listed.units_on_exchange > 0).mean()) if len(listed) else np.nan}
        for year in y.index:
            row[f"gmv_{year}"] = y.gmv_total[year]
            row[f"exchange_share_{year}"] = y.exchange_share[year]
            if year - 1 in y.index:
                row[f"gmv_growth_{year}"] = y.gmv_total[year] / y.gmv_total[year - 1] - 1
        rows.append(row)
    return pd.DataFrame(rows)


# ---- the report's tables --------------------------------------------------------------------


def target_table(targets: Targets, rows: pd.DataFrame) -> pd.DataFrame:
    """Each target beside the model's mean and 90 % interval over seeds, and z = (mean − target) / uncertainty."""
    out = []
    for t in targets.targets:
        x = rows[t.id]
        out.append({"id": t.id, "label": t.label, "use": t.use, "figure": t.figure, "target": t.center,
                    "uncertainty": t.se, "mean": x.mean(), "p05": x.quantile(0.05), "p95": x.quantile(0.95),
                    "z": (x.mean() - t.center) / t.se if t.use != "report" else np.nan, "source": t.source})
    return pd.DataFrame(out)


def target_moments(results: list[Result], targets: Targets) -> pd.DataFrame:
    return pd.DataFrame([moments(r, targets.targets) for r in results])


def simulate(scenarios: list[Scenario], seeds: list[int], workers: int, full: bool) -> dict[str, list[Result]]:
    """Runs of each scenario on ``seeds`` (common random numbers), by scenario name."""
    jobs = [Job(s, seed, i, full) for s in scenarios for i, seed in enumerate(seeds)]
    runs = run_jobs(jobs, workers, total=len(jobs))
    n = len(seeds)
    return {s.name: runs[i * n:(i + 1) * n] for i, s in enumerate(scenarios)}


def statics(baseline: list[Result], others: dict[str, list[Result]], year: int) -> pd.DataFrame:
    """Each scenario's effect against the baseline in ``year``: mean paired difference with its 95 %
    confidence interval (:func:`sim.summary.effects`), for :data:`STATIC_METRICS`."""
    frames = [yearly(r.metrics).assign(scenario="baseline", seed=seed_of(r)) for r in baseline]
    for name, runs in others.items():
        frames += [yearly(r.metrics).assign(scenario=name, seed=seed_of(r)) for r in runs]
    table = pd.concat(frames, ignore_index=True)
    out = effects(table, "baseline", STATIC_METRICS)
    return out[out.year == year].reset_index(drop=True)


def md_table(header: list[str], rows: list[list[str]]) -> list[str]:
    return ["| " + " | ".join(header) + " |", "|" + "---|" * len(header), *("| " + " | ".join(r) + " |" for r in rows)]


def z_text(z: float) -> str:
    return "—" if not np.isfinite(z) else (f"**{z:+.2f}**" if abs(z) > 2 else f"{z:+.2f}")
