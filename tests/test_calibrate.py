"""``python run.py calibrate``: recovery of known parameters from targets the model itself made
(the acceptance test), then what the command writes, how it resumes and how it refuses bad input."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import optuna
import pandas as pd
import pytest
import sqlalchemy
import yaml

from sim import Scenario, run
from sim.calibration import Targets
from sim.cli import main
from sim.fitting import ParameterSpec, Problem, evaluate

ROOT = Path(__file__).resolve().parents[1]
SMALL = ROOT / "scenarios" / "small.yaml"
BASELINE = ROOT / "scenarios" / "wuhan_2023_2025.yaml"
LATER_EVENTS = ("compliance_regime", "cultivation", "authorize_health_education", "data_asset_registration",
                "open_regional_exchange", "declaration_commitment", "authorize_credit")


def cli(*argv) -> int:
    return main([str(a) for a in argv])


def write_yaml(path: Path, data: dict) -> Path:
    path.write_text(yaml.safe_dump(data, sort_keys=False, allow_unicode=True), encoding="utf-8")
    return path


def scored(id_: str, moment: dict, value: float, uncertainty: float, use: str = "fit") -> dict:
    return {"id": id_, "label": id_, "moment": moment, "value": float(value), "uncertainty": float(uncertainty),
            "uncertainty_basis": "noise of a two-seed mean against a six-seed target, measured on the truth's runs", "use": use}


# ---- recovery of known parameters -------------------------------------------------------------

TRUTH = {"behaviour.value_scale": 10.0, "behaviour.risk_exchange": 0.4}
BOUNDS = {"behaviour.value_scale": {"low": 5, "high": 25}, "behaviour.risk_exchange": {"low": 0.1, "high": 0.9}}
# Within these of the truth: a sixth of value_scale (GMV moves ~10 % per unit; the mean of two
# seeds is noisy by ~4 %) and 0.16 of risk_exchange (the share of value lost when an exchange deal
# goes wrong: around 0.4 the exchange share moves less than it did with a fixed perceived risk,
# because buyers learn that exchange deals rarely go wrong; two seeds are noisy by ~0.015, so 0.16
# is a few standard errors). The bounds' centre (15, 0.5) lies outside both.
TOLERANCE = {"behaviour.value_scale": 10.0 / 6, "behaviour.risk_exchange": 0.16}


def test_calibrate_recovers_known_parameters_from_targets_the_model_made(tmp_path, capsys):
    """Targets are the model's own moments at TRUTH (mean of six other seeds); calibrate with two
    seeds and 40 trials through the command line lands within TOLERANCE of TRUTH."""
    # small.yaml's 2023–2024, for speed, starting far from the truth: a fit's first trial is the
    # scenario's own values
    scenario = write_yaml(tmp_path / "two_years.yaml", {
        "extends": str(SMALL), "calendar": {"end": "2024-12"}, "timeline": [{"id": "authorize_credit", "remove": True}],
        "behaviour": {"value_scale": 20.0, "risk_exchange": 0.75}})
    truth = Scenario.load(scenario, overrides=TRUTH)
    runs = [run(truth, seed, full=False) for seed in range(101, 107)]
    yearly = pd.concat([r.yearly for r in runs])
    share_runs = np.array([r.metrics.gmv_exchange.sum() / r.metrics.gmv_total.sum() for r in runs])
    merchants = np.mean([r.metrics.n_merchants.iloc[-1] for r in runs])

    def noise(values) -> float:
        """Standard error of a two-seed model mean against a six-seed target, from the truth's runs."""
        return float(np.std(values, ddof=1) * np.sqrt(1 / 2 + 1 / 6))

    def yearly_target(id_: str, metric: str, year: int) -> dict:
        values = yearly[yearly.year == year][metric]
        return scored(id_, {"kind": "yearly", "metric": metric, "year": year}, values.mean(), noise(values))

    targets = write_yaml(tmp_path / "targets.yaml", {"targets": [
        yearly_target("gmv_2023", "gmv_total", 2023),
        yearly_target("gmv_2024", "gmv_total", 2024),
        yearly_target("gmv_exchange_2024", "gmv_exchange", 2024),
        scored("exchange_share", {"kind": "ratio_of_sums", "numerator": "gmv_exchange", "denominator": "gmv_total",
                                  "start": "2023-01", "end": "2024-12"}, share_runs.mean(), noise(share_runs)),
        scored("merchants", {"kind": "last", "metric": "n_merchants"}, merchants, 0.1 * merchants, use="validate"),
    ]})
    spec = write_yaml(tmp_path / "spec.yaml", {"parameters": BOUNDS})
    out = tmp_path / "fit"

    assert cli("calibrate", scenario, "--targets", targets, "--parameters", spec, "--trials", 40, "--seeds", 2,
               "--startup-trials", 10, "--out", out) == 0
    assert "best loss" in capsys.readouterr().out

    fitted = Scenario.load(out / "calibrated.yaml")
    for path, value in TRUTH.items():
        section, name = path.split(".")
        assert abs(getattr(getattr(fitted, section), name) - value) < TOLERANCE[path], (path, fitted.behaviour)
    problem = Problem(Scenario.load(scenario), Targets.load(targets), ParameterSpec.load(spec), (1, 2))
    at_truth, at_centre = evaluate(problem, TRUTH).loss, evaluate(problem, problem.centre()).loss
    manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    assert at_truth < at_centre / 10 and manifest["best"]["loss"] < at_centre / 10

    # The fit table reproduces the best trial's loss (the same seeds, so the same runs) and keeps
    # the validate target out of it.
    fit = pd.read_csv(out / "fit.csv")
    assert fit.loss_term.sum() == pytest.approx(manifest["best"]["loss"], rel=1e-9)
    assert fit.set_index("id").use.to_dict() == {"gmv_2023": "fit", "gmv_2024": "fit", "gmv_exchange_2024": "fit",
                                                 "exchange_share": "fit",
                                                 "merchants": "validate"}
    assert (fit.model_p05 <= fit.model_mean).all() and (fit.model_mean <= fit.model_p95).all()
    trials = pd.read_csv(out / "trials.csv")
    start = trials.set_index("trial").loc[0]
    assert (start["behaviour.value_scale"], start["behaviour.risk_exchange"]) == (20.0, 0.75)
    assert len(trials) == 40 and set(trials.state) <= {"complete", "pruned"} and (trials.state == "pruned").any()
    assert trials.best_so_far.dropna().is_monotonic_decreasing
    assert trials.best_so_far.iloc[-1] == pytest.approx(manifest["best"]["loss"])


# ---- what the command writes, resuming, refusing ----------------------------------------------------


@pytest.fixture(scope="module")
def tiny(tmp_path_factory) -> dict[str, Path]:
    """The baseline's 2023 at 2 000 users, targets on it, and a spec with an integer parameter."""
    folder = tmp_path_factory.mktemp("tiny")
    scenario = write_yaml(folder / "tiny.yaml", {
        "extends": str(BASELINE), "population": {"users": {"count": 2000, "represents": 500}},
        "calendar": {"end": "2023-12"}, "timeline": [{"id": e, "remove": True} for e in LATER_EVENTS]})
    targets = write_yaml(folder / "targets.yaml", {"targets": [
        scored("gmv", {"kind": "yearly", "metric": "gmv_total", "year": 2023, "scale": 1e-4}, 6, 1),
        scored("share", {"kind": "ratio_of_sums", "numerator": "gmv_exchange", "denominator": "gmv_total",
                         "start": "2023-01", "end": "2023-12"}, 0.05, 0.02),
        {"id": "top", "label": "top decile", "moment": {"kind": "top_share", "fraction": 0.1},
         "low": 0.5, "high": 1.0, "use": "validate"},
    ]})
    spec = write_yaml(folder / "spec.yaml", {"parameters": {
        "behaviour.value_scale": {"low": 5, "high": 30, "log": True},
        "exchanges.pilot_platform.reach": {"low": 0, "high": 3}}})
    return {"scenario": scenario, "targets": targets, "spec": spec}


def calibrate(tiny, out, *extra) -> int:
    return cli("calibrate", tiny["scenario"], "--targets", tiny["targets"], "--parameters", tiny["spec"],
               "--seeds", 2, "--startup-trials", 2, "--out", out, *extra)


def test_calibrated_scenario_extends_the_input_and_sets_only_the_fitted_values(tiny, tmp_path):
    out = tmp_path / "fit"
    assert calibrate(tiny, out, "--trials", 4, "--draws", 0.5) == 0
    text = yaml.safe_load((out / "calibrated.yaml").read_text(encoding="utf-8"))
    assert (out / text["extends"]).resolve() == tiny["scenario"].resolve()
    assert set(text) == {"extends", "name", "description", "behaviour", "exchanges"}
    assert list(text["exchanges"]["pilot_platform"]) == ["reach"]
    assert isinstance(text["exchanges"]["pilot_platform"]["reach"], int)
    manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    fitted = Scenario.load(out / "calibrated.yaml")
    assert fitted.behaviour.value_scale == manifest["best"]["params"]["behaviour.value_scale"]
    expected = Scenario.load(tiny["scenario"]).with_values(manifest["best"]["params"])
    assert fitted.model_dump(exclude={"name", "description"}) == expected.model_dump(exclude={"name", "description"})

    assert manifest["seeds"] == [1, 2] and manifest["trials"]["requested"] == 4
    assert manifest["targets"]["sha256"] and manifest["versions"]["optuna"].startswith("4.")
    for name in ("loss.png", "importance.png"):
        assert (out / name).read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    fit = pd.read_csv(out / "fit.csv").set_index("id")
    assert bool(fit.needs_products["top"]) and 0.5 < fit.model_mean["top"] <= 1  # a full run for the validate target
    trials = pd.read_csv(out / "trials.csv")
    complete = trials[trials.state == "complete"].sort_values("loss")
    draws = pd.read_csv(out / "draws.csv")
    assert len(draws) == int(np.ceil(len(complete) / 2))
    assert draws.trial.tolist() == complete.trial.tolist()[: len(draws)]
    study = optuna.load_study(study_name="calibrate", storage=f"sqlite:///{out / 'study.db'}")
    assert len(study.trials) == 4 and study.best_value == manifest["best"]["loss"]


def test_resume_continues_the_study_to_the_requested_trials(tiny, tmp_path, capsys):
    out = tmp_path / "fit"
    assert calibrate(tiny, out, "--trials", 3) == 0
    first = pd.read_csv(out / "trials.csv")
    assert calibrate(tiny, out, "--trials", 5, "--resume") == 0
    resumed = pd.read_csv(out / "trials.csv")
    assert len(resumed) == 5
    pd.testing.assert_frame_equal(resumed.head(3).drop(columns="duration_s"), first.drop(columns="duration_s"))
    assert json.loads((out / "manifest.json").read_text(encoding="utf-8"))["trials"]["requested"] == 5

    capsys.readouterr()
    assert calibrate(tiny, out, "--trials", 6, "--resume", "--seed", 7) == 2
    assert "the study in" in (err := capsys.readouterr().err) and "another seeds; start a new folder" in err
    assert len(pd.read_csv(out / "trials.csv")) == 5


def test_a_folder_with_files_is_refused_without_force_and_replaced_with_it(tiny, tmp_path, capsys):
    out = tmp_path / "fit"
    out.mkdir()
    (out / "notes.txt").write_text("mine", encoding="utf-8")
    assert calibrate(tiny, out, "--trials", 2) == 2
    assert "is not empty; pass --force" in capsys.readouterr().err
    assert sorted(p.name for p in out.iterdir()) == ["notes.txt"]
    assert calibrate(tiny, out, "--trials", 2, "--force") == 0
    assert calibrate(tiny, out, "--trials", 2, "--force") == 0  # a fresh study, not a continued one
    assert len(pd.read_csv(out / "trials.csv")) == 2 and (out / "notes.txt").read_text(encoding="utf-8") == "mine"

    capsys.readouterr()
    assert calibrate(tiny, tmp_path / "empty", "--trials", 2, "--resume") == 2
    assert "--resume: no study in" in capsys.readouterr().err


@pytest.mark.parametrize("parameters, message", [
    ({"behaviour.valu_scale": {"low": 1, "high": 2}},
     "parameters.behaviour.valu_scale: no such parameter in the scenario; behaviour has"),
    ({"behaviour.risk_exchange": {"low": 0.1, "high": 1.5}},
     "parameters.behaviour.risk_exchange.high: 1.5 is not allowed: behaviour.risk_exchange: "
     "Input should be less than or equal to 1"),
    ({"policy.pricing.regime": {"low": 0, "high": 1}}, "parameters.policy.pricing.regime: holds 'cost_plus_cap', not a number"),
    ({"behaviour": {"low": 0, "high": 1}}, "parameters.behaviour: a group of parameters, not one"),
    ({"exchanges.pilot_platform.reach": {"low": 0.5, "high": 3}},
     "parameters.exchanges.pilot_platform.reach.low: exchanges.pilot_platform.reach takes whole numbers, got 0.5"),
    ({"behaviour.value_scale": {"low": 0, "high": 20, "log": True}},
     "parameters.behaviour.value_scale: a log scale needs low > 0, got 0"),
    ({"behaviour.value_scale": {"low": 20, "high": 5}}, "parameters.behaviour.value_scale: low 20 must be below high 5"),
    ({"behaviour.value_scale": {"low": 5, "hi": 20}}, "parameters.behaviour.value_scale.hi: unknown field"),
    ({"behaviour.value_scale": {"low": 5, "high": 20, "prior_sd": 0}},
     "parameters.behaviour.value_scale.prior_sd: Input should be greater than 0"),
])
def test_bad_parameter_spec_exits_2_naming_the_field_and_writes_nothing(tiny, tmp_path, capsys, parameters, message):
    spec = write_yaml(tmp_path / "spec.yaml", {"parameters": parameters})
    out = tmp_path / "fit"
    code = cli("calibrate", tiny["scenario"], "--targets", tiny["targets"], "--parameters", spec, "--trials", 2,
               "--out", out)
    err = capsys.readouterr().err
    assert code == 2 and message in err, err
    assert not out.exists()


def test_a_prior_adds_its_cost_to_the_loss_of_every_trial_and_of_the_best(tiny, tmp_path):
    """loss = Σ target terms + Σ ((value − the scenario's own) / prior_sd)² (log scale for log parameters):
    exactly, in evaluate and in the fit's files; a value at the scenario's own costs nothing."""
    spec = write_yaml(tmp_path / "spec.yaml", {"parameters": {
        "behaviour.value_scale": {"low": 5, "high": 30, "log": True, "prior_sd": 0.5},
        "exchanges.pilot_platform.reach": {"low": 0, "high": 3, "prior_sd": 2}}})
    scenario = Scenario.load(tiny["scenario"])
    plain = Problem(scenario, Targets.load(tiny["targets"]), ParameterSpec.load(tiny["spec"]), (1,))
    prior = Problem(scenario, plain.targets, ParameterSpec.load(spec), (1,))
    values = {"behaviour.value_scale": 20.0, "exchanges.pilot_platform.reach": 3}
    cost = (np.log(20.0 / scenario.behaviour.value_scale) / 0.5) ** 2 + ((3 - scenario.exchanges["pilot_platform"].reach) / 2) ** 2
    assert evaluate(prior, values).loss == pytest.approx(evaluate(plain, values).loss + cost, rel=1e-12)
    own = {"behaviour.value_scale": scenario.behaviour.value_scale,
           "exchanges.pilot_platform.reach": scenario.exchanges["pilot_platform"].reach}
    assert prior.penalty(own) == 0
    out = tmp_path / "fit"
    assert cli("calibrate", tiny["scenario"], "--targets", tiny["targets"], "--parameters", spec, "--seeds", 1,
               "--trials", 3, "--out", out) == 0
    manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    fit = pd.read_csv(out / "fit.csv")
    assert manifest["best"]["loss"] == pytest.approx(fit.loss_term.sum() + prior.penalty(manifest["best"]["params"]),
                                                     rel=1e-9)


def test_a_parameter_the_timeline_changes_mid_run_is_warned_about(tiny):
    spec = ParameterSpec.model_validate({"parameters": {"behaviour.quality_gain": {"low": 0.01, "high": 0.1}}})
    warnings = spec.overridden(Scenario.load(tiny["scenario"]))
    assert warnings == ["parameters.behaviour.quality_gain: the scenario's timeline sets it in 2023-10 (standards); "
                        "the fitted value holds until then"]


def test_moments_are_the_same_whether_seeds_run_in_one_process_or_two(tiny):
    problem = Problem(Scenario.load(tiny["scenario"]), Targets.load(tiny["targets"]), ParameterSpec.load(tiny["spec"]),
                      (1, 2), workers=1)
    parallel = Problem(problem.scenario, problem.targets, problem.spec, problem.seeds, workers=2)
    values = {"behaviour.value_scale": 12.0, "exchanges.pilot_platform.reach": 2}
    one, two = evaluate(problem, values), evaluate(parallel, values)
    pd.testing.assert_frame_equal(one.moments, two.moments)
    assert one.loss == two.loss and one.moments.notna().all().all()


def test_a_target_undefined_in_every_trial_is_named_and_exits_2(tiny, tmp_path, capsys):
    """No vouchers are paid in the tiny scenario, so a ratio over voucher spending is 0 / 0."""
    targets = write_yaml(tmp_path / "targets.yaml", {"targets": [
        scored("per_voucher", {"kind": "ratio_of_sums", "numerator": "gmv_total", "denominator": "voucher_spend",
                               "start": "2023-01", "end": "2023-12"}, 1.0, 0.1)]})
    out = tmp_path / "fit"
    code = cli("calibrate", tiny["scenario"], "--targets", targets, "--parameters", tiny["spec"], "--trials", 2,
               "--seeds", 1, "--out", out)
    assert code == 2
    assert "no trial completed: the moment of per_voucher was undefined (NaN)" in capsys.readouterr().err
    assert set(pd.read_csv(out / "trials.csv").state) == {"fail"}


def test_resume_after_a_kill_keeps_finished_trials_and_fails_the_one_left_running(tiny, tmp_path):
    out = tmp_path / "fit"
    command = [sys.executable, "run.py", "calibrate", str(tiny["scenario"]), "--targets", str(tiny["targets"]),
               "--parameters", str(tiny["spec"]), "--trials", "200", "--seeds", "2", "--startup-trials", "2",
               "--out", str(out)]
    proc = subprocess.Popen(command, cwd=ROOT, start_new_session=True,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    storage = f"sqlite:///{out / 'study.db'}"
    finished: list = []
    deadline = time.monotonic() + 90
    try:
        while len(finished) < 3:
            assert proc.poll() is None and time.monotonic() < deadline, "the fit ended before it could be killed"
            time.sleep(0.1)
            try:
                finished = [t for t in optuna.load_study(study_name="calibrate", storage=storage).trials
                            if t.state.is_finished()]
            except (KeyError, sqlalchemy.exc.OperationalError):  # not created yet
                continue
    finally:
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait()
    before = optuna.load_study(study_name="calibrate", storage=storage).trials
    running = [t.number for t in before if t.state == optuna.trial.TrialState.RUNNING]

    assert calibrate(tiny, out, "--trials", len(before) + 2, "--resume") == 0
    trials = pd.read_csv(out / "trials.csv").set_index("trial")
    assert len(trials) == len(before) + 2
    assert trials.state[running].eq("fail").all()
    for t in before:
        if t.state.is_finished():
            assert trials.state[t.number] == t.state.name.lower()
            assert trials.loc[t.number, list(t.params)].tolist() == pytest.approx(list(t.params.values()))


def test_a_fit_names_inputs_inside_the_project_by_their_project_path(tmp_path):
    """A fit committed with the project (scenarios/fits/…) names its inputs the same on every machine."""
    from sim.provenance import ROOT, repo_path

    assert repo_path(ROOT / "scenarios" / "wuhan_2023_2025.yaml") == "scenarios/wuhan_2023_2025.yaml"
    assert repo_path(tmp_path / "x.yaml") == str((tmp_path / "x.yaml").resolve())
    manifest = json.loads((ROOT / "scenarios" / "fits" / "wuhan" / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["scenario"]["path"] == "scenarios/wuhan_2023_2025.yaml"
