"""Provenance: what a manifest records so that results can be traced and reproduced. One builder,
used by the results folder of ``run`` and ``compare`` (:mod:`sim.folders.results`) and by the
sweep folder (:mod:`sim.sweeps.store`); each run's own manifest comes from :func:`sim.results.collect`.
"""

from __future__ import annotations

import datetime as dt
import functools
import hashlib
import shlex
import subprocess
import sys
from pathlib import Path

from sim.results import versions

ROOT = Path(__file__).resolve().parents[1]


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


SOURCE_DIRS = ("sim", "agents")  # the model's source: what a sweep's run keys depend on


def repo_path(path: str | Path) -> str:
    """``path`` relative to the project's folder when it lies inside it (so files committed with the
    project, e.g. a fit's manifest, name their inputs the same on every machine), else absolute."""
    resolved = Path(path).resolve()
    return resolved.relative_to(ROOT).as_posix() if resolved.is_relative_to(ROOT) else str(resolved)


@functools.cache
def source_digest() -> str:
    """A hash of the model's source, every ``*.py`` under ``sim/`` and ``agents/`` (paths and
    contents): any edit changes it, committed or not, inside git or not. A sweep's run keys
    include it, so ``--resume`` never mixes runs of two versions of the code."""
    h = hashlib.sha256()
    for path in sorted(p for d in SOURCE_DIRS for p in (ROOT / d).rglob("*.py")):
        h.update(path.relative_to(ROOT).as_posix().encode() + b"\0" + path.read_bytes() + b"\0")
    return h.hexdigest()[:16]


def provenance(command: str | None = None, wall_time_s: float | None = None, *, overrides: dict | None = None,
               renamed: str | list[str] | None = None) -> dict:
    """Package versions, git commit, the command line (default: this process's), the
    ``{"dotted.path": value}`` overrides given on it (``--set``) and the name(s) given (``--name``),
    the wall time when given, and the time of writing (UTC)."""
    out = {
        "versions": versions(),
        "git_commit": git_commit(),
        "source_digest": source_digest(),
        "command": command if command is not None else shlex.join(["python", *sys.argv]),
    }
    if overrides:
        out["overrides"] = overrides
    if renamed is not None:
        out["renamed"] = renamed
    if wall_time_s is not None:
        out["wall_time_s"] = round(wall_time_s, 3)
    out["written"] = dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds")
    return out
