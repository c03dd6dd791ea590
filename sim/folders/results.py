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
its readers say so. :class:`Replicates` is the folder as an object, made by :func:`sim.run_many`
or read back with :meth:`Replicates.read`.
"""

from __future__ import annotations

import json
import warnings
from collections.abc import Callable
from dataclasses import dataclass, replace
from pathlib import Path

import pandas as pd

from sim.errors import FolderError
from sim.metrics import yearly
from sim.results import Result
from sim.scenario import Scenario
from sim.storage import atomic_write, claim, write_csv, write_json, write_parquet, writing

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


def tidy_products(scenario: Scenario, results: list[Result]) -> pd.DataFrame:
    """Every product at the end of each run: scenario, run_id, seed, then the product's columns."""
    keys = [{"scenario": scenario.name, "run_id": r.manifest["run_id"], "seed": r.manifest["seed"]} for r in results]
    products = pd.concat([r.products.assign(**k) for r, k in zip(results, keys, strict=True)], ignore_index=True)
    return products[["scenario", "run_id", "seed", *products.columns[:-3]]]


def write(folder: Path, scenario: Scenario, source: Path | str, results: list[Result], provenance: dict,
          figure: Callable[[Path], None] | None, planned: int | None = None) -> None:
    """Write the replicates of one scenario to ``folder``: the files of :data:`FILES`.

    ``provenance`` (:func:`sim.provenance.provenance`) goes into the manifest as it is;
    ``figure(path)`` writes the key-outcomes figure, drawn by the caller (None: no figure, and
    the manifest does not list one). ``planned``: the replicates asked for, when fewer finished
    (Ctrl-C); the manifest then says ``complete: false``.
    """
    metrics = tidy_metrics(results)
    products = tidy_products(scenario, results)
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
        "files": [f for f in FILES if figure is not None or f != FIGURE],
        "resolved_scenario": scenario.model_dump(mode="json"),
    }
    with writing(folder):
        (folder / MANIFEST).unlink(missing_ok=True)  # until the new one is written, the folder is incomplete
        write_parquet(metrics, folder / "metrics.parquet")
        write_csv(yearly(metrics), folder / "yearly.csv")
        write_parquet(products, folder / "products.parquet")
        if figure is not None:
            atomic_write(folder / FIGURE, figure)
        write_json(manifest, folder / MANIFEST)


def where(out: Path, files: dict[str, str] = FILES) -> str:
    """Where the results went, one line per file."""
    width = max(map(len, files))
    return "\n".join([f"Results in {out}/", *(f"  {name:<{width}}  {text}" for name, text in files.items())])


@dataclass(frozen=True, eq=False)
class Replicates:
    """One scenario's replicates, as a results folder holds them: the resolved ``scenario``, the
    tidy ``metrics`` (one row per run and month) and ``products``; ``results`` are the runs
    themselves when they were just made (empty when read from a folder, which keeps no ledger
    flows), ``path`` the folder they were written to or read from, ``source`` the scenario's file.

    Example::

        runs = sim.run_many("small", seeds=range(1, 6))
        runs.yearly.groupby("year").gmv_total.mean()
        print(runs.table())
        runs.write("results/small")          # the folder `run small --replicates 5` writes
        Replicates.read("results/small").metrics
    """

    scenario: Scenario
    metrics: pd.DataFrame
    products: pd.DataFrame
    results: tuple[Result, ...] = ()
    path: Path | None = None
    source: str = ""

    @classmethod
    def of(cls, scenario: Scenario, results: list[Result], source: str | Path = "") -> Replicates:
        """The replicates of ``results``, runs of ``scenario``."""
        return cls(scenario, tidy_metrics(results), tidy_products(scenario, results), tuple(results),
                   source=str(source))

    @property
    def name(self) -> str:
        return self.scenario.name

    @property
    def seeds(self) -> list[int]:
        return list(dict.fromkeys(self.metrics["seed"].tolist()))

    @property
    def yearly(self) -> pd.DataFrame:
        """One row per run and calendar year (:func:`sim.metrics.yearly`), as ``yearly.csv``."""
        return yearly(self.metrics)

    def table(self) -> str:
        """The key outcomes per year as ``run`` prints them."""
        from sim.summary import interval_heading, run_table

        return f"{interval_heading(len(self.seeds))}\n{run_table(self.yearly)}"

    def write(self, out: str | Path, *, force: bool = False, provenance: dict | None = None,
              figure: Callable[[Path], None] | None = None) -> Replicates:
        """Write the results folder ``out`` (refused if it holds files, unless ``force``); returns
        the replicates with ``path`` set. ``figure(path)`` may draw the key-outcomes PNG there
        (``lambda p: analysis.key_outcomes(runs.metrics).savefig(p, format="png")``)."""
        from sim.provenance import provenance as default_provenance

        if not self.results:
            raise FolderError(f"these replicates were read from {self.path}; they are written there already")
        with claim(Path(out), force) as folder:
            write(folder, self.scenario, self.source, list(self.results), provenance or default_provenance(), figure)
        return replace(self, path=Path(out))

    @classmethod
    def read(cls, path: str | Path) -> Replicates:
        """The replicates of a results folder (refused if its writing was cut short)."""
        manifest = check_complete(path)
        scenario = Scenario.from_dict(manifest["resolved_scenario"], source=str(path))
        return cls(scenario, read(path, "metrics"), read(path, "products"), path=Path(path),
                   source=manifest.get("source", ""))


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
