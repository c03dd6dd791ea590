"""Options and manifest context shared by the commands that run simulations."""

from __future__ import annotations

import argparse
import shlex
import time
from pathlib import Path

from sim.outputs import git_commit


def positive_int(text: str) -> int:
    value = int(text)
    if value < 1:
        raise argparse.ArgumentTypeError(f"must be 1 or more, got {value}")
    return value


def add_run_options(p: argparse.ArgumentParser) -> None:
    """``--seed``, ``--replicates``, ``--workers``, ``--out`` and ``--force``."""
    p.add_argument("--seed", type=int, default=1, help="seed of replicate 0; replicate r uses seed + r (default 1)")
    p.add_argument("--replicates", type=positive_int, default=1, help="runs per scenario (default 1)")
    p.add_argument("--workers", type=positive_int, default=1,
                   help="worker processes (default 1); results are the same for any number")
    p.add_argument("--out", required=True, type=Path, help="results folder")
    p.add_argument("--force", action="store_true", help="write into a folder that already holds files")


def seeds_text(first: int, replicates: int) -> str:
    """``seed 4`` or ``seeds 1–20``."""
    return f"seed {first}" if replicates == 1 else f"seeds {first}–{first + replicates - 1}"


def run_context(args: argparse.Namespace, started: float) -> dict:
    """What a manifest records about the command: its line, the code's commit, the wall time."""
    return {
        "command": shlex.join(["python", "run.py", *args.argv]),
        "git_commit": git_commit(),
        "wall_time_s": round(time.perf_counter() - started, 3),
    }
