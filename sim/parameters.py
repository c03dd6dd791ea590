"""The scenario's parameters as the schema (``sim/scenario.py``) declares them, and what one
scenario changes from another.

:func:`groups` walks the schema once: every parameter, section by section, with its default,
unit, allowed values, role (lever, uncertainty or constant), the plan clause it models and the
source of its number (a :class:`Parameter`). :func:`differences` lists every parameter and
timeline event that differs between two scenarios (a :class:`Difference`), with the unit, role
and clause of each from that walk. ``describe`` renders both; ``report`` shows what each of its
scenarios changes with the same differences."""

from __future__ import annotations

import inspect
import typing
from dataclasses import dataclass, field
from typing import Any

import yaml
from pydantic import BaseModel
from pydantic.fields import FieldInfo

from sim.scenario import Event, Scenario, flatten
from sim.schema import Section, role_of

MAP_KEY = "<id>"  # stands for the key of a domain, operator or exchange


@dataclass(frozen=True)
class Parameter:
    """One declared parameter of the scenario.

    Args:
        path: dotted path; a member of a mapping has :data:`MAP_KEY` for its key
            (``exchanges.<id>.fee_rate``).
        default: the default as it would be written in a scenario file.
        unit: its unit (``-``: none; money in 万元, time in months).
        allowed: the values it may take, in words (``[0, 1]``, ``one of a, b``).
        role: ``lever``, ``uncertainty`` or ``constant``.
        clause: the plan clause it models (``-``: none).
        source: where its number comes from.
        doc: what it means.
        read_at: when the model reads it, if only once (``start``, ``open_exchange``, ``found_operator``).
    """

    path: str
    default: str
    unit: str
    allowed: str
    role: str
    clause: str
    source: str
    doc: str
    read_at: str | None = None


@dataclass
class Group:
    """Parameters of one section of the scenario, e.g. ``policy.pricing``."""

    path: str
    doc: str
    parameters: list[Parameter] = field(default_factory=list)


@dataclass(frozen=True)
class Difference:
    """One parameter (``what``: its dotted path) or timeline event (``timeline EVENT``) that
    differs between two scenarios: its value in each as written in a scenario file (``—``:
    absent), unit, role and clause."""

    what: str
    before: str
    after: str
    unit: str
    role: str
    clause: str


# ---- walking the schema ----------------------------------------------------------------------


def groups() -> list[Group]:
    """The scenario's parameters, section by section, in schema order."""
    found: dict[str, Group] = {}
    _walk(Scenario, Scenario(), "", ("", ""), "", found)
    return list(found.values())


def _walk(model: type[BaseModel], defaults: BaseModel, prefix: str, group: tuple[str, str], context: str,
          found: dict[str, Group]) -> None:
    for name, info in model.model_fields.items():
        path = prefix + name
        annotation = info.annotation
        if _is_section(annotation) and info.description:
            # a small section held by one parameter (a distribution): its fields stay in this group
            _walk(annotation, getattr(defaults, name), path + ".", group, info.description, found)
        elif _is_section(annotation):
            _walk(annotation, getattr(defaults, name), path + ".", (path, _doc(annotation)), "", found)
        elif typing.get_origin(annotation) is dict and _is_section(typing.get_args(annotation)[1]):
            cls = typing.get_args(annotation)[1]
            doc = " ".join(filter(None, (_sentence(info.description), _doc(cls))))
            key = f"{path}.{MAP_KEY}"
            _walk(cls, cls(), key + ".", (key, doc), "", found)
        else:
            extra = info.json_schema_extra or {}
            found.setdefault(group[0], Group(*group)).parameters.append(Parameter(
                path=path,
                default=_yaml(getattr(defaults, name)),
                unit=extra.get("unit", "-"),
                allowed=_allowed(info),
                role=role_of(model, name) or "-",
                clause=extra.get("clause") or "-",
                source=extra.get("source", "-"),
                doc=": ".join(filter(None, (context, info.description))),
                read_at=extra.get("read_at"),
            ))


def _is_section(annotation: Any) -> bool:
    return isinstance(annotation, type) and issubclass(annotation, Section)


def _doc(cls: type) -> str:
    """First paragraph of a class's own docstring, on one line."""
    doc = cls.__dict__.get("__doc__")
    return " ".join(inspect.cleandoc(doc).split("\n\n")[0].split()) if doc else ""


def _sentence(text: str | None) -> str:
    return f"{text[0].upper()}{text[1:]}." if text else ""


def _yaml(value: Any) -> str:
    """A value as it would be written in a scenario file."""
    if isinstance(value, BaseModel):
        value = value.model_dump(mode="json")
    text = yaml.safe_dump(value, default_flow_style=True, allow_unicode=True, sort_keys=False, width=10**6)
    return text.removesuffix("...\n").strip()


def _allowed(info: FieldInfo) -> str:
    """Allowed values: the choices of a ``Literal``, or an interval from the field's bounds."""
    annotation = info.annotation
    if typing.get_origin(annotation) is typing.Literal:
        return "one of " + ", ".join(map(str, typing.get_args(annotation)))
    if annotation is bool:
        return "true or false"
    if annotation is str:
        return "YYYY-MM" if (info.json_schema_extra or {}).get("unit") == "month" else "text"
    if typing.get_origin(annotation) in (dict, list):
        return "a mapping" if typing.get_origin(annotation) is dict else "a list (see timeline events)"
    bounds = {k: getattr(m, k) for m in info.metadata for k in ("ge", "gt", "le", "lt") if hasattr(m, k)}
    bounds = {k: str(int(v)) if float(v).is_integer() else repr(v) for k, v in bounds.items()}
    low = f"[{bounds['ge']}" if "ge" in bounds else f"({bounds['gt']}" if "gt" in bounds else "(-∞"
    high = f"{bounds['le']}]" if "le" in bounds else f"{bounds['lt']})" if "lt" in bounds else "∞)"
    return f"{low}, {high}"


# ---- differences between scenarios -------------------------------------------------------------


def differences(before: Scenario, after: Scenario) -> list[Difference]:
    """Every parameter whose value differs from ``before`` to ``after``, in schema order, then
    every timeline event added, removed or changed (events match by ``id``; an event without one
    matches only an identical event). ``name`` and ``description`` are left out."""
    known = {p.path: p for g in groups() for p in g.parameters}
    old, new = flatten(before.model_dump(mode="json")), flatten(after.model_dump(mode="json"))
    rows = []
    for path in [*old, *(p for p in new if p not in old)]:
        if path in ("name", "description") or path == "timeline" or old.get(path) == new.get(path):
            continue
        p = _parameter(path, known)
        rows.append(Difference(path, _shown(old, path), _shown(new, path), p.unit if p else "-",
                               p.role if p else "-", p.clause if p else "-"))
    return rows + _event_differences(before.timeline, after.timeline)


def _parameter(path: str, known: dict[str, Parameter]) -> Parameter | None:
    """The declared parameter a concrete path belongs to: ``exchanges.pilot_platform.fee_rate`` is
    ``exchanges.<id>.fee_rate``; ``domains.health.relevance.finance`` is ``domains.<id>.relevance``."""
    keys = path.split(".")
    for end in range(len(keys), 0, -1):
        head = keys[:end]
        for candidate in (head, *([*head[:i], MAP_KEY, *head[i + 1:]] for i in range(len(head)))):
            if ".".join(candidate) in known:
                return known[".".join(candidate)]
    return None


def _shown(values: dict[str, Any], path: str) -> str:
    return _yaml(values[path]) if path in values else "—"


def _event_differences(before: list[Event], after: list[Event]) -> list[Difference]:
    def keyed(events: list[Event]) -> dict[str, Event]:
        return {ev.id or _yaml(_event(ev)): ev for ev in events}

    old, new = keyed(before), keyed(after)
    rows = []
    for key in [*old, *(k for k in new if k not in old)]:
        a, b = old.get(key), new.get(key)
        if a is not None and b is not None and _event(a) == _event(b):
            continue
        ev = b or a
        rows.append(Difference(f"timeline {ev.id or ev.action}", _yaml(_event(a)) if a else "—",
                               _yaml(_event(b)) if b else "—", "-", "lever", ev.note or "-"))
    return rows


def _event(ev: Event) -> dict:
    """An event as written, without its id and note."""
    return ev.model_dump(mode="json", exclude_none=True, exclude={"id", "note"})
