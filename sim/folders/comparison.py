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
:class:`Comparison` is the folder as an object, made by :func:`sim.compare` or read back with
:meth:`Comparison.read`.
"""

from __future__ import annotations

import shutil
from collections.abc import Callable
from dataclasses import dataclass, replace
from pathlib import Path

import pandas as pd

from sim.errors import FolderError
from sim.folders import results
from sim.storage import claim, write_csv, writing

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


@dataclass(frozen=True, eq=False)
class Comparison:
    """Scenarios run on the same seeds, as a comparison folder holds them: the replicates of each
    (:class:`~sim.folders.results.Replicates`, the reference first) and ``table``, the levels and
    paired differences to the reference of ``comparison.csv`` (:func:`sim.summary.comparison`);
    ``path`` is the folder it was written to or read from.

    Example::

        c = sim.compare(["wuhan_2023_2025", "no_exchange"], seeds=range(1, 11), workers=2)
        c.table.query("metric == 'gmv_total' and scenario == 'no_exchange'")[["year", "diff_mean"]]
        print(c.text())
        c.write("results/no_exchange")      # the folder `compare` writes
    """

    scenarios: tuple[results.Replicates, ...]
    table: pd.DataFrame
    path: Path | None = None

    @classmethod
    def of(cls, scenarios: list[results.Replicates]) -> Comparison:
        """The comparison of ``scenarios`` with the first (their runs paired by seed)."""
        from sim.summary import comparison

        names = [s.name for s in scenarios]
        yearly = pd.concat([s.yearly for s in scenarios], ignore_index=True)
        return cls(tuple(scenarios), comparison(yearly, names))

    @property
    def names(self) -> list[str]:
        return [s.name for s in self.scenarios]

    @property
    def baseline(self) -> str:
        """The reference scenario: every difference is to it."""
        return self.names[0]

    @property
    def metrics(self) -> pd.DataFrame:
        """Every scenario's monthly metrics, one frame (what ``analysis`` draws)."""
        return pd.concat([s.metrics for s in self.scenarios], ignore_index=True)

    def __getitem__(self, name: str) -> results.Replicates:
        for s in self.scenarios:
            if s.name == name:
                return s
        raise KeyError(f"no scenario {name!r}; compared: {', '.join(self.names)}")

    def text(self) -> str:
        """The table of levels and effects as ``compare`` prints it."""
        from sim.summary import compare_table, effect_heading, interval_heading

        n = len(self.scenarios[0].seeds)
        return "\n".join([interval_heading(n), effect_heading(n), compare_table(self.table, replicates=n)])

    def write(self, out: str | Path, *, force: bool = False, provenance: dict | None = None,
              figure: Callable[[results.Replicates], Callable[[Path], None]] | None = None) -> Comparison:
        """Write the comparison folder ``out`` (refused if it holds files, unless ``force``);
        returns the comparison with ``path`` set. ``figure(replicates)``, if given, returns the
        writer of each scenario's key-outcomes PNG."""
        from sim.provenance import provenance as default_provenance

        context = provenance or default_provenance()
        for name in self.names:
            folder(Path(out), name)
        with claim(Path(out), force) as root:
            clear(root, self.names)
            written = [replace(s, path=folder(root, s.name)) for s in self.scenarios]
            for s in written:
                if not s.results:
                    raise FolderError(f"scenario {s.name} was read from a folder; write a comparison of fresh runs")
                results.write(s.path, s.scenario, s.source, list(s.results), context, figure(s) if figure else None)
            write_table(root, self.table)
        return replace(self, scenarios=tuple(written), path=Path(out))

    @classmethod
    def read(cls, path: str | Path) -> Comparison:
        """The comparison of a folder written by ``compare`` (or :meth:`write`)."""
        names = scenarios(Path(path))
        subs = tuple(results.Replicates.read(folder(Path(path), name)) for name in names)
        return cls(subs, read_table(path), Path(path))


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
