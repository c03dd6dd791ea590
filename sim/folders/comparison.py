"""The comparison folder written by ``compare`` and read back here only: one results folder
(:mod:`sim.folders.results`) per scenario, named after it, and the table of levels and paired
differences:

    DIR/comparison.csv     one row per metric, scenario and year: unit, mean, p05, p95 and the
                           effect against the first scenario: diff_mean (mean paired
                           difference), diff_ci_low, diff_ci_high (its 95 % confidence interval,
                           Student t), diff_p05, diff_p95 (spread of the differences across seeds)
    DIR/SCENARIO/          the results folder of each scenario, in the order of comparison.csv

Nothing is written outside DIR: a scenario's folder is one path component below it. The table is
removed first and written last, so a comparison cut short has none; with ``--force``, scenario
folders of an earlier comparison that the new one does not write are removed (:func:`clear`).
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pandas as pd

from sim.errors import FolderError
from sim.folders import results
from sim.storage import write_csv, writing

TABLE = "comparison.csv"


def folder(out: Path, scenario: str) -> Path:
    """The results folder of ``scenario`` in the comparison folder ``out``: always directly inside it."""
    sub = Path(out) / scenario
    if scenario in ("", ".", "..") or Path(scenario).name != scenario or sub.resolve().parent != Path(out).resolve():
        raise FolderError(f"scenario name {scenario!r} cannot be a folder inside {out}; "
                          "a name is one path component (letters, digits, _ - .)")
    return sub


def clear(out: Path, names: list[str]) -> list[str]:
    """Before a comparison of ``names`` is written to ``out``: remove its table and the scenario
    folders of an earlier comparison that are not among ``names`` (only folders holding a results
    manifest: what this module wrote). Returns the scenarios removed."""
    removed = []
    with writing(out):
        (Path(out) / TABLE).unlink(missing_ok=True)
        for sub in sorted(Path(out).iterdir()):
            if sub.is_dir() and not sub.is_symlink() and sub.name not in names and (sub / results.MANIFEST).is_file():
                shutil.rmtree(sub)
                removed.append(sub.name)
    return removed


def write_table(out: Path, table: pd.DataFrame) -> None:
    """Write ``comparison.csv`` (:func:`sim.summary.comparison`)."""
    with writing(out):
        write_csv(table, out / TABLE)


def listing(names: list[str]) -> dict[str, str]:
    """What the folder holds, for the screen."""
    files = {TABLE: f"every metric per scenario and year; diff_*: paired difference to {names[0]} (mean, 95 % CI of the mean, 5th–95th percentile)"}
    files.update({f"{name}/": "the files of `run` for this scenario" for name in names})
    return files


# ---- reading -----------------------------------------------------------------------------------


def is_comparison(path: Path) -> bool:
    """Whether ``path`` holds a comparison folder (its ``comparison.csv``), whole or cut short
    (scenario results folders but no table)."""
    path = Path(path)
    return (path / TABLE).is_file() or any(sub.is_dir() and results.is_results(sub) for sub in path.iterdir())


def read_table(path: Path) -> pd.DataFrame:
    if not (Path(path) / TABLE).is_file():
        raise FolderError(f"{path} is incomplete: it has scenario folders but no {TABLE}, so the comparison "
                          "was cut short (killed, or the disk filled); run it again with --force")
    return pd.read_csv(Path(path) / TABLE)


def scenarios(path: Path) -> list[str]:
    """The scenarios compared, the reference first."""
    return list(dict.fromkeys(read_table(path)["scenario"]))


def read(path: Path, table: str) -> pd.DataFrame:
    """``metrics`` or ``products`` of every scenario listed in the table, one frame, in the compared
    order; other folders beside them are not read."""
    frames = []
    for name in scenarios(path):
        sub = folder(Path(path), name)
        if not results.is_results(sub):
            raise FolderError(f"{path} lists scenario {name!r} in {TABLE} but holds no results folder {sub}")
        frames.append(results.read(sub, table))
    return pd.concat(frames, ignore_index=True)
