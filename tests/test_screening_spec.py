"""The shipped screening of the small scenario: written from the parameter tree (every behavioural
uncertainty, every unsourced regulator/exchanges/population parameter, every event month), valid at
every design point, and the Sobol spec a subset of it; the tree's sources read by ``sim.sources``."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import yaml

from sim.scenario import Scenario
from sim.sources import entries
from sim.sweeps import Plan, SweepSpec

ROOT = Path(__file__).resolve().parents[1]
SWEEPS = ROOT / "scenarios" / "sweeps"
SMALL = Scenario.load(ROOT / "scenarios" / "small.yaml")


def generator():
    spec = importlib.util.spec_from_file_location("make_sensitivity", ROOT / "docs" / "make_sensitivity.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def shipped(name: str) -> dict:
    return yaml.safe_load((SWEEPS / f"{name}.yaml").read_text(encoding="utf-8"))


def test_the_screening_spec_is_the_one_the_tree_gives_now():
    parameters = shipped("screening_small")["parameters"]
    assert parameters == generator().screened(SMALL), (
        "scenarios/sweeps/screening_small.yaml is out of date with the parameter tree; rerun `make sensitivity`")


def test_it_covers_every_behavioural_uncertainty_unsourced_parameter_and_event_month():
    parameters = shipped("screening_small")["parameters"]
    tree = entries(SMALL)
    dated = {path for ev in SMALL.timeline for path in (ev.set or {})}
    wanted = {e.path for e in tree if e.value != 0 and e.path not in dated and (
        (e.path.startswith("behaviour.") and e.role == "uncertainty")
        or (not e.path.startswith("behaviour.") and e.unsourced and e.role != "constant"))}
    assert wanted <= set(parameters)
    assert {f"timeline.{ev.id}.shift_months" for ev in SMALL.timeline} <= set(parameters)
    sourced = {e.path for e in tree if not e.unsourced and not e.path.startswith("behaviour.")}
    assert not sourced & set(parameters)  # a published fee or a statutory fine cap is not screened
    assert not dated & set(parameters)  # a value a dated event overrides: its month is screened instead
    for e in tree:
        if e.path in parameters:
            b = parameters[e.path]
            assert e.low <= b["low"] <= e.value <= b["high"] <= e.high, e.path


def test_every_point_of_both_designs_is_a_valid_scenario_and_sobol_screens_a_subset():
    plan = Plan(SweepSpec.load(SWEEPS / "screening_small.yaml"))
    assert plan.spec.design == "morris" and len(plan.points) == plan.spec.samples * (len(plan.spec.parameters) + 1)
    sobol = shipped("sobol_small")
    assert sobol["design"] == "sobol" and 2 <= len(sobol["parameters"]) <= 8
    screening = shipped("screening_small")["parameters"]
    assert all(screening[p] == b for p, b in sobol["parameters"].items())
    Plan(SweepSpec.load(SWEEPS / "sobol_small.yaml"))


def test_sources_reads_role_source_and_range_from_the_tree():
    by_path = {e.path: e for e in entries(SMALL)}
    scale = by_path["behaviour.value_scale"]
    assert (scale.role, scale.unsourced, scale.low, scale.high, scale.integer) == ("uncertainty", True, 0, 1e5, False)
    cap = by_path["regulator.fine_cap_ordinary"]
    assert cap.role == "constant" and not cap.unsourced and cap.source.startswith("PIPL")
    fee = by_path["exchanges.regional_exchange.fee_rate"]
    assert fee.role == "lever" and not fee.unsourced
    assert by_path["exchanges.pilot_platform.reach"].integer
    assert not any(p.startswith("population.users.sector_weights") for p in by_path)  # shares that sum to 1
