"""Command line: ``python run.py COMMAND``. Each command lives in its own module under
``sim/commands`` with a ``register(subparsers)`` function. Any
:class:`~sim.errors.DataMarketError` (bad input: a scenario, a spec, a folder, an argument) ends
with one clear message and exit code 2; ``--debug`` shows the traceback. Ctrl-C ends with one line
and exit code 130 (a command that can save finished work does so first). Warnings print as one
``warning:`` line each."""

from __future__ import annotations

import argparse
import importlib
import sys
import warnings

from sim.errors import DataMarketError

COMMAND_MODULES = (
    "sim.commands.run",
    "sim.commands.compare",
    "sim.commands.validate",
    "sim.commands.describe",
    "sim.commands.list",
    "sim.commands.plot",
    "sim.commands.export",
    "sim.commands.report",
    "sim.commands.sweep",
    "sim.commands.calibrate",
    "sim.commands.discover",
    "sim.commands.dashboard",
)


class CliError(DataMarketError):
    """Arguments of a command that do not go together (e.g. ``compare`` with one scenario)."""


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="run.py", description="datamarket: simulate a city's data-element market.")
    parser.add_argument("--debug", action="store_true", help="show tracebacks")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    for name in COMMAND_MODULES:
        importlib.import_module(name).register(sub)
    return parser


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    args.argv = list(sys.argv[1:] if argv is None else argv)  # recorded in results manifests
    show = warnings.showwarning
    if not args.debug:
        warnings.showwarning = _one_line
    try:
        return int(args.func(args) or 0)
    except DataMarketError as exc:
        if args.debug:
            raise
        print(f"error: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        if args.debug:
            raise
        print(f"interrupted; nothing more is written to {getattr(args, 'out', None) or 'any folder'}", file=sys.stderr)
        return 130
    finally:
        warnings.showwarning = show


def _one_line(message, category, filename, lineno, file=None, line=None) -> None:
    print(f"warning: {message}", file=sys.stderr)
