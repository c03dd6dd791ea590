"""Reading results into tidy frames, from memory or from disk.

A *source* is any of:

- a :class:`~sim.results.Result`, a DataFrame, or a list of them (concatenated);
- a results folder written by ``run.py run``: ``metrics.parquet``, ``products.parquet``, ``manifest.json``;
- a comparison folder: one results folder per scenario as subfolders;
- a sweep folder: ``runs.parquet`` (one row per run: point, parameters, replicate, seed, status …)
  and Parquet parts of monthly metrics under ``metrics/``. Metric rows are joined to their run's
  row on the columns both share (e.g. ``point_id`` and ``replicate``), so every metrics row
  carries its parameters; runs without metrics (failed ones) drop out.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from pathlib import Path

import pandas as pd
import pyarrow.dataset as ds

from sim.metrics import NAMES

Source = object  # a Result, a DataFrame, a folder path, or a list of Results/DataFrames


def load_metrics(source: Source) -> pd.DataFrame:
    """Monthly metrics: scenario, run_id, seed, date, metric columns (and parameters for sweeps)."""
    return _load(source, "metrics")


def load_products(source: Source) -> pd.DataFrame:
    """Products of every run, with ``scenario`` and ``run_id`` columns."""
    return _load(source, "products")


def load_indices(source: pd.DataFrame | str | Path) -> pd.DataFrame:
    """Sensitivity indices: a DataFrame as is, a CSV file, or a folder's ``indices.csv``."""
    if isinstance(source, pd.DataFrame):
        return source
    path = Path(source)
    path = path / "indices.csv" if path.is_dir() else path
    if not path.is_file():
        raise FileNotFoundError(f"no sensitivity indices at {path}")
    return pd.read_csv(path)


def _load(source: Source, table: str) -> pd.DataFrame:
    if isinstance(source, pd.DataFrame):
        return source
    if isinstance(source, (str, Path)):
        return _read_folder(Path(source), table)
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


def _read_folder(path: Path, table: str) -> pd.DataFrame:
    if not path.is_dir():
        raise FileNotFoundError(f"no results folder at {path}")
    if (path / "metrics.parquet").is_file():
        return _read_results(path, table)
    if (path / "runs.parquet").is_file() and table == "metrics":
        return _read_sweep(path)
    parts = sorted(p for p in path.iterdir() if (p / "metrics.parquet").is_file())
    if parts:
        return pd.concat([_read_results(p, table) for p in parts], ignore_index=True)
    raise FileNotFoundError(
        f"{path} holds no {table}: expected {table}.parquet, subfolders with results, or runs.parquet + metrics/"
    )


def _read_results(path: Path, table: str) -> pd.DataFrame:
    file = path / f"{table}.parquet"
    if not file.is_file():
        raise FileNotFoundError(f"no {file.name} in {path}")
    frame = pd.read_parquet(file)
    if "scenario" not in frame:
        frame.insert(0, "scenario", _scenario_name(path))
    return frame


def _scenario_name(path: Path) -> str:
    manifest = path / "manifest.json"
    if manifest.is_file():
        scenario = json.loads(manifest.read_text(encoding="utf-8")).get("scenario")
        if isinstance(scenario, dict) and "name" in scenario:
            return scenario["name"]
    return path.name


def _read_sweep(path: Path) -> pd.DataFrame:
    runs = pd.read_parquet(path / "runs.parquet")
    if not (path / "metrics").is_dir():
        raise FileNotFoundError(f"no metrics/ folder in sweep {path}")
    metrics = ds.dataset(path / "metrics", format="parquet", partitioning="hive").to_table().to_pandas()
    keys = [c for c in metrics.columns if c in runs.columns and c not in NAMES and c != "date"]
    if not keys:
        raise ValueError(f"sweep {path}: metrics parts share no column with runs.parquet")
    return metrics.merge(runs, on=keys, how="inner", validate="many_to_one")
