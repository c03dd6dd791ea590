"""The sweep folder, written (:class:`Store`) and read (:class:`SweepResult`) here only. Each
finished run is written at once as its own Parquet part, under a temporary name then renamed, so
a sweep killed at any moment leaves only whole runs behind:

    DIR/spec.json        the spec, the resolved base scenario path, the model version, provenance
    DIR/points.parquet   one row per design point: parameter values and scenario digest
    DIR/runs.parquet     one row per run: ids, parameters, key, status, error, wall time
    DIR/parts/RUN-KEY.parquet    a finished run's output rows: run, point, replicate, seed,
                                 parameters, year or date, metrics (wall time in its metadata)
    DIR/failures/RUN-KEY.json    a failed run's error and traceback
    DIR/indices.csv      sensitivity indices, one row per outcome (METRIC:YEAR) and parameter

    DIR/.lock            held while a sweep writes (sim.storage.lock)

A run is complete when its part exists under its current key (resolved scenario, seed, model
version and source), so ``--resume`` reruns missing and failed runs and discards results of an
older key. A run's status is what is on disk: ``runs`` reads it from the parts and failure
records, so a sweep stopped before it could rewrite ``runs.parquet`` (disk full) is still read right.
"""

from __future__ import annotations

import json
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING

import pandas as pd
import pyarrow as pa
import pyarrow.dataset as ds
import pyarrow.parquet as pq

from sim.errors import SweepError
from sim.provenance import provenance
from sim.storage import LOCK, atomic_write, write_csv, write_json, write_parquet
from sim.sweeps.plan import Plan, Run
from sim.sweeps.spec import SweepSpec

if TYPE_CHECKING:
    from sim.sweeps.engine import Outcome

RUN_META = b"datamarket.run"
ID_COLUMNS = ("run", "point", "replicate", "seed")
INDICES = "indices.csv"

__all__ = ["ID_COLUMNS", "Store", "SweepError", "SweepResult", "is_sweep", "read_indices", "write_indices"]


def is_sweep(root: str | Path) -> bool:
    """Whether ``root`` holds a sweep (its ``spec.json``)."""
    return (Path(root) / "spec.json").is_file()


class Store:
    """Writes one sweep folder run by run (and finds the runs already complete); :class:`SweepResult` reads it."""

    def __init__(self, root: str | Path):
        self.root = Path(root)
        self.parts = self.root / "parts"
        self.failures = self.root / "failures"
        self.discarded = 0  # stored runs removed by open() because their key is outdated

    def open(self, plan: Plan, resume: bool) -> set[str]:
        """Make the folder ready for ``plan`` and return the names of the runs already complete.

        A folder holding a sweep is continued only with ``resume`` and only for the same spec.
        Leftovers of interrupted writes and results under an outdated key are removed.
        """
        spec = plan.spec.model_dump(mode="json")
        manifest = self.root / "spec.json"
        if manifest.exists():
            if not resume:
                raise SweepError(f"{self.root} holds a sweep already; "
                                 "pass --resume to continue it, or choose another --out")
            stored = json.loads(manifest.read_text(encoding="utf-8"))["spec"]
            changed = sorted(k for k in {*stored, *spec} if stored.get(k) != spec.get(k))
            if changed:
                raise SweepError(f"{self.root} holds a sweep of another spec ({', '.join(changed)} differ); "
                                 "choose another --out")
        elif self.root.exists() and any(p.name != LOCK for p in self.root.iterdir()):
            raise SweepError(f"{self.root} is not empty and holds no sweep; choose another --out")
        self.parts.mkdir(parents=True, exist_ok=True)
        self.failures.mkdir(exist_ok=True)
        write_json({"spec": spec, "base": str(plan.base_path), "model_version": plan.version, **provenance()},
                   manifest)
        write_parquet(plan.points, self.root / "points.parquet")
        for path in self.root.glob(".*.tmp"):
            path.unlink()  # a write of runs.parquet or points.parquet cut short
        expected = {run.name for run in plan.runs()}
        for folder in (self.parts, self.failures):
            for path in folder.iterdir():
                if path.name.startswith("."):
                    path.unlink()  # a write cut short
                elif path.stem not in expected:
                    path.unlink()
                    self.discarded += folder is self.parts
        done = {path.stem for path in self.parts.glob("*.parquet")}
        for name in done:
            (self.failures / f"{name}.json").unlink(missing_ok=True)
        return done

    def save(self, outcome: Outcome) -> None:
        """Write a finished run: its part if it succeeded, else its failure record."""
        task = outcome.task
        name = f"{task.run:07d}-{task.key}"
        if outcome.error is None:
            table = pa.Table.from_pandas(outcome.frame, preserve_index=False)
            meta = {**(table.schema.metadata or {}), RUN_META: json.dumps({"wall_time": outcome.wall_time}).encode()}
            table = table.replace_schema_metadata(meta)
            atomic_write(self.parts / f"{name}.parquet", lambda tmp: pq.write_table(table, tmp))
            (self.failures / f"{name}.json").unlink(missing_ok=True)
        else:
            record = {"run": task.run, "point": task.point, "replicate": task.replicate, "seed": task.seed,
                      "key": task.key, "values": task.values, "error": outcome.error,
                      "traceback": outcome.detail, "wall_time": outcome.wall_time}
            write_json(record, self.failures / f"{name}.json")

    def write_runs(self, plan: Plan) -> pd.DataFrame:
        """Write ``runs.parquet``: every run of the plan with its status on disk."""
        ok = {path.stem: path for path in self.parts.glob("*.parquet")}
        failed = {path.stem: path for path in self.failures.glob("*.json")}
        rows = []
        for run in plan.runs():
            status, error, wall = _state(run, ok, failed)
            rows.append({"run": run.run, "point": run.point, "replicate": run.replicate, "seed": run.seed,
                         "key": run.key, **plan.values(run.point), "status": status, "error": error, "wall_time": wall})
        frame = pd.DataFrame(rows)
        write_parquet(frame, self.root / "runs.parquet")
        return frame


def _state(run: Run, ok: dict[str, Path], failed: dict[str, Path]) -> tuple[str, str, float]:
    if run.name in ok:
        meta = pq.read_schema(ok[run.name]).metadata or {}
        return "ok", "", json.loads(meta.get(RUN_META, b'{"wall_time": NaN}'))["wall_time"]
    if run.name in failed:
        record = json.loads(failed[run.name].read_text(encoding="utf-8"))
        return "failed", record["error"], record["wall_time"]
    return "pending", "", float("nan")


class SweepResult:
    """A sweep folder. ``runs`` lists every run (parameters, seed, status, error, wall time);
    ``metrics()`` reads the outputs of the finished runs, only the columns and rows asked for."""

    def __init__(self, root: str | Path):
        self.root = Path(root)
        self.session: dict = {}  # set by sweep(): runs ran, failed, skipped as complete, discarded, seconds
        if not is_sweep(self.root):
            raise SweepError(f"{self.root} is not a sweep folder (no spec.json)")

    @cached_property
    def spec(self) -> SweepSpec:
        return SweepSpec.model_validate(json.loads((self.root / "spec.json").read_text(encoding="utf-8"))["spec"])

    @property
    def runs(self) -> pd.DataFrame:
        """Every run with its status as on disk: ``ok`` with a part, ``failed`` with a failure record,
        else ``pending`` (``runs.parquet`` holds the rest: ids, parameters, errors, wall times)."""
        runs = pd.read_parquet(self.root / "runs.parquet")
        names = [f"{run:07d}-{key}" for run, key in zip(runs["run"], runs["key"], strict=True)]
        ok = {p.stem for p in (self.root / "parts").glob("*.parquet")}
        failed = {p.stem for p in (self.root / "failures").glob("*.json")}
        runs["status"] = ["ok" if n in ok else "failed" if n in failed else "pending" for n in names]
        return runs

    @property
    def failed(self) -> pd.DataFrame:
        runs = self.runs
        return runs[runs["status"] == "failed"]

    @property
    def time_column(self) -> str:
        return "date" if self.spec.outputs.frequency == "monthly" else "year"

    def dataset(self) -> ds.Dataset:
        """The finished runs' outputs as one ``pyarrow.dataset``, for queries larger than memory."""
        return ds.dataset(self.root / "parts", format="parquet")

    def metrics(self, columns: list[str] | None = None, filters=None) -> pd.DataFrame:
        """Outputs of the finished runs, one row per run and month (or year), sorted by run.

        ``columns``: metrics or parameter paths to read (the run ids and the date or year always
        come along); ``filters``: a ``pyarrow.dataset`` expression or a list of
        ``(column, op, value)`` tuples, e.g. ``[("year", "=", 2025), ("replicate", "<", 5)]``.
        """
        keep = None
        if columns is not None:
            keep = list(dict.fromkeys([*ID_COLUMNS, self.time_column, *columns]))
        if isinstance(filters, list):
            filters = pq.filters_to_expression(filters)
        dataset = self.dataset()
        if not dataset.files:
            return pd.DataFrame(columns=keep or [*ID_COLUMNS, self.time_column, *self.spec.outputs.metrics])
        frame = dataset.to_table(columns=keep, filter=filters).to_pandas()
        return frame.sort_values(["run", self.time_column], ignore_index=True)

    def summary(self, show_errors: int = 5) -> str:
        """A few lines: runs ok, failed and pending, what the last ``sweep()`` call did, first errors."""
        runs = self.runs
        counts = runs["status"].value_counts()
        lines = [f"{self.spec.name}: {len(runs)} runs in {self.root}: {counts.get('ok', 0)} ok, "
                 f"{counts.get('failed', 0)} failed, {counts.get('pending', 0)} pending"]
        s = self.session
        if s:
            lines.append(f"this sweep ran {s['ran']} runs ({s['failed']} failed) in {s['seconds']:.1f} s; "
                         f"{s['skipped']} were already complete, {s['discarded']} outdated results discarded")
        failed = runs[runs["status"] == "failed"]
        for row in failed.head(show_errors).itertuples():
            where = f"point {row.point}, replicate {row.replicate}, seed {row.seed}"
            lines.append(f"  run {row.run} ({where}): {row.error}")
        if len(failed):
            lines.append(f"failed runs are listed in {self.root / 'runs.parquet'} (tracebacks in failures/); "
                         "fix the cause and continue with --resume")
        return "\n".join(lines)


# ---- sensitivity indices -------------------------------------------------------------------


def read_indices(root: str | Path) -> pd.DataFrame:
    """The sensitivity indices stored in a sweep folder (or the CSV file itself)."""
    path = Path(root)
    path = path / INDICES if path.is_dir() else path
    if not path.is_file():
        raise SweepError(f"no sensitivity indices at {path}; compute them with `run.py sensitivity`")
    return pd.read_csv(path)


def write_indices(root: str | Path, table: pd.DataFrame) -> Path:
    """Add ``table`` to the folder's indices: the rows of each outcome it holds replace that
    outcome's stored rows, and the others are kept, so outcomes can be analysed one at a time."""
    path = Path(root) / INDICES
    if path.is_file():
        stored = pd.read_csv(path)
        table = pd.concat([stored[~stored["metric"].isin(set(table["metric"]))], table], ignore_index=True)
    return write_csv(table, path)

