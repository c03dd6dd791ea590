"""``compare A B --posterior DIR``: scenarios run over the best parameter draws of a real fit as well as
over seeds, paired by draw and seed; the effect's interval includes parameter uncertainty, so it is at
least as wide as the seeds-only interval; bad input exits 2."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
from scipy import stats
import pytest
import yaml

from sim.cli import main
from sim.folders import comparison, results
from sim.metrics import yearly
from sim.posterior import Draws

ROOT = Path(__file__).resolve().parents[1]
SMALL = ROOT / "scenarios" / "small.yaml"
YEAR = 2025


def cli(*argv) -> int:
    return main([str(a) for a in argv])


def write_yaml(path: Path, data: dict) -> Path:
    path.write_text(yaml.safe_dump(data, sort_keys=False, allow_unicode=True), encoding="utf-8")
    return path


@pytest.fixture(scope="module")
def setup(tmp_path_factory) -> dict[str, Path]:
    """A real fit of the small scenario (two parameters, eight trials, two seeds) and a policy that
    raises the exchanges' fees."""
    folder = tmp_path_factory.mktemp("posterior")
    spec = write_yaml(folder / "spec.yaml", {"parameters": {
        "behaviour.value_scale": {"low": 8, "high": 24, "log": True},
        "exchanges.regional_exchange.initial_awareness": {"low": 0.05, "high": 0.3}}})
    fit = folder / "fit"
    assert cli("calibrate", SMALL, "--targets", "wuhan", "--parameters", spec, "--trials", 8, "--seeds", 2,
               "--startup-trials", 8, "--out", fit) == 0
    policy = write_yaml(folder / "fees.yaml", {
        "extends": str(SMALL), "name": "fees",
        "exchanges": {"pilot_platform": {"fee_rate": 0.1}, "regional_exchange": {"fee_rate": 0.1}}})
    return {"fit": fit, "policy": policy, "folder": folder}


def width(path: Path, metric: str) -> float:
    table = comparison.read_table(path)
    row = table[(table.scenario == "fees") & (table.metric == metric) & (table.year == YEAR)].iloc[0]
    return row.diff_ci_high - row.diff_ci_low


def test_posterior_interval_adds_the_spread_across_draws_and_runs_are_paired_by_draw_and_seed(setup, tmp_path, capsys):
    plain, post = tmp_path / "plain", tmp_path / "post"
    assert cli("compare", SMALL, setup["policy"], "--replicates", 3, "--out", plain) == 0
    assert cli("compare", SMALL, setup["policy"], "--replicates", 3, "--posterior", setup["fit"], "--draws", 3,
               "--out", post) == 0
    printed = capsys.readouterr().out
    assert "3 parameter draws" in printed and "paired by draw and seed" in printed
    # The interval adds the spread of the effect across draws to the seed error of each draw (law of
    # total variance), so it is wider than the seeds-only interval of the same runs whenever the
    # draws' effects differ; the plain comparison ran the baseline parameters only.
    base, fees = (yearly(results.read(post / name, "metrics")) for name in ("small", "fees"))
    table = comparison.read_table(post)
    for metric in ("gmv_total", "value_created", "gmv_exchange"):
        d = (fees[fees.year == YEAR].set_index("run_id")[metric] - base[base.year == YEAR].set_index("run_id")[metric])
        per_draw = d.groupby(d.index // 3)
        between, within = per_draw.mean().var(ddof=1), (per_draw.var(ddof=1) / 3).mean()
        half = stats.t.ppf(0.975, 2) * np.sqrt(between + within)
        row = table[(table.scenario == "fees") & (table.metric == metric) & (table.year == YEAR)].iloc[0]
        assert (row.diff_ci_high - row.diff_ci_low) / 2 == pytest.approx(half, rel=1e-9), metric
        assert half > stats.t.ppf(0.975, 2) * np.sqrt(within), metric
        assert width(plain, metric) > 0, metric

    # The draws are the three best complete trials, the same in both scenarios' folders.
    draws = Draws.load(setup["fit"], 3)
    trials = pd.read_csv(setup["fit"] / "trials.csv")
    best = trials[trials.state == "complete"].nsmallest(3, "loss").trial.tolist()
    assert list(draws.trials) == best
    used = [pd.read_csv(post / name / "draws.csv") for name in ("small", "fees")]
    pd.testing.assert_frame_equal(used[0], used[1])
    assert used[0].trial.tolist() == best

    # Run d × 3 + r of each scenario is draw d at seed 1 + r, and the effect is the mean of the
    # differences of runs with the same draw and seed (an exact identity).
    base, fees = (yearly(results.read(post / name, "metrics")) for name in ("small", "fees"))
    assert (base.seed.to_numpy() == fees.seed.to_numpy()).all()
    assert sorted(set(base.run_id)) == list(range(9))
    assert (base.groupby("run_id").seed.first() == [1 + r % 3 for r in range(9)]).all()
    diff = (fees.set_index(["run_id", "year"]).gmv_total - base.set_index(["run_id", "year"]).gmv_total)
    table = comparison.read_table(post)
    row = table[(table.scenario == "fees") & (table.metric == "gmv_total") & (table.year == YEAR)].iloc[0]
    assert row.diff_mean == pytest.approx(diff.xs(YEAR, level="year").mean(), rel=1e-9)
    # Different draws give different runs (the parameters were applied): GMV differs across draws at one seed.
    at_seed_1 = base[(base.seed == 1) & (base.year == YEAR)].gmv_total
    assert at_seed_1.nunique() == 3


def test_one_draw_gives_the_seeds_only_interval_of_that_draw(setup, tmp_path):
    """With one draw the interval is the Student t interval of sim.summary.effects over the seeds."""
    post = tmp_path / "one"
    assert cli("compare", SMALL, setup["policy"], "--replicates", 4, "--posterior", setup["fit"], "--draws", 1,
               "--out", post) == 0
    base, fees = (yearly(results.read(post / name, "metrics")) for name in ("small", "fees"))
    d = (fees[fees.year == YEAR].gmv_total.to_numpy() - base[base.year == YEAR].gmv_total.to_numpy())
    from scipy import stats

    half = stats.t.ppf(0.975, 3) * d.std(ddof=1) / np.sqrt(4)
    table = comparison.read_table(post)
    row = table[(table.scenario == "fees") & (table.metric == "gmv_total") & (table.year == YEAR)].iloc[0]
    assert (row.diff_ci_low, row.diff_ci_high) == pytest.approx((d.mean() - half, d.mean() + half), rel=1e-9)


@pytest.mark.parametrize(("extra", "message"), [
    (["--draws", "2"], "--draws needs --posterior"),
    (["--posterior", "NOFIT"], "no trials.csv there"),
    (["--posterior", "FIT", "--draws", "0"], "must be 1 or more"),
])
def test_bad_posterior_options_exit_2_and_write_nothing(setup, tmp_path, capsys, extra, message):
    out = tmp_path / "out"
    extra = [str(setup["folder"] / "nothing") if a == "NOFIT" else str(setup["fit"]) if a == "FIT" else a
             for a in extra]
    assert exit_code("compare", SMALL, setup["policy"], "--out", out, *extra) == 2
    assert message in capsys.readouterr().err
    assert not out.exists()


def exit_code(*argv) -> int:
    """The command's exit code, also when argparse refuses an argument (it exits)."""
    try:
        return cli(*argv)
    except SystemExit as exc:
        return exc.code
