"""Options, provenance and the key-outcomes figure shared by the commands that run simulations."""

from __future__ import annotations

import argparse
import difflib
import shlex
import time
from collections.abc import Callable
from pathlib import Path

import pandas as pd
import yaml

from sim.cache import Cache
from sim.catalog import scenario_file
from sim.cli import CliError, invoked_as
from sim.execute import BACKENDS
from sim.provenance import provenance
from sim.scenario import Scenario, ScenarioError, flatten


MAX_REPLICATES = 100_000  # as a sweep spec's replicates: every run's result is held until all are written


def positive_int(text: str) -> int:
    """A whole number of 1 or more (``--workers``)."""
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"must be a whole number of 1 or more, got {text!r}") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"must be 1 or more, got {value}")
    return value


def replicate_count(text: str) -> int:
    """``--replicates``: 1 to :data:`MAX_REPLICATES`."""
    value = positive_int(text)
    if value > MAX_REPLICATES:
        raise argparse.ArgumentTypeError(f"must be at most {MAX_REPLICATES:,}, got {value:,}; "
                                         "for larger ensembles use `sweep`, which stores run by run")
    return value


def add_run_options(p: argparse.ArgumentParser) -> None:
    """``--seed``, ``--replicates``, ``--workers``, ``--backend``, ``--scheduler``, ``--out`` and ``--force``."""
    p.add_argument("--seed", type=int, default=1, help="seed of replicate 0; replicate r uses seed + r (default 1)")
    p.add_argument("--replicates", type=replicate_count, default=1,
                   help=f"runs per scenario (default 1, at most {MAX_REPLICATES:,})")
    add_backend_options(p, workers_default=1)
    p.add_argument("--out", required=True, type=Path, help="results folder")
    p.add_argument("--force", action="store_true", help="write into a folder that already holds files")
    p.add_argument("--no-cache", action="store_true",
                   help="run every replicate afresh, neither reading nor adding to the run cache "
                        "($DATAMARKET_CACHE, default ~/.cache/datamarket)")


def add_scenario_options(p: argparse.ArgumentParser, applies_to: str = "the scenario") -> None:
    """``--set PATH=VALUE`` (repeatable) and ``--name NAME``: change a scenario from the command line."""
    p.add_argument("--set", action="append", default=[], metavar="PATH=VALUE", dest="sets",
                   help=f"set a parameter of {applies_to} by its dotted path, e.g. policy.pricing.regime=free; "
                        "VALUE is read as YAML (0.01, true, [a, b]); repeat for more")
    p.add_argument("--name", help="name of the resolved scenario, used in results and labels")


def parse_sets(items: list[str]) -> dict:
    """``["a.b=1", "c=free"]`` as ``{"a.b": 1, "c": "free"}``, each value read as a YAML scalar or
    list (the schema then types and checks it). Raises :class:`CliError` for an item without ``=``."""
    out = {}
    for item in items:
        path, sep, text = item.partition("=")
        path = path.strip()
        if not sep or not path:
            raise CliError(f"--set {item!r}: write it as PATH=VALUE, e.g. --set policy.pricing.regime=free")
        try:
            value = yaml.safe_load(text) if text.strip() else ""
        except yaml.YAMLError as exc:
            raise CliError(f"--set {path}={text}: not a YAML value ({str(exc).splitlines()[0]})") from None
        if isinstance(value, dict):
            raise CliError(f"--set {path}={text}: give one parameter per --set, not a mapping")
        out[path] = value
    return out


def load_scenario(name: str, sets: dict, new_name: str | None = None) -> tuple[Path, Scenario]:
    """The file of ``name`` (a path or a catalogue name) and its scenario with ``sets`` applied
    and renamed ``new_name``, validated once. A path that is no parameter of the scenario is
    refused naming the nearest ones; a bad value names the ``--set``, the value and what is allowed."""
    source = scenario_file(name)
    base = Scenario.load(source)
    if not sets and new_name is None:
        return source, base
    known = set(flatten(base.model_dump()))
    for path, value in sets.items():
        if path not in known:
            near = difflib.get_close_matches(path, known, n=3, cutoff=0.6) or sorted(
                k for k in known if k.startswith(path.rsplit(".", 1)[0] + "."))[:8]
            raise CliError(f"--set {path}={value!r}: no such parameter in {source.name}"
                           + (f"; nearest: {', '.join(near)}" if near else "; see `describe` for every parameter"))
    overrides = {**sets, **({"name": new_name} if new_name is not None else {})}
    try:
        return source, base.with_values(overrides)
    except ScenarioError as exc:
        raise ScenarioError([_flag(line, overrides) for line in exc.errors], f"{source} with --set/--name") from None


def _flag(line: str, overrides: dict) -> str:
    """A validation line about an overridden path, as the ``--set`` (or ``--name``) that gave it."""
    for path, value in overrides.items():
        if line.startswith(f"{path}:") or line.startswith(f"{path}."):
            flag = "--name" if path == "name" else f"--set {path}"
            return f"{flag}={value!r}{line[len(path):]}"
    return line


def overrides_record(args: argparse.Namespace) -> dict:
    """What the command line changed in its scenarios, for the manifest (empty: nothing)."""
    sets = parse_sets(getattr(args, "sets", []) or [])
    name = getattr(args, "name", None)
    return {**({"overrides": sets} if sets else {}), **({"renamed": name} if name else {})}


def add_backend_options(p: argparse.ArgumentParser, workers_default: int | None) -> None:
    """``--workers``, ``--backend`` and ``--scheduler``: where the runs go (:mod:`sim.execute`)."""
    default = f"default {workers_default}" if workers_default else "default: one per core"
    p.add_argument("--workers", type=positive_int, default=workers_default,
                   help=f"worker processes ({default}); results are the same for any number")
    p.add_argument("--backend", choices=BACKENDS, default="local", help="local processes or a Dask cluster")
    p.add_argument("--scheduler", help="address of a running dask.distributed scheduler (with --backend dask)")


def check_backend(args: argparse.Namespace) -> None:
    if args.scheduler and args.backend != "dask":
        raise CliError("--scheduler needs --backend dask")


def check_run_options(args: argparse.Namespace) -> None:
    """Refuse, before any folder is touched, seeds out of range and a backend without its scheduler."""
    from sim.runner import check_seeds

    check_backend(args)
    check_seeds(args.seed, args.replicates, name="--seed")


def run_cache(args: argparse.Namespace) -> Cache | None:
    """The run cache of a command (:mod:`sim.cache`), None with ``--no-cache``."""
    return None if args.no_cache else Cache.default()


def cache_note(cache: Cache | None, total: int) -> str | None:
    """``3 of 6 runs read from the run cache (DIR)``, or None when none was."""
    if cache is None or not cache.hits:
        return None
    return f"{cache.hits} of {total} run(s) read from the run cache ({cache.root}; --no-cache runs them afresh)"


def seeds_text(first: int, replicates: int) -> str:
    """``seed 4`` or ``seeds 1–20``."""
    return f"seed {first}" if replicates == 1 else f"seeds {first}–{first + replicates - 1}"


def command_line(args: argparse.Namespace) -> str:
    """The command as typed: ``python run.py run small --seed 4 …`` (or ``datamarket run …``)."""
    return shlex.join([*invoked_as(), *args.argv])


def command_provenance(args: argparse.Namespace, started: float) -> dict:
    """Provenance of a command's results: its line as typed, the ``--set`` overrides and
    ``--name`` given, the wall time since ``started``."""
    return provenance(command_line(args), wall_time_s=time.perf_counter() - started, **overrides_record(args))


def key_figure(metrics: pd.DataFrame) -> Callable[[Path], None]:
    """A writer of the key-outcomes figure of ``metrics`` as PNG (matplotlib loads only here)."""
    from analysis.figures import key_outcomes

    figure = key_outcomes(metrics)
    return lambda path: figure.savefig(path, format="png", dpi=120)
