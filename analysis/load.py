"""Reading results into tidy frames, from memory or from disk.

A *source* is any of:

- a :class:`~sim.results.Result`, a DataFrame, or a list of them (concatenated);
- a folder written by ``run``, ``compare`` or ``sweep``, read through :mod:`sim.folders`, which
  owns their layouts. A sweep's rows carry their parameters as columns.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

import pandas as pd

from sim import folders
from sim.folders import comparison, results
from sim.scenario import Event
from sim.sweeps.store import read_indices

Source = object  # a Result, a DataFrame, a folder path, or a list of Results/DataFrames


def load_metrics(source: Source) -> pd.DataFrame:
    """Monthly metrics: scenario, run_id, seed, date, metric columns (sweeps: their ids and
    parameters, and yearly rows when the sweep kept years)."""
    return _load(source, "metrics")


def load_products(source: Source) -> pd.DataFrame:
    """Products of every run, with ``scenario`` and ``run_id`` columns."""
    return _load(source, "products")


def load_indices(source: pd.DataFrame | str | Path) -> pd.DataFrame:
    """Sensitivity indices: a DataFrame as is, a CSV file, or a sweep folder's ``indices.csv``."""
    return source if isinstance(source, pd.DataFrame) else read_indices(source)


def load_manifests(source: Source) -> dict[str, dict]:
    """The manifest of each scenario of a run or comparison folder, by scenario name, the
    comparison's reference first; empty for anything else (results in memory, a sweep)."""
    if not isinstance(source, (str, Path)):
        return {}
    path = Path(source)
    layout = folders.kind(path)
    if layout == "results":
        manifest = results.check_complete(path)
        return {manifest["scenario"]: manifest}
    if layout == "comparison":
        return {name: results.check_complete(comparison.folder(path, name)) for name in comparison.scenarios(path)}
    return {}


def reference(source: Source) -> str | None:
    """The scenario a comparison folder's differences are taken from (its first), else None."""
    if isinstance(source, (str, Path)) and folders.kind(source) == "comparison":
        return comparison.scenarios(Path(source))[0]
    return None


def load_events(source: Source) -> pd.DataFrame:
    """Dated policy events of the scenarios of a run or comparison folder, from the resolved
    scenarios in their manifests: columns scenario, date (Timestamp), id, action, note; empty for
    results in memory or a sweep."""
    rows = []
    for name, manifest in load_manifests(source).items():
        for event in (manifest.get("resolved_scenario") or {}).get("timeline", []):
            action = next((a for a in Event.ACTIONS if event.get(a) is not None), "")
            rows.append({"scenario": name, "date": pd.Timestamp(event["date"]), "id": event.get("id") or action,
                         "action": action, "note": event.get("note", "")})
    return pd.DataFrame(rows, columns=["scenario", "date", "id", "action", "note"])


def _load(source: Source, table: str) -> pd.DataFrame:
    if isinstance(source, pd.DataFrame):
        return source
    if isinstance(source, (str, Path)):
        return folders.read(source, table)
    if hasattr(source, table):
        return _from_result(source, table)
    if isinstance(source, Iterable):
        frames = [_load(item, table) for item in source]
        if not frames:
            raise ValueError("no results given")
        return pd.concat(frames, ignore_index=True)
    raise TypeError(f"cannot read {table} from {type(source).__name__}")


def _from_result(result, table: str) -> pd.DataFrame:
    frame = getattr(result, table)
    if table == "products":
        frame = frame.assign(scenario=result.manifest["scenario"], run_id=result.manifest["run_id"])
    return frame
