"""Calibration targets as data: the shipped file, the schema's messages for bad input, and each
moment of the vocabulary checked against the same quantity computed by hand from a run."""

from __future__ import annotations

import copy
import itertools
import re
from pathlib import Path

import pytest
import yaml

from sim import Scenario, run
from sim.calibration import WUHAN_TARGETS, Targets, TargetsError, calibration, moments
from sim.cli import main
from sim.fitting import FitError, ParameterSpec, Problem

ROOT = Path(__file__).resolve().parents[1]
SMALL = ROOT / "scenarios" / "small.yaml"


@pytest.fixture(scope="module")
def result():
    """One full run of the small scenario at 1 000 users: products and flows included."""
    return run(Scenario.load(SMALL, overrides={"population.users.count": 1000}), seed=3, full=True)


def target(moment: dict, **fields) -> dict:
    return {"id": "t", "label": "t", "moment": moment, "value": 1.0, "uncertainty": 0.1,
            "uncertainty_basis": "test", **fields}


def compute(result, moment: dict) -> float:
    targets = Targets.model_validate({"targets": [target(moment)]})
    return moments(result, targets.targets)["t"]


# ---- the shipped file ----------------------------------------------------------------------------


def test_wuhan_targets_state_value_uncertainty_and_source_for_every_scored_figure():
    targets = Targets.load(WUHAN_TARGETS)
    scored = targets.used("fit", "validate")
    assert targets.used("fit") and targets.used("validate")
    for t in scored:
        assert t.se > 0 and t.source and t.figure != "—", t.id
        assert t.uncertainty_basis or t.low is not None, t.id  # a range's uncertainty is its half-width
    # Targets that read products are kept out of fitting, which runs without them.
    assert not [t.id for t in targets.used("fit") if t.needs_products]
    assert {t.id for t in targets.targets if t.needs_products} == {
        "top_decile_share", "listed_traded_share", "public_data_price_2025"}


def test_odd_calibration_table_lists_the_targets_file_rows():
    """docs/ODD.md's calibration table is printed by ``python -m sim.calibration`` from the targets file."""
    lines = (ROOT / "docs" / "ODD.md").read_text(encoding="utf-8").splitlines()
    start = lines.index("| measure | target | baseline mean | 90 % interval | source |") + 2
    rows = [line.split(" | ") for line in itertools.takewhile(lambda line: line.startswith("| "), lines[start:])]
    targets = Targets.load(WUHAN_TARGETS).targets
    assert [(r[0].removeprefix("| "), r[1]) for r in rows] == [(t.label, t.figure) for t in targets]


def test_range_reads_as_midpoint_with_half_width_uncertainty():
    t = Targets.model_validate({"targets": [{**target({"kind": "last", "metric": "n_merchants"}),
                                             "value": None, "uncertainty": None, "low": 10, "high": 30}]}).targets[0]
    assert (t.center, t.se) == (20, 10)


# ---- moments against the same quantity by hand ---------------------------------------------------


def test_yearly_and_growth_moments_read_the_yearly_table(result):
    y = result.yearly.set_index("year")
    assert compute(result, {"kind": "yearly", "metric": "gmv_total", "year": 2024}) == y.gmv_total[2024]
    assert compute(result, {"kind": "yearly", "metric": "gmv_total", "year": 2025, "scale": 1e-4}) == pytest.approx(
        y.gmv_total[2025] / 1e4)
    assert compute(result, {"kind": "growth", "metric": "gmv_total", "base_year": 2023, "year": 2025}) == pytest.approx(
        y.gmv_total[2025] / y.gmv_total[2023] - 1)


def test_ratio_of_sums_over_a_year_is_the_yearly_exchange_share(result):
    share = compute(result, {"kind": "ratio_of_sums", "numerator": "gmv_exchange", "denominator": "gmv_total",
                             "start": "2024-01", "end": "2024-12"})
    assert share == pytest.approx(result.yearly.set_index("year").exchange_share[2024], rel=1e-12)
    both = compute(result, {"kind": "ratio_of_sums", "numerator": "gmv_exchange",
                            "denominator": ["gmv_exchange", "gmv_off_exchange"], "start": "2024-01", "end": "2024-12"})
    assert both == pytest.approx(share, rel=1e-12)  # a list of metrics is added up


def test_last_reads_one_month_or_the_final_one(result):
    m = result.metrics
    assert compute(result, {"kind": "last", "metric": "n_merchants", "date": "2024-06"}) == m.n_merchants.iloc[17]
    assert compute(result, {"kind": "last", "metric": "n_merchants"}) == m.n_merchants.iloc[-1]


def test_product_moments_read_the_products_table(result):
    p = result.products
    revenue = p.revenue.sort_values(ascending=False).to_numpy()
    assert compute(result, {"kind": "top_share", "fraction": 1.0}) == pytest.approx(1.0)
    n = max(1, len(revenue) // 5)
    assert compute(result, {"kind": "top_share", "fraction": 0.2}) == pytest.approx(revenue[:n].sum() / revenue.sum())
    listed = p[p.ever_listed]
    assert 0 < len(listed) < len(p)
    assert compute(result, {"kind": "listed_traded_share"}) == pytest.approx((listed.units_on_exchange > 0).mean())


def test_flow_ratio_prices_public_data_below_the_cap(result):
    price = compute(result, {"kind": "flow_ratio", "flow": "sale", "payee": "operator",
                             "per": "public_data_paid_uses", "year": 2025})
    assert 0 < price <= Scenario.load(SMALL).policy.pricing.cap
    f = result.flows
    sales = f[(f.kind == "sale") & f.payee.str.startswith("operator:") & (f.date.dt.year == 2025)].amount.sum()
    assert price == pytest.approx(sales / result.yearly.set_index("year").public_data_paid_uses[2025])


def test_calibration_table_shows_each_target_beside_the_mean_of_its_moment():
    scenario = Scenario.load(SMALL, overrides={"population.users.count": 1000})
    targets = Targets.load(WUHAN_TARGETS)
    table = calibration(seeds=range(2), scenario=scenario, targets=targets)
    assert list(table.measure) == [t.label for t in targets.targets]
    runs = [run(scenario, seed=s, full=False).yearly.set_index("year") for s in range(2)]
    row = table.set_index("measure").loc["GMV 2025, 亿元"]
    assert row["mean"] == pytest.approx(sum(y.gmv_total[2025] for y in runs) / 2 / 1e4)
    assert row.p5 <= row["mean"] <= row.p95


# ---- bad input -------------------------------------------------------------------------------------

GOOD = {"targets": [target({"kind": "yearly", "metric": "gmv_total", "year": 2023})]}


def mutate(path: str, value) -> dict:
    data = copy.deepcopy(GOOD)
    node = data["targets"][0]
    *parents, leaf = path.split(".")
    for key in parents:
        node = node[key]
    if value is DELETE:
        del node[leaf]
    else:
        node[leaf] = value
    return data


DELETE = object()


@pytest.mark.parametrize("path, value, message", [
    ("colour", "red", "targets[0].colour: unknown field"),
    ("moment.metric", "gmv", "targets[0].moment.metric: unknown metric 'gmv'; known: gmv_total"),
    ("moment.kind", "median", "targets[0].moment: unknown moment kind 'median'; known: yearly, ratio_of_sums"),
    ("moment.year", "soon", "targets[0].moment.year: Input should be a valid integer"),
    ("uncertainty", DELETE, "targets[0]: a value needs an uncertainty"),
    ("uncertainty", -1, "targets[0].uncertainty: Input should be greater than 0, got -1"),
    ("uncertainty_basis", " ", "targets[0]: uncertainty_basis: say how the uncertainty was derived"),
    ("low", 0.5, "targets[0]: give value or low/high, not both"),
    ("use", "tune", "targets[0].use: Input should be 'fit', 'validate' or 'report', got 'tune'"),
    ("weight", -2, "targets[0].weight: Input should be greater than or equal to 0, got -2"),
])
def test_bad_target_field_gets_one_message_naming_it(tmp_path, path, value, message):
    file = tmp_path / "targets.yaml"
    file.write_text(yaml.safe_dump(mutate(path, value)), encoding="utf-8")
    with pytest.raises(TargetsError) as err:
        Targets.load(file)
    assert len(err.value.errors) == 1 and err.value.errors[0].startswith(message), err.value.errors
    assert str(err.value).startswith(f"invalid targets file {file}:")


def test_report_target_takes_no_figure_and_ids_are_unique():
    report = {**target({"kind": "last", "metric": "n_merchants"}), "use": "report"}
    with pytest.raises(ValueError, match="a report target has no value"):
        Targets.model_validate({"targets": [report]})
    with pytest.raises(ValueError, match="id 't' is used twice"):
        Targets.model_validate({"targets": [GOOD["targets"][0], GOOD["targets"][0]]})


def test_targets_outside_the_scenario_calendar_are_refused(tmp_path):
    short = tmp_path / "short.yaml"
    short.write_text(f"extends: {SMALL}\ncalendar: {{end: 2024-12}}\ntimeline: [{{id: authorize_credit, remove: true}}]\n",
                     encoding="utf-8")
    spec = ParameterSpec.model_validate({"parameters": {"behaviour.value_scale": {"low": 5, "high": 20}}})
    with pytest.raises(FitError) as err:
        Problem(Scenario.load(short), Targets.load(WUHAN_TARGETS), spec, (1,))
    assert any(re.match(r"targets\[4\] \(gmv_2025\): reads 2025-01 … 2025-12, outside the calendar", e)
               for e in err.value.errors), err.value.errors


def test_calibrate_with_a_bad_targets_file_exits_2_and_writes_nothing(tmp_path, capsys):
    file = tmp_path / "targets.yaml"
    file.write_text(yaml.safe_dump(mutate("moment.metric", "gmv")), encoding="utf-8")
    spec = tmp_path / "spec.yaml"
    spec.write_text("parameters: {behaviour.value_scale: {low: 5, high: 20}}\n", encoding="utf-8")
    out = tmp_path / "out"
    code = main(["calibrate", "small", "--targets", str(file), "--parameters", str(spec), "--trials", "2",
                 "--out", str(out)])
    assert code == 2 and not out.exists()
    assert "targets[0].moment.metric: unknown metric 'gmv'" in capsys.readouterr().err


def test_shipped_parameter_spec_and_targets_fit_the_baseline():
    """The example fit of docs/calibration.md is valid: every path a numeric parameter of the
    baseline, every bound allowed, every target inside its calendar, none changed mid-run."""
    baseline = Scenario.load(ROOT / "scenarios" / "wuhan_2023_2025.yaml")
    spec = ParameterSpec.load(ROOT / "scenarios" / "targets" / "wuhan_parameters.yaml")
    problem = Problem(baseline, Targets.load(WUHAN_TARGETS), spec, (1,))
    assert spec.overridden(baseline) == []
    assert all(b.low < b.centre < b.high for b in spec.parameters.values())
    assert problem.with_values(problem.centre()).behaviour.value_scale == pytest.approx((5 * 40) ** 0.5)
