"""``describe SCENARIO [OTHER]``: what a scenario changes from the one it extends (or OTHER from
SCENARIO), parameter by parameter and event by event, with units and clauses."""

from __future__ import annotations

import pytest

from sim import Scenario
from sim.catalog import SCENARIO_DIR
from sim.cli import main
from sim.commands.describe import markdown
from sim.parameters import differences, groups


def cli(*argv) -> int:
    return main([str(a) for a in argv])


@pytest.fixture
def low_fee(tmp_path):
    path = tmp_path / "low_fee.yaml"
    path.write_text("extends: wuhan_2023_2025\n"
                    "exchanges:\n  pilot_platform: {fee_rate: 0.01}\n"
                    "timeline:\n  - {id: open_regional_exchange, date: 2024-01, open_exchange: regional_exchange}\n"
                    "  - {date: 2024-03, set: {policy.vouchers.rate: 0.1}}\n", encoding="utf-8")
    return path


def test_describe_scenario_lists_each_change_from_its_parent_with_unit_and_clause(low_fee, capsys):
    assert cli("describe", low_fee) == 0
    out = capsys.readouterr().out
    lines = out.splitlines()
    assert lines[0] == "low_fee: 3 difference(s) from wuhan_2023_2025"
    parent = Scenario.load(SCENARIO_DIR / "wuhan_2023_2025.yaml")
    fee = next(line for line in lines if line.startswith("exchanges.pilot_platform.fee_rate"))
    param = next(p for g in groups() for p in g.parameters if p.path == "exchanges.<id>.fee_rate")
    assert fee.split()[1:3] == [str(parent.exchanges["pilot_platform"].fee_rate), "0.01"]
    assert param.unit in fee and param.clause.split()[0] in fee
    moved = next(line for line in lines if line.startswith("timeline open_regional_exchange"))
    assert "2024-07" in moved and "2024-01" in moved
    added = next(line for line in lines if line.startswith("timeline set"))
    assert "—" in added and "policy.vouchers.rate: 0.1" in added


def test_describe_two_scenarios_lists_what_the_second_changes_from_the_first(capsys):
    assert cli("describe", "wuhan_2023_2025", "no_exchange.yaml", "--format", "markdown") == 0
    out = capsys.readouterr().out
    assert out.startswith("`no_exchange`: ")
    assert "| parameter / event | `wuhan_2023_2025` | `no_exchange` | unit | role | clause |" in out
    base, other = (Scenario.load(SCENARIO_DIR / f"{n}.yaml") for n in ("wuhan_2023_2025", "no_exchange"))
    dropped = {ev.id for ev in base.timeline} - {ev.id for ev in other.timeline}
    assert dropped and all(f"| `timeline {i}` |" in out for i in dropped)


def test_a_scenario_differs_from_itself_in_nothing_and_a_change_shows_both_values():
    base = Scenario.load(SCENARIO_DIR / "wuhan_2023_2025.yaml")
    assert differences(base, base) == []
    (row,) = differences(base, base.with_values({"policy.pricing.cap": 0.5}))
    assert (row.what, row.before, row.after) == ("policy.pricing.cap", str(base.policy.pricing.cap), "0.5")
    assert row.role == "lever" and row.unit != "-"


def test_a_scenario_that_extends_nothing_is_described_against_the_defaults(capsys):
    assert cli("describe", "wuhan_2023_2025") == 0
    head = capsys.readouterr().out.splitlines()[0]
    assert head.startswith("wuhan_2023_2025: ") and head.endswith("difference(s) from the defaults")


def test_describe_without_a_scenario_is_still_the_parameter_reference(capsys):
    assert cli("describe", "--format", "markdown") == 0
    assert capsys.readouterr().out == markdown()


def test_describe_of_an_unknown_scenario_names_it_with_exit_code_2(capsys):
    assert cli("describe", "no_such_thing") == 2
    assert "unknown scenario 'no_such_thing'" in capsys.readouterr().err


def test_a_resolved_dump_as_a_manifest_holds_it_validates_back_to_the_same_differences():
    """``report`` reads scenarios back from the manifests' ``resolved_scenario`` dumps: the
    differences must be those of the scenarios that were run, timeline events included."""
    base, other = (Scenario.load(SCENARIO_DIR / f"{n}.yaml") for n in ("wuhan_2023_2025", "no_exchange"))
    again = [Scenario.from_dict(s.model_dump(mode="json")) for s in (base, other)]
    assert again == [base, other]
    assert differences(*again) == differences(base, other) != []
    assert any(row.what.startswith("timeline ") for row in differences(*again))
