"""``calibrate SCENARIO --targets FILE --parameters SPEC --trials N --out DIR``: fit parameters to
calibration targets by the method of simulated moments (``sim.fitting``; docs/calibration.md).

DIR holds ``study.db`` (the Optuna study, resumable with ``--resume``), ``calibrated.yaml`` (the
scenario with the fitted values, extending the input by path), ``fit.csv`` (model beside target),
``trials.csv`` (the loss history), ``loss.png``, ``importance.png``, ``draws.csv`` (with
``--draws``) and ``manifest.json``.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

import yaml

from sim.calibration import TARGETS_DIR, Targets, file_hash
from sim.catalog import resolve
from sim.cli import CliError
from sim.commands.common import command_provenance, positive_int, seeds_text
from sim.folders.results import where
from sim.provenance import repo_path
from sim.storage import prepare
from sim.scenario import Scenario, nest
from sim.storage import atomic_write, write_csv, write_json

STUDY = "study.db"
FILES = {
    "calibrated.yaml": "the scenario with the fitted values (extends the input scenario)",
    "fit.csv": "model beside target for every target: mean, 5th–95th percentile over seeds, z-score",
    "trials.csv": "loss of every trial and the best so far, with its parameter values",
    "loss.png": "loss by trial, best so far",
    "importance.png": "importance of each parameter for the loss (PED-ANOVA)",
    "draws.csv": "with --draws: the best trials as parameter draws (an approximation)",
    "study.db": "the Optuna study (SQLite): continue with --resume, inspect with optuna",
    "manifest.json": "inputs, their hashes, seeds, sampler, versions and the best loss",
}


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("calibrate", help="fit parameters to calibration targets (method of simulated moments)")
    p.add_argument("scenario", help="a YAML path or a name from scenarios/")
    p.add_argument("--targets", required=True, help="a targets YAML, or a name from scenarios/targets/ (e.g. wuhan)")
    p.add_argument("--parameters", required=True, type=Path, help="YAML of dotted parameter paths with low/high bounds")
    p.add_argument("--trials", required=True, type=positive_int, help="trials in the study in all (with --resume too)")
    p.add_argument("--seeds", type=positive_int, default=4, help="seeds per trial, the same in every trial (default 4)")
    p.add_argument("--seed", type=int, default=1, help="first seed; also seeds the sampler (default 1)")
    p.add_argument("--startup-trials", type=positive_int, default=10,
                   help="random trials before the TPE sampler and the pruner start (default 10)")
    p.add_argument("--workers", type=positive_int, default=1,
                   help="processes running a trial's seeds at once (default 1: seed by seed, pruned soonest)")
    p.add_argument("--draws", type=_share, metavar="Q",
                   help="also write draws.csv: the best share Q of trials as parameter draws (approximate)")
    p.add_argument("--out", required=True, type=Path, help="results folder")
    mode = p.add_mutually_exclusive_group()
    mode.add_argument("--force", action="store_true", help="start a new fit in a folder that already holds files")
    mode.add_argument("--resume", action="store_true", help="continue the study in --out up to --trials trials")
    p.set_defaults(func=main)


def _share(text: str) -> float:
    value = float(text)
    if not 0 < value <= 1:
        raise argparse.ArgumentTypeError(f"must be in (0, 1], got {value:g}")
    return value


def targets_path(name: str) -> Path:
    """A targets path, or the file of that name in ``scenarios/targets/``."""
    path = Path(name)
    candidate = TARGETS_DIR / f"{name}.yaml"
    return candidate if not path.exists() and candidate.is_file() else path


def main(args: argparse.Namespace) -> int:
    # Imported here, not on every command line: Optuna and the figures take a moment to load.
    import optuna

    from analysis.calibration import importance_bars, loss_history
    from sim.fitting import (ParameterSpec, Problem, best, calibrate, draws, evaluate, fit_table, importances,
                             open_study, trials_table, undefined)

    started = time.perf_counter()
    source = resolve(args.scenario)
    targets_file = targets_path(args.targets)
    targets = Targets.load(targets_file)
    spec = ParameterSpec.load(args.parameters)
    seeds = tuple(range(args.seed, args.seed + args.seeds))
    problem = Problem(Scenario.load(source), targets, spec, seeds, args.workers)
    out = _prepare(args.out, args.force, args.resume)
    for warning in spec.overridden(problem.scenario):
        print(f"warning: {warning}", file=sys.stderr)

    setup = {"scenario": problem.scenario.digest(), "targets": file_hash(targets_file),
             "parameters": spec.model_dump()["parameters"], "seeds": list(seeds)}
    optuna.logging.set_verbosity(optuna.logging.WARNING)
    study = open_study(out / STUDY, args.seed, args.startup_trials, args.resume, setup, problem.start())
    try:
        calibrate(problem, study, args.trials, callback=_report)
    except KeyboardInterrupt:
        print(f"interrupted; finished trials are saved in {out / STUDY}: continue with --resume", file=sys.stderr)
        return 130
    trials = trials_table(study)
    write_csv(trials, out / "trials.csv")
    top = best(study)
    if top is None:
        nan = undefined(study)
        why = f": the moment of {', '.join(nan)} was undefined (NaN), e.g. a zero denominator" if nan else ""
        raise CliError(f"no trial completed{why}; the trials are in {out / 'trials.csv'}")

    evaluation = evaluate(problem, top.params, every_target=True)
    fit = fit_table(problem, evaluation)
    _write_scenario(out / "calibrated.yaml", source, problem.scenario.name, top.params, top.value, seeds)
    write_csv(fit, out / "fit.csv")
    _save(loss_history(trials).figure, out / "loss.png")
    weights = importances(study)
    if weights:
        _save(importance_bars(weights).figure, out / "importance.png")
    else:  # none left over from an earlier fit in this folder
        (out / "importance.png").unlink(missing_ok=True)
    if args.draws:
        write_csv(draws(study, args.draws), out / "draws.csv")
    else:
        (out / "draws.csv").unlink(missing_ok=True)
    states = trials.state.value_counts().to_dict()
    write_json({
        "scenario": {"path": repo_path(source), "name": problem.scenario.name, "hash": problem.scenario.digest()},
        "targets": {"path": repo_path(targets_file), "sha256": setup["targets"]},
        "parameters": setup["parameters"],
        "seeds": list(seeds),
        "sampler": {"name": "TPESampler", "seed": args.seed, "startup_trials": args.startup_trials},
        "pruner": {"name": "MedianPruner", "startup_trials": args.startup_trials, "step": f"{args.workers} seed(s)"},
        "trials": {"requested": args.trials, **{s: int(states.get(s, 0)) for s in ("complete", "pruned", "fail")}},
        "best": {"trial": top.number, "loss": top.value, "params": top.params},
        "importances": weights,
        **_provenance(args, started, optuna.__version__),
    }, out / "manifest.json")

    print(f"{problem.scenario.name}: {len(trials)} trials on {seeds_text(args.seed, args.seeds)}; "
          f"best loss {top.value:.4g} (trial {top.number})")
    for path, value in top.params.items():
        print(f"  {path} = {value:.6g}")
    print()
    print(fit[["id", "use", "target", "uncertainty", "model_mean", "model_p05", "model_p95", "z"]]
          .to_string(index=False, float_format=lambda v: f"{v:.4g}"))
    print()
    print(where(out, {name: text for name, text in FILES.items() if (out / name).exists()}))
    return 0


def _provenance(args: argparse.Namespace, started: float, optuna_version: str) -> dict:
    """The command's provenance, with Optuna among the versions that shape a fit."""
    out = command_provenance(args, started)
    out["versions"]["optuna"] = optuna_version
    return out


def _prepare(out: Path, force: bool, resume: bool) -> Path:
    """The folder, checked: with ``resume`` it must hold a study; otherwise it must be empty unless
    ``force``, which starts the study afresh."""
    if resume:
        if not (out / STUDY).is_file():
            raise CliError(f"--resume: no study in {out} ({STUDY} is missing); start without --resume")
        return out
    prepare(out, force)
    (out / STUDY).unlink(missing_ok=True)
    return out


def _report(study, trial) -> None:
    """One line per finished trial (an Optuna callback)."""
    from sim.fitting import best

    value = trial.value if trial.value is not None else float("nan")
    top = best(study)
    best_text = f"{top.value:.4g}" if top else "—"
    print(f"trial {trial.number:>4}  {trial.state.name.lower():<8}  loss {value:<10.4g}  best {best_text}")


def _write_scenario(path: Path, source: Path, name: str, values: dict, loss: float, seeds: tuple[int, ...]) -> None:
    """A scenario that extends ``source`` by path and sets only the fitted ``values``."""
    data: dict = {"extends": os.path.relpath(source.resolve(), path.parent.resolve()),
                  "name": f"{name}_calibrated",
                  "description": f"{name} with {', '.join(values)} fitted (loss {loss:.4g})"}
    nest(values, into=data)
    head = (f"# Fitted by `python run.py calibrate` on seeds {seeds[0]}–{seeds[-1]}; "
            "fit.csv and manifest.json beside this file say to what and how well.\n")
    text = head + yaml.safe_dump(data, sort_keys=False, allow_unicode=True)
    atomic_write(path, lambda tmp: tmp.write_text(text, encoding="utf-8"))


def _save(figure, path: Path) -> None:
    atomic_write(path, lambda tmp: figure.savefig(tmp, format="png", dpi=120))
