"""``describe``: every scenario parameter with its path, default, unit, allowed range, role
(lever, uncertainty or constant), the plan clause it models and the source of its number, read
from the schema itself (``sim/scenario.py``). ``docs/parameters.md`` is its Markdown output.

``describe SCENARIO``: what the scenario changes: every parameter and timeline event that differs
from the scenario it extends (from the defaults if it extends none), with units, roles and
clauses; ``describe A B``: every difference of B from A (:func:`differences`)."""

from __future__ import annotations

import argparse
import inspect
import typing
from dataclasses import dataclass, field
from typing import Any

import yaml
from pydantic import BaseModel
from pydantic.fields import FieldInfo

from sim.catalog import scenario_file
from sim.scenario import SETTABLE_ROOTS, Event, Scenario, flatten, parent_of
from sim.schema import Section, role_of

MAP_KEY = "<id>"  # stands for the key of a domain, operator or exchange


@dataclass(frozen=True)
class Parameter:
    path: str
    default: str
    unit: str
    allowed: str
    role: str
    clause: str
    source: str
    doc: str
    read_at: str | None = None  # when the model reads it, if only once


@dataclass
class Group:
    """Parameters of one section of the scenario, e.g. ``policy.pricing``."""

    path: str
    doc: str
    parameters: list[Parameter] = field(default_factory=list)


@dataclass(frozen=True)
class Difference:
    """One parameter (``what``: its dotted path) or timeline event (``timeline EVENT``) that
    differs between two scenarios: its value in each (``—``: absent), unit, role and clause."""

    what: str
    before: str
    after: str
    unit: str
    role: str
    clause: str


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("describe", help="list every scenario parameter (default, unit, range, role, clause, "
                                        "source), or what a scenario changes")
    p.add_argument("scenario", nargs="?", metavar="SCENARIO",
                   help="show what it changes from the scenario it extends (a YAML path or a name)")
    p.add_argument("other", nargs="?", metavar="OTHER", help="show what OTHER changes from SCENARIO instead")
    p.add_argument("--format", choices=("text", "markdown"), default="text")
    p.set_defaults(func=main)


def main(args: argparse.Namespace) -> int:
    if args.scenario is None:
        print(markdown() if args.format == "markdown" else text(), end="")
        return 0
    source = scenario_file(args.scenario)
    if args.other is not None:
        before_file, after_file = source, scenario_file(args.other)
        before = Scenario.load(before_file)
    else:
        before_file, after_file = parent_of(source), source
        before = Scenario.load(before_file) if before_file else Scenario()
    after = Scenario.load(after_file)
    label = before.name if before_file else "the defaults"
    rows = differences(before, after)
    render = diff_markdown if args.format == "markdown" else diff_text
    print(render(rows, label, after.name), end="")
    return 0


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


def diff_text(rows: list[Difference], before: str, after: str) -> str:
    """The differences as aligned text."""
    head = f"{after}: {len(rows)} difference(s) from {before}"
    if not rows:
        return head + "\n"
    table = [("parameter / event", before, after, "unit", "role", "clause"),
             *((r.what, r.before, r.after, r.unit, r.role, r.clause) for r in rows)]
    widths = [min(max(len(row[i]) for row in table), 60) for i in range(6)]
    lines = ["  ".join(cell.ljust(w) for cell, w in zip(row, widths, strict=True)).rstrip() for row in table]
    return "\n".join([head, "", *lines]) + "\n"


def diff_markdown(rows: list[Difference], before: str, after: str) -> str:
    """The differences as a Markdown table."""
    lines = [f"`{after}`: {len(rows)} difference(s) from `{before}`", ""]
    if rows:
        lines += [f"| parameter / event | `{before}` | `{after}` | unit | role | clause |", "|---|---|---|---|---|---|"]
        for r in rows:
            cells = (f"`{r.what}`", f"`{r.before}`", f"`{r.after}`", r.unit, r.role, r.clause)
            lines.append("| " + " | ".join(c.replace("|", "\\|") for c in cells) + " |")
    return "\n".join(lines) + "\n"


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


def _events() -> list[str]:
    """Paragraphs on timeline events, from the schema's ``Event``."""
    actions = ", ".join(f"`{a}`" for a in Event.ACTIONS)
    roots = ", ".join(f"`{r}`" for r in SETTABLE_ROOTS)
    once = ", ".join(f"`{p.path}`" for g in groups() for p in g.parameters if p.read_at)
    return [
        f"Each entry of `timeline` has a `date` (YYYY-MM), an optional `id` (unique) and `note`, and exactly "
        f"one action: {actions}. An exchange opens once and an operator is founded once.",
        "An `id` lets a scenario that `extends` another replace the parent's event of that `id`, "
        "or drop it with `{id: ..., remove: true}`; other events are added to the parent's, and an "
        "explicit `timeline: []` clears them all.",
        f"A `set` event changes parameters from its date on, given as `{{dotted.path: value}}`; "
        f"parameters under {roots} may be set, one by one. Parameters the model reads only once "
        f"({once}) cannot be set after that moment (the start of the run, or the event that opens the "
        "exchange or founds the operator).",
    ]


# ---- rendering ---------------------------------------------------------------------------------

INTRO = (
    "Every parameter can be set in a scenario file by its path (a scenario that `extends` another "
    "says only what differs) or from Python with `Scenario.load(path, overrides={\"path\": value})`. "
    f"Money is in 万元 (10⁴ CNY), time in months; `{MAP_KEY}` stands for the key of a domain, "
    "operator or exchange. The role says what a parameter is: a `lever` (a policy choice of the plan), "
    "an `uncertainty` (a condition outside policy) or a `constant` (technical or fixed). The clause is "
    "the text of the Wuhan plan the parameter models, by section and task (`plan 二.2`); the source "
    "says where its number comes from: a publication or dated fact, or `assumption`."
)


def markdown() -> str:
    lines = [
        "# Scenario parameters",
        "",
        "Generated from the schema in `sim/scenario.py` by `python run.py describe --format markdown`; "
        "do not edit by hand (`make docs` writes it again).",
        "",
        INTRO,
    ]
    for g in groups():
        lines += ["", f"## `{g.path}`" if g.path else "## Top level", ""]
        if g.doc:
            lines += [g.doc, ""]
        lines += ["| parameter | default | unit | allowed | role | clause | source | meaning |",
                  "|---|---|---|---|---|---|---|---|"]
        for p in g.parameters:
            cells = (f"`{p.path}`", f"`{p.default}`", p.unit, p.allowed, p.role, p.clause, p.source, p.doc)
            lines.append("| " + " | ".join(c.replace("|", "\\|") for c in cells) + " |")
    lines += ["", "## Timeline events", "", *("\n\n".join(_events()).splitlines())]
    return "\n".join(lines) + "\n"


def text() -> str:
    lines = ["Scenario parameters: path = default [unit], allowed values, role, plan clause, source of the "
             "number; then what it means.", "", INTRO]
    for g in groups():
        lines += ["", f"{g.path or 'top level'}" + (f": {g.doc}" if g.doc else "")]
        for p in g.parameters:
            unit = f" [{p.unit}]" if p.unit != "-" else ""
            lines.append(f"  {p.path} = {p.default}{unit}   allowed: {p.allowed}   role: {p.role}   "
                         f"clause: {p.clause}   source: {p.source}")
            lines.append(f"      {p.doc}")
    lines += ["", "timeline events", *(f"  {paragraph.replace('`', '')}" for paragraph in _events())]
    return "\n".join(lines) + "\n"
