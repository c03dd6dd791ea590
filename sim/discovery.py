"""Scenario discovery: under which inputs does an outcome of interest happen? PRIM (the Patient
Rule Induction Method of Friedman and Fisher, as implemented in ``ema_workbench.analysis.prim``)
finds boxes, ranges of a few inputs, inside which the cases of interest are dense.

- :func:`find_boxes`: PRIM on any table of inputs and a boolean case-of-interest array.
- :func:`sweep_cases`: the inputs and cases of a finished sweep for one outcome ``METRIC:YEAR``
  below (or above) a value. The unit of analysis is the **design point**: its swept parameter
  values and the outcome averaged over its replicates (so a point counts once, however many
  replicates it has). Complement parameters (``complements`` of the spec) are left out: they
  are not independent inputs.

Each box is PRIM's peeling trajectory cut at one step: the step with the largest **coverage**
(share of all cases of interest that fall in the box) among those whose **density** (share of
the box's points that are cases of interest) reaches ``threshold`` (the densest of those, if
several cover as much). Boxes are found one after another on the points left outside the earlier boxes, until
``max_boxes`` or until PRIM finds no box reaching the threshold. Coverage and density of the
second box onward are taken over those remaining points (PRIM's own convention).
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from sim.errors import SweepError
from sim.sweeps.sensitivity import Target, response
from sim.sweeps.store import SweepResult

__all__ = ["Discovery", "find_boxes", "sweep_cases"]


@dataclass(frozen=True)
class Discovery:
    """What PRIM found.

    ``boxes``: one row per box and restricted input: ``box`` (1, 2, …), ``parameter``, ``low``,
    ``high`` (the box's limits; ``values`` for a categorical input), ``min``, ``max`` (the input's
    range in the data), ``qp_low``, ``qp_high`` (quasi-p-values of each limit: could the
    restriction be chance?) and the box's ``coverage``, ``density``, ``mass`` (share of points
    in the box), ``n`` (points in it), ``k`` (cases of interest in it).
    ``trajectories``: every step of each box's peeling and pasting: ``box``, ``step``,
    ``coverage``, ``density``, ``mass``, ``res_dim`` (inputs restricted), ``n``, ``k`` and
    ``chosen`` (the step the box was cut at).
    """

    boxes: pd.DataFrame
    trajectories: pd.DataFrame
    n_points: int
    n_cases: int
    threshold: float


def find_boxes(x: pd.DataFrame, cases: np.ndarray, threshold: float = 0.8, peel_alpha: float = 0.05,
               mass_min: float = 0.05, max_boxes: int = 3) -> Discovery:
    """PRIM boxes of ``cases`` in the inputs ``x``.

    Args:
        x: one row per point, one column per input (numbers, or text/booleans for categories).
        cases: boolean per row, True where the outcome of interest happens.
        threshold: the density (0–1) a box must reach.
        peel_alpha: share of the points each peeling step removes (0–1; small: slow, fine steps).
        mass_min: smallest share of all points a box may hold.
        max_boxes: most boxes to find.
    """
    with warnings.catch_warnings():  # ema_workbench warns on import about an optional evaluator we do not use
        warnings.filterwarnings("ignore", message="ipyparallel not installed")
        from ema_workbench.analysis import prim

    cases = np.asarray(cases, dtype=bool)
    if len(cases) != len(x):
        raise ValueError(f"{len(x)} rows of inputs but {len(cases)} cases")
    if not 0 < threshold <= 1 or not 0 < peel_alpha < 1:
        raise ValueError(f"threshold must be in (0, 1] and peel_alpha in (0, 1); got {threshold}, {peel_alpha}")
    x = x.reset_index(drop=True)
    limits, steps = [], []
    with warnings.catch_warnings():  # pandas deprecations inside ema_workbench, not ours to fix
        warnings.filterwarnings("ignore", module="ema_workbench")
        algorithm = prim.Prim(x, cases, threshold=threshold, peel_alpha=peel_alpha, mass_min=mass_min)
    for number in range(1, max_boxes + 1):
        if algorithm.yi_remaining.shape[0] == 0 or not cases[algorithm.yi_remaining].any():
            break
        with warnings.catch_warnings():
            warnings.filterwarnings("ignore", module="ema_workbench")
            box = algorithm.find_box()
        trajectory = box.peeling_trajectory
        if trajectory["res_dim"].iloc[-1] == 0 or trajectory["density"].max() < threshold:
            break  # PRIM's "dump box": nothing reaches the threshold in the points left
        dense = trajectory[trajectory["density"] >= threshold]
        chosen = int(dense.sort_values(["coverage", "density"], kind="stable").index[-1])
        box.select(chosen)
        steps.append(trajectory.assign(box=number, step=trajectory["id"].astype(int),
                                       chosen=trajectory.index == chosen))
        limits.append(_limits(box, chosen, number, x))
    columns = ["box", "parameter", "low", "high", "values", "min", "max", "qp_low", "qp_high",
               "coverage", "density", "mass", "n", "k"]
    boxes = pd.concat(limits, ignore_index=True) if limits else pd.DataFrame(columns=columns)
    trajectories = (pd.concat(steps, ignore_index=True) if steps else
                    pd.DataFrame(columns=["box", "step", "coverage", "density", "mass", "res_dim", "n", "k", "chosen"]))
    trajectories = trajectories[["box", "step", "coverage", "density", "mass", "res_dim", "n", "k", "chosen"]]
    return Discovery(boxes[columns], trajectories, len(x), int(cases.sum()), threshold)


def _limits(box, step: int, number: int, x: pd.DataFrame) -> pd.DataFrame:
    """The restricted inputs of ``box`` at ``step``, with the box's statistics."""
    lims, initial = box.box_lims[step], box.prim.box_init
    stats = box.peeling_trajectory.iloc[step]
    rows = []
    for name in lims.columns:
        low, high = lims[name].iloc[0], lims[name].iloc[1]
        if isinstance(low, set):
            if low == initial[name].iloc[0]:
                continue
            row = {"values": "|".join(sorted(map(str, low)))}
        else:
            if low == initial[name].iloc[0] and high == initial[name].iloc[1]:
                continue
            row = {"low": float(low), "high": float(high), "min": float(x[name].min()), "max": float(x[name].max())}
        qp = box.qp[step].get(name, [-1, -1])
        rows.append({"box": number, "parameter": name, **row,
                     "qp_low": qp[0] if qp[0] != -1 else np.nan, "qp_high": qp[1] if qp[1] != -1 else np.nan,
                     **{k: float(stats[k]) for k in ("coverage", "density", "mass")},
                     "n": int(stats["n"]), "k": int(stats["k"])})
    return pd.DataFrame(rows).reindex(columns=["box", "parameter", "low", "high", "values", "min", "max",
                                                "qp_low", "qp_high", "coverage", "density", "mass", "n", "k"])


def sweep_cases(root: str | Path | SweepResult, outcome: str, below: float | None = None,
                above: float | None = None) -> tuple[pd.DataFrame, pd.Series, np.ndarray]:
    """The swept inputs of every design point, the outcome (mean over the point's replicates) and
    the cases of interest: outcome < ``below`` or outcome > ``above`` (give exactly one).

    ``outcome`` is ``METRIC:YEAR`` (or ``METRIC``: its last simulated year). Refused with one
    message (:class:`~sim.errors.SweepError`): a folder that is not a sweep, an unknown metric or
    year, a metric the sweep did not keep, runs not all complete, and a value that makes no
    point (or every point) a case of interest.
    """
    result = root if isinstance(root, SweepResult) else SweepResult(root)
    if (below is None) == (above is None):
        raise SweepError("give exactly one of --below X or --above X")
    target = Target.parse(outcome)
    spec = result.spec
    missing = [c for c in target.columns(spec.outputs.frequency) if c not in spec.outputs.metrics]
    if missing:
        raise SweepError(f"--metric {outcome}: the sweep did not keep {', '.join(missing)}; "
                         f"it kept {', '.join(spec.outputs.metrics)}")
    runs = result.runs
    incomplete = runs[runs["status"] != "ok"]
    if len(incomplete):
        raise SweepError(f"{len(incomplete)} of {len(runs)} runs of {result.root} are not complete (failed or "
                         "missing); continue the sweep with --resume first")
    values, year = response(result, target)
    inputs = [p for p in spec.parameters if p not in spec.complements]
    x = runs.drop_duplicates("point").sort_values("point").set_index("point")[inputs].reset_index(drop=True)
    y = pd.Series(values, name=f"{target.metric}:{year}")
    cases = (y < below).to_numpy() if below is not None else (y > above).to_numpy()
    side, value = ("below", below) if below is not None else ("above", above)
    span = f"across the {len(y)} points it ranges from {y.min():.6g} to {y.max():.6g}"
    if not cases.any():
        raise SweepError(f"--{side} {value}: no point has {y.name} {side} {value}, so there is nothing to "
                         f"discover; {span}")
    if cases.all():
        raise SweepError(f"--{side} {value}: every point has {y.name} {side} {value}, so there is nothing to "
                         f"discover; {span}")
    return x, y, cases
