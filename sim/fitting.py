"""Fitting parameters to calibration targets by the method of simulated moments (docs/calibration.md).

A :class:`Problem` says what is fitted: a scenario, its targets (``sim.calibration``), the
parameters to fit with their bounds (:class:`ParameterSpec`) and the seeds. The loss of a set of
parameter values is

    loss = Σ over fit targets of weight × ((mean of the moment over the seeds − target) / uncertainty)²
           + Σ over parameters with a prior_sd of ((value − scenario's value) / prior_sd)²

with the same seeds for every set of values (common random numbers), so two sets differ by
their parameters and not by their luck. :func:`calibrate` searches the bounds with Optuna's TPE
sampler (seeded, so a fit is reproducible), stores the study in SQLite so it can be resumed and
inspected, and prunes trials whose loss after the first seeds is worse than the median of
earlier trials at the same point. This module neither parses command lines nor draws.
"""

from __future__ import annotations

import math
import warnings
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import optuna
import pandas as pd
from pydantic import Field, ValidationError, model_validator

from sim.calibration import Target, Targets, moments
from sim.execute import Job, run_jobs
from sim.results import Result
from sim.scenario import Scenario, ScenarioError, Section, lookup, read_mapping

STUDY_NAME = "calibrate"


class FitError(ScenarioError):
    """A fit that cannot be run as asked; ``errors`` lists one ``field: problem`` line each."""

    def __init__(self, errors: list[str], source: str | None = None):
        super().__init__(errors, source)
        head = f"cannot calibrate with {source}" if source else "cannot calibrate"
        self.args = (head + ":\n" + "\n".join(f"  {e}" for e in errors),)


# ---- the parameters to fit ------------------------------------------------------------------


class Bounds(Section):
    """Search a parameter between ``low`` and ``high``, evenly or (``log: true``) on a log scale.
    With ``prior_sd``, a departure from the scenario's own value costs ((value − own) / prior_sd)² in
    the loss (on a log scale: (ln value − ln own) / prior_sd), as a target missed by one uncertainty
    does: a fit then moves a parameter only as far as the targets pay for."""

    low: float
    high: float
    log: bool = False
    prior_sd: float | None = Field(None, gt=0, le=1e9)

    @model_validator(mode="after")
    def _ordered(self) -> Bounds:
        if not self.low < self.high:
            raise ValueError(f"low {self.low:g} must be below high {self.high:g}")
        if self.log and self.low <= 0:
            raise ValueError(f"a log scale needs low > 0, got {self.low:g}")
        return self

    @property
    def centre(self) -> float:
        return math.sqrt(self.low * self.high) if self.log else (self.low + self.high) / 2


class ParameterSpec(Section):
    """The parameters to fit: dotted scenario paths with their bounds."""

    parameters: dict[str, Bounds] = Field(min_length=1)

    @classmethod
    def load(cls, path: str | Path) -> ParameterSpec:
        path = Path(path)
        data = read_mapping(path, FitError)
        try:
            return cls.model_validate(data)
        except ValidationError as exc:
            raise FitError(_messages(exc), str(path)) from None

    def integers(self, scenario: Scenario) -> dict[str, bool]:
        """Whether each parameter holds whole numbers in ``scenario``."""
        dump = scenario.model_dump()
        return {path: type(lookup(dump, path)[0]) is int for path in self.parameters}

    def errors(self, scenario: Scenario) -> list[str]:
        """Paths that are not numeric parameters of ``scenario`` and bounds it does not allow."""
        dump, errors = scenario.model_dump(), []
        for path, b in self.parameters.items():
            where = f"parameters.{path}"
            value, error = lookup(dump, path)
            if error:
                errors.append(f"{where}: {error}")
                continue
            if isinstance(value, bool) or not isinstance(value, (int, float)):
                errors.append(f"{where}: holds {value!r}, not a number")
                continue
            if b.log and b.prior_sd is not None and value <= 0:
                errors.append(f"{where}.prior_sd: a log-scale prior is centred on the scenario's value, "
                              f"which must be > 0, got {value!r}")
            for side, bound in (("low", b.low), ("high", b.high)):
                if isinstance(value, int) and bound != int(bound):
                    errors.append(f"{where}.{side}: {path} takes whole numbers, got {bound:g}")
                    continue
                try:
                    scenario.with_values({path: int(bound) if isinstance(value, int) else bound})
                except ScenarioError as exc:
                    errors.extend(f"{where}.{side}: {bound:g} is not allowed: {line}" for line in exc.errors)
        return errors

    def overridden(self, scenario: Scenario) -> list[str]:
        """Warnings for fitted parameters that a dated ``set`` event of the scenario changes mid-run."""
        return [f"parameters.{path}: the scenario's timeline sets it in {ev.date}"
                f"{f' ({ev.id})' if ev.id else ''}; the fitted value holds until then"
                for ev in scenario.timeline for path in (ev.set or {}) if path in self.parameters]


def _messages(exc: ValidationError) -> list[str]:
    lines = []
    for err in exc.errors():
        path = ".".join(str(p) for p in err["loc"])
        msg = err["msg"].removeprefix("Value error, ")
        if err["type"] == "extra_forbidden":
            lines.append(f"{path}: unknown field; allowed: parameters (each with low, high, log, prior_sd)")
        elif err["type"] == "value_error":
            lines.append(f"{path}: {msg}" if path else msg)
        else:
            lines.append(f"{path}: {msg}, got {err.get('input')!r}")
    return lines


# ---- the problem and its loss ---------------------------------------------------------------


@dataclass(frozen=True)
class Problem:
    """What is fitted: ``parameters`` of ``scenario`` to the fit targets of ``targets`` on ``seeds``."""

    scenario: Scenario
    targets: Targets
    spec: ParameterSpec
    seeds: tuple[int, ...]
    workers: int = 1

    def __post_init__(self) -> None:
        errors = self.spec.errors(self.scenario) + self.targets.calendar_errors(self.scenario)
        if not self.targets.used("fit"):
            errors.append("targets: none has use: fit")
        if errors:
            raise FitError(errors)

    @property
    def fit(self) -> list[Target]:
        return self.targets.used("fit")

    def with_values(self, values: dict[str, float]) -> Scenario:
        """The scenario at ``values`` (whole-number parameters rounded)."""
        ints = self.spec.integers(self.scenario)
        return self.scenario.with_values({p: int(round(v)) if ints[p] else v for p, v in values.items()})

    def penalty(self, values: dict[str, float]) -> float:
        """The prior's part of the loss: Σ ((value − the scenario's value) / prior_sd)² over parameters
        with a ``prior_sd`` (log scale for ``log`` parameters)."""
        dump, total = self.scenario.model_dump(), 0.0
        for path, b in self.spec.parameters.items():
            if b.prior_sd is None:
                continue
            own = lookup(dump, path)[0]
            gap = math.log(values[path] / own) if b.log else values[path] - own
            total += (gap / b.prior_sd) ** 2
        return total

    def start(self) -> dict[str, float]:
        """The scenario's own values of the fitted parameters that lie within their bounds: the
        first trial of a new study, so a fit is never worse than the scenario it starts from and
        ``trials.csv`` shows that scenario's loss (trial 0)."""
        dump = self.scenario.model_dump()
        own = {path: lookup(dump, path)[0] for path in self.spec.parameters}
        return {path: v for path, v in own.items()
                if isinstance(v, (int, float)) and self.spec.parameters[path].low <= v <= self.spec.parameters[path].high}

    def centre(self) -> dict[str, float]:
        """The middle of every parameter's bounds (geometric on a log scale)."""
        return {path: b.centre for path, b in self.spec.parameters.items()}


def simulate(scenario: Scenario, seeds: list[int], workers: int, full: bool = False) -> list[Result]:
    """Runs of ``scenario`` on ``seeds``: the one place a fit calls the executor. ``full`` runs
    also build products and flows, for targets that read them."""
    return run_jobs([Job(scenario, seed, run_id, full) for run_id, seed in enumerate(seeds)], workers)


def loss(means: dict[str, float], targets: list[Target]) -> float:
    """Σ weight × ((moment − target) / uncertainty)² over ``targets``; NaN if a moment is NaN."""
    return float(sum(t.weight * ((means[t.id] - t.center) / t.se) ** 2 for t in targets))


@dataclass(frozen=True)
class Evaluation:
    """Moments of every target (one row per seed) at a set of parameter values, and the loss."""

    values: dict[str, float]
    moments: pd.DataFrame
    loss: float


def evaluate(problem: Problem, values: dict[str, float], every_target: bool = False) -> Evaluation:
    """Run the problem's seeds at ``values`` and compute the fit targets' moments (with
    ``every_target``, also those of the validate and report targets)."""
    targets = problem.targets.targets if every_target else problem.fit
    results = simulate(problem.with_values(values), list(problem.seeds), problem.workers,
                       full=any(t.needs_products for t in targets))
    rows = pd.DataFrame([moments(r, targets) for r in results], index=pd.Index(problem.seeds, name="seed"))
    return Evaluation(values, rows, loss(rows.mean().to_dict(), problem.fit) + problem.penalty(values))


def fit_table(problem: Problem, evaluation: Evaluation) -> pd.DataFrame:
    """Model beside target, one row per target: the mean and 5th–95th percentile over seeds,
    the z-score (model − target) / uncertainty and its weighted square's share of the loss."""
    rows = []
    for t in problem.targets.targets:
        if t.id not in evaluation.moments:
            continue
        x = evaluation.moments[t.id]
        z = (x.mean() - t.center) / t.se
        rows.append({
            "id": t.id, "label": t.label, "use": t.use, "moment": t.moment.describe(),
            "target": t.center, "uncertainty": t.se, "weight": t.weight,
            "model_mean": x.mean(), "model_p05": x.quantile(0.05), "model_p95": x.quantile(0.95),
            "z": z, "loss_term": t.weight * z**2 if t.use == "fit" else float("nan"),
            "needs_products": t.needs_products,
        })
    return pd.DataFrame(rows)


# ---- the search ------------------------------------------------------------------------------


def open_study(storage: Path, seed: int, startup_trials: int, resume: bool, setup: dict,
               start: dict[str, float] | None = None) -> optuna.Study:
    """A new study in ``storage`` (SQLite), or with ``resume`` the one there, checked to have been
    made with the same ``setup``; trials left running by an interrupted fit are marked failed. A new
    study's first trial is ``start`` (e.g. :meth:`Problem.start`), when given."""
    url = f"sqlite:///{storage}"
    sampler = optuna.samplers.TPESampler(seed=seed, n_startup_trials=startup_trials)
    pruner = optuna.pruners.MedianPruner(n_startup_trials=startup_trials)
    if resume:
        try:
            study = optuna.load_study(study_name=STUDY_NAME, storage=url, sampler=sampler, pruner=pruner)
        except KeyError:
            raise FitError([f"--resume: {storage} holds no study named {STUDY_NAME!r}"]) from None
        before = study.user_attrs.get("setup")
        changed = [k for k in setup if before is None or before.get(k) != setup[k]]
        if changed:
            raise FitError([f"--resume: the study in {storage} was made with another {k}; start a new folder"
                            for k in changed])
        for trial in study.get_trials(deepcopy=False, states=(optuna.trial.TrialState.RUNNING,)):
            study.tell(trial.number, state=optuna.trial.TrialState.FAIL)
        return study
    study = optuna.create_study(study_name=STUDY_NAME, storage=url, sampler=sampler, pruner=pruner,
                                direction="minimize")
    study.set_user_attr("setup", setup)
    if start:
        study.enqueue_trial(start)
    return study


def calibrate(problem: Problem, study: optuna.Study, trials: int,
              callback: Callable[[optuna.Study, optuna.trial.FrozenTrial], None] | None = None) -> optuna.Study:
    """Run trials until ``study`` holds ``trials`` finished ones (complete, pruned or failed).

    Each trial evaluates the seeds in chunks of ``problem.workers`` (run in parallel), reports
    the loss of the moments' mean so far after each chunk, and is pruned when that is worse than
    the median of earlier trials at the same chunk. A trial whose loss is NaN (a moment with a
    zero denominator) fails, with the undefined targets in its user attribute ``undefined``."""
    finished = sum(t.state.is_finished() for t in study.get_trials(deepcopy=False))
    chunk = max(1, problem.workers)
    full = any(t.needs_products for t in problem.fit)
    ints = problem.spec.integers(problem.scenario)

    def objective(trial: optuna.Trial) -> float:
        values = {path: (trial.suggest_int(path, int(b.low), int(b.high), log=b.log) if ints[path]
                         else trial.suggest_float(path, b.low, b.high, log=b.log))
                  for path, b in problem.spec.parameters.items()}
        scenario = problem.with_values(values)
        rows: list[dict[str, float]] = []
        seeds = list(problem.seeds)
        for step, start in enumerate(range(0, len(seeds), chunk)):
            results = simulate(scenario, seeds[start:start + chunk], problem.workers, full)
            rows += [moments(r, problem.fit) for r in results]
            means = pd.DataFrame(rows).mean()
            value = loss(means.to_dict(), problem.fit) + problem.penalty(values)
            if math.isnan(value):
                trial.set_user_attr("undefined", sorted(means.index[means.isna()]))
                return value  # Optuna marks the trial failed
            if start + chunk < len(seeds):
                trial.report(value, step)
                if trial.should_prune():
                    raise optuna.TrialPruned()
        return value

    with warnings.catch_warnings():
        warnings.simplefilter("ignore", optuna.exceptions.ExperimentalWarning)
        study.optimize(objective, n_trials=max(0, trials - finished), catch=(),
                       callbacks=[callback] if callback else None)
    return study


def trials_table(study: optuna.Study) -> pd.DataFrame:
    """The loss history: one row per trial with its state, loss, best loss so far and parameters.
    A pruned trial's loss is its last reported one (over fewer seeds)."""
    rows = []
    for t in study.get_trials(deepcopy=False):
        pruned = t.state == optuna.trial.TrialState.PRUNED and t.intermediate_values
        value = t.intermediate_values[max(t.intermediate_values)] if pruned else t.value
        value = float("nan") if value is None else value
        duration = t.duration.total_seconds() if t.duration else float("nan")
        rows.append({"trial": t.number, "state": t.state.name.lower(), "loss": value, **t.params,
                     "duration_s": duration})
    frame = pd.DataFrame(rows)
    if frame.empty:
        return frame
    complete = frame.loss.where(frame.state == "complete")
    frame.insert(3, "best_so_far", complete.cummin().ffill())
    return frame


def best(study: optuna.Study) -> optuna.trial.FrozenTrial | None:
    """The complete trial with the lowest loss, or None before any trial completes."""
    done = study.get_trials(deepcopy=False, states=(optuna.trial.TrialState.COMPLETE,))
    return min(done, key=lambda t: t.value) if done else None


def undefined(study: optuna.Study) -> list[str]:
    """Fit targets whose moment was NaN in some failed trial."""
    failed = study.get_trials(deepcopy=False, states=(optuna.trial.TrialState.FAIL,))
    return sorted({i for t in failed for i in t.user_attrs.get("undefined", [])})


def importances(study: optuna.Study) -> dict[str, float]:
    """Optuna's parameter importances for the loss, by PED-ANOVA (how much each parameter's
    distribution in the best trials differs from its distribution in all complete trials; Optuna's
    default fANOVA would need scikit-learn); empty with fewer than two complete trials."""
    if len(study.get_trials(deepcopy=False, states=(optuna.trial.TrialState.COMPLETE,))) < 2:
        return {}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", optuna.exceptions.ExperimentalWarning)
        return optuna.importance.get_param_importances(study, evaluator=optuna.importance.PedAnovaImportanceEvaluator())


def draws(study: optuna.Study, top: float) -> pd.DataFrame:
    """The best ``top`` share of complete trials by loss, as a set of parameter draws.

    An approximation of a posterior (an ABC rejection step with a tolerance set by ``top``), not a
    proper one: the trials were proposed by an optimiser, not drawn from the prior."""
    done = study.get_trials(deepcopy=False, states=(optuna.trial.TrialState.COMPLETE,))
    keep = sorted(done, key=lambda t: t.value)[: max(1, int(np.ceil(top * len(done))))] if done else []
    return pd.DataFrame([{"trial": t.number, "loss": t.value, **t.params} for t in keep])
