"""Scenario discovery: PRIM finds a planted box (``sim.discovery.find_boxes``), and ``run.py discover``
reads a real sweep made by ``run.py sweep``, writes boxes that match the data, and refuses bad input
with one message and exit code 2, leaving earlier results alone."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from sim.cli import main
from sim.discovery import find_boxes, sweep_cases
from sim.sweeps.store import SweepResult

SPEC = """\
name: tiny_discovery
base: small
design: lhs
parameters:
  exchanges.regional_exchange.fee_rate: {low: 0.0, high: 0.3}        # lever
  policy.vouchers.rate: {low: 0.0, high: 0.3}                        # lever
  exchanges.regional_exchange.initial_trust: {low: 0.0, high: 0.6}   # uncertainty
  behaviour.risk_exchange: {low: 0.2, high: 0.8}                     # uncertainty
fixed:
  population.users.count: 1000
  population.users.represents: 1000
  policy.vouchers.budget: 5000
samples: 30
seed: 2
outputs:
  metrics: [gmv_total, exchange_share]
"""
OUTCOME = "exchange_share:2025"


def test_prim_finds_a_planted_box():
    rng = np.random.default_rng(7)
    x = pd.DataFrame(rng.uniform(size=(2000, 4)), columns=["x0", "x1", "x2", "x3"])
    planted = (x["x1"] < 0.3) & (x["x3"] > 0.6)
    noise = rng.uniform(size=len(x)) < 0.05  # 5 % of the points have the other label
    cases = np.where(noise, ~planted, planted)
    found = find_boxes(x, cases, threshold=0.8)
    first = found.boxes[found.boxes["box"] == 1].set_index("parameter")
    assert set(first.index) == {"x1", "x3"}
    assert first.loc["x1", "high"] == pytest.approx(0.3, abs=0.05) and first.loc["x1", "low"] < 0.01
    assert first.loc["x3", "low"] == pytest.approx(0.6, abs=0.05) and first.loc["x3", "high"] > 0.99
    assert first["density"].iloc[0] >= 0.8 and first["coverage"].iloc[0] > 0.6
    assert found.n_cases == int(cases.sum())
    chosen = found.trajectories[found.trajectories["chosen"]]
    assert list(chosen["box"]) == sorted(set(found.boxes["box"]))  # one chosen step per box


def test_above_and_below_are_mirror_images_on_the_planted_box():
    rng = np.random.default_rng(3)
    x = pd.DataFrame(rng.uniform(size=(1000, 2)), columns=["a", "b"])
    outcome = np.where(x["a"] > 0.7, 1.0, 0.0) + rng.normal(0, 0.01, len(x))
    high = find_boxes(x, outcome > 0.5).boxes.query("box == 1").set_index("parameter")
    assert list(high.index) == ["a"] and high.loc["a", "low"] == pytest.approx(0.7, abs=0.03)
    low = find_boxes(x, outcome < 0.5).boxes.query("box == 1").set_index("parameter")
    assert list(low.index) == ["a"] and low.loc["a", "high"] == pytest.approx(0.7, abs=0.03)



def test_a_categorical_input_is_restricted_to_the_categories_of_interest():
    rng = np.random.default_rng(5)
    x = pd.DataFrame({"a": rng.uniform(size=600), "regime": rng.choice(["free", "market", "cost_plus_cap"], 600)})
    cases = ((x["a"] > 0.5) & (x["regime"] == "free")).to_numpy()
    first = find_boxes(x, cases).boxes.query("box == 1").set_index("parameter")
    assert first.loc["regime", "values"] == "free" and np.isnan(first.loc["regime", "low"])
    assert first.loc["a", "low"] == pytest.approx(0.5, abs=0.03)

@pytest.fixture(scope="module")
def sweep_dir(tmp_path_factory) -> str:
    root = tmp_path_factory.mktemp("discover")
    (root / "spec.yaml").write_text(SPEC, encoding="utf-8")
    out = root / "sweep"
    assert main(["sweep", str(root / "spec.yaml"), "--out", str(out), "--workers", "2"]) == 0
    return out


def test_discover_on_a_real_sweep_writes_boxes_that_match_the_data(sweep_dir, capsys):
    result = SweepResult(sweep_dir)
    values = result.metrics(columns=["exchange_share"], filters=[("year", "=", 2025)])["exchange_share"]
    below = float(values.quantile(0.4))  # about 12 of the 30 points are cases of interest
    out = sweep_dir / "found"
    assert main(["discover", str(sweep_dir), "--metric", OUTCOME, "--below", str(below), "--threshold", "0.6",
                 "--out", str(out)]) == 0
    printed = capsys.readouterr().out
    boxes = pd.read_csv(out / "boxes.csv")
    trajectory = pd.read_csv(out / "trajectory.csv")
    assert not boxes.empty and f"{OUTCOME} below" in printed
    assert set(boxes["parameter"]) <= set(result.spec.parameters)
    for name in ("trajectory.png", "box.png"):
        assert (out / name).read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert trajectory.groupby("box")["chosen"].sum().eq(1).all()
    # the box's statistics are those of the design points inside its limits
    x, y, cases = sweep_cases(sweep_dir, OUTCOME, below=below)
    first = boxes[boxes["box"] == 1]
    inside = np.ones(len(x), dtype=bool)
    for row in first.itertuples():
        inside &= (x[row.parameter] >= row.low).to_numpy() & (x[row.parameter] <= row.high).to_numpy()
    assert first["n"].iloc[0] == inside.sum() and first["k"].iloc[0] == (inside & cases).sum()
    assert first["density"].iloc[0] == pytest.approx((inside & cases).sum() / inside.sum())
    assert first["coverage"].iloc[0] == pytest.approx((inside & cases).sum() / cases.sum())
    assert first["density"].iloc[0] >= 0.6


@pytest.mark.parametrize("args, message", [
    (["--metric", "exchange_shar:2025", "--below", "0.1"], "unknown metric 'exchange_shar'"),
    (["--metric", "exchange_share:2031", "--below", "0.1"], "no such year; the runs cover 2023, 2024, 2025"),
    (["--metric", "n_listed:2025", "--below", "0.1"], "the sweep did not keep n_listed"),
    (["--metric", OUTCOME, "--below", "-1"], "--below -1.0: no point has exchange_share:2025 below -1.0"),
    (["--metric", OUTCOME, "--above", "2"], "no point has exchange_share:2025 above 2.0"),
    (["--metric", OUTCOME, "--above", "-1"], "every point has exchange_share:2025 above -1.0"),
    (["--metric", OUTCOME, "--below", "0.1", "--threshold", "1.5"], "--threshold 1.5: must be in (0, 1]"),
    (["--metric", OUTCOME, "--below", "0.1", "--peel-alpha", "0"], "--peel-alpha 0.0: must be in (0, 1)"),
])
def test_bad_input_is_refused_with_one_message_and_earlier_results_kept(sweep_dir, capsys, args, message):
    out = sweep_dir / "kept"
    out.mkdir(exist_ok=True)
    (out / "boxes.csv").write_text("an earlier discovery\n", encoding="utf-8")
    assert main(["discover", str(sweep_dir), *args, "--out", str(out)]) == 2
    err = capsys.readouterr().err
    assert err.startswith("error: ") and message in err and err.count("\n") == 1
    assert sorted(p.name for p in out.iterdir()) == ["boxes.csv"]
    assert (out / "boxes.csv").read_text(encoding="utf-8") == "an earlier discovery\n"


def test_a_folder_that_is_not_a_sweep_is_refused(tmp_path, capsys):
    assert main(["discover", str(tmp_path), "--metric", OUTCOME, "--below", "0.1"]) == 2
    assert f"{tmp_path} is not a sweep folder" in capsys.readouterr().err
    assert list(tmp_path.iterdir()) == []
