"""The scenario library: the YAML files in ``scenarios/``, addressed by name or by path."""

from __future__ import annotations

from pathlib import Path

from sim.cli import CliError
from sim.scenario import Scenario

SCENARIO_DIR = Path(__file__).resolve().parents[1] / "scenarios"
BASELINE = "wuhan_2023_2025"


def scenario_files() -> list[Path]:
    """The library's scenario files, the baseline first, then by name."""
    return sorted(SCENARIO_DIR.glob("*.yaml"), key=lambda p: (p.stem != BASELINE, p.stem))


def resolve(name: str) -> Path:
    """The file of a scenario given as a path (``my/policy.yaml``) or a library name (``no_exchange``)."""
    path = Path(name)
    if path.suffix in (".yaml", ".yml") or len(path.parts) > 1 or path.exists():
        if not path.exists() and not path.is_symlink():  # a folder or a device is refused when read
            raise CliError(f"scenario file not found: {path}")
        return path
    candidate = SCENARIO_DIR / f"{name}.yaml"
    if candidate.is_file():
        return candidate
    known = ", ".join(p.stem for p in scenario_files())
    raise CliError(f"unknown scenario {name!r}; a YAML path or one of: {known}")


def load(name: str) -> Scenario:
    """Resolve ``name`` and load it (a :class:`~sim.scenario.ScenarioError` names each bad field)."""
    return Scenario.load(resolve(name))
