"""Scenario schema: loading, extends, overrides, and malformed scenarios refused with the field path."""

import re
from pathlib import Path

import pytest
import yaml

from sim import Scenario, ScenarioError
from sim.parameters import groups
from sim.scenario import SETTABLE_ROOTS
from sim.schema import ROLES

from conftest import BASELINE


def _write(tmp_path: Path, name: str, data) -> Path:
    path = tmp_path / name
    path.write_text(data if isinstance(data, str) else yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    return path


def _extending(tmp_path: Path, child: dict) -> Path:
    """A scenario file that extends the baseline with ``child``."""
    return _write(tmp_path, "child.yaml", {"extends": str(BASELINE), **child})


MALFORMED = [
    # (what differs from the baseline, a field path the message must name, a phrase it must contain)
    ({"policy": {"revenue_sharing": {"operator": 0.8}}}, "policy.revenue_sharing", "shares sum to 1.3, must sum to 1"),
    ({"policy": {"pricing": {"regime": "auction"}}}, "policy.pricing.regime", "'auction'"),
    ({"policy": {"pricing": {"cap": -1}}}, "policy.pricing.cap", "greater than 0"),
    ({"behaviour": {"need_rate": 1.5}}, "behaviour.need_rate", "less than or equal to 1"),
    ({"behaviour": {"need_rat": 0.1}}, "behaviour.need_rat", "allowed here: need_rate"),
    ({"polcy": {}}, "polcy", "allowed here: name, description, calendar"),
    ({"population": {"users": {"count": 0}}}, "population.users.count", "greater than or equal to 1"),
    ({"population": {"users": {"sector_weights": {"manufacturing": 0.5, "finance": 0.4}}}},
     "population.users.sector_weights", "sum to 0.9"),
    ({"domains": {"health": {"status": "secret"}}}, "domains.health.status", "'secret'"),
    ({"domains": {"health": {"quality": 1.2}}}, "domains.health.quality", "less than or equal to 1"),
    ({"domains": {"health": {"relevance": {"mining": 0.5}}}}, "domains.health.relevance.mining", "unknown sector"),
    ({"exchanges": {"regional_exchange": {"fee_rate": 0.9}}}, "exchanges.regional_exchange.fee_rate", "0.5"),
    ({"exchanges": {"wuhan_data_group": {}}}, "exchanges.wuhan_data_group", "plan 三.2"),
    ({"calendar": {"start": "2023-13"}}, "calendar.start", "YYYY-MM"),
    ({"timeline": [{"date": "2026-03", "start_compliance": True}]}, "child.yaml: timeline[0].date", "outside the calendar"),
    ({"timeline": [{"date": "2024-03", "open_exchange": "shanghai"}]}, "child.yaml: timeline[0].open_exchange", "unknown exchange"),
    ({"timeline": [{"date": "2024-03", "authorize": {"operator": "wuhan_data_group", "domains": ["public_security"]}}]},
     "child.yaml: timeline[0].authorize.domains", "restricted"),
    ({"timeline": [{"date": "2024-03", "authorize": {"operator": "wuhan_data_group", "domains": ["geospatial"]}}]},
     "child.yaml: timeline[0].authorize.domains", "open to all"),
    ({"timeline": [{"id": "found_data_group", "date": "2025-06", "found_operator": "wuhan_data_group"}]},
     "wuhan_2023_2025.yaml: timeline[2].authorize.operator", "not founded by 2023-09"),
    ({"timeline": [{"date": "2024-03", "set": {"policy.pricing.markup": -2}}]}, "child.yaml: timeline[0].set.policy.pricing.markup",
     "greater than or equal to 0"),
    ({"timeline": [{"date": "2024-03", "set": {"population.users.count": 5}}]}, "child.yaml: timeline[0].set.population.users.count",
     "cannot be changed during a run"),
    ({"timeline": [{"date": "2024-03", "open_exchange": "regional_exchange", "start_compliance": True}]},
     "child.yaml: timeline[0]", "exactly one of"),
    ({"regulator": {"tolerance_first_minor": "sometimes"}}, "regulator.tolerance_first_minor", "valid boolean"),
]


@pytest.mark.parametrize(("child", "path", "phrase"), MALFORMED, ids=[m[1] for m in MALFORMED])
def test_malformed_scenarios_are_refused_naming_the_field(tmp_path, child, path, phrase):
    with pytest.raises(ScenarioError) as info:
        Scenario.load(_extending(tmp_path, child))
    lines = [line for line in info.value.errors if line.startswith(path)]
    assert lines, f"no error names {path}: {info.value.errors}"
    assert any(phrase in line for line in lines), lines


def test_all_errors_are_reported_at_once(tmp_path):
    child = {"behaviour": {"need_rate": 2}, "policy": {"pricing": {"cap": 0}}}
    with pytest.raises(ScenarioError) as info:
        Scenario.load(_extending(tmp_path, child))
    assert {e.split(":")[0] for e in info.value.errors} >= {"behaviour.need_rate", "policy.pricing.cap"}


def test_yaml_syntax_error_gives_line_and_column(tmp_path):
    path = _write(tmp_path, "bad.yaml", "name: x\npolicy: {pricing: [\n")
    with pytest.raises(ScenarioError, match=r"YAML syntax error at line \d+, column \d+"):
        Scenario.load(path)


def test_missing_file_and_extends_cycle(tmp_path):
    with pytest.raises(ScenarioError, match="file not found"):
        Scenario.load(tmp_path / "nope.yaml")
    _write(tmp_path, "a.yaml", {"extends": "b.yaml"})
    _write(tmp_path, "b.yaml", {"extends": "a.yaml"})
    with pytest.raises(ScenarioError, match=r"extends: cycle a.yaml -> b.yaml -> a.yaml"):
        Scenario.load(tmp_path / "a.yaml")


def test_extends_merges_and_timeline_ids_replace_or_remove(tmp_path, baseline):
    child = {
        "name": "late_exchange",
        "policy": {"pricing": {"cap": 0.5}},
        "timeline": [
            {"id": "open_regional_exchange", "date": "2025-01", "open_exchange": "regional_exchange"},
            {"id": "standards", "remove": True},
        ],
    }
    s = Scenario.load(_extending(tmp_path, child))
    assert s.name == "late_exchange"
    assert s.policy.pricing.cap == 0.5
    assert s.policy.pricing.regime == baseline.policy.pricing.regime  # untouched keys are inherited
    events = {e.id: e for e in s.timeline}
    assert events["open_regional_exchange"].date == "2025-01"
    assert "standards" not in events
    assert len(s.timeline) == len(baseline.timeline) - 1


def test_overrides_use_dotted_paths_and_validate(baseline):
    s = Scenario.load(BASELINE, overrides={"population.users.count": 1234, "policy.pricing.regime": "free"})
    assert s.population.users.count == 1234 and s.policy.pricing.regime == "free"
    assert s.digest() != baseline.digest()
    with pytest.raises(ScenarioError, match="population.users.count"):
        Scenario.load(BASELINE, overrides={"population.users.count": -5})
    with pytest.raises(ScenarioError, match=r"policy.nothing.here: no such parameter"):
        Scenario.load(BASELINE, overrides={"policy.nothing.here": 1})


def test_every_parameter_has_unit_source_and_description():
    def walk(model, prefix=""):
        for name, field in model.model_fields.items():
            extra = field.json_schema_extra or {}
            sub = field.annotation
            if isinstance(sub, type) and hasattr(sub, "model_fields") and name not in ("maturity", "capability", "honesty"):
                yield from walk(sub, f"{prefix}{name}.")
            elif prefix.startswith(("policy", "behaviour", "regulator", "population")):
                yield f"{prefix}{name}", extra, field.description

    rows = list(walk(Scenario))
    assert len(rows) > 60
    for path, extra, description in rows:
        assert extra.get("unit") and extra.get("source") and description, path
    assert set(SETTABLE_ROOTS) >= {"policy", "behaviour"}


def test_the_baseline_cites_the_plan_and_digest_is_stable(baseline):
    assert baseline.name == "wuhan_2023_2025"
    assert Scenario.load(BASELINE).digest() == baseline.digest()
    assert all(e.note.startswith("plan") for e in baseline.timeline)


# Tasks per section of the plan's 主要任务 (二、(一)…(六)), so that ``plan 三.5`` names a real task.
PLAN_TASKS = {"一": 4, "二": 3, "三": 5, "四": 3, "五": 3, "六": 3}


def test_every_parameter_has_a_role_a_clause_apart_from_its_source_and_a_finite_range():
    rows = [p for g in groups() for p in g.parameters]
    assert len(rows) > 120
    for p in rows:
        assert p.role in ROLES, p.path
        # the source says where the number comes from; a plan clause without a figure goes in `clause`
        assert not re.match(r"plan\b", p.source), (p.path, p.source)
        assert "∞" not in p.allowed, (p.path, p.allowed)
        for section, task in re.findall(r"([一二三四五六])\.(\d)", p.clause):
            assert 1 <= int(task) <= PLAN_TASKS[section], (p.path, p.clause)
    roles = {p.role for p in rows}
    assert roles == set(ROLES)
    # behaviour is outside policy: uncertainties, and a few technical constants
    assert all(p.role in ("uncertainty", "constant") for p in rows if p.path.startswith("behaviour."))
    levers = {p.path for p in rows if p.role == "lever"}
    assert {"policy.pricing.regime", "policy.revenue_sharing.public_services", "regulator.audit_rate",
            "exchanges.<id>.fee_rate", "policy.vouchers.rate"} <= levers


# ---- extends by name, errors named by file, all errors at once -----------------------------------


@pytest.mark.parametrize("parent", ["wuhan_2023_2025", "wuhan_2023_2025.yaml"])
def test_a_scenario_outside_the_library_extends_a_catalogue_scenario_by_name(tmp_path, baseline, parent):
    child = Scenario.load(_write(tmp_path, "low_fee.yaml", {"extends": parent, "policy": {"pricing": {"cap": 77}}}))
    assert child.policy.pricing.cap == 77
    same = {"policy.pricing.cap": baseline.policy.pricing.cap, "name": baseline.name, "description": baseline.description}
    assert child.with_values(same) == baseline


def test_a_file_beside_the_scenario_wins_over_a_catalogue_name(tmp_path):
    _write(tmp_path, "small.yaml", {"extends": str(BASELINE), "policy": {"pricing": {"cap": 55}}})
    child = Scenario.load(_write(tmp_path, "child.yaml", {"extends": "small"}))
    assert child.policy.pricing.cap == 55 and child.population.users.count == 20000  # not the library's small


def test_an_unknown_parent_is_blamed_on_extends_naming_the_file_and_the_names(tmp_path):
    with pytest.raises(ScenarioError) as info:
        Scenario.load(_write(tmp_path, "child.yaml", {"extends": "wuhan_2030"}))
    assert info.value.source.endswith("child.yaml")
    (line,) = info.value.errors
    assert line.startswith("extends: no scenario 'wuhan_2030'") and "wuhan_2023_2025" in line


def test_timeline_problems_name_the_file_and_index_of_the_event_where_it_is_written(tmp_path):
    parent = _write(tmp_path, "parent.yaml", {"extends": "wuhan_2023_2025", "timeline": [
        {"date": "2024-02", "open_exchange": "nowhere"}]})
    child = _write(tmp_path, "child.yaml", {"extends": parent.name, "timeline": [
        {"date": "2024-03", "start_compliance": True}, {"date": "2031-01", "start_compliance": True}]})
    with pytest.raises(ScenarioError) as info:
        Scenario.load(child)
    n = len(Scenario.load(BASELINE).timeline)
    assert "child.yaml: timeline[1].date: 2031-01 is outside the calendar 2023-01 … 2025-12" in info.value.errors
    assert any(line.startswith("parent.yaml: timeline[0].open_exchange: unknown exchange 'nowhere'")
               for line in info.value.errors)
    assert not any(f"timeline[{n}]" in line or f"timeline[{n + 2}]" in line for line in info.value.errors)


def test_a_bad_date_does_not_hide_the_other_problems_of_the_file(tmp_path):
    child = _extending(tmp_path, {"policy": {"pricing": {"regime": "auction"}}, "timeline": [
        {"date": "2024-13", "set": {"policy.pricing.cap": -1}},
        {"date": "2024-05", "open_exchange": "nowhere"},
        {"date": "2024-06", "authorize": {"operator": "ghost", "domains": ["health"]}}]})
    with pytest.raises(ScenarioError) as info:
        Scenario.load(child)
    errors = info.value.errors
    expected = ["policy.pricing.regime:", "child.yaml: timeline[0].date: '2024-13' is not a month",
                "child.yaml: timeline[0].set.policy.pricing.cap:", "child.yaml: timeline[1].open_exchange: unknown",
                "child.yaml: timeline[2].authorize.operator: unknown operator 'ghost'"]
    for start in expected:
        assert any(line.startswith(start) for line in errors), (start, errors)


def test_a_file_without_extends_keeps_its_own_timeline_indices(tmp_path, baseline):
    data = baseline.model_dump(mode="json", exclude_none=True)
    data["timeline"][1]["date"] = "2040-01"
    with pytest.raises(ScenarioError) as info:
        Scenario.load(_write(tmp_path, "whole.yaml", data))
    assert any(line.startswith("timeline[1].date: 2040-01 is outside") for line in info.value.errors)


def test_a_cash_reserve_above_the_repayment_threshold_is_refused_and_the_boundary_runs():
    """Merchants repay from the cash above their reserve once cash exceeds ``repay_above``: a reserve
    above that threshold (a negative repayment, which crashed runs) is refused at load."""
    base = Scenario.load(BASELINE)
    with pytest.raises(ScenarioError, match=r"cash_reserve 3.5 is above repay_above 3"):
        base.with_values({"behaviour.cash_reserve": 3.5})
    equal = base.with_values({"behaviour.cash_reserve": 3.0, "population.users.count": 1000})
    from sim import run

    assert run(equal, seed=1, full=False).metrics["ledger_imbalance"].abs().max() < 1e-6
