"""The sweep spec: which base scenario to vary, which parameters and how, how many replicates,
and which outputs to keep. Read from YAML and validated once, like a scenario."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any, Literal, Union

from pydantic import BaseModel, ConfigDict, Discriminator, Field, PrivateAttr, Tag, ValidationError, model_validator

from sim.catalog import SCENARIO_DIR, scenario_files
from sim.metrics import NAMES
from sim.scenario import ScenarioError, read_mapping



class SpecError(ScenarioError):
    """A sweep spec that cannot be used; ``errors`` lists one ``field: problem`` line each."""

    def __init__(self, errors: list[str], source: str | None = None):
        super().__init__(errors, source)
        head = f"invalid sweep spec {source}" if source else "invalid sweep spec"
        self.args = (head + ":\n" + "\n".join(f"  {e}" for e in errors),)


class Section(BaseModel):
    """A group of spec fields; unknown keys are errors."""

    model_config = ConfigDict(extra="forbid")


class Bounds(Section):
    """A parameter sampled uniformly between ``low`` and ``high`` (lhs, sobol, morris)."""

    low: float
    high: float


def _kind(value: Any) -> str:
    return "bounds" if isinstance(value, (dict, Bounds)) else "values"


# A list of values (grid) or {low, high} bounds (sampled designs); the tag keeps errors to one branch.
Parameter = Annotated[
    Union[Annotated[list[Any], Tag("values")], Annotated[Bounds, Tag("bounds")]], Discriminator(_kind)
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
    samples: int | None = Field(None, ge=1, description="base sample count of a sampled design")
    levels: int = Field(4, ge=2, description="grid levels of the morris design")
    second_order: bool = Field(False, description="sobol: also sample for second-order indices")
    replicates: int = Field(1, ge=1, le=100_000)
    seed: int = Field(0, ge=0, description="seed of replicate 0 and of the sampled design")
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
                elif len({repr(v) for v in value}) < len(value):
                    yield f"{where}: repeated values in {value}"
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
            raise SpecError(_messages(exc), source) from None
        spec._directory = Path(directory).resolve() if directory else Path.cwd()
        spec._source = source
        return spec

    @property
    def source(self) -> str | None:
        """The file the spec was read from, for error messages."""
        return self._source

    def base_path(self) -> Path:
        """The base scenario file: a path beside the spec, else a name in ``scenarios/``."""
        beside = self._directory / self.base
        for candidate in (beside, beside.with_name(beside.name + ".yaml"), SCENARIO_DIR / f"{self.base}.yaml"):
            if candidate.is_file():
                return candidate.resolve()
        known = ", ".join(p.stem for p in scenario_files())
        raise SpecError([f"base: no scenario {self.base!r} beside the spec or in scenarios/ ({known})"], self.source)


def _messages(exc: ValidationError) -> list[str]:
    """One ``field.path: problem`` line per error."""
    lines = []
    for err in exc.errors():
        loc = list(err["loc"])
        if loc[:1] == ["parameters"] and len(loc) > 2:
            tag = loc.pop(2)  # the union branch chosen: "values" or "bounds"
            if tag == "values" and err["type"] == "list_type":
                lines.append(f"parameters.{loc[1]}: give a list of values or {{low, high}} bounds, "
                             f"got {err['input']!r}")
                continue
        path = ".".join(str(p) for p in loc)
        msg = err["msg"].removeprefix("Value error, ")
        if err["type"] == "value_error" and not loc:
            lines.extend(msg.splitlines())
        elif err["type"] == "extra_forbidden":
            model = {0: SweepSpec, 1: Outputs, 2: Bounds}[len(loc) - 1]
            lines.append(f"{path}: unknown field; allowed here: {', '.join(model.model_fields)}")
        elif err["type"] == "value_error":
            lines.append(f"{path}: {msg}")
        else:
            lines.append(f"{path}: {msg}, got {err.get('input')!r}")
    return lines
