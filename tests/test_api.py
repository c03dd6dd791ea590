"""The Python interface: sim.run_many and sim.compare return the objects of the folders the
``run`` and ``compare`` commands write (Replicates, Comparison), with the same runs, on the same
executor and run cache."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest
import yaml

import sim
from sim.catalog import BASELINE
from sim.cli import main
from sim.errors import DataMarketError
from sim.folders.comparison import TABLE

LATER_EVENTS = ("compliance_regime", "cultivation", "authorize_health_education", "data_asset_registration",
                "open_regional_exchange", "declaration_commitment", "authorize_credit")


@pytest.fixture(scope="module")
def tiny(tmp_path_factory) -> Path:
    """The baseline's 2023 at 2 000 users (a run of a few seconds), and ``tiny_free`` beside it."""
    folder = tmp_path_factory.mktemp("scenarios")
    (folder / "tiny.yaml").write_text(yaml.safe_dump({
        "extends": BASELINE, "population": {"users": {"count": 2000, "represents": 500}},
        "calendar": {"end": "2023-12"}, "timeline": [{"id": e, "remove": True} for e in LATER_EVENTS]}),
        encoding="utf-8")
    (folder / "tiny_free.yaml").write_text("extends: tiny\npolicy: {pricing: {regime: free}}\n", encoding="utf-8")
    return folder / "tiny.yaml"


def cli(*argv) -> int:
    return main([str(a) for a in argv])


def test_run_many_gives_the_runs_the_run_command_writes_and_shares_its_cache(tiny, tmp_path, capsys):
    runs = sim.run_many(tiny, seeds=2)
    assert isinstance(runs, sim.Replicates) and runs.seeds == [1, 2] and len(runs.results) == 2
    assert cli("run", tiny, "--replicates", 2, "--out", tmp_path / "out") == 0
    assert "2 of 2 run(s) read from the run cache" in capsys.readouterr().out
    written = sim.Replicates.read(tmp_path / "out")
    pd.testing.assert_frame_equal(written.metrics, runs.metrics, check_dtype=False)  # Parquet keeps dates in ms
    pd.testing.assert_frame_equal(written.products, runs.products, check_dtype=False)
    assert written.scenario == runs.scenario and written.path == tmp_path / "out"
    assert runs.table().splitlines()[0].startswith("mean [90 % interval")


def test_run_many_takes_overrides_by_dotted_path_and_a_name(tiny):
    runs = sim.run_many(tiny, seeds=[3], cache=False, name="free", **{"policy.pricing.regime": "free"})
    assert runs.scenario.policy.pricing.regime == "free" and runs.name == "free"
    assert set(runs.metrics["scenario"]) == {"free"} and runs.seeds == [3]
    assert runs.table().startswith("single replicate")
    paid = sim.run_many(tiny, seeds=[3], cache=False)
    assert runs.yearly.public_data_paid_uses.sum() < paid.yearly.public_data_paid_uses.sum()


def test_compare_puts_the_baseline_first_and_matches_the_compare_command(tiny, tmp_path, capsys):
    free = tiny.with_name("tiny_free.yaml")
    result = sim.compare([free], seeds=[1, 2], baseline=tiny, workers=2)
    assert isinstance(result, sim.Comparison) and result.names == ["tiny", "tiny_free"]
    assert result.baseline == "tiny" and result["tiny_free"].seeds == [1, 2]
    assert cli("compare", tiny, free, "--replicates", 2, "--out", tmp_path / "cmp") == 0
    assert "4 of 4 run(s) read from the run cache" in capsys.readouterr().out
    pd.testing.assert_frame_equal(pd.read_csv(tmp_path / "cmp" / TABLE), result.table, check_dtype=False)

    again = result.write(tmp_path / "api")
    read = sim.Comparison.read(again.path)
    assert read.names == result.names
    pd.testing.assert_frame_equal(read.table, pd.read_csv(tmp_path / "cmp" / TABLE))
    pd.testing.assert_frame_equal(read.metrics, result.metrics, check_dtype=False)
    assert "Δ vs tiny (95 % CI)" in result.text()


def test_results_written_from_python_are_refused_over_files_unless_forced(tiny, tmp_path):
    runs = sim.run_many(tiny, seeds=[1])
    runs.write(tmp_path / "out")
    with pytest.raises(DataMarketError, match="not empty; pass --force"):
        runs.write(tmp_path / "out")
    assert runs.write(tmp_path / "out", force=True).path == tmp_path / "out"
    with pytest.raises(DataMarketError, match="read from"):
        sim.Replicates.read(tmp_path / "out").write(tmp_path / "elsewhere")


@pytest.mark.parametrize(("call", "phrase"), [
    (lambda t: sim.run_many(t, seeds=[]), "seeds: give at least one seed"),
    (lambda t: sim.run_many(t, seeds=[-1]), "seeds: seeds must lie in 0.."),
    (lambda t: sim.run_many(t, seeds=1, **{"policy.pricing.regim": "free"}), "policy.pricing.regim"),
    (lambda t: sim.run_many(t, seeds=1, **{"policy.pricing.cap": -1}), "policy.pricing.cap: Input should be greater"),
    (lambda t: sim.compare([t], seeds=1), "at least two scenarios"),
    (lambda t: sim.compare([t, t], seeds=1), "appears twice"),
    (lambda t: sim.run_many("no_such_scenario"), "unknown scenario 'no_such_scenario'"),
])
def test_bad_input_is_one_clear_library_error(tiny, call, phrase):
    with pytest.raises(DataMarketError) as info:
        call(tiny)
    assert phrase in str(info.value)
