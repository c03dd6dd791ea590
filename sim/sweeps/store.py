"""A sweep folder on disk. Each finished run is written at once as its own Parquet part, under a
temporary name then renamed, so a sweep killed at any moment leaves only whole runs behind:

    DIR/spec.json        the spec, the resolved base scenario path and the model version
    DIR/points.parquet   one row per design point: parameter values and scenario digest
    DIR/runs.parquet     one row per run: ids, parameters, key, status, error, wall time
    DIR/parts/RUN-KEY.parquet    a finished run's output rows (wall time in its metadata)
    DIR/failures/RUN-KEY.json    a failed run's error and traceback

A run is complete when its part exists under its current key (resolved scenario, seed, model
version), so ``--resume`` reruns missing and failed runs and discards results of an older key.
"""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from sim.storage import atomic_write, write_json, write_parquet
from sim.sweeps.execute import Outcome
from sim.sweeps.plan import Plan, Run

RUN_META = b"datamarket.run"


class SweepError(Exception):
    """A sweep folder that cannot be used as asked."""


class Store:
    """Reads and writes one sweep folder."""

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
        elif self.root.exists() and any(self.root.iterdir()):
            raise SweepError(f"{self.root} is not empty and holds no sweep; choose another --out")
        self.parts.mkdir(parents=True, exist_ok=True)
        self.failures.mkdir(exist_ok=True)
        write_json({"spec": spec, "base": str(plan.base_path), "model_version": plan.version}, manifest)
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
