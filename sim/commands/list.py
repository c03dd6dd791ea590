"""``list``: the scenarios in ``scenarios/``, each with the question it answers. A file that
cannot be read or is invalid is listed as such, with the reason."""

from __future__ import annotations

import argparse
import shlex
import shutil
import textwrap

from sim import catalog
from sim.cli import invoked_as
from sim.scenario import Scenario, ScenarioError


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("list", help="list the scenarios in scenarios/ with the question each answers")
    p.set_defaults(func=main)


def main(args: argparse.Namespace) -> int:
    files = catalog.catalogue(catalog.SCENARIO_DIR)
    prog = shlex.join(invoked_as())
    print(f"Scenarios in {catalog.SCENARIO_DIR} (run one with `{prog} run NAME --out DIR`):\n")
    if not files:
        print("(none: the folder holds no .yaml file)")
        return 0
    width = max(len(name) for name in files) + 2
    columns = max(60, min(shutil.get_terminal_size().columns, 120))
    for name, path in files.items():
        try:
            text = " ".join(Scenario.load(path).description.split()) or "(no description)"
        except ScenarioError as exc:
            text = f"(invalid: {exc.errors[0]}; see `{prog} validate {name}`)"
        print(textwrap.fill(text, columns, initial_indent=f"{name:<{width}}", subsequent_indent=" " * width))
    return 0
