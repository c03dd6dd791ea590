"""The run cache (sim/cache.py) through the real commands: a run of the same resolved scenario,
seed and model version is read back instead of simulated, and what is written from it is byte for
byte what a fresh run writes."""

from __future__ import annotations

import pickle
from pathlib import Path

import pytest
import yaml

from sim import Scenario
from sim.cache import Cache, cache_dir
from sim.catalog import BASELINE
from sim.cli import main

LATER_EVENTS = ("compliance_regime", "cultivation", "authorize_health_education", "data_asset_registration",
                "open_regional_exchange", "declaration_commitment", "authorize_credit")
WRITTEN = ("metrics.parquet", "products.parquet", "yearly.csv")


@pytest.fixture(scope="module")
def tiny(tmp_path_factory) -> Path:
    """The baseline's 2023 at 2 000 users (a run of a few seconds)."""
    path = tmp_path_factory.mktemp("scenarios") / "tiny.yaml"
    path.write_text(yaml.safe_dump({
        "extends": BASELINE, "population": {"users": {"count": 2000, "represents": 500}},
        "calendar": {"end": "2023-12"}, "timeline": [{"id": e, "remove": True} for e in LATER_EVENTS]}),
        encoding="utf-8")
    return path


def cli(*argv) -> int:
    return main([str(a) for a in argv])


def test_a_cache_hit_writes_byte_identical_results_to_a_fresh_run(tiny, tmp_path, run_cache, capsys):
    assert cli("run", tiny, "--replicates", 2, "--out", tmp_path / "first") == 0
    assert "run cache" not in capsys.readouterr().out
    assert len(list((run_cache / "runs").glob("*.pkl"))) == 2

    assert cli("run", tiny, "--replicates", 2, "--out", tmp_path / "again") == 0
    assert f"2 of 2 run(s) read from the run cache ({run_cache}" in capsys.readouterr().out
    assert cli("run", tiny, "--replicates", 2, "--no-cache", "--out", tmp_path / "fresh") == 0
    assert "run cache" not in capsys.readouterr().out
    for name in WRITTEN:
        fresh = (tmp_path / "fresh" / name).read_bytes()
        assert (tmp_path / "again" / name).read_bytes() == fresh == (tmp_path / "first" / name).read_bytes(), name


def test_compare_reuses_the_runs_of_run_and_only_those(tiny, tmp_path, capsys):
    assert cli("run", tiny, "--replicates", 2, "--out", tmp_path / "run") == 0
    capsys.readouterr()
    free = tmp_path / "free.yaml"
    free.write_text(f"extends: {tiny}\npolicy: {{pricing: {{regime: free}}}}\n", encoding="utf-8")
    assert cli("compare", tiny, free, "--replicates", 3, "--out", tmp_path / "cmp") == 0
    assert "2 of 6 run(s) read from the run cache" in capsys.readouterr().out  # tiny seeds 1, 2; not seed 3
    assert cli("compare", tiny, free, "--replicates", 3, "--out", tmp_path / "cmp", "--force") == 0
    assert "6 of 6 run(s) read from the run cache" in capsys.readouterr().out


def test_a_run_is_a_miss_when_its_scenario_seed_or_model_version_differs(tiny, run_cache, monkeypatch):
    scenario = Scenario.load(tiny)
    cache = Cache(run_cache)
    key = cache.key(scenario, 1, 0, True)
    assert key == Cache(run_cache).key(Scenario.load(tiny), 1, 0, True)
    others = {cache.key(scenario.with_values({"policy.pricing.cap": 0.5}), 1, 0, True), cache.key(scenario, 2, 0, True),
              cache.key(scenario, 1, 1, True), cache.key(scenario, 1, 0, False)}
    monkeypatch.setattr("sim.sweeps.plan.model_version", lambda: "0.0+source.edited")
    others.add(cache.key(scenario, 1, 0, True))
    assert key not in others and len(others) == 5


def test_an_unreadable_entry_is_a_miss_and_is_written_again(tiny, tmp_path, run_cache, capsys):
    assert cli("run", tiny, "--out", tmp_path / "a") == 0
    (entry,) = (run_cache / "runs").glob("*.pkl")
    entry.write_bytes(b"not a pickle")
    assert cli("run", tiny, "--out", tmp_path / "b") == 0
    assert "run cache" not in capsys.readouterr().out
    assert pickle.loads(entry.read_bytes()).manifest["seed"] == 1
    assert (tmp_path / "a" / "metrics.parquet").read_bytes() == (tmp_path / "b" / "metrics.parquet").read_bytes()


def test_a_cache_that_cannot_be_written_warns_once_and_the_run_goes_on(tiny, tmp_path, monkeypatch, capsys):
    blocker = tmp_path / "a_file"
    blocker.write_text("", encoding="utf-8")
    monkeypatch.setenv("DATAMARKET_CACHE", str(blocker))
    assert cli("run", tiny, "--replicates", 2, "--out", tmp_path / "out") == 0
    err = capsys.readouterr().err
    assert err.count("warning: run cache") == 1 and "runs are not kept" in err
    assert (tmp_path / "out" / "manifest.json").is_file()


def test_the_cache_lives_in_datamarket_cache_else_the_xdg_cache_else_home(monkeypatch, tmp_path):
    monkeypatch.setenv("DATAMARKET_CACHE", str(tmp_path / "mine"))
    assert cache_dir() == tmp_path / "mine"
    monkeypatch.delenv("DATAMARKET_CACHE")
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    assert cache_dir() == tmp_path / "xdg" / "datamarket"
    monkeypatch.delenv("XDG_CACHE_HOME")
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    assert cache_dir() == tmp_path / "home" / ".cache" / "datamarket"

