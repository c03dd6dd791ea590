"""docs/validation.md: current with the model, the baseline, the targets and the committed fit (the
cheap check: hashes recorded in the document), and ``validate-model`` through the real command on
the small scenario: deterministic, its numbers the ones the calibration code computes, the paired
effects of a policy, and bad input refused with exit code 2."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest
import yaml

from sim.calibration import Targets, calibration
from sim.cli import main
from sim.commands.validate_model import DEFAULT_FIT
from sim.scenario import Scenario
from sim.validation import Inputs, current_inputs, rank_size_slope, stale, top_share

ROOT = Path(__file__).resolve().parents[1]
DOC = ROOT / "docs" / "validation.md"
SMALL = ROOT / "scenarios" / "small.yaml"
TARGETS = ROOT / "scenarios" / "targets" / "wuhan.yaml"


def cli(*argv) -> int:
    return main([str(a) for a in argv])


def test_docs_validation_md_is_current():
    recorded = Inputs.read(DOC.read_text(encoding="utf-8"))
    assert recorded is not None, "docs/validation.md records no inputs line; regenerate it with `make validation`"
    current = current_inputs(Scenario.load(ROOT / "scenarios" / "wuhan_2023_2025.yaml"), TARGETS, DEFAULT_FIT,
                             recorded.seeds, recorded.command)
    changed = stale(recorded, current)
    assert not changed, (f"docs/validation.md is out of date ({', '.join(changed)} changed since it was made); "
                         f"rerun `make validation`, i.e. `{recorded.command}`")
    assert recorded.command.startswith("python run.py validate-model wuhan_2023_2025")


@pytest.fixture(scope="module")
def report(tmp_path_factory) -> dict:
    """validate-model on the small scenario, 3 seeds, the committed fit, one policy without exchanges; twice."""
    folder = tmp_path_factory.mktemp("validation")
    policy = folder / "no_exchanges.yaml"
    policy.write_text(yaml.safe_dump({"extends": str(SMALL), "name": "no_exchanges", "timeline": [
        {"id": "open_pilot_platform", "remove": True}, {"id": "open_regional_exchange", "remove": True}]}))
    texts = []
    for name in ("a.md", "b.md"):
        assert cli("validate-model", SMALL, "--seeds", 3, "--policies", policy, "--out", folder / name) == 0
        texts.append((folder / name).read_text(encoding="utf-8").replace(str(folder / name), "OUT"))
    return {"texts": texts, "folder": folder}


def test_the_report_is_deterministic_and_records_its_inputs(report):
    a, b = report["texts"]
    assert a == b
    recorded = Inputs.read(a)
    assert recorded.seeds == [1, 2, 3] and "validate-model" in recorded.command
    assert not stale(recorded, current_inputs(Scenario.load(SMALL), TARGETS, DEFAULT_FIT, [1, 2, 3], ""))
    for heading in ("## 1. Calibration targets", "## 2. The latest fit", "## 3. Stylised facts",
                    "## 4. Comparative statics", "## 5. Out-of-sample checks"):
        assert heading in a


def test_the_calibration_table_is_the_calibration_codes_means(report):
    """The report's means are those sim.calibration computes on the same seeds (an identity)."""
    targets = Targets.load(TARGETS)
    table = calibration(seeds=[1, 2, 3], scenario=Scenario.load(SMALL), targets=targets)
    text = report["texts"][0]
    section = text.split("## 1.")[1].split("## 2.")[0]
    rows = [line.split(" | ") for line in section.splitlines() if line.startswith("| ") and "---" not in line][1:]
    from sim.summary import number

    assert [r[0].lstrip("| ") for r in rows] == [t.label for t in targets.targets]
    assert [r[3] for r in rows] == [number(m) for m in table["mean"]]
    for t, r, mean in zip(targets.targets, rows, table["mean"], strict=True):
        if t.use != "report":
            assert float(r[5].strip("*")) == pytest.approx((mean - t.center) / t.se, abs=0.006)


def test_a_policy_without_exchanges_has_a_negative_exchange_share_effect_excluding_zero(report):
    section = report["texts"][0].split("## 4.")[1].split("## 5.")[0]
    lines = [line for line in section.splitlines() if line.startswith("| ")]
    header = [c.strip() for c in lines[0].strip("|").split("|")]
    row = [c.strip() for c in next(line for line in lines if "`no_exchanges`" in line).strip("|").split("|")]
    cell = row[header.index("exchange_share")]
    assert cell.startswith("-") and "*" in cell  # mean paired difference below 0, its 95 % CI too


def test_stylised_facts_on_known_sales():
    zipf = pd.Series([100 / r for r in range(1, 51)] + [0.0] * 10)
    assert rank_size_slope(zipf) == pytest.approx(-1.0)
    assert top_share(pd.Series([10.0] + [1.0] * 9)) == pytest.approx(10 / 19)


@pytest.mark.parametrize(("extra", "message"), [
    (["--fit", "no/such/fit"], "--fit no/such/fit: not a calibrate folder"),
    (["--targets", "no_such_targets"], "no_such_targets"),
    (["--policies", "no_such_policy"], "no_such_policy"),
])
def test_bad_input_exits_2_and_leaves_an_existing_report_alone(tmp_path, capsys, extra, message):
    out = tmp_path / "v.md"
    out.write_text("earlier report", encoding="utf-8")
    assert cli("validate-model", SMALL, "--seeds", 1, "--out", out, *extra) == 2
    assert message in capsys.readouterr().err
    assert out.read_text(encoding="utf-8") == "earlier report"
