"""The sweep spec: which base scenario to vary, which parameters and how, how many replicates,
and which outputs to keep. Read from YAML and validated once, like a scenario."""

from __future__ import annotations

import math
from pathlib import Path
from typing import Annotated, Any, Literal, Union

from pydantic import Discriminator, Field, PrivateAttr, Tag, ValidationError, model_validator

from sim.catalog import resolve
from sim.errors import DataMarketError
from sim.metrics import NAMES
from sim.scenario import ScenarioError
from sim.schema import Section, messages, read_mapping, shorten

MAX_SEED = 2**32 - 1  # seeds are stored as int64 in results and fed to numpy's SeedSequence


class SpecError(ScenarioError):
    """A sweep spec that cannot be used; ``errors`` lists one ``field: problem`` line each."""

    kind = "sweep spec"


class Bounds(Section):
    """A parameter sampled uniformly between ``low`` and ``high`` (lhs, sobol, morris)."""

    low: float
    high: float


def _kind(value: Any) -> str | None:
    if isinstance(value, (dict, Bounds)):
        return "bounds"
    return "values" if isinstance(value, list) else None


# A list of values (grid) or {low, high} bounds (sampled designs); the tag keeps errors to one branch.
Parameter = Annotated[
    Union[Annotated[list[Any], Tag("values")], Annotated[Bounds, Tag("bounds")]],
    Discriminator(_kind, custom_error_type="parameter_shape",
                  custom_error_message="give a list of values or {low, high} bounds"),
]


class Outputs(Section):
    """Which metrics each run keeps, per month or per calendar year (``sim.metrics.yearly``)."""

    metrics: list[str] = Field(default_factory=lambda: list(NAMES), min_length=1)
    frequency: Literal["monthly", "yearly"] = "yearly"


class SweepSpec(Section):
    """A sweep: design points over ``parameters`` of the ``base`` scenario, each run ``replicates``
    times. Replicate r of every point uses seed ``seed + r`` (common random numbers)."""

    name: str = "sweep"
    description: str = ""
    base: str = Field(description="scenario path relative to the spec file, or a name in scenarios/")
    design: Literal["grid", "lhs", "sobol", "morris"] = "grid"
    parameters: dict[str, Parameter] = Field(min_length=1, description="dotted scenario path: values or bounds")
    fixed: dict[str, Any] = Field(default_factory=dict, description="values set at every point")
    complements: dict[str, list[str]] = Field(
        default_factory=dict, description="path set to 1 minus the sum of the listed paths at every point"
    )
    samples: int | None = Field(None, ge=1, le=1_000_000, description="base sample count of a sampled design")
    levels: int = Field(4, ge=2, le=1000, description="grid levels of the morris design")
    second_order: bool = Field(False, description="sobol: also sample for second-order indices")
    replicates: int = Field(1, ge=1, le=100_000)
    seed: int = Field(0, ge=0, le=MAX_SEED,
                      description="seed of replicate 0 and of the sampled design; seed + replicates − 1 ≤ 2**32 − 1")
    outputs: Outputs = Outputs()

    _directory: Path = PrivateAttr(default_factory=Path.cwd)
    _source: str | None = PrivateAttr(default=None)

    @model_validator(mode="after")
    def _consistent(self) -> SweepSpec:
        errors = list(self._errors())
        if errors:
            raise ValueError("\n".join(errors))
        return self

    def _errors(self):
        grid = self.design == "grid"
        for path, value in self.parameters.items():
            where = f"parameters.{path}"
            if grid and isinstance(value, Bounds):
                yield f"{where}: the grid design needs a list of values, got bounds"
            elif not grid and not isinstance(value, Bounds):
                yield f"{where}: the {self.design} design samples between bounds; give {{low, high}}, got a list"
            elif isinstance(value, Bounds) and not value.low < value.high:
                yield f"{where}: low {value.low:g} must be below high {value.high:g}"
            elif not isinstance(value, Bounds):
                if not value:
                    yield f"{where}: give at least one value"
                elif any(isinstance(v, float) and not math.isfinite(v) for v in value):
                    yield f"{where}: values must be finite numbers, got {shorten(value)}"
                elif len({_point_key(v) for v in value}) < len(value):
                    yield f"{where}: a value is given twice in {shorten(value)} (1 and 1.0 are the same point)"
        if self.seed + self.replicates - 1 > MAX_SEED:
            yield (f"seed: replicates use seeds {self.seed}…{self.seed + self.replicates - 1}; "
                   f"the last must be at most {MAX_SEED} (2**32 - 1)")
        if grid and self.samples is not None:
            yield "samples: not used by the grid design (its points are every combination of the value lists)"
        if not grid and self.samples is None:
            yield f"samples: the {self.design} design needs a sample count"
        for path in self.fixed:
            if path in self.parameters:
                yield f"fixed.{path}: also swept in parameters"
        for target, sources in self.complements.items():
            if target in self.parameters or target in self.fixed:
                yield f"complements.{target}: derived, so it cannot also be swept or fixed"
            if not sources:
                yield f"complements.{target}: list the parameters it complements"
            if target in sources:
                yield f"complements.{target}: cannot complement itself"
        unknown = [m for m in self.outputs.metrics if m not in NAMES]
        if unknown:
            yield f"outputs.metrics: unknown metric {', '.join(unknown)}; known: {', '.join(NAMES)}"

    # ---- loading -------------------------------------------------------------------------

    @classmethod
    def load(cls, path: str | Path) -> SweepSpec:
        """Read and validate a spec YAML file; ``base`` is then resolved beside it."""
        path = Path(path)
        data = read_mapping(path, SpecError)
        data.setdefault("name", path.stem)
        return cls.from_dict(data, directory=path.resolve().parent, source=str(path))

    @classmethod
    def from_dict(
        cls, data: dict[str, Any], directory: str | Path | None = None, source: str | None = None
    ) -> SweepSpec:
        """Validate a plain dict; a relative ``base`` is looked up in ``directory`` (default: cwd)."""
        try:
            spec = cls.model_validate(data)
        except ValidationError as exc:
            raise SpecError(messages(exc, SweepSpec), source) from None
        spec._directory = Path(directory).resolve() if directory else Path.cwd()
        spec._source = source
        return spec

    @property
    def source(self) -> str | None:
        """The file the spec was read from, for error messages."""
        return self._source

    def base_path(self) -> Path:
        """The base scenario file: a path beside the spec (``.yaml`` may be left out), else a
        name in ``scenarios/`` (:func:`sim.catalog.resolve`)."""
        beside = self._directory / self.base
        for candidate in (beside, beside.with_name(beside.name + ".yaml")):
            if candidate.exists() or candidate.is_symlink():
                return candidate.absolute()  # a folder or a device is named as such when it is read
        try:
            return resolve(self.base).absolute()
        except DataMarketError as exc:
            raise SpecError([f"base: no scenario {self.base!r} beside the spec; {exc}"], self.source) from None


def _point_key(value: Any) -> Any:
    """Values that are the same design point compare equal: 1 and 1.0, not 1 and true."""
    return ("number", float(value)) if isinstance(value, (int, float)) and not isinstance(value, bool) else (
        type(value).__name__, repr(value))
