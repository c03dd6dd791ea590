"""Sweeping when a dated event happens: ``timeline.<id>.shift_months`` in a sweep spec moves the
event, checked like any timeline, stored with the run, and an exchange that opens later trades less
in its first year (paired seeds)."""

from pathlib import Path

import pytest
import yaml

from sim import sweep
from sim.runner import run
from sim.scenario import Scenario
from sim.sweeps import Plan, SpecError, SweepSpec
from sim.sweeps.plan import point_scenario

ROOT = Path(__file__).resolve().parents[1]
SMALL = ROOT / "scenarios" / "small.yaml"
OPEN = "timeline.open_regional_exchange.shift_months"


def plan(**fields) -> Plan:
    return Plan(SweepSpec.from_dict({"base": "small", **fields}))


def dates(scenario: Scenario) -> dict[str, str]:
    return {ev.id: ev.date for ev in scenario.timeline}


def test_a_shift_moves_only_its_event_by_whole_months_across_years():
    base = Scenario.load(SMALL)
    moved = point_scenario(base.model_dump(), {OPEN: 7.4, "behaviour.need_rate": 0.07})
    before, after = dates(base), dates(moved)
    assert before["open_regional_exchange"] == "2024-07" and after["open_regional_exchange"] == "2025-02"
    assert {k: v for k, v in after.items() if k != "open_regional_exchange"} == {
        k: v for k, v in before.items() if k != "open_regional_exchange"}
    assert moved.behaviour.need_rate == 0.07
    earlier = point_scenario(base.model_dump(), {OPEN: -7})
    assert dates(earlier)["open_regional_exchange"] == "2023-12"


def test_sampled_shifts_are_whole_months_within_bounds():
    p = plan(design="morris", samples=3, levels=4, parameters={OPEN: {"low": -3, "high": 3}})
    assert p.points[OPEN].dtype.kind == "i" and p.points[OPEN].between(-3, 3).all()
    assert p.points["digest"].nunique() == p.points[OPEN].nunique()


@pytest.mark.parametrize(("parameters", "message"), [
    ({"timeline.no_such_event.shift_months": [1]}, "no event with id 'no_such_event'"),
    ({"timeline.open_regional_exchange.shift_months": [1.5]}, "whole number of months"),
    ({"timeline.found_data_group.shift_months": [6]}, "is not founded by 2023-09"),  # after its authorization
    ({OPEN: [30]}, "outside the calendar"),
])
def test_impossible_shifts_are_refused_naming_the_field(parameters, message):
    with pytest.raises(SpecError) as err:
        plan(parameters=parameters)
    assert message in str(err.value) and "parameters" in str(err.value)


def test_no_exchange_trade_before_a_shifted_opening_and_stored_runs_are_the_moved_scenario(tmp_path):
    pilot = "timeline.open_pilot_platform.shift_months"
    spec = tmp_path / "spec.yaml"
    spec.write_text(yaml.safe_dump({"base": str(SMALL), "parameters": {pilot: [0, 6]}, "replicates": 2, "seed": 11,
                                    "outputs": {"metrics": ["gmv_exchange"], "frequency": "monthly"}}))
    result = sweep(spec, tmp_path / "out", workers=1, progress=False)
    frame = result.metrics()
    first_half = frame[frame.date < "2023-07-01"]
    assert (first_half[first_half[pilot] == 6].gmv_exchange == 0).all()  # the only exchange opens in 2023-07
    assert (first_half[first_half[pilot] == 0].groupby("seed").gmv_exchange.sum() > 0).all()
    direct = run(point_scenario(Scenario.load(SMALL).model_dump(), {pilot: 6}), seed=11).metrics
    stored = frame[(frame[pilot] == 6) & (frame.seed == 11)].gmv_exchange.to_numpy()
    assert stored.tolist() == direct.gmv_exchange.tolist()
