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


MAX_REPLICATES = 100_000  # as a sweep spec's replicates: every run's result is held until all are written


def positive_int(text: str) -> int:
    """A whole number of 1 or more (``--workers``)."""
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"must be a whole number of 1 or more, got {text!r}") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"must be 1 or more, got {value}")
    return value


def replicate_count(text: str) -> int:
    """``--replicates``: 1 to :data:`MAX_REPLICATES`."""
    value = positive_int(text)
    if value > MAX_REPLICATES:
        raise argparse.ArgumentTypeError(f"must be at most {MAX_REPLICATES:,}, got {value:,}; "
                                         "for larger ensembles use `sweep`, which stores run by run")
    return value


def add_run_options(p: argparse.ArgumentParser) -> None:
    """``--seed``, ``--replicates``, ``--workers``, ``--backend``, ``--scheduler``, ``--out`` and ``--force``."""
    p.add_argument("--seed", type=int, default=1, help="seed of replicate 0; replicate r uses seed + r (default 1)")
    p.add_argument("--replicates", type=replicate_count, default=1,
                   help=f"runs per scenario (default 1, at most {MAX_REPLICATES:,})")
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


def check_run_options(args: argparse.Namespace) -> None:
    """Refuse, before any folder is touched, seeds out of range and a backend without its scheduler."""
    from sim.runner import check_seeds

    check_backend(args)
    check_seeds(args.seed, args.replicates, name="--seed")


def seeds_text(first: int, replicates: int) -> str:
    """``seed 4`` or ``seeds 1–20``."""
    return f"seed {first}" if replicates == 1 else f"seeds {first}–{first + replicates - 1}"


def command_line(args: argparse.Namespace) -> str:
    """The command as typed: ``python run.py run small --seed 4 …``."""
    return shlex.join(["python", "run.py", *args.argv])


def command_provenance(args: argparse.Namespace, started: float) -> dict:
    """Provenance of a command's results: its line as typed, the wall time since ``started``."""
    return provenance(command_line(args), wall_time_s=time.perf_counter() - started)


def key_figure(metrics: pd.DataFrame) -> Callable[[Path], None]:
    """A writer of the key-outcomes figure of ``metrics`` as PNG (matplotlib loads only here)."""
    from analysis.figures import key_outcomes

    figure = key_outcomes(metrics)
    return lambda path: figure.savefig(path, format="png", dpi=120)
