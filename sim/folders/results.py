"""The results folder of one scenario's replicates, written by ``run`` (and by ``compare``, once
per scenario) and read back here only:

    DIR/metrics.parquet    one row per run and month: scenario, run_id, seed, date, every metric
    DIR/yearly.csv         the same per run and calendar year (sim.metrics.yearly)
    DIR/products.parquet   every data product at the end of each run, keyed by scenario, run_id, seed
    DIR/key_outcomes.png   key outcomes over time (drawn by the command, written here)
    DIR/manifest.json      the resolved scenario and its hash, seeds, per-run wall times, provenance;
                           ``complete``: false when the run was interrupted (only the seeds listed)

Every file is written atomically, in a folder held by :func:`sim.storage.claim`. The manifest is
removed first and written last, so a folder without one was cut short (killed, disk full) and
its readers say so.
"""

from __future__ import annotations

import json
import warnings
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
MANIFEST = "manifest.json"
TABLES = ("metrics", "products")


def tidy_metrics(results: list[Result]) -> pd.DataFrame:
    """One row per run and month: scenario, run_id, seed, date, then every metric."""
    return pd.concat([r.metrics for r in results], ignore_index=True)


def write(folder: Path, scenario: Scenario, source: Path, results: list[Result], provenance: dict,
          figure: Callable[[Path], None], planned: int | None = None) -> None:
    """Write the replicates of one scenario to ``folder``: the files of :data:`FILES`.

    ``provenance`` (:func:`sim.provenance.provenance`) goes into the manifest as it is;
    ``figure(path)`` writes the key-outcomes figure, drawn by the caller. ``planned``: the
    replicates asked for, when fewer finished (Ctrl-C); the manifest then says ``complete: false``.
    """
    metrics = tidy_metrics(results)
    keys = [{"scenario": scenario.name, "run_id": r.manifest["run_id"], "seed": r.manifest["seed"]} for r in results]
    products = pd.concat([r.products.assign(**k) for r, k in zip(results, keys, strict=True)], ignore_index=True)
    products = products[["scenario", "run_id", "seed", *products.columns[:-3]]]
    manifest = {
        "scenario": scenario.name,
        "scenario_hash": scenario.digest(),
        "source": str(source),
        "complete": planned is None or planned == len(results),
        "replicates": len(results),
        **({"replicates_planned": planned} if planned is not None else {}),
        "seeds": [r.manifest["seed"] for r in results],
        "runs": [{k: r.manifest[k] for k in ("run_id", "seed", "wall_time_s")} for r in results],
        **provenance,
        "files": list(FILES),
        "resolved_scenario": scenario.model_dump(mode="json"),
    }
    with writing(folder):
        (folder / MANIFEST).unlink(missing_ok=True)  # until the new one is written, the folder is incomplete
        write_parquet(metrics, folder / "metrics.parquet")
        write_csv(yearly(metrics), folder / "yearly.csv")
        write_parquet(products, folder / "products.parquet")
        atomic_write(folder / FIGURE, figure)
        write_json(manifest, folder / MANIFEST)


def where(out: Path, files: dict[str, str] = FILES) -> str:
    """Where the results went, one line per file."""
    width = max(map(len, files))
    return "\n".join([f"Results in {out}/", *(f"  {name:<{width}}  {text}" for name, text in files.items())])


# ---- reading -----------------------------------------------------------------------------------


def is_results(path: Path) -> bool:
    """Whether ``path`` holds a results folder, whole or cut short (its ``metrics.parquet`` or manifest)."""
    return (Path(path) / "metrics.parquet").is_file() or (Path(path) / MANIFEST).is_file()


def check_complete(path: Path) -> dict:
    """The folder's manifest, if its writing finished; a folder without one is refused, and a run
    interrupted by Ctrl-C (``complete: false``) is read with a warning naming the seeds it holds."""
    file = Path(path) / MANIFEST
    if not file.is_file():
        raise FolderError(f"{path} is incomplete: it has no {MANIFEST}, so its writing was cut short "
                          "(killed, or the disk filled); run it again with --force")
    manifest = json.loads(file.read_text(encoding="utf-8"))
    if not manifest.get("complete", True):
        warnings.warn(f"{path} is incomplete: the run was interrupted after {manifest['replicates']} of "
                      f"{manifest['replicates_planned']} replicates (seeds {manifest['seeds']})", stacklevel=2)
    return manifest


def read(path: Path, table: str) -> pd.DataFrame:
    """``metrics`` or ``products`` of the folder, as written (:func:`check_complete` first)."""
    if table not in TABLES:
        raise ValueError(f"a results folder holds tables {', '.join(TABLES)}, not {table!r}")
    check_complete(path)
    file = Path(path) / f"{table}.parquet"
    if not file.is_file():
        raise FolderError(f"no {file.name} in {path}")
    return pd.read_parquet(file)


def read_manifest(path: Path) -> dict:
    """The folder's ``manifest.json``."""
    file = Path(path) / MANIFEST
    if not file.is_file():
        raise FolderError(f"no {MANIFEST} in {path}")
    return json.loads(file.read_text(encoding="utf-8"))
