"""Sensitivity indices: known answers on synthetic sweep folders, the command end to end, and
outcomes refused before any run."""

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import yaml

from sim.cli import main
from sim.sweeps import Plan, SweepResult, SweepSpec
from sim.sweeps.engine import Outcome, Task
from sim.sweeps.sensitivity import Target, indices
from sim.sweeps.store import Store

ROOT = Path(__file__).resolve().parents[1]
SMALL = ROOT / "scenarios" / "small.yaml"
RATE, FEE = "policy.vouchers.rate", "exchanges.pilot_platform.fee_rate"
BOUNDS = {RATE: {"low": 0.1, "high": 0.4}, FEE: {"low": 0.0, "high": 0.1}}


def synthetic(tmp_path: Path, spec: dict, outputs) -> SweepResult:
    """A sweep folder whose runs hold ``outputs(values, replicate)`` instead of model results."""
    plan = Plan(SweepSpec.from_dict({"base": str(SMALL), "parameters": BOUNDS, **spec}))
    store = Store(tmp_path)
    store.open(plan, resume=False)
    for run in plan.runs():
        values = plan.values(run.point)
        frame = pd.DataFrame({"run": run.run, "point": run.point, "replicate": run.replicate, "seed": run.seed,
                              **values, **outputs(values, run.replicate)})
        task = Task(run.run, run.point, run.replicate, run.seed, run.key, run.digest, values, {}, (), "")
        store.save(Outcome(task, frame, None, "", 0.01))
    store.write_runs(plan)
    return SweepResult(tmp_path)


def test_sobol_indices_split_an_additive_outcome_evenly(tmp_path):
    # Both terms have the same variance, so each parameter explains half: S1 = ST = 0.5.
    # Replicates add ±5, which the mean over replicates removes.
    def outputs(v, replicate):
        noise = 5 if replicate else -5
        return {"year": [2025], "gmv_total": [v[RATE] / 0.3 + v[FEE] / 0.1 + noise]}

    result = synthetic(tmp_path, {"design": "sobol", "samples": 64, "replicates": 2,
                                  "outputs": {"metrics": ["gmv_total"]}}, outputs)
    table = indices(result, [Target("gmv_total", 2025)]).set_index("parameter")
    assert list(table.columns) == ["metric", "S1", "S1_conf", "ST", "ST_conf", "caution"]
    assert (table["metric"] == "gmv_total:2025").all()
    assert np.allclose(table["S1"], 0.5, atol=0.1) and np.allclose(table["ST"], 0.5, atol=0.1)
    assert (table["S1_conf"] > 0).all()


def test_morris_mu_star_of_a_monthly_ratio_is_its_slope_times_the_range(tmp_path):
    # exchange_share = gmv_exchange / gmv_total summed over the year = the voucher rate; the fee has no effect.
    def outputs(v, replicate):
        dates = pd.date_range("2024-01-01", periods=24, freq="MS")
        return {"date": dates, "gmv_total": 100.0, "gmv_exchange": 100.0 * v[RATE] * (dates.year == 2025)}

    result = synthetic(tmp_path, {"design": "morris", "samples": 6, "outputs": {
        "metrics": ["gmv_total", "gmv_exchange"], "frequency": "monthly"}}, outputs)
    table = indices(result, [Target("exchange_share", None)]).set_index("parameter")
    assert (table["metric"] == "exchange_share:2025").all()
    assert table.loc[RATE, "mu_star"] == pytest.approx(0.3) and table.loc[RATE, "sigma"] == pytest.approx(0)
    assert table.loc[FEE, "mu_star"] == pytest.approx(0)


def test_sensitivity_command_runs_the_sweep_then_reads_the_folder(tmp_path, capsys):
    spec = tmp_path / "morris.yaml"
    spec.write_text(yaml.safe_dump({"base": str(SMALL), "design": "morris", "samples": 2, "seed": 2,
                                    "parameters": BOUNDS, "fixed": {"policy.vouchers.budget": 5000},
                                    "outputs": {"metrics": ["gmv_total", "gmv_exchange", "exchange_share"]}},
                                   sort_keys=False))
    out = tmp_path / "out"
    assert main(["sensitivity", str(spec), "--out", str(out), "--metric", "gmv_total:2025", "--metric",
                 "exchange_share", "--workers", "2", "--quiet"]) == 0
    printed = capsys.readouterr().out
    table = pd.read_csv(out / "indices.csv")
    assert table[["metric", "parameter"]].values.tolist() == [
        ["gmv_total:2025", RATE], ["gmv_total:2025", FEE], ["exchange_share:2025", RATE], ["exchange_share:2025", FEE]]
    assert table["mu_star"].gt(0).all() and "mu_star" in printed and "exchange_share:2025" in printed
    assert len(SweepResult(out).runs) == 6

    parts = sorted((out / "parts").iterdir())
    assert main(["sensitivity", str(out), "--metric", "gmv_exchange:2024"]) == 0  # the folder: no new runs
    assert sorted((out / "parts").iterdir()) == parts
    added = pd.read_csv(out / "indices.csv")
    assert added["metric"].unique().tolist() == ["gmv_total:2025", "exchange_share:2025", "gmv_exchange:2024"]
    pd.testing.assert_frame_equal(added.iloc[:4], table)  # the outcomes computed before are kept as they were

    assert main(["sensitivity", str(out), "--metric", "gmv_total:2025", "--conf-level", "0.5"]) == 0
    again = pd.read_csv(out / "indices.csv")
    assert again["metric"].tolist().count("gmv_total:2025") == 2  # recomputed: its rows replaced, not added
    recomputed = again[again["metric"] == "gmv_total:2025"].reset_index(drop=True)
    pd.testing.assert_series_equal(recomputed["mu_star"], table["mu_star"].iloc[:2])
    assert (recomputed["mu_star_conf"] < table["mu_star_conf"].iloc[:2]).all()  # a narrower interval


@pytest.mark.parametrize(("spec", "metric", "phrase"), [
    ({"parameters": {RATE: [0.1, 0.2]}}, "gmv_total", "needs a sobol or morris design; this spec's design is grid"),
    ({"design": "morris", "samples": 2, "parameters": BOUNDS}, "gmv", "unknown metric 'gmv'"),
    ({"design": "morris", "samples": 2, "parameters": BOUNDS}, "gmv_total:last", "METRIC:YEAR"),
    ({"design": "morris", "samples": 2, "parameters": BOUNDS, "outputs": {"metrics": ["gmv_total"]}},
     "exchange_share", "does not keep exchange_share"),
])
def test_outcomes_a_sweep_cannot_give_are_refused_before_running(tmp_path, capsys, spec, metric, phrase):
    path = tmp_path / "spec.yaml"
    path.write_text(yaml.safe_dump({"base": str(SMALL), **spec}))
    assert main(["sensitivity", str(path), "--out", str(tmp_path / "out"), "--metric", metric]) == 2
    assert phrase in capsys.readouterr().err
    assert not (tmp_path / "out").exists()
