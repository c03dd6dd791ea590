"""Policy effects with parameter uncertainty: scenarios run over parameter draws from a fit as well as
over seeds (``compare A B --posterior DIR``; docs/calibration.md §6).

**The draws** are the ``k`` complete trials of a ``calibrate`` folder with the lowest loss
(``trials.csv``): an Optuna-sampled approximation of a posterior (an ABC rejection step whose
tolerance is the k-th best loss), not a proper one, since the optimiser proposed the trials.

**Pairing.** Every scenario runs every draw on the same seeds: run (draw d, seed s) of one scenario is
paired with run (d, s) of the reference, so the difference is the policy's effect at those parameters
and that luck.

**The interval.** For each draw, the mean paired difference over the seeds, ``m_d``, with its standard
error ``se_d``. The effect is the mean of the ``m_d``; its 95 % interval is

    mean ± t(n_seeds − 1) × sqrt(var over draws of m_d + mean over draws of se_d²)

the law of total variance: how much the effect changes across the fitted parameters, plus how
precisely the seeds pin each draw's effect down. With one draw it is the interval of
:func:`sim.summary.effects`.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd
from scipy import stats

from sim.errors import DataMarketError
from sim.metrics import NAMES
from sim.scenario import Scenario, lookup
from sim import summary
from sim.summary import CONFIDENCE, interval

DRAW = "draw"


class PosteriorError(DataMarketError):
    """A fit folder that cannot give parameter draws."""


@dataclass(frozen=True)
class Draws:
    """Parameter draws: ``values[d]`` is ``{"dotted.path": value}`` of draw ``d``, from ``trials[d]``
    of the fit in ``folder`` with loss ``losses[d]``."""

    folder: Path
    trials: tuple[int, ...]
    losses: tuple[float, ...]
    values: tuple[dict[str, float], ...]

    @classmethod
    def load(cls, folder: str | Path, k: int) -> Draws:
        """The ``k`` complete trials of ``folder/trials.csv`` with the lowest loss (fewer if fewer completed).

        Args:
            folder: a ``calibrate`` output folder.
            k: how many draws, 1 or more.
        """
        folder = Path(folder)
        path = folder / "trials.csv"
        if not path.is_file():
            raise PosteriorError(f"--posterior {folder}: no trials.csv there; give a folder written by calibrate")
        trials = pd.read_csv(path)
        fixed = {"trial", "state", "loss", "best_so_far", "duration_s"}
        params = [c for c in trials.columns if c not in fixed]
        done = trials[(trials.state == "complete") & trials.loss.notna()].sort_values(["loss", "trial"])
        if done.empty or not params:
            raise PosteriorError(f"--posterior {folder}: trials.csv holds no complete trial with parameter values")
        top = done.head(k)
        return cls(folder, tuple(int(t) for t in top.trial), tuple(float(v) for v in top.loss),
                   tuple({p: float(row[p]) for p in params} for _, row in top.iterrows()))

    def __len__(self) -> int:
        return len(self.values)

    def apply(self, scenario: Scenario, draw: int) -> Scenario:
        """``scenario`` at draw ``draw``'s values (whole-number parameters rounded)."""
        dump = scenario.model_dump()
        values = {p: int(round(v)) if type(lookup(dump, p)[0]) is int else v for p, v in self.values[draw].items()}
        return scenario.with_values(values)

    def table(self) -> pd.DataFrame:
        return pd.DataFrame([{DRAW: d, "trial": t, "loss": loss, **v}
                             for d, (t, loss, v) in enumerate(zip(self.trials, self.losses, self.values, strict=True))])


def effects(frame: pd.DataFrame, reference: str, metrics=NAMES) -> pd.DataFrame:
    """Each other scenario's effect against ``reference`` per metric and year over draws and seeds:
    ``mean``, the interval of the module docstring (``ci_low``, ``ci_high``) and the 5th–95th percentile
    of all paired differences (``p05``, ``p95``).

    Args:
        frame: yearly metrics with columns scenario, draw, seed, year and the metrics; one row per
            scenario, draw, seed and year.
    """
    metrics = [m for m in metrics if m in frame]
    keys = [DRAW, "seed", "year"]
    if frame.duplicated(["scenario", *keys]).any():
        raise ValueError("several runs of one scenario share a draw and seed: cannot pair runs")
    base = frame[frame.scenario == reference].set_index(keys)[metrics]
    diffs = []
    for name, group in frame[frame.scenario != reference].groupby("scenario", sort=False):
        g = group.set_index(keys)[metrics]
        common = g.index.intersection(base.index)
        diffs.append((g.loc[common] - base.loc[common]).reset_index().assign(scenario=name))
    long = pd.concat(diffs, ignore_index=True).melt(id_vars=["scenario", *keys], value_vars=metrics, var_name="metric")
    spread = interval(long, "value", ["metric", "scenario", "year"])
    per_draw = long.groupby(["metric", "scenario", "year", DRAW], sort=False)["value"].agg(["mean", "var", "count"])
    per_draw["se2"] = per_draw["var"] / per_draw["count"]
    total = per_draw.groupby(level=["metric", "scenario", "year"], sort=False).agg(
        effect=("mean", "mean"), between=("mean", "var"), within=("se2", "mean"), seeds=("count", "min"))
    total["between"] = total["between"].fillna(0.0)
    t = stats.t.ppf(0.5 + CONFIDENCE / 2, np.maximum(total.seeds - 1, 1))
    half = np.where(total.seeds > 1, t * np.sqrt(total.between + total.within), np.nan)
    total["ci_low"], total["ci_high"] = total.effect - half, total.effect + half
    out = spread.drop(columns="mean").merge(total.reset_index(), on=["metric", "scenario", "year"])
    out = out.rename(columns={"effect": "mean"})
    return out[["scenario", "metric", "year", "mean", "ci_low", "ci_high", "p05", "p95"]]


def comparison(frame: pd.DataFrame, scenarios: list[str], metrics=NAMES) -> pd.DataFrame:
    """As :func:`sim.summary.comparison` (levels and ``diff_*`` effects against the first scenario), with
    levels over draws and seeds and effects from :func:`effects`."""
    metrics = [m for m in metrics if m in frame]
    return summary.comparison(frame.drop(columns=DRAW), scenarios, metrics,
                              diffs=effects(frame, scenarios[0], metrics))
