"""Running sweeps: the stored dataset, common random numbers, identical results on a real
2-worker Dask cluster, resume after SIGKILL, failure isolation, and bounded memory."""

import os
import signal
import subprocess
import sys
import time
import tracemalloc
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import yaml

from sim import sweep
from sim.cli import main
from sim.sweeps import Plan, SweepError, SweepResult, SweepSpec
from sim.sweeps import plan as plan_module
from sim.execute import Pool, stream
from sim.sweeps.engine import FAIL_RUNS_ENV, Outcome, Task
from sim.sweeps.store import Store

ROOT = Path(__file__).resolve().parents[1]
SMOKE = ROOT / "scenarios" / "sweeps" / "smoke.yaml"
SMALL = ROOT / "scenarios" / "small.yaml"


def write_spec(tmp_path: Path, **fields) -> Path:
    path = tmp_path / "spec.yaml"
    path.write_text(yaml.safe_dump({"base": str(SMALL), **fields}), encoding="utf-8")
    return path


@pytest.fixture(scope="module")
def smoke(tmp_path_factory) -> SweepResult:
    """The smoke spec, run without interruption on 2 local worker processes: the reference."""
    return sweep(SMOKE, tmp_path_factory.mktemp("smoke") / "out", workers=2, progress=False)


def test_every_run_is_stored_as_its_own_part_and_listed(smoke):
    runs = smoke.runs
    assert len(runs) == 8 and (runs["status"] == "ok").all() and (runs["wall_time"] > 0).all()
    assert runs[["point", "replicate", "seed"]].values.tolist() == [[p, r, 1 + r] for p in range(4) for r in range(2)]
    assert runs.groupby("point")["exchanges.pilot_platform.fee_rate"].first().tolist() == [0.01, 0.01, 0.05, 0.05]
    parts = sorted(p.name for p in (smoke.root / "parts").iterdir())
    assert parts == sorted(f"{r.run:07d}-{r.key}.parquet" for r in runs.itertuples())
    metrics = smoke.metrics()
    assert len(metrics) == 8 * 3 and set(metrics["year"]) == {2023, 2024, 2025}
    assert {"gmv_total", "voucher_spend", "policy.vouchers.rate"} <= set(metrics.columns)


def test_metrics_reads_only_the_columns_and_rows_asked_for(smoke):
    frame = smoke.metrics(columns=["gmv_total"], filters=[("year", "=", 2025), ("policy.vouchers.rate", ">", 0)])
    assert list(frame.columns) == ["run", "point", "replicate", "seed", "year", "gmv_total"]
    assert frame["point"].tolist() == [1, 1, 3, 3] and (frame["year"] == 2025).all()


def test_points_differ_and_replicates_differ(smoke):
    y = smoke.metrics(filters=[("year", "=", 2025)])
    assert y.groupby("point")["gmv_exchange"].mean().nunique() == 4
    assert y.loc[y.point == 0, "gmv_total"].nunique() == 2
    spend = smoke.metrics(columns=["policy.vouchers.rate", "voucher_spend"]).groupby("run").agg(
        rate=("policy.vouchers.rate", "first"), spend=("voucher_spend", "sum"))
    assert ((spend["rate"] > 0) == (spend["spend"] > 0)).all()


def test_common_random_numbers_pair_replicates_across_points(tmp_path):
    # With no voucher budget the voucher rate changes nothing, so paired runs must be identical.
    spec = write_spec(tmp_path, parameters={"policy.vouchers.rate": [0.0, 0.3]}, fixed={"policy.vouchers.budget": 0},
                      replicates=2, seed=3, outputs={"metrics": ["gmv_total", "n_transactions", "consumer_surplus"]})
    m = sweep(spec, tmp_path / "out", workers=2, progress=False).metrics()
    cols = ["gmv_total", "n_transactions", "consumer_surplus"]
    for r in (0, 1):
        a = m[(m.point == 0) & (m.replicate == r)][cols].to_numpy()
        b = m[(m.point == 1) & (m.replicate == r)][cols].to_numpy()
        assert np.array_equal(a, b)
    first, second = (m[(m.point == 0) & (m.replicate == r)][cols].to_numpy() for r in (0, 1))
    assert not np.array_equal(first, second)


def test_a_two_worker_dask_cluster_gives_identical_metrics(smoke, tmp_path, dask_scheduler):
    result = sweep(SMOKE, tmp_path / "out", backend="dask", scheduler=dask_scheduler, progress=False)
    pd.testing.assert_frame_equal(result.metrics(), smoke.metrics())
    assert (result.runs["status"] == "ok").all()


def test_resume_after_sigkill_gives_exactly_the_uninterrupted_dataset(smoke, tmp_path):
    out = tmp_path / "out"
    command = [sys.executable, "run.py", "sweep", str(SMOKE), "--out", str(out), "--workers", "1", "--quiet"]
    proc = subprocess.Popen(command, cwd=ROOT, start_new_session=True,  # its own group, to kill with its workers
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    parts = out / "parts"
    deadline = time.monotonic() + 90
    try:
        while not (parts.is_dir() and len(list(parts.glob("*.parquet"))) >= 2):
            assert proc.poll() is None and time.monotonic() < deadline, "the sweep ended before it could be killed"
            time.sleep(0.02)
    finally:
        os.killpg(proc.pid, signal.SIGKILL)  # the sweep and its worker processes, at once
        proc.wait()
    before = {p.name: p.stat().st_mtime_ns for p in parts.glob("*.parquet")}
    assert 2 <= len(before) < 8

    with pytest.raises(SweepError, match="--resume"):
        sweep(SMOKE, out, workers=2, progress=False)
    resumed = sweep(SMOKE, out, workers=2, resume=True, progress=False)

    assert resumed.session["ran"] == 8 - len(before) and resumed.session["skipped"] == len(before)
    assert all(parts.joinpath(name).stat().st_mtime_ns == t for name, t in before.items())  # kept, not rerun
    assert sorted(p.name for p in parts.iterdir()) == sorted(p.name for p in (smoke.root / "parts").iterdir())
    pd.testing.assert_frame_equal(resumed.metrics(), smoke.metrics())
    pd.testing.assert_frame_equal(resumed.runs.drop(columns="wall_time"), smoke.runs.drop(columns="wall_time"))


def test_a_failing_run_is_recorded_and_the_sweep_goes_on(tmp_path, capsys, monkeypatch):
    # The workers of runs 2 and 3 raise on purpose (the DATAMARKET_FAIL_RUNS test hook, inherited by the
    # spawned worker processes), so the test does not depend on any model bug.
    monkeypatch.setenv(FAIL_RUNS_ENV, "2,3")
    spec = write_spec(tmp_path, parameters={"population.merchants.initial_count": [150, 120]},
                      replicates=2, outputs={"metrics": ["gmv_total"]})
    out = tmp_path / "out"
    assert main(["sweep", str(spec), "--out", str(out), "--workers", "2"]) == 1
    printed = capsys.readouterr()
    assert "4 runs" in printed.out and "2 ok, 2 failed" in printed.out and "run 2 fails on purpose" in printed.out
    assert "4/4" in printed.err and "failed=2" in printed.err  # the progress bar

    runs = SweepResult(out).runs
    assert runs["status"].tolist() == ["ok", "ok", "failed", "failed"]
    assert runs.loc[2, "error"] == f"InjectedFailure: run 2 fails on purpose ({FAIL_RUNS_ENV})"
    assert len(list((out / "parts").glob("*.parquet"))) == 2
    assert "Traceback" in (out / "failures" / f"0000002-{runs.loc[2, 'key']}.json").read_text(encoding="utf-8")

    again = sweep(spec, out, workers=1, resume=True, progress=False)
    assert (again.session["ran"], again.session["failed"], again.session["skipped"]) == (2, 2, 2)

    monkeypatch.delenv(FAIL_RUNS_ENV)  # the cause is fixed: resume runs the failed runs only, and they succeed
    fixed = sweep(spec, out, workers=1, resume=True, progress=False)
    assert (fixed.session["ran"], fixed.session["failed"], fixed.session["skipped"]) == (2, 0, 2)
    assert (fixed.runs["status"] == "ok").all() and not list((out / "failures").iterdir())


def test_a_spec_changed_under_an_existing_folder_is_refused(smoke, tmp_path):
    spec = yaml.safe_load(SMOKE.read_text(encoding="utf-8"))
    spec["replicates"] = 3
    path = tmp_path / "smoke.yaml"
    path.write_text(yaml.safe_dump(spec), encoding="utf-8")
    with pytest.raises(SweepError, match="replicates differ"):
        sweep(path, smoke.root, resume=True, progress=False)


def test_results_under_an_outdated_key_are_discarded_on_resume(tmp_path, monkeypatch):
    base = tmp_path / "city.yaml"
    base.write_text(f"extends: {SMALL}\n", encoding="utf-8")
    spec = SweepSpec.from_dict({"base": "city.yaml", "parameters": {"policy.vouchers.rate": [0.0, 0.2]},
                                "replicates": 2, "outputs": {"metrics": ["gmv_total"]}}, directory=tmp_path)

    def store_all(plan: Plan) -> None:  # stands in for running the model
        store = Store(tmp_path / "out")
        store.open(plan, resume=True)
        for run in plan.runs():
            frame = pd.DataFrame({"run": [run.run], "year": [2025], "gmv_total": [1.0]})
            store.save(Outcome(Task(run.run, run.point, run.replicate, run.seed, run.key, run.digest, {}, {}, (), ""),
                               frame, None, "", 0.1))

    def reopen() -> tuple[set, int]:
        store = Store(tmp_path / "out")
        return store.open(Plan(spec), resume=True), store.discarded

    store_all(Plan(spec))
    assert reopen() == ({r.name for r in Plan(spec).runs()}, 0)
    base.write_text(f"extends: {SMALL}\nbehaviour: {{need_rate: 0.07}}\n", encoding="utf-8")  # the base is edited
    assert reopen() == (set(), 4)
    store_all(Plan(spec))
    monkeypatch.setattr(plan_module, "model_version", lambda: "99.0")  # a new model version
    assert reopen() == (set(), 4)
    assert not list((tmp_path / "out" / "parts").iterdir())


def test_stream_keeps_a_bounded_number_of_runs_in_memory():
    pulled = []

    def tasks():
        for i in range(300):
            pulled.append(i)
            yield i

    def big(i):
        return np.full(1_000_000, i % 256, dtype=np.uint8)  # 1 MB per result

    tracemalloc.start()
    with ThreadPoolExecutor(2) as executor:
        for n, (task, result) in enumerate(stream(Pool(executor, lambda: 2), big, tasks()), start=1):
            assert result[0] == task % 256
            assert len(pulled) - n <= 4  # tasks submitted but not yet handed back
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    assert n == 300 and peak < 12_000_000
