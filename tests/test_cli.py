"""The command line, in process (``sim.cli.main``) and, for bad input, as a subprocess: what
each command writes and prints, and one clear message with exit code 2 for each bad input."""

from __future__ import annotations

import json
import os
import shlex
import subprocess
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import yaml

from sim import Scenario, run
from sim.cli import main
from sim.errors import NotFoundError
from sim.commands.describe import markdown
from sim.parameters import groups
from sim.catalog import BASELINE, SCENARIO_DIR, resolve, scenario_files
from sim.metrics import NAMES, yearly
from sim.folders.results import FILES
from sim.summary import run_table

ROOT = Path(__file__).resolve().parents[1]
LATER_EVENTS = ("compliance_regime", "cultivation", "authorize_health_education", "data_asset_registration",
                "open_regional_exchange", "declaration_commitment", "authorize_credit")


@pytest.fixture(scope="module")
def scenarios(tmp_path_factory) -> Path:
    """A folder of quick scenarios: ``tiny`` (the baseline's 2023 at 2 000 users), ``twin`` (the
    same under another name) and ``tiny_free`` (tiny with free public data)."""
    folder = tmp_path_factory.mktemp("scenarios")
    tiny = {
        "extends": str(SCENARIO_DIR / f"{BASELINE}.yaml"),
        "population": {"users": {"count": 2000, "represents": 500}},
        "calendar": {"end": "2023-12"},
        "timeline": [{"id": e, "remove": True} for e in LATER_EVENTS],
    }
    (folder / "tiny.yaml").write_text(yaml.safe_dump(tiny), encoding="utf-8")
    (folder / "twin.yaml").write_text("extends: tiny.yaml\n", encoding="utf-8")
    (folder / "tiny_free.yaml").write_text("extends: tiny.yaml\npolicy: {pricing: {regime: free}}\n", encoding="utf-8")
    return folder


def cli(*argv) -> int:
    return main([str(a) for a in argv])


# ---- run -----------------------------------------------------------------------------------------


def test_run_writes_tidy_results_a_manifest_and_a_figure(scenarios, tmp_path, capsys):
    tiny, out = scenarios / "tiny.yaml", tmp_path / "out"
    assert cli("run", tiny, "--seed", 5, "--replicates", 2, "--out", out) == 0
    printed = capsys.readouterr()
    assert printed.err == ""  # no progress bar off a terminal
    assert sorted(p.name for p in out.iterdir()) == sorted(FILES)

    scenario = Scenario.load(tiny)
    metrics = pd.read_parquet(out / "metrics.parquet")
    assert list(metrics.columns) == ["scenario", "run_id", "seed", "date", *NAMES]
    assert metrics.groupby("run_id").seed.unique().map(list).tolist() == [[5], [6]]
    one = run(scenario, seed=6, run_id=1).metrics
    pd.testing.assert_frame_equal(metrics[metrics.run_id == 1].reset_index(drop=True), one, check_dtype=False)
    per_year = pd.read_csv(out / "yearly.csv")
    assert per_year[["run_id", "year"]].values.tolist() == [[0, 2023], [1, 2023]]
    np.testing.assert_allclose(per_year.gmv_total.sum(), metrics.gmv_total.sum())
    products = pd.read_parquet(out / "products.parquet")
    assert list(products.columns[:3]) == ["scenario", "run_id", "seed"] and set(products.seed) == {5, 6}

    manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["scenario_hash"] == scenario.digest()
    assert manifest["resolved_scenario"] == scenario.model_dump(mode="json")
    assert manifest["seeds"] == [5, 6] and manifest["versions"]["mesa"].startswith("3.3")
    assert manifest["command"] == f"python run.py run {tiny} --seed 5 --replicates 2 --out {out}"
    head = subprocess.run(["git", "rev-parse", "HEAD"], cwd=ROOT, capture_output=True, text=True).stdout.strip()
    assert manifest["git_commit"].startswith(head) and manifest["wall_time_s"] > 0
    assert (out / "key_outcomes.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"

    assert run_table(yearly(metrics)) in printed.out
    assert f"Results in {out}/" in printed.out


def test_results_are_the_same_whatever_the_number_of_workers_and_the_backend(scenarios, tmp_path, dask_scheduler):
    backends = {"1": ["--workers", 1], "2": ["--workers", 2], "dask": ["--backend", "dask", "--scheduler", dask_scheduler]}
    for name, options in backends.items():
        assert cli("run", scenarios / "tiny.yaml", "--replicates", 3, *options, "--out", tmp_path / name) == 0
    for name in ("metrics.parquet", "products.parquet"):
        for other in ("2", "dask"):
            pd.testing.assert_frame_equal(pd.read_parquet(tmp_path / "1" / name),
                                          pd.read_parquet(tmp_path / other / name))


def test_a_folder_with_files_is_refused_and_force_leaves_other_files_alone(scenarios, tmp_path, capsys):
    out = tmp_path / "out"
    out.mkdir()
    (out / "notes.txt").write_text("mine", encoding="utf-8")
    assert cli("run", scenarios / "tiny.yaml", "--out", out) == 2
    assert "is not empty; pass --force" in capsys.readouterr().err
    assert os.listdir(out) == ["notes.txt"]

    (out / "metrics.parquet").write_bytes(b"stale")
    assert cli("run", scenarios / "tiny.yaml", "--out", out, "--force") == 0
    assert (out / "notes.txt").read_text(encoding="utf-8") == "mine"
    assert sorted(os.listdir(out)) == sorted([*FILES, "notes.txt"])  # no temporary files left behind
    assert len(pd.read_parquet(out / "metrics.parquet")) == 12


# ---- bad input ------------------------------------------------------------------------------------


def _bad_inputs(folder: Path) -> dict[str, tuple[list, str]]:
    """Each bad input: the arguments of ``run`` and a phrase its message must contain."""
    broken = "name: broken\npolicy:\n  pricing: [free\ncalendar: {end: 2023-12}\n"
    (folder / "broken.yaml").write_text(broken, encoding="utf-8")
    (folder / "wrong.yaml").write_text(f"extends: {folder / 'tiny.yaml'}\npolicy: {{pricing: {{regime: auction}}}}\n",
                                       encoding="utf-8")
    (folder / "a_file").write_text("keep me", encoding="utf-8")
    out = folder / "out"
    return {
        "missing file": (["run", folder / "missing.yaml", "--out", out], "scenario file not found: "),
        "YAML syntax": (["run", folder / "broken.yaml", "--out", out], "YAML syntax error at line 4, column 9"),
        "schema": (["run", folder / "wrong.yaml", "--out", out], "policy.pricing.regime: Input should be"),
        "unknown name": (["run", "no_such_scenario", "--out", out],
                         "unknown scenario 'no_such_scenario'; a YAML path or one of: wuhan_2023_2025, "),
        "unwritable folder": (["run", folder / "tiny.yaml", "--out", folder / "a_file" / "out"],
                              f"cannot write results to {folder / 'a_file' / 'out'}: "),
    }


@pytest.mark.parametrize("case", ["missing file", "YAML syntax", "schema", "unknown name", "unwritable folder"])
def test_bad_input_gives_one_clear_message_and_exit_code_2(scenarios, case, capsys):
    argv, phrase = _bad_inputs(scenarios)[case]
    before = {p: p.read_bytes() for p in scenarios.iterdir() if p.is_file()}
    assert cli(*argv) == 2
    printed = capsys.readouterr()
    assert printed.err.startswith("error: ") and phrase in printed.err and "Traceback" not in printed.err
    assert printed.out == ""
    assert {p: p.read_bytes() for p in scenarios.iterdir() if p.is_file()} == before  # nothing on disk damaged
    assert not (scenarios / "out").exists()


def test_debug_shows_the_traceback(scenarios):
    with pytest.raises(NotFoundError, match="unknown scenario"):
        cli("--debug", "run", "no_such_scenario", "--out", scenarios / "out")


def test_bad_input_from_the_shell(scenarios):
    _bad_inputs(scenarios)
    done = subprocess.run([sys.executable, "run.py", "run", scenarios / "broken.yaml", "--out", scenarios / "out"],
                          cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert done.returncode == 2 and done.stdout == ""
    assert done.stderr.splitlines() == [f"error: invalid scenario {scenarios / 'broken.yaml'}:",
                                        "  YAML syntax error at line 4, column 9: expected ',' or ']', but got ':'"]


def test_scenarios_are_found_by_name_or_path(scenarios):
    assert resolve("no_exchange") == SCENARIO_DIR / "no_exchange.yaml"
    assert resolve(str(scenarios / "tiny.yaml")) == scenarios / "tiny.yaml"


# ---- compare ---------------------------------------------------------------------------------------


def test_compare_pairs_seeds_and_reports_differences_to_the_first(scenarios, tmp_path, capsys):
    out = tmp_path / "cmp"
    names = ("tiny", "twin", "tiny_free")
    assert cli("compare", *(scenarios / f"{n}.yaml" for n in names), "--replicates", 2, "--seed", 3, "--out", out) == 0
    printed = capsys.readouterr().out
    assert sorted(p.name for p in out.iterdir()) == sorted(["comparison.csv", *names])
    for name in names:
        assert sorted(p.name for p in (out / name).iterdir()) == sorted(FILES)
        assert pd.read_parquet(out / name / "metrics.parquet").groupby("run_id").seed.first().tolist() == [3, 4]

    table = pd.read_csv(out / "comparison.csv")
    assert table.scenario.unique().tolist() == list(names)
    twin = table[table.scenario == "twin"]
    assert len(twin) == len(NAMES) and (twin[["diff_mean", "diff_p05", "diff_p95"]].fillna(0) == 0).all().all()
    level = table.set_index(["scenario", "metric"])
    for metric in ("gmv_total", "operator_revenue", "value_created"):
        np.testing.assert_allclose(level.loc[("tiny_free", metric), "diff_mean"],
                                   level.loc[("tiny_free", metric), "mean"] - level.loc[("tiny", metric), "mean"])
    assert level.loc[("tiny_free", "operator_revenue"), "mean"] == 0
    assert "Δ vs tiny" in printed and "tiny_free" in printed


def test_compare_reports_the_mean_effect_with_its_confidence_interval_and_the_spread_across_seeds(
        scenarios, tmp_path, capsys):
    from scipy import stats

    out = tmp_path / "cmp"
    assert cli("compare", scenarios / "tiny.yaml", scenarios / "tiny_free.yaml", "--replicates", 4, "--out", out) == 0
    printed = capsys.readouterr().out
    assert "95 % confidence interval of the mean, Student t" in printed and "spread across seeds" in printed
    table = pd.read_csv(out / "comparison.csv").set_index(["scenario", "metric", "year"])
    runs = {name: yearly(pd.read_parquet(out / name / "metrics.parquet")).set_index("seed") for name in
            ("tiny", "tiny_free")}
    for metric in ("gmv_total", "value_created", "operator_revenue"):
        diff = (runs["tiny_free"][metric] - runs["tiny"][metric]).to_numpy()
        half = stats.t.ppf(0.975, diff.size - 1) * diff.std(ddof=1) / np.sqrt(diff.size)
        row = table.loc[("tiny_free", metric, 2023)]
        np.testing.assert_allclose([row.diff_mean, row.diff_ci_low, row.diff_ci_high],
                                   [diff.mean(), diff.mean() - half, diff.mean() + half])
        np.testing.assert_allclose([row.diff_p05, row.diff_p95], np.quantile(diff, [0.05, 0.95]))
        assert row.diff_ci_low <= row.diff_mean <= row.diff_ci_high
    assert table.loc[("tiny", "gmv_total", 2023), ["diff_ci_low", "diff_ci_high"]].isna().all()


@pytest.mark.parametrize(("names", "phrase"), [(["tiny"], "at least two"), (["tiny", "tiny"], "appears twice")])
def test_compare_needs_two_differently_named_scenarios(scenarios, tmp_path, capsys, names, phrase):
    assert cli("compare", *(scenarios / f"{n}.yaml" for n in names), "--out", tmp_path / "cmp") == 2
    assert phrase in capsys.readouterr().err
    assert not (tmp_path / "cmp").exists()


# ---- validate, describe, list -----------------------------------------------------------------------


def test_validate_accepts_the_library(capsys):
    files = [str(p) for p in scenario_files()]
    assert cli("validate", *files, "no_exchange") == 0
    assert capsys.readouterr().out.splitlines() == [f"{f}: ok" for f in [*files, "no_exchange"]]


def test_validate_names_every_error_and_fails_if_any_file_is_bad(scenarios, tmp_path, capsys):
    bad = tmp_path / "bad.yaml"
    text = f"extends: {scenarios / 'tiny.yaml'}\nbehaviour: {{need_rate: 2}}\npolicy: {{pricing: {{cap: -1}}}}\n"
    bad.write_text(text, encoding="utf-8")
    assert cli("validate", scenarios / "tiny.yaml", bad, tmp_path / "gone.yaml") == 2
    lines = capsys.readouterr().out.splitlines()
    assert lines[0] == f"{scenarios / 'tiny.yaml'}: ok"
    assert lines[1] == f"{bad}: 2 error(s)"
    assert any(line.startswith("  policy.pricing.cap: ") for line in lines)
    assert any(line.startswith("  behaviour.need_rate: ") for line in lines)
    assert lines[-1] == f"{tmp_path / 'gone.yaml'}: scenario file not found: {tmp_path / 'gone.yaml'}"


def test_docs_parameters_md_is_the_current_describe_output(capsys):
    assert cli("describe", "--format", "markdown") == 0
    expected = (ROOT / "docs" / "parameters.md").read_text(encoding="utf-8")
    assert capsys.readouterr().out == expected, "regenerate with `make docs`"


def test_describe_lists_real_parameters_with_valid_defaults(capsys):
    parameters = [p for g in groups() for p in g.parameters if p.path not in ("name", "description", "timeline")]
    keys = {"domains": "health", "operators": "wuhan_data_group", "exchanges": "pilot_platform"}
    defaults = {p.path.replace("<id>", keys.get(p.path.split(".")[0], "")): yaml.safe_load(p.default)
                for p in parameters}
    assert defaults["policy.pricing.cap"] == 0.8 and defaults["exchanges.pilot_platform.fee_rate"] == 0.025
    Scenario.load(SCENARIO_DIR / f"{BASELINE}.yaml", overrides=defaults)  # every path exists and every default is valid
    assert len(parameters) > 100
    assert cli("describe") == 0
    text = capsys.readouterr().out
    assert all(f"  {p.path} = {p.default}" in text for p in parameters)
    assert ("policy.pricing.cap = 0.8 [万元/use]   allowed: (0, 10000]   role: lever   "
            "clause: plan 二.2 有条件有偿; 发改价格〔2025〕65号 (price ceiling)   source: assumption") in text


def test_markdown_rows_carry_unit_range_and_source():
    text = markdown()
    regime = "| `policy.pricing.regime` | `cost_plus_cap` | - | one of free, cost_plus_cap, market, allowed_revenue |"
    assert regime in text
    assert "| `regulator.audit_rate` | `0.05` | share/month | [0, 1] | lever | plan 六.2 建立数据要素市场监管体系 | assumption |" in text


def test_list_shows_every_scenario_with_its_question(capsys):
    assert cli("list") == 0
    printed = " ".join(capsys.readouterr().out.split())
    for path in scenario_files():
        description = " ".join(Scenario.load(path).description.split())
        assert f"{path.stem} {description}" in printed


# ---- layers --------------------------------------------------------------------------------------


def _imports(path: Path) -> set[str]:
    import ast

    tree = ast.parse(path.read_text(encoding="utf-8"))
    names = {alias.name for node in ast.walk(tree) if isinstance(node, ast.Import) for alias in node.names}
    names |= {node.module for node in ast.walk(tree) if isinstance(node, ast.ImportFrom) and node.module}
    return names


def test_the_library_imports_neither_the_command_line_nor_the_figures():
    library = [p for p in (ROOT / "sim").rglob("*.py") if "commands" not in p.parts and p.name != "cli.py"]
    assert len(library) > 30
    for path in library:
        wrong = {n for n in _imports(path) if n.split(".")[0] == "analysis" or n in ("sim.cli", "sim.commands")
                 or n.startswith("sim.commands.")}
        assert not wrong, f"{path.relative_to(ROOT)} imports {', '.join(sorted(wrong))}"


def test_every_input_error_of_the_library_is_a_datamarket_error():
    from sim.cli import CliError
    from sim.errors import DataMarketError, FolderError, SweepError
    from sim.scenario import ScenarioError
    from sim.sweeps import SpecError

    for error in (CliError, FolderError, NotFoundError, ScenarioError, SpecError, SweepError):
        assert issubclass(error, DataMarketError)


def test_a_scheduler_without_the_dask_backend_is_refused(scenarios, tmp_path, capsys):
    assert cli("run", scenarios / "tiny.yaml", "--scheduler", "tcp://nowhere:1", "--out", tmp_path / "out") == 2
    assert "--scheduler needs --backend dask" in capsys.readouterr().err
    assert not (tmp_path / "out").exists()


def test_sweep_specs_are_found_by_name_or_path_with_the_same_rule_as_scenarios(tmp_path, capsys):
    from sim.catalog import SWEEP_DIR

    assert resolve("smoke", library=SWEEP_DIR) == SWEEP_DIR / "smoke.yaml"
    assert cli("sweep", "no_such_spec", "--out", tmp_path / "out") == 2
    assert "unknown sweep spec 'no_such_spec'; a YAML path or one of: behaviour_screening, " in capsys.readouterr().err
    assert cli("sweep", tmp_path / "gone.yaml", "--out", tmp_path / "out") == 2
    assert f"sweep spec file not found: {tmp_path / 'gone.yaml'}" in capsys.readouterr().err
    assert not (tmp_path / "out").exists()


# ---- --set and --name --------------------------------------------------------------------------


def test_set_and_name_change_the_run_and_are_recorded_in_the_manifest(scenarios, tmp_path, capsys):
    out = tmp_path / "out"
    assert cli("run", scenarios / "tiny.yaml", "--set", "policy.pricing.regime=free", "--set",
               "exchanges.pilot_platform.fee_rate=0.01", "--name", "tiny_cheap", "--out", out) == 0
    assert capsys.readouterr().out.startswith("tiny_cheap: 1 replicate(s) on seed 1")
    expected = Scenario.load(scenarios / "tiny_free.yaml").with_values(
        {"exchanges.pilot_platform.fee_rate": 0.01, "name": "tiny_cheap"})
    manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["resolved_scenario"] == expected.model_dump(mode="json")
    assert manifest["scenario_hash"] == expected.digest()
    assert manifest["overrides"] == {"policy.pricing.regime": "free", "exchanges.pilot_platform.fee_rate": 0.01}
    assert manifest["renamed"] == "tiny_cheap"
    assert set(pd.read_parquet(out / "metrics.parquet").scenario) == {"tiny_cheap"}
    free = run(Scenario.load(scenarios / "tiny_free.yaml"), seed=1).metrics
    cheap = pd.read_parquet(out / "metrics.parquet")
    assert cheap.gmv_exchange.sum() != free.gmv_exchange.sum()  # the fee change reached the run


def test_compare_sets_every_scenario_and_names_each(scenarios, tmp_path, capsys):
    out = tmp_path / "cmp"
    assert cli("compare", scenarios / "tiny.yaml", scenarios / "tiny_free.yaml", "--set",
               "policy.vouchers.rate=0.2", "--set", "policy.vouchers.budget=500",
               "--name", "paid", "--name", "free", "--out", out) == 0
    for name in ("paid", "free"):
        manifest = json.loads((out / name / "manifest.json").read_text(encoding="utf-8"))
        assert manifest["resolved_scenario"]["policy"]["vouchers"] == {"rate": 0.2, "budget": 500}
        assert manifest["overrides"] == {"policy.vouchers.rate": 0.2, "policy.vouchers.budget": 500}
    assert list(pd.read_csv(out / "comparison.csv").scenario.unique()) == ["paid", "free"]
    assert cli("compare", scenarios / "tiny.yaml", scenarios / "twin.yaml", "--name", "one", "--out", out,
               "--force") == 2
    assert "--name: give one per scenario (2), got 1" in capsys.readouterr().err


BAD_SETS = [
    (["--set", "policy.pricing.regim=free"], "--set policy.pricing.regim='free': no such parameter in tiny.yaml; "
                                             "nearest: policy.pricing.regime"),
    (["--set", "policy.pricing.regime=auction"],
     "--set policy.pricing.regime='auction': Input should be 'free', 'cost_plus_cap', 'market' or 'allowed_revenue'"),
    (["--set", "policy.pricing.cap=-1"], "--set policy.pricing.cap=-1: Input should be greater than 0, got -1"),
    (["--set", "behaviour.need_rate=[1, 2]"], "--set behaviour.need_rate=[1, 2]: Input should be a valid number"),
    (["--set", "policy.pricing.cap"], "--set 'policy.pricing.cap': write it as PATH=VALUE"),
    (["--set", "policy.pricing={cap: 1}"], "give one parameter per --set, not a mapping"),
    (["--name", "../up"], "--name='../up': must be letters, digits"),
]


@pytest.mark.parametrize(("argv", "phrase"), BAD_SETS, ids=[b[0][1] for b in BAD_SETS])
def test_a_bad_set_or_name_names_the_flag_the_value_and_what_is_allowed(scenarios, tmp_path, capsys, argv, phrase):
    assert cli("run", scenarios / "tiny.yaml", *argv, "--out", tmp_path / "out") == 2
    err = capsys.readouterr().err
    assert err.startswith("error: ") and phrase in err and "Traceback" not in err
    assert not (tmp_path / "out").exists()


def test_sweep_set_joins_the_fixed_values_of_the_base_and_name_names_the_sweep(scenarios, tmp_path, capsys):
    spec = tmp_path / "spec.yaml"
    spec.write_text(yaml.safe_dump({"base": str(scenarios / "tiny.yaml"), "design": "grid",
                                    "parameters": {"policy.pricing.cap": [0.5]}}), encoding="utf-8")
    out = tmp_path / "sweep"
    assert cli("sweep", spec, "--set", "policy.pricing.regime=allowed_revenue", "--name", "capped",
               "--out", out, "--quiet") == 0
    stored = json.loads((out / "spec.json").read_text(encoding="utf-8"))["spec"]
    assert stored["fixed"] == {"policy.pricing.regime": "allowed_revenue"} and stored["name"] == "capped"
    digest = pd.read_parquet(out / "points.parquet").digest.item()
    expected = Scenario.load(scenarios / "tiny.yaml").with_values(
        {"policy.pricing.regime": "allowed_revenue", "policy.pricing.cap": 0.5})
    assert digest == expected.digest()
    capsys.readouterr()
    assert cli("sweep", spec, "--set", "policy.pricing.cap=0.4", "--out", tmp_path / "other") == 2
    assert "--set policy.pricing.cap: swept by the spec spec, so it cannot also be set" in capsys.readouterr().err
    assert cli("sweep", spec, "--set", "policy.pricing.cop=0.4", "--out", tmp_path / "other") == 2
    assert "nearest: policy.pricing.cap" in capsys.readouterr().err
    assert not (tmp_path / "other").exists()


# ---- small things: one replicate, validate by file name, the console command, a closed pipe ------


def test_one_replicate_prints_its_values_without_intervals(scenarios, tmp_path, capsys):
    assert cli("run", scenarios / "tiny.yaml", "--out", tmp_path / "one") == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[1].startswith("single replicate") and not any("[" in line for line in lines[2:14])
    assert cli("compare", scenarios / "tiny.yaml", scenarios / "tiny_free.yaml", "--out", tmp_path / "cmp") == 0
    text = capsys.readouterr().out
    assert "single replicate" in text and "(95 % CI)" not in text and "spread across seeds" not in text
    assert "Δ vs tiny " in text


def test_validate_takes_a_library_file_name_a_name_and_a_file_anywhere(scenarios, capsys):
    assert cli("validate", "small.yaml", "small", scenarios / "twin.yaml") == 0
    assert capsys.readouterr().out.splitlines() == ["small.yaml: ok", "small: ok", f"{scenarios / 'twin.yaml'}: ok"]


def _console_command(folder: Path) -> Path:
    """The script pip writes for the ``datamarket`` entry of ``[project.scripts]``."""
    import tomllib

    entry = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]["scripts"]["datamarket"]
    module, function = entry.split(":")
    script = folder / "datamarket"
    script.write_text(f"#!{sys.executable}\nimport sys\nfrom {module} import {function}\nsys.exit({function}())\n",
                      encoding="utf-8")
    script.chmod(0o755)
    return script


def test_the_console_command_runs_the_cli_and_names_itself(scenarios, tmp_path):
    script = _console_command(tmp_path)
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    done = subprocess.run([script, "--help"], capture_output=True, text=True, timeout=120, env=env, cwd=tmp_path)
    assert done.returncode == 0 and done.stdout.startswith("usage: datamarket ")
    out = tmp_path / "out"
    done = subprocess.run([script, "run", scenarios / "tiny.yaml", "--out", out], capture_output=True, text=True,
                          timeout=300, env=env, cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["command"] == f"datamarket run {scenarios / 'tiny.yaml'} --out {out}"
    plain = subprocess.run([sys.executable, "run.py", "--help"], cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert plain.stdout.startswith("usage: run.py ")


def test_output_cut_short_by_its_reader_ends_quietly():
    done = subprocess.run(f"{shlex.quote(sys.executable)} run.py list | head -1; exit ${{PIPESTATUS[0]}}",
                          shell=True, executable="/bin/bash", cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert done.stdout.startswith("Scenarios in ") and len(done.stdout.splitlines()) == 1
    assert done.stderr == "" and done.returncode == 141
