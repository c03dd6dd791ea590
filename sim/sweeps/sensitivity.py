"""Sensitivity indices of yearly outcomes from a finished sweep, with SALib: Sobol first-order and
total indices (``sobol`` design) or Morris μ*, μ, σ (``morris`` design), each with a bootstrap
confidence interval. An outcome is named ``METRIC:YEAR`` (``gmv_total:2025``) or ``METRIC``
(its last simulated year); replicates of a point are averaged first.

Indices from too small a sample are noise: each row carries a ``caution`` (empty when none) and
each outcome with one is reported as a warning (:func:`cautions`)."""

from __future__ import annotations

import warnings
from dataclasses import dataclass

import numpy as np
import pandas as pd

from sim.errors import SweepError
from sim.metrics import NAMES
from sim.summary import inputs, per_year
from sim.sweeps import design
from sim.sweeps.spec import SweepSpec
from sim.sweeps.store import SweepResult

ANALYSED = ("sobol", "morris")
# Sample sizes below which indices are rough whatever their intervals say. Sobol: base samples N
# (Saltelli et al. 2010, Comput. Phys. Commun. 181: estimates settle in the hundreds to thousands;
# docs/sweeps.md asks for 256 or more). Morris: trajectories r (Campolongo, Cariboni & Saltelli
# 2007, Environ. Model. Softw. 22: r = 10 to 20).
MIN_SAMPLES = {"sobol": 256, "morris": 10}


@dataclass(frozen=True)
class Target:
    """A yearly outcome: ``metric`` in calendar ``year`` (None: the last simulated year)."""

    metric: str
    year: int | None = None

    @classmethod
    def parse(cls, text: str) -> Target:
        metric, sep, year = text.partition(":")
        if metric not in NAMES:
            raise SweepError(f"--metric {text}: unknown metric {metric!r}; known: {', '.join(NAMES)}")
        if sep and not year.isdigit():
            raise SweepError(f"--metric {text}: write METRIC:YEAR with a calendar year, e.g. {metric}:2025")
        return cls(metric, int(year) if sep else None)

    def columns(self, frequency: str) -> list[str]:
        """Stored metrics needed: from monthly outputs, what the metric's yearly rule needs."""
        return inputs(self.metric) if frequency == "monthly" else [self.metric]


def check_conf_level(conf_level: float) -> float:
    """A confidence level strictly between 0 and 1 (0.95 for 95 % intervals)."""
    if isinstance(conf_level, bool) or not isinstance(conf_level, (int, float)) or not 0 < conf_level < 1:
        raise SweepError(f"--conf-level: must lie strictly between 0 and 1 (e.g. 0.95), got {conf_level!r}")
    return float(conf_level)


def check(targets: list[Target], spec: SweepSpec) -> None:
    """Refuse, before any run, outcomes the spec's design or outputs cannot give."""
    if spec.design not in ANALYSED:
        raise SweepError(f"sensitivity needs a sobol or morris design; this spec's design is {spec.design}")
    for target in targets:
        missing = [c for c in target.columns(spec.outputs.frequency) if c not in spec.outputs.metrics]
        if missing:
            raise SweepError(f"--metric {target.metric}: the sweep does not keep {', '.join(missing)}; "
                             "add it to outputs.metrics")


def response(result: SweepResult, target: Target) -> tuple[np.ndarray, int]:
    """The outcome at every design point (mean over replicates), in design order, and its year."""
    frame = result.metrics(columns=target.columns(result.spec.outputs.frequency))
    if result.time_column == "date":
        frame = per_year(frame)
    year = target.year if target.year is not None else int(frame["year"].max())
    years = sorted(set(frame["year"]))
    if year not in years:
        raise SweepError(f"--metric {target.metric}:{year}: no such year; the runs cover {', '.join(map(str, years))}")
    values = frame[frame["year"] == year].groupby("point")[target.metric].mean()
    n_points = int(result.runs["point"].max()) + 1
    values = values.reindex(range(n_points))
    if values.isna().any():
        bad = values.index[values.isna()].tolist()
        raise SweepError(f"--metric {target.metric}:{year}: no value at points {bad[:10]} (undefined that year)")
    return values.to_numpy(), year


def indices(result: SweepResult, targets: list[Target], conf_level: float = 0.95, resamples: int = 100) -> pd.DataFrame:
    """One row per outcome and parameter with the design's indices and their confidence intervals."""
    spec = result.spec
    check(targets, spec)
    check_conf_level(conf_level)
    runs = result.runs
    incomplete = runs[runs["status"] != "ok"]
    if len(incomplete):
        raise SweepError(f"{len(incomplete)} of {len(runs)} runs are not complete (failed or missing); "
                         "sensitivity needs every run: continue the sweep with --resume")
    from SALib.analyze import morris, sobol

    problem = design.problem(spec)
    rows = []
    for target in targets:
        y, year = response(result, target)
        if spec.design == "sobol":
            s = sobol.analyze(problem, y, calc_second_order=spec.second_order, conf_level=conf_level,
                              num_resamples=resamples, seed=spec.seed)
            table = {"S1": s["S1"], "S1_conf": s["S1_conf"], "ST": s["ST"], "ST_conf": s["ST_conf"]}
        else:
            x = design.sample(spec).to_numpy()
            s = morris.analyze(problem, x, y, num_levels=spec.levels, conf_level=conf_level,
                               num_resamples=resamples, seed=spec.seed)
            table = {"mu_star": s["mu_star"], "mu_star_conf": s["mu_star_conf"], "mu": s["mu"], "sigma": s["sigma"]}
        rows.append(pd.DataFrame({"metric": f"{target.metric}:{year}", "parameter": problem["names"], **table}))
    out = pd.concat(rows, ignore_index=True)
    out["caution"] = cautions(out, spec.design, spec.samples)
    few = _few(spec.design, spec.samples)
    for metric, group in out[out["caution"] != ""].groupby("metric", sort=False):
        found = [f"{p}: {c}" for p, c in zip(group["parameter"], _cautions(group, spec.design)) if c]
        warnings.warn(f"{spec.design} indices of {metric} are not stable: " + "; ".join(filter(None, [few, *found]))
                      + f". Raise samples (to {MIN_SAMPLES[spec.design]} or more) before reporting them", stacklevel=2)
    return out


def cautions(table: pd.DataFrame, design: str, samples: int) -> list[str]:
    """Why each row's indices cannot be trusted, "" when nothing is known against them: too few
    samples (:data:`MIN_SAMPLES`); a Sobol S1 negative beyond its confidence interval (an index is
    never negative: sampling error); a confidence interval wider than the index itself (S1, ST,
    or Morris μ*).

    Args:
        table: indices as :func:`indices` computes them (columns S1, S1_conf, ST, ST_conf, or
            mu_star, mu_star_conf).
        design: ``sobol`` or ``morris``.
        samples: the spec's base samples (Sobol N) or trajectories (Morris r).
    """
    few = _few(design, samples)
    return ["; ".join(filter(None, [few, c])) for c in _cautions(table, design)]


def _few(design: str, samples: int) -> str:
    return f"few samples ({samples} < {MIN_SAMPLES[design]})" if samples < MIN_SAMPLES[design] else ""


def _cautions(table: pd.DataFrame, design: str) -> list[str]:
    """The cautions of each row read from its own indices (not the sample size)."""
    out = []
    for row in table.itertuples():
        found = []
        if design == "sobol":
            if row.S1 + row.S1_conf < 0:
                found.append(f"S1 = {row.S1:.2g} is negative beyond its interval (±{row.S1_conf:.2g})")
            found += [f"{name} interval ±{conf:.2g} wider than {name} = {value:.2g}"
                      for name, value, conf in (("S1", row.S1, row.S1_conf), ("ST", row.ST, row.ST_conf))
                      if conf > abs(value)]
        elif row.mu_star_conf > row.mu_star:
            found.append(f"μ* interval ±{row.mu_star_conf:.2g} wider than μ* = {row.mu_star:.2g}")
        out.append("; ".join(found))
    return out

