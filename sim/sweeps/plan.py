"""The plan of a sweep: the base scenario, one validated scenario per design point, and the runs
(point × replicate), each with a key that says whether a stored result can be reused."""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterator
from dataclasses import dataclass
from importlib import metadata
from typing import Any

import numpy as np
import pandas as pd

from sim.calendar import month_number
from sim.provenance import source_digest
from sim.scenario import Scenario, ScenarioError, apply_overrides, lookup
from sim.sweeps import design
from sim.sweeps.spec import SpecError, SweepSpec

MAX_POINT_ERRORS = 5
SHIFT = re.compile(r"timeline\.(?P<id>[^.]+)\.shift_months")  # a swept event date: months later (< 0: earlier)


def is_shift(path: str) -> bool:
    """Whether ``path`` moves a dated event (``timeline.<event id>.shift_months``) rather than sets a parameter."""
    return SHIFT.fullmatch(path) is not None


def point_scenario(base: dict[str, Any], values: dict[str, Any]) -> Scenario:
    """The scenario of a design point: ``values`` set on ``base`` (a scenario's ``model_dump``).

    A value at ``timeline.<event id>.shift_months`` moves that event of the timeline by so many
    whole months (a sampled value is rounded), so a sweep can vary when an event happens as well as
    what it does; the moved timeline is validated like any scenario's (an authorization before its
    operator is founded, or a date outside the calendar, is refused).

    Args:
        base: a resolved scenario as plain data.
        values: ``{"dotted.path": value}``; shifts in months.
    """
    shifts = {path: value for path, value in values.items() if is_shift(path)}
    data = apply_overrides(base, {path: value for path, value in values.items() if path not in shifts})
    events = {ev.get("id"): ev for ev in data.get("timeline", [])}
    for path, months in shifts.items():
        event = events[SHIFT.fullmatch(path)["id"]]
        month = month_number(event["date"]) + int(round(months))
        event["date"] = f"{month // 12:04d}-{month % 12 + 1:02d}"
    return Scenario.from_dict(data)


def model_version() -> str:
    """Version of the model: the package version and the hash of its source
    (:func:`sim.provenance.source_digest`); any change invalidates stored runs."""
    try:
        package = metadata.version("datamarket")
    except metadata.PackageNotFoundError:
        package = "unknown"
    return f"{package}+source.{source_digest()}"


def run_key(digest: str, seed: int, version: str) -> str:
    """Identity of a run's result: the resolved scenario, the seed and the model version (with its source)."""
    return hashlib.sha256(f"{digest}|{seed}|{version}".encode()).hexdigest()[:16]


@dataclass(frozen=True)
class Run:
    """One run: replicate ``replicate`` of design point ``point``, numbered ``run`` in the plan."""

    run: int
    point: int
    replicate: int
    seed: int
    digest: str
    key: str

    @property
    def name(self) -> str:
        """File stem of the run's stored result."""
        return f"{self.run:07d}-{self.key}"


class Plan:
    """A validated sweep: ``points`` has one row per design point (parameter values and the
    scenario digest); :meth:`runs` lists point × replicate. Raises :class:`SpecError` naming
    the field when a parameter does not exist or a point gives an invalid scenario."""

    def __init__(self, spec: SweepSpec):
        self.spec = spec
        self.base_path = spec.base_path()
        base = Scenario.load(self.base_path)
        errors = list(_path_errors(spec, base.model_dump()))
        if errors:
            raise SpecError(errors, spec.source)
        try:
            self.base = base.with_values(spec.fixed)
        except ScenarioError as exc:
            raise SpecError([f"fixed.{line}" for line in exc.errors], spec.source) from None
        self.version = model_version()
        self.columns = [*spec.parameters, *spec.complements]
        self._values = self._point_values(design.sample(spec))
        self.points = self._validated_points()
        self.warnings = list(_timeline_warnings(spec, self.base))

    @property
    def n_runs(self) -> int:
        return len(self.points) * self.spec.replicates

    def values(self, point: int) -> dict[str, Any]:
        """The ``{"dotted.path": value}`` settings of a design point, complements included."""
        return self._values[point]

    def runs(self) -> Iterator[Run]:
        """Every run in plan order; replicate r of every point has seed ``spec.seed + r``."""
        replicates = self.spec.replicates
        for point, digest in enumerate(self.points["digest"]):
            for r in range(replicates):
                seed = self.spec.seed + r
                yield Run(point * replicates + r, point, r, seed, digest, run_key(digest, seed, self.version))

    def _point_values(self, frame: pd.DataFrame) -> list[dict[str, Any]]:
        """Round integer parameters of sampled designs and add the complements."""
        base = self.base.model_dump()
        if self.spec.design != "grid":
            for path in frame.columns:
                if is_shift(path) or type(lookup(base, path)[0]) is int:
                    frame[path] = np.rint(frame[path]).astype(int)
        rows = frame.to_dict("records")
        for row in rows:
            for target, sources in self.spec.complements.items():
                total = sum(row[s] if s in row else lookup(base, s)[0] for s in sources)
                row[target] = round(1 - total, 12)
        return rows

    def _validated_points(self) -> pd.DataFrame:
        """One scenario per point, validated; its digest goes into each run's key. Values are
        kept as the scenario holds them, so a column has one type (YAML reads ``1.0e9`` as text)."""
        digests, errors, bad = [], [], 0
        for point, values in enumerate(self._values):
            try:
                scenario = point_scenario(self.base.model_dump(), values)
                digests.append(scenario.digest())
                resolved = scenario.model_dump()
                values.update({path: lookup(resolved, path)[0] for path in values if not is_shift(path)})  # as validated: 1e3 → 1000.0
            except ScenarioError as exc:
                bad += 1
                if bad <= MAX_POINT_ERRORS:
                    shown = ", ".join(f"{k}={v!r}" for k, v in values.items())
                    errors.extend(f"parameters: point {point} ({shown}): {line}" for line in exc.errors)
        if bad:
            more = f" ({bad - MAX_POINT_ERRORS} more points fail)" if bad > MAX_POINT_ERRORS else ""
            raise SpecError([*errors, f"parameters: {bad} of {len(self._values)} design points are invalid{more}"],
                            self.spec.source)
        frame = pd.DataFrame(self._values, columns=self.columns)
        frame.insert(0, "point", range(len(frame)))
        frame["digest"] = digests
        return frame


def _path_errors(spec: SweepSpec, base: dict):
    """Swept, complement and complemented paths must name one numeric parameter of the base."""
    numeric = {path: f"parameters.{path}" for path in spec.parameters if spec.design != "grid"}
    numeric.update({path: f"complements.{path}" for path in spec.complements})
    numeric.update({s: f"complements.{t}" for t, sources in spec.complements.items() for s in sources})
    ids = [ev.get("id") for ev in base.get("timeline", [])]
    for path in spec.parameters:
        if is_shift(path):
            event = SHIFT.fullmatch(path)["id"]
            if event not in ids:
                known = ", ".join(sorted(i for i in ids if i)) or "(none)"
                yield f"parameters.{path}: the base scenario has no event with id {event!r}; its ids: {known}"
            elif spec.design == "grid" and any(isinstance(v, bool) or not isinstance(v, int)
                                               for v in spec.parameters[path]):
                yield f"parameters.{path}: a shift is a whole number of months"
            continue
        value, error = lookup(base, path)
        if error:
            yield f"parameters.{path}: {error}"
        elif spec.design == "grid" and any(not isinstance(v, (bool, int, float, str)) for v in spec.parameters[path]):
            yield f"parameters.{path}: grid values must be numbers, strings or booleans"
    for path, where in numeric.items():
        if is_shift(path):
            continue
        value, error = lookup(base, path)
        if error and where.startswith("complements"):
            yield f"{where}: {path}: {error}"
        elif not error and (isinstance(value, bool) or not isinstance(value, (int, float))):
            yield f"{where}: {path} holds {value!r}, not a number"


def _timeline_warnings(spec: SweepSpec, base: Scenario):
    """Swept values that a dated ``set`` event of the base overrides during the run."""
    for event in base.timeline:
        for path in event.set or {}:
            if path in spec.parameters or path in spec.complements:
                label = f" ({event.id})" if event.id else ""
                yield (f"parameters.{path}: the base scenario's timeline sets it in {event.date}{label}; "
                       "the swept value holds until then")
