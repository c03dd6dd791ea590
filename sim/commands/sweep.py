"""``sweep SPEC`` and ``sensitivity SPEC``: parameter sweeps and their sensitivity indices
(docs/sweeps.md)."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from sim.catalog import SWEEP_DIR, resolve
from sim.cli import CliError
from sim.commands.common import add_backend_options, add_scenario_options, check_backend, load_scenario, parse_sets
from sim.storage import what_is
from sim.summary import number
from sim.sweeps import Plan, SweepResult, SweepSpec, sensitivity, sweep
from sim.sweeps.store import INDICES, write_indices


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("sweep", help="run a parameter sweep or ensemble from a sweep spec")
    p.add_argument("spec", help="a sweep spec YAML, or a name from scenarios/sweeps/")
    p.add_argument("--out", required=True, type=Path, help="results folder (one Parquet part per run)")
    p.add_argument("--resume", action="store_true", help="continue a sweep in --out: run only missing or failed runs")
    add_scenario_options(p, applies_to="the base scenario (as the spec's fixed values; --name names the sweep)")
    _backend_arguments(p)
    p.set_defaults(func=main_sweep)

    s = sub.add_parser("sensitivity", help="Sobol or Morris indices of yearly outcomes; runs the sweep first if needed")
    s.add_argument("spec", help="a sweep spec YAML or name (its sweep runs or resumes in --out), "
                               "or a finished sweep folder")
    s.add_argument("--out", type=Path, help="sweep folder for a spec; indices.csv is written there")
    s.add_argument("--metric", action="append", required=True, metavar="METRIC[:YEAR]",
                   help="an outcome, e.g. gmv_total:2025 (no year: the last simulated year); repeat for more")
    s.add_argument("--conf-level", type=float, default=0.95, help="confidence level of the intervals")
    _backend_arguments(s)
    s.set_defaults(func=main_sensitivity)


def _backend_arguments(p: argparse.ArgumentParser) -> None:
    add_backend_options(p, workers_default=None)
    p.add_argument("--quiet", action="store_true", help="no progress bar")


def _plan(name: str, sets: dict | None = None, new_name: str | None = None) -> Plan:
    """The plan of a spec; ``sets`` (``--set``) join the spec's ``fixed`` values and ``new_name``
    (``--name``) renames the sweep, so both are recorded in the sweep folder's ``spec.json``."""
    spec = SweepSpec.load(resolve(name, library=SWEEP_DIR))
    if sets:
        swept = sorted(set(sets) & {*spec.parameters, *spec.complements})
        if swept:
            raise CliError(f"--set {swept[0]}: swept by the spec {spec.name}, so it cannot also be set")
        load_scenario(str(spec.base_path()), sets)  # a bad path or value is named as the --set it came from
        spec = spec.model_copy(update={"fixed": {**spec.fixed, **sets}})
    if new_name is not None:
        spec = spec.model_copy(update={"name": new_name})
    return Plan(spec)


def _run(plan: Plan, out: Path, args: argparse.Namespace, resume: bool) -> SweepResult:
    check_backend(args)
    for warning in plan.warnings:
        print(f"warning: {warning}", file=sys.stderr)
    return sweep(plan, out, backend=args.backend, workers=args.workers, scheduler=args.scheduler,
                 resume=resume, progress=not args.quiet)


def main_sweep(args: argparse.Namespace) -> int:
    try:
        result = _run(_plan(args.spec, parse_sets(args.sets), args.name), args.out, args, args.resume)
    except KeyboardInterrupt:
        print(f"interrupted; finished runs are saved in {args.out}: continue with --resume", file=sys.stderr)
        return 130
    print(result.summary())
    return 1 if len(result.failed) else 0


def main_sensitivity(args: argparse.Namespace) -> int:
    targets = [sensitivity.Target.parse(m) for m in args.metric]
    sensitivity.check_conf_level(args.conf_level)
    if args.out is not None and args.out.exists() and not args.out.is_dir():
        raise CliError(f"--out {args.out}: {what_is(args.out)}, not a sweep folder")
    folder = Path(args.spec)
    if folder.is_dir():
        result = SweepResult(folder)
        out = args.out or folder
    else:
        if args.out is None:
            raise CliError("--out is needed with a spec: the folder its sweep runs in")
        plan = _plan(args.spec)
        sensitivity.check(targets, plan.spec)
        result = _run(plan, args.out, args, resume=True)
        out = args.out
        if len(result.failed):
            print(result.summary(), file=sys.stderr)
    table = sensitivity.indices(result, targets, conf_level=args.conf_level)
    write_indices(out, table)
    print(table.to_string(index=False, float_format=number))
    print(f"wrote {out / INDICES} (other outcomes stored there are kept)")
    return 0
