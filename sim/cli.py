"""Command line: ``python run.py COMMAND``, or ``datamarket COMMAND`` once the package is installed
(the console command of ``pyproject.toml``). Each command lives in its own module under
``sim/commands`` with a ``register(subparsers)`` function. Any
:class:`~sim.errors.DataMarketError` (bad input: a scenario, a spec, a folder, an argument) ends
with one clear message and exit code 2; ``--debug`` shows the traceback. Ctrl-C ends with one line
and exit code 130 (a command that can save finished work does so first). Output cut short by its
reader (``run.py list | head``) ends quietly with exit code 141, as a shell reports SIGPIPE.
Warnings print as one ``warning:`` line each."""

from __future__ import annotations

import argparse
import importlib
import os
import sys
import warnings
from pathlib import Path

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
    "sim.commands.validate_model",
    "sim.commands.discover",
    "sim.commands.dashboard",
)


CONSOLE = "datamarket"  # the console command installed with the package
BROKEN_PIPE = 141  # 128 + SIGPIPE: what a shell reports for a command whose reader went away


class CliError(DataMarketError):
    """Arguments of a command that do not go together (e.g. ``compare`` with one scenario)."""


def invoked_as() -> list[str]:
    """How the command line was started, as a user would type it again: ``["datamarket"]`` for the
    console command, else ``["python", "run.py"]``."""
    return [CONSOLE] if Path(sys.argv[0]).name == CONSOLE else ["python", "run.py"]


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog=invoked_as()[-1],
                                     description="datamarket: simulate a city's data-element market.")
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
        code = int(args.func(args) or 0)
        sys.stdout.flush()  # a reader that went away is found here, not in the flush at exit
        return code
    except DataMarketError as exc:
        if args.debug:
            raise
        print(f"error: {exc}", file=sys.stderr)
        return 2
    except BrokenPipeError:
        _quiet_stdout()
        return BROKEN_PIPE
    except KeyboardInterrupt:
        if args.debug:
            raise
        print(f"interrupted; nothing more is written to {getattr(args, 'out', None) or 'any folder'}", file=sys.stderr)
        return 130
    finally:
        warnings.showwarning = show


def _quiet_stdout() -> None:
    """Point standard output at /dev/null, so the flush at exit does not fail again on the closed pipe."""
    try:
        fd = sys.stdout.fileno()
    except (AttributeError, OSError, ValueError):
        return  # not a real file (a test's capture)
    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, fd)
    os.close(devnull)


def _one_line(message, category, filename, lineno, file=None, line=None) -> None:
    print(f"warning: {message}", file=sys.stderr)
