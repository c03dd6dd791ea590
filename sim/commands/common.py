"""Options, provenance and the key-outcomes figure shared by the commands that run simulations."""

from __future__ import annotations

import argparse
import shlex
import time
from collections.abc import Callable
from pathlib import Path

import pandas as pd

from sim.cli import CliError
from sim.execute import BACKENDS
from sim.provenance import provenance


def positive_int(text: str) -> int:
    value = int(text)
    if value < 1:
        raise argparse.ArgumentTypeError(f"must be 1 or more, got {value}")
    return value


def add_run_options(p: argparse.ArgumentParser) -> None:
    """``--seed``, ``--replicates``, ``--workers``, ``--backend``, ``--scheduler``, ``--out`` and ``--force``."""
    p.add_argument("--seed", type=int, default=1, help="seed of replicate 0; replicate r uses seed + r (default 1)")
    p.add_argument("--replicates", type=positive_int, default=1, help="runs per scenario (default 1)")
    add_backend_options(p, workers_default=1)
    p.add_argument("--out", required=True, type=Path, help="results folder")
    p.add_argument("--force", action="store_true", help="write into a folder that already holds files")


def add_backend_options(p: argparse.ArgumentParser, workers_default: int | None) -> None:
    """``--workers``, ``--backend`` and ``--scheduler``: where the runs go (:mod:`sim.execute`)."""
    default = f"default {workers_default}" if workers_default else "default: one per core"
    p.add_argument("--workers", type=positive_int, default=workers_default,
                   help=f"worker processes ({default}); results are the same for any number")
    p.add_argument("--backend", choices=BACKENDS, default="local", help="local processes or a Dask cluster")
    p.add_argument("--scheduler", help="address of a running dask.distributed scheduler (with --backend dask)")


def check_backend(args: argparse.Namespace) -> None:
    if args.scheduler and args.backend != "dask":
        raise CliError("--scheduler needs --backend dask")


def seeds_text(first: int, replicates: int) -> str:
    """``seed 4`` or ``seeds 1–20``."""
    return f"seed {first}" if replicates == 1 else f"seeds {first}–{first + replicates - 1}"


def command_provenance(args: argparse.Namespace, started: float) -> dict:
    """Provenance of a command's results: its line as typed, the wall time since ``started``."""
    command = shlex.join(["python", "run.py", *args.argv])
    return provenance(command, wall_time_s=time.perf_counter() - started)


def key_figure(metrics: pd.DataFrame) -> Callable[[Path], None]:
    """A writer of the key-outcomes figure of ``metrics`` as PNG (matplotlib loads only here)."""
    from analysis.figures import key_outcomes

    figure = key_outcomes(metrics)
    return lambda path: figure.savefig(path, format="png", dpi=120)
