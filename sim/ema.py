"""The model as an EMA Workbench model, for exploratory modelling (``ema_workbench`` 2.5).

The parameter tree (``sim/scenario.py``) already says what EMA needs: each parameter's role
(``lever``: a policy choice; ``uncertainty``: a condition outside policy; ``constant``) and its
allowed range. :func:`ema_model` reads them from a base scenario and returns an
``ema_workbench.Model`` whose levers and uncertainties are the scenario's, typed by the field:

    float -> RealParameter        int -> IntegerParameter
    Literal -> CategoricalParameter   bool -> BooleanParameter

bounded by the field's ``ge``/``gt`` and ``le``/``lt`` (an open bound ``gt``/``lt`` is moved to
the nearest value inside). The parameters of role ``constant`` become EMA ``Constant`` objects at
the base scenario's values, and so does ``seed`` (the run's random streams). Outcomes are the
declared metrics (:data:`sim.metrics.NAMES`): a ``ScalarOutcome`` per metric and calendar year,
named ``METRIC_YEAR`` (``exchange_share_2025``, the yearly value as ``Result.yearly`` aggregates
it), and, with ``monthly=True``, an ``ArrayOutcome`` per metric named ``METRIC_monthly``.

EMA names must be Python identifiers, so a dotted path is named with ``__`` for each dot
(``exchanges__pilot_platform__fee_rate``, :func:`ema_name`); the experiment's inputs are applied
to the base scenario with ``Scenario.with_values`` and run with :func:`sim.run` at the seed, so an
experiment gives exactly what ``run(scenario.with_values(...), seed)`` gives.

Left out: dates (``calendar.start``/``end``, the timeline), names and descriptions, and mappings
of numbers (``domains.<id>.relevance``, ``population.users.sector_weights``), whose entries are
tied together. Inputs that must sum to 1 (the revenue-sharing shares) are sampled independently,
so an experiment that breaks the sum fails validation: vary at most one and leave the share that
absorbs the rest alone, or use a sweep's ``complements`` (``docs/sweeps.md``). A value that a
timeline ``set`` event also sets holds only until the event's date.

    from ema_workbench import perform_experiments
    model = ema_model("small", {"exchanges.pilot_platform.fee_rate": (0.0, 0.1), "behaviour.k_off": None})
    experiments, outcomes = perform_experiments(model, scenarios=20, policies=4)
"""

from __future__ import annotations

import math
import re
import typing
import warnings
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

with warnings.catch_warnings():  # ema_workbench warns on import about an optional evaluator we do not use
    warnings.filterwarnings("ignore", message="ipyparallel not installed")
    from ema_workbench import (
        ArrayOutcome,
        BooleanParameter,
        CategoricalParameter,
        Constant,
        IntegerParameter,
        Model,
        RealParameter,
        ScalarOutcome,
    )

from sim.calendar import month_number
from sim import catalog
from sim.metrics import NAMES
from sim.scenario import Scenario
from sim.schema import InputError, Section, role_of

SEED = "seed"  # name of the EMA constant that holds the run's seed

__all__ = ["Input", "ema_model", "ema_name", "inputs", "outcome_name"]


@dataclass(frozen=True)
class Input:
    """One scenario parameter as an EMA input: its dotted path, role, kind
    (``real``, ``integer``, ``categorical``, ``boolean``), bounds or categories and base value."""

    path: str
    role: str
    kind: str
    value: Any
    low: float | None = None
    high: float | None = None
    categories: tuple = ()

    @property
    def name(self) -> str:
        return ema_name(self.path)

    def parameter(self, bounds: tuple[float, float] | None = None):
        """The EMA parameter, over the field's range or the narrower ``bounds``."""
        if self.kind == "boolean":
            return BooleanParameter(self.name)
        if self.kind == "categorical":
            return CategoricalParameter(self.name, list(self.categories))
        low, high = bounds if bounds is not None else (self.low, self.high)
        if self.kind == "integer":
            return IntegerParameter(self.name, int(low), int(high))
        return RealParameter(self.name, float(low), float(high))

    def convert(self, value: Any) -> Any:
        """An EMA-sampled value (often a numpy scalar) as the scenario's type."""
        return {"boolean": bool, "integer": int, "real": float, "categorical": str}[self.kind](value)


def ema_name(path: str) -> str:
    """The EMA (Python identifier) name of a dotted parameter path."""
    return re.sub(r"\W", "_", path.replace(".", "__"))


def outcome_name(metric: str, year: int) -> str:
    """The name of the scalar outcome of ``metric`` in calendar ``year``: ``METRIC_YEAR``."""
    return f"{metric}_{year}"


def inputs(scenario: Scenario) -> list[Input]:
    """Every numeric, boolean or categorical parameter of ``scenario`` (including those of its
    domains, operators and exchanges by id), in schema order."""
    found: list[Input] = []
    _walk(scenario, "", found)
    return found


def _walk(section: Section, prefix: str, found: list[Input]) -> None:
    for name, info in type(section).model_fields.items():
        value, path = getattr(section, name), prefix + name
        annotation = info.annotation
        if isinstance(value, Section):
            _walk(value, path + ".", found)
        elif typing.get_origin(annotation) is dict and _holds_sections(annotation):
            for key, item in value.items():
                _walk(item, f"{path}.{key}.", found)
        elif typing.get_origin(annotation) is typing.Literal:
            found.append(Input(path, role_of(type(section), name), "categorical", value,
                               categories=typing.get_args(annotation)))
        elif annotation is bool:
            found.append(Input(path, role_of(type(section), name), "boolean", value))
        elif annotation in (int, float):
            low, high = _bounds(info, integer=annotation is int)
            kind = "integer" if annotation is int else "real"
            found.append(Input(path, role_of(type(section), name), kind, value, low, high))


def _holds_sections(annotation: Any) -> bool:
    cls = typing.get_args(annotation)[1]
    return isinstance(cls, type) and issubclass(cls, Section)


def _bounds(info, integer: bool) -> tuple[float, float]:
    """The closed range of a field from its ``ge``/``gt`` and ``le``/``lt``."""
    b = {k: getattr(m, k) for m in info.metadata for k in ("ge", "gt", "le", "lt") if getattr(m, k, None) is not None}
    step = (lambda x, up: x + (1 if up else -1)) if integer else (lambda x, up: math.nextafter(x, math.inf if up else -math.inf))
    low = b["ge"] if "ge" in b else step(b["gt"], True) if "gt" in b else -math.inf
    high = b["le"] if "le" in b else step(b["lt"], False) if "lt" in b else math.inf
    return low, high


def ema_model(scenario: Scenario | str | Path,
              parameters: Iterable[str] | Mapping[str, tuple[float, float] | None] | None = None, *,
              metrics: Iterable[str] = NAMES, monthly: bool = False, seed: int = 0,
              name: str = "datamarket") -> Model:
    """The model around ``scenario`` (a :class:`Scenario`, a catalogue name or a YAML path) as an
    EMA Workbench ``Model``.

    Args:
        parameters: the dotted paths of the levers and uncertainties to vary (default: all of
            them, about 130: too many for most studies); a mapping may narrow a numeric one's
            range with ``(low, high)`` inside the allowed range (``None``: the allowed range).
            Unlisted levers and uncertainties stay at the base scenario's values.
        metrics: the metrics (of :data:`sim.metrics.NAMES`) to declare as outcomes.
        monthly: also declare each metric's monthly series as an ``ArrayOutcome``.
        seed: the value of the ``seed`` constant, the seed of every experiment.
    """
    base = scenario if isinstance(scenario, Scenario) else catalog.load(str(scenario))
    metrics = list(metrics)
    unknown = [m for m in metrics if m not in NAMES]
    if unknown:
        raise InputError([f"metrics: unknown metric {m!r}; known: {', '.join(NAMES)}" for m in unknown], "EMA model")
    every = inputs(base)
    varied = _select(every, parameters)
    model = Model(name, function=Experiment(base, every, metrics, monthly))
    model.uncertainties = [i.parameter(b) for i, b in varied if i.role == "uncertainty"]
    model.levers = [i.parameter(b) for i, b in varied if i.role == "lever"]
    model.constants = [Constant(SEED, seed)] + [Constant(i.name, i.value) for i in every if i.role == "constant"]
    years = range(month_number(base.calendar.start) // 12, month_number(base.calendar.end) // 12 + 1)
    model.outcomes = [ScalarOutcome(outcome_name(m, y)) for m in metrics for y in years]
    if monthly:
        model.outcomes += [ArrayOutcome(f"{m}_monthly") for m in metrics]
    return model


def _select(every: list[Input], parameters) -> list[tuple[Input, tuple[float, float] | None]]:
    """The inputs to vary with their narrowed bounds; unknown paths and bad bounds refused."""
    variable = {i.path: i for i in every if i.role in ("lever", "uncertainty")}
    if parameters is None:
        return [(i, None) for i in variable.values()]
    wanted = dict(parameters) if isinstance(parameters, Mapping) else dict.fromkeys(parameters)
    errors, chosen = [], []
    for path, bounds in wanted.items():
        item = variable.get(path)
        if item is None:
            known = [p for p in variable if p.startswith(path.rpartition(".")[0] + ".")] or list(variable)
            errors.append(f"{path}: not a lever or uncertainty of the scenario; "
                          f"e.g. {', '.join(known[:12])}{' …' if len(known) > 12 else ''}")
        elif bounds is not None and (item.kind not in ("real", "integer") or not (
                len(bounds) == 2 and item.low <= bounds[0] < bounds[1] <= item.high)):
            allowed = f"[{item.low}, {item.high}]" if item.kind in ("real", "integer") else "no bounds (not a number)"
            errors.append(f"{path}: bounds {bounds!r} must be (low, high) with low < high within {allowed}")
        else:
            chosen.append((item, tuple(bounds) if bounds is not None else None))
    if errors:
        raise InputError(errors, "EMA model parameters")
    unbounded = [i.path for i, b in chosen if b is None and i.kind in ("real", "integer")
                 and not (math.isfinite(i.low) and math.isfinite(i.high))]
    if unbounded:
        raise InputError([f"{p}: its allowed range is unbounded; give (low, high)" for p in unbounded],
                         "EMA model parameters")
    return chosen


class Experiment:
    """The function EMA calls: one run of the base scenario with an experiment's values (by EMA
    name) and ``seed``; returns every declared outcome. A class, not a closure, so the
    multiprocessing evaluator can send it to worker processes."""

    def __init__(self, base: Scenario, every: list[Input], metrics: list[str], monthly: bool):
        self.base = base
        self.inputs = {i.name: i for i in every}
        self.metrics = metrics
        self.monthly = monthly

    def values(self, experiment: Mapping[str, Any]) -> dict[str, Any]:
        """The experiment's values that differ from the base scenario, by dotted path."""
        changed = {}
        for key, value in experiment.items():
            item = self.inputs[key]
            value = item.convert(value)
            if value != item.value:
                changed[item.path] = value
        return changed

    def __call__(self, seed: int, **experiment: Any) -> dict[str, Any]:
        from sim.runner import run

        changed = self.values(experiment)
        scenario = self.base.with_values(changed) if changed else self.base
        result = run(scenario, seed=int(seed), full=False)
        out = {outcome_name(m, int(row["year"])): float(row[m]) for _, row in result.yearly.iterrows()
               for m in self.metrics}
        if self.monthly:
            out |= {f"{m}_monthly": result.metrics[m].to_numpy(dtype=float) for m in self.metrics}
        return out
