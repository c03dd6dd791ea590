"""Cautions on sensitivity indices from too small a sample: through ``run.py sensitivity`` on the
folders it wrote with a deliberately tiny design (2 base samples), and on hand-made indices whose
verdict is known; and the shipped learning specs stay small."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from sim.cli import main
from sim.sweeps import Plan, SweepSpec
from sim.sweeps.sensitivity import MIN_SAMPLES, cautions

ROOT = Path(__file__).resolve().parents[2]


def test_a_tiny_sobol_sample_is_flagged_beside_the_indices_and_on_the_screen(sensitivity_folders, capsys):
    folder = sensitivity_folders["sobol"]
    assert main(["sensitivity", str(folder), "--metric", "voucher_spend:2024"]) == 0
    err, out = capsys.readouterr()[::-1]
    assert "warning: sobol indices of voucher_spend:2024 are not stable: few samples (2 < 256)" in err
    assert "caution" in out  # printed with the indices
    stored = pd.read_csv(folder / "indices.csv").query("metric == 'voucher_spend:2024'")
    assert stored["caution"].str.startswith("few samples (2 < 256)").all()


def test_a_tiny_morris_sample_is_flagged_too(sensitivity_folders):
    stored = pd.read_csv(sensitivity_folders["morris"] / "indices.csv")
    assert stored["caution"].str.contains(f"few samples \\(2 < {MIN_SAMPLES['morris']}\\)").all()


def test_negative_first_order_beyond_its_interval_and_wide_intervals_are_named():
    table = pd.DataFrame({"S1": [-0.48, 0.40, -0.05], "S1_conf": [0.20, 0.05, 0.10],
                          "ST": [0.30, 0.55, 0.02], "ST_conf": [0.10, 0.05, 0.05]})
    found = cautions(table, "sobol", samples=1024)
    assert "S1 = -0.48 is negative beyond its interval (±0.2)" in found[0]
    assert found[1] == ""  # enough samples, tight intervals, no negative index: nothing to say
    assert "S1 interval ±0.1 wider than S1 = -0.05" in found[2] and "ST interval ±0.05 wider than ST = 0.02" in found[2]
    assert "few samples" not in found[0] and cautions(table, "sobol", samples=8)[1] == "few samples (8 < 256)"
    morris = pd.DataFrame({"mu_star": [1.0, 0.2], "mu_star_conf": [0.3, 0.5]})
    assert cautions(morris, "morris", samples=20) == ["", "μ* interval ±0.5 wider than μ* = 0.2"]


def test_the_learning_specs_are_small_runs_of_the_small_city():
    for name, runs in (("sobol_learn", 80), ("morris_learn", 50)):
        plan = Plan(SweepSpec.load(ROOT / "scenarios" / "sweeps" / f"{name}.yaml"))
        assert plan.n_runs == runs and plan.base.population.users.count == 2000
        assert f"{runs} runs" in (ROOT / "scenarios" / "sweeps" / f"{name}.yaml").read_text(encoding="utf-8")
