"""Design points: every combination of value lists (grid), or SALib samples between bounds
(Latin hypercube, Saltelli's scheme for Sobol indices, Morris trajectories)."""

from __future__ import annotations

import itertools
import math
import warnings

import numpy as np
import pandas as pd

from sim.sweeps.spec import SpecError, SweepSpec

MAX_RUNS = 1_000_000  # design points × replicates of one sweep: its plan, run table and folder stay manageable


def size(spec: SweepSpec) -> int:
    """Number of design points the spec makes, computed without making them."""
    d = len(spec.parameters)
    if spec.design == "grid":
        return math.prod(len(values) for values in spec.parameters.values())
    per_sample = {"lhs": 1, "sobol": 2 * d + 2 if spec.second_order else d + 2, "morris": d + 1}[spec.design]
    return spec.samples * per_sample


def problem(spec: SweepSpec) -> dict:
    """The SALib problem of a sampled design: names and bounds of the swept parameters."""
    names = list(spec.parameters)
    return {"num_vars": len(names), "names": names, "bounds": [[b.low, b.high] for b in spec.parameters.values()]}


def sample(spec: SweepSpec) -> pd.DataFrame:
    """One row per design point, one column per swept parameter, in the order SALib's analyses expect.

    Sampled designs are seeded with ``spec.seed``, so the same spec gives the same points.
    SALib's warnings (e.g. a Sobol sample count that is not a power of 2) are refused as errors
    naming ``samples``, as is a design of more than :data:`MAX_RUNS` runs (before any is made).
    """
    names = list(spec.parameters)
    runs = size(spec) * spec.replicates
    if runs > MAX_RUNS:
        field = "parameters" if spec.design == "grid" else "samples"
        raise SpecError([f"{field}: the {spec.design} design makes {size(spec):,} points × {spec.replicates:,} "
                         f"replicates = {runs:,} runs, more than the {MAX_RUNS:,} a sweep may hold; "
                         "split it into several sweeps or use fewer samples"], spec.source)
    if spec.design == "grid":
        return pd.DataFrame(list(itertools.product(*spec.parameters.values())), columns=names)
    from SALib.sample import latin, morris, sobol

    p, n = problem(spec), spec.samples
    draw = {
        "lhs": lambda: latin.sample(p, n, seed=spec.seed),
        "sobol": lambda: sobol.sample(p, n, calc_second_order=spec.second_order, seed=spec.seed),
        "morris": lambda: morris.sample(p, n, num_levels=spec.levels, seed=spec.seed),
    }[spec.design]
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error")
            x = draw()
    except (Warning, ValueError) as exc:
        hint = " (Saltelli sampling needs a power of 2)" if spec.design == "sobol" else ""
        message = " ".join(str(exc).split())
        error = f"samples: SALib refuses {n} for the {spec.design} design{hint}: {message}"
        raise SpecError([error], spec.source) from None
    return pd.DataFrame(np.asarray(x, dtype=float), columns=names)

