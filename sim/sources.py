"""Where each number of a scenario comes from, read from the parameter tree (``sim.scenario``):
every numeric parameter of a resolved scenario with its role, source and allowed range, so that
screening studies and reports pick "the unsourced parameters" from the tree, not from a hand list.
A parameter is **unsourced** when its ``source`` is an assumption (``"assumption"`` or
``"assumption (…)"``)."""

from __future__ import annotations

import typing
from dataclasses import dataclass

from annotated_types import Ge, Gt, Le, Lt
from pydantic import BaseModel

from sim.schema import Section, role_of
from sim.scenario import Scenario


@dataclass(frozen=True)
class Entry:
    """One numeric parameter of a scenario.

    Args:
        path: dotted path, e.g. ``exchanges.pilot_platform.initial_awareness``.
        value: its value in the scenario (in ``unit``).
        role: ``lever``, ``uncertainty`` or ``constant``.
        source: where the number comes from.
        low, high: the range the tree allows (bounds given as ``gt``/``lt`` are the limits themselves).
        integer: whether it holds whole numbers.
    """

    path: str
    value: float
    unit: str
    role: str
    source: str
    low: float
    high: float
    integer: bool

    @property
    def unsourced(self) -> bool:
        return self.source.strip().lower().startswith("assumption")


def entries(scenario: Scenario, roots: tuple[str, ...] = ("behaviour", "regulator", "exchanges", "population")
            ) -> list[Entry]:
    """The numeric parameters (not booleans, not texts) under ``roots`` of ``scenario``, in schema order;
    members of a mapping (``exchanges.<id>``) once per member the scenario has."""
    out: list[Entry] = []
    for root in roots:
        _walk(type(scenario).model_fields[root].annotation, getattr(scenario, root), root, out)
    return out


def _walk(model: typing.Any, value: typing.Any, path: str, out: list[Entry]) -> None:
    if typing.get_origin(model) is dict:
        for key, member in value.items():
            _walk(typing.get_args(model)[1], member, f"{path}.{key}", out)
        return
    if not (isinstance(model, type) and issubclass(model, Section)):
        return
    for name, info in model.model_fields.items():
        field, here = getattr(value, name), f"{path}.{name}"
        if isinstance(field, (BaseModel, dict)):
            _walk(info.annotation, field, here, out)
            continue
        if isinstance(field, bool) or not isinstance(field, (int, float)):
            continue
        extra = info.json_schema_extra or {}
        low = next((m.ge if isinstance(m, Ge) else m.gt for m in info.metadata if isinstance(m, (Ge, Gt))),
                   float("-inf"))
        high = next((m.le if isinstance(m, Le) else m.lt for m in info.metadata if isinstance(m, (Le, Lt))),
                    float("inf"))
        out.append(Entry(here, field, extra.get("unit", "-"), role_of(model, name) or "-", extra.get("source") or "-",
                         float(low), float(high), isinstance(field, int)))
