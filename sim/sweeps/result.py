"""Reading a sweep folder: the runs table at once, the run outputs lazily with ``pyarrow.dataset``."""

from __future__ import annotations

import json
from functools import cached_property
from pathlib import Path

import pandas as pd
import pyarrow.dataset as ds
import pyarrow.parquet as pq

from sim.sweeps.spec import SweepSpec
from sim.sweeps.store import SweepError

ID_COLUMNS = ("run", "point", "replicate", "seed")


class SweepResult:
    """A sweep folder. ``runs`` lists every run (parameters, seed, status, error, wall time);
    ``metrics()`` reads the outputs of the finished runs, only the columns and rows asked for."""

    def __init__(self, root: str | Path):
        self.root = Path(root)
        self.session: dict = {}  # set by sweep(): runs ran, failed, skipped as complete, discarded, seconds
        if not (self.root / "spec.json").is_file():
            raise SweepError(f"{self.root} is not a sweep folder (no spec.json)")

    @cached_property
    def spec(self) -> SweepSpec:
        return SweepSpec.model_validate(json.loads((self.root / "spec.json").read_text(encoding="utf-8"))["spec"])

    @property
    def runs(self) -> pd.DataFrame:
        return pd.read_parquet(self.root / "runs.parquet")

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
