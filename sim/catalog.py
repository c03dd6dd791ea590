"""The scenario library: the YAML files in ``scenarios/`` (and sweep specs in
``scenarios/sweeps/``), addressed by name or by path. :func:`resolve` is the one rule that turns
what a user wrote into a file, for the commands and for a sweep spec's ``base``."""

from __future__ import annotations

from pathlib import Path

from sim.errors import NotFoundError
from sim.scenario import Scenario

SCENARIO_DIR = Path(__file__).resolve().parents[1] / "scenarios"
SWEEP_DIR = SCENARIO_DIR / "sweeps"
BASELINE = "wuhan_2023_2025"


def scenario_files(library: Path = SCENARIO_DIR) -> list[Path]:
    """The library's scenario files, the baseline first, then by name."""
    return sorted(library.glob("*.yaml"), key=lambda p: (p.stem != BASELINE, p.stem))


def resolve(name: str, directory: str | Path | None = None, library: Path = SCENARIO_DIR) -> Path:
    """The file of a scenario given as a path (``my/policy.yaml``, relative to ``directory``,
    default the working directory) or a name in ``library`` (``no_exchange``).

    A name with a YAML suffix or a folder in it, or one that exists, is a path; anything else is a
    library name. Raises :class:`~sim.errors.NotFoundError` naming what exists.
    """
    path = Path(directory or ".") / name
    what = "sweep spec" if library == SWEEP_DIR else "scenario"
    if Path(name).suffix in (".yaml", ".yml") or len(Path(name).parts) > 1 or path.exists():
        if not path.exists() and not path.is_symlink():  # a folder or a device is refused when read
            raise NotFoundError(f"{what} file not found: {path}")
        return path
    candidate = library / f"{name}.yaml"
    if candidate.is_file():
        return candidate
    known = ", ".join(p.stem for p in scenario_files(library))
    raise NotFoundError(f"unknown {what} {name!r}; a YAML path or one of: {known}")


def scenario_file(name: str) -> Path:
    """:func:`resolve` for the commands: a path, a library name, or a library file name given
    without its folder (``small.yaml``) when no such file is in the working directory."""
    path = Path(name)
    in_library = SCENARIO_DIR / path.name
    if len(path.parts) == 1 and not path.exists() and not path.is_symlink() and in_library.is_file():
        return in_library
    return resolve(name)


def load(name: str) -> Scenario:
    """Resolve ``name`` and load it (a :class:`~sim.scenario.ScenarioError` names each bad field)."""
    return Scenario.load(resolve(name))
