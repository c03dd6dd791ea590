"""Sweep specs and designs: point counts and bounds of each design, common random numbers,
complements, and bad specs refused naming the field. No model runs here."""

from pathlib import Path

import numpy as np
import pytest
import yaml

from sim.sweeps import Plan, SpecError, SweepSpec

ROOT = Path(__file__).resolve().parents[1]
FEE = "exchanges.pilot_platform.fee_rate"
RATE = "policy.vouchers.rate"
K_OFF = "behaviour.k_off"
SHARES = "policy.revenue_sharing"


def plan(**fields) -> Plan:
    return Plan(SweepSpec.from_dict({"base": "small", **fields}))


def sampled(design: str, samples: int, **fields) -> Plan:
    bounds = {FEE: {"low": 0.0, "high": 0.1}, RATE: {"low": 0.1, "high": 0.4}, K_OFF: {"low": 1, "high": 6}}
    return plan(design=design, samples=samples, parameters=bounds, **fields)


def test_grid_is_every_combination_in_order():
    p = plan(parameters={FEE: [0.0, 0.025, 0.05], RATE: [0.0, 0.2]}, replicates=3)
    assert len(p.points) == 6 and p.n_runs == 18
    assert p.points[[FEE, RATE]].values.tolist() == [
        [0.0, 0.0], [0.0, 0.2], [0.025, 0.0], [0.025, 0.2], [0.05, 0.0], [0.05, 0.2]]
    assert p.points["digest"].is_unique


@pytest.mark.parametrize(("design", "samples", "extra", "expected"), [
    ("lhs", 20, {}, 20),
    ("sobol", 16, {}, 16 * (3 + 2)),
    ("sobol", 16, {"second_order": True}, 16 * (2 * 3 + 2)),
    ("morris", 5, {}, 5 * (3 + 1)),
])
def test_sampled_designs_have_salib_counts_within_bounds(design, samples, extra, expected):
    p = sampled(design, samples, **extra)
    assert len(p.points) == expected
    assert p.points[FEE].between(0.0, 0.1).all() and p.points[RATE].between(0.1, 0.4).all()
    assert p.points[K_OFF].between(1, 6).all()
    assert p.points[K_OFF].dtype.kind == "i"  # an integer parameter is rounded to whole values


def test_lhs_puts_one_point_in_each_stratum():
    p = sampled("lhs", 10)
    strata = np.floor((p.points[RATE] - 0.1) / 0.3 * 10).astype(int)
    assert sorted(strata) == list(range(10))


def test_morris_trajectories_move_one_parameter_at_a_time_on_the_level_grid():
    p = sampled("morris", 4, levels=4)
    fee = p.points[FEE].to_numpy()
    assert set(np.round(fee / 0.1 * 3, 9)) <= {0, 1, 2, 3}  # levels 0, 1/3, 2/3, 1 of the range
    x = p.points[[FEE, RATE]].to_numpy().reshape(4, 4, 2)  # trajectory, step, parameter (k_off rounded)
    changed = (np.diff(x, axis=1) != 0).sum(axis=2)
    assert (changed <= 1).all()


def test_sampled_designs_repeat_with_the_seed_and_differ_without():
    a, b, c = sampled("sobol", 8, seed=4), sampled("sobol", 8, seed=4), sampled("sobol", 8, seed=5)
    assert a.points.equals(b.points)
    assert not a.points[FEE].equals(c.points[FEE])


def test_replicate_r_of_every_point_has_the_same_seed():
    p = plan(parameters={FEE: [0.0, 0.05, 0.1]}, replicates=4, seed=10)
    runs = list(p.runs())
    assert [r.run for r in runs] == list(range(12))
    for r in runs:
        assert r.seed == 10 + r.replicate
    assert len({r.key for r in runs}) == 12  # each (scenario, seed) is its own result


def test_complement_keeps_revenue_shares_summing_to_one():
    p = plan(design="lhs", samples=8,
             parameters={f"{SHARES}.public_services": {"low": 0.05, "high": 0.4},
                         f"{SHARES}.contributors": {"low": 0.0, "high": 0.1}},
             complements={f"{SHARES}.operator": [f"{SHARES}.data_providers", f"{SHARES}.public_services",
                                                  f"{SHARES}.contributors"]})
    pts = p.points
    total = pts[f"{SHARES}.operator"] + 0.2 + pts[f"{SHARES}.public_services"] + pts[f"{SHARES}.contributors"]
    assert np.allclose(total, 1.0)
    assert pts[f"{SHARES}.operator"].nunique() == 8


def test_a_swept_value_that_the_timeline_resets_is_warned_about():
    p = plan(parameters={"policy.cultivation.effect": [0.0, 1.0]})
    assert any("2024-01" in w and "cultivation" in w for w in p.warnings)


BAD = [
    # (spec fields, a phrase the message must contain)
    ({"parameters": {"policy.vouchers.rat": [0.1]}}, "parameters.policy.vouchers.rat: no such parameter"),
    ({"parameters": {"policy.vouchers": [0.1]}}, "parameters.policy.vouchers: a group of parameters"),
    ({"design": "lhs", "samples": 4, "parameters": {RATE: {"low": 0.4, "high": 0.1}}},
     "parameters.policy.vouchers.rate: low 0.4 must be below high 0.1"),
    ({"design": "sobol", "samples": 6, "parameters": {RATE: {"low": 0.1, "high": 0.4}}},
     "samples: SALib refuses 6 for the sobol design (Saltelli sampling needs a power of 2)"),
    ({"design": "sobol", "parameters": {RATE: {"low": 0.1, "high": 0.4}}}, "samples: the sobol design needs"),
    ({"parameters": {RATE: {"low": 0.1, "high": 0.4}}},
     "parameters.policy.vouchers.rate: the grid design needs a list"),
    ({"design": "lhs", "samples": 4, "parameters": {RATE: [0.1]}}, "give {low, high}"),
    ({"parameters": {RATE: 0.1}}, "parameters.policy.vouchers.rate: give a list of values or {low, high}"),
    ({"parameters": {RATE: {"low": 0.1}}, "design": "lhs", "samples": 2},
     "parameters.policy.vouchers.rate.high: Field required"),
    ({"parameters": {FEE: [0.1, 0.9]}}, f"point 1 ({FEE}=0.9): {FEE}: Input should be less than or equal to 0.5"),
    ({"parameters": {RATE: [0.1]}, "outputs": {"metrics": ["gmv"]}}, "outputs.metrics: unknown metric gmv"),
    ({"parameters": {RATE: [0.1]}, "replicate": 2}, "replicate: unknown field; allowed here: name"),
    ({"parameters": {RATE: [0.1]}, "fixed": {"policy.vouchers.budgt": 5}},
     "fixed.policy.vouchers.budgt: unknown parameter"),
    ({"parameters": {f"{SHARES}.operator": [0.5]}, "complements": {f"{SHARES}.operator": [f"{SHARES}.contributors"]}},
     f"complements.{SHARES}.operator: derived, so it cannot also be swept"),
    ({"design": "lhs", "samples": 2, "parameters": {"policy.pricing.regime": {"low": 0, "high": 1}}},
     "parameters.policy.pricing.regime: policy.pricing.regime holds 'cost_plus_cap', not a number"),
    ({"base": "no_such_city", "parameters": {RATE: [0.1]}}, "base: no scenario 'no_such_city'"),
]


@pytest.mark.parametrize(("fields", "phrase"), BAD, ids=[b[1][:40] for b in BAD])
def test_bad_specs_are_refused_naming_the_field(fields, phrase):
    with pytest.raises(SpecError) as info:
        plan(**fields)
    assert phrase in str(info.value)


def test_a_spec_file_names_itself_in_errors_and_resolves_base_beside_it(tmp_path):
    (tmp_path / "city.yaml").write_text(f"extends: {ROOT / 'scenarios' / 'small.yaml'}\nname: city\n", encoding="utf-8")
    spec = tmp_path / "bad.yaml"
    spec.write_text(yaml.safe_dump({"base": "city.yaml", "parameters": {"policy.vouchers.rat": [0.1]}}))
    with pytest.raises(SpecError, match=r"invalid sweep spec .*bad\.yaml"):
        Plan(SweepSpec.load(spec))
    spec.write_text(yaml.safe_dump({"base": "city.yaml", "parameters": {RATE: [0.1]}}), encoding="utf-8")
    assert Plan(SweepSpec.load(spec)).base.name == "city"


@pytest.mark.parametrize("path", sorted((ROOT / "scenarios" / "sweeps").glob("*.yaml")), ids=lambda p: p.name)
def test_shipped_specs_are_valid(path):
    p = Plan(SweepSpec.load(path))
    assert p.n_runs >= 8 and not p.warnings
