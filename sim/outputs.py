"""Results folders: the checks before a run writes anything, and the files one scenario's
replicates leave behind (tidy Parquet and CSV, a figure, and a manifest to reproduce them).

Every file is written atomically (``sim.storage``). ``--force`` replaces these files one by one
and leaves any other file in the folder alone.
"""

from __future__ import annotations

import datetime as dt
import subprocess
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pandas as pd

from sim.cli import CliError
from sim.metrics import yearly
from sim.results import Result, versions
from sim.scenario import Scenario
from sim.storage import atomic_write, write_csv, write_json, write_parquet

ROOT = Path(__file__).resolve().parents[1]
FILES = {
    "metrics.parquet": "one row per run and month: scenario, run_id, seed, date and every metric",
    "yearly.csv": "the same per run and calendar year (sums, means or year-end values)",
    "products.parquet": "every data product at the end of each run",
    "key_outcomes.png": "key outcomes over time: median with 50 % and 90 % bands",
    "manifest.json": "resolved scenario, its hash, seeds, versions, git commit, command line",
}


def prepare_out(out: Path, force: bool) -> Path:
    """Make sure results may be written to ``out`` (creating it), refusing a folder that already
    holds files unless ``force``. Nothing is removed."""
    if out.exists() and not out.is_dir():
        raise CliError(f"cannot write results to {out}: it is a file, not a folder")
    if out.is_dir() and any(out.iterdir()) and not force:
        raise CliError(f"{out} is not empty; pass --force to replace the results in it")
    try:
        out.mkdir(parents=True, exist_ok=True)
        with tempfile.TemporaryFile(dir=out):
            pass
    except OSError as exc:
        raise CliError(f"cannot write results to {out}: {exc.strerror or exc}") from None
    return out


def git_commit() -> str | None:
    """The source's git commit, marked ``-dirty`` with uncommitted changes; None outside git."""
    def git(*args: str) -> str:
        return subprocess.run(["git", *args], cwd=ROOT, capture_output=True, text=True, timeout=10, check=True).stdout

    try:
        commit = git("rev-parse", "HEAD").strip()
        dirty = git("status", "--porcelain", "--untracked-files=no").strip()
    except (OSError, subprocess.SubprocessError):
        return None
    return commit + ("-dirty" if dirty else "")


def tidy_metrics(results: list[Result]) -> pd.DataFrame:
    """One row per run and month: scenario, run_id, seed, date, then every metric."""
    return pd.concat([r.metrics for r in results], ignore_index=True)


def write_results(folder: Path, scenario: Scenario, source: Path, results: list[Result], context: dict) -> None:
    """Write the replicates of one scenario to ``folder``: the files of :data:`FILES`.

    ``context`` goes into the manifest as it is (command line, git commit, wall time …).
    """
    import matplotlib.pyplot as plt  # matplotlib loads only when a figure is drawn

    from analysis.figures import key_outcomes

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
        "versions": versions(),
        **context,
        "written": dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds"),
        "files": list(FILES),
        "resolved_scenario": scenario.model_dump(mode="json"),
    }
    figure = key_outcomes(metrics)
    try:
        with writing(folder):
            write_parquet(metrics, folder / "metrics.parquet")
            write_csv(yearly(metrics), folder / "yearly.csv")
            write_parquet(products, folder / "products.parquet")
            atomic_write(folder / "key_outcomes.png", lambda tmp: figure.savefig(tmp, format="png", dpi=120))
            write_json(manifest, folder / "manifest.json")
    finally:
        plt.close(figure)


@contextmanager
def writing(folder: Path) -> Iterator[None]:
    """Turn a failed write (disk full, permissions) into one clear message."""
    try:
        yield
    except OSError as exc:
        raise CliError(f"cannot write results to {folder}: {exc.strerror or exc}") from None


def where(out: Path, files: dict[str, str] = FILES) -> str:
    """Where the results went, one line per file."""
    width = max(map(len, files))
    return "\n".join([f"Results in {out}/", *(f"  {name:<{width}}  {text}" for name, text in files.items())])
