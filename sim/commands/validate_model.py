"""``validate-model [SCENARIO] [--seeds N] [--fit DIR] [--out FILE]``: write the validation report
(docs/validation.md; :mod:`sim.validation`): the calibration table, the latest fit and how it does on
seeds it was not fitted on, stylised facts, the shipped scenarios' effects with 95 % paired confidence
intervals, and the out-of-sample checks. The same inputs and seeds give the same file."""

from __future__ import annotations

import argparse
import shlex
import time
from pathlib import Path

import numpy as np
import pandas as pd

from sim.calibration import Targets
from sim.catalog import BASELINE, SCENARIO_DIR, resolve, scenario_files
from sim.cli import CliError
from sim.commands.calibrate import targets_path
from sim.commands.common import positive_int, seeds_text
from sim.scenario import Scenario, lookup
from sim.storage import atomic_write
from sim.summary import number
from sim.validation import (FIT_FILES, current_inputs, facts, md_table, simulate, statics, target_moments,
                            target_table, z_text)

DEFAULT_FIT = SCENARIO_DIR / "fits" / "wuhan"
NOT_POLICIES = ("small",)  # shipped files that are not a policy question (the baseline at a tenth of the agents)


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("validate-model", help="write the validation report (docs/validation.md)")
    p.add_argument("scenario", nargs="?", default=BASELINE, help=f"a YAML path or a name (default {BASELINE})")
    p.add_argument("--seeds", type=positive_int, default=20, help="seeds 1…N for every run (default 20)")
    p.add_argument("--targets", default="wuhan", help="a targets YAML or a name in scenarios/targets/ (default wuhan)")
    p.add_argument("--fit", type=Path, default=DEFAULT_FIT,
                   help=f"a calibrate folder with {', '.join(FIT_FILES)} (default scenarios/fits/wuhan); "
                        "'none' to leave the fit out")
    p.add_argument("--policies", nargs="*", metavar="SCENARIO",
                   help="scenarios compared with SCENARIO in §4 (default: every shipped scenario when SCENARIO is "
                        "the baseline, none otherwise)")
    p.add_argument("--workers", type=positive_int, default=2, help="processes running the seeds (default 2)")
    p.add_argument("--out", type=Path, default=Path("docs/validation.md"), help="the report (default docs/validation.md)")
    p.set_defaults(func=main)


def fit_folder(path: Path) -> Path | None:
    """The fit folder, checked to hold what the report reads; None for ``none``."""
    if str(path) == "none":
        return None
    missing = [name for name in FIT_FILES if not (path / name).is_file()]
    if missing:
        raise CliError(f"--fit {path}: not a calibrate folder ({', '.join(missing)} missing); "
                       "run `make refit` or give --fit none")
    return path


def policy_names(given: list[str] | None, scenario: Scenario) -> list[str]:
    """The scenarios of §4: those given, else every shipped policy scenario for the baseline."""
    if given is not None:
        return given
    if scenario.name != BASELINE:
        return []
    return [str(p) for p in scenario_files() if p.stem not in (BASELINE, *NOT_POLICIES)]


def command_of(args: argparse.Namespace) -> str:
    """The command that remakes this report (paths as given)."""
    parts = ["python", "run.py", "validate-model", args.scenario, "--seeds", str(args.seeds),
             "--targets", args.targets, "--fit", str(args.fit)]
    if args.policies is not None:
        parts += ["--policies", *args.policies]
    parts += ["--out", str(args.out)]
    return shlex.join(parts)


def main(args: argparse.Namespace) -> int:
    started = time.perf_counter()
    if args.out.exists() and args.out.is_dir():
        raise CliError(f"--out {args.out}: a folder; give a Markdown file name")
    source = resolve(args.scenario)
    scenario = Scenario.load(source)
    targets_file = targets_path(args.targets)
    targets = Targets.load(targets_file)
    errors = targets.calendar_errors(scenario)
    if errors:
        raise CliError(f"--targets {args.targets}: " + "; ".join(errors))
    fit = fit_folder(args.fit)
    seeds = list(range(1, args.seeds + 1))
    inputs = current_inputs(scenario, targets_file, fit, seeds, command_of(args))

    calibrated = Scenario.load(fit / "calibrated.yaml") if fit else None
    full = [scenario] + ([calibrated] if calibrated else [])
    runs = simulate(full, seeds, args.workers, full=True)
    policies = [Scenario.load(resolve(name)) for name in policy_names(args.policies, scenario)]
    policy_runs = simulate(policies, seeds, args.workers, full=False) if policies else {}

    text = report(scenario, targets, runs[scenario.name], calibrated and runs[calibrated.name], fit, policy_runs,
                  inputs)
    atomic_write(args.out, lambda tmp: tmp.write_text(text, encoding="utf-8"))
    print(f"wrote {args.out} ({len(seeds)} seeds, {time.perf_counter() - started:.0f} s)")
    return 0


def report(scenario, targets, base_runs, fit_runs, fit, policy_runs, inputs) -> str:
    year = int(base_runs[0].yearly.year.max())
    base = target_table(targets, target_moments(base_runs, targets))
    seeds = seeds_text(inputs.seeds[0], len(inputs.seeds))
    lines = [
        inputs.line(),
        f"# Validation of `{scenario.name}`",
        "",
        f"Generated by `{inputs.command}` on model source `{inputs.source}` (scenario digest `{inputs.scenario}`, "
        f"targets `{inputs.targets}`{f', fit `{inputs.fit}`' if inputs.fit else ''}); every run on {seeds} "
        "(common random numbers). Do not edit by hand: `make reports` regenerates it, and "
        "`tests/test_validation_report.py` fails when the model, the scenario, the targets or the fit change.",
        "",
        "## 1. Calibration targets",
        "",
        "Each published figure (`scenarios/targets/wuhan.yaml`) beside the scenario's mean and 90 % interval over "
        "the seeds. `fit`: scored when fitting; `validate`: kept out of fitting (out-of-sample, §5); `report`: "
        "shown only. z = (mean − target) / uncertainty, bold when |z| > 2.",
        "",
        *md_table(["target", "use", "figure", "mean", "90 % interval", "z", "source"],
                  [[r.label, r.use, str(r.figure), number(r.mean), f"{number(r.p05)} – {number(r.p95)}",
                    z_text(r.z), r.source] for r in base.itertuples()]),
        "",
        f"Loss over the fit targets (Σ z², weights {', '.join(sorted({f'{t.weight:g}' for t in targets.used('fit')}))}): "
        f"**{_loss(base, targets):.2f}**.",
        "",
    ]
    lines += _fit_section(scenario, targets, fit, fit_runs, base)
    lines += _facts_section(base_runs, fit_runs)
    lines += _statics_section(base_runs, policy_runs, year)
    lines += _oos_section(targets, base, fit_runs)
    return "\n".join(lines) + "\n"


def _loss(table: pd.DataFrame, targets: Targets) -> float:
    weights = {t.id: t.weight for t in targets.targets}
    fit = table[table.use == "fit"]
    return float(sum(weights[r.id] * r.z ** 2 for r in fit.itertuples()))


def _fit_section(scenario, targets, fit, fit_runs, base) -> list[str]:
    lines = ["## 2. The latest fit", ""]
    if fit is None:
        return lines + ["No fit folder was given (`--fit none`).", ""]
    manifest = pd.read_json(fit / "manifest.json", typ="series")
    table = pd.read_csv(fit / "fit.csv")
    best = manifest["best"]
    dump = scenario.model_dump()
    lines += [
        f"From `{fit}` (`make refit`: `python run.py calibrate` with the spec "
        f"`scenarios/targets/wuhan_parameters.yaml`; {manifest['trials']['complete']} complete of "
        f"{manifest['trials']['requested']} trials on {seeds_text(manifest['seeds'][0], len(manifest['seeds']))}). "
        "The fitted values are **not** adopted by the baseline; the table says what adopting them would do.",
        "",
        *md_table(["parameter", "baseline", "fitted", "search bounds"],
                  [[f"`{p}`", f"{lookup(dump, p)[0]:.4g}", f"{v:.4g}",
                    f"{manifest['parameters'][p]['low']:g} – {manifest['parameters'][p]['high']:g}"
                    + (" (log)" if manifest['parameters'][p].get('log') else "")]
                   for p, v in best["params"].items()]),
        "",
        f"Best loss on the fit's own seeds: **{best['loss']:.2f}** (trial {best['trial']}): "
        f"{table.loss_term.sum():.2f} from the fit targets and {best['loss'] - table.loss_term.sum():.2f} from the "
        "priors of the parameter spec (`prior_sd`: the cost of moving away from the baseline's values).",
        "",
    ]
    fresh = target_table(targets, target_moments(fit_runs, targets))
    rows = []
    for r in fresh.itertuples():
        own = table[table.id == r.id]
        own_z = float(own.z.iloc[0]) if len(own) else np.nan
        base_z = float(base.loc[base.id == r.id, "z"].iloc[0])
        rows.append([r.label, r.use, z_text(base_z), z_text(own_z), z_text(r.z), number(r.mean)])
    lines += [
        "z per target: the baseline, the fitted values on the fit's own seeds (`fit.csv`), and the fitted values on "
        "this report's seeds (a check that the fit is not to its seeds' luck).",
        "",
        *md_table(["target", "use", "z baseline", "z fitted (fit seeds)", "z fitted (report seeds)", "fitted mean"],
                  rows),
        "",
        f"Loss over the fit targets (priors left out) of the fitted values on the report's seeds: "
        f"**{_loss(fresh, targets):.2f}** (baseline {_loss(base, targets):.2f}).",
        "",
    ]
    return lines


def _facts_section(base_runs, fit_runs) -> list[str]:
    lines = ["## 3. Stylised facts", "",
             "Over the seeds (mean [90 % interval]). Heavy tails: the top 10 % of products' share of all product "
             "revenue, and the slope of log revenue on log rank among products that sold (Zipf: about −1). "
             "Listed-vs-traded: the share of products ever listed on an exchange that ever sold there. Growth path: "
             "GMV and the exchange share by year.", ""]
    frames = {"baseline": facts(base_runs)}
    if fit_runs:
        frames["fitted"] = facts(fit_runs)
    columns = [c for c in frames["baseline"].columns if c != "seed"]
    rows = []
    for c in columns:
        rows.append([c, *(_cell(f[c]) for f in frames.values())])
    return lines + md_table(["fact", *frames], rows) + [""]


def _cell(x: pd.Series) -> str:
    return f"{number(x.mean())} [{number(x.quantile(0.05))}, {number(x.quantile(0.95))}]"


def _statics_section(base_runs, policy_runs, year) -> list[str]:
    lines = ["## 4. Comparative statics", ""]
    if not policy_runs:
        return lines + ["No scenario to compare (`--policies`; by default every shipped scenario, for the baseline).", ""]
    table = statics(base_runs, policy_runs, year)
    lines += [f"Each shipped scenario minus the baseline in {year}, paired by seed: the mean difference and its "
              "95 % confidence interval (Student t over the seeds; `sim.summary.effects`, as `compare` reports). "
              "A * marks an interval that excludes 0.", ""]
    metrics = list(dict.fromkeys(table.metric))
    rows = []
    for name in policy_runs:
        cells = []
        for m in metrics:
            r = table[(table.scenario == name) & (table.metric == m)].iloc[0]
            sign = "*" if r.ci_low > 0 or r.ci_high < 0 else ""
            cells.append(f"{number(r['mean'])}{sign} ({number(r.ci_low)}, {number(r.ci_high)})")
        rows.append([f"`{name}`", *cells])
    return lines + md_table(["scenario", *metrics], rows) + [""]


def _oos_section(targets, base, fit_runs) -> list[str]:
    held = targets.used("validate")
    lines = ["## 5. Out-of-sample checks", "",
             "The `validate` targets: figures no fit was scored on.", ""]
    fitted = target_table(targets, target_moments(fit_runs, targets)) if fit_runs else None
    rows = []
    for t in held:
        b = base[base.id == t.id].iloc[0]
        row = [t.label, str(t.figure), f"{number(b['mean'])} ({z_text(b.z)})"]
        if fitted is not None:
            f = fitted[fitted.id == t.id].iloc[0]
            row.append(f"{number(f['mean'])} ({z_text(f.z)})")
        rows.append(row)
    header = ["target", "figure", "baseline (z)"] + (["fitted (z)"] if fitted is not None else [])
    return lines + md_table(header, rows) + [""]
