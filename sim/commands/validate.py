"""``validate FILE...``: check scenario files without running them; every problem is printed
with its field path. Exit code 0 only if every file is valid."""

from __future__ import annotations

import argparse

from sim.errors import NotFoundError
from sim.catalog import load
from sim.scenario import ScenarioError


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("validate", help="check scenario files and name every bad field")
    p.add_argument("files", nargs="+", metavar="FILE", help="YAML paths or names from scenarios/")
    p.set_defaults(func=main)


def main(args: argparse.Namespace) -> int:
    valid = True
    for name in args.files:
        try:
            load(name)
        except NotFoundError as exc:
            print(f"{name}: {exc}")
        except ScenarioError as exc:
            print(f"{name}: {len(exc.errors)} error(s)")
            print("\n".join(f"  {line}" for line in exc.errors))
        else:
            print(f"{name}: ok")
            continue
        valid = False
    return 0 if valid else 2
