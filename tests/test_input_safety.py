"""Input that can never crash or mislead: hostile or broken YAML files, non-finite numbers,
coerced types and silently-wrong timelines are refused with one short message naming the
place, through the library (``ScenarioError``) and through the command line (exit code 2)."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
import yaml
from pydantic import ValidationError

from sim import Scenario, ScenarioError
from sim.cli import main
from sim.schema import MAX_DEPTH, MAX_ECHO, MAX_FILE_BYTES
from sim.sweeps import Plan, SpecError, SweepSpec

ROOT = Path(__file__).resolve().parents[1]
BASELINE = ROOT / "scenarios" / "wuhan_2023_2025.yaml"
SMALL = ROOT / "scenarios" / "small.yaml"
LONGEST_LINE = 4 * MAX_ECHO  # no problem line is longer than this


def write(folder: Path, name: str, content: str | bytes) -> Path:
    path = folder / name
    if isinstance(content, bytes):
        path.write_bytes(content)
    else:
        path.write_text(content, encoding="utf-8")
    return path


def child(folder: Path, data: dict, name: str = "child.yaml") -> Path:
    """A scenario extending the baseline with ``data``."""
    return write(folder, name, yaml.safe_dump({"extends": str(BASELINE), **data}, allow_unicode=True))


def refused(path: Path, **load) -> ScenarioError:
    """The error loading ``path``; its message is short and every line bounded."""
    with pytest.raises(ScenarioError) as info:
        Scenario.load(path, **load)
    error = info.value
    assert all(len(line) <= LONGEST_LINE for line in error.errors), error.errors
    assert len(str(error)) < 2000, str(error)[:300]
    return error


def cli_refuses(capsys, *argv) -> str:
    """Run the command line; it must exit with code 2 and one message, no traceback."""
    assert main([str(a) for a in argv]) == 2
    printed = capsys.readouterr()
    text = printed.out + printed.err
    assert "Traceback" not in text
    return text


# ---- files that are not readable YAML ------------------------------------------------------------


ENCODINGS = {
    "binary": bytes(range(256)) * 4,
    "utf-16": "name: 数据\npolicy: {}\n".encode("utf-16"),
    "latin-1": "name: café\n".encode("latin-1"),
}


@pytest.mark.parametrize("kind", ENCODINGS)
def test_non_utf8_files_are_refused_as_scenario_parent_and_sweep_base(tmp_path, capsys, kind):
    bad = write(tmp_path, "bad.yaml", ENCODINGS[kind])
    assert "not UTF-8 text" in refused(bad).errors[0]
    kid = write(tmp_path, "kid.yaml", "extends: bad.yaml\n")
    error = refused(kid)
    assert error.errors[0].startswith("extends: not UTF-8 text") and error.source == str(kid)
    spec = write(tmp_path, "spec.yaml", yaml.safe_dump({"base": "bad.yaml", "parameters": {"behaviour.k_off": [3]}}))
    with pytest.raises(ScenarioError, match="not UTF-8 text"):
        Plan(SweepSpec.load(spec))
    assert "not UTF-8 text" in cli_refuses(capsys, "run", bad, "--out", tmp_path / "out")
    assert not (tmp_path / "out").exists()


def test_a_key_given_twice_is_refused_with_both_lines(tmp_path):
    path = write(tmp_path, "twice.yaml", "name: x\npolicy: {vouchers: {rate: 0.2}}\ncalendar: {end: 2023-06}\n"
                                         "policy: {pricing: {regime: free}}\n")
    assert refused(path).errors == ["key 'policy' is given twice, at lines 2 and 4; keep one"]
    same_line = write(tmp_path, "flow.yaml", "policy: {vouchers: {rate: 0.2, rate: 0.3}}\n")
    assert "key 'rate' is given twice, at lines 1 and 1" in refused(same_line).errors[0]


def test_alias_bomb_is_refused_with_a_short_message(tmp_path):
    lines = ['a0: &a0 ["lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol"]']
    lines += [f"a{i}: &a{i} [{', '.join([f'*a{i - 1}'] * 9)}]" for i in range(1, 9)]
    bomb = write(tmp_path, "bomb.yaml", "\n".join(lines) + "\n")
    assert bomb.stat().st_size < 600
    error = refused(bomb)
    assert len(error.errors) == 1 and "aliases expand to more than" in error.errors[0]


def test_a_few_aliases_are_allowed(tmp_path):
    text = (f"extends: {BASELINE}\nexchanges:\n  pilot_platform: &cheap {{fee_rate: 0.01}}\n"
            "  regional_exchange: *cheap\n")
    s = Scenario.load(write(tmp_path, "aliases.yaml", text))
    assert s.exchanges["regional_exchange"].fee_rate == s.exchanges["pilot_platform"].fee_rate == 0.01


def test_a_recursive_alias_is_refused(tmp_path):
    assert "refers to a value that contains it" in refused(write(tmp_path, "r.yaml", "a: &a [*a]\n")).errors[0]


def test_deep_nesting_is_refused_with_the_depth_limit(tmp_path):
    deep = write(tmp_path, "deep.yaml", "policy: " + "[" * 500 + "]" * 500 + "\n")
    assert refused(deep).errors == [f"nesting deeper than {MAX_DEPTH} levels at line 1"]


def test_an_extends_symlink_loop_is_reported_as_a_loop(tmp_path, capsys):
    (tmp_path / "loop_a.yaml").symlink_to(tmp_path / "loop_b.yaml")
    (tmp_path / "loop_b.yaml").symlink_to(tmp_path / "loop_a.yaml")
    kid = write(tmp_path, "kid.yaml", "extends: loop_a.yaml\n")
    assert "symbolic link loop" in refused(kid).errors[0]
    assert "symbolic link loop" in cli_refuses(capsys, "validate", tmp_path / "loop_a.yaml")


def test_a_folder_or_a_device_is_named_as_such(tmp_path, capsys):
    folder = tmp_path / "folder.yaml"
    folder.mkdir()
    assert "is a folder" in refused(folder).errors[0]
    assert "is a folder" in cli_refuses(capsys, "run", folder, "--out", tmp_path / "out")
    if os.path.exists("/dev/zero"):
        assert "not a regular file" in refused(Path("/dev/zero")).errors[0]
        assert "not a regular file" in cli_refuses(capsys, "validate", "/dev/zero")


def test_a_file_over_the_size_limit_is_refused(tmp_path):
    big = write(tmp_path, "big.yaml", "# padding\n" * (MAX_FILE_BYTES // 10 + 1))
    assert "larger than 1024 KiB" in refused(big).errors[0]


@pytest.mark.parametrize("content", ["", "# only a comment\n\n", "---\n"])
def test_an_empty_file_is_refused(tmp_path, content):
    assert refused(write(tmp_path, "empty.yaml", content)).errors == ["empty scenario: nothing to run"]


# ---- messages: short, once, in the right place ---------------------------------------------------


def test_echoed_input_is_shortened(tmp_path):
    error = refused(child(tmp_path, {"behaviour": {"need_rate": "x" * 10_000}, "polcy" + "y" * 500: 1}))
    assert any(line.startswith("behaviour.need_rate:") and "…" in line for line in error.errors)
    assert any(line.startswith("polcy") and "…" in line for line in error.errors)


def test_a_domain_error_is_reported_once_on_its_field(tmp_path):
    error = refused(child(tmp_path, {"domains": {"health": {"sensitivity": "core"}}}))
    assert error.errors == ["domains.health.status: core data must be restricted, got 'authorized' (plan 六.1 分类分级)"]


def test_a_bad_set_value_is_blamed_on_its_event_once(tmp_path):
    error = refused(child(tmp_path, {"timeline": [{"date": "2024-03", "set": {"policy.pricing.markup": -2}}]}))
    assert len(error.errors) == 1 and error.errors[0].startswith("child.yaml: timeline[0].set.policy.pricing.markup:")


# ---- numbers and types ---------------------------------------------------------------------------


NON_FINITE = [
    ({"behaviour": {"need_rate": float("nan")}}, "behaviour.need_rate"),
    ({"population": {"users": {"represents": float("inf")}}}, "population.users.represents"),
    ({"population": {"users": {"sector_weights": {"manufacturing": float("nan"), "other": 1.0}}}},
     "population.users.sector_weights.manufacturing"),
    ({"policy": {"vouchers": {"budget": 1e308}}}, "policy.vouchers.budget"),
    ({"timeline": [{"date": "2024-03", "set": {"policy.vouchers.budget": float("inf")}}]},
     "child.yaml: timeline[0].set.policy.vouchers.budget"),
]


@pytest.mark.parametrize(("data", "path"), NON_FINITE, ids=[n[1] for n in NON_FINITE])
def test_non_finite_and_overflowing_numbers_are_refused(tmp_path, data, path):
    error = refused(child(tmp_path, data))
    assert any(line.startswith(path) for line in error.errors), error.errors


def test_non_finite_overrides_are_refused():
    with pytest.raises(ScenarioError, match="behaviour.value_scale: Input should be a finite number"):
        Scenario.load(BASELINE, overrides={"behaviour.value_scale": float("inf")})


def test_booleans_are_not_numbers_and_text_is_not_a_boolean(tmp_path):
    error = refused(child(tmp_path, {"population": {"users": {"count": True}},
                                     "policy": {"brokers": {"enabled": "no"}}}))
    assert "population.users.count: must be a number, got true" in error.errors
    assert "policy.brokers.enabled: must be a valid boolean, true or false, got 'no'" in error.errors


def test_remove_must_be_true(tmp_path):
    error = refused(child(tmp_path, {"timeline": [{"id": "standards", "remove": "no"}]}))
    assert error.errors == ["timeline[0].remove: must be true (to drop the parent's event), got 'no'"]


def test_duplicate_event_ids_are_refused(tmp_path):
    twice = [{"id": "vouchers", "date": "2024-01", "set": {"policy.vouchers.rate": 0.1}},
             {"id": "vouchers", "date": "2025-01", "set": {"policy.vouchers.rate": 0.2}}]
    error = refused(child(tmp_path, {"timeline": twice}))
    assert "child.yaml: timeline[1].id: 'vouchers' is also the id of timeline[0] of child.yaml; ids must be unique" in error.errors


# ---- timelines that would silently do nothing ----------------------------------------------------


def test_opening_an_exchange_twice_or_founding_an_operator_twice_is_refused(tmp_path):
    again = [{"date": "2025-01", "open_exchange": "pilot_platform"},
             {"date": "2025-02", "found_operator": "wuhan_data_group"}]
    error = refused(child(tmp_path, {"timeline": again}))
    assert any(e.startswith("child.yaml: timeline[0].open_exchange: 'pilot_platform' is already opened") for e in error.errors)
    assert any(e.startswith("child.yaml: timeline[1].found_operator: 'wuhan_data_group' is already founded") for e in error.errors)


@pytest.mark.parametrize("path", ["population.merchants.initial_count", "behaviour.trust_operator",
                                  "behaviour.misreport_propensity"])
def test_setting_a_parameter_read_only_at_the_start_is_refused(tmp_path, path):
    error = refused(child(tmp_path, {"timeline": [{"date": "2024-03", "set": {path: 1}}]}))
    assert error.errors == [f"child.yaml: timeline[0].set.{path}: read only when the run starts, so setting it later "
                            "would change nothing"]


def test_setting_an_exchange_trust_works_before_it_opens_and_is_refused_after(tmp_path):
    before = [{"date": "2024-03", "set": {"exchanges.regional_exchange.initial_trust": 0.5}}]
    assert Scenario.load(child(tmp_path, {"timeline": before})).timeline[-1].set
    after = [{"date": "2024-09", "set": {"exchanges.regional_exchange.initial_trust": 0.5}}]
    error = refused(child(tmp_path, {"timeline": after}))
    assert "read only when 'regional_exchange' opens" in error.errors[0]


def test_setting_a_whole_group_is_refused(tmp_path):
    error = refused(child(tmp_path, {"timeline": [{"date": "2024-03", "set": {"policy.vouchers": {"rate": 0.1}}}]}))
    assert error.errors == ["child.yaml: timeline[0].set.policy.vouchers: a group of parameters; set its parameters one by one, "
                            "e.g. policy.vouchers.rate"]


def test_an_explicit_empty_timeline_clears_the_parents_events(tmp_path, baseline):
    assert baseline.timeline
    assert Scenario.load(child(tmp_path, {"timeline": []})).timeline == []
    assert Scenario.load(child(tmp_path, {"description": "keeps them"})).timeline == baseline.timeline


# ---- the Python API ------------------------------------------------------------------------------


def test_overrides_must_be_a_mapping_of_dotted_paths():
    with pytest.raises(ScenarioError, match="overrides: must be a mapping"):
        Scenario.load(BASELINE, overrides=["policy.vouchers.rate", 0.2])
    with pytest.raises(ScenarioError, match="overrides: 5 is not a dotted parameter path"):
        Scenario.load(BASELINE, overrides={5: 0.2})


def test_a_loaded_scenario_cannot_be_changed_in_place(baseline):
    with pytest.raises(AttributeError, match=r"cannot set Vouchers.rate: .*with_values\(\{'path.to.rate': 5\}\)"):
        baseline.policy.vouchers.rate = 5
    with pytest.raises((AttributeError, ValidationError)):
        baseline.name = "other"
    assert baseline.with_values({"policy.vouchers.rate": 0.5}).policy.vouchers.rate == 0.5
    assert baseline.policy.vouchers.rate == 0.0


# ---- sweep specs ---------------------------------------------------------------------------------


def spec_refused(**fields) -> SpecError:
    with pytest.raises(SpecError) as info:
        Plan(SweepSpec.from_dict({"base": "small", **fields}))
    return info.value


@pytest.mark.parametrize(("fields", "phrase"), [
    ({"design": "lhs", "samples": 4, "parameters": {"policy.vouchers.rate": {"low": 0, "high": float("inf")}}},
     "parameters.policy.vouchers.rate.high: Input should be a finite number"),
    ({"parameters": {"policy.vouchers.rate": [0.1, float("nan")]}},
     "parameters.policy.vouchers.rate: values must be finite numbers"),
    ({"parameters": {"behaviour.k_off": [1, 1.0]}}, "parameters.behaviour.k_off: a value is given twice"),
    ({"design": "lhs", "samples": 4, "parameters": {"policy.vouchers.rate": {"low": 0.2, "high": 0.2}}},
     "parameters.policy.vouchers.rate: low 0.2 must be below high 0.2"),
    ({"parameters": {"behaviour.k_off": [3]}, "seed": 2**64}, "seed: Input should be less than or equal to 4294967295"),
    ({"parameters": {"behaviour.k_off": [3]}, "seed": 2**32 - 2, "replicates": 3}, "the last must be at most 4294967295"),
    ({"parameters": {"behaviour.k_off": [3]}, "replicates": True}, "replicates: must be a number, got true"),
])
def test_bad_numbers_in_sweep_specs_are_refused(fields, phrase):
    assert phrase in str(spec_refused(**fields))


def test_a_spec_base_that_is_a_folder_is_named_as_such(tmp_path):
    (tmp_path / "city").mkdir()
    spec = write(tmp_path, "spec.yaml", yaml.safe_dump({"base": "city", "parameters": {"behaviour.k_off": [3]}}))
    with pytest.raises(ScenarioError, match="is a folder"):
        Plan(SweepSpec.load(spec))


def test_an_empty_spec_is_refused(tmp_path):
    with pytest.raises(SpecError, match="empty sweep spec: nothing to run"):
        SweepSpec.load(write(tmp_path, "spec.yaml", "# nothing yet\n"))


# ---- commands ------------------------------------------------------------------------------------


def test_validate_reports_every_file_and_fails_if_any_is_bad(tmp_path, capsys):
    bad = write(tmp_path, "bad.yaml", f"extends: {BASELINE}\nbehaviour: {{need_rate: 7}}\n")
    assert main(["validate", str(bad), "small", str(tmp_path / "missing.yaml")]) == 2
    out = capsys.readouterr().out
    assert "behaviour.need_rate: Input should be less than or equal to 1" in out
    assert "small: ok" in out and "missing.yaml: " in out and "file not found" in out


def test_validate_takes_a_library_name_with_its_extension(tmp_path, capsys, monkeypatch):
    monkeypatch.chdir(tmp_path)
    assert main(["validate", "small.yaml", "no_exchange"]) == 0
    assert capsys.readouterr().out.splitlines() == ["small.yaml: ok", "no_exchange: ok"]


def test_list_shows_an_unreadable_file_with_the_reason(tmp_path, capsys, monkeypatch):
    import sim.catalog

    write(tmp_path, "good.yaml", f"extends: {SMALL}\ndescription: What if it works?\n")
    write(tmp_path, "latin.yaml", "name: café\n".encode("latin-1"))
    monkeypatch.setattr(sim.catalog, "SCENARIO_DIR", tmp_path)
    assert main(["list"]) == 0
    out = " ".join(capsys.readouterr().out.split())
    assert "good What if it works?" in out
    assert "latin (invalid: not UTF-8 text" in out


def test_months_outside_the_calendar_of_datetime_and_runs_over_a_century_are_refused(tmp_path):
    error = refused(child(tmp_path, {"calendar": {"start": "0000-01"}}))
    assert "calendar.start: '0000-01' is not a month; write it as YYYY-MM, e.g. 2024-07" in error.errors
    error = refused(child(tmp_path, {"calendar": {"end": "2200-01"}}))
    assert error.errors[0] == "calendar.end: the run is 2125 months long; at most 1200 are allowed"


def test_keys_that_are_not_text_are_named(tmp_path):
    assert refused(write(tmp_path, "keys.yaml", "1: x\n")).errors == ["1: keys must be text, got 1"]
    kid = child(tmp_path, {"timeline": [{"date": "2024-01", "set": {5: 1}}]})
    assert "child.yaml: timeline[0].set.5: keys must be text, got 5" in refused(kid).errors


def test_set_events_are_checked_in_date_order_and_the_run_applies_them_without_failing(baseline):
    from sim import run

    shares = "policy.revenue_sharing"
    steps = [{"date": "2023-03", "set": {f"{shares}.operator": 0.6, f"{shares}.data_providers": 0.1}},
             {"date": "2023-05", "set": {f"{shares}.operator": 0.4, f"{shares}.public_services": 0.4}}]
    data = baseline.with_values({"population.users.count": 300}).model_dump()
    data["calendar"]["end"] = "2023-06"
    early = [e for e in data["timeline"] if e["date"] <= "2023-06"]
    scenario = Scenario.from_dict({**data, "timeline": early + steps})  # 0.4 + 0.1 + 0.4 + 0.1 after both
    assert run(scenario, seed=1).metrics.revenue_public_services.iloc[-1] >= 0
    wrong = [steps[1] | {"date": "2023-02"}, steps[0]]  # the other order sums to 1.1 after its first step
    with pytest.raises(ScenarioError) as info:
        Scenario.from_dict({**data, "timeline": early + wrong})
    assert info.value.errors[0] == f"timeline[{len(early)}].set.{shares}: shares sum to 1.1, must sum to 1"


def test_a_file_name_with_a_nul_character_is_refused(tmp_path):
    assert "holds a NUL character" in refused(write(tmp_path, "nul.yaml", 'extends: "a\\0b"\n')).errors[0]
    assert "holds a NUL character" in refused(Path("a\0b")).errors[0]
