"""Reliability of the commands against careless or hostile use: every reproduction listed in
docs/reliability.md, through the real entry point (``sim.cli.main`` or a subprocess). Each bad
input ends with one message and exit code 2, leaves nothing half-written and writes nothing
outside ``--out``; folders have one writer at a time; worker processes die with their parent."""

from __future__ import annotations

import dataclasses
import json
import math
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import yaml

import sim.execute
from sim import folders, run, sweep
from sim.cli import main
from sim.errors import DataMarketError, FolderError
from sim.folders import comparison
from sim.ledger import BOOKS_TOLERANCE, books_error
from sim.runner import SeedError
from sim.storage import lock
from sim.sweeps import SweepResult
from sim.sweeps import plan as plan_module

ROOT = Path(__file__).resolve().parents[1]
LATER_EVENTS = ("compliance_regime", "cultivation", "authorize_health_education", "data_asset_registration",
                "open_regional_exchange", "declaration_commitment", "authorize_credit")


@pytest.fixture(scope="module")
def city(tmp_path_factory) -> Path:
    """A folder with quick scenarios (``tiny``: 2023 at 2 000 users; ``tiny_free``, ``tiny_b``) and
    a two-run sweep spec of tiny (``sweep.yaml``)."""
    folder = tmp_path_factory.mktemp("city")
    tiny = {"extends": str(ROOT / "scenarios" / "wuhan_2023_2025.yaml"), "name": "tiny",
            "population": {"users": {"count": 2000, "represents": 500}}, "calendar": {"end": "2023-12"},
            "timeline": [{"id": e, "remove": True} for e in LATER_EVENTS]}
    (folder / "tiny.yaml").write_text(yaml.safe_dump(tiny, allow_unicode=True), encoding="utf-8")
    (folder / "tiny_free.yaml").write_text("extends: tiny.yaml\nname: tiny_free\n"
                                           "policy: {pricing: {regime: free}}\n", encoding="utf-8")
    (folder / "tiny_b.yaml").write_text("extends: tiny.yaml\nname: tiny_b\n", encoding="utf-8")
    spec = {"base": "tiny.yaml", "parameters": {"policy.vouchers.rate": [0.0, 0.3]}, "replicates": 1, "seed": 1,
            "outputs": {"metrics": ["gmv_total"], "frequency": "yearly"}}
    (folder / "sweep.yaml").write_text(yaml.safe_dump(spec), encoding="utf-8")
    return folder


def cli(*argv) -> int:
    return main([str(a) for a in argv])


def refused(capsys, *argv) -> str:
    """Run the command, check it ends with exit code 2 and one message (no traceback); the message."""
    try:
        code = cli(*argv)
    except SystemExit as exc:  # argparse refuses the value of an option
        code = exc.code
    err = capsys.readouterr().err
    assert code == 2, err
    assert "Traceback" not in err and err.strip(), err
    return err


def tree(path: Path) -> dict[str, int]:
    """Every file under ``path`` with its modification time."""
    return {str(p.relative_to(path)): p.stat().st_mtime_ns for p in sorted(path.rglob("*")) if p.is_file()}


# ---- 1. names that climb out of --out ------------------------------------------------------------


def test_compare_refuses_a_scenario_name_that_would_write_outside_out(city, tmp_path, capsys):
    victim = tmp_path / "victim"
    assert cli("run", city / "tiny.yaml", "--out", victim) == 0
    before = tree(victim)
    evil = tmp_path / "evil.yaml"
    evil.write_text(f"extends: {city / 'tiny.yaml'}\nname: ../victim\n", encoding="utf-8")
    err = refused(capsys, "compare", city / "tiny.yaml", evil, "--out", tmp_path / "cmp_out")
    assert "name" in err and "'../victim'" in err
    assert tree(victim) == before and not (tmp_path / "cmp_out").exists()


@pytest.mark.parametrize("name", ["..", ".", "a/b", "../x", "/abs", ""])
def test_the_comparison_folder_of_a_scenario_is_always_directly_inside_out(tmp_path, name):
    with pytest.raises(FolderError, match="cannot be a folder inside"):
        comparison.folder(tmp_path, name)
    assert comparison.folder(tmp_path, "数据_v1.2").parent == tmp_path


# ---- 2. one writer per folder --------------------------------------------------------------------


def test_a_second_writer_of_a_folder_fails_at_once_naming_the_holder(city, tmp_path, capsys):
    out = tmp_path / "out"
    with lock(out, command="python run.py run tiny --seed 100"):
        err = refused(capsys, "run", city / "tiny.yaml", "--seed", 1, "--out", out, "--force")
        assert f"pid {os.getpid()}" in err and "run.py run tiny --seed 100" in err
        err = refused(capsys, "sweep", city / "sweep.yaml", "--out", out, "--resume")
        assert "being written by another process" in err
        err = refused(capsys, "compare", city / "tiny.yaml", city / "tiny_free.yaml", "--out", out, "--force")
        assert "being written by another process" in err
    assert not list(out.iterdir())  # nothing written by the refused commands, and the lock file is gone


def test_the_lock_of_a_killed_writer_is_taken_over(city, tmp_path):
    out = tmp_path / "out"
    holder = subprocess.Popen([sys.executable, "-c", "import sys, time; from pathlib import Path; "
                               "from sim.storage import lock\nwith lock(Path(sys.argv[1])):\n"
                               "    print('held', flush=True); time.sleep(60)", str(out)],
                              cwd=ROOT, stdout=subprocess.PIPE, text=True)
    assert holder.stdout.readline().strip() == "held"
    holder.kill()
    holder.wait()
    assert (out / ".lock").is_file()  # left behind by the killed holder
    assert cli("run", city / "tiny.yaml", "--out", out) == 0
    assert folders.kind(out) == "results" and not (out / ".lock").exists()


# ---- 3. resume after a change of the model's source --------------------------------------------


def test_resume_after_a_source_change_reruns_every_run_and_says_how_many_it_discarded(city, tmp_path, capsys,
                                                                                       monkeypatch):
    out = tmp_path / "sweep"
    assert cli("sweep", city / "sweep.yaml", "--out", out, "--quiet") == 0
    capsys.readouterr()
    monkeypatch.setattr(plan_module, "source_digest", lambda: "edited-source")
    assert cli("sweep", city / "sweep.yaml", "--out", out, "--resume", "--quiet") == 0
    assert "2 outdated results discarded" in capsys.readouterr().out
    assert all("edited-source" not in k for k in SweepResult(out).runs["key"])  # the key is a hash of it
    assert json.loads((out / "spec.json").read_text())["model_version"].endswith("+source.edited-source")


def test_the_source_digest_changes_with_any_model_source_file(tmp_path, monkeypatch):
    import sim.provenance as provenance

    for name in ("sim/a.py", "agents/b.py", "docs/c.py"):
        (tmp_path / name).parent.mkdir(exist_ok=True)
        (tmp_path / name).write_text("x = 1\n", encoding="utf-8")
    monkeypatch.setattr(provenance, "ROOT", tmp_path)
    digest = provenance.source_digest.__wrapped__
    first = digest()
    (tmp_path / "docs/c.py").write_text("x = 2\n", encoding="utf-8")
    assert digest() == first  # not model source
    (tmp_path / "agents/b.py").write_text("x = 2\n", encoding="utf-8")
    assert digest() != first


# ---- 4. sweep and sensitivity edges ----------------------------------------------------------------


def test_sweep_into_a_file_or_a_device_is_refused(city, tmp_path, capsys):
    file = tmp_path / "file"
    file.write_text("mine", encoding="utf-8")
    assert "it is a file, not a folder" in refused(capsys, "sweep", city / "sweep.yaml", "--out", file)
    assert file.read_text(encoding="utf-8") == "mine"
    assert "not a folder" in refused(capsys, "sweep", city / "sweep.yaml", "--out", "/dev/null")
    err = refused(capsys, "sensitivity", city / "sweep.yaml", "--out", file, "--metric", "gmv_total")
    assert "it is a file" in err and file.read_text(encoding="utf-8") == "mine"


@pytest.mark.skipif(os.geteuid() == 0, reason="root writes into read-only folders")
def test_sweep_into_a_read_only_folder_is_refused(city, tmp_path, capsys):
    folder = tmp_path / "ro"
    folder.mkdir()
    folder.chmod(0o500)
    try:
        assert "Permission denied" in refused(capsys, "sweep", city / "sweep.yaml", "--out", folder / "out")
    finally:
        folder.chmod(0o700)


def test_a_full_disk_ends_the_sweep_with_one_message_and_a_consistent_run_table(city, tmp_path, capsys, monkeypatch):
    import pyarrow.parquet as pq

    real, writes = pq.write_table, []

    def fills_up(table, where, *args, **kwargs):  # the disk fills after the first run's part
        writes.append(where)
        if any("parts" in str(w) for w in writes[:-1]):
            raise OSError(28, "No space left on device")
        return real(table, where, *args, **kwargs)

    monkeypatch.setattr(pq, "write_table", fills_up)
    out = tmp_path / "out"
    assert "No space left on device" in refused(capsys, "sweep", city / "sweep.yaml", "--out", out, "--workers", 1)
    monkeypatch.setattr(pq, "write_table", real)
    parts = list((out / "parts").glob("*.parquet"))
    runs = SweepResult(out).runs
    assert len(parts) == 1 and runs["status"].tolist().count("ok") == 1  # the part on disk is counted, not pending
    assert not list(out.rglob(".*.tmp"))
    assert cli("sweep", city / "sweep.yaml", "--out", out, "--resume", "--quiet") == 0
    assert (SweepResult(out).runs["status"] == "ok").all()


@pytest.mark.parametrize("workers", ["-1", "0", "two"])
@pytest.mark.parametrize("backend", ["local", "dask"])
def test_a_worker_count_below_one_is_refused_before_anything_is_written(city, tmp_path, capsys, workers, backend):
    err = refused(capsys, "sweep", city / "sweep.yaml", "--out", tmp_path / "out", "--workers", workers,
                  "--backend", backend)
    assert "--workers" in err
    assert not (tmp_path / "out").exists()


@pytest.mark.parametrize("backend", ["local", "dask"])
def test_sweep_in_python_refuses_a_worker_count_below_one_before_making_its_folder(city, tmp_path, backend):
    with pytest.raises(DataMarketError, match="workers: must be a whole number of 1 or more, got -1"):
        sweep(city / "sweep.yaml", tmp_path / "out", workers=-1, backend=backend, progress=False)
    assert not (tmp_path / "out").exists()


def test_too_many_workers_are_capped_at_the_cores_and_the_runs_with_one_warning(city, tmp_path, capsys):
    assert cli("sweep", city / "sweep.yaml", "--out", tmp_path / "out", "--workers", 1000, "--quiet") == 0
    warned = [line for line in capsys.readouterr().err.splitlines() if line.startswith("warning:")]
    assert warned == [f"warning: workers: 1000 asked, {min(2, os.cpu_count())} started (at most one per core: "
                      f"{os.cpu_count()}; one per run: 2)"]


def test_an_unreachable_scheduler_ends_within_seconds_with_one_message(city, tmp_path, capsys):
    started = time.monotonic()
    err = refused(capsys, "sweep", city / "sweep.yaml", "--out", tmp_path / "out", "--backend", "dask",
                  "--scheduler", "tcp://127.0.0.1:9")
    assert "--scheduler tcp://127.0.0.1:9: no Dask scheduler answered" in err
    assert time.monotonic() - started < sim.execute.SCHEDULER_TIMEOUT_S + 10


def test_a_design_larger_than_the_limit_is_refused_at_plan_time(city, tmp_path, capsys):
    spec = {"base": str(city / "tiny.yaml"), "design": "sobol", "samples": 2**19, "seed": 1,
            "parameters": {"policy.vouchers.rate": {"low": 0, "high": 0.5},
                           "behaviour.need_rate": {"low": 0.01, "high": 0.1}}, "outputs": {"metrics": ["gmv_total"]}}
    path = tmp_path / "huge.yaml"
    path.write_text(yaml.safe_dump(spec), encoding="utf-8")
    started = time.monotonic()
    err = refused(capsys, "sweep", path, "--out", tmp_path / "out")
    assert "samples: the sobol design makes 2,097,152 points" in err and "1,000,000" in err
    assert time.monotonic() - started < 10 and not (tmp_path / "out").exists()


@pytest.mark.parametrize("level", ["2", "-1", "nan", "0", "1"])
def test_a_confidence_level_outside_zero_to_one_is_refused(city, tmp_path, capsys, level):
    err = refused(capsys, "sensitivity", city / "sweep.yaml", "--out", tmp_path / "out", "--metric", "gmv_total",
                  "--conf-level", level)
    assert "--conf-level: must lie strictly between 0 and 1" in err and not (tmp_path / "out").exists()


# ---- 5. workers die with their parent ------------------------------------------------------------


def children(pid: int) -> set[int]:
    found = set()
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[1]) == pid:
            found.add(int(stat.parent.name))
    return found


def alive(pid: int) -> bool:
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0] != "Z"
    except OSError:
        return False


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads /proc")
@pytest.mark.parametrize("backend", ["local", "dask"])
def test_a_sigkilled_sweep_leaves_no_worker_processes(tmp_path, backend):
    out = tmp_path / "out"
    command = [sys.executable, "run.py", "sweep", str(ROOT / "scenarios/sweeps/smoke.yaml"), "--out", str(out),
               "--workers", "2", "--backend", backend, "--quiet"]
    proc = subprocess.Popen(command, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 120
    try:
        while len(children(proc.pid)) < 2 or not list((out / "parts").glob("*.parquet")):
            assert proc.poll() is None and time.monotonic() < deadline, "the sweep ended before it could be killed"
            time.sleep(0.05)
        workers = children(proc.pid)
    finally:
        proc.kill()  # the sweep alone, not its process group
        proc.wait()
    deadline = time.monotonic() + 5
    while any(alive(pid) for pid in workers) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert not [pid for pid in workers if alive(pid)]


# ---- 6. seeds, Ctrl-C, replicates, folders cut short ---------------------------------------------


@pytest.mark.parametrize("argv", [["--seed", "-1"], ["--seed", str(2**64)], ["--seed", str(2**32 - 1), "--replicates", "2"],
                                  ["--replicates", "100000000"], ["--seed", "1.5"]])
def test_seeds_and_replicates_out_of_range_are_refused_before_any_folder_is_made(city, tmp_path, capsys, argv):
    err = refused(capsys, "run", city / "tiny.yaml", *argv, "--out", tmp_path / "out")
    assert ("--seed" in err or "--replicates" in err)
    assert not (tmp_path / "out").exists()


@pytest.mark.parametrize("seed", [True, -1, 2**32, 1.0, "1"])
def test_run_refuses_a_seed_that_is_not_a_whole_number_in_range(seed):
    with pytest.raises(SeedError, match="seed"):
        run(ROOT / "scenarios" / "small.yaml", seed=seed)


def test_ctrl_c_on_run_writes_the_finished_replicates_marked_incomplete(city, tmp_path, capsys, monkeypatch):
    real, calls = sim.execute.run_job, []

    def interrupted_on_the_third(job):
        calls.append(job.seed)
        if len(calls) == 3:
            raise KeyboardInterrupt
        return real(job)

    monkeypatch.setattr(sim.execute, "run_job", interrupted_on_the_third)
    out = tmp_path / "out"
    assert cli("run", city / "tiny.yaml", "--seed", 7, "--replicates", 5, "--out", out) == 130
    err = capsys.readouterr().err
    assert "interrupted: 2 of 5 replicate(s) finished (seeds [7, 8])" in err and "Traceback" not in err
    manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["complete"] is False and manifest["seeds"] == [7, 8] and manifest["replicates_planned"] == 5
    with pytest.warns(UserWarning, match="interrupted after 2 of 5 replicates"):
        metrics = folders.read(out, "metrics")
    assert sorted(set(metrics["seed"])) == [7, 8]


def test_a_real_ctrl_c_on_a_parallel_run_ends_with_130_and_a_consistent_folder(city, tmp_path):
    out = tmp_path / "out"
    cli_with_ctrl_c = ("import signal, sys; signal.signal(signal.SIGINT, signal.default_int_handler); "  # even if the
                       "from sim.cli import main; sys.exit(main(sys.argv[1:]))")  # test runner ignores SIGINT
    command = [sys.executable, "-c", cli_with_ctrl_c, "run", str(city / "tiny.yaml"), "--replicates", "400",
               "--workers", "2", "--out", str(out)]
    proc = subprocess.Popen(command, cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    deadline = time.monotonic() + 60
    while len(children(proc.pid)) < 2 and time.monotonic() < deadline:  # the workers are up
        time.sleep(0.1)
    time.sleep(4)  # a few replicates finish; 400 take far longer than this on any machine
    proc.send_signal(signal.SIGINT)
    _, err = proc.communicate(timeout=60)
    assert proc.returncode == 130, err
    assert err.startswith("interrupted: ") and "Traceback" not in err and len(err.strip().splitlines()) == 1
    if (out / "manifest.json").exists():  # some replicates finished: they are written, marked incomplete
        manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
        assert manifest["complete"] is False and set(manifest["seeds"]) < set(range(1, 401))
        with pytest.warns(UserWarning, match="interrupted"):
            assert sorted(set(folders.read(out, "metrics")["seed"])) == sorted(manifest["seeds"])
    else:
        assert "nothing written" in err
    assert not list(out.glob(".*"))


def test_a_folder_cut_short_is_reported_incomplete_and_cleaned_by_force(city, tmp_path, capsys):
    out = tmp_path / "out"
    assert cli("run", city / "tiny.yaml", "--out", out) == 0
    (out / "manifest.json").unlink()  # as if killed (or the disk filled) before the manifest was written
    (out / ".products.parquet.x1y2z3.tmp").write_bytes(b"half")
    with pytest.raises(FolderError, match="incomplete"):
        folders.read(out, "metrics")
    assert "incomplete" in refused(capsys, "plot", out, "--out", tmp_path / "fig.png")
    assert not (tmp_path / "fig.png").exists()
    assert cli("run", city / "tiny.yaml", "--out", out, "--force") == 0
    assert not list(out.glob(".*")) and json.loads((out / "manifest.json").read_text())["complete"] is True


# ---- 7. compare --force replaces the whole comparison ---------------------------------------------


def test_compare_force_removes_the_scenarios_of_the_earlier_comparison(city, tmp_path, capsys):
    out = tmp_path / "cmp"
    s = [city / f"{n}.yaml" for n in ("tiny", "tiny_free", "tiny_b")]
    assert cli("compare", *s, "--out", out) == 0
    (out / "notes").mkdir()  # a folder of the user's own, not a scenario's
    capsys.readouterr()
    assert cli("compare", s[0], s[1], "--out", out, "--force") == 0
    assert f"removed {out / 'tiny_b'}" in capsys.readouterr().out
    assert sorted(p.name for p in out.iterdir()) == ["comparison.csv", "notes", "tiny", "tiny_free"]
    assert list(dict.fromkeys(folders.read(out, "metrics")["scenario"])) == ["tiny", "tiny_free"]


# ---- 8. messages name the user's paths -------------------------------------------------------------


def test_plot_names_the_users_paths_for_a_folder_or_a_device(city, tmp_path, capsys):
    out = tmp_path / "out"
    assert cli("run", city / "tiny.yaml", "--out", out) == 0
    err = refused(capsys, "plot", out, "--out", tmp_path)
    assert f"--out {tmp_path}: it is a folder" in err and ".tmp" not in err
    assert "device" in refused(capsys, "plot", out, "--out", "/dev/zero")
    assert "device" in refused(capsys, "plot", "/dev/zero", "--out", tmp_path / "f.png")
    assert "it is a file" in refused(capsys, "plot", out / "yearly.csv", "--out", tmp_path / "f.png")


# ---- 10. the books check ------------------------------------------------------------------------------


def test_the_books_check_is_relative_to_the_money_moved_and_never_hides_nan():
    error = books_error([6.6e-4, 6.6e-4, 1e-10, math.nan, math.inf, 0.0], [6.6e9, 10.0, 0.0, 5.0, 5.0, math.nan])
    assert error[0] <= BOOKS_TOLERANCE  # rounding of large amounts (1e-13 relative) balances
    assert error[1] > BOOKS_TOLERANCE  # the same imbalance on small amounts does not
    assert error[2] <= BOOKS_TOLERANCE  # below 1 万元 moved the error is absolute
    assert np.isinf(error[3:]).all()


def test_every_run_of_a_scenario_keeps_its_books_balanced(city):
    from conftest import books_balance

    result = run(city / "tiny.yaml", seed=3)
    assert books_balance(result)
    broken = pd.DataFrame(result.metrics).assign(ledger_imbalance=lambda m: m["ledger_imbalance"] + 1.0)
    assert not books_balance(dataclasses.replace(result, metrics=broken))
