"""``validate FILE...``: check scenario files without running them. Every file is checked and
every problem printed with its field path; the exit code is 0 only if every file is valid.
A name from ``scenarios/`` may be given with or without ``.yaml``."""

from __future__ import annotations

import argparse
from sim.catalog import scenario_file
from sim.errors import DataMarketError
from sim.scenario import Scenario, ScenarioError


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("validate", help="check scenario files and name every bad field")
    p.add_argument("files", nargs="+", metavar="FILE", help="YAML paths or names from scenarios/")
    p.set_defaults(func=main)


def main(args: argparse.Namespace) -> int:
    valid = True
    for name in args.files:
        try:
            Scenario.load(scenario_file(name))
        except ScenarioError as exc:
            print(f"{name}: {len(exc.errors)} error(s)")
            print("\n".join(f"  {line}" for line in exc.errors))
        except DataMarketError as exc:
            print(f"{name}: {exc}")
        else:
            print(f"{name}: ok")
            continue
        valid = False
    return 0 if valid else 2
