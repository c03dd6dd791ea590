"""The scenario library: the YAML files in ``scenarios/`` and its collections (``scenarios/cities/``,
named ``cities/jinan``), and sweep specs in ``scenarios/sweeps/``, addressed by name or by path.
:func:`resolve` is the one rule that turns what a user wrote into a file, for the commands and for
a sweep spec's ``base``."""

from __future__ import annotations

from pathlib import Path

from sim.errors import NotFoundError
from sim.scenario import Scenario

SCENARIO_DIR = Path(__file__).resolve().parents[1] / "scenarios"
SWEEP_DIR = SCENARIO_DIR / "sweeps"
BASELINE = "wuhan_2023_2025"
COLLECTIONS = ("cities",)  # sub-folders of scenarios; their files are named "<folder>/<stem>"


def scenario_files(library: Path = SCENARIO_DIR) -> list[Path]:
    """The library's scenario files, the baseline first, then by name."""
    return sorted(library.glob("*.yaml"), key=lambda p: (p.stem != BASELINE, p.stem))


def collection_files(library: Path = SCENARIO_DIR) -> list[Path]:
    """The scenario files of the library's collections (:data:`COLLECTIONS`), by folder and name."""
    return [p for folder in COLLECTIONS for p in sorted((library / folder).glob("*.yaml"))]


def catalogue(library: Path = SCENARIO_DIR) -> dict[str, Path]:
    """Every scenario of the library by its name: the top-level files (:func:`scenario_files`),
    then the collections' files named ``<folder>/<stem>`` (e.g. ``cities/jinan``)."""
    named = {p.stem: p for p in scenario_files(library)}
    named.update({f"{p.parent.name}/{p.stem}": p for p in collection_files(library)})
    return named


def resolve(name: str, directory: str | Path | None = None, library: Path = SCENARIO_DIR) -> Path:
    """The file of a scenario given as a path (``my/policy.yaml``, relative to ``directory``,
    default the working directory) or a name in ``library`` (``no_exchange``).

    A name with a YAML suffix or a folder in it, or one that exists, is a path, unless it is a
    collection's name (``cities/jinan``) and no such file exists; anything else is a library name.
    Raises :class:`~sim.errors.NotFoundError` naming what exists.
    """
    path = Path(directory or ".") / name
    what = "sweep spec" if library == SWEEP_DIR else "scenario"
    collected = (library != SWEEP_DIR and len(Path(name).parts) == 2 and Path(name).parts[0] in COLLECTIONS
                 and not Path(name).suffix and not path.exists())  # a collection's name, e.g. cities/jinan
    if collected and (library / f"{name}.yaml").is_file():
        return library / f"{name}.yaml"
    if not collected and (Path(name).suffix in (".yaml", ".yml") or len(Path(name).parts) > 1 or path.exists()):
        if not path.exists() and not path.is_symlink():  # a folder or a device is refused when read
            raise NotFoundError(f"{what} file not found: {path}")
        return path
    candidate = library / f"{name}.yaml"
    if candidate.is_file():
        return candidate
    known = ", ".join(catalogue(library) if library != SWEEP_DIR else (p.stem for p in scenario_files(library)))
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
