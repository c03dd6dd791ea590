"""``dashboard``: the interactive dashboard (:mod:`dashboard.app`) on a local web server. Move
the levers of a scenario, run it against its baseline on a few seeds, watch one run month by
month; the same app runs under ``solara run dashboard.app``.

The scenario is checked here, so a bad one ends with one message and exit code 2 before any
server starts; the app is told which one through :data:`SCENARIO_VARIABLE`."""

from __future__ import annotations

import argparse
import importlib.util
import os
import subprocess
import sys

from sim import catalog
from sim.cli import CliError

APP = "dashboard.app"
SCENARIO_VARIABLE = "DATAMARKET_DASHBOARD_SCENARIO"  # the app reads the scenario's file from it
DEFAULT_SCENARIO = "wuhan_2023_2025"
DEFAULT_PORT = 8765
HOSTS = "127.0.0.1 (this machine only) or 0.0.0.0 (every interface)"


def port(text: str) -> int:
    value = int(text)
    if not 1 <= value <= 65535:
        raise argparse.ArgumentTypeError(f"must be a port number from 1 to 65535, got {value}")
    return value


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("dashboard", help="move levers and see outcomes change, in a browser")
    p.add_argument("scenario", nargs="?", default=DEFAULT_SCENARIO,
                   help=f"a name from scenarios/ or a YAML path (default {DEFAULT_SCENARIO})")
    p.add_argument("--port", type=port, default=DEFAULT_PORT, help=f"port to serve on (default {DEFAULT_PORT})")
    p.add_argument("--host", default="127.0.0.1", help=f"address to listen on: {HOSTS}")
    p.set_defaults(func=main)


def main(args: argparse.Namespace) -> int:
    path = catalog.resolve(args.scenario)
    catalog.load(args.scenario)  # a bad scenario is refused here, naming every bad field
    if importlib.util.find_spec("solara") is None:
        raise CliError("the dashboard needs Solara: pip install -e '.[dashboard]'")
    print(f"dashboard of {path} on http://{args.host}:{args.port} (Ctrl-C stops it)", flush=True)
    command = [sys.executable, "-m", "solara", "run", APP, "--host", args.host, "--port", str(args.port),
               "--production", "--no-open"]
    env = {**os.environ, SCENARIO_VARIABLE: str(path.resolve())}
    try:
        return subprocess.call(command, env=env)
    except KeyboardInterrupt:
        return 0
