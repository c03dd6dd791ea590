"""Folders of results, one module per layout, each writing and reading its own:

- :mod:`sim.folders.results`: one scenario's replicates (``run``);
- :mod:`sim.folders.comparison`: one results folder per scenario and ``comparison.csv`` (``compare``);
- :mod:`sim.sweeps.store`: a sweep (``sweep``, ``sensitivity``): ``runs.parquet``, Parquet parts
  and ``indices.csv``.

:func:`read` tells them apart and reads any of them into one tidy frame.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from sim.errors import FolderError
from sim.folders import comparison, results
from sim.sweeps.store import SweepResult, is_sweep


def kind(path: str | Path) -> str:
    """``results``, ``comparison`` or ``sweep``: the layout of the folder at ``path``."""
    path = Path(path)
    if not path.is_dir():
        raise FolderError(f"no results folder at {path}")
    if results.is_results(path):
        return "results"
    if comparison.is_comparison(path):
        return "comparison"
    if is_sweep(path):
        return "sweep"
    raise FolderError(f"{path} holds no results: expected the folder of run (metrics.parquet), "
                      f"of compare ({comparison.TABLE}) or of sweep (spec.json)")


def read(path: str | Path, table: str) -> pd.DataFrame:
    """``metrics`` (monthly, or yearly from a yearly sweep) or ``products`` of any folder.

    A sweep's rows carry its ids (run, point, replicate, seed), its parameters as columns and the
    spec's name as ``scenario``; a sweep keeps no products.
    """
    path = Path(path)
    layout = kind(path)
    if layout == "results":
        return results.read(path, table)
    if layout == "comparison":
        return comparison.read(path, table)
    if table != "metrics":
        raise FolderError(f"{path} is a sweep folder: it keeps metrics only, no {table}")
    sweep = SweepResult(path)
    frame = sweep.metrics()
    frame.insert(0, "scenario", sweep.spec.name)
    return frame
