"""The results folder of one scenario's replicates, written by ``run`` (and by ``compare``, once
per scenario) and read back here only:

    DIR/metrics.parquet    one row per run and month: scenario, run_id, seed, date, every metric
    DIR/yearly.csv         the same per run and calendar year (sim.metrics.yearly)
    DIR/products.parquet   every data product at the end of each run, keyed by scenario, run_id, seed
    DIR/key_outcomes.png   key outcomes over time (drawn by the command, written here)
    DIR/manifest.json      the resolved scenario and its hash, seeds, per-run wall times, provenance

Every file is written atomically, after :func:`sim.storage.prepare` has checked the folder.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import pandas as pd

from sim.errors import FolderError
from sim.metrics import yearly
from sim.results import Result
from sim.scenario import Scenario
from sim.storage import atomic_write, write_csv, write_json, write_parquet, writing

FIGURE = "key_outcomes.png"
FILES = {
    "metrics.parquet": "one row per run and month: scenario, run_id, seed, date and every metric",
    "yearly.csv": "the same per run and calendar year (sums, means or year-end values)",
    "products.parquet": "every data product at the end of each run",
    FIGURE: "key outcomes over time: mean with its 90 % interval across runs",
    "manifest.json": "resolved scenario, its hash, seeds, versions, git commit, command line",
}
TABLES = ("metrics", "products")


def tidy_metrics(results: list[Result]) -> pd.DataFrame:
    """One row per run and month: scenario, run_id, seed, date, then every metric."""
    return pd.concat([r.metrics for r in results], ignore_index=True)


def write(folder: Path, scenario: Scenario, source: Path, results: list[Result], provenance: dict,
          figure: Callable[[Path], None]) -> None:
    """Write the replicates of one scenario to ``folder``: the files of :data:`FILES`.

    ``provenance`` (:func:`sim.provenance.provenance`) goes into the manifest as it is;
    ``figure(path)`` writes the key-outcomes figure, drawn by the caller.
    """
    metrics = tidy_metrics(results)
    keys = [{"scenario": scenario.name, "run_id": r.manifest["run_id"], "seed": r.manifest["seed"]} for r in results]
    products = pd.concat([r.products.assign(**k) for r, k in zip(results, keys, strict=True)], ignore_index=True)
    products = products[["scenario", "run_id", "seed", *products.columns[:-3]]]
    manifest = {
        "scenario": scenario.name,
        "scenario_hash": scenario.digest(),
        "source": str(source),
        "replicates": len(results),
        "seeds": [r.manifest["seed"] for r in results],
        "runs": [{k: r.manifest[k] for k in ("run_id", "seed", "wall_time_s")} for r in results],
        **provenance,
        "files": list(FILES),
        "resolved_scenario": scenario.model_dump(mode="json"),
    }
    with writing(folder):
        write_parquet(metrics, folder / "metrics.parquet")
        write_csv(yearly(metrics), folder / "yearly.csv")
        write_parquet(products, folder / "products.parquet")
        atomic_write(folder / FIGURE, figure)
        write_json(manifest, folder / "manifest.json")


def where(out: Path, files: dict[str, str] = FILES) -> str:
    """Where the results went, one line per file."""
    width = max(map(len, files))
    return "\n".join([f"Results in {out}/", *(f"  {name:<{width}}  {text}" for name, text in files.items())])


# ---- reading -----------------------------------------------------------------------------------


def is_results(path: Path) -> bool:
    """Whether ``path`` holds a results folder (its ``metrics.parquet``)."""
    return (Path(path) / "metrics.parquet").is_file()


def read(path: Path, table: str) -> pd.DataFrame:
    """``metrics`` or ``products`` of the folder, as written."""
    if table not in TABLES:
        raise ValueError(f"a results folder holds tables {', '.join(TABLES)}, not {table!r}")
    file = Path(path) / f"{table}.parquet"
    if not file.is_file():
        raise FolderError(f"no {file.name} in {path}")
    return pd.read_parquet(file)


def read_manifest(path: Path) -> dict:
    """The folder's ``manifest.json``."""
    file = Path(path) / "manifest.json"
    if not file.is_file():
        raise FolderError(f"no manifest.json in {path}")
    return json.loads(file.read_text(encoding="utf-8"))
