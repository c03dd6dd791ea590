"""``describe``: every scenario parameter with its path, default, unit, allowed range, role
(lever, uncertainty or constant), the plan clause it models and the source of its number, read
from the schema itself (``sim/scenario.py``). ``docs/parameters.md`` is its Markdown output.

``describe SCENARIO``: what the scenario changes: every parameter and timeline event that differs
from the scenario it extends (from the defaults if it extends none), with units, roles and
clauses; ``describe A B``: every difference of B from A. The schema walk and the differences are
:mod:`sim.parameters`; this module renders them."""

from __future__ import annotations

import argparse

from sim.catalog import scenario_file
from sim.parameters import MAP_KEY, Difference, differences, groups
from sim.scenario import SETTABLE_ROOTS, Event, Scenario, parent_of


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


# ---- rendering ---------------------------------------------------------------------------------


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
