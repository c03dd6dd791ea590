"""The comparison folder written by ``compare`` and read back here only: one results folder
(:mod:`sim.folders.results`) per scenario, named after it, and the table of levels and paired
differences:

    DIR/comparison.csv     one row per metric, scenario and year: unit, mean, p05, p95 and the
                           effect against the first scenario: diff_mean (mean paired
                           difference), diff_ci_low, diff_ci_high (its 95 % confidence interval,
                           Student t), diff_p05, diff_p95 (spread of the differences across seeds)
    DIR/SCENARIO/          the results folder of each scenario, in the order of comparison.csv
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from sim.errors import FolderError
from sim.folders import results
from sim.storage import write_csv, writing

TABLE = "comparison.csv"


def folder(out: Path, scenario: str) -> Path:
    """The results folder of ``scenario`` in the comparison folder ``out``."""
    return out / scenario


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
    """Whether ``path`` holds a comparison folder (its ``comparison.csv``)."""
    return (Path(path) / TABLE).is_file()


def read_table(path: Path) -> pd.DataFrame:
    return pd.read_csv(Path(path) / TABLE)


def scenarios(path: Path) -> list[str]:
    """The scenarios compared, the reference first."""
    return list(dict.fromkeys(read_table(path)["scenario"]))


def read(path: Path, table: str) -> pd.DataFrame:
    """``metrics`` or ``products`` of every scenario, one frame, scenarios in the compared order."""
    frames = []
    for name in scenarios(path):
        sub = folder(Path(path), name)
        if not results.is_results(sub):
            raise FolderError(f"{path} lists scenario {name!r} in {TABLE} but holds no results folder {sub}")
        frames.append(results.read(sub, table))
    return pd.concat(frames, ignore_index=True)
