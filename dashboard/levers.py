"""The dashboard's controls, read from the parameter tree, and the edited scenario they make.

Every field whose role is ``lever`` (:func:`sim.schema.role_of`) becomes a :class:`Lever` with
its unit, allowed range and plan clause; a domain, operator or exchange gets one per key of the
scenario. The dates of the timeline's ``authorize`` and ``open_exchange`` events that have an
``id`` become month pickers (a child scenario replaces a parent's event by its ``id``).

An edit is ``{"dotted.path": value}`` for levers and ``{event id: "YYYY-MM"}`` for dates;
:func:`edited` validates it into a scenario (a scenario is immutable) and :func:`child_yaml`
writes it as a YAML that ``extends`` the parent and says only what changed.
"""

from __future__ import annotations

import os
import typing
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from sim.calendar import month_dates
from sim.scenario import Event, Scenario
from sim.schema import Section, role_of

MAP_KEY = "<id>"  # a domain, operator or exchange key in a lever's generic path
DATED_ACTIONS = ("authorize", "open_exchange")  # events whose month the dashboard can move


@dataclass(frozen=True)
class Lever:
    """One control: ``path`` in the scenario, ``generic`` with map keys as ``<id>`` (the key of
    its labels), ``kind`` of input (``choice``, ``bool``, ``int`` or ``float``)."""

    path: str
    generic: str
    kind: str
    default: Any
    unit: str
    clause: str
    doc: str
    choices: tuple = ()
    low: float | None = None
    high: float | None = None

    @property
    def allowed(self) -> str:
        """The allowed values, as ``describe`` writes them."""
        if self.kind == "choice":
            return "one of " + ", ".join(self.choices)
        if self.kind == "bool":
            return "true or false"
        low = "(-∞" if self.low is None else f"[{self.low:g}"
        high = "∞)" if self.high is None else f"{self.high:g}]"
        return f"{low}, {high}"

    @property
    def section(self) -> str:
        """The group the control is shown in: its path without the field name."""
        return self.path.rsplit(".", 1)[0]


@dataclass(frozen=True)
class DatedEvent:
    """A month picker: the event ``id``, its ``action`` and what it acts on, and its date."""

    id: str
    action: str
    target: str
    default: str


def levers(scenario: Scenario) -> list[Lever]:
    """The scenario's levers in schema order, one per key of a domain, operator or exchange."""
    found: list[Lever] = []
    _walk(scenario, "", "", None, found)
    return found


def _walk(section: Section, prefix: str, generic: str, inherited: str | None, found: list[Lever]) -> None:
    cls = type(section)
    for name, info in cls.model_fields.items():
        value = getattr(section, name)
        role = role_of(cls, name) or inherited
        if isinstance(value, Section):  # a distribution held by one parameter keeps that parameter's role
            _walk(value, f"{prefix}{name}.", f"{generic}{name}.", role if info.description else None, found)
        elif isinstance(value, dict) and value and all(isinstance(v, Section) for v in value.values()):
            for key, sub in value.items():
                _walk(sub, f"{prefix}{name}.{key}.", f"{generic}{name}.{MAP_KEY}.", None, found)
        elif role == "lever" and name != "timeline":
            lever = _lever(f"{prefix}{name}", f"{generic}{name}", info, value)
            if lever is not None:
                found.append(lever)


def _lever(path: str, generic: str, info, value: Any) -> Lever | None:
    """A control for a scalar field; None for a mapping or a list (edited in YAML only)."""
    extra = info.json_schema_extra or {}
    common = dict(path=path, generic=generic, default=value, unit=extra.get("unit", "-"),
                  clause=extra.get("clause") or "-", doc=info.description or path)
    annotation = info.annotation
    if typing.get_origin(annotation) is typing.Literal:
        return Lever(kind="choice", choices=tuple(typing.get_args(annotation)), **common)
    if annotation is bool:
        return Lever(kind="bool", **common)
    if annotation in (int, float):
        bounds = {k: getattr(m, k) for m in info.metadata for k in ("ge", "gt", "le", "lt") if hasattr(m, k)}
        low = bounds.get("ge", bounds.get("gt"))
        high = bounds.get("le", bounds.get("lt"))
        return Lever(kind=annotation.__name__, low=low, high=high, **common)
    return None


def dated_events(scenario: Scenario) -> list[DatedEvent]:
    """The ``authorize`` and ``open_exchange`` events with an ``id``, in timeline order."""
    out = []
    for event in scenario.timeline:
        if event.id and event.action in DATED_ACTIONS:
            target = event.open_exchange if event.action == "open_exchange" else \
                f"{event.authorize.operator}: {', '.join(event.authorize.domains)}"
            out.append(DatedEvent(event.id, event.action, target, event.date))
    return out


def months(scenario: Scenario) -> list[str]:
    """Every month of the scenario's calendar, ``YYYY-MM``."""
    return [d.strftime("%Y-%m") for d in month_dates(scenario.calendar.start, scenario.n_months)]


def changes(scenario: Scenario, values: dict[str, Any], dates: dict[str, str]) -> tuple[dict, dict]:
    """The edits that differ from ``scenario``: values by path and dates by event id."""
    defaults = {lever.path: lever.default for lever in levers(scenario)}
    own = {e.id: e.date for e in scenario.timeline if e.id}
    return ({p: v for p, v in values.items() if defaults.get(p) != v},
            {i: d for i, d in dates.items() if own.get(i) != d})


def edited(scenario: Scenario, values: dict[str, Any], dates: dict[str, str], name: str) -> Scenario:
    """``scenario`` with the edits applied, validated, and called ``name`` (results tell the two
    apart by name). Raises :class:`sim.scenario.ScenarioError` naming every bad field."""
    values, dates = changes(scenario, values, dates)
    overrides = {**values, "name": name}
    if dates:
        overrides["timeline"] = [_moved(e, dates).model_dump(mode="json", exclude_none=True) for e in scenario.timeline]
    return scenario.with_values(overrides)


def _moved(event: Event, dates: dict[str, str]) -> Event:
    return event if event.id not in dates else Event.model_validate(event.model_dump() | {"date": dates[event.id]})


def child_yaml(parent: Path, scenario: Scenario, values: dict[str, Any], dates: dict[str, str],
               directory: Path | None = None) -> str:
    """A scenario file that ``extends`` ``parent`` (the file ``scenario`` was loaded from) and
    holds only the changed levers and event dates. ``extends`` is relative to ``directory``, the
    folder the file will be saved in, or absolute when there is none (a download)."""
    values, dates = changes(scenario, values, dates)
    parent = Path(parent).resolve()
    extends = os.path.relpath(parent, Path(directory).resolve()) if directory is not None else str(parent)
    data: dict[str, Any] = {"extends": extends,
                            "description": f"{scenario.name} with levers changed in the dashboard"}
    for path, value in values.items():
        node = data
        *keys, last = path.split(".")
        for key in keys:
            node = node.setdefault(key, {})
        node[last] = value
    if dates:
        data["timeline"] = [_moved(e, dates).model_dump(mode="json", exclude_none=True)
                            for e in scenario.timeline if e.id in dates]
    return yaml.safe_dump(data, allow_unicode=True, sort_keys=False)


def save(text: str, path: str | Path) -> Path:
    """Write ``text`` to a new file at ``path`` (an existing file is never replaced) and check it
    loads as a scenario; a file that does not load is removed again."""
    path = Path(path).expanduser()
    if path.suffix not in (".yaml", ".yml"):
        raise ValueError(f"save to: {str(path)!r} must end in .yaml or .yml")
    if path.exists():
        raise ValueError(f"save to: {str(path)!r} exists already; choose another name")
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "x", encoding="utf-8") as f:
        f.write(text)
    try:
        Scenario.load(path)
    except Exception:
        path.unlink()
        raise
    return path
